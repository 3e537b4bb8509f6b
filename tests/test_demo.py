"""`repost-mirror demo` end to end: replica, two crawls, report, all on loopback."""

from __future__ import annotations

import ipaddress
import json
import sqlite3
import time
from pathlib import Path

from tests.conftest import run_cli


def _loopback(address: str) -> bool:
    return ipaddress.ip_address(address) in ipaddress.ip_network("127.0.0.0/8")


def test_demo_runs_offline_and_reports_every_kind_of_trouble(tmp_path: Path) -> None:
    started = time.monotonic()
    # No --workdir: the default ./demo-output, relative to where the user runs it.
    result = run_cli("demo", cwd=tmp_path, timeout=120)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stdout + result.stderr
    assert elapsed < 60
    work = tmp_path / "demo-output"
    for line in ("database:", "mirror:", "report:"):
        assert line in result.stdout
    assert str(work / "report.html") in result.stdout
    assert str(work / "mirror.db") in result.stdout

    doc = json.loads((work / "report.json").read_text(encoding="utf-8"))
    by_path = {path: s for s in doc["sources"] for path in s["reposts"]}
    statuses = {s["link_status"] for s in doc["sources"]}
    assert {"alive", "redirected", "gone", "soft_404"} <= statuses
    assert by_path["content/gnews/1304962.md"]["link_status"] == "redirected"
    assert by_path["content/gnews/1304962.md"]["final_url"].endswith("-moved/")
    assert by_path["content/gnews/2463007.md"]["link_status"] == "soft_404"
    assert by_path["content/gnews/1104494.md"]["http_status"] == 410
    assert by_path["content/gnews/2362505.md"]["http_status"] == 404
    # The removed page the Wayback Machine kept: an archived copy, compared and found faithful.
    archived = by_path["content/gnews/4/README.md"]
    assert archived["link_status"] == "gone" and archived["archived_copy"].startswith("http://127.0.0.250:")
    assert (archived["versions"], archived["faithful"]) == (1, True)
    # Edited before the first crawl: unfaithful, one version.
    assert (by_path["content/gnews/2414324.md"]["faithful"], by_path["content/gnews/2414324.md"]["versions"]) == (
        False, 1)
    # Edited between the crawls: a changed source with two versions, now unfaithful.
    changed = by_path["content/gnews/2/README.md"]
    assert (changed["versions"], changed["faithful"]) == (2, False) and changed["changed_at"]
    # Untouched originals are alive, faithful and hold one version.
    untouched = by_path["content/gnews/2466905.md"]
    assert (untouched["link_status"], untouched["versions"], untouched["faithful"]) == ("alive", 1, True)
    # The zh-hant slot repost and its zh-hans canonical form are one source.
    assert by_path["content/gnews/1/README.md"]["source_url"].endswith("/zh-hans/1536253/")
    # Placeholders and pages without a source link are not sources.
    assert "content/transcript/2017/03/20170308-1094936.md" not in by_path
    assert "content/about.md" not in by_path

    page = (work / "report.html").read_text(encoding="utf-8")
    for word in ("redirected", "soft_404", "gone", "archived copy", "Changed sources", "Unfaithful reposts"):
        assert word in page
    assert "编者注" in page  # the sentence the replica added shows in the diff

    log = [json.loads(line) for line in (work / "replica-log.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(log) > 30
    assert all(_loopback(e["client"]) and _loopback(e["server"]) for e in log)
    assert {e["user_agent"] for e in log} == {"repost-mirror-demo (+local replica)"}
    assert any(e["path"] == "/robots.txt" for e in log)
    assert any(e["server"] == "127.0.0.250" and e["path"].startswith("/web/") and "id_/" in e["path"] for e in log)
    # The config points the crawl at loopback only, and the status command reads the demo's database.
    status = run_cli("status", "--config", str(work / "config.toml"), "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    counts = json.loads(status.stdout)
    assert counts["changed"] == 2 and counts["by_status"]["redirected"] == 1


def test_demo_can_run_again_in_the_same_folder(tmp_path: Path) -> None:
    work = tmp_path / "w"
    first = run_cli("demo", "--workdir", str(work), timeout=120)
    assert first.returncode == 0, first.stderr
    second = run_cli("demo", "--workdir", str(work), timeout=120)
    assert second.returncode == 0, second.stderr
    # A rerun starts afresh rather than piling two more crawls onto the old database.
    with sqlite3.connect(work / "mirror.db") as db:
        assert db.execute("SELECT count(*) FROM crawls").fetchone()[0] == 2
    status = json.loads(run_cli("status", "--config", str(work / "config.toml"), "--json").stdout)
    assert status["last_crawl"]["outcome"] == "completed" and status["changed"] == 2
