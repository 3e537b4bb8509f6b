"""Benchmark of the article body extractor on the development sets.

Measures ``crawler.extract.extract`` on every page of the extraction development sets
(``scrapinghub`` and ``daniel_zh_dev`` in ``shared/data/extraction``, see its README):

* quality: per page, precision / recall / F1 of the bag of tokens of the extracted body
  against the ground truth; a token is a run of letters or digits in Latin, Cyrillic and
  similar scripts, and a single character in Chinese, Japanese and Korean text; Unicode
  NFKC and lower case first; punctuation is not a token.  The mean over the pages of a
  set is reported (an empty extraction of a non-empty truth scores 0).
* speed: pages per second of the extractor alone (bytes in, ``Article`` out, decoding
  included), in process, single thread, after one warm-up pass; the median of three
  timed passes over the set.

``--compare`` also measures readability-lxml and trafilatura (precision mode) when they
are importable.  They are not project dependencies: install them in a separate venv,
e.g. ``python -m venv /tmp/benchenv && /tmp/benchenv/bin/pip install readability-lxml
trafilatura lxml_html_clean`` and run ``PYTHONPATH=/work/main /tmp/benchenv/bin/python
bench/extraction.py --compare``.

The data directory is ``<repo>/../shared/data/extraction`` unless ``REPOST_MIRROR_SHARED``
names the ``shared`` directory.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SETS = ("scrapinghub", "daniel_zh_dev")

_CJK = (
    "\u1100-\u11ff\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uff9f"
    "\U00020000-\U0003134f"
)
_TOKEN_RE = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")


def data_dir() -> Path:
    shared = os.environ.get("REPOST_MIRROR_SHARED")
    base = Path(shared) if shared else Path(__file__).resolve().parents[2] / "shared"
    return base / "data" / "extraction"


def tokens(text: str) -> Counter:
    """Bag of tokens of the measure (see module docstring)."""
    return Counter(_TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower()))


def prf(extracted: str, truth: str) -> tuple[float, float, float]:
    got, want = tokens(extracted), tokens(truth)
    n_got, n_want = sum(got.values()), sum(want.values())
    if n_got == 0 and n_want == 0:
        return 1.0, 1.0, 1.0
    if n_got == 0 or n_want == 0:
        return 0.0, 0.0, 0.0
    common = sum((got & want).values())
    p, r = common / n_got, common / n_want
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def load_set(name: str) -> list[tuple[str, bytes, str]]:
    d = data_dir() / name
    pages = []
    for html in sorted((d / "html").glob("*.html")):
        gt = d / "gt" / (html.stem + ".txt")
        pages.append((html.stem, html.read_bytes(), gt.read_text(encoding="utf-8")))
    return pages


def _ours() -> Callable[[bytes], str]:
    from crawler.extract import extract

    return lambda data: extract(data).text


def _readability() -> Callable[[bytes], str] | None:
    try:
        from readability import Document
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:
        return None

    def run(data: bytes) -> str:
        summary = Document(data).summary(html_partial=True)
        tree = LexborHTMLParser(summary)
        return tree.root.text(separator="\n") if tree.root else ""

    return run


def _trafilatura() -> Callable[[bytes], str] | None:
    try:
        import trafilatura
    except ImportError:
        return None
    return lambda data: trafilatura.extract(data, favor_precision=True) or ""


def measure(fn: Callable[[bytes], str], pages, runs: int = 3) -> dict:
    scores = []
    failures = 0
    for _pid, data, truth in pages:
        try:
            out = fn(data)
        except Exception:  # a crash scores 0 for the page
            failures += 1
            out = ""
        scores.append(prf(out, truth))
    # speed: warm-up pass done above; median of `runs` timed passes
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _pid, data, _truth in pages:
            try:
                fn(data)
            except Exception:
                pass
        times.append(time.perf_counter() - t0)
    n = len(pages)
    return {
        "pages": n,
        "f1": sum(s[2] for s in scores) / n,
        "p": sum(s[0] for s in scores) / n,
        "r": sum(s[1] for s in scores) / n,
        "pages_s": n / statistics.median(times),
        "failures": failures,
        "per_page": {pid: s for (pid, _d, _t), s in zip(pages, scores)},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--compare", action="store_true", help="also measure readability-lxml and trafilatura")
    ap.add_argument("--worst", type=int, default=0, help="list the N worst pages of each set")
    ap.add_argument("--runs", type=int, default=3, help="timed passes (median reported)")
    ap.add_argument("--set", choices=SETS, action="append", help="only this set (repeatable)")
    args = ap.parse_args(argv)

    extractors = [("repost-mirror", _ours())]
    if args.compare:
        for name, factory in (("readability-lxml", _readability), ("trafilatura", _trafilatura)):
            fn = factory()
            if fn is None:
                print(f"# {name}: not importable, skipped")
            else:
                extractors.append((name, fn))

    print(f"# data: {data_dir()}")
    print(
        "# measure: bag-of-tokens P/R/F1 per page (NFKC, lower case; words = runs of letters/"
        "digits, CJK = one token per char; punctuation dropped), mean over pages"
    )
    print(
        f"# speed: bytes -> text in process, single thread, 1 warm-up pass, median of {args.runs} "
        f"timed passes; python {sys.version.split()[0]}, {os.cpu_count()} cpu"
    )
    print(f"{'set':<15} {'extractor':<17} {'pages':>5} {'F1':>6} {'P':>6} {'R':>6} {'pages/s':>8} {'errors':>6}")
    for set_name in args.set or SETS:
        if not (data_dir() / set_name / "html").is_dir():
            # The development sets live beside the repository, not in it (one is GPL-3.0).
            print(f"# {set_name}: not measured, no data at {data_dir() / set_name} "
                  "(set REPOST_MIRROR_SHARED to the folder holding data/extraction)")
            continue
        pages = load_set(set_name)
        for name, fn in extractors:
            m = measure(fn, pages, runs=args.runs)
            print(
                f"{set_name:<15} {name:<17} {m['pages']:>5} {m['f1']:>6.3f} {m['p']:>6.3f} "
                f"{m['r']:>6.3f} {m['pages_s']:>8.0f} {m['failures']:>6}"
            )
            if args.worst and name == "repost-mirror":
                worst = sorted(m["per_page"].items(), key=lambda kv: kv[1][2])[: args.worst]
                for pid, (p, r, f) in worst:
                    print(f"    {f:.3f} P={p:.3f} R={r:.3f} {pid}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
