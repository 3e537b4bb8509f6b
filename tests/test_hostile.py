"""No hostile input stops the nightly job (issue 13): fault injection against real local
servers and a real archive. Each test asserts the exit code, that the other sources were
recorded, the database's integrity, that the WARC files read back with warcio, that no
traceback reached stderr, and (where requests are made) the origin's log for politeness."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import dataclasses
import itertools
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import httpx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from crawler.config import MAX_DELAY, load_config
from crawler.crawl import crawl_async
from crawler.fetch import redirect_target, refused_address
from crawler.fetch.robots import parse_robots
from crawler.scan import scan
from store.db import Store
from store.warc import read_payload
from tests.conftest import ROOT, run_cli
from tests.kit import (
    NUMBERED_PATH,
    PARAS,
    SERVER_LAG,
    article_page,
    numbered_repost,
    numbered_site,
    numbered_url,
    serve_numbered,
    write_repost,
)
from tests.origin import LogEntry, Origin, Reply
from tests.test_crawl import _write_config, make_config

DELAY = 0.2  # twice SERVER_LAG at least (tests/kit.py)


def assert_healthy(tmp: Path, proc: subprocess.CompletedProcess[str] | None = None) -> None:
    """The database is sound, every WARC record reads back, and no traceback was printed."""
    if proc is not None:
        assert "Traceback" not in proc.stderr, proc.stderr
        assert "never retrieved" not in proc.stderr, proc.stderr
    with sqlite3.connect(tmp / "m.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    for warc in sorted((tmp / "mirror").glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                record.content_stream().read()


def assert_polite(log: list[LogEntry], delay: float) -> None:
    """At least `delay` between the starts of two requests to one host, one at a time."""
    starts: dict[tuple[str, int], list[float]] = defaultdict(list)
    for entry in log:
        starts[entry.server].append(entry.start)
    for times in starts.values():
        times.sort()
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert not gaps or min(gaps) >= delay - SERVER_LAG, min(gaps)


def checks_by_url(tmp: Path) -> dict[str, list[tuple[str, str, int | None]]]:
    """source URL -> [(link_status, detail, http_status)] of its checks, oldest first."""
    out: dict[str, list[tuple[str, str, int | None]]] = defaultdict(list)
    with sqlite3.connect(tmp / "m.db") as conn:
        for url, status, detail, http in conn.execute(
                "SELECT s.url, c.link_status, c.detail, c.http_status FROM checks c "
                "JOIN sources s ON s.id = c.source_id ORDER BY c.id"):
            out[url].append((status, detail, http))
    return out


# --- case 1: a redirect to anything ------------------------------------------------------

HOSTILE_LOCATIONS = [
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "http://[::1", "http://a b/",
    "http://127.0.0.2:99999/", "mailto:x@example.com", "\x00", "http://\u200b/",
]


def test_a_redirect_to_anything_is_that_sources_server_error(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        serve_numbered(a, archive, 12)
        bad = []
        for i, location in enumerate(HOSTILE_LOCATIONS):
            # The wire carries the string's UTF-8 bytes, whatever they are.
            a.route(f"/bad/{i}", Reply(302, headers={"Location": location.encode().decode("latin-1")}))
            write_repost(archive, f"bad{i}.md", a.url(f"/bad/{i}"), PARAS)
            bad.append(a.url(f"/bad/{i}"))
        config = _write_config(tmp_path, delay=DELAY, concurrency=4)
        proc = run_cli("crawl", "--json", "--config", str(config))
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["checked"] == 12 + len(bad)
        checks = checks_by_url(tmp_path)
        assert len(checks) == 12 + len(bad)
        for url in bad:
            [(status, detail, _http)] = checks[url]
            assert status == "server_error", (url, detail)
            assert "redirect" in detail or "header" in detail, detail
        assert checks[bad[0]][0][2] == 302 and "non-http(s)" in checks[bad[0]][0][1]
        assert sum(1 for c in checks.values() if c[0][0] == "alive") == 12
        assert_healthy(tmp_path, proc)
        assert_polite(a.log, DELAY)

        # `check` on the bad source records its check and says why; it cannot fetch it (3), not a crash (5).
        one = run_cli("check", bad[0], "--config", str(config))
        assert one.returncode == 3, one.stderr
        assert "server_error" in one.stdout and "javascript:" in one.stdout
        assert_healthy(tmp_path, one)
        assert len(checks_by_url(tmp_path)[bad[0]]) == 2


def test_an_error_while_recording_one_source_is_its_check(tmp_path: Path, monkeypatch) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        serve_numbered(a, archive, 6)
        victim = a.url("/articles/3")
        original = Store.record_check

        def record_check(self, rec):
            if rec.url == victim and rec.body is not None:
                raise ValueError("a value the database cannot take")
            return original(self, rec)

        monkeypatch.setattr(Store, "record_check", record_check)
        cfg = make_config(tmp_path, delay=DELAY)
        store = Store(cfg.store.database)
        scan(cfg, store)
        summary = asyncio.run(crawl_async(cfg, store))
    assert summary.checked == 6 and summary.outcome == "completed"
    checks = checks_by_url(tmp_path)
    [(status, detail, http)] = checks[victim]
    # The server gave the page: its status stands, and the detail says what broke on our side.
    assert status == "alive" and http == 200
    assert "crawler error while recording the check: ValueError: a value the database cannot take" in detail
    assert all(c[0][0] == "alive" for c in checks.values())
    assert_healthy(tmp_path)


# --- case 2: any file name ---------------------------------------------------------------

def test_a_file_name_that_is_not_utf8_is_a_problem_never_a_stop(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        serve_numbered(a, archive, 4)
        bad = os.path.join(os.fsencode(archive), b"bad\xff.md")
        with open(bad, "wb") as fh:
            fh.write(b"x\n")
        folder = os.path.join(os.fsencode(archive), b"dir\xfe")
        os.mkdir(folder)
        write_repost(Path(os.fsdecode(folder)), "1.md", a.url("/articles/1"), PARAS)
        config = _write_config(tmp_path, delay=DELAY)
        scanned = run_cli("scan", "--json", "--config", str(config))
        assert scanned.returncode == 0, scanned.stderr
        problems = {p["path"]: p["problem"] for p in json.loads(scanned.stdout)["problems"]}
        assert "not UTF-8" in problems["bad\\xff.md"]
        assert "not UTF-8" in problems["dir\\xfe/1.md"]
        human = run_cli("scan", "--config", str(config))
        assert human.returncode == 0 and "bad\\xff.md" in human.stdout
        crawled = run_cli("crawl", "--json", "--config", str(config))
        assert crawled.returncode == 0, crawled.stderr
        assert json.loads(crawled.stdout)["by_status"] == {"alive": 4}
        assert_healthy(tmp_path, crawled)
        assert_polite(a.log, DELAY)
        checked = run_cli("check", os.fsdecode(bad), "--config", str(config))
        assert checked.returncode == 2 and "bad\\xff.md" in checked.stderr
        assert "Traceback" not in checked.stderr


async def nowhere(_name: str) -> list[str]:
    """A resolver for tests that must not look names up: every name is a closed loopback port's host."""
    return ["127.0.0.9"]


