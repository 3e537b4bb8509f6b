"""crawler.history on small repositories built here, shaped like the real archive's history."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from crawler.history import FileVersion, head_commit, is_git_repo, iter_history, renamed_since

SLOT1 = "content/gnews/1/README.md"
SLOT2 = "content/gnews/2/README.md"


def art(n: int, title: str) -> bytes:
    """A repost in the real slot format: nav bar, title, header line with source link, body."""
    return (
        "###  [:house:返回首頁](https://github.com/ourhimalayas/txt)\n---\n\n\n"
        f"## {title}\n` 喜马拉雅农场` [轉載自GNews](https://gnews.org/zh-hans/{n}/)\n\n"
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


def commit(repo: Path, files: dict[str, bytes | None], date: str, msg: str = "update") -> str:
    """Write (bytes) or delete (None) files, commit them all at `date`, return the commit id."""
    for rel, data in files.items():
        p = repo / rel
        if data is None:
            p.unlink()
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", msg, date=date)
    return git(repo, "rev-parse", "HEAD")


def reposts(path: str) -> bool:
    return path.startswith("content/") and path.endswith(".md")


def table(versions: list[FileVersion]) -> list[tuple[str, str, bytes]]:
    return [(v.name, v.commit, v.data) for v in versions]


def blob_id(repo: Path, data: bytes) -> str:
    return subprocess.run(
        ["git", "hash-object", "--stdin"], cwd=repo, input=data, capture_output=True, check=True
    ).stdout.decode().strip()


def test_slots_deletes_reuse_rename_and_identical_readd(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    A, B, C, D = art(101, "甲"), art(102, "乙"), art(103, "丙"), art(104, "丁")
    X, Y, Z, W = art(200, "旧文"), art(9200, "新文"), art(300, "重加"), art(400, "删除")
    T = art(500, "视频文字")
    c1 = commit(repo, {
        SLOT1: A, SLOT2: B, "content/gnews/200.md": X, "content/gnews/300.md": Z,
        "content/gnews/400.md": W, "README.md": b"\xef\xbb\xbfindex", "content/notes.txt": b"x",
    }, "2021-09-01T12:00:00+08:00")
    c2 = commit(repo, {
        SLOT1: C, "content/gnews/200.md": None, "content/gnews/300.md": None,
        "content/gnews/400.md": None, "content/2021/09/20210901-1.md": T,
    }, "2021-09-02T12:00:00+08:00")
    # Slot 1 gets article A back (identical re-add), number 200 is reused for another
    # article, a transcript is moved (a rename: same blob, new path).
    c3 = commit(repo, {
        SLOT1: A, "content/gnews/200.md": Y,
        "content/2021/09/20210901-1.md": None, "content/transcript/2021/09/20210901-1.md": T,
    }, "2021-09-03T12:00:00+08:00")
    c4 = commit(repo, {SLOT1: D, "content/gnews/300.md": Z}, "2021-09-04T12:00:00+08:00")

    got = list(iter_history(repo, reposts))
    assert table(got) == [
        # git lists a commit's files in tree order (a folder sorts as "name/")
        (f"{SLOT1}@{c1[:12]}", c1, A),  # replaced, later re-added, replaced again: once
        (SLOT2, c1, B),  # never changed: plain name
        (f"content/gnews/200.md@{c1[:12]}", c1, X),  # number reused for another article
        ("content/gnews/300.md", c1, Z),  # deleted then re-added identical: first commit
        (f"content/gnews/400.md@{c1[:12]}", c1, W),  # deleted
        (f"content/2021/09/20210901-1.md@{c2[:12]}", c2, T),  # renamed away
        (f"{SLOT1}@{c2[:12]}", c2, C),
        ("content/gnews/200.md", c3, Y),
        ("content/transcript/2021/09/20210901-1.md", c3, T),  # the rename's new path
        (SLOT1, c4, D),
    ]
    first = got[0]
    assert first.path == SLOT1 and first.blob == blob_id(repo, A)
    assert first.committed_at == "2021-09-01T04:00:00Z"
    assert got[-1].committed_at == "2021-09-04T04:00:00Z"
    assert head_commit(repo) == c4


def test_merge_blobs_seen_once_and_evil_merge(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    A1, A2, A3, B1, B2 = (art(n, f"t{n}") for n in (1, 2, 3, 4, 5))
    c1 = commit(repo, {"content/a.md": A1}, "2022-01-01T00:00:00Z")
    git(repo, "checkout", "-q", "-b", "side")
    s1 = commit(repo, {"content/b.md": B1}, "2022-01-02T00:00:00Z")
    s2 = commit(repo, {"content/b.md": B2}, "2022-01-03T00:00:00Z")
    git(repo, "checkout", "-q", "main")
    c2 = commit(repo, {"content/a.md": A2}, "2022-01-04T00:00:00Z")
    # A merge that also changes a file itself: its blob exists only in the merge commit.
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "side", date="2022-01-05T00:00:00Z")
    (repo / "content/a.md").write_bytes(A3)
    git(repo, "add", "content/a.md")
    git(repo, "commit", "-q", "-m", "merge", date="2022-01-05T00:00:00Z")
    m = git(repo, "rev-parse", "HEAD")

    got = list(iter_history(repo, reposts))
    assert sorted(table(got)) == sorted([
        (f"content/a.md@{c1[:12]}", c1, A1),
        (f"content/a.md@{c2[:12]}", c2, A2),
        ("content/a.md", m, A3),
        (f"content/b.md@{s1[:12]}", s1, B1),
        ("content/b.md", s2, B2),  # brought in by the merge, attributed to its own commit
    ])
    assert len(got) == 5
    # Parents before children: each side commit's version before the merge's.
    order = [v.commit for v in got]
    assert order.index(s1) < order.index(s2) < order.index(m)
    assert order[0] == c1


def test_incremental_and_renamed_since(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    A, B, Y2, Z = art(1, "甲"), art(2, "乙"), art(62, "新"), art(70, "加")
    X, Y, Q1, Q2 = art(50, "删"), art(60, "改"), art(80, "方一"), art(81, "方二")
    odd = "content/文章/a[1].md"  # globbing characters: must be taken literally
    c1 = commit(repo, {SLOT1: A, "content/gnews/50.md": X, odd: Q1,
                       "content/文章/a1.md": Q1}, "2022-02-01T00:00:00Z")
    c2 = commit(repo, {SLOT1: B, "content/gnews/60.md": Y, odd: Q2}, "2022-02-02T00:00:00Z")
    since = c2
    before = list(iter_history(repo, reposts))
    assert [v.name for v in before] == [
        f"{SLOT1}@{c1[:12]}", "content/gnews/50.md", "content/文章/a1.md",
        f"{odd}@{c1[:12]}", SLOT1, "content/gnews/60.md", odd,
    ]

    # After `since`: slot 1 reverts to A (an older version, not new), 50 is deleted,
    # 60 is rewritten, 70 is added, the odd path reverts to Q1.
    c3 = commit(repo, {SLOT1: A, "content/gnews/50.md": None, odd: Q1}, "2022-02-03T00:00:00Z")
    c4 = commit(repo, {"content/gnews/60.md": Y2, "content/gnews/70.md": Z}, "2022-02-04T00:00:00Z")
    assert c3 != c4

    new = list(iter_history(repo, reposts, since=since))
    assert table(new) == [("content/gnews/60.md", c4, Y2), ("content/gnews/70.md", c4, Z)]

    renames = renamed_since(repo, since, reposts)
    assert list(renames.items()) == [
        # names that stop being plain come first, so applying in order never collides
        (SLOT1, f"{SLOT1}@{c2[:12]}"),
        ("content/gnews/50.md", f"content/gnews/50.md@{c1[:12]}"),
        ("content/gnews/60.md", f"content/gnews/60.md@{c2[:12]}"),
        (odd, f"{odd}@{c2[:12]}"),
        (f"{SLOT1}@{c1[:12]}", SLOT1),
        (f"{odd}@{c1[:12]}", odd),
    ]

    # The clean contract: old run + renames + new versions == a cold run now.
    stored = {v.name: (v.commit, v.blob, v.data) for v in before}
    for old, newname in renames.items():
        assert newname not in stored
        stored[newname] = stored.pop(old)
    for v in new:
        assert v.name not in stored
        stored[v.name] = (v.commit, v.blob, v.data)
    cold = {v.name: (v.commit, v.blob, v.data) for v in iter_history(repo, reposts)}
    assert stored == cold

    # Nothing after HEAD; a non-ancestor `since` is refused rather than guessed at.
    assert list(iter_history(repo, reposts, since=c4)) == []
    assert renamed_since(repo, c4, reposts) == {}
    git(repo, "checkout", "-q", "--orphan", "other")
    git(repo, "rm", "-q", "-r", "--cached", ".")
    lone = commit(repo, {"content/z.md": Z}, "2022-03-01T00:00:00Z")
    git(repo, "checkout", "-q", "-f", "main")
    with pytest.raises(ValueError):
        list(iter_history(repo, reposts, since=lone))
    with pytest.raises(ValueError):
        renamed_since(repo, "0123456789abcdef0123456789abcdef01234567", reposts)


def test_include_filter_gets_repo_relative_paths(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    c1 = commit(repo, {"content/gnews/1.md": art(1, "a"), "site/about.md": b"about"},
                "2022-01-01T00:00:00Z")
    seen: list[str] = []

    def only_gnews(path: str) -> bool:
        seen.append(path)
        return path.startswith("content/gnews/")

    got = list(iter_history(repo, only_gnews))
    assert table(got) == [("content/gnews/1.md", c1, art(1, "a"))]
    assert "site/about.md" in seen and all(not p.startswith("/") for p in seen)


def test_not_a_repo_empty_repo_and_subfolder(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    assert not is_git_repo(plain)
    assert head_commit(plain) is None
    repo = init(tmp_path / "archive")
    assert is_git_repo(repo)
    assert head_commit(repo) is None  # no commit yet
    assert list(iter_history(repo, reposts)) == []
    commit(repo, {"content/x.md": b"x"}, "2022-01-01T00:00:00Z")
    assert is_git_repo(repo)
    # A folder inside a repository is not an archive with its own history.
    assert not is_git_repo(repo / "content")


def test_stopping_early_leaves_no_git_running(tmp_path: Path) -> None:
    repo = init(tmp_path / "archive")
    for i in range(5):
        commit(repo, {f"content/{j}.md": art(i * 1000 + j, "x") for j in range(300)},
               f"2022-01-0{i + 1}T00:00:00Z")
    it = iter_history(repo, reposts)
    first = next(it)
    assert first.data == art(0, "x")
    it.close()  # must not hang on full pipes, and must reap both git processes
    got = list(iter_history(repo, reposts))
    assert len(got) == 1500 and len({v.blob for v in got}) == 1500
    # git lists a commit's files in byte order: "content/99.md" is the last one.
    assert got[-1].data == art(4099, "x") and got[-1].name == "content/99.md"


def test_merge_that_undoes_since_branch(tmp_path: Path) -> None:
    # `since` is on a side branch; HEAD merges it with `-s ours`, keeping main's file.  No
    # commit of since..HEAD changes the path against its first parent, yet its name changes.
    repo = init(tmp_path / "archive")
    a, s = art(1, "主"), art(2, "支")
    c1 = commit(repo, {"content/p.md": a}, "2022-01-01T00:00:00Z")
    git(repo, "checkout", "-q", "-b", "side")
    since = commit(repo, {"content/p.md": s}, "2022-01-02T00:00:00Z")
    before = {v.name: v.commit for v in iter_history(repo, reposts)}
    assert before == {f"content/p.md@{c1[:12]}": c1, "content/p.md": since}
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-s", "ours", "-m", "m", "side", date="2022-01-03T00:00:00Z")
    assert list(iter_history(repo, reposts, since=since)) == []
    assert renamed_since(repo, since, reposts) == {
        "content/p.md": f"content/p.md@{since[:12]}",
        f"content/p.md@{c1[:12]}": "content/p.md",
    }
    assert {v.name: v.commit for v in iter_history(repo, reposts)} == {
        "content/p.md": c1, f"content/p.md@{since[:12]}": since,
    }
