"""What one fetch gives back: the final answer, the redirects that led there, and every
exchange on the way (for the mirror). A module of its own, so that the modules a fetch
uses (robots.txt, the Wayback client) need the type and not the fetcher."""

from __future__ import annotations

from dataclasses import dataclass, field

from store.records import Exchange
from store.words import FetchError


@dataclass
class FetchResult:
    url: str                                   # requested
    final_url: str                             # after redirects
    status: int | None = None                  # last HTTP status, None if no response
    reason: str = ""
    http_version: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)          # last response, as received
    request_headers: list[tuple[str, str]] = field(default_factory=list)  # last request, as sent
    body: bytes = b""                          # decoded, at most max_bytes
    truncated: bool = False                    # cut at max_bytes
    broken: str | None = None                  # the body ended early: "time" (timeout) or "disconnect"
    redirects: list[tuple[int, str]] = field(default_factory=list)        # (status, absolute location)
    error: FetchError | None = None
    detail: str = ""
    started_at: float = 0.0                    # time.time() of the first request (or of the call if none was sent)
    attempts: int = 0                          # HTTP requests sent for this fetch: hops and retries, not robots.txt
    # Every request of this fetch that got a response (hops, retried errors, the last one), in order.
    exchanges: list[Exchange] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """The first response header called `name` (case-insensitive)."""
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None
