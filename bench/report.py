"""Benchmark of `repost-mirror report` at the real archive's scale.

A database of 125,000 synthetic sources shaped like the real archive's
(`tests/synthetic_report.py`: mostly GNews, thousands dead, whole small hosts dying in one
crawl, some changed and unfaithful with hunks) is built once in a temporary folder; then
`repost-mirror report --format F --output FILE` runs as a user runs it (a subprocess of
this Python), RUNS times per format (json, csv, md, html), and each run's wall time
(time.perf_counter around the subprocess) and peak resident memory (the child's
ru_maxrss from os.wait4; the database is built in a process of its own, since a child's
ru_maxrss starts from its parent's peak) are recorded.  The html page is then opened in Chromium
(/usr/bin/chromium through playwright, as the report test does) RUNS times, and the time
from navigation to the `load` event is measured.  Medians are printed, with the targets:
report < 30 s and < 500 MB, html < 10 MB and loaded in < 5 s.

Run: `python bench/report.py [SOURCES]` (default 125000).  Needs nothing outside the repository.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.synthetic_report import SOURCES  # noqa: E402

RUNS = 3
FORMATS = ("json", "csv", "md", "html")


def run_report(db: Path, fmt: str, out: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one `report` run in a child process."""
    cmd = [sys.executable, "-m", "crawler", "report", "--db", str(db), "--format", fmt, "--output", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"report --format {fmt} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def load_times(page: Path) -> list[float]:
    from playwright.sync_api import sync_playwright

    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"])
        for _ in range(RUNS):
            tab = browser.new_page(viewport={"width": 1200, "height": 900})
            start = time.perf_counter()
            tab.goto(page.as_uri(), wait_until="load", timeout=120_000)
            out.append(time.perf_counter() - start)
            tab.close()
        browser.close()
    return out


def main() -> int:
    sources = int(sys.argv[1]) if len(sys.argv) > 1 else SOURCES
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "mirror.db"
        start = time.perf_counter()
        # Built in a process of its own: a child's ru_maxrss starts from its parent's peak at the
        # fork, so a database built here would count as each report's memory.
        made = subprocess.run([sys.executable, "-c", "import json, sys; from pathlib import Path; "
                               "from tests.synthetic_report import build; "
                               "print(json.dumps(build(Path(sys.argv[1]), int(sys.argv[2]))))", str(db), str(sources)],
                              cwd=ROOT, check=True, capture_output=True, text=True)
        counts = json.loads(made.stdout.strip().splitlines()[-1])
        print(f"synthetic database: {sources} sources ({counts['dead']} dead, {counts['changed']} changed, "
              f"{counts['unfaithful']} unfaithful, {counts['hosts_dying']} hosts dying whole), "
              f"built in {time.perf_counter() - start:.1f} s, {db.stat().st_size / 1e6:.0f} MB")
        ok = True
        for fmt in FORMATS:
            out = Path(tmp) / f"report.{fmt}"
            runs = [run_report(db, fmt, out) for _ in range(RUNS)]
            secs = statistics.median(r[0] for r in runs)
            mb = statistics.median(r[1] for r in runs)
            size = out.stat().st_size / 1e6
            ok &= secs < 30 and mb < 500
            print(f"report --format {fmt}: median of {RUNS} runs {secs:.2f} s, peak RSS {mb:.0f} MB, "
                  f"output {size:.2f} MB")
        page = Path(tmp) / "report.html"
        loads = load_times(page)
        size = page.stat().st_size / 1e6
        ok &= size < 10 and statistics.median(loads) < 5
        print(f"html in Chromium: load event after median {statistics.median(loads):.2f} s "
              f"(runs {', '.join(f'{t:.2f}' for t in loads)}), page {size:.2f} MB")
        print(f"targets (report < 30 s and < 500 MB, html < 10 MB, loaded < 5 s): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