# --- hypothesis: any redirect target, any file name ------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(location=st.text(min_size=1, max_size=60),
       name=st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\x00" not in b))
def test_no_redirect_target_and_no_file_name_stops_a_crawl(tmp_path_factory, location: str, name: bytes) -> None:
    # Loopback is allowed for the origin, so a target naming another address is left out:
    # tests reach nothing but 127.0.0.0/8.
    target, _err, _detail = redirect_target(httpx.URL("http://127.0.0.2:1/r"), location)
    if target is not None:
        host = target.host.strip("[]")
        assume(refused_address(host) in ("loopback", "not an IP address"))
    tmp = tmp_path_factory.mktemp("fuzz")
    archive = tmp / "archive"
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/r", Reply(302, headers={"Location": location.encode().decode("latin-1")}))
        write_repost(archive, "r.md", a.url("/r"), PARAS)
        path = os.path.join(os.fsencode(archive), name + b".md")
        with open(path, "wb") as fh:
            fh.write(f"## 标题\n`3/20/2023 1:23 AM UTC 站` [轉載自GNews]({a.url('/r')})\n\n正文\n".encode())
        cfg = make_config(tmp, delay=0.0)
        store = Store(cfg.store.database)
        result = scan(cfg, store)
        assert result.reposts + len(result.problems) >= 1
        summary = asyncio.run(crawl_async(cfg, store, resolve=nowhere))
        assert summary.outcome == "completed" and summary.checked == 1
        store.close()
    assert_healthy(tmp)


# --- case 5: a folder the scan cannot read -------------------------------------------------

