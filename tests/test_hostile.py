"""No hostile input stops the nightly job (issue 13): fault injection against real local
servers and a real archive. Each test asserts the exit code, that the other sources were
recorded, the database's integrity, that the WARC files read back with warcio, that no
traceback reached stderr, and (where requests are made) the origin's log for politeness."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import httpx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from crawler.crawl import crawl_async
from crawler.fetch import redirect_target, refused_address
from crawler.scan import scan
from store.db import Store
from tests.conftest import ROOT, run_cli
from tests.kit import PARAS, SERVER_LAG, numbered_repost, numbered_site, numbered_url, serve_numbered, write_repost
from tests.origin import LogEntry, Origin, Reply
from tests.test_crawl import _write_config, make_config

DELAY = 0.05


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
        gaps = [b - a for a, b in zip(times, times[1:])]
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
                          cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


def test_an_unreadable_folder_is_a_problem_never_a_removal() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="repost-mirror-test-"))
    try:
        tmp.chmod(0o777)
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
    finally:
        for path in [tmp, *tmp.rglob("*")]:
            path.chmod(0o777)
        shutil.rmtree(tmp)


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
