"""`scan` over an archive holding every kind of file SPEC section 4 names: what is a repost
(UTF-8, GBK, Big5), what is a problem to fix (a repost that lost its link, an empty, binary or
undecodable file), and what is plainly something else (neither)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from tests.conftest import run_cli
from tests.kit import PARAS, write_repost

NAV = "###  [:house:返回](README.md)\n---\n\n"
HANT = ["瑞士銀行同意以30億瑞士法郎的股票收購競爭對手瑞士信貸。", "瑞士中央銀行說，已經找到了一個解決方案。"]


def _zh(title: str, url: str, paragraphs: list[str], link: bool = True) -> str:
    source = f" [轉載自GNews]({url})" if link else ""
    return f"{NAV}## {title}\n`3/20/2023 1:23 AM UTC 秘密翻譯組`{source}\n\n" + "\n\n".join(paragraphs) + "\n"


def test_scan_lists_every_problem_and_indexes_other_encodings(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    write_repost(archive, "utf8.md", "https://gnews.org/articles/1", PARAS)
    (archive / "gbk.md").write_bytes(_zh("瑞银收购瑞信", "https://gnews.org/articles/2", PARAS).encode("gbk"))
    (archive / "big5.md").write_bytes(_zh("瑞銀收購瑞信", "https://gnews.org/articles/3", HANT).encode("big5"))
    (archive / "lost-link.md").write_text(_zh("瑞银收购瑞信", "", PARAS, link=False), encoding="utf-8")
    (archive / "placeholder.md").write_text(_zh("标题", "https://gnews.org/ThreadView/0", PARAS), encoding="utf-8")
    (archive / "empty.md").write_bytes(b"")
    (archive / "picture.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06")
    broken = _zh("瑞银收购瑞信", "https://gnews.org/articles/4", PARAS).encode("utf-8")
    cut = broken.index("瑞士".encode()) + 1
    (archive / "broken-utf8.md").write_bytes(broken[:cut] + broken[cut + 1:])
    (archive / "index.md").write_text(
        "\ufeff###  [:newspaper:GNews](https://github.com/x/txt) | [:pray:關於](https://x/about)\n---\n\n"
        "推薦文章:point_down:\n\n[宣言](https://github.com/x/README.md)\n", encoding="utf-8")
    (archive / "README.md").write_text("# 转载存档\n\n这个仓库保存新闻文章的转载副本。\n", encoding="utf-8")
    (tmp_path / "config.toml").write_text('[archive]\nroot = "archive"\n', encoding="utf-8")

    proc = run_cli("scan", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    problems = {p["path"]: p["problem"] for p in doc["problems"]}
    assert problems == {
        "lost-link.md": "no source: a repost's header line with its time but no source link",
        "placeholder.md": "no source: placeholder link https://gnews.org/ThreadView/0",
        "empty.md": "empty file",
        "picture.md": "binary file, not text",
        "broken-utf8.md": f"cannot decode: not UTF-8 (invalid byte at {cut - 1}), nor GBK or Big5",
    }
    assert doc["reposts"] == 3 and doc["not_reposts"] == 2 and doc["new"] == 10

    # The GBK and Big5 reposts are indexed with their text, decoded.
    with sqlite3.connect(tmp_path / "mirror.db") as db:
        rows = dict(db.execute("SELECT path, title FROM reposts WHERE kind = 'repost'").fetchall())
        sources = {r[0] for r in db.execute("SELECT url FROM sources")}
    assert rows == {"utf8.md": "瑞银收购瑞信", "gbk.md": "瑞银收购瑞信", "big5.md": "瑞銀收購瑞信"}
    assert sources == {f"https://gnews.org/articles/{i}" for i in (1, 2, 3)}

    # The human summary: the counts of each kind add up to the files the scan saw.
    again = run_cli("scan", cwd=tmp_path)
    first_line = again.stdout.splitlines()[0]
    assert first_line == ("archive: 3 reposts, 5 problems, 2 other files "
                          "(0 new, 0 changed, 0 removed since the last scan)"), first_line
    for path, problem in problems.items():
        assert f"  problem: {path}: {problem}" in again.stdout


def test_the_walk_reads_a_folder_one_entry_at_a_time(tmp_path: Path) -> None:
    # The real archive's flat folder holds tens of thousands of files: listing it whole before
    # the first file is read was the largest allocation of a scan (bench/scan.py measures it).
    from crawler.scan import walk

    for i in range(3):
        write_repost(tmp_path, f"{i}.md", f"https://gnews.org/articles/{i}", PARAS)
    open_before = len(os.listdir("/proc/self/fd"))
    files = walk(tmp_path, lambda rel: rel.endswith(".md"))
    first = next(files)
    assert len(os.listdir("/proc/self/fd")) == open_before + 1  # the folder's listing, still being read
    rest = list(files)
    assert sorted([first[0], *(rel for rel, _ in rest)]) == ["0.md", "1.md", "2.md"]
    assert len(os.listdir("/proc/self/fd")) == open_before  # and closed at its end
