"""What attribution (SPEC 9, who changed the text) keeps: earlier texts of a source, the
web archive's captures of it, the CDX lookups made, and whether the archive holds our bytes.

The store keeps what it is given: the crawler decides which text is the earlier one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from store.db import Store, inserted_id, iso, parse_iso, source_faithful_when_reposted
from store.records import FidelityResult, VersionText, WarcRef


@dataclass(frozen=True)
class EarlierText:
    """A text of the original from around a repost's date."""

    version_id: int
    number: int
    normalized: str
    seen_at: str  # when we saw it first, or when the web archive captured it
    from_archive: bool
    archive_url: str | None


def _earlier(row: Any, seen_at: str) -> EarlierText:
    return EarlierText(version_id=row["id"], number=row["number"], normalized=row["normalized"] or "",
                       seen_at=seen_at, from_archive=bool(row["from_archive"]), archive_url=row["archive_url"])


def own_version_before(store: Store, source_id: int, moment: str) -> EarlierText | None:
    """The version we fetched ourselves that was current at `moment`: the last one first seen by then."""
    rows = list(store.db.query(
        "SELECT * FROM versions WHERE source_id = ? AND from_archive = 0 AND first_seen_at <= ? "
        "ORDER BY first_seen_at DESC, number DESC LIMIT 1", [source_id, moment]))
    return _earlier(rows[0], rows[0]["first_seen_at"]) if rows else None


def archived_text_near(store: Store, source_id: int, moment: float, window: float) -> EarlierText | None:
    """The web archive's capture nearest to `moment` (within `window` s either side) that we hold."""
    low, high = iso(moment - window), iso(moment + window)
    found: list[tuple[float, EarlierText]] = []
    for row in store.db.query(
            "SELECT * FROM versions WHERE source_id = ? AND from_archive = 1 AND captured_at BETWEEN ? AND ?",
            [source_id, low, high]):
        found.append((abs(parse_iso(row["captured_at"]) - moment), _earlier(row, row["captured_at"])))
    # A capture whose text equals a version we already held points at that version.
    for row in store.db.query(
            "SELECT v.*, l.timestamp AS captured, l.snapshot_url AS snapshot FROM cdx_lookups l "
            "JOIN versions v ON v.id = l.version_id WHERE l.source_id = ? AND l.timestamp IS NOT NULL",
            [source_id]):
        at = parse_iso(stamp_iso(row["captured"]))
        if abs(at - moment) <= window:
            text = _earlier(row, stamp_iso(row["captured"]))
            found.append((abs(at - moment), EarlierText(text.version_id, text.number, text.normalized, text.seen_at,
                                                        True, row["snapshot"])))
    return min(found, key=lambda f: (f[0], f[1].seen_at))[1] if found else None


def stamp_iso(stamp: str) -> str:
    """A web archive timestamp (`YYYYMMDDhhmmss`, or a prefix of it) as UTC ISO 8601 with Z."""
    s = stamp.ljust(14, "0")
    return f"{s[0:4]}-{s[4:6]}-{s[6:8]}T{s[8:10]}:{s[10:12]}:{s[12:14]}Z"


def recently_looked_up(store: Store, source_id: int, window_from: str, window_to: str, since: str) -> bool:
    """Whether the CDX API was asked for this window at or after `since` and gave nothing usable
    (no capture, or one that holds no article): then it is not asked again yet."""
    return store.db.execute(
        "SELECT 1 FROM cdx_lookups WHERE source_id = ? AND version_id IS NULL AND window_from = ? "
        "AND window_to = ? AND asked_at >= ? LIMIT 1", [source_id, window_from, window_to, since]).fetchone() is not None


def repost_dating(store: Store, repost_ids: list[int]
                  ) -> list[tuple[int, str, str | None, str | None, int | None]]:
    """(id, path, header date, date as scanned, file mtime in ns) of these reposts: what their
    dates come from (a history scan dates a text by its first commit, and gives it no mtime)."""
    marks = ",".join("?" * len(repost_ids))
    return [tuple(row) for row in store.db.execute(
        f"SELECT id, path, published_at, dated_at, mtime_ns FROM reposts WHERE id IN ({marks})", repost_ids)]


