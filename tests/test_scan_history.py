"""`archive.history = true`: every repost a git archive ever held is indexed and named PATH@COMMIT12."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from crawler.config import ArchiveConfig, Config, StoreConfig
from crawler.scan import scan
from store.db import Store
from tests.conftest import run_cli
from tests.kit import PARAS, write_repost

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false"]


def git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def new_repo(tmp_path: Path) -> Path:
    """An empty git repository, the archive's root."""
    root = tmp_path / "archive"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    return root


def commit(root: Path, message: str) -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def test_history_scan_names_replaced_versions_and_rescans_incrementally(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    slot = "content/gnews/1/README.md"
    write_repost(root, slot, "https://gnews.org/zh-hans/100/", PARAS)
    write_repost(root, "content/gnews/7.md", "https://gnews.org/zh-hans/7/", PARAS)
    first = commit(root, "one")
    write_repost(root, slot, "https://gnews.org/zh-hans/200/", PARAS[:2])  # the slot gets another article
    (root / "content/gnews/7.md").unlink()
    write_repost(root, "content/gnews/8.md", "https://gnews.org/articles/8", PARAS)
    second = commit(root, "two")
    cfg = Config(archive=ArchiveConfig(root=root, history=True), store=StoreConfig(database=tmp_path / "m.db"))
    store = Store(cfg.store.database)
    result = scan(cfg, store)
    assert sorted(result.new) == sorted([
        f"{slot}@{first[:12]}", slot, f"content/gnews/7.md@{first[:12]}", "content/gnews/8.md"])
    report = {s.fields["source_url"]: s.fields["reposts"] for s in store.report_sources(everything=True)}
    assert report == {
        "https://gnews.org/zh-hans/100/": [f"{slot}@{first[:12]}"],
        "https://gnews.org/zh-hans/200/": [slot],
        "https://gnews.org/zh-hans/7/": [f"content/gnews/7.md@{first[:12]}"],
        "https://gnews.org/articles/8": ["content/gnews/8.md"],
    }
    assert scan(cfg, store).new == []  # nothing new: HEAD already scanned
    # A third commit: the slot changes again, so its current version gets a PATH@COMMIT name.
    write_repost(root, slot, "https://gnews.org/zh-hans/300/", PARAS[:1])
    third = commit(root, "three")
    again = scan(cfg, store)
    assert again.new == [slot]
    names = {row[0] for row in store.db.execute("SELECT path FROM reposts")}
    assert f"{slot}@{second[:12]}" in names and slot in names
    owner = store.db.execute("SELECT s.url FROM reposts r JOIN sources s ON s.id = r.source_id WHERE r.path = ?",
                             [f"{slot}@{second[:12]}"]).fetchone()[0]
    assert owner == "https://gnews.org/zh-hans/200/"
    assert store.get_meta("history_head") == third
    # The CLI accepts and prints PATH@COMMIT12 names.
    (tmp_path / "config.toml").write_text(
        '[archive]\nroot = "archive"\nhistory = true\n[store]\ndatabase = "m.db"\n', encoding="utf-8")
    proc = run_cli("check", f"{slot}@{first[:12]}", "--no-fetch", "--config", str(tmp_path / "config.toml"))
    assert proc.returncode == 3 and "zh-hans/100/" in proc.stdout
    listed = json.loads(run_cli("report", "--all", "--config", str(tmp_path / "config.toml")).stdout)
    assert f"{slot}@{first[:12]}" in [p for s in listed["sources"] for p in s["reposts"]]


def test_history_false_reads_only_the_working_tree(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    write_repost(root, "a.md", "https://gnews.org/zh-hans/1/", PARAS)
    commit(root, "one")
    write_repost(root, "a.md", "https://gnews.org/zh-hans/2/", PARAS)
    commit(root, "two")
    cfg = Config(archive=ArchiveConfig(root=root), store=StoreConfig(database=tmp_path / "m.db"))
    store = Store(cfg.store.database)
    assert scan(cfg, store).new == ["a.md"]
    cfg = dataclasses.replace(cfg, archive=dataclasses.replace(cfg.archive, history=True))
    assert len(scan(cfg, Store(tmp_path / "h.db")).new) == 2


def test_history_that_cannot_be_read_is_said(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    write_repost(root, "content/a.md", "https://gnews.org/zh-hans/1/", PARAS)
    commit(root, "one")
    bin_dir = tmp_path / "bin"  # a PATH without git
    bin_dir.mkdir()
    cases = [
        (root, {"PATH": str(bin_dir)}, "git cannot be run"),
        (root / "content", {}, f"not the top of its git repository ({root})"),
    ]
    for n, (folder, env, reason) in enumerate(cases):
        cfg = Config(archive=ArchiveConfig(root=folder, history=True), store=StoreConfig(database=tmp_path / f"{n}.db"))
        with pytest.MonkeyPatch.context() as mp:
            for key, value in env.items():
                mp.setenv(key, value)
            result = scan(cfg, Store(cfg.store.database))
        assert result.new == ["a.md" if n else "content/a.md"]
        [said] = result.problems
        assert said["path"] == "./" and reason in said["problem"] and "working tree" in said["problem"], said


def test_files_no_commit_holds_are_said_not_indexed_silently(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    write_repost(root, "a.md", "https://gnews.org/zh-hans/1/", PARAS)
    write_repost(root, "b.md", "https://gnews.org/zh-hans/2/", PARAS)
    commit(root, "one")
    write_repost(root, "a.md", "https://gnews.org/zh-hans/1/", PARAS[:1])  # edited since
    write_repost(root, "new/c.md", "https://gnews.org/zh-hans/3/", PARAS)  # never committed
    (root / "notes.txt").write_text("not included\n", encoding="utf-8")
    (root / "b.md").unlink()  # removed from the tree: its text is in the history
    cfg = Config(archive=ArchiveConfig(root=root, history=True), store=StoreConfig(database=tmp_path / "m.db"))
    store = Store(cfg.store.database)
    for _ in range(2):  # said by every scan until committed, HEAD unchanged or not
        result = scan(cfg, store)
        problems = {p["path"]: p["problem"] for p in result.problems}
        assert set(problems) == {"a.md", "new/c.md"}
        assert all(p.startswith("not committed") for p in problems.values())
    assert result.reposts == 2  # the committed a.md and b.md
    # `check` of such a file says why it cannot check it
    (tmp_path / "config.toml").write_text(
        '[archive]\nroot = "archive"\nhistory = true\n[store]\ndatabase = "m.db"\n', encoding="utf-8")
    proc = run_cli("check", "new/c.md", "--config", str(tmp_path / "config.toml"))
    assert proc.returncode == 2 and "new/c.md: not committed" in proc.stderr, proc.stderr
    commit(root, "two")
    result = scan(cfg, store)
    assert result.problems == [] and result.reposts == 4


def test_a_history_git_cannot_read_is_said_and_the_working_tree_indexed(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    for i in range(3):
        write_repost(root, f"a{i}.md", f"https://gnews.org/zh-hans/{i}/", PARAS)
        commit(root, f"c{i}")
    tree = git(root, "rev-parse", "HEAD~1^{tree}")
    loose = root / ".git" / "objects" / tree[:2] / tree[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"not a zlib stream")  # a damaged tree object
    (tmp_path / "config.toml").write_text(
        '[archive]\nroot = "archive"\nhistory = true\n[store]\ndatabase = "m.db"\n', encoding="utf-8")
    proc = run_cli("scan", "--json", "--config", str(tmp_path / "config.toml"))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["reposts"] == 3
    [said] = doc["problems"]
    assert said["path"] == "./" and "history cannot be read" in said["problem"] and "git fsck" in said["problem"]
    assert "Traceback" not in proc.stderr
