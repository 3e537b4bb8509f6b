"""The fetcher's rules, asserted on the wire: what the origin server saw, and when."""

from __future__ import annotations

import asyncio
import gzip
import random
import re
import ssl
import time
import tracemalloc
import zlib
from email.utils import formatdate

import brotlicffi
import pytest

import crawler.fetch.address as address_module
from crawler.classify import link_status, matches_probe, page_signature, probe_url, soft404_evidence
from crawler.config import CrawlConfig
from crawler.fetch import Fetcher, FetchResult, parse_retry_after
from tests.kit import PARAS, SERVER_LAG, article_page, crawl_config, fetch_all
from tests.kit import TEST_UA as UA
from tests.origin import Origin, Reply, brotli_bomb, closed_port, gzip_bomb, server_tls

ARTICLE = "<html><head><title>An article</title></head><body><p>Some article text.</p></body></html>"


config = crawl_config


def make(cfg: CrawlConfig, **kw) -> Fetcher:
    kw.setdefault("backoff", 0.01)
    kw.setdefault("backoff_max", 0.05)
    return Fetcher(cfg, **kw)


def fetch_one(cfg: CrawlConfig, url: str, **kw) -> FetchResult:
    return fetch_all(cfg, [url], **kw)[0]


def has_article(r: FetchResult) -> bool:
    """Stand-in for the extractor: a page with a paragraph has an article."""
    return b"<p>" in r.body


@pytest.fixture
def origin():
    with Origin("127.0.0.2", default=Reply(200, ARTICLE)) as o:
        o.route("/robots.txt", Reply(404))
        yield o


def pages(origin: Origin) -> list[str]:
    return [e.path for e in origin.log if e.path != "/robots.txt"]


# --- plain answers --------------------------------------------------------------------------

@pytest.mark.parametrize("status, word", [(404, "gone"), (410, "gone"), (401, "blocked"), (403, "blocked"), (451, "blocked")])
def test_error_statuses(origin, status, word):
    origin.route("/x", Reply(status, "<h1>no</h1>"))
    r = fetch_one(config(retries=2), origin.url("/x"))
    assert r.status == status and r.error is None and r.attempts == 1
    assert link_status(r) == word
    assert pages(origin) == ["/x"]  # client errors are not retried


def test_result_fields_for_a_plain_page(origin):
    origin.route("/a", Reply(200, ARTICLE, headers={"X-Test": "yes"}))
    before = time.time()
    r = fetch_one(config(), origin.url("/a"))
    assert (r.status, r.reason, r.http_version, r.body) == (200, "OK", "HTTP/1.1", ARTICLE.encode())
    assert ("X-Test", "yes") in r.headers
    assert dict((k.lower(), v) for k, v in r.request_headers)["user-agent"] == UA
    assert r.final_url == r.url and not r.redirects and not r.truncated
    assert before <= r.started_at <= time.time() and r.attempts == 1
    assert link_status(r) == "alive"


def test_gzip_body_is_decoded(origin):
    origin.route("/z", Reply(200, ARTICLE * 50, gzip=True))
    r = fetch_one(config(), origin.url("/z"))
    assert r.body == (ARTICLE * 50).encode() and ("Content-Encoding", "gzip") in r.headers
    assert origin.log[-1].header("accept-encoding") == "gzip, deflate"


def test_a_brotli_body_sent_unasked_is_read_as_a_browser_reads_it(origin):
    # A CDN that serves its cached brotli copy whatever was asked: a browser reads the page.
    page = (ARTICLE * 50).encode()
    wire = brotlicffi.compress(page)
    origin.route("/br", Reply(200, wire, headers={"Content-Encoding": "br"}, chunked=True, chunk=300))
    origin.route("/br-then-junk", Reply(200, brotlicffi.compress(page) + b"\r\n", headers={"Content-Encoding": "br"}))
    origin.route("/not-br", Reply(200, b"\x1b\xff\xff\xffnot brotli at all" * 20, headers={"Content-Encoding": "br"}))
    r = fetch_one(config(), origin.url("/br"))
    assert r.body == page and not r.truncated and ("Content-Encoding", "br") in r.headers
    assert "not decoded" not in r.detail
    assert r.exchanges[0].payload == wire  # the mirror keeps the bytes as served
    assert origin.log[-1].header("accept-encoding") == "gzip, deflate"  # still not asked for
    assert fetch_one(config(), origin.url("/br-then-junk")).body == page
    broken = fetch_one(config(retries=0), origin.url("/not-br"))
    assert broken.error is not None and "br body does not decode" in broken.detail, broken.detail


