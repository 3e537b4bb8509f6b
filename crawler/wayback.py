"""The Wayback Machine fallback: the archived snapshot closest to a date, and its raw form.

Only URLs are built and answers parsed here. Every request goes through the caller's
`Fetch` (the crawler's Fetcher), so robots.txt, the per-host delay, Retry-After on 429/503
and retries apply to the archive exactly as to any other host.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

from crawler.fetch import Fetch
from store.attribution import stamp_iso

# The path segment that names a capture: /web/<1-14 digits><optional modifier like id_, if_, im_>/
_WEB_TS = re.compile(r"/web/(\d{1,14})([a-z]{2}_)?/")


@dataclass(frozen=True)
class Snapshot:
    url: str  # the snapshot URL as the archive gave it (what the report shows as archived_copy)
    timestamp: str  # YYYYMMDDhhmmss of the capture
    raw_url: str  # the same capture with `id_`: the original bytes, without the archive's toolbar or rewriting


class WaybackError(Exception):
    """The availability API could not be asked or answered something unusable (one line)."""

    def __init__(self, message: str) -> None:
        # The crawl logs this and goes on: keep it to one line whatever the archive sent.
        super().__init__(" ".join(message.split()))


def wayback_timestamp(value: str | None) -> str | None:
    """`YYYYMMDDhhmmss` (or a prefix of it) from an ISO 8601 date or datetime, or digits as given."""
    if value is None:
        return None
    v = value.strip()
    if not v:
        return None
    if v.isdigit():
        return v[:14]
    try:
        dt = datetime.fromisoformat(v)
    except ValueError:
        raise WaybackError(f"wayback: not a date or timestamp: {value!r}") from None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc)
    return dt.strftime("%Y%m%d%H%M%S")


def availability_query(availability_url: str, url: str, timestamp: str | None) -> str:
    params = {"url": url}
    ts = wayback_timestamp(timestamp)
    if ts:
        params["timestamp"] = ts
    sep = "&" if "?" in availability_url else "?"
    return availability_url + sep + urlencode(params)


def raw_form(snapshot_url: str) -> str:
    """The `id_` form of a snapshot URL, keeping its scheme and host as given."""
    m = _WEB_TS.search(snapshot_url)
    if m is None:
        raise WaybackError(f"wayback: snapshot URL has no /web/<timestamp>/ part: {snapshot_url}")
    return snapshot_url[: m.start()] + f"/web/{m.group(1)}id_/" + snapshot_url[m.end():]


def snapshot_time(snapshot_url: str | None) -> str | None:
    """When a snapshot was captured (UTC ISO 8601 with Z), from the timestamp in its URL."""
    m = _WEB_TS.search(snapshot_url or "")
    return None if m is None else stamp_iso(m.group(1))


def excerpt(body: bytes, n: int = 80) -> str:
    """The start of an answer, on one line and quoted, for an error message."""
    text = body[:n].decode("utf-8", "replace")
    text = " ".join(text.split())
    return repr(text + ("…" if len(body) > n else ""))


def parse_availability(body: bytes) -> Snapshot | None:
    """The closest 2xx snapshot in an availability API answer, None when there is none."""
    try:
        doc: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WaybackError(f"wayback availability API answered something that is not JSON: {excerpt(body)}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("archived_snapshots"), dict):
        raise WaybackError(f"wayback availability API answer has no 'archived_snapshots' object: {excerpt(body)}")
    closest = doc["archived_snapshots"].get("closest")
    if closest is None:
        return None
    if not isinstance(closest, dict):
        raise WaybackError(f"wayback availability API: 'closest' is not an object: {excerpt(body)}")
    if closest.get("available") is False:
        return None
    snap_url, ts = closest.get("url"), closest.get("timestamp")
    if not isinstance(snap_url, str) or not snap_url or not isinstance(ts, (str, int)) or not str(ts).isdigit():
        raise WaybackError(f"wayback availability API: 'closest' lacks a url or timestamp: {excerpt(body)}")
    status = str(closest.get("status", "")).strip()
    # A capture of a 404 or a redirect is not a copy of the article.
    if not (len(status) == 3 and status.startswith("2") and status.isdigit()):
        return None
    return Snapshot(url=snap_url, timestamp=str(ts), raw_url=raw_form(snap_url))


async def ask(fetcher: Fetch, query: str, api: str) -> bytes:
    """The body of the archive's answer to `query` (`api` names it in messages).

    A transport error or a non-2xx answer raises WaybackError.
    """
    result = await fetcher.fetch(query)
    error = getattr(result, "error", None)
    status = getattr(result, "status", None)
    if error:
        detail = getattr(result, "detail", "") or ""
        # error is the fetcher's word (timeout, refused, robots_disallowed, ...), detail its cause.
        raise WaybackError(f"wayback {api} not fetched: {error}{' (' + detail + ')' if detail else ''}: {query}")
    if status is None or not 200 <= int(status) < 300:
        raise WaybackError(f"wayback {api} answered HTTP {status}: {query}")
    return getattr(result, "body", b"") or b""


async def closest_snapshot(
    fetcher: Fetch, availability_url: str, url: str, timestamp: str | None
) -> Snapshot | None:
    """Ask the availability API for the capture of `url` closest to `timestamp`.

    A transport error, a non-2xx answer or an unusable body raises WaybackError; no 2xx
    capture gives None.
    """
    snapshot = parse_availability(await ask(fetcher, availability_query(availability_url, url, timestamp),
                                            "availability API"))
    if snapshot is not None and not _of_the_archive(snapshot.url, availability_url):
        # Nothing is fetched from a host outside the sources and the archive (SPEC 6): an answer
        # that names another host (a proxy's, a hostile endpoint's) is not followed there.
        raise WaybackError(f"wayback availability API named a snapshot on another host: {excerpt(snapshot.url.encode())}")
    return snapshot


def _of_the_archive(snapshot_url: str, endpoint: str) -> bool:
    """Whether `snapshot_url` is on the endpoint's host or a host below it (archive.org's
    answers name web.archive.org)."""
    host = (urlsplit(snapshot_url).hostname or "").rstrip(".")
    home = (urlsplit(endpoint).hostname or "").rstrip(".")
    return bool(home) and (host == home or host.endswith("." + home))
