"""robots.txt per host, RFC 9309 error rules, parsed by protego.

The decision logic is pure (`policy_from_result`); the fetching is done by the
Fetcher, through the same per-host politeness as every other request, so that
robots.txt counts against the host's delay and carries the User-Agent. The Fetcher asks
before every request (client.py); this module needs only the `Fetch` seam.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from protego import Protego

from crawler.config import MAX_DELAY
from crawler.fetch.protocol import Fetch
from crawler.fetch.result import FetchResult
from store.words import CONNECTION_ERRORS, FetchError

# RFC 9309 2.5: crawlers must parse at least 500 KiB.
ROBOTS_MAX_BYTES = 512 * 1024
# RFC 9309 2.3.1.2: follow at least five consecutive redirects.
ROBOTS_MAX_REDIRECTS = 5

# RFC 9309 2.3.1.2: a robots.txt that cannot be reached through redirects is "unavailable".
_UNAVAILABLE_ERRORS = frozenset({FetchError.TOO_MANY_REDIRECTS, FetchError.REDIRECT_LOOP, FetchError.BAD_REDIRECT,
                                 FetchError.PRIVATE_ADDRESS})


class RobotsState(StrEnum):
    """How a host's robots.txt answered (RFC 9309 2.3.1). Only the Fetcher reads it: a check
    records the FetchError it leads to and the policy's detail, never the state itself."""

    PARSED = "parsed"  # 2xx: its rules apply
    ALLOW_ALL = "allow_all"  # 4xx or unavailable: everything allowed
    BLOCKED = "blocked"  # 5xx, 429 or a broken answer: nothing allowed
    UNREACHABLE = "unreachable"  # connect error or timeout: nothing allowed, the host is unreachable


@dataclass(frozen=True)
class RobotsPolicy:
    """What robots.txt says for one host for this crawl."""

    state: RobotsState
    http_status: int | None = None
    crawl_delay: float | None = None
    detail: str = ""
    parser: Protego | None = None

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.state == RobotsState.ALLOW_ALL:
            return True
        if self.state == RobotsState.PARSED and self.parser is not None:
            return self.parser.can_fetch(url, user_agent)
        return False


def robots_url(origin: str) -> str:
    """`origin` is scheme://host[:port] (no path)."""
    return origin.rstrip("/") + "/robots.txt"


def parse_robots(text: str, user_agent: str, http_status: int | None = 200) -> RobotsPolicy:
    # A byte-order mark before the first line made it no "User-agent" line: its group's
    # rules were lost and everything was allowed (RFC 9309 2.2: a BOM is ignored).
    parser = Protego.parse(text.removeprefix("\ufeff"))
    delay = parser.crawl_delay(user_agent)
    if delay is None:
        # Request-rate "1/10s" is the other way sites ask for a pace.
        rate = parser.request_rate(user_agent)
        if rate is not None and rate.requests:
            delay = rate.seconds / rate.requests
    pace = float(delay) if delay is not None else None
    if pace is not None:
        # A NaN or negative pace asks for nothing; an endless one is held to the longest delay
        # the config allows (one request a day), so it cannot stall the crawl forever.
        pace = min(pace, MAX_DELAY) if pace >= 0 else None
    return RobotsPolicy(
        RobotsState.PARSED,
        http_status=http_status,
        crawl_delay=pace,
        detail="robots.txt parsed",
        parser=parser,
    )


def policy_from_result(result: FetchResult, user_agent: str) -> RobotsPolicy:
    """RFC 9309 section 2.3.1: map the robots.txt fetch outcome to a policy."""
    status = result.status
    # The host could not be reached: the whole host is unreachable.
    if result.error in CONNECTION_ERRORS:
        return RobotsPolicy(RobotsState.UNREACHABLE, status, detail=f"robots.txt unreachable: {result.detail}")
    if result.error in _UNAVAILABLE_ERRORS:
        return RobotsPolicy(RobotsState.ALLOW_ALL, status, detail=f"robots.txt unavailable ({result.error}): {result.detail}")
    if result.error is not None or status is None:
        return RobotsPolicy(RobotsState.BLOCKED, status, detail=f"robots.txt broken ({result.error}): {result.detail}")
    if 200 <= status < 300:
        text = result.body.decode("utf-8", errors="replace")
        return parse_robots(text, user_agent, status)
    if status == 429 or status >= 500:
        # 429 is a 4xx, but it is the server asking us to back off, not "no robots.txt here".
        return RobotsPolicy(RobotsState.BLOCKED, status, detail=f"robots.txt answered {status}: nothing allowed this crawl")
    if 400 <= status < 500:
        return RobotsPolicy(RobotsState.ALLOW_ALL, status, detail=f"robots.txt answered {status}: everything allowed")
    # 1xx / 3xx left over (e.g. a redirect without Location): unavailable.
    return RobotsPolicy(RobotsState.ALLOW_ALL, status, detail=f"robots.txt answered {status}: treated as unavailable")


async def load_robots(fetcher: Fetch, origin: str, user_agent: str) -> RobotsPolicy:
    """Fetch and interpret `origin`'s robots.txt through `fetcher` (the crawl's, so politeness applies)."""
    result = await fetcher.fetch(
        robots_url(origin), robots=False, max_redirects=ROBOTS_MAX_REDIRECTS, max_bytes=ROBOTS_MAX_BYTES, once=True
    )
    return policy_from_result(result, user_agent)