def run_unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI as a user that file permissions bind: root reads any folder, so as root it runs
    as `nobody` (setpriv keeps root's right to reach the interpreter, then drops it)."""
    if os.geteuid() != 0:
        return run_cli(*args, cwd=cwd)
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", COLUMNS="200")
    return subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                           sys.executable, "-m", "crawler", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=120, env=env, check=False)


@contextlib.contextmanager
def unprivileged_tmp() -> Iterator[Path]:
    """A folder that a run as another user may write (see `run_unprivileged`), removed after the
    test whatever modes it left below it."""
    tmp = Path(tempfile.mkdtemp(prefix="repost-mirror-test-"))
    tmp.chmod(0o777)
    try:
        yield tmp
    finally:
        for path in [tmp, *tmp.rglob("*")]:
            path.chmod(0o777)
        shutil.rmtree(tmp)


def test_an_unreadable_folder_is_a_problem_never_a_removal() -> None:
    with unprivileged_tmp() as tmp:
        archive = tmp / "archive"
        with Origin("127.0.0.2") as a:
            a.route("/robots.txt", Reply(404))
            a.default = numbered_site(8)
            for i in range(8):
                numbered_repost(archive / ("a" if i < 5 else "b"), i, numbered_url(a, i))
            for path in [archive, *archive.rglob("*")]:
                path.chmod(0o777 if path.is_dir() else 0o666)
            config = _write_config(tmp, delay=DELAY)
            first = run_unprivileged("crawl", "--json", "--config", str(config), cwd=tmp)
            assert first.returncode == 0, first.stderr
            assert json.loads(first.stdout)["by_status"] == {"alive": 8}

            (archive / "a").chmod(0)
            scanned = run_unprivileged("scan", "--json", "--config", str(config), cwd=tmp)
            assert scanned.returncode == 0, scanned.stderr
            doc = json.loads(scanned.stdout)
            assert doc["removed"] == 0 and doc["reposts"] == 8
            assert any(p["path"] == "a/" and "unreadable folder" in p["problem"] for p in doc["problems"])
            crawled = run_unprivileged("crawl", "--all", "--json", "--config", str(config), cwd=tmp)
            assert crawled.returncode == 0, crawled.stderr
            assert json.loads(crawled.stdout)["checked"] == 8

            (archive / "a").chmod(0o777)
            archive.chmod(0)
            blind = run_unprivileged("scan", "--json", "--config", str(config), cwd=tmp)
            assert blind.returncode == 0, blind.stderr
            doc = json.loads(blind.stdout)
            assert doc["removed"] == 0 and doc["reposts"] == 8
            assert any(p["path"] == "./" and "unreadable folder" in p["problem"] for p in doc["problems"])
            status = run_unprivileged("status", "--json", "--config", str(config), cwd=tmp)
            assert json.loads(status.stdout)["sources"] == 8

            archive.chmod(0o777)
            again = run_unprivileged("scan", "--json", "--config", str(config), cwd=tmp)
            doc = json.loads(again.stdout)
            assert (doc["new"], doc["removed"], doc["reposts"]) == (0, 0, 8)
            for proc in (scanned, crawled, blind, status, again):
                assert "Traceback" not in proc.stderr
            assert_healthy(tmp, crawled)
            assert_polite(a.log, DELAY)


def test_a_database_that_may_not_be_written_is_read_by_the_commands_that_only_read() -> None:
    with unprivileged_tmp() as tmp:
        archive = tmp / "archive"
        with Origin("127.0.0.2") as a:
            serve_numbered(a, archive, 3)
            config = _write_config(tmp, delay=DELAY)
            crawled = run_cli("crawl", "--json", "--config", str(config), cwd=tmp)
            assert crawled.returncode == 0, crawled.stderr
        before = {p.name: p.read_bytes() for p in tmp.glob("m.db*") if p.is_file()}
        expected = run_cli("report", "--all", "--format", "csv", "--config", str(config), cwd=tmp)
        # A copy handed to someone who may read it only: the file and its folder are read-only.
        (tmp / "m.db").chmod(0o444)
        tmp.chmod(0o555)
        status = run_unprivileged("status", "--json", "--config", str(config), cwd=tmp)
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["by_status"]["alive"] == json.loads(status.stdout)["sources"] == 3
        report = run_unprivileged("report", "--all", "--format", "csv", "--config", str(config), cwd=tmp)
        assert report.returncode == 0, report.stderr
        assert report.stdout == expected.stdout
        history = run_unprivileged("history", numbered_url(a, 1), "--json", "--config", str(config), cwd=tmp)
        assert history.returncode == 0, history.stderr
        assert len(json.loads(history.stdout)["versions"]) == 1
        judged = run_unprivileged("check", "1.md", "--no-fetch", "--json", "--config", str(config), cwd=tmp)
        assert judged.returncode == 0, judged.stderr
        assert [r["faithful"] for r in json.loads(judged.stdout)["reposts"]] == [True]
        # A command that writes says it cannot, in one line, and changes nothing.
        scanned = run_unprivileged("scan", "--config", str(config), cwd=tmp)
        assert scanned.returncode == 5 and "readonly" in scanned.stderr
        for proc in (status, report, history, judged, scanned):
            assert "Traceback" not in proc.stderr
        assert {p.name: p.read_bytes() for p in tmp.glob("m.db*") if p.is_file()} == before