# --- retries and Retry-After ----------------------------------------------------------------

def test_500_that_never_recovers_is_retried_then_server_error(origin):
    origin.route("/down", Reply(500, "boom"))
    r = fetch_one(config(retries=2), origin.url("/down"))
    assert r.status == 500 and r.attempts == 3 and "3 attempts" in r.detail
    assert pages(origin) == ["/down"] * 3
    assert link_status(r) == "server_error"


def test_429_with_retry_after_seconds_waits_before_the_next_request(origin):
    origin.route("/busy", [Reply(429, headers={"Retry-After": "1"}), Reply(200, ARTICLE)])
    r = fetch_one(config(retries=2), origin.url("/busy"))
    assert r.status == 200 and r.attempts == 2
    first, second = origin.requests("/busy")
    assert second.start - first.start >= 1.0 - 0.01


def test_503_with_retry_after_http_date(origin):
    # HTTP-dates have whole seconds: "now + 2 s" means a wait of more than 1 s.
    origin.route("/busy", lambda req: Reply(503, headers={"Retry-After": formatdate(time.time() + 2, usegmt=True)})
                 if len(origin.requests("/busy")) == 1 else Reply(200, ARTICLE))
    r = fetch_one(config(retries=1), origin.url("/busy"))
    assert r.status == 200 and r.attempts == 2
    first, second = origin.requests("/busy")
    assert second.start - first.start >= 1.0


def test_retry_after_also_holds_back_other_pages_of_the_host(origin):
    origin.route("/busy", Reply(503, headers={"Retry-After": "1"}))
    t0 = time.monotonic()
    results = fetch_all(config(retries=0), [origin.url("/busy"), origin.url("/other")])
    assert [r.status for r in results] == [503, 200]
    busy, other = origin.requests("/busy")[0], origin.requests("/other")[0]
    assert other.start - busy.start >= 1.0 - 0.01
    assert time.monotonic() - t0 < 3


def test_absurd_retry_after_gives_up_instead_of_sleeping(origin):
    origin.route("/busy", Reply(429, headers={"Retry-After": "86400"}))
    t0 = time.monotonic()
    r = fetch_one(config(retries=3), origin.url("/busy"))
    assert time.monotonic() - t0 < 2
    assert r.status == 429 and r.attempts == 1 and "gave up" in r.detail
    assert link_status(r) == "server_error"


def test_parse_retry_after():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
    now = 1_700_000_000.0
    assert parse_retry_after(formatdate(now + 30, usegmt=True), now=now) == pytest.approx(30, abs=1)
    assert parse_retry_after(formatdate(now - 30, usegmt=True), now=now) == 0.0


def test_timeout_on_a_server_that_never_answers(origin):
    origin.route("/hang", Reply(hang=True))
    t0 = time.monotonic()
    r = fetch_one(config(timeout=0.3, retries=1), origin.url("/hang"))
    elapsed = time.monotonic() - t0
    assert r.error == "timeout" and r.status is None and r.attempts == 2
    assert pages(origin) == ["/hang", "/hang"]
    assert 0.6 <= elapsed < 2.0
    assert link_status(r) == "unreachable"


def test_timeout_covers_a_body_that_trickles(origin):
    # Headers at once, then 100 bytes every 0.1 s for 10 s: each read is quick, so only a
    # limit on the whole request stops it.
    origin.route("/slow", Reply(200, size=10_000, chunk=100, interval=0.1))
    t0 = time.monotonic()
    r = fetch_one(config(timeout=0.5), origin.url("/slow"))
    assert r.error == "timeout" and time.monotonic() - t0 < 1.5
    assert 0 < origin.requests("/slow")[0].bytes_sent < 10_000


