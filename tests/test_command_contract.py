"""SPEC section 4's promises about what commands leave behind and how long a crawl may run:
read-only commands never create a database, usage and config errors create nothing,
`--max-duration` bounds the whole crawl (no request of any kind starts after it), and a
crawl stopped by Ctrl-C or SIGTERM is `interrupted` everywhere."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.config import ArchiveConfig, Config, CrawlConfig, StoreConfig, WaybackConfig
from crawler.crawl import crawl_async
from crawler.scan import scan
from store.db import Store
from tests.conftest import ROOT, run_cli
from tests.kit import PARAS, numbered_site, numbered_url, serve_numbered, write_repost
from tests.origin import Origin, Reply

NO_DB = "run `repost-mirror scan` or `crawl` first"


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


# --- nothing is created by a command that only reads, or by a mistake --------------------


@pytest.mark.parametrize("args", [["status"], ["status", "--json"], ["report"], ["report", "--format", "html"],
                                  ["history", "https://gnews.org/articles/1"], ["check", "--no-fetch", "x.md"],
                                  ["check", "https://gnews.org/articles/1"], ["check", "not-there.md"]])
def test_a_command_that_reads_never_creates_a_database(tmp_path: Path, args: list[str]) -> None:
    proc = run_cli(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"no database at mirror.db: {NO_DB}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert _files(tmp_path) == []
    # The same with --db naming a file that is not there.
    proc = run_cli(*args, "--db", str(tmp_path / "sub" / "other.db"), cwd=tmp_path)
    assert proc.returncode == 2 and f"no database at {tmp_path / 'sub' / 'other.db'}" in proc.stderr
    assert _files(tmp_path) == []


def test_read_only_commands_work_once_there_is_a_database(tmp_path: Path) -> None:
    write_repost(tmp_path / "archive", "1.md", "https://gnews.org/articles/1", PARAS)
    (tmp_path / "config.toml").write_text('[archive]\nroot = "archive"\n', encoding="utf-8")
    assert run_cli("scan", cwd=tmp_path).returncode == 0
    status = run_cli("status", "--json", cwd=tmp_path)
    assert status.returncode == 0 and json.loads(status.stdout)["sources"] == 1


CONFIG_ERRORS = {
    "missing file": (None, "cannot read the config file missing.toml (--config): No such file or directory"),
    "not TOML": ("x =", "the config file c.toml (--config) is not valid TOML"),
    "unknown key": ("[crawl]\nspeed = 3\n", "config key 'crawl.speed'"),
    "bad value": ("[crawl]\nconcurrency = 0\n", "config key 'crawl.concurrency'"),
    "no archive": ('[archive]\nroot = "nowhere"\n', "config key 'archive.root': nowhere is not a folder"),
}


@pytest.mark.parametrize(("command", "case"), [
    (command, case) for case in sorted(CONFIG_ERRORS) for command in ("scan", "crawl", "status", "report", "demo")
    # only the commands that read the archive look at archive.root
    if case != "no archive" or command in ("scan", "crawl")
])
def test_a_config_error_creates_nothing(tmp_path: Path, command: str, case: str) -> None:
    text, message = CONFIG_ERRORS[case]
    name = "missing.toml" if text is None else "c.toml"
    if text is not None:
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = _files(tmp_path)
    proc = run_cli(command, "--config", name, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr
    assert "config key '--config'" not in proc.stderr
    assert _files(tmp_path) == before  # no mirror.db, no .lock, no mirror/, no demo-output/


def test_a_usage_error_creates_nothing(tmp_path: Path) -> None:
    for args in (["crawl", "--max-duration", "soon"], ["crawl", "--limit", "-1"], ["report", "--since", "someday"],
                 ["report", "--format", "pdf"], ["scan", "--no-such-flag"]):
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode == 2, (args, proc.stderr)
        assert _files(tmp_path) == [], args


# --- --max-duration bounds the whole crawl -------------------------------------------------


def _slow(handler):
    """The numbered site's answers, each sent after a pause."""
    return lambda req: dataclasses.replace(handler(req), delay=0.3)