# --- case 10: CSV injection ----------------------------------------------------------------

def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    names = ["=cmd|' /C calc'!A0.md", "+1+1.md", "-2+3.md", "@SUM(A1).md", "\tx.md", "\rcr.md", "plain.md"]
    with Origin("127.0.0.2") as a:
        serve_numbered(a, archive, 0)
        for i, name in enumerate(names):
            write_repost(archive, name, a.url(f"/articles/{100 + i}"), PARAS)
        config = _write_config(tmp_path, delay=DELAY)
        crawled = run_cli("crawl", "--config", str(config))
        assert crawled.returncode == 0, crawled.stderr
        out = tmp_path / "r.csv"  # a file, read without newline translation: a cell may hold a CR
        report = run_cli("report", "--all", "--format", "csv", "--output", str(out), "--config", str(config))
    assert report.returncode == 0, report.stderr
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cells = sorted(row["reposts"] for row in rows)
    assert cells == sorted("'" + n if n[0] in "=+-@\t\r" else n for n in names)
    assert all(row["link_status"] == "gone" for row in rows)
    assert_healthy(tmp_path, report)
    assert_polite(a.log, DELAY)


# --- case 12: terminal escape sequences ----------------------------------------------------

def test_extract_prints_no_escape_sequence_of_the_page(tmp_path: Path) -> None:
    hostile = ("\x1b]52;c;ZWNobyBwd25lZA==\x07", "\x1b]0;owned title\x1b\\", "\x1b[2J\x1b[H", "\x9b31m", "\x07\x08\x7f")
    paras = [f"第{i}段{trap}文字内容在这里，足够长的一段正文用来抽取。" * 3 for i, trap in enumerate(hostile)]
    page = tmp_path / "p.html"
    page.write_text(f"<html><head><title>标题{hostile[1]}</title></head><body><article><h1>标题{hostile[0]}</h1>"
                    + "".join(f"<p>{p}</p>" for p in paras) + "</article></body></html>", encoding="utf-8")
    out = run_cli("extract", str(page))
    assert out.returncode == 0, out.stderr
    assert "第0段" in out.stdout and "第4段文字内容" in out.stdout
    assert not set(out.stdout) & ({chr(c) for c in range(32)} - {"\n", "\t"} | {chr(c) for c in range(0x7f, 0xa0)})
    assert "52;c" not in out.stdout and "[2J" not in out.stdout
    as_json = run_cli("extract", str(page), "--json")
    # JSON escapes them: a script gets the page's text as it is.
    assert "\x1b" not in as_json.stdout and "\\u001b" in as_json.stdout


# --- case 7: a body that ends early ----------------------------------------------------------