def test_connection_refused_is_retried_then_unreachable():
    port = closed_port("127.0.0.2")
    r = fetch_one(config(retries=2, respect_robots=False), f"http://127.0.0.2:{port}/a")
    assert r.error == "refused" and r.attempts == 3
    assert link_status(r) == "unreachable"


def test_dns_failure():
    async def resolve(name):
        raise OSError(f"no such name {name}")

    r = fetch_one(config(), "http://nowhere.test/a", resolve=resolve)
    assert r.error == "dns" and r.attempts == 0
    assert link_status(r) == "unreachable"


# --- redirects ------------------------------------------------------------------------------

def test_redirect_to_another_article(origin):
    origin.route("/old", Reply(301, headers={"Location": "/new/123"}))
    r = fetch_one(config(), origin.url("/old"))
    assert r.status == 200 and r.final_url == origin.url("/new/123")
    assert r.redirects == [(301, origin.url("/new/123"))] and r.attempts == 2
    assert pages(origin) == ["/old", "/new/123"]
    assert link_status(r) == "redirected"


def test_a_redirect_that_only_escapes_the_url_another_way_and_adds_a_slash_is_no_move(origin):
    # "/新闻/1" is sent as "/%E6%96%B0%E9%97%BB/1"; the server answers with its own escaping
    # (lower-case hex) and a slash: the same URL, so `alive`, not `redirected`
    origin.route("/%E6%96%B0%E9%97%BB/1", Reply(301, headers={"Location": "/%e6%96%b0%e9%97%bb/1/"}))
    r = fetch_one(config(), origin.url("/新闻/1"))
    assert r.status == 200 and len(r.redirects) == 1 and link_status(r) == "alive", (r.redirects, pages(origin))


def test_a_location_written_with_backslashes_or_on_a_300_is_followed_as_a_browser_does(origin):
    # "\\news\\1.html" (a Windows server's Location): browsers read its backslashes as the
    # path's slashes; joined as letters it was "/old%5Cnews%5C1.html", which 404s: a live article gone.
    origin.route("/dir/old", Reply(302, headers={"Location": "\\news\\1.html?from=old"}))
    r = fetch_one(config(), origin.url("/dir/old"))
    assert r.status == 200 and pages(origin) == ["/dir/old", "/news/1.html"], pages(origin)
    assert r.final_url == origin.url("/news/1.html?from=old")
    # a 300 that names its preferred choice goes there, as browsers go
    origin.clear()
    origin.route("/choices", Reply(300, "<ul><li>a</li></ul>", headers={"Location": "/news/2"}))
    r = fetch_one(config(), origin.url("/choices"))
    assert r.status == 200 and r.redirects == [(300, origin.url("/news/2"))] and link_status(r) == "redirected"


def test_a_location_in_raw_utf8_or_gbk_bytes_is_followed_as_a_browser_does(origin):
    # Chinese sites write "/新闻/1" into Location as raw bytes; read as latin-1 and encoded again,
    # it became a URL that 404s, and a live article was gone
    origin.route("/old", Reply(301, headers={"Location": "/新闻/1".encode().decode("latin-1")}))
    origin.route("/%E6%96%B0%E9%97%BB/1", Reply(200, article_page("标题", PARAS)))
    r = fetch_one(config(), origin.url("/old"))
    assert r.status == 200 and pages(origin) == ["/old", "/%E6%96%B0%E9%97%BB/1"]
    origin.route("/gbk", Reply(301, headers={"Location": "/新闻/2".encode("gbk").decode("latin-1")}))
    origin.route("/%D0%C2%CE%C5/2", Reply(200, article_page("标题", PARAS)))
    r = fetch_one(config(), origin.url("/gbk"))
    assert r.status == 200 and r.final_url == origin.url("/%D0%C2%CE%C5/2")


def test_credentials_in_a_redirect_are_neither_sent_nor_shown(origin):
    there = origin.url("/new").replace("http://", "http://user:secret@")
    origin.route("/old", Reply(302, headers={"Location": there}))
    origin.route("/new", Reply(200, article_page("标题", PARAS)))
    r = fetch_one(config(), origin.url("/old"))
    assert r.status == 200 and r.final_url == origin.url("/new") and "secret" not in str(r.redirects)
    assert [e.header("authorization") for e in origin.log if e.path == "/new"] == [None]


