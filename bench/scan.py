"""Scan throughput and memory over a synthetic archive of 100,000 reposts shaped like the real ones.

The archive is generated into a temporary folder (deterministic, seeded), with the layouts of
`shared/data/reposts/README.md` in roughly the proportions of the real working tree:

* gnews-flat `content/gnews/<id>.md` (most): nav bar, `## title`, the gnews header line
  `` `M/D/YYYY h:mm AM UTC station` [轉載自GNews](https://gnews.org/articles/N) `` (or `/zh-hans/N/`);
* gnews-slot `content/gnews/<slot>/README.md`: the same with the 2021-22 nav bar;
* gettr posts `content/gettr/<post>.md`: reshare line, `@user TS` span, `[轉發自GETTR](...)`;
* transcript-dated `content/transcript/YYYY/MM/YYYYMMDD-<id>.md`: `[轉載自GNews](.../ThreadView/N)`,
  some with the source as a last `[原文連接](URL)` line, some `ThreadView/0` stubs (problems);
* a few index pages (BOM, `### 頁面 1 / 50`), empty files and site pages (not reposts);
* Chinese Markdown bodies of 0.3-5 KB (log-uniform) with images, links, bold, `[[zh:...]]`
  wiki links, nbsp lines, mixed line ends; the GNews footer (免责声明 + 4 list links) in most
  gnews reposts, so the line counts hold real boilerplate; ~2% copy another repost's source.

Measured, each in a fresh subprocess (so its peak RSS is its own: VmHWM of /proc/self/status,
interpreter and imports included; not ru_maxrss, which Linux carries over execve from the parent):

* cold: `crawler.scan.scan` into a fresh Store (new database file), median of 3;
* rescan: `scan` again over the same, unchanged archive and the database of the last cold run,
  median of 3.

The page cache is warm for every run (the archive was just written): "cold" means a cold
database, not a cold disk.

    python bench/scan.py [--reposts 100000] [--runs 3] [--keep DIR]

Targets: cold >= 2,000 reposts/s, rescan >= 20,000 reposts/s, peak RSS <= 200 MB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.prose import CHARS  # noqa: E402

TARGET_COLD, TARGET_RESCAN, TARGET_RSS_MB = 2000.0, 20000.0, 200.0

DISCLAIMER = "免责声明：本文内容仅代表作者个人观点，平台不承担任何法律风险。"
FOOTER = (
    f"\n\n{DISCLAIMER}\n  \n"
    "- [ROL Foundation](https://rolfoundation.org/)\n- [ROL Society](https://rolsociety.org/)\n"
    "- [Terms of use](https://gnews.org/terms-of-use-3/)\n- [Privacy Policy](https://gnews.org/privacy-policy/)\n"
)
NAV_FLAT = "###  [:house:返回](README.md)\n---\n\n\n"
NAV_SLOT = "###  [:house:返回首頁](https://github.com/ourhimalayas/txt)\n---\n\n\n"
STATIONS = ["秘密翻譯組G-Translators", "Himalaya San Francisco Quantum Farm", "MOSVIDEO", "喜马拉雅伦敦农场",
            "新中国联邦新闻", "", "G&#124;News 编辑部", "文贵大直播听写组"]
CREDITS = ["作者：{u}", "编辑：{u}", "发稿：{u}", "翻译：{u}", "校对：{u}", "上传排版：{u}"]
PUNCT = "，，，。、；：「」“”！？（）"


def _text_pool(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        out.append(rng.choice(CHARS))
        if rng.random() < 0.07:
            out.append(rng.choice(PUNCT))
    return "".join(out)


class Generator:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.pool = _text_pool(self.rng, 400_000)

    def para(self, chars: int) -> str:
        start = self.rng.randrange(0, len(self.pool) - chars)
        return self.pool[start:start + chars] + "。"

    def body(self, nbytes: int, footer: bool) -> str:
        rng = self.rng
        parts: list[str] = []
        size = 0
        if rng.random() < 0.5:
            parts.append(f"作者：{self.para(4)[:-1]}\n\n编辑：{self.para(3)[:-1]}")
        while size < nbytes:
            r = rng.random()
            if r < 0.10:
                p = (f"![img](https://media.gettr.com/group{rng.randint(1, 40)}/origin/2022/05/17/00/"
                     f"{rng.getrandbits(64):016x}/{rng.getrandbits(64):016x}.png)")
            elif r < 0.17:
                p = f"**{self.para(rng.randint(10, 40))}**"
            elif r < 0.24:
                a, b = self.para(rng.randint(20, 80)), self.para(rng.randint(4, 10))[:-1]
                p = f"{a}[{b}](https://gnews.org/zh-hans/{rng.randint(10**5, 3 * 10**6)}/){self.para(10)}"
            elif r < 0.30:
                w = self.para(3)[:-1]
                p = f"[[zh:{w}]]{self.para(rng.randint(30, 120))}[[zh:{self.para(2)[:-1]}]]{self.para(20)}"
            elif r < 0.34:
                p = "\u00a0"  # the nbsp lines of the real archive
            else:
                p = self.para(rng.randint(20, 200))
            parts.append(p)
            size += len(p.encode())
        text = "\n\n".join(parts)
        if footer:
            text += FOOTER
        return text

    def size(self) -> int:
        # log-uniform 0.3-5 KB
        return int(math.exp(self.rng.uniform(math.log(300), math.log(5000))))

    def stamp(self) -> str:
        rng = self.rng
        return f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/{rng.choice([2021, 2022, 2023, 2024])} " \
               f"{rng.randint(1, 12)}:{rng.randint(0, 59):02d} {rng.choice(['AM', 'PM'])} UTC"


def generate(root: Path, n: int, seed: int = 1) -> dict[str, int]:
    """Write `n` archive files below root; returns counts per layout."""
    g = Generator(seed)
    rng = g.rng
    counts: dict[str, int] = {}
    made_dirs: set[Path] = set()
    ids = rng.sample(range(10**5, 3 * 10**6), n)
    urls: list[str] = []

    def write(rel: str, text: str, crlf: bool = False) -> None:
        path = root / rel
        if path.parent not in made_dirs:
            path.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(path.parent)
        if crlf:
            text = text.replace("\n", "\r\n")
        path.write_bytes(text.encode("utf-8"))

    n_index = max(1, n // 5000)
    n_empty = max(1, n // 2500)
    for i in range(n):
        num = ids[i]
        r = rng.random()
        crlf = rng.random() < 0.3
        if i < n_index:
            kind = "index"
            links = "\n".join(f"- [{g.para(12)[:-1]}](/content/gnews/{rng.randint(10**5, 3 * 10**6)}.md)"
                              for _ in range(50))
            text = f"\ufeff\ufeff###  [:house:首页](/README.md)\n---\n\n### 頁面 {i + 1} / {n_index}\n\n{links}\n"
            write(f"content/gnews/README-{i}.md" if i else "content/gnews/README.md", text)
        elif i < n_index + n_empty:
            kind = "empty"
            write(f"content/gnews/{num}.md", "")
        elif r < 0.70:
            kind = "gnews-flat"
            url = rng.choice([f"https://gnews.org/articles/{num}", f"https://gnews.org/zh-hans/{num}/"])
            if urls and rng.random() < 0.02:
                url = rng.choice(urls)  # another repost of the same original
            urls.append(url)
            text = (f"{NAV_FLAT}## {g.para(rng.randint(8, 30))[:-1]}\n`{g.stamp()} {rng.choice(STATIONS)}` "
                    f"[轉載自GNews]({url})\n\n{g.body(g.size(), footer=rng.random() < 0.8)}")
            write(f"content/gnews/{num}.md", text, crlf)
        elif r < 0.78:
            kind = "gnews-slot"
            url = f"https://gnews.org/zh-hans/{num}/" if rng.random() < 0.95 else f"https://gnews.org/zh-hant/{num}/"
            text = (f"{NAV_SLOT}## {g.para(rng.randint(8, 30))[:-1]}\n` {rng.choice(STATIONS)}` "
                    f"[轉載自GNews]({url})\n\n{g.body(g.size(), footer=rng.random() < 0.9)}")
            write(f"content/gnews/{i}/README.md", text, crlf)
        elif r < 0.88:
            kind = "gettr"
            post = f"p{rng.getrandbits(40):010x}"
            head = f"**:arrows_clockwise: {post} 已轉發**\n\n" if rng.random() < 0.3 else ""
            text = (f"{NAV_FLAT}{head}`@{g.para(6)[:-1]} {g.stamp()}`\n\n[轉發自GETTR](https://gettr.com/post/{post})\n\n"
                    f"{g.body(min(g.size(), 1500), footer=False)}")
            write(f"content/gettr/{post}.md", text, crlf)
        else:
            year, month, day = rng.randint(2017, 2022), rng.randint(1, 12), rng.randint(1, 28)
            rel = f"content/transcript/{year}/{month:02d}/{year}{month:02d}{day:02d}-{num}.md"
            if rng.random() < 0.25:
                kind = "transcript-ThreadView/0"
                text = f"## {g.para(20)[:-1]}\n[轉載自GNews](https://gnews.org/ThreadView/0)\n\n{g.body(g.size(), False)}"
            elif rng.random() < 0.15:
                kind = "transcript-link-at-end"
                text = f"## {g.para(20)[:-1]}\n\n{g.body(g.size(), False)}\n\n[原文連接](https://gnews.org/zh-hans/{num}/)\n"
            else:
                kind = "transcript-dated"
                text = (f"## {g.para(20)[:-1]}\n[轉載自GNews](https://gnews.org/ThreadView/{num})\n\n"
                        f"{g.body(g.size(), False)}")
            write(rel, text, crlf)
        counts[kind] = counts.get(kind, 0) + 1
    # Site pages: not reposts.
    write("content/about.md", f"{NAV_FLAT}## 關於\n\n{g.para(200)}\n")
    counts["site-page"] = 1
    return counts


# --- one measured scan, in its own process ---------------------------------------------------

def peak_rss_mb() -> float:
    """Peak RSS of this process image: VmHWM. (ru_maxrss survives execve on Linux, so a child
    would report the bench parent's peak if that were larger.)"""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(archive: Path, db: Path) -> None:
    from crawler.config import ArchiveConfig, Config, StoreConfig
    from crawler.scan import scan
    from store.db import Store

    cfg = Config(archive=ArchiveConfig(root=archive), store=StoreConfig(database=db, mirror=db.parent / "mirror"))
    t0 = time.perf_counter()
    c0 = time.process_time()
    store = Store(db)
    result = scan(cfg, store)
    store.close()
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    io = {}
    try:
        for line in Path("/proc/self/io").read_text().splitlines():
            k, _, v = line.partition(":")
            io[k] = int(v)
    except OSError:
        pass
    print(json.dumps({
        "elapsed": elapsed, "cpu": cpu, "written_mb": io.get("write_bytes", 0) / 2**20, "files": result.reposts + result.not_reposts + len(result.problems),
        "reposts": result.reposts, "new": len(result.new), "changed": len(result.changed),
        "unchanged": result.unchanged, "problems": len(result.problems), "not_reposts": result.not_reposts,
        "maxrss_mb": peak_rss_mb(),
    }))


def run_child(archive: Path, db: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", str(archive), str(db)],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".lock"):
        p = Path(str(db) + suffix)
        if p.exists():
            p.unlink()


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):,.0f}, min {min(values):,.0f}, max {max(values):,.0f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reposts", type=int, default=100_000, help="archive files to generate")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="generate into (or reuse) this folder and keep it")
    ap.add_argument("--child", nargs=2, type=Path, metavar=("ARCHIVE", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return

    tmp = Path(tempfile.mkdtemp(prefix="bench-scan-")) if args.keep is None else args.keep
    try:
        archive = tmp / "archive"
        db = tmp / "bench.db"
        if not (archive / "content").is_dir():
            t0 = time.perf_counter()
            counts = generate(archive, args.reposts)
            gen = time.perf_counter() - t0
            print(f"generated {args.reposts:,} files in {gen:.1f} s into {archive}")
            for kind, c in sorted(counts.items(), key=lambda kv: -kv[1]):
                print(f"  {kind:26} {c:7,}")
        total_bytes = sum(p.stat().st_size for p in archive.rglob("*.md"))
        print(f"archive: {total_bytes / 2**20:.0f} MiB of Markdown; python {sys.version.split()[0]}, "
              f"{os.cpu_count()} cores\n")

        cold = []
        for i in range(args.runs):
            fresh_db(db)
            r = run_child(archive, db)
            cold.append(r)
            print(f"cold   run {i + 1}: {r['files']:,} files ({r['reposts']:,} reposts, {r['problems']:,} problems, "
                  f"{r['not_reposts']:,} not reposts) in {r['elapsed']:.2f} s (cpu {r['cpu']:.2f} s), "
                  f"{r['files'] / r['elapsed']:,.0f} files/s, peak RSS {r['maxrss_mb']:.0f} MB, "
                  f"{r['written_mb']:,.0f} MiB written to disk")
        print(f"database after a cold scan: {db.stat().st_size / 2**20:.0f} MiB")
        rescan = []
        for i in range(args.runs):
            r = run_child(archive, db)
            rescan.append(r)
            assert r["new"] == 0 and r["changed"] == 0, r
            print(f"rescan run {i + 1}: {r['files']:,} files, {r['unchanged']:,} unchanged in {r['elapsed']:.2f} s "
                  f"(cpu {r['cpu']:.2f} s), {r['files'] / r['elapsed']:,.0f} files/s, peak RSS {r['maxrss_mb']:.0f} MB")

        cold_rate = [r["files"] / r["elapsed"] for r in cold]
        re_rate = [r["files"] / r["elapsed"] for r in rescan]
        rss = [r["maxrss_mb"] for r in cold + rescan]
        peak = max(rss)
        print()
        print("files/s counts every archive file the scan indexed (reposts, problems, not-reposts).")
        print(f"cold scan:  {spread(cold_rate)} reposts/s  (target >= {TARGET_COLD:,.0f}: "
              f"{'met' if statistics.median(cold_rate) >= TARGET_COLD else 'MISSED'})")
        print(f"rescan:     {spread(re_rate)} reposts/s  (target >= {TARGET_RESCAN:,.0f}: "
              f"{'met' if statistics.median(re_rate) >= TARGET_RESCAN else 'MISSED'})")
        print(f"peak RSS:   cold median {statistics.median([r['maxrss_mb'] for r in cold]):.0f} MB, rescan median "
              f"{statistics.median([r['maxrss_mb'] for r in rescan]):.0f} MB, max of all runs {peak:.0f} MB  "
              f"(target <= {TARGET_RSS_MB:.0f} MB: {'met' if peak <= TARGET_RSS_MB else 'MISSED'})")
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