def test_max_duration_bounds_every_request_at_full_concurrency(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    per_host, duration, timeout = 12, 2.0, 1.5
    hosts = [Origin(f"127.0.0.{i}") for i in range(2, 7)]
    silent = Origin("127.0.0.7", default=Reply(hang=True))  # never answers anything, robots.txt included
    for origin in [*hosts, silent]:
        origin.start()
    try:
        for h, origin in enumerate(hosts):
            origin.route("/robots.txt", Reply(404))
            origin.default = _slow(numbered_site(per_host))
            for i in range(per_host):
                write_repost(archive, f"h{h}/{i}.md", numbered_url(origin, i), [f"这是第{i}篇文章的开头，内容各不相同。", *PARAS])
        for i in range(4):
            write_repost(archive, f"silent/{i}.md", silent.url(f"/articles/{i}"), PARAS)
        cfg = Config(
            archive=ArchiveConfig(root=archive),
            store=StoreConfig(database=tmp_path / "m.db", mirror=tmp_path / "mirror"),
            # The defaults that matter: 32 in flight, a pause between requests to a host,
            # three retries with backoff; the Wayback lookup of a dead source is on (and would
            # go to a host that never answers).
            crawl=CrawlConfig(concurrency=32, delay=0.5, timeout=timeout, retries=3, allow_private_addresses=True),
            wayback=WaybackConfig(enabled=True, availability_url=silent.url("/wayback/available")),
        )
        store = Store(cfg.store.database)
        scan(cfg, store)
        t0 = time.monotonic()
        summary = asyncio.run(crawl_async(cfg, store, max_duration=duration))
        elapsed = time.monotonic() - t0
    finally:
        for origin in [*hosts, silent]:
            origin.close()

    starts = [e.start - t0 for origin in [*hosts, silent] for e in origin.log]
    # No request of any kind started after the deadline (the origin logs a request when its
    # head has been read: a few milliseconds after it started).
    assert starts and max(starts) <= duration + 0.1, sorted(starts)[-5:]
    # What was in flight ended within the timeout; nothing waited for a retry or a turn.
    assert elapsed <= duration + timeout + 1.0, elapsed
    assert summary.stopped_early is True
    assert 0 < summary.checked < len(hosts) * per_host + 4
    assert store.last_crawl().outcome == "stopped_early"
    # A source the deadline cut short was not judged: every recorded check is a real answer.
    statuses = {row[0] for row in store.db.execute("SELECT link_status FROM checks")}
    assert statuses <= {"alive", "unreachable"}, statuses
    assert not store.db.execute("SELECT count(*) FROM checks WHERE detail LIKE '%crawler error%'").fetchone()[0]
    # Nothing that was not checked counts as checked: it is still due next time.
    due = store.due_sources(time.time(), cfg.crawl.revisit_alive, cfg.crawl.revisit_dead)
    assert len(due) == len(hosts) * per_host + 4 - summary.checked
    store.close()


def test_max_duration_on_the_command_line(tmp_path: Path) -> None:
    with Origin("127.0.0.2") as a:
        serve_numbered(a, tmp_path / "archive", 20)
        (tmp_path / "config.toml").write_text(
            '[archive]\nroot = "archive"\n[crawl]\ndelay = 0.5\nallow_private_addresses = true\n'
            "[wayback]\nenabled = false\n", encoding="utf-8")
        t0 = time.monotonic()
        proc = run_cli("crawl", "--json", "--max-duration", "2s", cwd=tmp_path)
        elapsed = time.monotonic() - t0
        starts = [e.start - t0 for e in a.log]
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["stopped_early"] is True and 0 < doc["checked"] < 20
    # The 2 s count from the command's start (the scan is inside them), which comes before
    # its first request: the interpreter's own start-up (about a second) is not measured.
    assert max(starts) - min(starts) <= 2.1, starts
    assert elapsed < min(starts) + 2 + 5
    status = json.loads(run_cli("status", "--json", cwd=tmp_path).stdout)
    assert status["last_crawl"]["outcome"] == "stopped_early"


# --- a crawl stopped by a signal is interrupted, everywhere ------------------------------


def _checks_recorded(db: Path) -> int:
    """Checks a running crawl has committed to `db` (0 before it exists)."""
    if not db.exists():
        return 0
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return conn.execute("SELECT count(*) FROM checks").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0
    finally:
        conn.close()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_crawl_stopped_by_a_signal_is_interrupted_everywhere(tmp_path: Path, sig: signal.Signals) -> None:
    n = 40
    with Origin("127.0.0.2") as a:
        serve_numbered(a, tmp_path / "archive", n)
        (tmp_path / "config.toml").write_text(
            '[archive]\nroot = "archive"\n[crawl]\ndelay = 0.1\nallow_private_addresses = true\n'
            "[wayback]\nenabled = false\n", encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        # Ctrl-C reaches a crawl run in the foreground; run as a background job of a shell
        # without job control (as a CI script may run the tests), the crawl inherits SIGINT
        # ignored and, like any program, keeps it so (it ran on to exit 0, untouched).
        proc = subprocess.Popen([sys.executable, "-m", "crawler", "crawl"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.time() + 30
        while len(a.requests()) < 5 and time.time() < deadline:
            time.sleep(0.02)
        # ...and a check is recorded: on a loaded machine the pages asked for so far may all
        # still be in flight, and an interrupted crawl that recorded none leaves all n unchecked.
        while time.time() < deadline and _checks_recorded(tmp_path / "mirror.db") == 0:
            time.sleep(0.02)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 128 + sig, err  # 130 for Ctrl-C, 143 for SIGTERM, as a shell reports them
    assert "repost-mirror: interrupted" in err and "Traceback" not in err
    status = run_cli("status", cwd=tmp_path)
    assert "(interrupted)" in status.stdout and "failed" not in status.stdout, (status.stdout, err)
    doc = json.loads(run_cli("status", "--json", cwd=tmp_path).stdout)
    assert doc["last_crawl"]["outcome"] == "interrupted" and doc["last_crawl"]["finished_at"], doc
    # The next crawl carries on with what is still due.
    assert 0 < doc["unchecked"] < n, (doc, err)
    again = run_cli("crawl", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["checked"] == doc["unchecked"], (again.stdout, doc)
    # The versions the interrupted crawl recorded are searchable once a crawl has finished.
    conn = sqlite3.connect(tmp_path / "mirror.db")
    (top,) = conn.execute("SELECT max(id) FROM versions").fetchone()
    (upto,) = conn.execute("SELECT value FROM meta WHERE key = 'versions_fts_indexed_upto'").fetchone()
    conn.close()
    assert top and int(upto) == top


# --- extract: no input on a terminal, binary input ------------------------------------------


def test_extract_on_a_terminal_with_no_input_prints_its_usage(tmp_path: Path) -> None:
    import pty

    primary, terminal = pty.openpty()
    try:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.run([sys.executable, "-m", "crawler", "extract"], stdin=terminal, cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60, check=False)
    finally:
        os.close(primary)
        os.close(terminal)
    assert proc.returncode == 2
    assert "Usage:" in proc.stderr and "[FILE]" in proc.stderr
    assert "no page given: name an HTML file, or pipe one in" in proc.stderr
    assert proc.stdout == ""


def test_extract_says_binary_input_is_not_a_page(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    (tmp_path / "p.html").write_bytes(png)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for args, name in ((["p.html"], "p.html"), (["-"], "the input"), ([], "the input")):
        proc = subprocess.run([sys.executable, "-m", "crawler", "extract", *args, "--json"], input=png, cwd=tmp_path,
                              env=env, capture_output=True, timeout=60, check=False)
        assert proc.returncode == 2, proc.stderr
        assert f"{name} is not an HTML page: binary data ({len(png)} bytes)".encode() in proc.stderr
        assert proc.stdout == b""
    # A page in UTF-16 holds NUL bytes too, and is a page.
    page = "<html><head><meta charset='utf-16'><title>标题</title></head><body><p>" + "正文。" * 40 + "</p></body></html>"
    (tmp_path / "u16.html").write_bytes(page.encode("utf-16"))
    proc = run_cli("extract", "u16.html", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "正文。" in json.loads(proc.stdout)["text"]
