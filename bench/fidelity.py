"""Benchmark of normalisation and of the fidelity diff on the repost sample.

For every repost of ``tests/data/reposts`` (``content/`` and ``history/``):

* the body is read with ``crawler.archive.parse_repost`` (files that are not reposts are
  skipped); if that module cannot be imported, a crude stand-in drops the lines up to
  the first ``[轉載自…]``/``[轉發自…]`` link;
* normalisation: ``normalize_lines(markdown_to_lines(body))`` is timed per body;
* fidelity: the repost's own lines are compared with an "original" made of the same
  lines with one sentence of the middle line rewritten (so each pair has one altered
  hunk to find); ``compare`` is timed per pair, as the median of 3 runs; the median and
  the worst pair over the sample are reported, with how many edits were caught;
* the same pairs compared as the crawl compares them, with each side's published lines
  (the repost's Markdown undone, the original's lines as given): the hunks then map back
  to the published texts and an altered hunk's changed stretches are marked with
  diff-match-patch's semantic clean-up; the difference of the two medians is the cost of
  showing texts as published, without crumbs;
* two unrelated 50,000-character Chinese texts (real reposts: the first half of the
  sample against the second half, boilerplate included) and two unrelated synthetic ones,
  median of 3 runs each;
* the repost as a witness (``crawler.witness``): each repost's body served in a
  script-rendered page (its paragraphs only as HTML inside ``__NEXT_DATA__``, where the
  generic extractor finds nothing), the whole analysis (``crawler.analyze.analyze``) timed with
  the repost and without it (median of 3 runs per page; the difference is the witness's
  cost), and the same on a 2 MB page (the longest repost, 2 MB of comments around it);
* hostile page shapes: the whole analysis of pages built to make a careless scan quadratic
  (a 3,000,000-character paragraph, runs of unclosed tags, deep nesting, deep JSON, a row of
  100,000 cells, a title of 200,000 separators, a tag of 800,000 attributes, 400,000 tags of
  distinct names, a paragraph of the article's own characters shuffled, 600,000 unclosed
  <div>s, a script line of 1,000,000 escaped quotes, 100,000 string literals of markup in a
  script, 100,000 blocks of two letters of the line the repost adds), each around a short article with a
  repost of one line more.

Each hostile shape's memory is the peak RSS of one analysis above the RSS before it, measured in
a fresh process per shape (``--shape-memory NAME``; the peak reset through Linux's
``/proc/self/clear_refs``, so that building the page does not count; not measured without it).

Single thread, in process, ``time.perf_counter``, after one warm-up pass.  Targets: median
pair <= 2 ms, unrelated pair <= 100 ms.  Run: ``python bench/fidelity.py``.

The sample is the one the tests read, ``tests/data/reposts`` in the repository.
"""

from __future__ import annotations

import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crawler.fidelity import compare  # noqa: E402
from crawler.normalize import markdown_to_lines, normalize_lines, normalize_pairs  # noqa: E402

if TYPE_CHECKING:
    from crawler.analyze import PageJob

RUNS = 3
UNRELATED_CHARS = 50_000
EDIT = "这一句在原文里被编辑者整句改写过了"


def data_dir() -> Path:
    # The sample is in the repository (the tests read it too).
    return ROOT / "tests" / "data" / "reposts"


_SOURCE_LINK = re.compile(r"\[(?:轉載|转载|轉發|转发)自")


def _stand_in_body(data: bytes, path: str) -> str | None:
    lines = data.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines[:20]):
        if _SOURCE_LINK.search(line):
            return "\n".join(lines[i + 1 :])
    return None


def _body_reader() -> tuple[str, Callable[[bytes, str], str | None]]:
    try:
        from crawler.archive import Repost, parse_repost
        from crawler.config import ArchiveConfig
    except ImportError:
        return "stand-in (skip to the source link)", _stand_in_body
    cfg = ArchiveConfig()

    def read(data: bytes, path: str) -> str | None:
        parsed = parse_repost(data, path, cfg)
        return parsed.body if isinstance(parsed, Repost) else None

    return "crawler.archive.parse_repost", read


