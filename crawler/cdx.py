"""The Wayback Machine's CDX API: every 2xx capture of a URL between two moments.

Like `crawler.wayback`, only URLs are built and answers parsed here; every request goes
through the caller's `Fetch` (the crawler's Fetcher), so the archive gets the same
politeness as any host (robots.txt, per-host delay, Retry-After, retries).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit

from crawler.fetch import Fetch
from crawler.wayback import WaybackError, ask, excerpt
from store.attribution import stamp_iso
from store.db import parse_iso

# The fields the CDX API names in its first row when asked for output=json.
_NEEDED = ("timestamp", "original", "statuscode", "digest")


@dataclass(frozen=True)
class Capture:
    timestamp: str  # YYYYMMDDhhmmss
    original: str  # the URL as the archive captured it
    digest: str  # base32 SHA-1 of the capture's payload, as the CDX API gives it
    mimetype: str = ""
    statuscode: str = ""

    @property
    def captured_at(self) -> float:
        return parse_iso(stamp_iso(self.timestamp))

    def snapshot_url(self, cdx_url: str) -> str:
        """The capture's page on the archive (what a report links), on the CDX endpoint's host."""
        parts = urlsplit(cdx_url)
        return f"{parts.scheme}://{parts.netloc}/web/{self.timestamp}/{self.original}"

    def raw_url(self, cdx_url: str) -> str:
        """The capture's `id_` form: the bytes as captured, without the archive's toolbar or rewriting."""
        parts = urlsplit(cdx_url)
        return f"{parts.scheme}://{parts.netloc}/web/{self.timestamp}id_/{self.original}"


def _stamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y%m%d%H%M%S")


def cdx_query(cdx_url: str, url: str, start: float, end: float) -> str:
    """The CDX request for the 2xx captures of `url` from `start` to `end` (epoch seconds)."""
    params = {"url": url, "from": _stamp(start), "to": _stamp(end), "output": "json",
              "filter": "statuscode:200"}
    sep = "&" if "?" in cdx_url else "?"
    return cdx_url + sep + urlencode(params)


def parse_cdx(body: bytes) -> list[Capture]:
    """The captures of a CDX answer (`output=json`): a header row naming the fields, then rows."""
    text = body.strip()
    if not text:
        return []  # the CDX API answers an empty body, as well as [], when it holds nothing
    try:
        rows: Any = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise WaybackError(f"wayback CDX API answered something that is not JSON: {excerpt(body)}") from None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise WaybackError(f"wayback CDX API answer is not a list of rows: {excerpt(body)}")
    if not rows:
        return []
    header = rows[0]
    missing = [name for name in _NEEDED if name not in header]
    if missing:
        raise WaybackError(f"wayback CDX API answer names no {', '.join(missing)} field: {excerpt(body)}")
    at = {name: header.index(name) for name in header if isinstance(name, str)}
    out = []
    for row in rows[1:]:
        if len(row) != len(header):
            raise WaybackError(f"wayback CDX API row has {len(row)} fields, the header {len(header)}: {excerpt(body)}")
        get = {name: str(row[i]) for name, i in at.items()}
        ts = get["timestamp"]
        if not ts.isdigit() or not 4 <= len(ts) <= 14:
            raise WaybackError(f"wayback CDX API row has no usable timestamp: {excerpt(body)}")
        status = get["statuscode"]
        # A capture of a redirect or an error is not a copy of the article (the filter asks
        # for 200s; an archive that ignores it must not mislead us).
        if not (len(status) == 3 and status.startswith("2")):
            continue
        out.append(Capture(timestamp=ts, original=get["original"], digest=get["digest"],
                           mimetype=get.get("mimetype", ""), statuscode=status))
    return out


def closest(captures: list[Capture], moment: float, window: float) -> Capture | None:
    """The capture nearest to `moment` within `window` seconds either side (the earlier one on a tie)."""
    inside = [c for c in captures if abs(c.captured_at - moment) <= window]
    if not inside:
        return None
    return min(inside, key=lambda c: (abs(c.captured_at - moment), c.captured_at))


async def captures_around(fetcher: Fetch, cdx_url: str, url: str,
                          moment: float, window: float) -> list[Capture]:
    """Ask the CDX API for the 2xx captures of `url` within `window` seconds of `moment`.

    A transport error, a non-2xx answer or an unusable body raises WaybackError (one line);
    no capture gives [].
    """
    return parse_cdx(await ask(fetcher, cdx_query(cdx_url, url, moment - window, moment + window), "CDX API"))
