"""Wayback fallback against a fake availability API and snapshot server on 127.0.0.1,
through the real Fetcher, so politeness (robots, delay, Retry-After) is the fetcher's."""

from __future__ import annotations

import asyncio
import json
import time
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import parse_qs

import pytest

from crawler.config import CrawlConfig
from crawler.fetch import Fetcher
from crawler.wayback import (
    Snapshot,
    WaybackError,
    availability_query,
    closest_snapshot,
    parse_availability,
    raw_form,
    wayback_timestamp,
)
from tests.origin import Origin, Reply

ORIGINAL = "https://gnews.org/articles/2444750"
TS = "20240402160000"
UA = "repost-mirror/test (+https://example.org/contact)"
ARTICLE = "<html><body><h1>郭文贵</h1><p>原文段落，一字不差。</p></body></html>".encode("utf-8")


def config(**kw) -> CrawlConfig:
    base = dict(delay=0.05, allow_private_addresses=True, respect_robots=True, user_agent=UA, retries=2, timeout=10)
    base.update(kw)
    return CrawlConfig(**base)


def answer(snapshot_url: str, status: str = "200", ts: str = TS, available: bool = True) -> str:
    return json.dumps({"url": ORIGINAL, "archived_snapshots": {"closest": {
        "available": available, "url": snapshot_url, "timestamp": ts, "status": status}}})


def ask(origin: Origin, timestamp: str | None = "2024-04-02T16:00:00Z", **cfg) -> Snapshot | None:
    async def go() -> Snapshot | None:
        async with Fetcher(config(**cfg), backoff=0.01) as f:
            return await closest_snapshot(f, origin.url("/wayback/available"), ORIGINAL, timestamp)

    return asyncio.run(go())


def test_closest_snapshot_and_raw_form_fetch_the_original_bytes():
    with Origin("127.0.0.1") as archive:
        snap_url = archive.url(f"/web/{TS}/{ORIGINAL}")
        seen: list[dict] = []

        def availability(req):
            seen.append(parse_qs(req.query))
            return Reply(200, answer(snap_url), content_type="application/json")

        archive.route("/wayback/available", availability)
        # The toolbar-wrapped page differs from the raw capture: only the raw one is the original.
        archive.route(f"/web/{TS}/{ORIGINAL}", Reply(200, "<html><div id=wm-toolbar></div>rewritten</html>"))
        archive.route(f"/web/{TS}id_/{ORIGINAL}", Reply(200, ARTICLE, gzip=True))

        async def go():
            async with Fetcher(config(), backoff=0.01) as f:
                snap = await closest_snapshot(f, archive.url("/wayback/available"), ORIGINAL, "2024-04-02T16:00:00Z")
                raw = await f.fetch(snap.raw_url)
                return snap, raw

        snap, raw = asyncio.run(go())

    assert snap == Snapshot(url=snap_url, timestamp=TS, raw_url=archive.url(f"/web/{TS}id_/{ORIGINAL}"))
    assert seen == [{"url": [ORIGINAL], "timestamp": [TS]}]
    assert raw.status == 200 and raw.body == ARTICLE
    # Robots first, the configured User-Agent on every request, as for any other host.
    assert [e.path for e in archive.log] == ["/robots.txt", "/wayback/available", f"/web/{TS}id_/{ORIGINAL}"]
    assert {e.header("user-agent") for e in archive.log} == {UA}


def test_robots_of_the_archive_is_obeyed():
    with Origin("127.0.0.1") as archive:
        archive.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /wayback/\n", content_type="text/plain"))
        archive.route("/wayback/available", Reply(200, answer(archive.url(f"/web/{TS}/{ORIGINAL}"))))
        with pytest.raises(WaybackError, match="robots_disallowed"):
            ask(archive)
        assert [e.path for e in archive.log] == ["/robots.txt"]


@pytest.mark.parametrize("body", [
    '{"url": "x", "archived_snapshots": {}}',
    answer("http://web.archive.org/web/20240402160000/x", status="404"),
    answer("http://web.archive.org/web/20240402160000/x", status="302"),
    answer("http://web.archive.org/web/20240402160000/x", available=False),
], ids=["none", "capture-of-404", "capture-of-redirect", "not-available"])
def test_no_usable_snapshot_is_none(body: str):
    with Origin("127.0.0.1") as archive:
        archive.route("/wayback/available", Reply(200, body, content_type="application/json"))
        assert ask(archive) is None
        assert archive.requests("/wayback/available")


