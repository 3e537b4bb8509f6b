"""A fake Wayback Machine on loopback, speaking the real shapes of its APIs, with a request log.

    with FakeWayback("127.0.0.3") as wb:
        wb.capture("https://site/a/1", "20230321000000", html)
        cfg.wayback: availability_url=wb.availability_url, cdx_url=wb.cdx_url

- `/wayback/available?url=U&timestamp=T`: `{"url", "archived_snapshots": {"closest": {...}}}`,
  the capture nearest to T (or `{}`);
- `/cdx/search/cdx?url=U&from=F&to=T&output=json&filter=statuscode:200`: a header row
  `urlkey, timestamp, original, mimetype, statuscode, digest, length`, then one row per capture
  in [F, T] (timestamps compared as 14-digit prefixes, as the real API does); `[]` when none;
- `/web/<ts>id_/<url>`: the capture's bytes as captured; `/web/<ts>/<url>`: the same inside a
  toolbar, rewritten (what a person sees, never what the product must compare).
`cdx` may be replaced by a Reply (a 500, a hang, garbage) to make the CDX API fail.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.origin import Origin, Reply, Request

CDX_FIELDS = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]


def cdx_digest(body: bytes) -> str:
    """The CDX `digest`: the base32 SHA-1 of the capture's payload."""
    return base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _surt(url: str) -> str:
    parts = urlsplit(url)
    host = ",".join(reversed((parts.hostname or "").split(".")))
    return f"{host}){parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


@dataclass
class FakeCapture:
    url: str
    timestamp: str
    body: bytes
    status: str = "200"
    digest: str | None = None  # what the CDX API says; by default the true digest of `body`


class FakeWayback(Origin):
    def __init__(self, host: str = "127.0.0.3", **kw: Any) -> None:
        super().__init__(host, **kw)
        self.captures: list[FakeCapture] = []
        self.cdx: Any = self._cdx
        self.route("/robots.txt", Reply(404))
        self.route("/wayback/available", self._available)
        self.route("/cdx/search/cdx", lambda req: self.cdx(req) if callable(self.cdx) else self.cdx)
        self.default = self._web

    @property
    def availability_url(self) -> str:
        return self.url("/wayback/available")

    @property
    def cdx_url(self) -> str:
        return self.url("/cdx/search/cdx")

    def capture(self, url: str, timestamp: str, body: bytes | str, **kw: Any) -> FakeCapture:
        cap = FakeCapture(url, timestamp, body.encode() if isinstance(body, str) else body, **kw)
        self.captures.append(cap)
        return cap

    def snapshot_url(self, cap: FakeCapture) -> str:
        return self.url(f"/web/{cap.timestamp}/{cap.url}")

    def cdx_requests(self) -> list[dict[str, list[str]]]:
        return [parse_qs(urlsplit(e.target).query) for e in self.requests("/cdx/search/cdx")]

    def _of(self, url: str) -> list[FakeCapture]:
        return [c for c in self.captures if c.url == url]

    def _available(self, req: Request) -> Reply:
        q = parse_qs(req.query)
        url = (q.get("url") or [""])[0]
        stamp = (q.get("timestamp") or ["0"])[0].ljust(14, "0")
        caps = self._of(url)
        doc: dict[str, Any] = {"url": url, "archived_snapshots": {}}
        if caps:
            best = min(caps, key=lambda c: abs(int(c.timestamp) - int(stamp)))
            doc["archived_snapshots"]["closest"] = {"status": best.status, "available": True,
                                                   "url": self.snapshot_url(best), "timestamp": best.timestamp}
        return Reply(200, json.dumps(doc), content_type="application/json")

    def _cdx(self, req: Request) -> Reply:
        q = parse_qs(req.query)
        url = (q.get("url") or [""])[0]
        low = (q.get("from") or ["0"])[0].ljust(14, "0")
        high = (q.get("to") or ["9"])[0].ljust(14, "9")
        status_filter = [f.split(":", 1)[1] for f in q.get("filter", []) if f.startswith("statuscode:")]
        rows = [[_surt(c.url), c.timestamp, c.url, "text/html", c.status, c.digest or cdx_digest(c.body),
                 str(len(c.body))]
                for c in sorted(self._of(url), key=lambda c: c.timestamp)
                if low <= c.timestamp <= high and (not status_filter or c.status in status_filter)]
        return Reply(200, json.dumps([CDX_FIELDS, *rows] if rows else []), content_type="application/json")

    def _web(self, req: Request) -> Reply:
        path = req.target
        if not path.startswith("/web/"):
            return Reply(404, "<h1>Not Found</h1>")
        stamp, _, target = path[len("/web/"):].partition("/")
        target = unquote(target)
        raw = stamp.endswith("id_")
        for cap in self._of(target):
            if cap.timestamp == stamp.removesuffix("id_"):
                if raw:
                    return Reply(int(cap.status), cap.body)
                return Reply(int(cap.status), b"<div id='wm-ipp'>Wayback toolbar</div>" + cap.body)
        return Reply(404, "<h1>Wayback Machine</h1><p>This page is not archived.</p>")
