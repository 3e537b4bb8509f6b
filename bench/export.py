"""Export of the mirror as a WACZ file (`repost-mirror export --wacz`): time and peak RSS.

A mirror is made as `bench/crawl.py` makes its throughput run: its local origin of 200 loopback
hosts serving 15-40 KB Chinese pages, a database of one repost per source, and one crawl
(`crawl_async`, delay 0); all of this in a child process, so that its memory is not counted
as the export's (a child's ru_maxrss starts from its parent's peak). Then `repost-mirror
export --wacz` runs as a user runs it (a subprocess of this Python) RUNS times over the whole
mirror, and RUNS times with `--since` a date before the crawl (the path that chooses records
one by one); each run's wall time (time.perf_counter around the subprocess) and peak resident
memory (ru_maxrss from os.wait4) are recorded, and medians printed.

    python bench/export.py [--checks 20000] [--runs 3]

Needs nothing outside the repository. No target: the export runs on demand, and most of its
memory beyond the records it reads is the `wacz` package's index, which it sorts in memory.
"""

from __future__ import annotations

import argparse
import json
import os
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


def make_mirror(folder: Path, checks: int) -> None:
    """The child's work: a database and a mirror of `checks` crawled sources under `folder`."""
    from bench.crawl import HOSTS, Origin, build_db, run_crawl

    origin = Origin()
    try:
        per_host = max(1, checks // len(HOSTS))
        db = folder / "mirror.db"
        build_db(db, [(host, 1000 + k) for k in range(per_host) for host in HOSTS], origin)
        result = run_crawl(db, folder / "work", 0.0)
    finally:
        origin.close()
    print(json.dumps({"checked": result["checked"]}))


def run_export(folder: Path, out: Path, *args: str) -> tuple[float, float, str]:
    """(seconds, peak MB, what it said) of one export run in a child process."""
    config = folder / "config.toml"
    cmd = [sys.executable, "-m", "crawler", "export", "--config", str(config), "--wacz", str(out), *args]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    said = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"export failed: {said}")
    return elapsed, usage.ru_maxrss / 1024, said.strip().splitlines()[-1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--checks", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--make", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.make:
        make_mirror(args.make, args.checks)
        return 0
    folder = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        before = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))
        made = subprocess.run([sys.executable, __file__, "--make", str(folder), "--checks", str(args.checks)],
                              cwd=ROOT, check=True, capture_output=True, text=True)
        checked = json.loads(made.stdout.strip().splitlines()[-1])["checked"]
        (folder / "config.toml").write_text(
            f'[archive]\nroot = "{folder / "work" / "archive"}"\n'
            f'[store]\ndatabase = "{folder / "mirror.db"}"\nmirror = "{folder / "work" / "mirror"}"\n',
            encoding="utf-8")
        mirror = folder / "work" / "mirror"
        size = sum(p.stat().st_size for p in mirror.iterdir()) / 2**20
        print(f"mirror of {checked:,} checks: {size:,.0f} MiB in {len(list(mirror.iterdir()))} WARC files "
              f"(made by bench/crawl.py's origin and crawl)")
        for label, extra in (("whole mirror", ()), (f"--since {before}", ("--since", before))):
            runs = [run_export(folder, folder / "out.wacz", *extra) for _ in range(args.runs)]
            secs = statistics.median(r[0] for r in runs)
            mb = statistics.median(r[1] for r in runs)
            print(f"export, {label}: median of {args.runs} runs {secs:.2f} s, peak RSS {mb:.0f} MB, "
                  f"WACZ {(folder / 'out.wacz').stat().st_size / 2**20:,.0f} MiB")
            print(f"    it said: {runs[-1][2]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