def test_a_garbled_answer_is_a_protocol_error_said_once():
    async def garble(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"NONSENSE FROM THE SERVER\r\n\r\n")
        await writer.drain()
        writer.close()

    async def go() -> FetchResult:
        server = await asyncio.start_server(garble, "127.0.0.2", 0)
        port = server.sockets[0].getsockname()[1]
        async with server, Fetcher(config(retries=0, respect_robots=False)) as f:
            return await f.fetch(f"http://127.0.0.2:{port}/a")

    r = asyncio.run(go())
    assert r.error == "protocol" and link_status(r) == "server_error"
    # httpx re-raises h11's error as its own: the cause is said once, not once per wrapper
    assert r.detail.count("NONSENSE") <= 1 and r.detail.count("illegal status line") == 1, r.detail


def test_headers_past_the_clients_bound_are_said_as_such(origin):
    # 1 MB of response headers (browsers refuse past 256 KiB): a server's fault, said in words a
    # user reads, not h11's "Receive buffer too long" alone
    origin.route("/big", Reply(200, ARTICLE, headers={"X-Padding": "a" * 1_000_000}))
    r = fetch_one(config(retries=0), origin.url("/big"))
    assert r.error == "protocol" and link_status(r) == "server_error"
    assert r.detail.startswith("response headers longer than 100 KiB"), r.detail


def test_redirect_to_trailing_slash_is_still_alive(origin):
    origin.route("/a", Reply(301, headers={"Location": origin.url("/a/")}))
    r = fetch_one(config(), origin.url("/a"))
    assert pages(origin) == ["/a", "/a/"]
    assert link_status(r) == "alive"


def test_redirect_to_home_is_soft_404(origin):
    origin.route("/deleted/123", Reply(302, headers={"Location": "/"}))
    r = fetch_one(config(), origin.url("/deleted/123"))
    assert r.final_url == origin.url("/") and has_article(r)
    assert link_status(r, soft404=soft404_evidence(r)) == "soft_404"


def test_redirect_loop(origin):
    origin.route("/l1", Reply(302, headers={"Location": "/l2"}))
    origin.route("/l2", Reply(302, headers={"Location": "/l1"}))
    r = fetch_one(config(), origin.url("/l1"))
    assert r.error == "redirect_loop" and r.status == 302
    assert pages(origin) == ["/l1", "/l2"]  # the loop is seen before going round again
    assert link_status(r) == "server_error"


def test_a_cookie_wall_is_a_visit_not_a_loop(origin):
    # A 302 to the page itself that sets a cookie, the page once the cookie comes back.
    def wall(req):
        if "seen=1" in (req.header("cookie") or ""):
            return Reply(200, ARTICLE)
        return Reply(302, headers=[("Location", req.path), ("Set-Cookie", "seen=1; Path=/; HttpOnly")])

    origin.route("/wall", wall)
    origin.route("/stubborn", Reply(302, headers=[("Location", "/stubborn"), ("Set-Cookie", "seen=1")]))
    r = fetch_one(config(), origin.url("/wall"))
    assert r.status == 200 and r.error is None and link_status(r) == "alive"
    assert [e.header("cookie") for e in origin.log if e.path == "/wall"] == [None, "seen=1"]
    # no cookie outlives its fetch: the next check starts without one
    fetch_one(config(), origin.url("/wall"))
    assert [e.header("cookie") for e in origin.log if e.path == "/wall"][2] is None
    # a wall that never lets in is a loop once the cookie it set has come back
    r = fetch_one(config(), origin.url("/stubborn"))
    assert r.error == "redirect_loop" and link_status(r) == "server_error"
    assert [e.header("cookie") for e in origin.log if e.path == "/stubborn"] == [None, "seen=1"]


