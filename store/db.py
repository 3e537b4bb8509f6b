"""The SQLite store: schema, migrations and the queries the commands make.

WAL mode; every check is written in one transaction together with its version,
its fidelity results and the source's new state, so a process killed at any
moment leaves either all of a check or none of it.
"""

from __future__ import annotations

import array
import fcntl
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlite_utils

from store.records import (
    Appearance,
    CheckRecord,
    CrawlRun,
    DueSource,
    FidelityResult,
    LatestFidelity,
    MonthlyActivity,
    RepostRecord,
    RepostSource,
    RepostVerdict,
    SourceKey,
    SourceRow,
    SourceSummary,
    StatusCounts,
    StoredRepost,
    StoredVersion,
    WarcRef,
)
from store.words import ANSWERED_STATUSES, LinkStatus

# Crawl-lock descriptors this process holds. A flock belongs to the open file, which a
# forked child (a pool worker) shares: a worker left behind by a crawl killed alone would
# keep the lock, and every later crawl would exit 4. A child lets go of its copies at once.
_HELD_LOCKS: set[int] = set()


def _drop_inherited_locks() -> None:
    for fd in _HELD_LOCKS:
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_drop_inherited_locks)

SCHEMA_VERSION = 6
# meta key: the highest version id in the full-text index (versions are indexed in batches).
FTS_INDEXED = "versions_fts_indexed_upto"


def utc_now() -> str:
    return iso(time.time())


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class StoreError(Exception):
    """The database cannot be used (not ours, too new, unreadable)."""


class LockedError(StoreError):
    """Another crawl holds the lock on this database."""


def _cannot_write(exc: sqlite3.OperationalError) -> bool:
    """Whether opening failed because the database or its folder may not be written."""
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def inserted_id(cur: sqlite3.Cursor) -> int:
    """The rowid an INSERT just added (sqlite3 types `lastrowid` optional for other statements)."""
    if cur.lastrowid is None:
        raise RuntimeError("the statement inserted no row")
    return cur.lastrowid


def _create_v1(db: sqlite_utils.Database) -> None:
    db.create_table("meta", {"key": str, "value": str}, pk="key")
    db.create_table(
        "sources",
        {
            "id": int,
            "url": str,
            "host": str,
            "aliases": str,  # JSON list
            "created_at": str,
            "link_status": str,
            "dead": int,
            "http_status": int,
            "final_url": str,
            "error": str,
            "last_checked_at": str,
            "last_checked_ts": float,
            "last_alive_at": str,
            "first_dead_at": str,
            "consecutive_failures": int,
            "etag": str,
            "last_modified": str,
            "versions": int,
            "changed_at": str,
            "latest_version_id": int,
            "fidelity": float,
            "faithful": int,
            "archived_copy": str,
            "wayback_checked_at": str,
        },
        pk="id",
        not_null=["url", "host", "created_at"],
        defaults={"dead": 0, "consecutive_failures": 0, "versions": 0},
    )
    db.table("sources").create_index(["url"], unique=True)
    db.table("sources").create_index(["last_checked_ts"])
    db.table("sources").create_index(["link_status"])
    db.table("sources").create_index(["first_dead_at"])
    db.table("sources").create_index(["changed_at"])
    # Every URL form that names a source: canonical, aliases, and each link a repost gave.
    db.create_table("source_urls", {"url": str, "source_id": int, "linked": int}, pk="url",
                    foreign_keys=[("source_id", "sources", "id")], defaults={"linked": 0})
    db.table("source_urls").create_index(["source_id"])
    db.create_table(
        "reposts",
        {
            "id": int,
            "path": str,
            "kind": str,
            "source_id": int,
            "linked_url": str,
            "title": str,
            "header": str,
            "published_at": str,
            "station": str,
            "body": str,
            "problem": str,
            "size": int,
            "mtime_ns": int,
            "file_hash": str,
            "line_hashes": bytes,
            "first_seen_at": str,
            "updated_at": str,
            "removed_at": str,
        },
        pk="id",
        not_null=["path", "kind", "first_seen_at"],
        foreign_keys=[("source_id", "sources", "id")],
    )
    db.table("reposts").create_index(["path"], unique=True)
    db.table("reposts").create_index(["source_id"])
    # How many reposts hold a line verbatim: lines in many of them are boilerplate.
    db.create_table("line_counts", {"hash": int, "n": int, "text": str}, pk="hash")
    db.table("line_counts").create_index(["n"])
    db.create_table(
        "crawls",
        {"id": int, "started_at": str, "finished_at": str, "outcome": str, "pid": int, "counts": str},
        pk="id",
        not_null=["started_at", "outcome"],
    )
    db.create_table(
        "versions",
        {
            "id": int,
            "source_id": int,
            "number": int,
            "title": str,
            "text": str,
            "normalized": str,
            "extras": str,
            "first_seen_at": str,
            "last_seen_at": str,
            "from_archive": int,
            "archive_url": str,
            "warc_file": str,
            "warc_offset": int,
            "warc_length": int,
            "payload_digest": str,
        },
        pk="id",
        not_null=["source_id", "number", "first_seen_at", "last_seen_at"],
        foreign_keys=[("source_id", "sources", "id")],
        defaults={"from_archive": 0},
    )
    db.table("versions").create_index(["source_id", "number"], unique=True)
    db.create_table(
        "checks",
        {
            "id": int,
            "source_id": int,
            "crawl_id": int,
            "checked_at": str,
            "url": str,
            "final_url": str,
            "http_status": int,
            "link_status": str,
            "dead": int,
            "error": str,
            "detail": str,
            "etag": str,
            "last_modified": str,
            "truncated": int,
            "version_id": int,
            "new_version": int,
            "warc_file": str,
            "warc_offset": int,
            "warc_length": int,
            "payload_digest": str,
            "warc_record_id": str,
            "warc_url": str,
            "revisit": int,
        },
        pk="id",
        not_null=["source_id", "checked_at", "url", "link_status"],
        foreign_keys=[("source_id", "sources", "id"), ("crawl_id", "crawls", "id"), ("version_id", "versions", "id")],
    )
    db.table("checks").create_index(["source_id", "checked_at"])
    db.table("checks").create_index(["crawl_id"])
    db.table("checks").create_index(["warc_url", "id"])
    db.create_table(
        "fidelity",
        {
            "id": int,
            "repost_id": int,
            "source_id": int,
            "check_id": int,
            "version_id": int,
            "checked_at": str,
            "similarity": float,
            "faithful": int,
            "hunks": str,  # JSON list of {"op", "repost", "original"}
        },
        pk="id",
        not_null=["repost_id", "source_id", "checked_at", "similarity", "faithful"],
        foreign_keys=[("repost_id", "reposts", "id"), ("source_id", "sources", "id"),
                      ("check_id", "checks", "id"), ("version_id", "versions", "id")],
    )
    db.table("fidelity").create_index(["repost_id", "checked_at"])
    db.table("fidelity").create_index(["source_id", "checked_at"])


