"""History scan (`archive.history = true`) on a synthetic git archive with the real one's shape and scale.

    python bench/history.py [--runs 3] [--scale 1.0] [--cache /tmp/repost-mirror-bench-history]

The archive (built once with `git fast-import`, repacked like a clone, and cached under
--cache; the figures of its shape are printed) follows ../shared/FACTS.md, "The real
archive's history" (26,257 commits, ~607,000 path versions, ~125,500 distinct repost texts):

- slot era (7,800 commits): the 66 slot files `content/gnews/<1..66>/README.md` are rewritten
  at every run with the front page: 7-12 new articles come in on top and every other article
  moves down as many slots, so one text passes through about 7 slots over consecutive
  commits (~515,000 slot versions of ~75,000 texts); dated transcripts
  `content/YYYY/MM/YYYYMMDD-<id>.md` come and go;
- flat era (18,200 commits): `content/gnews/<N>.md` (`/articles/N` with a header time),
  `content/gettr/<id>.md` (short posts) and transcripts, now under `content/transcript/` (the
  live ones are moved there when the era starts), each deleted 3-8 commits after it was added
  (a rolling window); ~5% of deleted files are added again unchanged, some twice, ~0.5% of
  live files are edited in place (a new text of the same source);
- every commit rewrites the index page `README.md` (a non-repost) and `data/state.json`;
- ~2% of transcripts link the placeholder `ThreadView/0`: problems, not reposts.
100 more commits of the flat era follow on a side ref, for the incremental scan.

Measured, each in a fresh process, medians of --runs; wall time, and CPU time (user + system,
which the machine's other work does not inflate):
  cold scan       `scan --json` through the CLI entry point in a child process: wall time, its
                  peak RSS (ru_maxrss of that process: git's own processes are apart), the
                  database size, reposts vs distinct repost texts
  incremental     `python -m crawler scan` (= the console script) after the 100 commits, on a copy of
                  the cold database
  status          `repost-mirror status --json`
  crawl           `repost-mirror crawl --limit 1000`: seconds from its start to the first
                  request reaching a local origin (127.0.0.1; every source URL of a copy of the
                  database is pointed there first, so nothing leaves the machine)
  report          `repost-mirror report --format json` after that crawl (its dead sources),
                  and `report --all --format json` (every source)
Targets (issue 14): cold <= 90 s and <= 300 MB, database <= 1 GB, reposts = distinct texts;
incremental <= 3 s; status <= 1 s; report --format json <= 20 s; crawl's first request <= 5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.server
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.prose import CHARS

GENERATOR = 2  # bump when the archive's shape changes: the cache is keyed by it
SLOTS = 66
SLOT_COMMITS = 7_800
FLAT_COMMITS = 18_200
MORE = 100
START = 1630454400  # 2021-09-01T00:00:00Z
STEP = 3_300  # seconds between commits: 26,000 commits over ~1,000 days
_STATIONS = ["喜马拉雅农场新西兰站", "波士顿五月花农场", "", "MOSVIDEO", "喜马拉雅德国纽伦堡正义农场"]
_NAV = "###  [:house:返回首頁](https://github.com/ourhimalayas/txt)\n---\n\n\n"
_FOOTER = (
    "免责声明：本文内容仅代表作者个人观点，平台不承担任何法律风险。\n\n"
    "- [ROL Foundation](https://rolfoundation.org/)\n- [ROL Society](https://rolsociety.org/)\n"
    "- [Terms of use](https://gnews.org/terms-of-use/)\n- [Privacy Policy](https://gnews.org/privacy-policy/)\n"
)


class Texts:
    """Distinct reposts in the real layouts, cheap to make: sentences drawn from a fixed pool."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pool = ["".join(rng.choices(CHARS, k=rng.randint(12, 40))) + rng.choice("，。；！？")
                     for _ in range(4000)]
        self.n = 1_000_000

    def _body(self, low: int, high: int) -> str:
        rng = self.rng
        target = rng.randint(low, high)
        paras: list[str] = []
        size = 0
        while size < target:
            para = "".join(rng.choices(self.pool, k=rng.randint(1, 5)))
            paras.append(para)
            size += len(para)
        eol = "\r\n" if rng.random() < 0.4 else "\n"  # the real files mix CRLF and LF
        return "\n\n".join(paras).replace("\n", eol)

    def _title(self) -> str:
        return "".join(self.rng.choices(CHARS, k=self.rng.randint(8, 24)))

    def _ts(self, when: int) -> str:
        t = time.gmtime(when)
        hour = t.tm_hour % 12 or 12
        return f"{t.tm_mon}/{t.tm_mday}/{t.tm_year} {hour}:{t.tm_min:02d} {'PM' if t.tm_hour >= 12 else 'AM'} UTC"

    def slot(self) -> tuple[int, str]:
        self.n += 1
        body = self._body(150, 1200)
        return self.n, (f"{_NAV}## {self._title()}\n` {self.rng.choice(_STATIONS)}` "
                        f"[轉載自GNews](https://gnews.org/zh-hans/{self.n}/)\n\n{body}\n\n"
                        f"发稿：{''.join(self.rng.choices(CHARS, k=3))}\n\n{_FOOTER}")

    def flat(self, when: int, n: int | None = None, title: str | None = None) -> tuple[int, str]:
        if n is None:
            self.n += 1
            n = self.n
        body = self._body(150, 1200)
        return n, (f"{_NAV}## {title or self._title()}\n`{self._ts(when)} {self.rng.choice(_STATIONS)}` "
                   f"[轉載自GNews](https://gnews.org/articles/{n})\n\n{body}\n\n{_FOOTER}")

    def gettr(self, when: int) -> tuple[int, str]:
        self.n += 1
        return self.n, (f"{_NAV}`@user{self.n % 997} {self._ts(when)}` "
                        f"[轉發自GETTR](https://gettr.com/post/p{self.n:x})\n\n{self._body(20, 150)}\n")

    def transcript(self) -> tuple[int, str, bool]:
        self.n += 1
        placeholder = self.rng.random() < 0.02
        source = "https://gnews.org/ThreadView/0" if placeholder else f"https://gnews.org/ThreadView/{self.n}"
        return self.n, f"## {self._title()}\n\n{self._body(200, 2000)}\n\n[原文連接]({source})\n", placeholder