def test_too_many_redirects(origin):
    def chain(req):
        n = int(req.path.rsplit("/", 1)[1])
        return Reply(301, headers={"Location": f"/c/{n + 1}"})

    for n in range(20):
        origin.route(f"/c/{n}", chain)
    r = fetch_one(config(), origin.url("/c/0"))
    assert r.error == "too_many_redirects" and len(r.redirects) == 11
    assert pages(origin) == [f"/c/{n}" for n in range(11)]  # 10 redirects followed, no more
    assert link_status(r) == "server_error"


def test_redirect_to_a_non_http_scheme(origin):
    origin.route("/ftp", Reply(301, headers={"Location": "ftp://127.0.0.2/file"}))
    r = fetch_one(config(), origin.url("/ftp"))
    assert r.error == "bad_redirect" and pages(origin) == ["/ftp"]


def test_redirect_hop_obeys_the_robots_of_its_host(origin):
    with Origin("127.0.0.3") as other:
        other.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private\n"))
        origin.route("/go", Reply(301, headers={"Location": other.url("/private/1")}))
        r = fetch_one(config(), origin.url("/go"))
        assert r.error == "robots_disallowed"
        assert [e.path for e in other.log] == ["/robots.txt"]
        assert other.log[0].header("user-agent") == UA


# --- conditional requests -------------------------------------------------------------------

def test_conditional_request_gets_304(origin):
    etag, modified = '"v1"', "Tue, 01 Apr 2025 10:00:00 GMT"

    def page(req):
        if req.header("if-none-match") == etag or req.header("if-modified-since") == modified:
            return Reply(304, headers={"ETag": etag})
        return Reply(200, ARTICLE, headers={"ETag": etag, "Last-Modified": modified})

    origin.route("/a", page)

    async def go():
        async with make(config()) as f:
            first = await f.fetch(origin.url("/a"))
            again = await f.fetch(origin.url("/a"), etag=first.header("etag"), last_modified=first.header("last-modified"))
            return first, again

    first, again = asyncio.run(go())
    assert first.status == 200 and again.status == 304 and again.body == b"" and again.error is None
    plain, conditional = origin.requests("/a")
    assert plain.header("if-none-match") is None and plain.header("if-modified-since") is None
    assert conditional.header("if-none-match") == etag and conditional.header("if-modified-since") == modified
    assert link_status(again, previous="alive") == "alive"
    # the same 304 to a request that asked nothing is no answer
    origin.route("/b", Reply(304))
    assert link_status(fetch_one(config(), origin.url("/b")), previous="alive") == "server_error"


# --- size and memory ------------------------------------------------------------------------

def _peak_memory(cfg: CrawlConfig, url: str) -> tuple[FetchResult, int]:
    """A fetch, and the peak of Python memory allocated while it ran. It is a Fetcher's second
    fetch of the URL: setting up a Fetcher (once a crawl) allocates several MB for a moment,
    which would hide what a fetch costs."""

    async def go() -> tuple[FetchResult, int]:
        async with Fetcher(cfg, backoff=0.01, backoff_max=0.05) as f:
            await f.fetch(url)
            tracemalloc.start()
            try:
                return await f.fetch(url), tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()

    return asyncio.run(go())


def test_huge_page_is_truncated_with_bounded_memory(origin):
    origin.route("/big", Reply(200, size=20_000_000))
    r, peak = _peak_memory(config(max_bytes=1_000_000), origin.url("/big"))
    assert r.status == 200 and r.truncated and len(r.body) == 1_000_000
    assert peak < 3_500_000, peak  # the body, and its parts while they are joined
    # The reading stopped early: the server could not push all 20 MB.
    assert origin.requests("/big")[0].bytes_sent < 20_000_000


def test_exactly_max_bytes_is_not_truncated(origin):
    origin.route("/fit", Reply(200, size=5000))
    origin.route("/fitz", Reply(200, "x" * 5000, gzip=True))
    r, z = fetch_all(config(max_bytes=5000), [origin.url("/fit"), origin.url("/fitz")])
    assert len(r.body) == 5000 and not r.truncated
    assert z.body == b"x" * 5000 and not z.truncated


