"""The commands as a user runs them: scan, status, report, check, history, extract; exit codes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.kit import PARAS, article_page, write_repost
from tests.origin import Origin, Reply


def _config(tmp: Path, **extra: str) -> Path:
    text = (
        '[archive]\nroot = "archive"\n[store]\ndatabase = "m.db"\nmirror = "mirror"\n'
        "[crawl]\ndelay = 0.05\nallow_private_addresses = true\nretries = 0\ntimeout = 5\n"
        "[wayback]\nenabled = false\n"
    )
    path = tmp / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _json(proc) -> dict:
    assert proc.stdout.strip(), proc.stderr
    return json.loads(proc.stdout)


def test_scan_reports_exactly_what_changed(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for i in range(4):
        write_repost(archive, f"content/{i}.md", f"https://gnews.org/articles/{i}", PARAS)
    (archive / "README.md").write_text("\ufeff## 頁面 1/2\n- [a](a.md)\n", encoding="utf-8")
    cfg = _config(tmp_path)
    first = _json(run_cli("scan", "--json", "--config", str(cfg)))
    assert (first["reposts"], first["new"], first["changed"], first["removed"]) == (4, 5, 0, 0)
    assert first["problems"] == []
    again = _json(run_cli("scan", "--json", "--config", str(cfg)))
    assert (again["new"], again["changed"], again["removed"]) == (0, 0, 0)
    # Edit one, add one, delete one, and touch one without changing it.
    write_repost(archive, "content/0.md", "https://gnews.org/articles/0", PARAS[:2])
    write_repost(archive, "content/9.md", "https://gnews.org/articles/9", PARAS)
    (archive / "content/1.md").unlink()
    os.utime(archive / "content/2.md", (1, 1))
    third = _json(run_cli("scan", "--json", "--config", str(cfg)))
    assert third["new_paths"] == ["content/9.md"]
    assert third["changed_paths"] == ["content/0.md"]
    assert third["removed_paths"] == ["content/1.md"]
    assert third["reposts"] == 4
    # A removed repost keeps its history: its row stays, marked removed.
    report = _json(run_cli("report", "--all", "--config", str(cfg)))
    assert "content/1.md" in [p for s in report["sources"] for p in s["reposts"]]


def test_scan_lists_problems_and_exits_0(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write_repost(archive, "ok.md", "https://gnews.org/articles/1", PARAS)
    write_repost(archive, "stub.md", "https://gnews.org/ThreadView/0", PARAS)
    (archive / "broken.md").write_bytes(b"## \xff\xfe title\n[\xe8\xbd\x89\xe8\xbc\x89\xe8\x87\xaaGNews]()\n")
    (archive / "dangling.md").symlink_to(archive / "nowhere.md")
    os.mkfifo(archive / "pipe.md")
    # A link to a repost inside the archive is that repost under a second name; one to a file
    # outside it (here a well-formed repost) is never read: it could name any file of the machine.
    (archive / "again.md").symlink_to("ok.md")
    write_repost(tmp_path / "elsewhere", "secret.md", "https://gnews.org/articles/2", PARAS)
    (archive / "outside.md").symlink_to(tmp_path / "elsewhere" / "secret.md")
    (archive / "up.md").symlink_to(Path("..") / "elsewhere" / "secret.md")
    proc = run_cli("scan", "--json", "--config", str(_config(tmp_path)), timeout=60)
    assert proc.returncode == 0, proc.stderr
    problems = {p["path"]: p["problem"] for p in _json(proc)["problems"]}
    assert set(problems) == {"stub.md", "broken.md", "dangling.md", "pipe.md", "outside.md", "up.md"}
    assert problems["outside.md"] == problems["up.md"] == "symbolic link to a file outside the archive: not read"
    assert _json(proc)["reposts"] == 2  # ok.md and again.md
    assert "placeholder" in problems["stub.md"]
    assert "unreadable" in problems["dangling.md"]
    assert "regular file" in problems["pipe.md"]
    human = run_cli("scan", "--config", str(_config(tmp_path)), timeout=60)
    assert human.returncode == 0 and "problem: stub.md" in human.stdout
    # the nightly crawl's summary says so too, and where to look
    crawled = run_cli("crawl", "--limit", "0", "--config", str(_config(tmp_path)), timeout=60)  # (no fetch)
    assert crawled.returncode == 0, crawled.stderr
    assert "archive: 6 problems, not checked (`repost-mirror scan` lists them)" in crawled.stdout


def test_scan_prints_the_first_problems_and_counts_the_rest(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    for i in range(60):
        (archive / f"empty-{i:02d}.md").write_bytes(b"")
    human = run_cli("scan", "--config", str(_config(tmp_path)))
    assert human.returncode == 0, human.stderr
    lines = human.stdout.splitlines()
    assert sum(line.startswith("  problem: ") for line in lines) == 50
    assert lines[-1] == "  ... and 10 more problems (`repost-mirror scan --json` lists every one)"
    assert len(_json(run_cli("scan", "--json", "--config", str(_config(tmp_path))))["problems"]) == 60


def test_scan_of_a_missing_root_names_the_key(tmp_path: Path) -> None:
    proc = run_cli("scan", "--config", str(_config(tmp_path)))
    assert proc.returncode == 2
    assert "archive.root" in proc.stderr and "Traceback" not in proc.stderr


def test_status_and_report_before_any_crawl(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write_repost(archive, "a.md", "https://gnews.org/zh-hans/5/", PARAS)
    write_repost(archive, "b.md", "https://gnews.org/zh-hant/5", PARAS)
    cfg = _config(tmp_path)
    run_cli("scan", "--config", str(cfg))
    status = _json(run_cli("status", "--json", "--config", str(cfg)))
    for key in ("sources", "reposts", "by_status", "dead", "versions", "unfaithful", "last_crawl"):
        assert key in status
    assert status["sources"] == 1 and status["reposts"] == 2 and status["last_crawl"] is None
    report = _json(run_cli("report", "--all", "--format", "json", "--config", str(cfg)))
    assert [s["source_url"] for s in report["sources"]] == ["https://gnews.org/zh-hans/5/"]
    assert report["sources"][0]["reposts"] == ["a.md", "b.md"]
    assert report["sources"][0]["link_status"] is None
    assert _json(run_cli("report", "--config", str(cfg)))["sources"] == []  # nothing dead, changed or unfaithful
    bad = run_cli("report", "--since", "last tuesday", "--config", str(cfg))
    assert bad.returncode == 2 and "--since" in bad.stderr


def test_what_a_user_may_type_wrong_is_read_as_meant_or_refused_by_name(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write_repost(archive, "a.md", "https://gnews.org/zh-hans/5/", PARAS)
    cfg = _config(tmp_path)
    run_cli("scan", "--config", str(cfg))
    # a scheme in capitals is still a URL, not a file of the archive
    upper = run_cli("history", "HTTPS://gnews.org/zh-hans/5/", "--json", "--config", str(cfg))
    assert upper.returncode == 0 and _json(upper)["source_url"] == "https://gnews.org/zh-hans/5/"
    # a source never checked says so, not "None"
    never = run_cli("check", "a.md", "--no-fetch", "--config", str(cfg))
    assert never.returncode == 3 and "not checked yet" in never.stdout and "None" not in never.stdout
    # an empty --since is no date, and a broken --url is a usage error naming the flag
    empty = run_cli("report", "--since", "", "--config", str(cfg))
    assert empty.returncode == 2 and "--since" in empty.stderr
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>x</p></body></html>", encoding="utf-8")
    url = run_cli("extract", str(page), "--url", "http://[::1", "--config", str(cfg))
    assert url.returncode == 2 and "--url" in url.stderr and "Traceback" not in url.stderr
    # a read-only command writes no schema into an empty file given as the database
    (tmp_path / "empty.db").write_bytes(b"")
    status = run_cli("status", "--db", str(tmp_path / "empty.db"), "--config", str(cfg))
    assert status.returncode == 2 and "no database" in status.stderr
    assert (tmp_path / "empty.db").stat().st_size == 0


@pytest.fixture
def site(tmp_path: Path):
    state = {"paras": list(PARAS)}
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/a/1", lambda req: Reply(200, article_page("瑞银收购瑞信", state["paras"])))
        o.route("/a/2", Reply(404))
        write_repost(tmp_path / "archive", "one.md", o.url("/a/1"), PARAS)
        write_repost(tmp_path / "archive", "dead.md", o.url("/a/2"), PARAS)
        yield o, state, _config(tmp_path)


def test_check_exit_codes_and_json(tmp_path: Path, site) -> None:
    origin, state, cfg = site
    ok = run_cli("check", "one.md", "--json", "--config", str(cfg))
    assert ok.returncode == 0, ok.stderr
    doc = _json(ok)
    assert doc["source"]["link_status"] == "alive" and doc["source"]["source_url"] == origin.url("/a/1")
    assert doc["reposts"] == [{"path": "one.md", "fidelity": 1.0, "faithful": True, "faithful_when_reposted": None,
                               "repost_date": "2023-03-20T01:23:00Z", "repost_date_from": "header",
                               "compared_with": None, "excerpt_only": False, "appearances": [], "hunks": []}]
    assert doc["check"]["found_by"] == "extractor" and "extractor" in doc["check"]["detail"]
    state["paras"] = PARAS[:1] + ["原文里插入了一整句新的话，转载没有跟上。"] + PARAS[1:]
    bad = run_cli("check", str(tmp_path / "archive" / "one.md"), "--json", "--config", str(cfg))
    assert bad.returncode == 1
    hunks = _json(bad)["reposts"][0]["hunks"]
    assert [h["op"] for h in hunks] == ["missing"]
    assert "原文里插入了一整句新的话" in hunks[0]["original"]
    # No earlier text of the original (the Wayback Machine is off): who changed it is unknown.
    assert hunks[0]["by"] == "unknown" and _json(bad)["reposts"][0]["faithful_when_reposted"] is None
    # --no-fetch uses the stored version: no request reaches the server.
    before = len(origin.log)
    offline = run_cli("check", origin.url("/a/1"), "--no-fetch", "--config", str(cfg))
    assert offline.returncode == 1 and len(origin.log) == before
    assert "NOT faithful" in offline.stdout and "原文里插入了一整句新的话" in offline.stdout
    dead = run_cli("check", "dead.md", "--config", str(cfg))
    assert dead.returncode == 3 and "gone" in dead.stdout
    unknown = run_cli("check", "https://example.org/never", "--config", str(cfg))
    assert unknown.returncode == 2 and "not a source" in unknown.stderr


def test_history_lists_versions_with_hunks(tmp_path: Path, site) -> None:
    origin, state, cfg = site
    run_cli("check", "one.md", "--config", str(cfg))
    state["paras"] = PARAS[:3]
    run_cli("check", "one.md", "--config", str(cfg))
    doc = _json(run_cli("history", origin.url("/a/1"), "--json", "--config", str(cfg)))
    assert doc["source_url"] == origin.url("/a/1")
    assert [v["number"] for v in doc["versions"]] == [1, 2]
    assert doc["versions"][0]["hunks"] == []
    assert [h["op"] for h in doc["versions"][1]["hunks"]] == ["missing"]
    assert "解决方案" in doc["versions"][1]["hunks"][0]["original"]
    for key in ("first_seen_at", "last_seen_at", "from_archive"):
        assert key in doc["versions"][1]
    assert doc["versions"][1]["warc"]["file"].endswith(".warc.gz")
    human = run_cli("history", "one.md", "--config", str(cfg))
    assert human.returncode == 0 and "version 2" in human.stdout


def test_extract_command(tmp_path: Path) -> None:
    page = tmp_path / "p.html"
    page.write_text(article_page("瑞银收购瑞信", PARAS), encoding="utf-8")
    doc = _json(run_cli("extract", str(page), "--json"))
    assert set(doc) >= {"title", "text", "paragraphs", "charset"}
    assert doc["paragraphs"] == PARAS
    assert "瑞银收购瑞信" in doc["title"]
    piped = run_cli("extract", "-", input=page.read_bytes())
    assert PARAS[0] in piped.stdout and "最新新闻" not in piped.stdout
    missing = run_cli("extract", str(tmp_path / "nope.html"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_python_m_and_console_script_agree(tmp_path: Path) -> None:
    proc = run_cli("--version")
    assert proc.returncode == 0 and "repost-mirror" in proc.stdout
    script = shutil.which("repost-mirror")
    assert script is not None, "the console script is not installed"


def test_check_says_which_reposts_it_could_not_judge(tmp_path: Path) -> None:
    """A repost with text that the check judged neither way (the page arrived cut at max_bytes,
    before the repost's text) is said, not left out of the output as if it had none."""
    archive = tmp_path / "archive"
    intro = "<div class='intro'>" + "".join(f"<p>侧栏第{i}条：与这篇文章无关的一段推荐阅读文字，放在文章之前。</p>" for i in range(400)) + "</div>"
    served = {"page": article_page("瑞银收购瑞信", PARAS)}
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/a/1", lambda req: Reply(200, served["page"]))
        write_repost(archive, "a.md", o.url("/a/1"), PARAS)
        cfg = _config(tmp_path)
        assert run_cli("crawl", "--config", str(cfg)).returncode == 0
        served["page"] = "<html><head><title>瑞银收购瑞信</title></head><body>" + intro + served["page"]
        cfg.write_text(cfg.read_text().replace("[crawl]\n", "[crawl]\nmax_bytes = 20000\n"), encoding="utf-8")
        as_json = _json(run_cli("check", "a.md", "--json", "--config", str(cfg)))
        said = run_cli("check", "a.md", "--config", str(cfg))
    assert as_json["reposts"] == [] and as_json["not_judged"] == ["a.md"], as_json
    assert "a.md: not judged: the page did not show its text" in said.stdout, said.stdout
    assert said.returncode == 0