@pytest.mark.parametrize("status", [429, 503])
def test_archive_busy_with_retry_after_is_waited_for(status: int):
    with Origin("127.0.0.1") as archive:
        snap_url = archive.url(f"/web/{TS}/{ORIGINAL}")
        # 429 gives delta-seconds, 503 an HTTP-date: both forms must hold the next request back.
        retry_after = "1" if status == 429 else formatdate(time.time() + 2, usegmt=True)
        archive.route("/wayback/available", [
            Reply(status, "busy", headers={"Retry-After": retry_after}),
            Reply(200, answer(snap_url), content_type="application/json"),
        ])
        snap = ask(archive)
        hits = archive.requests("/wayback/available")

    assert snap is not None and snap.timestamp == TS
    assert [e.status for e in hits] == [status, 200]
    if status == 429:
        gap = hits[1].start - hits[0].start
        assert gap >= 1.0, f"the retry came {gap:.2f} s after a Retry-After of {retry_after!r}"
    else:
        # An HTTP-date names a moment, in whole seconds: the retry must not come before it.
        not_before = parsedate_to_datetime(retry_after).timestamp()
        assert hits[1].wall >= not_before, f"the retry came {not_before - hits[1].wall:.2f} s before {retry_after!r}"


def test_archive_still_busy_after_retries_is_an_error():
    with Origin("127.0.0.1") as archive:
        archive.route("/wayback/available", Reply(503, "down", headers={"Retry-After": "0"}))
        with pytest.raises(WaybackError, match="HTTP 503"):
            ask(archive, retries=1)
        assert len(archive.requests("/wayback/available")) == 2


@pytest.mark.parametrize("body, message", [
    ("<html>\n<body>Service temporarily unavailable</body>\n</html>", "not JSON"),
    ('{"archived_snapshots": [1, 2]}', "no 'archived_snapshots' object"),
    ('["archived_snapshots"]', "no 'archived_snapshots' object"),
    ('{"archived_snapshots": {"closest": "yes"}}', "'closest' is not an object"),
    ('{"archived_snapshots": {"closest": {"available": true, "status": "200"}}}', "lacks a url or timestamp"),
    ('{"archived_snapshots": {"closest": {"url": "http://x/nothing-here", "timestamp": "2024", "status": "200"}}}',
     "no /web/<timestamp>/ part"),
])
def test_malformed_answer_is_a_clear_one_line_error(body: str, message: str):
    with Origin("127.0.0.1") as archive:
        archive.route("/wayback/available", Reply(200, body, content_type="application/json"))
        with pytest.raises(WaybackError) as err:
            ask(archive)
    text = str(err.value)
    assert message in text and "\n" not in text and text.startswith("wayback")


def test_a_snapshot_on_another_host_is_never_fetched():
    # Nothing is fetched from a host outside the sources and the archive: an answer (a proxy's,
    # a hostile endpoint's) that names another host is an error, and that host hears nothing.
    with Origin("127.0.0.1") as archive, Origin("127.0.0.3") as elsewhere:
        elsewhere.route(f"/web/{TS}id_/{ORIGINAL}", Reply(200, ARTICLE))
        archive.route("/wayback/available",
                      Reply(200, answer(elsewhere.url(f"/web/{TS}/{ORIGINAL}")), content_type="application/json"))
        with pytest.raises(WaybackError, match="another host"):
            ask(archive)
    assert elsewhere.log == []


def test_non_2xx_answer_is_an_error():
    with Origin("127.0.0.1") as archive:
        archive.route("/wayback/available", Reply(404, "no such endpoint"))
        with pytest.raises(WaybackError, match="answered HTTP 404"):
            ask(archive)


def test_unreachable_archive_is_an_error():
    from tests.origin import closed_port

    async def go():
        async with Fetcher(config(retries=0), backoff=0.01) as f:
            await closest_snapshot(f, f"http://127.0.0.1:{closed_port()}/wayback/available", ORIGINAL, None)

    with pytest.raises(WaybackError, match="not fetched: (robots_unreachable|refused)"):
        asyncio.run(go())


