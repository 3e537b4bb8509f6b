"""What the fetcher hands the mirror: every exchange of a fetch, its payload as received
(de-chunked, still content-encoded), bounded, and marked when it was cut."""

from __future__ import annotations

import asyncio
import gzip
import time

from crawler.fetch import Fetcher
from tests.kit import TEST_UA, crawl_config, fetch_all
from tests.origin import Origin, Reply, gzip_bomb

PAGE = ("<html><body>" + "<p>第一段正文，足够长的中文内容。</p>" * 200 + "</body></html>").encode()


def test_a_gzip_page_is_kept_as_the_bytes_served():
    wire = gzip.compress(PAGE, mtime=0)
    with Origin("127.0.0.2") as o:
        o.route("/gz", Reply(200, wire, headers={"Content-Encoding": "gzip"}, chunked=True, chunk=1000))
        before = time.time()
        r = fetch_all(crawl_config(), [o.url("/gz")])[0]
    assert r.body == PAGE and not r.truncated
    [ex] = r.exchanges
    assert ex.payload == wire and ex.truncated is None
    assert ex.url == o.url("/gz") and ex.status == 200 and ex.ip == "127.0.0.2"
    # The headers as sent: the encoding and the framing the payload came in.
    assert ("Content-Encoding", "gzip") in ex.response_headers
    assert ("Transfer-Encoding", "chunked") in ex.response_headers
    assert ("User-Agent", TEST_UA) in ex.request_headers
    assert before <= ex.started_at <= time.time()


def test_a_gzip_bomb_is_stored_cut_and_marked():
    bomb = gzip_bomb(200_000_000)
    with Origin("127.0.0.2") as o:
        o.route("/bomb", Reply(200, bomb, headers={"Content-Encoding": "gzip"}))
        r = fetch_all(crawl_config(max_bytes=1_000_000), [o.url("/bomb")])[0]
    assert r.truncated and len(r.body) == 1_000_000
    [ex] = r.exchanges
    assert 0 < len(ex.payload) <= 1_000_000 and bomb.startswith(ex.payload)
    assert ex.truncated == "length"


def test_a_large_plain_body_is_stored_up_to_max_bytes():
    with Origin("127.0.0.2") as o:
        o.route("/big", Reply(200, size=5_000_000))
        r = fetch_all(crawl_config(max_bytes=100_000), [o.url("/big")])[0]
    [ex] = r.exchanges
    assert ex.payload == r.body and len(ex.payload) == 100_000 and ex.truncated == "length"


def test_hops_and_retried_errors_are_exchanges_in_order():
    with Origin("127.0.0.2") as o:
        o.route("/old", Reply(302, headers={"Location": "/new"}))
        o.route("/new", [Reply(503, "busy"), Reply(200, PAGE)])
        r = fetch_all(crawl_config(retries=1), [o.url("/old")], backoff=0.01)[0]
        served = [(e.path, e.status) for e in o.requests() if e.path != "/robots.txt"]
    assert r.status == 200 and r.body == PAGE
    got = [(ex.url.removeprefix(o.origin), ex.status) for ex in r.exchanges]
    assert got == served == [("/old", 302), ("/new", 503), ("/new", 200)]
    assert ("Location", "/new") in r.exchanges[0].response_headers
    assert r.exchanges[1].payload == b"busy"


def test_a_body_cut_by_the_timeout_keeps_what_came():
    with Origin("127.0.0.2") as o:
        o.route("/slow", Reply(200, size=400_000, chunk=20_000, interval=0.4))
        r = fetch_all(crawl_config(timeout=1.0), [o.url("/slow")])[0]
    assert r.error == "timeout"
    [ex] = r.exchanges
    assert ex.status == 200 and ex.truncated == "time" and 0 < len(ex.payload) < 400_000


def test_fetches_go_to_the_archive_unless_the_caller_mirrors_them():
    archived: list[str] = []

    async def sink(result):
        archived.extend(ex.url for ex in result.exchanges)

    async def go(o: Origin) -> None:
        async with Fetcher(crawl_config(), archive=sink) as f:
            await f.fetch(o.url("/mine"), archive=False)
            await f.fetch(o.url("/theirs"))

    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(200, "User-agent: *\nAllow: /\n", content_type="text/plain"))
        o.route("/mine", Reply(200, PAGE))
        o.route("/theirs", Reply(200, PAGE))
        asyncio.run(go(o))
    # robots.txt, fetched on the fetcher's own account, is archived; so is an ordinary fetch.
    assert archived == [o.url("/robots.txt"), o.url("/theirs")]