class Archive:
    """Writes the fast-import stream: blobs by mark, one commit per run of the bot."""

    def __init__(self, out, rng: random.Random) -> None:
        self.out, self.rng = out, rng
        self.texts = Texts(rng)
        self.mark = 0
        self.reposts = 0  # distinct repost texts
        self.problems = 0  # distinct placeholder texts
        self.versions = 0  # (path, text) pairs written, re-adds included
        self.commits = 0

    def blob(self, text: str) -> int:
        data = text.encode()
        self.mark += 1
        self.out.write(b"blob\nmark :%d\ndata %d\n" % (self.mark, len(data)) + data + b"\n")
        return self.mark

    def commit(self, ref: str, i: int, ops: list[bytes], index_titles: list[str]) -> None:
        page = "\ufeff" + _NAV + f"## 頁面 1/1\n\n更新 {i}\n\n" + "".join(f"- {t}\n" for t in index_titles)
        ops = [*ops, b"M 100644 :%d README.md\n" % self.blob(page),
               b"M 100644 inline data/state.json\ndata %d\n" % len(str(i)) + str(i).encode() + b"\n"]
        msg = b"update %d\n" % i
        self.out.write(b"commit %s\ncommitter Bench <b@example.org> %d +0800\ndata %d\n%s"
                       % (ref.encode(), START + i * STEP, len(msg), msg) + b"".join(ops) + b"\n")
        self.commits += 1