def test_raw_form_inserts_id_after_the_timestamp_only():
    assert raw_form(f"http://web.archive.org/web/{TS}/https://gnews.org/a/web/1/") == \
        f"http://web.archive.org/web/{TS}id_/https://gnews.org/a/web/1/"
    # An already-modified capture (toolbar frame `if_`) becomes the raw one, not `if_id_`.
    assert raw_form(f"https://web.archive.org/web/{TS}if_/http://x.org/") == f"https://web.archive.org/web/{TS}id_/http://x.org/"
    with pytest.raises(WaybackError):
        raw_form("https://web.archive.org/save/http://x.org/")


def test_query_building_and_timestamps():
    q = availability_query("https://archive.org/wayback/available", "https://gnews.org/a?id=1&x=2", "2024-04-02")
    assert parse_qs(q.split("?", 1)[1]) == {"url": ["https://gnews.org/a?id=1&x=2"], "timestamp": ["20240402000000"]}
    assert availability_query("http://h/av?key=k", "https://g/", None) == "http://h/av?key=k&url=https%3A%2F%2Fg%2F"
    assert wayback_timestamp("2024-04-02T18:00:00+02:00") == TS
    assert wayback_timestamp("2024") == "2024"
    with pytest.raises(WaybackError):
        wayback_timestamp("last tuesday")
    snap = parse_availability(answer(f"http://web.archive.org/web/{TS}/{ORIGINAL}").encode())
    assert snap is not None and snap.raw_url == f"http://web.archive.org/web/{TS}id_/{ORIGINAL}"


# --- the CDX API ------------------------------------------------------------------------

def test_cdx_answer_parsing() -> None:
    from crawler.cdx import Capture, closest, parse_cdx

    header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    rows = [header,
            ["org,gnews)/a/1", "20230301000000", ORIGINAL, "text/html", "200", "AAAA", "10"],
            ["org,gnews)/a/1", "20230319000000", ORIGINAL, "text/html", "301", "BBBB", "0"],
            ["org,gnews)/a/1", "20230325000000", ORIGINAL, "text/html", "200", "CCCC", "12"]]
    caps = parse_cdx(json.dumps(rows).encode())
    # A capture of a redirect is no copy of the article, even when the filter was ignored.
    assert [c.timestamp for c in caps] == ["20230301000000", "20230325000000"]
    assert caps[1] == Capture("20230325000000", ORIGINAL, "CCCC", "text/html", "200")
    assert caps[1].raw_url("https://web.archive.org/cdx/search/cdx") == \
        f"https://web.archive.org/web/20230325000000id_/{ORIGINAL}"
    # The nearest capture within the window, either side; none outside it.
    moment = caps[0].captured_at + 19 * 86400  # 2023-03-20
    assert closest(caps, moment, 30 * 86400).timestamp == "20230325000000"
    assert closest(caps, moment, 3 * 86400) is None
    assert parse_cdx(b"[]") == [] and parse_cdx(b"") == [] and parse_cdx(json.dumps([header]).encode()) == []


@pytest.mark.parametrize("body, message", [
    ("<html>Wayback Machine is down</html>", "not JSON"),
    ('{"error": "x"}', "not a list of rows"),
    ('[["timestamp", "original"], ["2023", "x"]]', "names no statuscode, digest field"),
    ('[["urlkey", "timestamp", "original", "statuscode", "digest"], ["k", "20230101", "x", "200"]]', "4 fields"),
    ('[["urlkey", "timestamp", "original", "statuscode", "digest"], ["k", "yesterday", "x", "200", "D"]]',
     "no usable timestamp"),
])
def test_cdx_garbage_is_a_clear_one_line_error(body: str, message: str) -> None:
    from crawler.cdx import parse_cdx

    with pytest.raises(WaybackError) as err:
        parse_cdx(body.encode())
    assert message in str(err.value) and "\n" not in str(err.value)


def test_cdx_query_asks_for_200s_between_two_moments() -> None:
    from crawler.cdx import cdx_query

    q = cdx_query("https://web.archive.org/cdx/search/cdx", "https://gnews.org/a?id=1", 1679275380.0 - 86400,
                  1679275380.0 + 86400)
    assert parse_qs(q.split("?", 1)[1]) == {"url": ["https://gnews.org/a?id=1"], "from": ["20230319012300"],
                                            "to": ["20230321012300"], "output": ["json"],
                                            "filter": ["statuscode:200"]}