def test_a_body_that_breaks_off_is_unreachable_and_marked_truncated(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        serve_numbered(a, archive, 6)
        a.route("/cut/slow", Reply(200, size=200_000, chunk=2000, interval=0.3))   # outlasts the timeout
        a.route("/cut/short", Reply(200, "<html><body><p>", announce=5_000_000_000))  # says 5 GB, sends 15 bytes
        cut = {a.url("/cut/slow"): "time", a.url("/cut/short"): "disconnect"}
        for i, url in enumerate(cut):
            write_repost(archive, f"cut{i}.md", url, PARAS)
        config = _write_config(tmp_path, delay=DELAY, timeout=1.5)
        crawled = run_cli("crawl", "--json", "--config", str(config))
        assert crawled.returncode == 0, crawled.stderr
        assert json.loads(crawled.stdout)["by_status"] == {"alive": 6, "unreachable": 2}
        report = run_cli("report", "--all", "--config", str(config))
    checks = checks_by_url(tmp_path)
    for url in cut:
        [(status, detail, http)] = checks[url]
        assert status == "unreachable" and http is None and "the body broke off after" in detail, detail
    shown = {s["source_url"]: s for s in json.loads(report.stdout)["sources"]}
    assert all(shown[url]["http_status"] is None for url in cut)
    marks = {}
    for warc in sorted((tmp_path / "mirror").glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "response" and uri in cut:
                    marks[uri] = (record.rec_headers.get_header("WARC-Truncated"), len(record.content_stream().read()))
    assert marks[a.url("/cut/short")] == ("disconnect", 15)
    assert marks[a.url("/cut/slow")][0] == "time" and 0 < marks[a.url("/cut/slow")][1] < 200_000
    with sqlite3.connect(tmp_path / "m.db") as conn:
        assert conn.execute("SELECT count(*) FROM versions").fetchone()[0] == 6
    assert_healthy(tmp_path, crawled)
    assert_polite(a.log, DELAY)


# --- case 8: config values that would break the crawl ----------------------------------------

BAD_SETTINGS = [
    ("timeout", "nan"), ("timeout", "inf"), ("timeout", "0"), ("timeout", "3601"),
    ("delay", "inf"), ("delay", "1e308"), ("delay", "nan"), ("delay", "-inf"), ("delay", "86401"),
    ("retries", "100000"), ("retries", "21"), ("revisit_alive", "inf"), ("revisit_dead", "nan"),
    ("user_agent", '"bot\\r\\nX-Evil: 1"'), ("user_agent", '"爬虫/1.0"'), ("user_agent", '"bot\\u0000"'),
]


def test_config_values_that_break_the_crawl_are_refused_by_name(tmp_path: Path) -> None:
    write_repost(tmp_path / "archive", "1.md", "http://127.0.0.2:9/articles/1", PARAS)
    for key, value in BAD_SETTINGS:
        config = tmp_path / "config.toml"
        config.write_text(f'[archive]\nroot = "archive"\n[store]\ndatabase = "m.db"\n[crawl]\n{key} = {value}\n',
                          encoding="utf-8")
        proc = run_cli("crawl", "--config", str(config))
        assert proc.returncode == 2, (key, value, proc.stderr)
        assert f"crawl.{key}" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
        assert not (tmp_path / "m.db").exists()
    config.write_text('[crawl]\ndelay = 86400\ntimeout = 3600\nretries = 20\nuser_agent = "bot/1 (+mailto:a@b.c)"\n',
                      encoding="utf-8")
    assert load_config(config).crawl.retries == 20


def test_a_robots_crawl_delay_that_asks_for_no_pace_or_forever_is_held_in_bounds() -> None:
    def pace(value: str) -> float | None:
        return parse_robots(f"User-agent: *\nCrawl-delay: {value}\n", "bot").crawl_delay

    assert pace("nan") is None and pace("-3") is None
    assert pace("1e308") == MAX_DELAY and pace("12") == 12.0


# --- case 9: SIGTERM, and a crawl that died ---------------------------------------------------

def test_a_crawl_that_died_is_interrupted_for_the_next_command_that_opens_the_database(tmp_path: Path) -> None:
    with Origin("127.0.0.2") as a:
        serve_numbered(a, tmp_path / "archive", 40)
        config = _write_config(tmp_path, delay=DELAY)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        deadline = time.time() + 30
        while len(a.requests()) < 5 and time.time() < deadline:
            time.sleep(0.02)
        # While it runs, nobody may call it interrupted.
        running = json.loads(run_cli("status", "--json", "--config", str(config)).stdout)
        assert running["last_crawl"]["outcome"] == "running"
        proc.kill()
        proc.wait(timeout=10)
        status = run_cli("status", "--json", "--config", str(config))
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["last_crawl"]["outcome"] == "interrupted"
    assert_healthy(tmp_path, status)
    assert_polite(a.log, DELAY)


def test_sigterm_stops_a_check_cleanly(tmp_path: Path) -> None:
    with Origin("127.0.0.2") as a:
        serve_numbered(a, tmp_path / "archive", 2)
        a.route("/articles/1", Reply(200, "<html></html>", delay=20))
        config = _write_config(tmp_path, delay=0.0)
        assert run_cli("scan", "--config", str(config)).returncode == 0
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.Popen([sys.executable, "-m", "crawler", "check", a.url("/articles/1"), "--config", str(config)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.time() + 30
        while not a.requests("/articles/1") and time.time() < deadline:
            time.sleep(0.02)
        proc.terminate()
        _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 143, err
    assert "interrupted" in err and "Traceback" not in err
    assert_healthy(tmp_path)


# --- case 11: a file too large to read ---------------------------------------------------------

def test_a_file_over_max_file_bytes_is_a_problem_and_is_not_read(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        serve_numbered(a, archive, 3)
        huge = numbered_repost(archive, 7, numbered_url(a, 7))
        with huge.open("a", encoding="utf-8") as fh:  # a real repost, then 6 MB more of body
            fh.write(("瑞士银行同意收购。" * 1000 + "\n") * 230)
        assert huge.stat().st_size > 5_000_000
        config = _write_config(tmp_path, delay=DELAY)
        crawled = run_cli("crawl", "--json", "--config", str(config))
        assert crawled.returncode == 0, crawled.stderr
        doc = json.loads(crawled.stdout)
        assert doc["by_status"] == {"alive": 3}
        problems = {p["path"]: p["problem"] for p in doc["scan"]["problems"]}
        assert "file too large" in problems["7.md"] and "archive.max_file_bytes" in problems["7.md"]
        assert not a.requests(NUMBERED_PATH + "7")

        # A smaller cap in the config applies to the files already indexed, once they change.
        config.write_text(config.read_text(encoding="utf-8").replace("[store]", "max_file_bytes = 600\n[store]"),
                          encoding="utf-8")
        os.utime(archive / "1.md", ns=(1, 1))
        scanned = run_cli("scan", "--json", "--config", str(config))
    problems = {p["path"]: p["problem"] for p in json.loads(scanned.stdout)["problems"]}
    assert "over 600 bytes" in problems["1.md"] and "0.md" not in problems
    assert_healthy(tmp_path, crawled)
    assert_polite(a.log, DELAY)


# --- case 6: the crawler's own shortage is never a source's status ------------------------------

def _many_hosts(archive: Path, n: int, delay: float = 0.0) -> list[Origin]:
    """n origins on 127.0.0.10 and up, one article each (robots.txt: none)."""
    origins = []
    for i in range(n):
        o = Origin(f"127.0.0.{10 + i}").start()
        o.route("/robots.txt", Reply(404))
        site = numbered_site(2)
        o.default = lambda req, site=site: dataclasses.replace(site(req), delay=delay)
        numbered_repost(archive, 1000 + i, numbered_url(o, 1))
        origins.append(o)
    return origins


def test_descriptors_follow_concurrency_not_the_number_of_hosts(tmp_path: Path) -> None:
    origins = _many_hosts(tmp_path / "archive", 150)
    try:
        config = _write_config(tmp_path, delay=0.0, concurrency=4)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        # 64 descriptors for the whole crawl: 150 hosts' clients kept open would need more.
        proc = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", "--json", "--config", str(config)],
            capture_output=True, text=True, env=env, timeout=300, check=False,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64)))
    finally:
        for o in origins:
            o.close()
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["by_status"] == {"alive": 150}
    assert_healthy(tmp_path, proc)


def test_running_out_of_descriptors_stops_the_crawl_and_blames_no_source(tmp_path: Path) -> None:
    origins = _many_hosts(tmp_path / "archive", 30, delay=0.2)
    try:
        config = _write_config(tmp_path, delay=0.0, concurrency=1)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.time() + 60
        while sum(len(o.requests(NUMBERED_PATH + "1")) for o in origins) < 3 and time.time() < deadline:
            time.sleep(0.01)
        # From now on this crawl can open no descriptor: its next connection fails with EMFILE.
        resource.prlimit(proc.pid, resource.RLIMIT_NOFILE, (3, resource.prlimit(proc.pid, resource.RLIMIT_NOFILE)[1]))
        _out, err = proc.communicate(timeout=60)
    finally:
        for o in origins:
            o.close()
    assert proc.returncode == 5, err
    assert "Traceback" not in err and "never retrieved" not in err
    assert "Too many open files" in err and len(err.strip().splitlines()) == 1, err
    with sqlite3.connect(tmp_path / "m.db") as conn:
        statuses = {row[0] for row in conn.execute("SELECT link_status FROM checks")}
        outcome = conn.execute("SELECT outcome FROM crawls").fetchone()[0]
    assert statuses <= {"alive"} and outcome == "failed"
    assert_healthy(tmp_path)


# --- case 3: a check beside a crawl ------------------------------------------------------------

def test_a_check_beside_a_crawl_waits_its_turn_and_records_no_second_version(tmp_path: Path) -> None:
    delay = 2.0
    with Origin("127.0.0.2") as a:
        serve_numbered(a, tmp_path / "archive", 2)
        last = NUMBERED_PATH + "1"
        a.route(last, Reply(200, article_page("第1篇", ["这是第1篇文章的开头，内容各不相同。", *PARAS]), delay=3.0))
        config = _write_config(tmp_path, delay=delay)
        assert run_cli("scan", "--config", str(config)).returncode == 0
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        crawl = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        deadline = time.time() + 60
        while not a.requests(last) and time.time() < deadline:
            time.sleep(0.01)
        # The crawl is fetching the page (slowly): `check` reads no version yet, then fetches it too.
        check = run_cli("check", a.url(last), "--json", "--config", str(config))
        _out, err = crawl.communicate(timeout=60)
        history = run_cli("history", a.url(last), "--json", "--config", str(config))
        status = run_cli("status", "--json", "--config", str(config))
    assert crawl.returncode == 0, err
    assert check.returncode == 0, check.stderr
    assert len(a.requests(last)) == 2
    # One version: the check found the text the crawl had just recorded.
    assert len(json.loads(history.stdout)["versions"]) == 1
    assert json.loads(status.stdout)["changed"] == 0
    # Both processes' requests to the host, robots.txt and probes included, keep the delay.
    assert_polite(a.log, delay)
    assert_healthy(tmp_path, check)


# --- case 4: a mirror file lost or cut short -------------------------------------------------

def test_a_lost_or_truncated_mirror_is_written_again_and_told_once(tmp_path: Path) -> None:
    with Origin("127.0.0.2") as a:
        serve_numbered(a, tmp_path / "archive", 12)
        config = _write_config(tmp_path, delay=0.0)
        first = run_cli("crawl", "--config", str(config))
        assert first.returncode == 0, first.stderr
        [warc] = sorted((tmp_path / "mirror").glob("*.warc.gz"))
        os.truncate(warc, warc.stat().st_size // 2)  # a bad copy: its second half is gone
        second = run_cli("crawl", "--all", "--json", "--config", str(config))
        assert second.returncode == 0, second.stderr
        assert list(json.loads(second.stdout)["mirror_damage"]) == [warc.name]
        assert "mirror:" in second.stderr and "cut short" in second.stderr
        with sqlite3.connect(tmp_path / "m.db") as conn:
            refs = conn.execute("SELECT warc_file, warc_offset FROM checks WHERE crawl_id = 2").fetchall()
        # Every capture of the crawl after the cut reads back, its revisits' originals too.
        assert len(refs) == 12 and all(read_payload(tmp_path / "mirror", f, o)[0] == 200 for f, o in refs)
        again = run_cli("crawl", "--all", "--json", "--config", str(config))
        assert again.returncode == 0 and json.loads(again.stdout)["mirror_damage"] == {}
        assert "mirror:" not in again.stderr
        for f in (tmp_path / "mirror").glob("*.warc.gz"):
            if f != warc:
                f.unlink()  # and the files of later crawls are lost altogether
        last = run_cli("crawl", "--all", "--json", "--config", str(config))
    assert sorted(json.loads(last.stdout)["mirror_damage"].values()).count("missing") == 2
    with sqlite3.connect(tmp_path / "m.db") as conn:
        crawls = [row[0] for row in conn.execute("SELECT id FROM crawls ORDER BY id")]
        for crawl_id in crawls[1:]:
            refs = conn.execute("SELECT warc_file, warc_offset, revisit FROM checks WHERE crawl_id = ?",
                                [crawl_id]).fetchall()
            assert len(refs) == 12
            if crawl_id == crawls[-1]:
                for file, offset, _revisit in refs:
                    assert read_payload(tmp_path / "mirror", file, offset)[0] == 200
        # Only pages whose original survived were stored as revisits after the cut.
        assert 0 < sum(r[0] for r in conn.execute("SELECT revisit FROM checks WHERE crawl_id = ?", [crawls[1]])) < 12
    assert_healthy(tmp_path, last)