def _history_v2(db: sqlite_utils.Database) -> None:
    """One repost per distinct text (SPEC section 5): the places a text stood are kept apart.

    `reposts.dated_at` is a repost's date for the report, the schedule and attribution:
    its header line's time, else the commit that first brought it (history scans), else
    the file's mtime.  `appearances` lists every (path, first commit) where a history
    repost's text stood; `commits` numbers the commits in history order, so the first
    appearance is the one with the smallest commit id.
    """
    db.table("reposts").add_column("dated_at", str)
    db.execute(
        "UPDATE reposts SET dated_at = coalesce(published_at, CASE WHEN mtime_ns > 0 THEN "
        "strftime('%Y-%m-%dT%H:%M:%SZ', mtime_ns / 1000000000, 'unixepoch') END)"
    )
    db.table("reposts").create_index(["file_hash"])
    # Covering indexes: `status` and the crawl's due query ask "has a live repost" of 100,000s
    # of rows, which must not read the bodies beside them.
    db.execute("DROP INDEX IF EXISTS idx_reposts_source_id")
    db.table("reposts").create_index(["source_id", "removed_at"])
    db.table("reposts").create_index(["kind", "removed_at"])
    db.execute("CREATE TABLE commits (id INTEGER PRIMARY KEY, sha TEXT NOT NULL UNIQUE, committed_at TEXT NOT NULL)")
    # WITHOUT ROWID: ~600,000 rows on the real archive, kept in their primary key's order only.
    db.execute(
        "CREATE TABLE appearances (repost_id INTEGER NOT NULL REFERENCES reposts(id), path TEXT NOT NULL, "
        "commit_id INTEGER NOT NULL REFERENCES commits(id), PRIMARY KEY (repost_id, path)) WITHOUT ROWID"
    )
    # A history indexed before appearances existed named every (path, text) pair a repost of
    # its own: the next scan reads the history again and merges them.
    db.execute("DELETE FROM meta WHERE key = 'history_head'")


def _line_counts_v3(db: sqlite_utils.Database) -> None:
    """No index on line_counts.n: a scan bumps n 15 times per repost (2 million upserts for the
    real history, each moving an index entry: half the cost of counting), while the one query
    by n, the boilerplate lines of a crawl, reads the table once (0.2 s for a million lines)."""
    db.execute("DROP INDEX IF EXISTS idx_line_counts_n")


def _witness_v4(db: sqlite_utils.Database) -> None:
    # How each check found the body it compared (SPEC 7), and which verdicts were on an excerpt.
    db.table("checks").add_column("found_by", str)
    db.table("versions").add_column("found_by", str)
    db.table("fidelity").add_column("excerpt_only", int, not_null_default=0)


def _attribution_v5(db: sqlite_utils.Database) -> None:
    """Who changed the text (SPEC 9): per repost, whether it was faithful when made and against
    what; when an archive capture was taken; whether the Wayback Machine holds our bytes; and
    the CDX lookups made, so a source with no capture is not asked every night."""
    db.table("fidelity").add_column("faithful_when_reposted", int)
    db.table("fidelity").add_column("attribution", str)  # JSON: repost date, its origin, the earlier text used
    db.table("versions").add_column("captured_at", str)  # when the web archive captured a from_archive version
    db.table("sources").add_column("faithful_when_reposted", int)
    db.table("sources").add_column("witnessed", int)
    db.create_table(
        "cdx_lookups",
        {"id": int, "source_id": int, "asked_at": str, "window_from": str, "window_to": str,
         "timestamp": str, "digest": str, "snapshot_url": str, "version_id": int},
        pk="id", not_null=["source_id", "asked_at", "window_from", "window_to"],
        foreign_keys=[("source_id", "sources", "id"), ("version_id", "versions", "id")],
    )
    db.table("cdx_lookups").create_index(["source_id", "asked_at"])


# The report's fields as SQL views, for datasette and for anyone with sqlite3 (SPEC 10).
REPORT_VIEWS = {
    "report_sources": (
        "SELECT s.id, s.url AS source_url, s.host, coalesce((SELECT title FROM versions v WHERE v.id = "
        "s.latest_version_id), (SELECT title FROM reposts r WHERE r.source_id = s.id AND r.title != '' "
        "ORDER BY r.path LIMIT 1)) AS title, s.link_status, s.dead, s.http_status, s.final_url, "
        "s.last_checked_at, s.last_alive_at, s.first_dead_at, s.versions, s.changed_at, s.fidelity, s.faithful, "
        "s.archived_copy, s.faithful_when_reposted, s.witnessed, (SELECT detail FROM checks c "
        "WHERE c.source_id = s.id ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) AS detail, (SELECT count(*) FROM reposts r WHERE r.source_id = s.id AND "
        "r.removed_at IS NULL) AS reposts FROM sources s WHERE EXISTS (SELECT 1 FROM reposts r WHERE "
        "r.source_id = s.id)"
    ),
    "dead_sources": "SELECT * FROM report_sources WHERE dead = 1",
    "unfaithful_reposts": (
        "SELECT r.id AS repost_id, r.path, r.title AS repost_title, r.dated_at, s.url AS source_url, "
        "s.link_status, f.similarity AS fidelity, f.checked_at, f.hunks FROM fidelity f "
        "JOIN reposts r ON r.id = f.repost_id JOIN sources s ON s.id = r.source_id "
        "WHERE r.removed_at IS NULL AND f.faithful = 0 "
        "AND f.id = (SELECT max(id) FROM fidelity g WHERE g.repost_id = f.repost_id)"
    ),
}


def _datasette_v6(db: sqlite_utils.Database) -> None:
    """What datasette (and any SQLite client) needs to browse the store (issue 17).

    The foreign key `sources.latest_version_id` -> `versions.id` that v1 left out (a table
    rebuild, which sqlite-utils' transform makes inside this transaction); the report's
    fields as views; full-text search over version titles and texts and repost titles,
    kept current by triggers.  The trigram tokenizer, because Chinese has no spaces
    between words: a query of three or more characters finds any text holding it.
    """
    db.table("sources").add_foreign_key("latest_version_id", "versions", "id")
    # A child column of a foreign key wants an index: without one SQLite scans every source
    # to check a version deleted, or one inserted while a check is deferred.
    db.table("sources").create_index(["latest_version_id"])
    for name, sql in REPORT_VIEWS.items():
        db.create_view(name, sql, replace=True)
    # No trigger on versions: FTS5 writes an index segment per transaction, which cost every
    # check 10 ms (half the crawl's CPU); a crawl or check indexes its new versions at its end.
    db.table("versions").enable_fts(["title", "text"], tokenize="trigram")
    db.execute("INSERT OR REPLACE INTO meta (key, value) SELECT ?, coalesce(max(id), 0) FROM versions", [FTS_INDEXED])
    db.table("reposts").enable_fts(["title"], tokenize="trigram", create_triggers=True)