@pytest.mark.parametrize("after", [b"\n", b"\0" * 20, b"<!-- cached -->" * 10])
def test_bytes_after_the_compressed_body_are_ignored_as_browsers_ignore_them(origin, after: bytes):
    page = (ARTICLE * 50).encode()
    for n, (coding, packed) in enumerate((("gzip", gzip.compress(page)), ("deflate", zlib.compress(page)))):
        origin.route(f"/pad/{n}", Reply(200, packed + after, headers={"Content-Encoding": coding}))
        r = fetch_one(config(), origin.url(f"/pad/{n}"))
        assert r.status == 200 and r.error is None and r.body == page, (coding, r.detail)
    # a body that is no gzip stream from its first byte is still a server's fault
    origin.route("/junk", Reply(200, b"<html>" + after, headers={"Content-Encoding": "gzip"}))
    assert fetch_one(config(), origin.url("/junk")).error is not None


def test_gzip_bomb_is_cut_while_streaming(origin):
    bomb = gzip_bomb(200_000_000)
    assert len(bomb) < 1_000_000
    origin.route("/bomb", Reply(200, bomb, headers={"Content-Encoding": "gzip"}))
    r, peak = _peak_memory(config(max_bytes=1_000_000), origin.url("/bomb"))
    assert r.status == 200 and r.truncated and r.body == bytes(1_000_000)
    assert peak < 3_500_000, peak


def test_brotli_bomb_is_cut_while_streaming(origin):
    bomb = brotli_bomb(200_000_000)
    assert len(bomb) < 100_000
    origin.route("/bomb", Reply(200, bomb, headers={"Content-Encoding": "br"}, chunk=1000))
    r, peak = _peak_memory(config(max_bytes=1_000_000), origin.url("/bomb"))
    assert r.status == 200 and r.truncated and r.body == bytes(1_000_000)
    assert peak < 3_500_000, peak


# --- politeness on the wire -----------------------------------------------------------------

def test_delay_between_starts_counts_every_request(origin):
    delay = 0.2
    origin.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private\n"))
    origin.route("/moved", Reply(301, headers={"Location": "/a/1"}))
    origin.route("/flaky", [Reply(503, "x"), Reply(200, ARTICLE)])
    urls = [origin.url(p) for p in ("/moved", "/flaky", "/b", "/private", "/c")]
    results = fetch_all(config(delay=delay, retries=1), urls, concurrent=True)
    assert [r.status for r in results] == [200, 200, 200, None, 200]
    log = origin.log
    assert log[0].path == "/robots.txt"
    assert sorted(e.path for e in log) == sorted(["/robots.txt", "/moved", "/a/1", "/flaky", "/flaky", "/b", "/c"])
    for a, b in zip(log, log[1:]):
        assert b.start - a.start >= delay - SERVER_LAG, (a.path, b.path, b.start - a.start)
        assert a.end is not None and a.end <= b.start  # per_host_concurrency = 1: never overlapping
    assert all(e.header("user-agent") == UA for e in log)
    assert "/private" not in [e.path for e in log]
    # Keep-alive: one connection served the host's pages (robots.txt asks on its own, closed
    # after it: what a host sends after it must not be read as a page's answer).
    assert len({e.client for e in log if e.path != "/robots.txt"}) == 1
    assert log[0].header("connection") == "close"


def test_per_host_and_global_concurrency():
    def max_overlap(entries):
        # An answer's end is logged after its last byte went out, when the client may already
        # have sent the next request (seen once in a full run): an overlap shorter than the lag
        # is none. Each answer takes 150 ms, so requests really in flight together overlap longer.
        events = sorted([(e.start, 1) for e in entries] + [(e.end - SERVER_LAG / 2, -1) for e in entries])
        level = peak = 0
        for _, step in events:
            level += step
            peak = max(peak, level)
        return peak

    slow = Reply(200, ARTICLE, delay=0.15)
    with Origin("127.0.0.2", default=slow) as a, Origin("127.0.0.3", default=slow) as b, \
            Origin("127.0.0.4", default=slow) as c:
        urls = [o.url(f"/p{i}") for o in (a, b, c) for i in range(6)]
        fetch_all(config(per_host_concurrency=2, concurrency=3, respect_robots=False), urls, concurrent=True)
        overlaps = [max_overlap(o.log) for o in (a, b, c)]
        assert max(overlaps) == 2  # which hosts get their second slot depends on the global queue
        assert max_overlap(a.log + b.log + c.log) == 3
        a.clear()
        fetch_all(config(per_host_concurrency=2, concurrency=10, respect_robots=False),
                  [a.url(f"/q{i}") for i in range(6)], concurrent=True)
        assert max_overlap(a.log) == 2


