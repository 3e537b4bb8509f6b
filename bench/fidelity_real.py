"""Verdicts on real pages: every page of the extraction development set, served as captured,
judged against reposts made from its own ground truth, crawled and reported as a user would.

Data: ``<shared>/data/extraction/{scrapinghub,daniel_zh_dev}`` (``html/<id>.html`` as served,
``gt/<id>.txt`` the article's body, ``meta.jsonl``), where ``<shared>`` is ``--shared``, else
``REPOST_MIRROR_SHARED``, else ``../shared`` beside the repository. Pages whose ground truth
is mostly not in the page (``gt_in_page < 0.9``) or holds fewer than 3 lines are left out.

For every page three sources are served, each on a loopback host of its kind (an in-process
HTTP/1.1 origin, ``tests/origin.py``; robots.txt and every other URL answer 404, so the
soft-404 probe meets a real 404), with the page's bytes as captured (``Content-Type:
text/html``, no charset: the page's own declaration or detection decides), and one repost
each, in the archive's gnews-flat layout, whose body is the ground truth, one paragraph per
line:

* ``exact``: the ground truth as it is;
* ``replaced``: one line near the middle replaced by an unrelated sentence (Chinese for the
  Chinese pages, English otherwise; numbered, so that it is no boilerplate of the archive);
* ``truncated``: without its last line of prose (the last line of >= 60 letters, a Han
  character counting two, that holds a sentence mark, and that the ground truth says once:
  a repost that drops one copy of a line said twice still holds it).

Then ``repost-mirror crawl --all`` and ``repost-mirror report --all --format json`` run as
commands (the console script of the active environment), and the report is read back.

Reported: alive share (every source must be alive), faithful share of the exact reposts,
caught share of the edits (replaced and truncated: not faithful), per set and overall, the
exact reposts judged unfaithful with their first hunk, and the wall time. Targets: 100%
alive, >= 98% of exact reposts faithful, >= 99% of edits caught.

With ``--extractor-off`` the same reposts are judged in this process (``crawler.analyze``, the
default comparison settings) with the generic extractor's body emptied, so that the repost
witness alone finds each article in the page: how the verdicts hold on pages whose template
the extractor misreads, as pages of sites it never saw may be. With ``--classes-off`` they are
judged in this process on the pages with every ``class`` and ``id`` attribute taken out, so
that no name a site gives its boxes ("caption", "comments", "newsletter") helps: how the
verdicts hold on sites whose class names say nothing (generated names, unknown languages).

With ``--each-paragraph``, every exact repost judged faithful is judged again without each of
its paragraphs of prose in turn, in this process: how often a repost that drops a paragraph,
wherever it stands (the first, one in the middle, the last), is caught.

With ``--new-template``, each exact repost's page is read once as captured, its bytes kept in a
mirror as a crawl keeps them, and read again without its class and id attributes, as a site's
new template might serve the same article: how many of the second readings make a new version
(none should: the article did not change), and how many exact reposts they judge unfaithful.

    python bench/fidelity_real.py [--shared PATH] [--limit N] [--show 20] [--extractor-off] [--classes-off]
                                  [--each-paragraph] [--new-template]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crawler import analyze
from crawler.config import Config
from store.records import Exchange
from store.warc import CrawlInfo
from tests.origin import Origin, Reply
from tests.real_pages import KINDS, Case, is_prose_line, repost_body, write_repost
from tests.real_pages import cases as set_cases

SETS = ("scrapinghub", "daniel_zh_dev")


def shared_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("REPOST_MIRROR_SHARED")
    return Path(env) if env else ROOT.parent / "shared"


def cases(shared: Path, limit: int | None) -> list[Case]:
    out: list[Case] = []
    for name in SETS:
        out.extend(set_cases(shared / "data" / "extraction" / name, limit, first=len(out)))
    return out


_NAMES = re.compile(rb"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)


def in_process(all_cases: list[Case], show: int, *, extractor_off: bool, classes_off: bool) -> None:
    """The verdicts judged in this process: with the extractor's body emptied (the witness alone
    reads each page), or on the pages without their class and id attributes, or both."""
    real = analyze.extract

    def emptied(*args, **kwargs):
        return dataclasses.replace(real(*args, **kwargs), paragraphs=(), extras=())

    compare = Config().compare
    analyze.configure(analyze.CompareSettings(frozenset(), compare.min_change_chars, compare.fold_chinese_script))
    if extractor_off:
        analyze.extract = emptied
    wrong: list[str] = []
    try:
        started = time.perf_counter()
        right = {c: False for c in all_cases}
        for c in all_cases:
            html = _NAMES.sub(b"", c.html) if classes_off else c.html
            # the repost's Markdown as the crawl reads it from the archive (its marks escaped)
            job = analyze.PageJob(html, "text/html", "http://127.0.0.1/a", None, None, ((1, repost_body(c.body)),))
            got = analyze.analyze(job)
            faithful = got.fidelity[0].faithful if got.fidelity else None
            right[c] = faithful is True if c.kind == "exact" else faithful is False
            if not right[c]:
                wrong.append(f"{c.set[:5]} {c.page_id[:28]} {c.kind}: faithful={faithful} found_by={got.found_by}")
        took = time.perf_counter() - started
    finally:
        analyze.extract = real
    off = " and ".join(name for name, on in (("extractor", extractor_off), ("classes", classes_off)) if on)
    print(f"{off} off: {len(all_cases)} reposts judged in process in {took:.1f} s")
    for scope in (*SETS, "all"):
        for kind in KINDS:
            mine = [c for c in all_cases if c.kind == kind and scope in ("all", c.set)]
            ok = sum(right[c] for c in mine)
            print(f"{scope:14} {kind:10} {'faithful' if kind == 'exact' else 'caught'} {ok}/{len(mine)} ({ok / len(mine):.1%})")
        edits = [c for c in all_cases if c.kind != "exact" and scope in ("all", c.set)]
        caught = sum(right[c] for c in edits)
        print(f"{scope:14} {'edits':10} caught {caught}/{len(edits)} ({caught / len(edits):.1%})")
    print(f"wrong verdicts: {len(wrong)}")
    for line in wrong[:show]:
        print("  " + line)


_PROSE = is_prose_line


def each_paragraph(all_cases: list[Case], show: int) -> None:
    """Every paragraph of prose dropped in turn: for each exact repost judged faithful, a repost
    without one of its lines of prose (>= 60 letters, a Han character counting two, with a
    sentence mark; a line the repost says twice is left out), judged in this process. A repost
    that drops a paragraph of the article was edited (SPEC 7), wherever the paragraph stands."""
    compare = Config().compare
    analyze.configure(analyze.CompareSettings(frozenset(), compare.min_change_chars, compare.fold_chinese_script))

    def faithful(c: Case, lines: tuple[str, ...]) -> bool:
        job = analyze.PageJob(c.html, "text/html", "http://127.0.0.1/a", None, None, ((1, repost_body(lines)),))
        got = analyze.analyze(job).fidelity
        return bool(got and got[0].faithful)

    started = time.perf_counter()
    missed: list[str] = []
    tried = reposts = 0
    for c in all_cases:
        if c.kind != "exact" or not faithful(c, c.body):
            continue
        reposts += 1
        for i, line in enumerate(c.body):
            if not _PROSE(line) or c.body.count(line) > 1:
                continue
            tried += 1
            if faithful(c, c.body[:i] + c.body[i + 1:]):
                missed.append(f"{c.set[:5]} {c.page_id[:28]} line {i + 1}/{len(c.body)}: {line[:100]}")
    took = time.perf_counter() - started
    print(f"each paragraph dropped in turn from {reposts} faithful exact reposts: caught {tried - len(missed)}/{tried} "
          f"({(tried - len(missed)) / max(1, tried):.1%}); {took:.0f} s in process")
    for line in missed[:show]:
        print("  " + line)


def new_template(all_cases: list[Case], show: int) -> None:
    """Each exact repost's page read as captured (and mirrored), then again without its class and
    id attributes, with the first reading as the latest version: new versions and verdicts."""
    compare = Config().compare
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="new-template-") as work:
        analyze.configure(analyze.CompareSettings(frozenset(), compare.min_change_chars, compare.fold_chinese_script),
                          Path(work), CrawlInfo(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "bench"))
        try:
            new: list[str] = []
            read = unfaithful = 0
            for c in all_cases:
                if c.kind != "exact":
                    continue
                reposts = ((1, repost_body(c.body)),)
                url = f"http://127.0.0.1/{c.page_id}"
                ref = analyze.process(analyze.ResponseJob((Exchange(
                    url, time.time(), (), 200, "OK", "HTTP/1.1", (("Content-Type", "text/html"),), c.html),), None,
                    None))[0]
                first = analyze.analyze(analyze.PageJob(c.html, "text/html", url, None, None, reposts))
                if not first.has_article:
                    continue
                again = analyze.analyze(analyze.PageJob(_NAMES.sub(b"", c.html), "text/html", url, None,
                                                        first.normalized, reposts, before=ref))
                read += 1
                unfaithful += bool(again.fidelity and not again.fidelity[0].faithful)
                if again.new_version:
                    new.append(f"{c.set[:5]} {c.page_id[:28]}")
        finally:
            analyze.close_mirror()
    took = time.perf_counter() - started
    print(f"each page read again without its class and id attributes ({read} pages, {took:.0f} s in process): "
          f"new versions {len(new)}/{read}; exact reposts judged unfaithful {unfaithful}/{read}")
    for line in new[:show]:
        print("  new version: " + line)


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", help="the shared folder (default: $REPOST_MIRROR_SHARED or ../shared)")
    ap.add_argument("--limit", type=int, help="at most N pages of each set")
    ap.add_argument("--show", type=int, default=20, help="wrong verdicts listed")
    ap.add_argument("--keep", help="keep the work folder here")
    ap.add_argument("--extractor-off", action="store_true",
                    help="judge in process with the extractor's body emptied (the witness alone)")
    ap.add_argument("--classes-off", action="store_true",
                    help="judge in process on the pages without their class and id attributes")
    ap.add_argument("--each-paragraph", action="store_true",
                    help="drop each paragraph of prose of the exact reposts in turn (in process)")
    ap.add_argument("--new-template", action="store_true",
                    help="read each page again without its class and id attributes: new versions (in process)")
    args = ap.parse_args()
    shared = shared_dir(args.shared)
    if not (shared / "data" / "extraction").is_dir():
        print(f"no extraction data at {shared / 'data' / 'extraction'}: nothing measured "
              "(give --shared PATH or set REPOST_MIRROR_SHARED)")
        return 0
    if args.each_paragraph:
        each_paragraph(cases(shared, args.limit), args.show)
        return 0
    if args.new_template:
        new_template(cases(shared, args.limit), args.show)
        return 0
    if args.extractor_off or args.classes_off:
        in_process(cases(shared, args.limit), args.show, extractor_off=args.extractor_off, classes_off=args.classes_off)
        return 0
    exe = shutil.which("repost-mirror")
    if exe is None:
        print("the repost-mirror command is not on PATH (activate the environment it is installed in)")
        return 1
    all_cases = cases(shared, args.limit)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fidelity-real-"))
    (work / "archive").mkdir(parents=True, exist_ok=True)
    hosts = {(s, k): f"127.0.3.{i + 1}" for i, (s, k) in enumerate((s, k) for s in SETS for k in KINDS)}
    origins = {key: Origin(ip, default=Reply(404, "<html><body>Not Found</body></html>")) for key, ip in hosts.items()}
    by_url: dict[str, Case] = {}
    try:
        for origin in origins.values():
            origin.start()
            origin.route("/robots.txt", Reply(404))
        for n, case in enumerate(all_cases):
            origin = origins[(case.set, case.kind)]
            path = f"/articles/{case.page_id[-40:]}.html"
            origin.route(path, Reply(200, case.html, content_type="text/html"))
            url = origin.url(path)
            by_url[url] = case
            write_repost(work / "archive" / f"{case.set}-{case.kind}-{n}.md", url, case.title, case.body)
        (work / "config.toml").write_text(
            '[archive]\nroot = "archive"\n[store]\ndatabase = "mirror.db"\nmirror = "mirror"\n'
            "[crawl]\ndelay = 0\nconcurrency = 32\nallow_private_addresses = true\nretries = 0\ntimeout = 20\n"
            "[wayback]\nenabled = false\n", encoding="utf-8")
        started = time.perf_counter()
        crawled = run([exe, "crawl", "--all", "--config", "config.toml"], work)
        crawl_s = time.perf_counter() - started
        if crawled.returncode != 0:
            print(crawled.stdout, crawled.stderr)
            return 1
        reported = run([exe, "report", "--all", "--format", "json", "--config", "config.toml"], work)
        doc = json.loads(reported.stdout)
    finally:
        for origin in origins.values():
            origin.__exit__(None, None, None)
    sources = {s["source_url"]: s for s in doc["sources"]}
    print(f"data: {shared / 'data' / 'extraction'}; {len(all_cases) // 3} pages, {len(all_cases)} reposts; "
          f"crawl {crawl_s:.1f} s wall ({len(all_cases) / crawl_s:.0f} checks/s, in-process origin)")
    wrong: list[str] = []
    for scope in (*SETS, "all"):
        mine = [c for c in all_cases if scope in ("all", c.set)]
        got = {c: sources.get(url) for url, c in by_url.items() if c in mine}
        alive = sum(1 for s in got.values() if s and s["link_status"] in ("alive", "redirected"))
        exact = [c for c in mine if c.kind == "exact"]
        edits = [c for c in mine if c.kind != "exact"]
        ok = sum(1 for c in exact if got[c] and got[c]["faithful"] is True)
        caught = sum(1 for c in edits if got[c] and got[c]["faithful"] is False)
        trunc = [c for c in edits if c.kind == "truncated"]
        trunc_caught = sum(1 for c in trunc if got[c] and got[c]["faithful"] is False)
        print(f"{scope:14} alive {alive}/{len(mine)} ({alive / len(mine):.1%})  exact faithful {ok}/{len(exact)} "
              f"({ok / len(exact):.1%})  edits caught {caught}/{len(edits)} ({caught / len(edits):.1%}; "
              f"truncations {trunc_caught}/{len(trunc)})")
    for url, c in by_url.items():
        s = sources.get(url) or {}
        bad = (s.get("link_status") not in ("alive", "redirected") or (c.kind == "exact" and s.get("faithful") is not True)
               or (c.kind != "exact" and s.get("faithful") is not False))
        if bad:
            wrong.append(f"{c.set[:5]} {c.page_id[:28]} {c.kind}: {s.get('link_status')} faithful={s.get('faithful')} "
                         f"{(s.get('detail') or '')[:120]}")
    print(f"wrong verdicts: {len(wrong)}")
    for line in wrong[:args.show]:
        print("  " + line)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