def build(repo: Path, scale: float) -> dict:
    """The cached archive: refs/heads/base (the cold scan's HEAD) and refs/heads/more (+100)."""
    rng = random.Random(20210901)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet", "--depth=50"],
                            stdin=subprocess.PIPE)
    assert proc.stdin is not None
    a = Archive(proc.stdin, rng)
    texts = a.texts
    front: list[tuple[int, str]] = []  # (mark, title) of the 66 slot articles, top first
    live: dict[str, tuple[int, int]] = {}  # path -> (mark, source number)
    due: dict[int, list[str]] = {}  # commit -> paths deleted then
    gone: deque[tuple[str, int, int, int]] = deque(maxlen=3000)  # (path, mark, n, times added)
    slot_commits, flat_commits = int(SLOT_COMMITS * scale), int(FLAT_COMMITS * scale)
    total = slot_commits + flat_commits + MORE
    t0 = time.perf_counter()
    at_base: dict[str, int] = {}

    def add(path: str, mark: int, n: int, i: int, ops: list[bytes], times: int = 1) -> None:
        live[path] = (mark, n)
        ops.append(b"M 100644 :%d %s\n" % (mark, path.encode()))
        a.versions += 1
        due.setdefault(i + rng.randint(3, 8), []).append(path)
        gone_times[path] = times

    gone_times: dict[str, int] = {}

    def dated(i: int, prefix: str, ops: list[bytes]) -> None:
        n, text, placeholder = texts.transcript()
        t = time.gmtime(START + i * STEP)
        path = f"{prefix}{t.tm_year}/{t.tm_mon:02d}/{t.tm_year}{t.tm_mon:02d}{t.tm_mday:02d}-{n}.md"
        if placeholder:
            a.problems += 1
        else:
            a.reposts += 1
        add(path, a.blob(text), n, i, ops)

    for i in range(total):
        ref = "refs/heads/more" if i >= slot_commits + flat_commits else "refs/heads/base"
        if i == slot_commits + flat_commits:
            a.out.write(b"reset refs/heads/more\nfrom refs/heads/base\n\n")
        when = START + i * STEP
        ops: list[bytes] = []
        if i < slot_commits:
            k = rng.randint(7, 12)
            new = []
            for _ in range(k):
                _n, text = texts.slot()
                new.append((a.blob(text), text.split("\n")[4][3:]))
                a.reposts += 1
            front = (new + front)[:SLOTS]
            for slot, (mark, _title) in enumerate(front, 1):
                ops.append(b"M 100644 :%d content/gnews/%d/README.md\n" % (mark, slot))
                a.versions += 1
            if rng.random() < 0.3:
                dated(i, "content/", ops)
        else:
            if i == slot_commits:  # transcripts move to content/transcript/ (same texts, new paths)
                for path in [p for p in live if not p.startswith("content/transcript/")]:
                    mark, n = live.pop(path)
                    ops.append(b"D %s\n" % path.encode())
                    add("content/transcript/" + path[len("content/"):], mark, n, i, ops)
                ops.extend(b"D content/gnews/%d/README.md\n" % slot for slot in range(1, SLOTS + 1))
            for _ in range(rng.choice((1, 2, 2, 3, 3, 3))):
                n, text = texts.flat(when)
                a.reposts += 1
                add(f"content/gnews/{n}.md", a.blob(text), n, i, ops)
            if rng.random() < 0.18:
                n, text = texts.gettr(when)
                a.reposts += 1
                add(f"content/gettr/p{n:x}.md", a.blob(text), n, i, ops)
            if rng.random() < 0.2:
                dated(i, "content/transcript/", ops)
            if gone and rng.random() < 0.13:  # added again, unchanged
                path, mark, n, times = gone[rng.randrange(len(gone))]
                if path not in live and times < 3:
                    add(path, mark, n, i, ops, times + 1)
            if live and rng.random() < 0.013:  # edited in place: a new text of the same source
                # Not one this commit adds or deletes: its first text would never be committed.
                busy = set(due.get(i, ())) | {op.split(b" ", 3)[3].strip().decode() for op in ops if op[:1] == b"M"}
                path = rng.choice(sorted(p for p in live if p.startswith("content/gnews/") and p not in busy)
                                  or [""])
                if path:
                    mark, n = live[path]
                    _n, text = texts.flat(when, n=n)
                    a.reposts += 1
                    live[path] = (a.blob(text), n)
                    ops.append(b"M 100644 :%d %s\n" % (live[path][0], path.encode()))
                    a.versions += 1
        for path in due.pop(i, []):
            if path in live:
                mark, n = live.pop(path)
                ops.append(b"D %s\n" % path.encode())
                gone.append((path, mark, n, gone_times.get(path, 1)))
        a.commit(ref, i, ops, [t for _m, t in front[:20]])
        if i == slot_commits + flat_commits - 1:
            at_base = {"reposts": a.reposts, "problems": a.problems, "versions": a.versions, "commits": a.commits}
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    t1 = time.perf_counter()
    subprocess.run(["git", "-C", str(repo), "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=10"],
                   check=True)
    t2 = time.perf_counter()
    info = {**at_base, "more_reposts": a.reposts - at_base["reposts"],
            "base": git_out(repo, "rev-parse", "refs/heads/base"), "more": git_out(repo, "rev-parse", "refs/heads/more"),
            "fast_import_s": round(t1 - t0, 1), "repack_s": round(t2 - t1, 1)}
    subprocess.run(["git", "-C", str(repo), "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    return info


def git_out(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def at(repo: Path, commit: str) -> None:
    subprocess.run(["git", "-C", str(repo), "update-ref", "refs/heads/main", commit], check=True)


def write_config(work: Path, repo: Path, db: Path, origin: str = "http://127.0.0.1:9") -> Path:
    cfg = work / "config.toml"
    cfg.write_text(
        f'[archive]\nroot = "{repo}"\nhistory = true\n[store]\ndatabase = "{db}"\nmirror = "{work / "mirror"}"\n'
        '[crawl]\nallow_private_addresses = true\ndelay = 0\nretries = 0\ntimeout = 5\n'
        f'[wayback]\nenabled = false\navailability_url = "{origin}/wayback"\n',
        encoding="utf-8")
    return cfg


def measure_cold(cfg: Path) -> None:
    """Child process: the CLI's `scan --json`, in this process, then its own peak RSS."""
    from crawler.cli import main as cli

    t0 = time.perf_counter()
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
        try:
            cli(["scan", "--json", "--config", str(cfg)])
        except SystemExit as exc:
            if exc.code:
                raise
    seconds = time.perf_counter() - t0
    me, git = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": round(seconds, 2), "rss_mb": round(me.ru_maxrss / 1024, 1),
                      "cpu_s": round(me.ru_utime + me.ru_stime, 1), "git_cpu_s": round(git.ru_utime + git.ru_stime, 1),
                      "git_rss_mb": round(git.ru_maxrss / 1024, 1)}))