def test_one_client_per_host_closed_when_idle():
    with Origin("127.0.0.2", default=Reply(200, ARTICLE)) as a, Origin("127.0.0.3", default=Reply(200, ARTICLE)) as b:
        async def go():
            async with make(config(respect_robots=False), idle_timeout=0.2) as f:
                await asyncio.gather(f.fetch(a.url("/1")), f.fetch(b.url("/1")))
                open_after_use = f.open_clients
                state = f.host_state(a.url("/"))
                await asyncio.sleep(0.6)
                open_after_idle = f.open_clients
                again = await f.fetch(a.url("/2"))
                return open_after_use, state, open_after_idle, again, f
        used, state, idle, again, f = asyncio.run(go())
        assert used == 2 and idle == 0 and again.status == 200 and f.open_clients == 0
        assert state["requests"] == 1 and state["address"] == "127.0.0.2"
        # A new connection after the idle close: the old one was really closed.
        assert a.log[0].client != a.log[1].client


# --- addresses ------------------------------------------------------------------------------

def test_private_address_is_refused_before_anything_is_sent(origin):
    async def resolve(name):
        return {"local.test": ["127.0.0.2"]}[name]

    cfg = config(allow_private_addresses=False)
    results = fetch_all(cfg, [origin.url("/a", name="local.test"), origin.url("/a")], resolve=resolve)
    assert [r.error for r in results] == ["private_address", "private_address"]
    assert all(link_status(r) == "blocked" for r in results)
    assert "127.0.0.2" in results[0].detail
    assert origin.log == []  # not even robots.txt


def test_name_is_sent_in_host_header_while_connecting_to_the_checked_address(origin, monkeypatch):
    # Pretend 127.0.0.2 is public so the private-address rule is active, and let the name
    # rebind to 127.0.0.1 after the first lookup: every request must still go to .2.
    monkeypatch.setattr(address_module, "refused_address", lambda ip: None if ip == "127.0.0.2" else "loopback")
    answers = [["127.0.0.2"], ["127.0.0.1"], ["127.0.0.1"]]
    lookups = []

    async def resolve(name):
        lookups.append(name)
        return answers[min(len(lookups) - 1, 2)]

    with Origin("127.0.0.1", port=origin.port) as rebound:
        urls = [origin.url(p, name="news.test") for p in ("/a", "/b", "/c")]
        results = fetch_all(config(allow_private_addresses=False), urls, resolve=resolve)
        assert [r.status for r in results] == [200, 200, 200]
        assert rebound.log == [] and lookups == ["news.test"]
    assert pages(origin) == ["/a", "/b", "/c"]
    assert {e.host for e in origin.log} == {f"news.test:{origin.port}"}
    assert results[0].final_url == f"http://news.test:{origin.port}/a"


def test_redirect_to_a_private_address_is_not_followed(origin, monkeypatch):
    monkeypatch.setattr(address_module, "refused_address", lambda ip: None if ip == "127.0.0.2" else "loopback")
    with Origin("127.0.0.3") as inside:
        origin.route("/go", Reply(302, headers={"Location": inside.url("/admin")}))
        r = fetch_one(config(allow_private_addresses=False), origin.url("/go"))
        assert r.error == "private_address" and r.redirects == [(302, inside.url("/admin"))]
        assert inside.log == []


# --- soft-404 probe -------------------------------------------------------------------------