def _timed(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall time of `runs` calls, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _edited(lines: list[str]) -> list[str] | None:
    """`lines` with one sentence of the middle line replaced, or None if there is none."""
    candidates = [i for i, line in enumerate(lines) if len(line) >= 20]
    if not candidates:
        return None
    i = candidates[len(candidates) // 2]
    parts = re.split(r"(?<=[。!?;])", lines[i])
    j = max(range(len(parts)), key=lambda k: len(parts[k]))
    parts[j] = EDIT + "。"
    return lines[:i] + ["".join(parts)] + lines[i + 1 :]


def _synthetic(seed: int, size: int) -> list[str]:
    rng = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]
    weights = [rng.random() ** 3 for _ in chars]
    text = []
    length = 0
    while length < size:
        sentence = "".join(rng.choices(chars, weights=weights, k=rng.randint(8, 60))) + rng.choice("。,!?;")
        text.append(sentence)
        length += len(sentence)
    joined = "".join(text)[:size]
    return [joined[k : k + 200] for k in range(0, size, 200)]


def _take(bodies: list[list[str]], size: int) -> list[str]:
    out: list[str] = []
    length = 0
    for lines in bodies:
        for line in lines:
            if length >= size:
                return out
            out.append(line[: size - length])
            length += len(out[-1])
    return out


def _shell(paragraphs: list[str], filler: int = 0) -> bytes:
    """A script-rendered page: the article only as HTML inside the JSON of `__NEXT_DATA__`, where
    the generic extractor finds nothing; `filler` bytes of comments after it."""
    import html
    import json

    state = {"props": {"pageProps": {"post": {"content": "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)}}}}
    comment = "<div class='reply'><p>说得很有道理，不过有些地方还可以再展开讲一讲，希望作者以后能再写一篇文章。</p></div>"
    replies = comment * (filler // len(comment.encode()) + 1) if filler else ""
    return (f"<html><head><title>t</title><script id='__NEXT_DATA__' type='application/json'>"
            f"{json.dumps(state, ensure_ascii=False)}</script></head><body><div id='__next'></div>"
            f"{replies}</body></html>").encode()


def _witness_cost(folder: Path, files: list[Path], read: Callable[[bytes, str], str | None]) -> None:
    """The repost as a witness: what it costs where the extractor missed the repost (each
    repost of the sample in a script-rendered page: the whole analysis, with and without a
    repost), and on a 2 MB page of comments around such an article."""
    from crawler import analyze

    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))
    with_ms, without_ms = [], []
    for path in files:
        body = read(path.read_bytes(), str(path.relative_to(folder)))
        if not body or not markdown_to_lines(body):
            continue
        page = _shell(markdown_to_lines(body))
        job = analyze.PageJob(page, "text/html; charset=utf-8", "http://x.test/a/1", None, None, ((1, body),))
        bare = analyze.PageJob(page, "text/html; charset=utf-8", "http://x.test/a/1", None, None, ())
        analyze.analyze(job)
        with_ms.append(_timed(lambda: analyze.analyze(job)))
        without_ms.append(_timed(lambda: analyze.analyze(bare)))
    cost = [w - o for w, o in zip(with_ms, without_ms)]
    print(f"witness where the extractor misses the repost ({len(cost)} reposts in script-rendered pages), "
          f"median of {RUNS} runs each:")
    print(f"  analysis with the repost: median {statistics.median(with_ms):.2f} ms, worst {max(with_ms):.1f} ms; "
          f"the witness's share: median {statistics.median(cost):.2f} ms, worst {max(cost):.1f} ms")
    longest = max((read(p.read_bytes(), str(p.relative_to(folder))) or "" for p in files), key=len)
    big = _shell(markdown_to_lines(longest), filler=2_000_000)
    job = analyze.PageJob(big, "text/html; charset=utf-8", "http://x.test/a/1", None, None, ((1, longest),))
    bare = analyze.PageJob(big, "text/html; charset=utf-8", "http://x.test/a/1", None, None, ())
    found = analyze.analyze(job)
    print(f"  a {len(big) / 1e6:.1f} MB page (the longest repost in __NEXT_DATA__, comments around it): "
          f"{_timed(lambda: analyze.analyze(job)):.0f} ms with the repost, {_timed(lambda: analyze.analyze(bare)):.0f} ms "
          f"without (found by {found.found_by}, faithful {all(f.faithful for f in found.fidelity)})")


_ARTICLE = [f"这是第{n}段正文，讲的是海港大桥明年春天起禁止汽车通行的决定，以及市政府为岛上居民准备的渡轮方案。" for n in range(5)]
_ADDED = "转载里多出来的一句话，原网页上没有。"


def _hostile_shapes() -> dict[str, Callable[[], tuple[str, str]]]:
    """Each shape's name, and what builds it: (the page's title, what its body holds after the
    article). Built one at a time, so that a process measured for one holds no other."""
    article, added = _ARTICLE, _ADDED
    shown = "".join(f"<p>{p}</p>" for p in article)
    return {
        "one 3,000,000-character paragraph": lambda: ("t", f"<p>{'字' * 3_000_000}</p>"),
        "300,000 unclosed '<a '": lambda: ("t", "<a " * 300_000),
        "300,000 unclosed '<meta '": lambda: ("t", "<meta " * 300_000),
        "100,000 unclosed '<script ' and an articleBody": lambda: ("t", "<script " * 100_000 + "articleBody"),
        "50,000 nested <div>s": lambda: ("t", "<div>" * 50_000 + "x" + "</div>" * 50_000),
        "JSON nested 100,000 deep in a script": lambda: ("t", "<script type='application/json'>" + "[" * 100_000
                                                         + "]" * 100_000 + "</script>"),
        "a row of 100,000 cells": lambda: ("t", "<table><tr>" + "<td>ab</td>" * 100_000 + "</tr></table>"),
        "a title of 200,000 ' - '": lambda: ("ab - " * 200_000, ""),
        "a tag of 800,000 attributes": lambda: ("t", "<p " + " ".join(f"a{i}=1" for i in range(800_000)) + ">x</p>"),
        "400,000 tags of distinct names": lambda: ("t", "".join(f"<x{i}></x{i}>" for i in range(400_000))),
        # the article's own characters in a random order: every gram a near-match of the repost's
        "a 1,000,000-character paragraph of the article's characters, shuffled":
            lambda: ("t", "<p>" + "".join(random.Random(2).choices("".join(article), k=1_000_000)) + "</p>"),
        "600,000 unclosed <div>s": lambda: ("t", "<div>" * 600_000 + "x"),
        # every literal is markup a script could write into the page: each is read as HTML
        # every quote escaped: a scan that read on from each one again would be quadratic
        "a script line of 1,000,000 escaped quotes": lambda: ("t", "<script>x = '<p>" + "\\\"" * 1_000_000 + "</script>"),
        "100,000 string literals of markup in a script": lambda: (
            "t", "<script>f(" + ",".join(f'"<p>第{i}段文字，这是一段不同的文字。</p>"' for i in range(100_000)) + ")</script>"),
        # every box a copy of the article for the eye's reader to miss: each read for a copy
        "10,000 boxes its stylesheet hides, each a copy of the article": lambda: (
            "t", "<style>.h { display: none }</style>" + f"<div class='h'>{shown}</div>" * 10_000),
        # a line the repost adds may be a few of the page's blocks joined: every split of it is one
        "100,000 blocks, each two letters of the repost's added line": lambda: (
            "t", "".join(f"<p>{added[i % 8 * 2:i % 8 * 2 + 2]}</p>" for i in range(100_000))),
        # texts kept from the eye are read as what a repost copied from the markup may carry
        "100,000 distinct watermarks its stylesheet hides, and as many hidden by style": lambda: (
            "t", "<style>.w { display: none }</style>" + "".join(
                f"<p>段{i}<span class='w'>水印{i}号</span><i style='display:none'>印{i}</i></p>" for i in range(100_000))),
        # every picture in a paragraph may sit in a pop-up card of links
        "20,000 paragraphs, each a picture in a card of links": lambda: (
            "t", "".join(f"<p>第{i}段<span><img src='/{i}.jpg'><a href='/a{i}'>甲{i}</a><a href='/b{i}'>乙{i}</a></span>"
                         "文字。</p>" for i in range(20_000))),
        # every declaration of a rule looked back for the rule's brace: quadratic
        "a stylesheet rule of 700,000 declarations that hide": lambda: (
            "t", "<style>.a{" + "display:none;" * 700_000 + "}</style>"),
        # a description that holds markup is parsed for its text
        "a description of 50,000 nested <div>s written as markup": lambda: (
            "t", "<meta name='description' content='" + "&lt;div&gt;" * 50_000 + "x'>"),
    }


def _hostile_job(build: Callable[[], tuple[str, str]]) -> PageJob:
    from crawler import analyze

    title, extra = build()
    shown = "".join(f"<p>{p}</p>" for p in _ARTICLE)
    page = f"<html><head><title>{title}</title></head><body>{shown}{extra}</body></html>".encode()
    repost = "\n\n".join([*_ARTICLE, _ADDED])
    return analyze.PageJob(page, "text/html; charset=utf-8", "http://x.test/a/1.html", None, None, ((1, repost),))


def _status_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise OSError(f"no {key} in /proc/self/status")


def _shape_memory(name: str) -> None:
    """(In a process of its own:) print how far above the process's resident set before it one
    analysis of the shape takes its peak RSS, in MB; the peak is reset first through Linux's
    /proc/self/clear_refs, so that building the page does not count. Prints "-" without /proc."""
    from crawler import analyze

    job = _hostile_job(_hostile_shapes()[name])
    try:
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kb("VmRSS")
    except OSError:
        print("-")
        return
    analyze.analyze(job)
    print(f"{(_status_kb('VmHWM') - before) / 1024:.0f}")


def _grown(name: str) -> str:
    """The memory of one analysis of a shape, measured in a fresh process: a process that has
    analysed other pages keeps their freed memory and would take the next page into it."""
    out = subprocess.run([sys.executable, __file__, "--shape-memory", name], capture_output=True, text=True)
    said = out.stdout.strip()
    return f"+{said} MB" if out.returncode == 0 and said.isdigit() else "memory not measured"


def _hostile_cost() -> None:
    """The whole analysis of pages shaped to make a careless scan quadratic, each with a short
    article and a repost with one line more (so that the witness reads them too)."""
    from crawler import analyze

    print(f"hostile page shapes (the whole analysis, a repost with one line more), median of {RUNS} runs;"
          " the peak RSS of one analysis above the process's RSS before it, in a fresh process:")
    for name, build in _hostile_shapes().items():
        job = _hostile_job(build)
        got = analyze.analyze(job)
        print(f"  {name} ({len(job.html) / 1e6:.1f} MB): {_timed(lambda: analyze.analyze(job)):.0f} ms, "
              f"{_grown(name)}{'' if got.failure is None else ' FAILED: ' + got.failure}")
    # every line a repost adds that is no prose may be a part of one of the page's credit lines
    credits = "".join(f"<p>Source: Agency {i} Editor: Name {i}</p>" for i in range(100_000))
    shown = "".join(f"<p>{p}</p>" for p in _ARTICLE)
    page = f"<html><head><title>t</title></head><body>{shown}{credits}</body></html>".encode()
    many = "\n\n".join([*_ARTICLE, *(f"Editor: Someone Else {j}" for j in range(200))])
    job = analyze.PageJob(page, "text/html; charset=utf-8", "http://x.test/a/1.html", None, None, ((1, many),))
    print(f"  100,000 credit lines, and a repost that adds 200 lines shaped as credits ({len(page) / 1e6:.1f} MB): "
          f"{_timed(lambda: analyze.analyze(job)):.0f} ms")


def main() -> int:
    folder = data_dir()
    if not folder.is_dir():
        print(f"no sample at {folder}", file=sys.stderr)
        return 2
    how, read = _body_reader()
    files = sorted(p for sub in ("content", "history") for p in (folder / sub).rglob("*.md"))
    bodies: list[list[str]] = []
    shown: list[list[str]] = []
    norm_ms: list[float] = []
    for path in files:
        body = read(path.read_bytes(), str(path.relative_to(folder)))
        if body is None:
            continue
        markdown_to_lines(body)  # warm-up
        norm_ms.append(_timed(lambda: normalize_lines(markdown_to_lines(body))))
        bodies.append(normalize_lines(markdown_to_lines(body)))
        shown.append([p for _, p in normalize_pairs(markdown_to_lines(body))])

    triples = [(lines, edited, pub) for lines, pub in zip(bodies, shown) if (edited := _edited(lines)) is not None]
    pairs = [(lines, edited) for lines, edited, _ in triples]
    for repost, original in pairs:  # warm-up
        compare(repost, original)
    pair_ms = []
    caught = 0
    for repost, original in pairs:
        pair_ms.append(_timed(lambda: compare(repost, original)))
        result = compare(repost, original)
        caught += any(EDIT in h.original for h in result.hunks)
    published_ms = []
    for repost, original, pub in triples:
        published_ms.append(_timed(lambda: compare(repost, original, repost_published=pub,
                                                   original_published=list(original))))
    identical_ms = [_timed(lambda: compare(lines, list(lines))) for lines in bodies]

    half = len(bodies) // 2
    real_a = _take(bodies[:half], UNRELATED_CHARS)
    real_b = _take(bodies[half:], UNRELATED_CHARS)
    synth_a, synth_b = _synthetic(1, UNRELATED_CHARS), _synthetic(2, UNRELATED_CHARS)
    compare(real_a, real_b)
    real_ms = _timed(lambda: compare(real_a, real_b))
    synth_ms = _timed(lambda: compare(synth_a, synth_b))
    real_sim = compare(real_a, real_b).similarity
    synth_sim = compare(synth_a, synth_b).similarity

    sizes = sorted(sum(map(len, r)) for r, _ in pairs)
    print(f"bodies read with {how}: {len(bodies)} reposts of {len(files)} files")
    print(f"normalisation (markdown_to_lines + normalize_lines), median of {RUNS} runs per body:")
    print(f"  median {statistics.median(norm_ms):.3f} ms, worst {max(norm_ms):.2f} ms")
    print(f"compare(repost, original with one sentence rewritten), median of {RUNS} runs per pair:")
    print(f"  pairs {len(pairs)} (body chars: median {statistics.median(sizes):.0f}, max {sizes[-1]})")
    print(f"  median {statistics.median(pair_ms):.3f} ms, worst {max(pair_ms):.2f} ms, "
          f"edit caught in {caught}/{len(pairs)}")
    print(f"  with texts as published and changes marked: median {statistics.median(published_ms):.3f} ms, "
          f"worst {max(published_ms):.2f} ms (cost of the median: "
          f"{statistics.median(published_ms) - statistics.median(pair_ms):+.3f} ms)")
    print(f"  identical pairs: median {statistics.median(identical_ms):.3f} ms, worst {max(identical_ms):.2f} ms")
    print(f"unrelated {UNRELATED_CHARS}-char Chinese texts, median of {RUNS} runs:")
    print(f"  real reposts:  {real_ms:.2f} ms (similarity {real_sim:.3f})")
    print(f"  synthetic:     {synth_ms:.2f} ms (similarity {synth_sim:.3f})")
    _witness_cost(folder, files, read)
    _hostile_cost()
    ok = statistics.median(pair_ms) <= 2.0 and max(real_ms, synth_ms) <= 100.0
    print(f"targets (median pair <= 2 ms, unrelated pair <= 100 ms): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if sys.argv[1:2] == ["--shape-memory"]:
        _shape_memory(sys.argv[2])
        raise SystemExit(0)
    sys.exit(main())
