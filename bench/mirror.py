"""Size of the WARC mirror per 1,000 checks of unchanged ~20 KB pages, with and without revisits.

A first crawl writes N full response records; a second crawl of the same, unchanged pages
is written twice, each time beside a copy of the first: once with `previous` given
(identical payloads become revisit records, once the writer has read the original's
headers back) and once without (every check stores a second full copy). The figures are
the bytes on disk of the second crawl's files, scaled to 1,000 checks, and its write rate
(each pair is fsynced, as in production).

Pages are real Chinese news pages of 15-25 KB from `shared/data/extraction/daniel_zh_dev`
(each one is its own URL; pages are reused with a distinct comment when fewer than N),
or synthetic ones with `--synthetic`.

    python bench/mirror.py [--checks 1000] [--synthetic]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from store.records import Exchange  # noqa: E402
from store.warc import CrawlInfo, WarcMirror  # noqa: E402

SHARED = Path(os.environ.get("REPOST_MIRROR_SHARED", ROOT.parent / "shared"))
HEADERS = [("Content-Type", "text/html; charset=utf-8"), ("Server", "nginx"), ("Cache-Control", "max-age=600")]
REQUEST = (("User-Agent", "repost-mirror/0.1.0 (+https://example.org/contact)"), ("Accept", "text/html,*/*"))
FIRST, SECOND = "2026-11-23T03:00:00Z", "2026-11-24T03:00:00Z"


def exchange(url: str, body: bytes, at: float) -> Exchange:
    return Exchange(url=url, started_at=at, request_headers=REQUEST, status=200, reason="OK", http_version="HTTP/1.1",
                    response_headers=HEADERS, payload=body, ip="192.0.2.1")


def real_pages() -> list[bytes]:
    folder = SHARED / "data" / "extraction" / "daniel_zh_dev" / "html"
    pages = [p.read_bytes() for p in sorted(folder.glob("*.html")) if 15_000 <= p.stat().st_size <= 25_000]
    return pages


def synthetic_page(n: int) -> bytes:
    rng = random.Random(n)
    common = "常用新闻报道中的汉字郭文贵爆料革命新中国联邦" * 3
    text = "<html><head><meta charset=utf-8><title>新闻</title></head><body>"
    while len(text.encode()) < 20_000:
        text += "<p>" + "".join(rng.choice(common) for _ in range(80)) + "</p>\n"
    return (text + "</body></html>").encode()


def folder_bytes(folder: Path, stamp: str) -> int:
    return sum(p.stat().st_size for p in folder.glob(f"repost-mirror-{stamp}-*.warc.gz"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks", type=int, default=1000)
    ap.add_argument("--synthetic", action="store_true")
    args = ap.parse_args()

    base = [] if args.synthetic else real_pages()
    if not args.synthetic and not base:
        print(f"# no real pages at {SHARED / 'data' / 'extraction' / 'daniel_zh_dev'} "
              "(set REPOST_MIRROR_SHARED): measuring synthetic pages instead")
    source = "real pages, 15-25 KB" if base else "synthetic pages, 20 KB"
    bodies = []
    for i in range(args.checks):
        if base:
            b = base[i % len(base)]
            bodies.append(b if i < len(base) else b + f"<!-- {i} -->".encode())
        else:
            bodies.append(synthetic_page(i))
    urls = [f"https://gnews.org/articles/{100000 + i}" for i in range(args.checks)]
    avg_body = sum(map(len, bodies)) / len(bodies)

    with tempfile.TemporaryDirectory() as tmp:
        first_dir = Path(tmp) / "first"
        m = WarcMirror(first_dir, CrawlInfo(FIRST, REQUEST[0][1]))
        firsts = [m.write(exchange(u, b, 1_795_921_260.0)) for u, b in zip(urls, bodies)]
        m.close()

        results = {}
        for label, dedupe in (("with revisits", True), ("without revisits", False)):
            folder = Path(tmp) / label.replace(" ", "_")
            shutil.copytree(first_dir, folder)
            m = WarcMirror(folder, CrawlInfo(SECOND, REQUEST[0][1]))
            t0 = time.perf_counter()
            for u, b, f in zip(urls, bodies, firsts):
                m.write(exchange(u, b, 1_796_007_660.0), f if dedupe else None)
            elapsed = time.perf_counter() - t0
            m.close()
            results[label] = (folder_bytes(folder, "20261124T030000Z"), elapsed)

    print(f"{args.checks} checks of unchanged pages ({source}; mean body {avg_body / 1000:.1f} KB), "
          f"gzip per record, request records included")
    for label, (size, elapsed) in results.items():
        per_1000 = size * 1000 / args.checks
        print(f"  {label:17s} {per_1000 / 1e6:8.3f} MB per 1,000 checks   {per_1000 / 1000 / 1000:6.2f} KB per check"
              f"   {args.checks / elapsed:7.0f} checks/s written (fsync each)")
    a, b = results["with revisits"][0], results["without revisits"][0]
    print(f"  revisits store {a / b:.1%} of the bytes of full copies ({b / a:.1f}x smaller)")


if __name__ == "__main__":
    main()
