"""The `Fetch` seam: robots.txt and the Wayback client take any backend with the Fetcher's shape.

A replayer of recorded answers stands in for the Fetcher here (what a test double or a browser
renderer would be); it asserts that each caller asks for what it needs and reads what it gets."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from crawler.config import CrawlConfig
from crawler.fetch import Fetch, Fetcher, FetchResult
from crawler.fetch.robots import ROBOTS_MAX_BYTES, ROBOTS_MAX_REDIRECTS, RobotsState, load_robots
from crawler.wayback import WaybackError, closest_snapshot
from store.words import FetchError

UA = "repost-mirror/test (+https://example.org/contact)"


class Replayer:
    """Answers every URL from a table of recorded results, and notes how it was asked."""

    def __init__(self, answers: dict[str, FetchResult]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, dict[str, Any]]] = []
        self.archive: Callable[[FetchResult], Awaitable[Any]] | None = None

    async def fetch(self, url: str, **kw: Any) -> FetchResult:
        self.asked.append((url, kw))
        return self.answers[url]


def _use(fetcher: Fetch) -> Fetch:
    """Typed as the seam: mypy holds both backends to it."""
    return fetcher


def test_robots_through_a_replayed_answer() -> None:
    origin = "http://site.test"
    answer = FetchResult(url=origin + "/robots.txt", final_url=origin + "/robots.txt", status=200,
                         body=b"User-agent: *\nDisallow: /private\nCrawl-delay: 3\n")
    replayer = Replayer({origin + "/robots.txt": answer})
    policy = asyncio.run(load_robots(_use(replayer), origin, UA))
    assert policy.state == RobotsState.PARSED and policy.crawl_delay == 3.0
    assert not policy.allowed(origin + "/private/1", UA) and policy.allowed(origin + "/a/1", UA)
    # robots.txt itself is not gated by robots.txt, and RFC 9309's limits are asked for.
    assert replayer.asked == [(origin + "/robots.txt", {"robots": False, "max_redirects": ROBOTS_MAX_REDIRECTS,
                                                         "max_bytes": ROBOTS_MAX_BYTES, "once": True})]


def test_the_wayback_client_through_a_replayed_answer() -> None:
    api = "http://archive.test/wayback/available"
    snapshot = "http://archive.test/web/20240402160000/https://a.test/1"
    doc = {"archived_snapshots": {"closest": {"available": True, "url": snapshot, "timestamp": "20240402160000",
                                              "status": "200"}}}

    def replayer_for(result: FetchResult) -> Replayer:
        return Replayer({f"{api}?url=https%3A%2F%2Fa.test%2F1": result})

    url = f"{api}?url=https%3A%2F%2Fa.test%2F1"
    ok = replayer_for(FetchResult(url=url, final_url=url, status=200, body=json.dumps(doc).encode()))
    snap = asyncio.run(closest_snapshot(_use(ok), api, "https://a.test/1", None))
    assert snap is not None and snap.raw_url == "http://archive.test/web/20240402160000id_/https://a.test/1"
    failed = replayer_for(FetchResult(url=url, final_url=url, error=FetchError.TIMEOUT, detail="no answer"))
    with pytest.raises(WaybackError, match="not fetched: timeout"):
        asyncio.run(closest_snapshot(_use(failed), api, "https://a.test/1", None))


def test_the_fetcher_is_a_fetch() -> None:
    fetcher = _use(Fetcher(CrawlConfig(user_agent=UA)))
    assert fetcher.archive is None and asyncio.iscoroutinefunction(fetcher.fetch)