def record_lookup(store: Store, source_id: int, asked_at: str, window_from: str, window_to: str, *,
                  timestamp: str | None = None, digest: str | None = None, snapshot_url: str | None = None,
                  version_id: int | None = None) -> None:
    with store.transaction():
        store.db.execute(
            "INSERT INTO cdx_lookups (source_id, asked_at, window_from, window_to, timestamp, digest, snapshot_url, "
            "version_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [source_id, asked_at, window_from, window_to, timestamp, digest, snapshot_url, version_id])


def record_capture(store: Store, source_id: int, body: VersionText, captured_at: str, warc: WarcRef | None,
                   now: str) -> int:
    """Keep an archive capture as a `from_archive` version, in its place in time: the versions
    after it are numbered on, and the source's latest version stays the one it was."""
    conn = store.db.conn
    with store.transaction():
        later = conn.execute(
            "SELECT count(*) FROM versions WHERE source_id = ? AND coalesce(captured_at, first_seen_at) > ?",
            [source_id, captured_at]).fetchone()[0]
        total = conn.execute("SELECT count(*) FROM versions WHERE source_id = ?", [source_id]).fetchone()[0]
        number = total - later + 1
        # Two steps through negative numbers keep (source_id, number) unique at every row.
        conn.execute("UPDATE versions SET number = -number - 1 WHERE source_id = ? AND number >= ?",
                     [source_id, number])
        conn.execute("UPDATE versions SET number = -number WHERE source_id = ? AND number < 0", [source_id])
        cur = conn.execute(
            "INSERT INTO versions (source_id, number, title, text, normalized, extras, first_seen_at, last_seen_at, "
            "from_archive, archive_url, captured_at, warc_file, warc_offset, warc_length, payload_digest) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)",
            [source_id, number, body.title, body.text, body.normalized, body.extras, captured_at, captured_at,
             body.archive_url, captured_at, warc.file if warc else None, warc.offset if warc else None,
             warc.length if warc else None, warc.payload_digest if warc else None])
        conn.execute("UPDATE sources SET versions = versions + 1, changed_at = coalesce(changed_at, ?) WHERE id = ?",
                     [now, source_id])
        return inserted_id(cur)


def version_texts(store: Store, source_id: int) -> list[tuple[int, str]]:
    """(version id, normalised text) of every version of a source."""
    return [(row[0], row[1] or "") for row in store.db.execute(
        "SELECT id, normalized FROM versions WHERE source_id = ? ORDER BY number", [source_id])]


def our_payload_digests(store: Store, source_id: int) -> set[str]:
    """The payload digests (`sha1:BASE32`) of every response of this source we mirrored."""
    return {row[0] for row in store.db.execute(
        "SELECT DISTINCT payload_digest FROM checks WHERE source_id = ? AND payload_digest IS NOT NULL "
        "AND http_status BETWEEN 200 AND 299", [source_id])}


def mark_witnessed(store: Store, source_id: int, witnessed: bool) -> None:
    """Once the web archive was seen holding our bytes, the source stays witnessed."""
    with store.transaction():
        store.db.execute("UPDATE sources SET witnessed = max(coalesce(witnessed, 0), ?) WHERE id = ?",
                         [int(witnessed), source_id])


def record_attribution(store: Store, check_id: int, source_id: int, results: tuple[FidelityResult, ...]) -> None:
    """Add who changed the text to a recorded check's fidelity results, and the source's verdict."""
    with store.transaction():
        for fid in results:
            if fid.attribution is None:
                continue
            store.db.execute(
                "UPDATE fidelity SET hunks = ?, faithful_when_reposted = ?, attribution = ? "
                "WHERE check_id = ? AND repost_id = ?",
                [json.dumps(list(fid.hunks), ensure_ascii=False),
                 None if fid.faithful_when_reposted is None else int(fid.faithful_when_reposted),
                 json.dumps(fid.attribution, ensure_ascii=False), check_id, fid.repost_id])
        verdict = source_faithful_when_reposted(results)
        store.db.execute("UPDATE sources SET faithful_when_reposted = ? WHERE id = ?",
                         [None if verdict is None else int(verdict), source_id])
