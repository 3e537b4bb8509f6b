"""robots.txt per RFC 9309, asserted on what the origin server saw."""

from __future__ import annotations

import dataclasses

import pytest

from crawler.classify import link_status
from crawler.fetch import FetchResult
from crawler.fetch.robots import RobotsState, parse_robots, policy_from_result
from tests.kit import SERVER_LAG, crawl_config, fetch_all
from tests.kit import TEST_UA as UA
from tests.origin import Origin, Reply, closed_port

ARTICLE = "<html><head><title>t</title></head><body><p>article</p></body></html>"


config = crawl_config


@pytest.fixture
def origin():
    with Origin("127.0.0.2", default=Reply(200, ARTICLE)) as o:
        yield o


def test_disallow_and_crawl_delay(origin):
    origin.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private\nCrawl-delay: 0.3\n"))
    results = fetch_all(config(delay=0.05), [origin.url("/a"), origin.url("/private/x"), origin.url("/b")])
    assert [r.status for r in results] == [200, None, 200]
    assert results[1].error == "robots_disallowed"
    assert link_status(results[1]) == "blocked"
    # robots.txt first, fetched once, and the disallowed page never requested.
    assert [e.path for e in origin.log] == ["/robots.txt", "/a", "/b"]
    assert all(e.header("user-agent") == UA for e in origin.log)
    starts = [e.start for e in origin.log]
    # Crawl-delay (0.3) wins over delay (0.05), counted from robots.txt too.
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.3 - SERVER_LAG


def test_a_crawl_delay_of_days_is_a_request_not_to_be_crawled_and_holds_no_crawl(origin):
    # honoured (capped at a day) it held the nightly crawl for days: the robots.txt, then a
    # day's wait for the article; the host's pages are blocked, and nothing else is asked
    origin.route("/robots.txt", Reply(200, "User-agent: *\nCrawl-delay: 1e9\n"))
    results = fetch_all(config(delay=0.05, timeout=5), [origin.url("/a"), origin.url("/b")])
    assert [r.error for r in results] == ["robots_disallowed"] * 2 and link_status(results[0]) == "blocked"
    assert "Crawl-delay" in results[0].detail
    assert [e.path for e in origin.log] == ["/robots.txt"]


def test_a_byte_order_mark_before_the_first_line_loses_no_rule(origin):
    # Editors on Windows save robots.txt with a BOM; its first group must still apply.
    origin.route("/robots.txt", Reply(200, "\ufeffUser-agent: *\nDisallow: /private\n".encode("utf-8"),
                                      content_type="text/plain"))
    results = fetch_all(config(), [origin.url("/a"), origin.url("/private/x")])
    assert [r.error for r in results] == [None, "robots_disallowed"]
    assert [e.path for e in origin.log] == ["/robots.txt", "/a"]


def test_group_for_our_user_agent_wins(origin):
    origin.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /\n\nUser-agent: repost-mirror-test\nDisallow: /no\n"))
    results = fetch_all(config(), [origin.url("/yes"), origin.url("/no")])
    assert [r.error for r in results] == [None, "robots_disallowed"]
    assert [e.path for e in origin.log] == ["/robots.txt", "/yes"]


def test_robots_404_allows_everything(origin):
    results = fetch_all(config(), [origin.url("/robots-free")])
    origin.route("/robots.txt", Reply(404))
    assert results[0].status == 200 and results[0].error is None
    assert [e.path for e in origin.log] == ["/robots.txt", "/robots-free"]


def test_robots_5xx_blocks_the_host_for_the_crawl(origin):
    origin.route("/robots.txt", Reply(500, "oops"))
    results = fetch_all(config(retries=1), [origin.url("/a"), origin.url("/b")])
    assert [r.error for r in results] == ["robots_error", "robots_error"]
    assert all(link_status(r) == "blocked" for r in results)
    # Retried once (retries=1), then cached: no page of the host requested.
    assert [e.path for e in origin.log] == ["/robots.txt", "/robots.txt"]


def test_robots_unreachable_host_is_unreachable():
    port = closed_port("127.0.0.3")
    results = fetch_all(config(retries=1), [f"http://127.0.0.3:{port}/a", f"http://127.0.0.3:{port}/b"])
    assert [r.error for r in results] == ["robots_unreachable"] * 2
    assert all(link_status(r) == "unreachable" for r in results)


def test_robots_timeout_is_unreachable(origin):
    origin.route("/robots.txt", Reply(hang=True))
    results = fetch_all(config(timeout=0.3), [origin.url("/a")])
    assert results[0].error == "robots_unreachable"
    assert [e.path for e in origin.log] == ["/robots.txt"]


def test_robots_redirect_is_followed_and_applies_to_the_first_host(origin):
    with Origin("127.0.0.3") as other:
        other.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /secret\n"))
        origin.route("/robots.txt", Reply(301, headers={"Location": other.url("/robots.txt")}))
        results = fetch_all(config(), [origin.url("/secret"), origin.url("/open")])
        assert [r.error for r in results] == ["robots_disallowed", None]
        assert [e.path for e in origin.log] == ["/robots.txt", "/open"]
        assert [e.path for e in other.log] == ["/robots.txt"]
        assert other.log[0].header("user-agent") == UA


def test_robots_not_consulted_when_disabled(origin):
    origin.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /\n"))
    results = fetch_all(config(respect_robots=False), [origin.url("/a")])
    assert results[0].status == 200
    assert [e.path for e in origin.log] == ["/a"]


def test_policy_rules_without_network():
    def res(status=None, error=None, body=b""):
        return FetchResult(url="http://a/robots.txt", final_url="http://a/robots.txt", status=status, error=error, body=body)

    assert policy_from_result(res(404), UA).state == RobotsState.ALLOW_ALL
    assert policy_from_result(res(401), UA).state == RobotsState.ALLOW_ALL
    assert policy_from_result(res(503), UA).state == RobotsState.BLOCKED
    assert policy_from_result(res(429), UA).state == RobotsState.BLOCKED
    assert policy_from_result(res(error="timeout"), UA).state == RobotsState.UNREACHABLE
    assert policy_from_result(res(error="refused"), UA).state == RobotsState.UNREACHABLE
    assert policy_from_result(res(301, error="too_many_redirects"), UA).state == RobotsState.ALLOW_ALL
    parsed = policy_from_result(res(200, body=b"User-agent: *\nDisallow: /x\nCrawl-delay: 2\n"), UA)
    assert parsed.crawl_delay == 2.0
    assert not parsed.allowed("http://a/x/1", UA) and parsed.allowed("http://a/y", UA)
    assert dataclasses.replace(parsed, state="blocked").allowed("http://a/y", UA) is False
    assert parse_robots("User-agent: *\nRequest-rate: 1/5s\n", UA).crawl_delay == 5.0
