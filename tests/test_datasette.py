"""The store opens in datasette with the shipped metadata: views with the report's fields,
full-text search over version texts and repost titles, sources shown by their URL."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path

import pytest
from datasette.app import Datasette

from store.db import SCHEMA_VERSION, Store, iso
from store.records import CheckRecord, FidelityResult, RepostRecord, VersionText

ROOT = Path(__file__).resolve().parents[1]
METADATA = ROOT / "datasette-metadata.json"
ARTICLE = "据最新消息，相关方面已经确认：会议将在下周于北京举行。"


def _repost(path: str, url: str, title: str) -> RepostRecord:
    return RepostRecord(path=path, size=1, mtime_ns=1, file_hash=path, kind="repost", source_url=url,
                        linked_url=url, title=title, body=ARTICLE)


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    db = tmp_path / "mirror.db"
    store = Store(db)
    store.save_reposts([_repost("a.md", "https://a.test/1", "会议将在北京举行"),
                        _repost("b.md", "https://a.test/2", "消失的文章"),
                        _repost("c.md", "https://b.test/3", "被改写的转载")], "2026-01-01T00:00:00Z")
    ids = dict(store.db.execute("SELECT url, id FROM sources"))
    rid = dict(store.db.execute("SELECT path, id FROM reposts"))

    def check(url: str, status: str, http: int, body: str | None = None, fidelity=()) -> None:
        text = VersionText(title="标题：" + url[-1], text=body, normalized=body) if body else None
        store.record_check(CheckRecord(
            source_id=ids[url], crawl_id=None, checked_at=iso(1_767_225_600), url=url, final_url=None,
            http_status=http, link_status=status, dead=status == "gone", consecutive_failures=0,
            detail="404 Not Found" if status == "gone" else "", body=text, new_version=body is not None,
            fidelity=fidelity))

    check("https://a.test/1", "alive", 200, ARTICLE, (FidelityResult(rid["a.md"], 1.0, True, ()),))
    check("https://a.test/2", "gone", 404)
    hunk = {"op": "altered", "repost": "转载改写的句子。", "original": "原文本来的句子，完全不同。"}
    check("https://b.test/3", "alive", 200, "原文本来的句子，完全不同。",
          (FidelityResult(rid["c.md"], 0.4, False, (hunk,)),))
    store.index_new_versions()  # as a crawl or check does at its end
    store.close()
    return db


def _get(ds: Datasette, path: str) -> dict | list:
    async def fetch() -> dict | list:
        response = await ds.client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
        return response.json()

    return asyncio.run(fetch())


def test_datasette_serves_the_views_and_a_full_text_query(mirror: Path) -> None:
    ds = Datasette([str(mirror)], metadata=json.loads(METADATA.read_text(encoding="utf-8")))
    rows = _get(ds, "/mirror/report_sources.json?_shape=array&_sort=source_url")
    assert [(r["source_url"], r["title"], r["link_status"], r["reposts"]) for r in rows] == [
        ("https://a.test/1", "标题：1", "alive", 1),
        ("https://a.test/2", "消失的文章", "gone", 1),  # no version: the repost's title
        ("https://b.test/3", "标题：3", "alive", 1),
    ]
    dead = _get(ds, "/mirror/dead_sources.json?_shape=array")
    assert [(r["source_url"], r["detail"]) for r in dead] == [("https://a.test/2", "404 Not Found")]
    unfaithful = _get(ds, "/mirror/unfaithful_reposts.json?_shape=array")
    assert [(r["path"], r["source_url"], r["fidelity"]) for r in unfaithful] == [("c.md", "https://b.test/3", 0.4)]
    assert json.loads(unfaithful[0]["hunks"])[0]["repost"] == "转载改写的句子。"
    # Full-text search: a Chinese phrase in the middle of a version's text, and in a repost title.
    found = _get(ds, "/mirror/versions.json?_search=" + "于北京举行" + "&_shape=array")
    assert [r["text"] for r in found] == [ARTICLE]
    assert [r["path"] for r in _get(ds, "/mirror/reposts.json?_search=被改写&_shape=array")] == ["c.md"]
    assert _get(ds, "/mirror/versions.json?_search=不在任何地方&_shape=array") == []
    # Sources show as their URL wherever a row points at one; metadata facets apply.
    labelled = _get(ds, "/mirror/reposts.json?_shape=array&_labels=on&path=a.md")
    assert labelled[0]["source_id"]["label"] == "https://a.test/1"
    facets = _get(ds, "/mirror/sources.json")["facet_results"]
    assert {r["value"]: r["count"] for r in facets["link_status"]["results"]} == {"alive": 2, "gone": 1}
    page = asyncio.run(ds.client.get("/mirror/sources"))
    assert "One original URL each" in page.text


def test_the_latest_version_is_a_foreign_key(mirror: Path) -> None:
    conn = sqlite3.connect(mirror)
    fks = conn.execute("PRAGMA foreign_key_list(sources)").fetchall()
    assert ("versions", "latest_version_id", "id") in [(fk[2], fk[3], fk[4]) for fk in fks]
    conn.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE sources SET latest_version_id = 99999")
    conn.close()


def test_an_older_database_gains_the_views_search_and_key(tmp_path: Path) -> None:
    # A database made by the previous schema version, with a version already in it.
    db = tmp_path / "mirror.db"
    from store import db as store_db

    conn = sqlite3.connect(db, isolation_level=None)
    import sqlite_utils

    older = sqlite_utils.Database(conn)
    for n in range(1, SCHEMA_VERSION):
        store_db.MIGRATIONS[n](older)
    older.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", [str(SCHEMA_VERSION - 1)])
    older.execute("INSERT INTO sources (id, url, host, aliases, created_at, versions, latest_version_id) "
                  "VALUES (1, 'https://a.test/1', 'a.test', '[]', 'x', 1, 1)")
    older.execute("INSERT INTO versions (id, source_id, number, title, text, first_seen_at, last_seen_at) "
                  "VALUES (1, 1, 1, '旧标题', ?, 'x', 'x')", [ARTICLE])
    conn.close()
    store = Store(db)
    assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert store.db.execute("SELECT rowid FROM versions_fts WHERE versions_fts MATCH '相关方面'").fetchall() == [(1,)]
    assert {"report_sources", "dead_sources", "unfaithful_reposts"} <= set(store.db.view_names())
    assert any(fk.column == "latest_version_id" for fk in store.db["sources"].foreign_keys)
    assert store.db.execute("SELECT latest_version_id FROM sources").fetchall() == [(1,)]
    store.close()


def test_new_versions_are_indexed_in_one_batch_after_the_crawl_not_by_each_check(tmp_path: Path) -> None:
    store = Store(tmp_path / "mirror.db")
    store.save_reposts([_repost("a.md", "https://a.test/1", "标题")], "2026-01-01T00:00:00Z")
    (source_id,) = store.db.execute("SELECT id FROM sources").fetchone()
    crawl_id = store.start_crawl("2026-01-01T00:00:00Z")
    store.record_check(CheckRecord(
        source_id=source_id, crawl_id=crawl_id, checked_at=iso(1_767_225_600), url="https://a.test/1",
        final_url=None, http_status=200, link_status="alive", dead=False, consecutive_failures=0, detail="",
        body=VersionText(title="标题", text=ARTICLE, normalized=ARTICLE), new_version=True, fidelity=()))
    query = "SELECT rowid FROM versions_fts WHERE versions_fts MATCH '于北京举行'"
    assert store.db.execute(query).fetchall() == []  # not on every check's transaction
    store.finish_crawl(crawl_id, "2026-01-01T00:01:00Z", "completed", {})
    assert store.db.execute(query).fetchall() == []  # nor in the crawl's own time
    store.index_new_versions()
    assert store.db.execute(query).fetchall() == [(1,)]
    store.index_new_versions()
    assert store.db.execute(query).fetchall() == [(1,)]  # never indexed twice
    store.close()
