"""The SQLite store: migrations, one-transaction checks, the crawl lock, report rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from store.db import MIGRATIONS, SCHEMA_VERSION, LockedError, Store, StoreError, parse_iso
from store.records import CheckRecord, FidelityResult, RepostRecord, VersionText, WarcRef


def _repost(path: str, url: str, body: str = "一段正文。", **kw) -> RepostRecord:
    return RepostRecord(path=path, size=len(body), mtime_ns=1, file_hash=path + body, kind="repost",
                        source_url=url, linked_url=kw.pop("linked", url), body=body, **kw)


def _check(source_id: int, at: str, status: str = "alive", *, body: str | None = None, new: bool = False,
           http: int | None = 200, dead: bool = False, fidelity=()) -> CheckRecord:
    text = VersionText(title="T", text=body, normalized=body) if body is not None else None
    return CheckRecord(source_id=source_id, crawl_id=None, checked_at=at, url="https://a.test/1",
                       final_url="https://a.test/1", http_status=http, link_status=status, dead=dead,
                       consecutive_failures=0, body=text, new_version=new, fidelity=tuple(fidelity),
                       etag='"e1"' if http == 200 else None,
                       warc=WarcRef("f.warc.gz", 10, 20, "sha1:X", "<urn:uuid:1>") if body else None)


def test_schema_is_created_once_and_versioned(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    Store(db).close()
    store = Store(db)
    assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"sources", "reposts", "checks", "versions", "fidelity", "crawls"} <= set(store.db.table_names())


def test_a_foreign_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE customers (id INTEGER)")
    with pytest.raises(StoreError, match="not one of repost-mirror"):
        Store(db)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    store = Store(db)
    store.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    store.close()
    with pytest.raises(StoreError, match="upgrade"):
        Store(db)


def test_url_forms_of_one_article_make_one_source(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    aliases = ("https://gnews.org/zh-hans/1/", "https://gnews.org/zh-hant/1/")
    store.save_reposts([
        _repost("a.md", aliases[0], aliases=aliases),
        _repost("b.md", aliases[0], aliases=aliases, linked=aliases[1]),
        _repost("c.md", "https://gnews.org/articles/1"),
    ], "2026-01-01T00:00:00Z")
    assert store.db.execute("SELECT count(*) FROM sources").fetchone()[0] == 2
    row = store.source_by_url(aliases[1])
    assert row is not None and row.url == aliases[0]
    assert set(row.linked_urls) == set(aliases)
    report = store.report_sources(everything=True)
    assert [(s.fields["source_url"], s.fields["reposts"]) for s in report] == [
        ("https://gnews.org/articles/1", ["c.md"]), (aliases[0], ["a.md", "b.md"])]
    assert report[0].fields["link_status"] is None and report[0].fields["fidelity"] is None


def test_line_counts_follow_edits(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    recs = [_repost(f"{i}.md", f"https://a.test/{i}", lines=((7, "footer"), (i + 100, f"line {i}"))) for i in range(3)]
    store.save_reposts(recs, "2026-01-01T00:00:00Z")
    assert store.boilerplate_hashes(3) == {7}
    store.save_reposts([_repost("0.md", "https://a.test/0", lines=((8, "other"),))], "2026-01-02T00:00:00Z")
    assert store.boilerplate_hashes(3) == set()
    assert store.boilerplate_hashes(2) == {7}
    assert store.boilerplate_lines(2) == ["footer"]


def test_checks_make_versions_and_dead_times(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    store.save_reposts([_repost("a.md", "https://a.test/1")], "2026-01-01T00:00:00Z")
    sid = store.source_by_url("https://a.test/1").id
    rid = store.source_of_repost("a.md").repost_id
    store.record_check(_check(sid, "2026-01-01T01:00:00Z", body="v1", new=True,
                              fidelity=[FidelityResult(rid, 0.5, False, ({"op": "missing", "repost": "", "original": "x"},))]))
    store.record_check(_check(sid, "2026-01-02T01:00:00Z", http=304))
    store.record_check(_check(sid, "2026-01-03T01:00:00Z", body="v2", new=True))
    store.record_check(_check(sid, "2026-01-04T01:00:00Z", "gone", http=404, dead=True))
    store.record_check(_check(sid, "2026-01-05T01:00:00Z", "gone", http=404, dead=True))
    fields = store.report_sources(everything=True)[0].fields
    assert fields["versions"] == 2
    assert fields["changed_at"] == "2026-01-03T01:00:00Z"
    assert fields["first_dead_at"] == "2026-01-04T01:00:00Z"
    assert fields["last_alive_at"] == "2026-01-03T01:00:00Z"
    assert fields["dead"] is True and fields["http_status"] == 404
    assert fields["fidelity"] == 0.5 and fields["faithful"] is False
    versions = store.versions_of(sid)
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].last_seen_at == "2026-01-02T01:00:00Z"  # the 304 confirmed version 1
    assert versions[0].warc_file == "f.warc.gz"
    # Back alive: no longer dead, and the next death gets a new first_dead_at.
    store.record_check(_check(sid, "2026-01-06T01:00:00Z", body="v2"))
    assert store.report_sources(everything=True)[0].fields["first_dead_at"] is None
    assert store.status_counts().unfaithful == 1


def test_since_selects_what_turned_so_since(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    store.save_reposts([_repost("a.md", "https://a.test/1"), _repost("b.md", "https://a.test/2")],
                       "2026-01-01T00:00:00Z")
    a, b = (store.source_by_url(f"https://a.test/{i}").id for i in (1, 2))
    store.record_check(_check(a, "2026-01-02T00:00:00Z", "gone", http=404, dead=True))
    store.record_check(_check(b, "2026-01-09T00:00:00Z", "gone", http=404, dead=True))
    assert [s.fields["source_url"] for s in store.report_sources()] == ["https://a.test/1", "https://a.test/2"]
    assert [s.fields["source_url"] for s in store.report_sources(since="2026-01-05T00:00:00Z")] == ["https://a.test/2"]


def test_a_first_crawl_lists_its_due_sources_small_and_reads_their_rows_as_it_reaches_them(tmp_path: Path) -> None:
    # A first crawl of the real archive has 125,000 sources due: listing a full row of each
    # before the first request was the crawler's largest allocation.
    from crawler.crawl import interleave_by_host, read_as_started

    store = Store(tmp_path / "m.db")
    hosts = ["a.test", "b.test:8080"]
    store.save_reposts([_repost(f"{h}/{i}.md", f"https://{h}/{i}") for h in hosts for i in range(300)],
                       "2026-01-01T00:00:00Z")
    due = store.due_sources(parse_iso("2026-01-02T00:00:00Z"), 7 * 86400, 30 * 86400)
    assert {s.host for s in due} == set(hosts)
    assert len({id(s.host) for s in due}) == 2  # one string per host, whatever the number of sources
    order = interleave_by_host(due)
    assert [s.host for s in order[:4]] == ["a.test", "b.test:8080"] * 2
    rows = read_as_started(store, order)
    first = next(rows)
    assert first.url == "https://a.test/0"
    # A source gone from the store after it was listed is not checked; the order holds across chunks.
    gone = store.source_by_url("https://b.test:8080/299").id
    store.db.execute("DELETE FROM source_urls WHERE source_id = ?", [gone])
    store.db.execute("UPDATE reposts SET source_id = NULL WHERE source_id = ?", [gone])
    store.db.execute("DELETE FROM sources WHERE id = ?", [gone])
    rest = [first.url, *(r.url for r in rows)]
    assert len(rest) == 599
    assert rest[-2:] == ["https://b.test:8080/298", "https://a.test/299"]
    assert rest == [s.url for s in store.sources_by_ids([s.id for s in order])]


def test_due_order_never_checked_first_then_most_overdue(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    store.save_reposts([_repost(f"{i}.md", f"https://a.test/{i}") for i in range(4)], "2026-01-01T00:00:00Z")
    ids = [store.source_by_url(f"https://a.test/{i}").id for i in range(4)]
    store.record_check(_check(ids[0], "2026-01-01T00:00:00Z"))
    store.record_check(_check(ids[1], "2026-01-03T00:00:00Z"))
    store.record_check(_check(ids[2], "2026-01-03T00:00:00Z", "gone", http=404, dead=True))
    from store.db import parse_iso
    now = parse_iso("2026-01-20T00:00:00Z")
    due = store.due_sources(now, 7 * 86400, 30 * 86400)
    assert [s.id for s in due] == [ids[3], ids[0], ids[1]]  # the dead one waits 30 days
    assert [s.id for s in store.due_sources(now, 7 * 86400, 30 * 86400, limit=1)] == [ids[3]]
    assert len(store.due_sources(now, 7 * 86400, 30 * 86400, all_sources=True)) == 4
    store.mark_removed(["3.md"], "2026-01-20T00:00:00Z")
    assert ids[3] not in [s.id for s in store.due_sources(now, 7 * 86400, 30 * 86400)]


def test_crawl_lock_is_exclusive(tmp_path: Path) -> None:
    one, two = Store(tmp_path / "m.db"), Store(tmp_path / "m.db")
    one.acquire_crawl_lock()
    with pytest.raises(LockedError, match="another crawl"):
        two.acquire_crawl_lock()
    one.release_crawl_lock()
    two.acquire_crawl_lock()


def test_a_failed_check_writes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    store.save_reposts([_repost("a.md", "https://a.test/1")], "2026-01-01T00:00:00Z")
    sid = store.source_by_url("https://a.test/1").id
    bad = _check(sid, "2026-01-01T01:00:00Z", body="v1", new=True,
                 fidelity=[FidelityResult(99999, 1.0, True, ())])  # no such repost: a foreign-key error
    with pytest.raises(sqlite3.IntegrityError):
        store.record_check(bad)
    assert store.db.execute("SELECT count(*) FROM versions").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM checks").fetchone()[0] == 0


def test_a_version_1_database_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    MIGRATIONS[1](old)
    old.execute("INSERT INTO meta (key, value) VALUES ('schema_version', '1'), ('history_head', 'abc')")
    old.execute("INSERT INTO reposts (path, kind, published_at, mtime_ns, first_seen_at) VALUES "
                "('a.md', 'repost', '2023-03-20T01:23:00Z', 1, 'x'), ('b.md', 'repost', NULL, 1700000000000000000, 'x')")
    old.conn.commit()
    old.close()
    store = Store(path)
    assert store.get_meta("schema_version") == str(SCHEMA_VERSION)
    # Dated by the header line, else the file's mtime; a history indexed per path is read again.
    assert dict(store.db.execute("SELECT path, dated_at FROM reposts").fetchall()) == {
        "a.md": "2023-03-20T01:23:00Z", "b.md": "2023-11-14T22:13:20Z"}
    assert store.get_meta("history_head") is None
    assert {"appearances", "commits"} <= set(store.db.table_names())
    assert "idx_line_counts_n" not in {i.name for i in store.db["line_counts"].indexes}


def test_the_lookups_the_report_and_commands_make_return_records(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    store.save_reposts([
        _repost("a.md", "https://a.test/1"), _repost("b.md", "https://b.test/2"),
        RepostRecord(path="index.md", size=1, mtime_ns=1, file_hash="i", kind="not_repost"),
        RepostRecord(path="bad.md", size=1, mtime_ns=1, file_hash="p", kind="problem", problem="no source link"),
    ], "2026-01-01T00:00:00Z")
    a, b = store.source_by_url("https://a.test/1"), store.source_by_url("https://b.test/2")
    rid = store.source_of_repost("a.md").repost_id
    store.record_check(_check(a.id, "2026-01-02T00:00:00Z", body="v1", new=True,
                              fidelity=[FidelityResult(rid, 0.5, False, ({"op": "missing", "repost": "", "original": "x"},))]))
    assert store.not_reposts() == 1
    assert store.repost_problem("bad.md") == "no source link" and store.repost_problem("a.md") is None
    assert store.repost_problem("nowhere.md") is None
    keys = store.source_keys()
    assert (keys["https://a.test/1"].id, keys["https://b.test/2"].id) == (a.id, b.id)
    assert keys["https://a.test/1"].host == "a.test"
    verdicts = store.repost_verdicts([b.id, a.id])
    assert [(v.path, v.similarity, v.faithful) for v in verdicts] == [("a.md", 0.5, False), ("b.md", None, None)]
    assert verdicts[0].hunks == [{"op": "missing", "repost": "", "original": "x"}]
    assert store.live_sources_by_host() == {"a.test": 1, "b.test": 1}
    assert store.crawl_starts() == []
    store.start_crawl("2026-01-03T00:00:00Z")
    assert store.crawl_starts() == ["2026-01-03T00:00:00Z"]