# Migration N brings a database from version N-1 to N; a released migration is never edited.
MIGRATIONS = {1: _create_v1, 2: _history_v2, 3: _line_counts_v3, 4: _witness_v4, 5: _attribution_v5,
              6: _datasette_v6}


class Store:
    """One SQLite database file of repost-mirror."""

    def __init__(self, path: Path | str, *, read_only_ok: bool = False) -> None:
        """`read_only_ok`: a command that only reads opens a database it may not write (a
        read-only mount, a copy owned by the crawl's user) read-only instead of failing."""
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            try:
                self._open_writable()
            except sqlite3.OperationalError as exc:
                if not (read_only_ok and _cannot_write(exc)):
                    raise
                if hasattr(self, "db"):
                    self.db.conn.close()
                self._open_read_only()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from None
        self._lock_fd: int | None = None
        self._settle_dead_crawls()

    def _open_writable(self) -> None:
        conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        self.db = sqlite_utils.Database(conn)
        with self.db.ensure_autocommit_on():
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        # 64 MB of page cache instead of 2: a history scan inserts 100,000s of keys at random
        # places of the file_hash, path and line_counts indexes.
        self.db.execute("PRAGMA cache_size=-65536")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _open_read_only(self) -> None:
        uri = self.path.resolve().as_uri()
        try:
            # A WAL database opens read-only while a writer keeps its shared-memory file.
            conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30, isolation_level=None)
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.exists() and wal.stat().st_size > 0:
                raise StoreError(
                    f"cannot read database {self.path}: it may not be written, and its last writes are still "
                    f"in {wal.name}, which only a writer folds in: run any command once where it may be "
                    "written") from None
            # No writer left a log: the file holds everything, and nothing is changing it.
            conn = sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
        self.db = sqlite_utils.Database(conn)
        tables = set(self.db.table_names())
        version = int(self._meta("schema_version") or 0) if "meta" in tables else 0
        if version != SCHEMA_VERSION:
            raise StoreError(f"{self.path} may not be written and has schema version {version}; this "
                             f"repost-mirror reads version {SCHEMA_VERSION} (a writable copy is upgraded)")

    def _settle_dead_crawls(self) -> None:
        """A crawl still marked running while nobody holds the crawl lock died (kill -9, a
        power cut, a full disk): whatever command opens the database next says so."""
        if self.db.execute("SELECT 1 FROM crawls WHERE outcome = 'running' LIMIT 1").fetchone() is None:
            return
        try:
            fd = os.open(self._lock_path(), os.O_RDWR)
        except FileNotFoundError:
            fd = None  # the lock file is made before a crawl starts: no crawl runs
        except OSError:
            return
        try:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            with self.transaction():
                self.db.execute("UPDATE crawls SET outcome = 'interrupted' WHERE outcome = 'running'")
        except (BlockingIOError, sqlite3.OperationalError):
            pass  # a crawl runs, or the database is read-only: it stays as it is
        finally:
            if fd is not None:
                os.close(fd)

    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    # --- schema -------------------------------------------------------------

    def _migrate(self) -> None:
        tables = set(self.db.table_names())
        if tables and "meta" not in tables:
            raise StoreError(f"{self.path} is an SQLite database, but not one of repost-mirror")
        version = int(self._meta("schema_version") or 0) if tables else 0
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {version}; this repost-mirror knows up to {SCHEMA_VERSION}: upgrade it")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self.transaction():
                MIGRATIONS[target](self.db)
                self._set_meta("schema_version", str(target))

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", [key, value])

    def get_meta(self, key: str) -> str | None:
        return self._meta(key)

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._set_meta(key, value)

    def forget_meta(self, key: str) -> None:
        with self.transaction():
            self.db.execute("DELETE FROM meta WHERE key = ?", [key])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock up front, so a reader never has to upgrade.
        conn = self.db.conn
        if conn.in_transaction:
            yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self.release_crawl_lock()
        self.db.close()

    # --- crawl lock and records ---------------------------------------------

    def acquire_crawl_lock(self) -> None:
        """An OS lock beside the database: the kernel drops it when the process dies."""
        fd = os.open(self._lock_path(), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 64).decode(errors="replace").strip()
            os.close(fd)
            raise LockedError(
                f"another crawl is running on {self.path}" + (f" (pid {holder})" if holder else "")
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd
        _HELD_LOCKS.add(fd)

    def release_crawl_lock(self) -> None:
        if self._lock_fd is not None:
            _HELD_LOCKS.discard(self._lock_fd)
            os.close(self._lock_fd)
            self._lock_fd = None

    def start_crawl(self, started_at: str) -> int:
        with self.transaction():
            # We hold the lock, so a crawl still marked running was killed.
            self.db.execute("UPDATE crawls SET outcome = 'interrupted' WHERE outcome = 'running'")
            cur = self.db.execute(
                "INSERT INTO crawls (started_at, outcome, pid) VALUES (?, 'running', ?)", [started_at, os.getpid()]
            )
            return inserted_id(cur)

    def index_new_versions(self) -> None:
        """Add the versions recorded since the last call to the full-text index, in one batch.

        The `crawl` and `check` commands call it once they are done, not the crawl itself: a
        trigram index costs about as much CPU per new version as the whole check that found
        it, and would halve the checks a crawl makes per second (bench/crawl.py)."""
        with self.transaction():
            # The index's own rowids cannot tell (an external-content table reads them from
            # `versions`), so meta keeps the last version id indexed.
            done = int(self._meta(FTS_INDEXED) or 0)
            (top,) = self.db.execute("SELECT coalesce(max(id), 0) FROM versions").fetchone()
            if top > done:
                self.db.execute("INSERT INTO versions_fts (rowid, title, text) SELECT id, title, text FROM versions "
                                "WHERE id > ? AND id <= ?", [done, top])
                self._set_meta(FTS_INDEXED, str(top))

    def finish_crawl(self, crawl_id: int, finished_at: str, outcome: str, counts: dict[str, Any]) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE crawls SET finished_at = ?, outcome = ?, counts = ? WHERE id = ?",
                [finished_at, outcome, json.dumps(counts, ensure_ascii=False), crawl_id],
            )

    def last_crawl(self) -> CrawlRun | None:
        row = self.db.execute(
            "SELECT started_at, finished_at, outcome FROM crawls ORDER BY id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else CrawlRun(row[0], row[1], row[2])

    # --- scan ---------------------------------------------------------------

    def known_files(self) -> dict[str, tuple[int, int, int, str, bool]]:
        """path -> (id, size, mtime_ns, file_hash, removed) of every indexed file."""
        return {
            row[0]: (row[1], row[2], row[3], row[4], row[5] is not None)
            for row in self.db.execute("SELECT path, id, size, mtime_ns, file_hash, removed_at FROM reposts")
        }

    def touch_files(self, stats: Iterable[tuple[str, int, int]]) -> None:
        """Record a new size/mtime for files whose content hash did not change."""
        with self.transaction():
            self.db.conn.executemany("UPDATE reposts SET size = ?, mtime_ns = ? WHERE path = ?",
                                     [(size, mtime, path) for path, size, mtime in stats])

    def save_reposts(self, records: Iterable[RepostRecord], now: str) -> list[int]:
        """Insert or update reposts, their sources and URL forms, and the line counts; their ids."""
        # Counted for the whole batch at once: a footer line in most reposts is one upsert.
        lines: dict[int, list[Any]] = {}
        with self.transaction():
            ids = [self._save_repost(rec, now, lines) for rec in records]
            self._count_lines(lines)
        return ids

    def _save_repost(self, rec: RepostRecord, now: str, lines: dict[int, list[Any]]) -> int:
        conn = self.db.conn
        old = conn.execute("SELECT id, line_hashes FROM reposts WHERE path = ?", [rec.path]).fetchone()
        if old is not None and old[1]:
            self._uncount_lines(_unpack(old[1]))
        source_id = self._source_id(rec, rec.source_url, now) if rec.kind == "repost" and rec.source_url else None
        values = {
            "path": rec.path, "kind": rec.kind, "source_id": source_id, "linked_url": rec.linked_url,
            "title": rec.title, "header": rec.header, "published_at": rec.published_at,
            "station": rec.station, "body": rec.body, "problem": rec.problem, "size": rec.size,
            "mtime_ns": rec.mtime_ns, "file_hash": rec.file_hash, "dated_at": rec.dated_at,
            "line_hashes": _pack(h for h, _ in rec.lines), "updated_at": now, "removed_at": None,
        }
        if old is None:
            values["first_seen_at"] = now
            cols = ", ".join(values)
            cur = conn.execute(f"INSERT INTO reposts ({cols}) VALUES ({', '.join('?' * len(values))})",
                               list(values.values()))
            repost_id = inserted_id(cur)
        else:
            sets = ", ".join(f"{k} = ?" for k in values)
            conn.execute(f"UPDATE reposts SET {sets} WHERE id = ?", [*values.values(), old[0]])
            repost_id = old[0]
        for line_hash, text in rec.lines:
            seen = lines.get(line_hash)
            if seen is None:
                lines[line_hash] = [1, text]
            else:
                seen[0] += 1
        return repost_id

    def _source_id(self, rec: RepostRecord, source_url: str, now: str) -> int:
        conn = self.db.conn
        urls = [source_url, *rec.aliases, *([rec.linked_url] if rec.linked_url else [])]
        found = None
        for url in urls:
            row = conn.execute("SELECT source_id FROM source_urls WHERE url = ?", [url]).fetchone()
            if row:
                found = row[0]
                break
        if found is None:
            host = source_url.split("://", 1)[-1].split("/", 1)[0]
            cur = conn.execute(
                "INSERT INTO sources (url, host, aliases, created_at) VALUES (?, ?, ?, ?)",
                [source_url, host, json.dumps(list(rec.aliases)), now],
            )
            found = inserted_id(cur)
        for url in dict.fromkeys(urls):
            conn.execute(
                "INSERT INTO source_urls (url, source_id, linked) VALUES (?, ?, ?) "
                "ON CONFLICT(url) DO UPDATE SET linked = max(linked, excluded.linked)",
                [url, found, int(url == rec.linked_url)],
            )
        return found

    def _count_lines(self, lines: dict[int, list[Any]]) -> None:
        """Add sightings: line hash -> [times, text].  The text is kept only from a line's second
        sighting on: lines seen once are most of the archive and are never boilerplate, so
        their text would only bloat the database."""
        self.db.conn.executemany(
            "INSERT INTO line_counts (hash, n, text) VALUES (?, ?, ?) "
            "ON CONFLICT(hash) DO UPDATE SET n = n + excluded.n, text = coalesce(line_counts.text, ?)",
            [(h, n, text if n > 1 else None, text) for h, (n, text) in lines.items()],
        )

    def _uncount_lines(self, hashes: Iterable[int]) -> None:
        self.db.conn.executemany("UPDATE line_counts SET n = n - 1 WHERE hash = ?", [(h,) for h in hashes])

    def mark_removed(self, paths: Iterable[str], now: str) -> None:
        with self.transaction():
            self.db.conn.executemany(
                "UPDATE reposts SET removed_at = ? WHERE path = ? AND removed_at IS NULL", [(now, p) for p in paths]
            )

    # --- history: one repost per distinct text, and where it stood ------------

    def reposts_by_hash(self) -> dict[str, int]:
        """file_hash (a git blob id, for history scans) -> id of the oldest repost holding it."""
        # GROUP BY walks the file_hash index alone, never the rows and their bodies.
        return dict(self.db.execute("SELECT file_hash, min(id) FROM reposts GROUP BY file_hash").fetchall())

    def repost_by_hash(self, file_hash: str) -> int | None:
        row = self.db.execute("SELECT min(id) FROM reposts WHERE file_hash = ?", [file_hash]).fetchone()
        return row[0]

    def has_reposts(self) -> bool:
        return self.db.execute("SELECT 1 FROM reposts LIMIT 1").fetchone() is not None

    def last_commit_id(self) -> int:
        return self.db.execute("SELECT coalesce(max(id), 0) FROM commits").fetchone()[0]

    def add_appearances(self, commits: Iterable[tuple[int, str, str]],
                        appearances: Iterable[tuple[int, str, int]]) -> None:
        """Record commits (id, sha, committed_at) and appearances (repost id, path, commit id).
        A (repost, path) pair already known keeps its first commit: a re-add is no new place."""
        with self.transaction():
            self.db.conn.executemany("INSERT OR IGNORE INTO commits (id, sha, committed_at) VALUES (?, ?, ?)",
                                     commits)
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO appearances (repost_id, path, commit_id) VALUES (?, ?, ?)", appearances)

    def first_appearance(self, repost_id: int) -> Appearance | None:
        """Where a history repost's text first stood."""
        row = self.db.execute(
            "SELECT a.path, c.sha, c.committed_at FROM appearances a JOIN commits c ON c.id = a.commit_id "
            "WHERE a.repost_id = ? ORDER BY a.commit_id, a.path LIMIT 1", [repost_id]).fetchone()
        return None if row is None else Appearance(row[0], row[1], row[2])

    def appearances_of(self, repost_ids: Iterable[int]) -> dict[int, list[Appearance]]:
        """repost id -> its appearances, oldest first."""
        out: dict[int, list[Appearance]] = {}
        for chunk in _chunks(list(repost_ids), 500):
            marks = ",".join("?" * len(chunk))
            for repost_id, path, sha, at in self.db.execute(
                "SELECT a.repost_id, a.path, c.sha, c.committed_at FROM appearances a "
                f"JOIN commits c ON c.id = a.commit_id WHERE a.repost_id IN ({marks}) "
                "ORDER BY a.repost_id, a.commit_id, a.path", chunk
            ):
                out.setdefault(repost_id, []).append(Appearance(path, sha, at))
        return out

    def repost_by_appearance(self, path: str, commit_prefix: str = "") -> str | None:
        """The name of the repost whose text came to `path` in a commit whose id starts with
        `commit_prefix` (the latest such text: a path that held several)."""
        row = self.db.execute(
            "SELECT r.path FROM appearances a JOIN commits c ON c.id = a.commit_id JOIN reposts r ON r.id = a.repost_id "
            "WHERE a.path = ? AND c.sha >= ? AND c.sha < ? ORDER BY a.commit_id DESC LIMIT 1",
            [path, commit_prefix.lower(), commit_prefix.lower() + "g"]).fetchone()
        return None if row is None else row[0]

    def rename_reposts(self, names: dict[int, tuple[str, str | None]]) -> None:
        """Give reposts (by id) new names, and a date where their header gives none.  Two
        steps, so that names passed from one repost to another never collide midway.  A named
        repost is not removed: its text is in the history (again)."""
        if not names:
            return
        with self.transaction():
            conn = self.db.conn
            conn.executemany("UPDATE reposts SET path = char(0) || id WHERE id = ?", [(i,) for i in names])
            conn.executemany(
                "UPDATE reposts SET path = ?, dated_at = coalesce(published_at, ?, dated_at), removed_at = NULL "
                "WHERE id = ?",
                [(name, date, i) for i, (name, date) in names.items()])

    def park_reposts(self) -> None:
        """Before a history is read again from its start: every repost gets a name no file can
        have (NUL, its id, NUL, its old name), to be renamed as its text is met again."""
        with self.transaction():
            self.db.execute("UPDATE reposts SET path = char(0) || id || char(0) || path WHERE path NOT LIKE char(0) || '%'")
            self.db.execute("DELETE FROM appearances")
            self.db.execute("DELETE FROM commits")

    def settle_parked(self, now: str) -> list[str]:
        """After a full history pass: a parked repost whose text another repost holds is merged
        into it (its fidelity results move along); one whose text is gone from the history keeps
        its old name (suffixed with its id if taken) and is marked removed.  Their names."""
        conn = self.db.conn
        removed: list[str] = []
        with self.transaction():
            parked = conn.execute(
                "SELECT p.id, p.path, p.line_hashes, (SELECT min(k.id) FROM reposts k WHERE k.file_hash = p.file_hash "
                "AND k.path NOT LIKE char(0) || '%') FROM reposts p WHERE p.path LIKE char(0) || '%'").fetchall()
            for repost_id, parked_name, line_hashes, keeper in parked:
                if keeper is not None:
                    conn.execute("UPDATE fidelity SET repost_id = ? WHERE repost_id = ?", [keeper, repost_id])
                    if line_hashes:
                        self._uncount_lines(_unpack(line_hashes))
                    conn.execute("DELETE FROM reposts WHERE id = ?", [repost_id])
                    continue
                name = parked_name.split("\0", 2)[2]
                if conn.execute("SELECT 1 FROM reposts WHERE path = ?", [name]).fetchone():
                    name = f"{name}~{repost_id}"
                conn.execute("UPDATE reposts SET path = ?, removed_at = coalesce(removed_at, ?) WHERE id = ?",
                             [name, now, repost_id])
                removed.append(name)
        return removed

    def boilerplate_hashes(self, min_reposts: int) -> set[int]:
        return {row[0] for row in self.db.execute("SELECT hash FROM line_counts WHERE n >= ?", [min_reposts])}

    def boilerplate_lines(self, min_reposts: int) -> list[str]:
        """The text of every line found verbatim in at least `min_reposts` reposts."""
        return [row[0] for row in self.db.execute(
            "SELECT text FROM line_counts WHERE n >= ? AND text IS NOT NULL", [min_reposts])]

    def repost_problems(self) -> list[dict[str, str]]:
        return [
            {"path": row[0], "problem": row[1]}
            for row in self.db.execute(
                "SELECT path, problem FROM reposts WHERE kind = 'problem' AND removed_at IS NULL ORDER BY path"
            )
        ]

    # --- sources, for the crawler ---------------------------------------------

    _SOURCE_COLUMNS = (
        "s.id, s.url, s.aliases, s.link_status, s.dead, s.consecutive_failures, s.etag, s.last_modified, "
        "s.last_checked_at, s.latest_version_id, s.wayback_checked_at, s.archived_copy"
    )

    def _source_rows(self, where: str, params: list[Any], order: str = "", limit: int | None = None) -> list[SourceRow]:
        sql = f"SELECT {self._SOURCE_COLUMNS} FROM sources s WHERE {where} {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        rows = self.db.execute(sql, params).fetchall()
        if not rows:
            return []
        ids = [r[0] for r in rows]
        linked: dict[int, list[str]] = {i: [] for i in ids}
        published: dict[int, str | None] = {}
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for sid, url in self.db.execute(
                f"SELECT source_id, url FROM source_urls WHERE linked = 1 AND source_id IN ({marks})", chunk
            ):
                linked[sid].append(url)
            for sid, first in self.db.execute(
                f"SELECT source_id, min(published_at) FROM reposts WHERE source_id IN ({marks}) GROUP BY source_id", chunk
            ):
                published[sid] = first
        return [
            SourceRow(
                id=r[0], url=r[1], aliases=tuple(json.loads(r[2] or "[]")), linked_urls=tuple(linked[r[0]]),
                link_status=LinkStatus(r[3]) if r[3] else None, dead=bool(r[4]), consecutive_failures=r[5] or 0, etag=r[6],
                last_modified=r[7], last_checked_at=r[8], latest_version_id=r[9], wayback_checked_at=r[10],
                archived_copy=r[11], earliest_published_at=published.get(r[0]),
            )
            for r in rows
        ]

    def due_sources(self, now: float, revisit_alive: float, revisit_dead: float, *,
                    all_sources: bool = False, limit: int | None = None) -> list[DueSource]:
        """Sources with a repost still in the archive that are due: never checked first, then most overdue."""
        live = "EXISTS (SELECT 1 FROM reposts r WHERE r.source_id = s.id AND r.removed_at IS NULL)"
        due = "s.last_checked_ts + CASE WHEN s.dead THEN ? ELSE ? END"
        if all_sources:
            where, params, order = live, [], "s.last_checked_ts IS NOT NULL, s.last_checked_ts, s.id"
        else:
            where = f"{live} AND (s.last_checked_ts IS NULL OR {due} <= ?)"
            params = [revisit_dead, revisit_alive, now, revisit_dead, revisit_alive]
            order = f"s.last_checked_ts IS NOT NULL, {due}, s.id"
        sql = f"SELECT s.id, s.host FROM sources s WHERE {where} ORDER BY {order}"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        # One string per host, not per source: the list of a first crawl holds the whole archive.
        return [DueSource(sid, sys.intern(host)) for sid, host in self.db.execute(sql, params)]

    def sources_by_ids(self, ids: Sequence[int]) -> list[SourceRow]:
        """The sources of these ids, in that order (an id no longer in the store is left out)."""
        rows: dict[int, SourceRow] = {}
        for chunk in _chunks(list(ids), 500):
            rows.update((r.id, r) for r in self._source_rows(f"s.id IN ({','.join('?' * len(chunk))})", chunk))
        return [rows[i] for i in ids if i in rows]

    def source_by_url(self, url: str) -> SourceRow | None:
        rows = self._source_rows("s.id = (SELECT source_id FROM source_urls WHERE url = ?)", [url])
        return rows[0] if rows else None

    def source_by_id(self, source_id: int) -> SourceRow | None:
        rows = self._source_rows("s.id = ?", [source_id])
        return rows[0] if rows else None

    def source_of_repost(self, path: str) -> RepostSource | None:
        """The source of the repost named `path`."""
        row = self.db.execute("SELECT id, source_id, kind FROM reposts WHERE path = ?", [path]).fetchone()
        return None if row is None else RepostSource(row[0], row[1], row[2])

    def reposts_of(self, source_id: int) -> list[StoredRepost]:
        """The reposts of a source still in the archive, by path."""
        return [
            StoredRepost(*row)
            for row in self.db.execute(
                "SELECT id, path, body, title, published_at, dated_at FROM reposts "
                "WHERE source_id = ? AND removed_at IS NULL ORDER BY path", [source_id]
            )
        ]

    _VERSION_COLUMNS = ", ".join(f.name for f in fields(StoredVersion))

    def version(self, version_id: int) -> StoredVersion | None:
        row = self.db.execute(f"SELECT {self._VERSION_COLUMNS} FROM versions WHERE id = ?", [version_id]).fetchone()
        return None if row is None else _version(row)

    def versions_of(self, source_id: int) -> list[StoredVersion]:
        """The versions of a source, oldest first."""
        return [_version(row) for row in self.db.execute(
            f"SELECT {self._VERSION_COLUMNS} FROM versions WHERE source_id = ? ORDER BY number", [source_id])]

    def source_titles(self) -> list[tuple[str, str]]:
        """(source URL, title) of every source: its latest version's title, else a repost's."""
        return [(url, title or "") for url, title in self.db.execute(
            "SELECT s.url, COALESCE(NULLIF(v.title, ''), (SELECT r.title FROM reposts r WHERE r.source_id = s.id "
            "AND r.removed_at IS NULL AND r.title != '' ORDER BY r.path LIMIT 1)) "
            "FROM sources s LEFT JOIN versions v ON v.id = s.latest_version_id ORDER BY s.id"
        )]

    def warc_extents(self) -> dict[str, int]:
        """Each WARC file the checks point into -> where its last recorded record ends."""
        return {row[0]: row[1] for row in self.db.execute(
            "SELECT warc_file, max(warc_offset + warc_length) FROM checks WHERE warc_file IS NOT NULL "
            "GROUP BY warc_file")}

    def latest_capture(self, url: str) -> WarcRef | None:
        """The latest full response record of `url` (not a revisit): what a new capture of the
        same payload, or a 304, refers to."""
        row = self.db.execute(
            "SELECT c.warc_file, c.warc_offset, c.warc_length, c.payload_digest, c.warc_record_id FROM checks c "
            # A 304 stored as a response (its original was lost) holds no payload to refer to.
            "WHERE c.warc_url = ? AND c.revisit = 0 AND c.http_status IS NOT 304 AND c.warc_file IS NOT NULL "
            "ORDER BY c.id DESC LIMIT 1", [url]
        ).fetchone()
        return None if row is None else WarcRef(row[0], row[1], row[2], row[3], row[4], url=url)

    def latest_page(self, source_id: int, version_id: int) -> WarcRef | None:
        """The record of the latest page that served a source's version as its article (a 2xx
        found alive or redirected): what a check since that answered 304 stood for, and the
        page as last seen once it died."""
        row = self.db.execute(
            "SELECT warc_file, warc_offset, warc_length, payload_digest, warc_record_id, revisit, warc_url "
            "FROM checks WHERE source_id = ? AND version_id = ? AND http_status BETWEEN 200 AND 299 "
            "AND link_status IN ('alive', 'redirected') AND warc_file IS NOT NULL ORDER BY id DESC LIMIT 1",
            [source_id, version_id]).fetchone()
        return None if row is None else WarcRef(row[0], row[1], row[2], row[3], row[4], bool(row[5]), url=row[6])

    # --- recording a check --------------------------------------------------

    def record_check(self, rec: CheckRecord) -> int:
        """Write one check with its version, fidelity and the source's new state, atomically."""
        conn = self.db.conn
        with self.transaction():
            src = conn.execute(
                "SELECT versions, latest_version_id, dead, first_dead_at, fidelity, faithful FROM sources WHERE id = ?",
                [rec.source_id],
            ).fetchone()
            if src is None:
                raise StoreError(f"no source with id {rec.source_id}")
            versions, version_id, was_dead, first_dead_at, fidelity, faithful = src
            changed_at = None
            new_version = rec.body is not None and (rec.new_version or version_id is None)
            if new_version and version_id is not None and rec.body is not None:
                # Another process (a crawl beside a `check`) may have recorded this very text since
                # this check read the latest version: it is that version, seen again, not a new one.
                latest = conn.execute("SELECT normalized FROM versions WHERE id = ?", [version_id]).fetchone()
                new_version = latest is None or latest[0] != rec.body.normalized
            if new_version and rec.body is not None:
                versions += 1
                warc = rec.warc
                cur = conn.execute(
                    "INSERT INTO versions (source_id, number, title, text, normalized, extras, first_seen_at, "
                    "last_seen_at, from_archive, archive_url, captured_at, warc_file, warc_offset, warc_length, "
                    "payload_digest, found_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [rec.source_id, versions, rec.body.title, rec.body.text, rec.body.normalized, rec.body.extras,
                     rec.checked_at,
                     rec.checked_at, int(rec.body.from_archive), rec.body.archive_url, rec.body.captured_at,
                     warc.file if warc else None, warc.offset if warc else None,
                     warc.length if warc else None, warc.payload_digest if warc else None, rec.found_by],
                )
                version_id = inserted_id(cur)
                if versions > 1:
                    changed_at = rec.checked_at
            elif version_id is not None and rec.body is not None:
                # The same body: its surroundings (credits, datelines) are those seen last.
                conn.execute("UPDATE versions SET last_seen_at = ?, extras = ? WHERE id = ?",
                             [rec.checked_at, rec.body.extras, version_id])
            elif version_id is not None and rec.http_status == 304:
                conn.execute("UPDATE versions SET last_seen_at = ? WHERE id = ?", [rec.checked_at, version_id])
            seen_version = version_id if (rec.body is not None or rec.http_status == 304) else None
            warc = rec.warc
            cur = conn.execute(
                "INSERT INTO checks (source_id, crawl_id, checked_at, url, final_url, http_status, link_status, dead, "
                "error, detail, etag, last_modified, truncated, version_id, new_version, warc_file, warc_offset, "
                "warc_length, payload_digest, warc_record_id, warc_url, revisit, found_by) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [rec.source_id, rec.crawl_id, rec.checked_at, rec.url, rec.final_url, rec.http_status,
                 rec.link_status, int(rec.dead), rec.error, rec.detail, rec.etag, rec.last_modified,
                 int(rec.truncated), seen_version, int(new_version),
                 warc.file if warc else None, warc.offset if warc else None, warc.length if warc else None,
                 warc.payload_digest if warc else None, warc.record_id if warc else None,
                 warc.url if warc else None, int(warc.revisit) if warc else 0, rec.found_by],
            )
            check_id = inserted_id(cur)
            for fid in rec.fidelity:
                conn.execute(
                    "INSERT INTO fidelity (repost_id, source_id, check_id, version_id, checked_at, similarity, "
                    "faithful, hunks, excerpt_only) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [fid.repost_id, rec.source_id, check_id, version_id, rec.checked_at, fid.similarity,
                     int(fid.faithful), json.dumps(list(fid.hunks), ensure_ascii=False), int(fid.excerpt_only)],
                )
            when_reposted = None
            if rec.fidelity:
                fidelity = min(f.similarity for f in rec.fidelity)
                faithful = int(all(f.faithful for f in rec.fidelity))
                when_reposted = _tristate(source_faithful_when_reposted(rec.fidelity))
            alive = rec.link_status in ANSWERED_STATUSES
            if rec.dead and not was_dead:
                first_dead_at = rec.checked_at
            elif not rec.dead:
                first_dead_at = None
            updates: dict[str, Any] = {
                "link_status": rec.link_status, "dead": int(rec.dead), "http_status": rec.http_status,
                "final_url": rec.final_url, "error": rec.error, "last_checked_at": rec.checked_at,
                "last_checked_ts": parse_iso(rec.checked_at), "first_dead_at": first_dead_at,
                "consecutive_failures": rec.consecutive_failures, "versions": versions,
                "latest_version_id": version_id, "fidelity": fidelity, "faithful": faithful,
            }
            if rec.fidelity:
                updates["faithful_when_reposted"] = when_reposted
            if alive:
                updates["last_alive_at"] = rec.checked_at
            if changed_at:
                updates["changed_at"] = changed_at
            # A 304 keeps the validators of the response it confirmed.
            if rec.http_status is not None and rec.http_status != 304:
                updates["etag"] = rec.etag
                updates["last_modified"] = rec.last_modified
            if rec.archived_copy is not None:
                updates["archived_copy"] = rec.archived_copy
            if rec.wayback_checked:
                updates["wayback_checked_at"] = rec.checked_at
            sets = ", ".join(f"{k} = ?" for k in updates)
            conn.execute(f"UPDATE sources SET {sets} WHERE id = ?", [*updates.values(), rec.source_id])
        return check_id

    # --- status and report --------------------------------------------------

    def status_counts(self) -> StatusCounts:
        q = self.db.execute
        by_status = {str(status): 0 for status in LinkStatus}
        for status, n in q("SELECT link_status, count(*) FROM sources WHERE link_status IS NOT NULL GROUP BY 1"):
            by_status[status] = n
        # Over the (source_id, removed_at) index alone: 100,000s of history reposts.
        live = q("SELECT count(DISTINCT source_id) FROM reposts "
                 "WHERE source_id IS NOT NULL AND removed_at IS NULL").fetchone()[0]
        checked = q("SELECT count(*) FROM sources s WHERE s.link_status IS NOT NULL AND EXISTS "
                    "(SELECT 1 FROM reposts r WHERE r.source_id = s.id AND r.removed_at IS NULL)").fetchone()[0]
        return StatusCounts(
            sources=live,
            reposts=q("SELECT count(*) FROM reposts WHERE kind = 'repost' AND removed_at IS NULL").fetchone()[0],
            problems=q("SELECT count(*) FROM reposts WHERE kind = 'problem' AND removed_at IS NULL").fetchone()[0],
            unchecked=live - checked,
            by_status=by_status,
            dead=q("SELECT count(*) FROM sources WHERE dead = 1").fetchone()[0],
            versions=q("SELECT count(*) FROM versions").fetchone()[0],
            changed=q("SELECT count(*) FROM sources WHERE versions > 1").fetchone()[0],
            unfaithful=self.unfaithful_reposts(),
            changed_since_repost=len(stealth := self.changed_since_repost()),
            changed_since_repost_sources=stealth,
            last_crawl=self.last_crawl(),
        )

    def changed_since_repost(self) -> list[str]:
        """Sources whose reposts were all faithful when made, but which differ now (stealth edits)."""
        return [row[0] for row in self.db.execute(
            "SELECT url FROM sources WHERE faithful_when_reposted = 1 AND faithful = 0 ORDER BY url")]

    def unfaithful_reposts(self) -> int:
        """Reposts whose latest fidelity result says unfaithful."""
        return self.db.execute(
            "SELECT count(*) FROM fidelity f JOIN reposts r ON r.id = f.repost_id "
            "WHERE r.removed_at IS NULL AND f.faithful = 0 AND f.id = "
            "(SELECT max(id) FROM fidelity g WHERE g.repost_id = f.repost_id)"
        ).fetchone()[0]

    def report_sources(self, *, everything: bool = False, since: str | None = None,
                       source_id: int | None = None) -> list[SourceSummary]:
        """The sources a report lists (SPEC sections 4 and 10); `source_id`: that one source only."""
        params: list[int | str]
        if source_id is not None:
            where, params = "s.id = ?", [source_id]
        elif everything:
            where, params = "1", []
        elif since is None:
            where = "(s.dead = 1 OR s.versions > 1 OR s.faithful = 0)"
            params = []
        else:
            where = ("((s.dead = 1 AND s.first_dead_at >= ?) OR (s.versions > 1 AND s.changed_at >= ?) "
                     "OR (s.faithful = 0 AND EXISTS (SELECT 1 FROM fidelity f WHERE f.source_id = s.id "
                     "AND f.faithful = 0 AND f.checked_at >= ?)))")
            params = [since, since, since]
        # The title: of the latest version, else of a repost; the detail: of the latest check.
        rows = list(self.db.query(
            "SELECT s.*, (SELECT title FROM versions v WHERE v.id = s.latest_version_id) AS version_title, "
            "(SELECT found_by FROM versions v WHERE v.id = s.latest_version_id) AS version_found_by, "
            "(SELECT title FROM reposts r WHERE r.source_id = s.id AND r.title != '' ORDER BY r.path LIMIT 1) "
            "AS repost_title, (SELECT detail FROM checks c WHERE c.source_id = s.id "
            "ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) "
            f"AS check_detail FROM sources s WHERE {where} AND EXISTS "
            "(SELECT 1 FROM reposts r WHERE r.source_id = s.id) ORDER BY s.url", params
        ))
        reposts: dict[int, list[str]] = {}
        for chunk in _chunks([r["id"] for r in rows], 500):
            marks = ",".join("?" * len(chunk))
            for sid, path in self.db.execute(
                f"SELECT source_id, path FROM reposts WHERE source_id IN ({marks}) ORDER BY path", chunk
            ):
                reposts.setdefault(sid, []).append(path)
        return [
            SourceSummary(
                id=r["id"],
                fields={
                    "source_url": r["url"],
                    "reposts": reposts.get(r["id"], []),
                    "link_status": r["link_status"],
                    "dead": bool(r["dead"]) if r["link_status"] is not None else None,
                    "http_status": r["http_status"],
                    "final_url": r["final_url"],
                    "last_checked_at": r["last_checked_at"],
                    "last_alive_at": r["last_alive_at"],
                    "first_dead_at": r["first_dead_at"],
                    "versions": r["versions"],
                    "changed_at": r["changed_at"],
                    "fidelity": None if r["fidelity"] is None else round(r["fidelity"], 4),
                    "faithful": None if r["faithful"] is None else bool(r["faithful"]),
                    "archived_copy": r["archived_copy"],
                    "title": r["version_title"] or r["repost_title"] or None,
                    "detail": r["check_detail"] or None,
                    # Compared with the excerpt its page serves (only its description), SPEC 7.
                    "excerpt_only": r["version_found_by"] == "meta" if r["faithful"] is not None else None,
                    "faithful_when_reposted": None if r["faithful_when_reposted"] is None
                    else bool(r["faithful_when_reposted"]),
                    "witnessed": None if r["witnessed"] is None else bool(r["witnessed"]),
                },
                host=r["host"],
            )
            for r in rows
        ]

    def repost_verdicts(self, source_ids: list[int]) -> list[RepostVerdict]:
        """The reposts of `source_ids` with their latest fidelity, by source then path (500 sources a query)."""
        out: list[RepostVerdict] = []
        for i in range(0, len(source_ids), 500):
            chunk = source_ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for sid, path, similarity, faithful, hunks in self.db.execute(
                "SELECT r.source_id, r.path, f.similarity, f.faithful, f.hunks FROM reposts r "
                "LEFT JOIN fidelity f ON f.id = (SELECT max(id) FROM fidelity g WHERE g.repost_id = r.id) "
                f"WHERE r.source_id IN ({marks}) ORDER BY r.source_id, r.path", chunk
            ):
                out.append(RepostVerdict(sid, path, similarity, None if faithful is None else bool(faithful),
                                         json.loads(hunks) if hunks else []))
        return out

    def crawl_starts(self) -> list[str]:
        """When each crawl started, oldest first."""
        return [row[0] for row in self.db.execute("SELECT started_at FROM crawls ORDER BY started_at")]

    def live_sources_by_host(self) -> dict[str, int]:
        """How many sources with a repost still in the archive each host has."""
        return dict(self.db.execute(
            "SELECT host, count(*) FROM sources s WHERE EXISTS (SELECT 1 FROM reposts r WHERE r.source_id = s.id "
            "AND r.removed_at IS NULL) GROUP BY host"))

    def source_keys(self) -> dict[str, SourceKey]:
        """Every source by its URL."""
        return {url: SourceKey(sid, host) for url, sid, host in self.db.execute("SELECT url, id, host FROM sources")}

    def monthly_activity(self) -> MonthlyActivity:
        """Link rot, new versions and stealth edits per month."""
        q = self.db.execute
        # A source's month is that of its earliest repost (its date: header, commit or file time).
        rot = [(m, int(d), int(n)) for m, d, n in q(
            "SELECT m, sum(dead), count(*) FROM (SELECT substr(min(r.dated_at), 1, 7) AS m, s.dead AS dead "
            "FROM sources s JOIN reposts r ON r.source_id = s.id WHERE r.removed_at IS NULL AND r.dated_at "
            "IS NOT NULL AND s.link_status IS NOT NULL GROUP BY s.id) WHERE m IS NOT NULL GROUP BY m ORDER BY m")]
        versions = dict(q("SELECT substr(first_seen_at, 1, 7), count(*) FROM versions WHERE number > 1 "
                          "AND from_archive = 0 GROUP BY 1"))
        stealth: dict[str, int] = {}
        if "faithful_when_reposted" in self.db["sources"].columns_dict:
            # A stealth edit: the site changed an article after it was reposted faithfully (SPEC 9).
            stealth = dict(q("SELECT substr(coalesce(changed_at, last_checked_at), 1, 7), count(*) FROM sources "
                             "WHERE faithful_when_reposted = 1 AND faithful = 0 GROUP BY 1"))
        return MonthlyActivity(rot, versions, stealth)

    def repost_problem(self, path: str) -> str | None:
        """The scan problem of the file `path` (None: no problem, or no such file)."""
        row = self.db.execute("SELECT problem FROM reposts WHERE path = ?", [path]).fetchone()
        return None if row is None else row[0]

    def not_reposts(self) -> int:
        """Files of the archive as it is now that are plainly not reposts (an index page, a README)."""
        return self.db.execute(
            "SELECT count(*) FROM reposts WHERE kind = 'not_repost' AND removed_at IS NULL").fetchone()[0]

    def latest_fidelity(self, repost_id: int) -> LatestFidelity | None:
        row = self.db.execute(
            "SELECT similarity, faithful, hunks, checked_at, version_id FROM fidelity "
            "WHERE repost_id = ? ORDER BY id DESC LIMIT 1", [repost_id]
        ).fetchone()
        if row is None:
            return None
        return LatestFidelity(fidelity=row[0], faithful=bool(row[1]), hunks=json.loads(row[2] or "[]"),
                              checked_at=row[3], version_id=row[4])


def source_faithful_when_reposted(results: Iterable[FidelityResult]) -> bool | None:
    """Of a source (SPEC 10): true when every unfaithful repost was faithful when it was made (the
    site changed the text since), false when a repost changed it, null when that is not known."""
    verdicts = [f.faithful_when_reposted for f in results if not f.faithful]
    if False in verdicts:
        return False
    if not verdicts or None in verdicts:
        return None
    return True


def _version(row: tuple[Any, ...]) -> StoredVersion:
    """A `versions` row, its columns selected in the order of the fields (Store._VERSION_COLUMNS)."""
    version = StoredVersion(*row)
    return replace(version, from_archive=bool(version.from_archive))


def _tristate(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _pack(hashes: Iterable[int]) -> bytes:
    return array.array("q", hashes).tobytes()


def _unpack(blob: bytes) -> list[int]:
    values = array.array("q")
    values.frombytes(blob)
    return values.tolist()


def _chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
