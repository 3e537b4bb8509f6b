"""`archive.history = true`: one repost per distinct text of a git archive, with its appearances.

The repositories are built here, shaped like the real archive's history: 66 slot files that
pass one article on from slot to slot, flat files added and deleted, re-added, edited.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.config import ArchiveConfig, Config, StoreConfig
from crawler.history import head_commit, is_git_repo
from crawler.scan import scan
from store.db import Store
from tests.conftest import run_cli

SLOT = "content/gnews/{}/README.md"


def art(n: int, title: str = "标题") -> bytes:
    """A repost in the real slot format: nav bar, title, header line with source link, body."""
    return (
        "###  [:house:返回首頁](https://github.com/ourhimalayas/txt)\n---\n\n\n"
        f"## {title}{n}\n` 喜马拉雅农场` [轉載自GNews](https://gnews.org/zh-hans/{n}/)\n\n"
        f"正文{n}：中共用尽了邪恶的手段。\r\n\n发稿：谐趣园\n"
    ).encode()


def git(repo: Path, *args: str, date: str = "2021-09-01T00:00:00+00:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date)
    out = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", *args],
        cwd=repo, env=env, check=True, capture_output=True,
    )
    return out.stdout.decode().strip()


def init(repo: Path) -> Path:
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


def commit(repo: Path, files: dict[str, bytes | None], date: str = "2021-09-01T00:00:00Z") -> str:
    """Write (bytes) or delete (None) files, commit them all at `date`, return the commit id."""
    for rel, data in files.items():
        p = repo / rel
        if data is None:
            p.unlink()
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "update", date=date)
    return git(repo, "rev-parse", "HEAD")


def config(repo: Path, db: Path) -> Config:
    return Config(archive=ArchiveConfig(root=repo, history=True), store=StoreConfig(database=db))


def state(store: Store) -> dict[str, tuple[str, str | None, tuple[tuple[str, str], ...]]]:
    """name -> (blob, date, appearances as (path, commit)): everything a scan decides."""
    rows = store.db.execute("SELECT id, path, file_hash, dated_at FROM reposts WHERE removed_at IS NULL").fetchall()
    apps = store.appearances_of(r[0] for r in rows)
    return {path: (blob, date, tuple((a.path, a.commit) for a in apps.get(i, [])))
            for i, path, blob, date in rows}


def test_a_text_through_three_slots_is_one_repost_with_three_appearances(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    a, b, c, d, e = (art(n) for n in (101, 102, 103, 104, 105))
    c1 = commit(repo, {SLOT.format(1): a, SLOT.format(2): b}, "2021-09-01T12:00:00+08:00")
    # The front page moves on: `a` goes to slot 2, then slot 3; new articles take slot 1.
    c2 = commit(repo, {SLOT.format(1): c, SLOT.format(2): a, SLOT.format(3): b}, "2021-09-02T12:00:00+08:00")
    c3 = commit(repo, {SLOT.format(1): d, SLOT.format(2): c, SLOT.format(3): a}, "2021-09-03T12:00:00+08:00")
    c4 = commit(repo, {SLOT.format(1): e, SLOT.format(2): d, SLOT.format(3): c}, "2021-09-04T12:00:00+08:00")
    cfg = config(repo, tmp_path / "m.db")
    store = Store(cfg.store.database)
    result = scan(cfg, store)
    assert sorted(result.new) == sorted([
        f"{SLOT.format(1)}@{c1[:12]}", f"{SLOT.format(2)}@{c1[:12]}",  # a, b: gone from HEAD
        SLOT.format(3), SLOT.format(2), SLOT.format(1),                # c, d, e: where HEAD holds them
    ])
    assert result.reposts == 5  # one per distinct text, not one per (path, text)
    got = state(store)
    assert got[f"{SLOT.format(1)}@{c1[:12]}"][2] == (
        (SLOT.format(1), c1), (SLOT.format(2), c2), (SLOT.format(3), c3))
    assert got[SLOT.format(3)][2] == ((SLOT.format(1), c2), (SLOT.format(2), c3), (SLOT.format(3), c4))
    # No header time in these reposts: their date is the commit that first brought them.
    assert got[SLOT.format(3)][1] == "2021-09-02T04:00:00Z"
    # Each article is one source with one repost.
    assert all(len(s.fields["reposts"]) == 1 for s in store.report_sources(everything=True))

    # `check` names the three places (also when asked by one of them), `history` too.
    (tmp_path / "config.toml").write_text(
        '[archive]\nroot = "archive"\nhistory = true\n[store]\ndatabase = "m.db"\n', encoding="utf-8")
    store.db.execute("INSERT INTO versions (source_id, number, title, text, normalized, first_seen_at, last_seen_at) "
                     "SELECT source_id, 1, 't', 'x', 'x', '2026-01-01', '2026-01-01' FROM reposts WHERE path = ?",
                     [f"{SLOT.format(1)}@{c1[:12]}"])
    store.db.execute("UPDATE sources SET latest_version_id = last_insert_rowid() WHERE id = "
                     "(SELECT source_id FROM reposts WHERE path = ?)", [f"{SLOT.format(1)}@{c1[:12]}"])
    store.close()
    proc = run_cli("check", f"{SLOT.format(3)}@{c3[:12]}", "--no-fetch", "--json",
                   "--config", str(tmp_path / "config.toml"))
    doc = json.loads(proc.stdout)
    [entry] = doc["reposts"]
    assert entry["path"] == f"{SLOT.format(1)}@{c1[:12]}"
    assert [(x["path"], x["commit"]) for x in entry["appearances"]] == [
        (SLOT.format(1), c1), (SLOT.format(2), c2), (SLOT.format(3), c3)]
    assert entry["appearances"][0]["committed_at"] == "2021-09-01T04:00:00Z"
    human = run_cli("check", f"{SLOT.format(1)}@{c1[:12]}", "--no-fetch", "--config", str(tmp_path / "config.toml"))
    assert "appeared at 3 places" in human.stdout and f"{SLOT.format(3)} @ {c3[:12]}" in human.stdout
    hist = json.loads(run_cli("history", "https://gnews.org/zh-hans/101/", "--json",
                              "--config", str(tmp_path / "config.toml")).stdout)
    assert [len(r["appearances"]) for r in hist["reposts"]] == [3]


def test_readd_is_the_same_repost_and_an_edit_is_another(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    x, x2, y = art(7), art(7, "改过的标题"), art(8)
    c1 = commit(repo, {"content/gnews/7.md": x, "content/gnews/8.md": y, "README.md": b"\xef\xbb\xbfindex"})
    commit(repo, {"content/gnews/7.md": None, "content/gnews/8.md": None})
    c3 = commit(repo, {"content/gnews/7.md": x})  # re-added, identical
    c4 = commit(repo, {"content/gnews/8.md": y})
    c5 = commit(repo, {"content/gnews/8.md": art(8, "改过的标题")})  # edited in place
    c6 = commit(repo, {"content/gnews/7.md": x2})
    cfg = config(repo, tmp_path / "m.db")
    store = Store(cfg.store.database)
    scan(cfg, store)
    got = state(store)
    reposts = {k: v for k, v in got.items() if k != "README.md"}
    assert set(reposts) == {
        f"content/gnews/7.md@{c1[:12]}", "content/gnews/7.md",
        f"content/gnews/8.md@{c1[:12]}", "content/gnews/8.md",
    }
    # The re-add is no new place: the first commit stays the appearance.
    assert got[f"content/gnews/7.md@{c1[:12]}"][2] == (("content/gnews/7.md", c1),)
    assert got["content/gnews/8.md"][2] == (("content/gnews/8.md", c5),)
    assert got["content/gnews/7.md"][2] == (("content/gnews/7.md", c6),)
    assert c3 != c4
    kinds = dict(store.db.execute("SELECT path, kind FROM reposts").fetchall())
    assert kinds["README.md"] == "not_repost"
    sources = {s.fields["source_url"]: s.fields["reposts"] for s in store.report_sources(everything=True)}
    assert sources["https://gnews.org/zh-hans/7/"] == sorted(["content/gnews/7.md", f"content/gnews/7.md@{c1[:12]}"])


def test_incremental_renames_a_text_back_at_head_and_keeps_checks(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    a, b, c = art(1), art(2), art(3)
    odd = "content/文章/a[1].md"  # globbing characters: must be taken literally
    c1 = commit(repo, {SLOT.format(1): a, odd: b})
    c2 = commit(repo, {SLOT.format(1): b, odd: a})
    cfg = config(repo, tmp_path / "m.db")
    store = Store(cfg.store.database)
    scan(cfg, store)
    assert set(state(store)) == {SLOT.format(1), odd}
    slot_id = store.source_of_repost(SLOT.format(1)).repost_id
    # The text back at slot 1 takes its plain name; the one slot 1 held goes back to its first
    # appearance's name (at the odd path, in c1); a new text takes the odd path.
    c3 = commit(repo, {SLOT.format(1): a, odd: c})
    again = scan(cfg, store)
    assert again.new == [odd]
    got = state(store)
    assert set(got) == {SLOT.format(1), f"{odd}@{c1[:12]}", odd}
    assert got[SLOT.format(1)][2] == ((SLOT.format(1), c1), (odd, c2))
    assert store.source_of_repost(f"{odd}@{c1[:12]}").repost_id == slot_id  # the same repost, renamed
    assert got[odd][2] == ((odd, c3),)
    assert store.get_meta("history_head") == c3
    cold = Store(tmp_path / "cold.db")
    scan(cfg, cold)
    assert state(cold) == got


def test_merge_that_undoes_the_scanned_branch_renames(tmp_path: Path) -> None:
    # The scanned HEAD is on a side branch; HEAD merges it with `-s ours`, keeping main's file.
    # No commit of since..HEAD changes the path against its first parent, yet names change.
    repo = init(tmp_path / "archive")
    a, s = art(1), art(2)
    c1 = commit(repo, {"content/p.md": a})
    git(repo, "checkout", "-q", "-b", "side")
    since = commit(repo, {"content/p.md": s}, "2022-01-02T00:00:00Z")
    cfg = config(repo, tmp_path / "m.db")
    store = Store(cfg.store.database)
    scan(cfg, store)
    assert set(state(store)) == {f"content/p.md@{c1[:12]}", "content/p.md"}
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-s", "ours", "-m", "m", "side", date="2022-01-03T00:00:00Z")
    assert scan(cfg, store).new == []
    assert set(state(store)) == {"content/p.md", f"content/p.md@{since[:12]}"}
    cold = Store(tmp_path / "cold.db")
    scan(cfg, cold)
    assert state(cold) == state(store)


def test_merged_branches_and_a_rewritten_history(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    a1, a2, a3, b1, b2 = (art(n) for n in (1, 2, 3, 4, 5))
    c1 = commit(repo, {"content/a.md": a1}, "2022-01-01T00:00:00Z")
    git(repo, "checkout", "-q", "-b", "side")
    s1 = commit(repo, {"content/b.md": b1}, "2022-01-02T00:00:00Z")
    s2 = commit(repo, {"content/b.md": b2, "content/c.md": a1}, "2022-01-03T00:00:00Z")
    git(repo, "checkout", "-q", "main")
    c2 = commit(repo, {"content/a.md": a2}, "2022-01-04T00:00:00Z")
    # A merge that also changes a file itself: its blob exists only in the merge commit.
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "side", date="2022-01-05T00:00:00Z")
    (repo / "content/a.md").write_bytes(a3)
    git(repo, "add", "content/a.md")
    git(repo, "commit", "-q", "-m", "merge", date="2022-01-05T00:00:00Z")
    m = git(repo, "rev-parse", "HEAD")
    cfg = config(repo, tmp_path / "m.db")
    store = Store(cfg.store.database)
    scan(cfg, store)
    got = state(store)
    assert {k: v[2] for k, v in got.items()} == {
        "content/c.md": (("content/a.md", c1), ("content/c.md", s2)),  # a1 is at HEAD as c.md
        f"content/a.md@{c2[:12]}": (("content/a.md", c2),),
        "content/a.md": (("content/a.md", m),),
        f"content/b.md@{s1[:12]}": (("content/b.md", s1),),
        "content/b.md": (("content/b.md", s2),),  # brought in by the merge, attributed to its own commit
    }
    # History rewritten (the scanned HEAD is gone): read again from the start, and the reposts
    # keep their ids (their checks) where their texts are still there.
    kept = store.source_of_repost("content/c.md").repost_id
    merged_a = store.source_of_repost("content/a.md").repost_id
    git(repo, "reset", "-q", "--hard", c2)
    assert head_commit(repo) == c2
    again = scan(cfg, store)
    # Texts the history no longer holds are marked removed; one whose name another text now
    # has keeps it with its id added.
    assert sorted(again.removed) == sorted([f"content/a.md~{merged_a}", "content/b.md", f"content/b.md@{s1[:12]}"])
    now = state(store)
    assert set(now) == {f"content/a.md@{c1[:12]}", "content/a.md"}
    assert store.source_of_repost(f"content/a.md@{c1[:12]}").repost_id == kept


def test_a_history_indexed_per_path_is_merged_into_one_repost_per_text(tmp_path: Path) -> None:
    # Before appearances were kept, every (path, text) pair was a repost: a store like that is
    # read again once, and the copies of one text become one repost with their fidelity results.
    repo = init(tmp_path / "archive")
    a, b = art(1), art(2)
    c1 = commit(repo, {SLOT.format(1): a})
    c2 = commit(repo, {SLOT.format(1): b, SLOT.format(2): a})
    commit(repo, {SLOT.format(2): art(3)})
    cfg = config(repo, tmp_path / "m.db")
    store = Store(cfg.store.database)
    scan(cfg, store)
    blob_a = state(store)[f"{SLOT.format(1)}@{c1[:12]}"][0]
    sid = store.source_of_repost(f"{SLOT.format(1)}@{c1[:12]}").source_id
    store.db.execute("INSERT INTO reposts (path, kind, source_id, file_hash, first_seen_at) "
                     "VALUES (?, 'repost', ?, ?, '2026-01-01')", [f"{SLOT.format(2)}@{c2[:12]}", sid, blob_a])
    dup = store.source_of_repost(f"{SLOT.format(2)}@{c2[:12]}").repost_id
    store.db.execute("INSERT INTO fidelity (repost_id, source_id, checked_at, similarity, faithful) "
                     "VALUES (?, ?, '2026-01-02', 0.5, 0)", [dup, sid])
    store.db.execute("DELETE FROM meta WHERE key = 'history_head'")
    result = scan(cfg, store)
    assert result.removed == [] and result.reposts == 3
    keeper = store.source_of_repost(f"{SLOT.format(1)}@{c1[:12]}").repost_id
    assert store.db.execute("SELECT repost_id FROM fidelity").fetchall() == [(keeper,)]
    assert store.unfaithful_reposts() == 1


def test_not_a_repo_empty_repo_and_subfolder(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert not is_git_repo(plain)
    assert head_commit(plain) is None
    repo = init(tmp_path / "archive")
    assert is_git_repo(repo)
    assert head_commit(repo) is None  # no commit yet
    assert scan(config(repo, tmp_path / "m.db"), Store(tmp_path / "m.db")).reposts == 0
    commit(repo, {"content/x.md": art(1)})
    assert is_git_repo(repo)
    # A folder inside a repository is not an archive with its own history.
    assert not is_git_repo(repo / "content")


# One step of a random history: (path index, text index or None for a delete).
_STEP = st.lists(st.tuples(st.integers(0, 4), st.one_of(st.none(), st.integers(0, 5))), min_size=1, max_size=4)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_STEP, min_size=1, max_size=6), scan_after=st.lists(st.booleans(), min_size=6, max_size=6))
def test_incremental_scans_equal_a_cold_scan(tmp_path_factory, steps: list, scan_after: list[bool]) -> None:
    """Whatever the history (slot moves, deletes, re-adds, texts that come back), scanning
    after some commits gives the same reposts, names, dates and appearances as one cold scan."""
    base = tmp_path_factory.mktemp("h")
    repo = init(base / "archive")
    paths = [SLOT.format(1), SLOT.format(2), "content/gnews/9.md", "content/gnews/10.md", "content/t/1.md"]
    texts = [art(n) for n in range(6)]
    cfg = config(repo, base / "inc.db")
    store = Store(cfg.store.database)
    live: set[str] = set()
    ever: set[bytes] = set()
    for k, step in enumerate(steps):
        files: dict[str, bytes | None] = {}
        for p, t in step:
            if t is None:
                if paths[p] in live and paths[p] not in files:
                    files[paths[p]] = None
                    live.discard(paths[p])
            else:
                files[paths[p]] = texts[t]
                live.add(paths[p])
        ever.update(data for data in files.values() if data is not None)
        commit(repo, files, f"2022-01-{k + 1:02d}T00:00:00Z")
        if scan_after[k]:
            scan(cfg, store)
    scan(cfg, store)
    cold = Store(base / "cold.db")
    scan(cfg, cold)
    assert state(store) == state(cold)
    # One repost per distinct text the history ever held.
    assert cold.status_counts().reposts == len(ever)


def test_a_file_name_that_is_not_utf8_is_a_problem_of_the_history_scan(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    with open(os.path.join(os.fsencode(repo), b"bad\xff.md"), "wb") as fh:
        fh.write(art(1))
    commit(repo, {"content/ok.md": art(2)})
    cfg = config(repo, tmp_path / "m.db")
    result = scan(cfg, Store(cfg.store.database))
    assert result.new == ["content/ok.md"]
    assert [p["path"] for p in result.problems] == ["bad\\xff.md"]
    assert "not UTF-8" in result.problems[0]["problem"]


def damage(repo: Path, blob: str) -> None:
    """Overwrite a blob's bytes where git keeps them: its loose object file, else its entry in
    the pack (past the entry's header, inside the compressed data)."""
    loose = repo / ".git" / "objects" / blob[:2] / blob[2:]
    if loose.exists():
        loose.chmod(0o644)
        loose.write_bytes(b"\x00not zlib at all\xff")
        return
    [idx] = (repo / ".git" / "objects" / "pack").glob("*.idx")
    listing = git(repo, "verify-pack", "-v", str(idx))
    [offset] = [int(line.split()[4]) for line in listing.splitlines() if line.startswith(blob)]
    pack = idx.with_suffix(".pack")
    pack.chmod(0o644)
    with open(pack, "r+b") as fh:
        fh.seek(offset + 20)
        fh.write(b"\xff" * 8)


def test_a_damaged_git_object_is_that_texts_problem_and_the_rest_is_indexed(tmp_path: Path) -> None:
    # Bytes unlike the other texts, so that a pack holds them whole (no delta) and git dies on
    # them mid-content; a damaged loose object is "missing" to git.
    odd = base64.b64encode(random.Random(2).randbytes(3000))
    for packed in (False, True):
        repo = init(tmp_path / f"archive{int(packed)}")
        c1 = commit(repo, {"content/1.md": art(1), "content/2.md": odd, "content/3.md": art(3)})
        commit(repo, {"content/1.md": art(1, "改过的标题"), "content/2.md": art(4)})
        if packed:
            git(repo, "gc", "-q")
        broken = git(repo, "rev-parse", f"{c1}:content/2.md")
        damage(repo, broken)
        cfg = config(repo, tmp_path / f"m{int(packed)}.db")
        store = Store(cfg.store.database)
        result = scan(cfg, store)
        name = f"content/2.md@{c1[:12]}"
        assert sorted(result.new) == sorted(
            ["content/1.md", f"content/1.md@{c1[:12]}", "content/2.md", name, "content/3.md"]), packed
        assert result.problems == [{"path": name, "problem": f"git object {broken} cannot be read: "
                                    "missing or damaged (see `git fsck`)"}], packed
        assert result.reposts == 4
        # The broken text keeps its place in the history: its appearance is recorded.
        assert state(store)[name][2] == (("content/2.md", c1),)


# A scan killed (kill -9) once it has written its first batch of texts.
_KILLED_SCAN = """
import os, signal, sys
from pathlib import Path
from crawler import history
from crawler.config import ArchiveConfig, Config, StoreConfig
from crawler.scan import scan
from store.db import Store
history.BATCH = 1
save = Store.save_reposts
def save_then_die(self, records, now):
    ids = save(self, records, now)
    os.kill(os.getpid(), signal.SIGKILL)
    return ids
Store.save_reposts = save_then_die
repo, db = Path(sys.argv[1]), Path(sys.argv[2])
scan(Config(archive=ArchiveConfig(root=repo, history=True), store=StoreConfig(database=db)), Store(db))
"""


def test_a_rewritten_history_read_again_is_all_or_nothing(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    commit(repo, {"content/1.md": art(1), "content/2.md": art(2)})
    cfg = config(repo, tmp_path / "m.db")
    store = Store(cfg.store.database)
    scan(cfg, store)
    before = state(store)
    # History rewritten, and a tree of the new history damaged: git log stops part-way.
    git(repo, "reset", "-q", "--soft", "HEAD~0")
    git(repo, "commit", "-q", "--amend", "-m", "rewritten", date="2021-09-02T00:00:00Z")
    commit(repo, {"content/3.md": art(3)})
    damage(repo, git(repo, "rev-parse", "HEAD^{tree}"))
    said = scan(cfg, store).problems
    assert [p["path"] for p in said] == ["./"] and "history cannot be read" in said[0]["problem"]
    # The history pass left nothing half done; the working tree's new file is indexed as such.
    kept = state(store)
    after = dict(kept)
    assert after.pop("content/3.md")[2] == () and after == before
    # Killed (kill -9) while reading the new history: the store is as it was too.
    before = kept
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    commit(repo, {"content/4.md": art(4)}, "2021-09-03T00:00:00Z")
    store.close()
    proc = subprocess.run([sys.executable, "-c", _KILLED_SCAN, str(repo), str(cfg.store.database)],
                          cwd=Path(__file__).parent.parent, capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    store = Store(cfg.store.database)
    assert state(store) == before
    assert store.db.execute("SELECT count(*) FROM reposts WHERE instr(path, char(0))").fetchone() == (0,)


def test_a_shallow_clone_is_said_and_its_older_history_read_once_fetched(tmp_path: Path) -> None:
    origin = init(tmp_path / "origin")
    commit(origin, {"content/1.md": art(1), "content/2.md": art(2)})
    commit(origin, {"content/1.md": art(1, "改过的标题"), "content/2.md": None})
    repo = tmp_path / "archive"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(repo))
    cfg = config(repo, tmp_path / "m.db")
    store = Store(cfg.store.database)
    shallow = scan(cfg, store)
    assert shallow.reposts == 1
    [note] = shallow.problems
    assert note["path"] == "./" and "shallow clone" in note["problem"] and "--unshallow" in note["problem"]
    git(repo, "fetch", "-q", "--unshallow")
    deepened = scan(cfg, store)
    assert deepened.reposts == 3 and deepened.problems == []
    cold = Store(tmp_path / "cold.db")
    scan(cfg, cold)
    assert state(store) == state(cold)


def test_history_turned_off_for_a_scan_and_on_again_loses_no_text(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    c1 = commit(repo, {"content/5.md": art(5), "content/6.md": art(6), "content/7.md": art(7)})
    on = config(repo, tmp_path / "m.db")
    off = dataclasses.replace(on, archive=dataclasses.replace(on.archive, history=False))
    store = Store(on.store.database)
    scan(on, store)
    kept = store.source_of_repost("content/5.md").repost_id
    # A working-tree scan, one file edited and one deleted, not committed (both undone later).
    (repo / "content/6.md").write_bytes(art(6, "没提交的标题"))
    (repo / "content/7.md").unlink()
    tree = scan(off, store)
    assert (tree.changed, tree.removed) == (["content/6.md"], ["content/7.md"])
    git(repo, "checkout", "--", ".")
    commit(repo, {"content/5.md": art(5, "改过的标题")})
    scan(on, store)
    got = state(store)
    assert set(got) == {f"content/5.md@{c1[:12]}", "content/5.md", "content/6.md", "content/7.md"}
    assert store.source_of_repost(f"content/5.md@{c1[:12]}").repost_id == kept
    cold = Store(tmp_path / "cold.db")
    scan(on, cold)
    assert got == state(cold)