def test_soft_404_site_answering_200_to_everything(origin):
    def page(req):
        return Reply(200, f"<html><head><title>Oops</title></head><body>Nothing at {req.path}. Try the home page.</body></html>")

    origin.default = page

    def signature(r: FetchResult):
        text = r.body.decode()
        title = re.search(r"<title>(.*?)</title>", text).group(1)
        body = re.sub(r"<[^>]+>", "\n", text.split("<body>", 1)[1])
        return page_signature(title, body)

    source = origin.url("/articles/2190271")
    probe = probe_url(source, random.Random(5))
    page_r, probe_r = fetch_all(config(), [source, probe])
    assert probe_r.status == 200 and page_r.status == 200
    match = matches_probe(signature(page_r), signature(probe_r))
    assert match and link_status(page_r, soft404=soft404_evidence(page_r, probe_match=match)) == "soft_404"
    assert len(pages(origin)) == 2 and pages(origin)[1] != "/articles/2190271"


# --- TLS ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return server_tls("secure.test", str(tmp_path_factory.mktemp("tls")))


def test_https_to_the_checked_address_verifies_the_name_by_sni(tls):
    server_ctx, cert = tls
    client_ctx = ssl.create_default_context(cafile=cert)

    async def resolve(name):
        return {"secure.test": ["127.0.0.2"]}[name]

    with Origin("127.0.0.2", default=Reply(200, ARTICLE), ssl=server_ctx) as o:
        o.route("/robots.txt", Reply(404))
        # The certificate names only secure.test, not 127.0.0.2: this passes only if the
        # handshake carried the name while the connection went to the address.
        r = fetch_one(config(), o.url("/a", name="secure.test"), resolve=resolve, ssl_context=client_ctx)
        assert r.status == 200 and r.error is None, r.detail
        assert [e.host for e in o.log] == [f"secure.test:{o.port}"] * 2


def test_untrusted_certificate_is_a_tls_failure(tls):
    server_ctx, _ = tls

    async def resolve(name):
        return {"secure.test": ["127.0.0.2"]}[name]

    with Origin("127.0.0.2", default=Reply(200, ARTICLE), ssl=server_ctx) as o:
        r = fetch_one(config(respect_robots=False, retries=2), o.url("/a", name="secure.test"), resolve=resolve)
        assert r.error == "tls" and r.attempts == 1  # a certificate problem does not heal by retrying
        assert link_status(r) == "unreachable"
        assert o.log == []


# --- pure decisions -------------------------------------------------------------------------

def test_address_rules():
    from crawler.fetch import choose_address, refused_address

    for ip in ("127.0.0.1", "10.1.2.3", "192.168.0.1", "172.16.5.5", "169.254.169.254", "0.0.0.0",
               "224.0.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "100.64.0.1", "240.0.0.1",
               "2002:7f00:1::", "2002:a00:1::1", "2001:0:4136:e378:8000:63bf:f5ff:fffe"):
        assert refused_address(ip) is not None, ip
    for ip in ("8.8.8.8", "2606:4700::1111", "2002:808:808::1"):
        assert refused_address(ip) is None, ip
    # One public address among private ones is the one connected to; IPv4 preferred.
    assert choose_address(["10.0.0.1", "2606:4700::1111", "1.1.1.1"], False) == ("1.1.1.1", "")
    assert choose_address(["127.0.0.1"], False)[0] is None
    assert choose_address(["127.0.0.1"], True) == ("127.0.0.1", "")


def test_redirect_rules():
    import httpx

    from crawler.fetch import redirect_decision, redirect_target

    here = httpx.URL("http://a.test/x/y")
    assert str(redirect_target(here, "../z#frag")[0]) == "http://a.test/z"
    assert redirect_target(here, "mailto:x@y")[1] == "bad_redirect"
    assert str(redirect_target(here, "\\\\b.test\\p\\q?a=\\")[0]) == "http://b.test/p/q?a=\\"  # a query keeps its own
    for nowhere in ("http://", "https:///", "http://?q"):  # joined, "http://" was the URL itself: "a loop"
        target, err, detail = redirect_target(here, nowhere)
        assert (target, err) == (None, "bad_redirect") and "without a host" in detail, nowhere
    assert redirect_target(here, None)[1] == "bad_redirect"
    target = httpx.URL("http://a.test/z")
    assert redirect_decision(target, {"http://a.test/z"}, 1, 10)[0] == "redirect_loop"
    assert redirect_decision(target, set(), 11, 10)[0] == "too_many_redirects"
    assert redirect_decision(target, set(), 10, 10)[0] is None