CPU: list[float] = []  # CPU seconds (user + system) of each `cli` call's process and its children


def cli(*args: str, cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    # `python -m crawler` of this checkout: the same entry point as the console script, which
    # may be installed from another checkout.
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "crawler", *args], cwd=cwd, capture_output=True, text=True, env=env,
                          check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)}: exit {proc.returncode}: {proc.stderr[-2000:]}")
    return time.perf_counter() - t0, proc


def copy_db(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
    shutil.copyfile(src, dst)


def point_sources_at(db: Path, origin: str) -> None:
    """Every URL a crawl could fetch (canonical, aliases, linked forms) now names the origin."""
    conn = sqlite3.connect(db)

    def local(url: str) -> str:
        rest = url.split("://", 1)[1]
        return f"{origin}/{rest}"

    with conn:
        rows = conn.execute("SELECT id, url, aliases FROM sources").fetchall()
        conn.executemany("UPDATE sources SET url = ?, host = '127.0.0.1', aliases = ? WHERE id = ?",
                         [(local(u), json.dumps([local(x) for x in json.loads(al or "[]")]), i) for i, u, al in rows])
        urls = conn.execute("SELECT url FROM source_urls").fetchall()
        conn.executemany("UPDATE source_urls SET url = ? WHERE url = ?", [(local(u), u) for (u,) in urls])
    left = conn.execute("SELECT count(*) FROM source_urls WHERE url NOT LIKE ?", [origin + "/%"]).fetchone()[0]
    left += conn.execute("SELECT count(*) FROM sources WHERE url NOT LIKE ?", [origin + "/%"]).fetchone()[0]
    conn.close()
    if left:
        raise SystemExit(f"{left} source URLs still point away from {origin}: not crawling")


class Origin:
    """A local origin answering 404 to everything; it notes when the first request arrives."""

    def __init__(self) -> None:
        first: list[float] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                if not first:
                    first.append(time.time())
                body = b"<html><head><title>404 Not Found</title></head><body>Page not found</body></html>"
                self.send_response(404)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.first = first
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


def med(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--scale", type=float, default=1.0, help="fraction of the real number of commits")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/repost-mirror-bench-history"))
    ap.add_argument("--measure-cold", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.measure_cold:
        measure_cold(a.measure_cold)
        return

    key = hashlib.sha1(f"{GENERATOR} {a.scale}".encode()).hexdigest()[:10]
    base_dir = a.cache / key
    repo = base_dir / "archive"
    info_file = base_dir / "archive.json"
    if not info_file.exists():
        shutil.rmtree(base_dir, ignore_errors=True)
        base_dir.mkdir(parents=True)
        print(f"building the archive in {repo} (once; cached) ...", flush=True)
        info_file.write_text(json.dumps(build(repo, a.scale)))
    info = json.loads(info_file.read_text())
    pack = sum(p.stat().st_size for p in (repo / ".git/objects").rglob("*") if p.is_file())
    print(f"archive {repo}: {info['commits']:,} commits (+{MORE} for the incremental scan, with "
          f"{info['more_reposts']:,} new texts), "
          f"{info['versions']:,} repost path versions, {info['reposts']:,} distinct repost texts "
          f"+ {info['problems']:,} placeholder texts, {pack / 2**20:.0f} MB of objects "
          f"(built in {info['fast_import_s']} s + repack {info['repack_s']} s)")

    work = base_dir / "work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    cold_db = work / "cold.db"
    cold_cfg = write_config(work, repo, cold_db)

    # Cold scans.
    at(repo, info["base"])
    cold = []
    for _ in range(a.runs):
        for suffix in ("", "-wal", "-shm"):
            Path(str(cold_db) + suffix).unlink(missing_ok=True)
        out = subprocess.run([sys.executable, __file__, "--measure-cold", str(cold_cfg)], check=True,
                             capture_output=True, text=True).stdout
        cold.append(json.loads(out.strip().splitlines()[-1]))
        c = cold[-1]
        print(f"  cold scan: {c['seconds']} s (CPU {c['cpu_s']} s, git's {c['git_cpu_s']} s), peak RSS "
              f"{c['rss_mb']} MB (git's largest {c['git_rss_mb']} MB)", flush=True)
    size = sum(Path(str(cold_db) + s).stat().st_size for s in ("", "-wal") if Path(str(cold_db) + s).exists())
    conn = sqlite3.connect(cold_db)
    reposts = conn.execute("SELECT count(*) FROM reposts WHERE kind = 'repost'").fetchone()[0]
    problems = conn.execute("SELECT count(*) FROM reposts WHERE kind = 'problem'").fetchone()[0]
    sources = conn.execute("SELECT count(*) FROM sources").fetchone()[0]
    appearances = conn.execute("SELECT count(*) FROM appearances").fetchone()[0]
    conn.close()

    # Incremental scans after 100 commits, each on a fresh copy of the cold database.
    at(repo, info["more"])
    inc: list[float] = []
    inc_cpu: list[float] = []
    inc_db = work / "inc.db"
    for _ in range(a.runs):
        copy_db(cold_db, inc_db)
        seconds, proc = cli("scan", "--json", "--config", str(write_config(work, repo, inc_db)), cwd=work)
        inc.append(seconds)
        inc_cpu.append(CPU[-1])
        doc = json.loads(proc.stdout)
        print(f"  incremental scan: {seconds:.2f} s ({doc['new']} new)", flush=True)

    # status, crawl (first request), report, on a copy whose sources point at a local origin.
    origin = Origin()
    crawl_db = work / "crawl.db"
    copy_db(inc_db, crawl_db)
    point_sources_at(crawl_db, origin.url)
    cfg = write_config(work, repo, crawl_db, origin.url)
    status = [cli("status", "--json", "--config", str(cfg), cwd=work)[0] for _ in range(a.runs)]
    status_cpu = CPU[-a.runs:]
    t0 = time.time()
    crawl_s, crawl_proc = cli("crawl", "--limit", "1000", "--max-duration", "20s", "--json", "--config", str(cfg),
                              cwd=work)
    first_request = origin.first[0] - t0 if origin.first else float("nan")
    origin.close()
    checked = json.loads(crawl_proc.stdout)["checked"]
    report = [cli("report", "--format", "json", "--output", str(work / "report.json"), "--config", str(cfg),
                  cwd=work)[0] for _ in range(a.runs)]
    report_cpu = CPU[-a.runs:]
    listed = len(json.loads((work / "report.json").read_text())["sources"])
    report_all = [cli("report", "--all", "--format", "json", "--output", str(work / "all.json"),
                      "--config", str(cfg), cwd=work)[0] for _ in range(a.runs)]
    listed_all = len(json.loads((work / "all.json").read_text())["sources"])

    print()
    print(f"cold scan:        median {med([c['seconds'] for c in cold]):.1f} s over {len(cold)} runs "
          f"(target <= 90 s; CPU median {med([c['cpu_s'] for c in cold]):.1f} s + git's "
          f"{med([c['git_cpu_s'] for c in cold]):.1f} s); peak RSS median {med([c['rss_mb'] for c in cold]):.0f} MB (<= 300 MB, "
          "git's processes apart)")
    print(f"database:         {size / 2**20:.0f} MB (<= 1024 MB); {reposts:,} reposts for {info['reposts']:,} "
          f"distinct repost texts ({'equal' if reposts == info['reposts'] else 'DIFFERENT'}), "
          f"{problems:,} problems for {info['problems']:,} placeholder texts, {sources:,} sources, "
          f"{appearances:,} appearances")
    print(f"incremental scan: median {med(inc):.2f} s over {len(inc)} runs after {MORE} commits (<= 3 s), "
          f"wall time of the command (CPU {med(inc_cpu):.2f} s, git's included)")
    print(f"status --json:    median {med(status):.2f} s (<= 1 s) (CPU {med(status_cpu):.2f} s)")
    print(f"crawl --limit 1000: first request {first_request:.2f} s after start (<= 5 s); "
          f"{checked} checked in {crawl_s:.1f} s")
    print(f"report --format json: median {med(report):.2f} s ({listed:,} sources) (<= 20 s; CPU "
          f"{med(report_cpu):.2f} s); "
          f"report --all: median {med(report_all):.2f} s ({listed_all:,} sources)")


if __name__ == "__main__":
    main()
