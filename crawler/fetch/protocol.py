"""The seam between what needs pages and what fetches them.

The checker, robots.txt and the Wayback client depend on `Fetch`, not on `Fetcher`: another
backend (a browser that renders pages, a replayer of recorded responses in tests) plugs in
by having the same `fetch` and `archive`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from crawler.fetch.redirects import MAX_REDIRECTS
from crawler.fetch.result import FetchResult


class Fetch(Protocol):
    """Fetches a URL politely and says what happened; never raises for the source's own failures."""

    # Where the exchanges of a fetch called with `archive=True` go (robots.txt, Wayback lookups).
    archive: Callable[[FetchResult], Awaitable[Any]] | None

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        robots: bool = True,
        max_redirects: int = MAX_REDIRECTS,
        max_bytes: int | None = None,
        archive: bool = True,
        retries: int | None = None,
        once: bool = False,
    ) -> FetchResult: ...
