"""The polite async fetcher: the only module of the crawler that does network I/O.

Politeness rules (SPEC section 6), all enforced per host origin (scheme, host, port):

* robots.txt first, through the same gate as every other request;
* at most `per_host_concurrency` requests in flight per host, `concurrency` overall;
* at least max(delay, Crawl-delay) seconds between the *starts* of two requests to a host,
  counting robots.txt, redirect hops and retries; the start is taken when the request
  headers actually go out (httpcore trace), not when we decided to send;
* Retry-After on 429/503 holds back the next request to that host.

Each host gets its own small httpx.AsyncClient (one big shared pool is measurably slow,
see FACTS.md), pinned to the address that was checked against the private-address rule,
so DNS rebinding cannot redirect a request to an address we did not approve.

Everything that is a decision rather than I/O lives in small pure functions below the
dataclasses, so it can be tested without a network.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import re
import resource
import socket
import ssl
import time
import zlib
from collections import OrderedDict
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any, Awaitable, Callable

import httpx
from tenacity import AsyncRetrying, retry_if_result, stop_after_attempt, wait_exponential, wait_random

from crawler.config import CrawlConfig
from crawler.errors import LocalShortage, shortage_of
from crawler.robots import RobotsPolicy, load_robots
from store.records import Exchange
from store.turns import HostTurns
from store.words import RETRY_ERRORS, FetchError

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
# A Retry-After longer than this is not waited for inside one fetch.
MAX_RETRY_AFTER = 600.0
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ACCEPT_ENCODING = "gzip, deflate"  # only what we decode ourselves, with a bounded inflater


class DeadlineReached(BaseException):
    """The crawl's --max-duration is over: this request does not start.

    A BaseException, like asyncio.CancelledError, so that no handler meant for a source's own
    failures (a robots.txt that breaks, a probe that fails, a check that raises) mistakes the
    end of the crawl for a property of the source and records it."""


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


# --- pure decisions ------------------------------------------------------------------------

def host_key(url: httpx.URL) -> tuple[str, str, int]:
    """The politeness unit: scheme, host (IDNA, lower case), port."""
    port = url.port or (443 if url.scheme == "https" else 80)
    return (url.scheme, url.raw_host.decode("ascii").lower(), port)


def refused_address(ip: str) -> str | None:
    """Why `ip` must not be fetched from (None when it is a public unicast address)."""
    try:
        addr = ipaddress.ip_address(ip.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if addr.version == 6 and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    for attr in ("is_loopback", "is_unspecified", "is_link_local", "is_multicast", "is_private", "is_reserved"):
        if getattr(addr, attr):
            return attr[3:].replace("_", "-")
    if not addr.is_global:
        return "not globally routable"
    return None


def choose_address(addresses: list[str], allow_private: bool) -> tuple[str | None, str]:
    """Pick the address to connect to; (None, why) when every one is refused. IPv4 first."""
    ordered = sorted(dict.fromkeys(addresses), key=lambda a: ":" in a)
    if not ordered:
        return None, "name resolved to no address"
    if allow_private:
        return ordered[0], ""
    reasons = []
    for addr in ordered:
        why = refused_address(addr)
        if why is None:
            return addr, ""
        reasons.append(f"{addr} is {why}")
    return None, "; ".join(reasons)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def is_retryable(status: int | None, error: FetchError | None) -> bool:
    if error is not None:
        return error in RETRY_ERRORS
    return status is not None and (status == 429 or status >= 500)


# A host name as DNS can carry it (IDNA already applied by httpx), or an IP literal.
_HOST_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?\Z")


def redirect_target(current: httpx.URL, location: str | None) -> tuple[httpx.URL | None, FetchError | None, str]:
    """Resolve a Location header against `current`: (url, None, "") or (None, error, detail).

    Whatever the server sent (any string) ends here as a URL or as a `bad_redirect`."""
    if location is None or not location.strip():
        return None, FetchError.BAD_REDIRECT, "redirect without a Location header"
    shown = location[:200]
    try:
        target = current.join(location.strip())
        if target.scheme not in ("http", "https"):
            return None, FetchError.BAD_REDIRECT, f"redirect to a non-http(s) URL: {shown!r}"
        host = target.raw_host.decode("ascii").lower()
        if not host:
            return None, FetchError.BAD_REDIRECT, f"redirect to a URL without a host: {shown!r}"
        if not _HOST_NAME.match(host) and refused_address(host.strip("[]")) == "not an IP address":
            return None, FetchError.BAD_REDIRECT, f"redirect to an unusable host name: {shown!r}"
        if target.port is not None and not 0 < target.port < 65536:
            return None, FetchError.BAD_REDIRECT, f"redirect to a port that does not exist: {shown!r}"
        target = target.copy_with(fragment=None)
        str(target)
    except (httpx.InvalidURL, ValueError) as exc:  # UnicodeError is a ValueError
        return None, FetchError.BAD_REDIRECT, f"unusable redirect target {shown!r}: {exc}"
    return target, None, ""


def redirect_decision(target: httpx.URL, seen: set[str], hops: int, max_redirects: int
                      ) -> tuple[FetchError | None, str]:
    """After `hops` redirects (this one included): may we follow to `target`?"""
    if str(target) in seen:
        return FetchError.REDIRECT_LOOP, f"redirect loop back to {target}"
    if hops > max_redirects:
        return FetchError.TOO_MANY_REDIRECTS, f"more than {max_redirects} redirects"
    return None, ""


def error_of(exc: BaseException) -> tuple[FetchError, str]:
    """Map a transport exception to one of the error words, with a readable cause."""
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 8:
        chain.append(e)
        e = e.__cause__ or e.__context__
    text = "; ".join(f"{type(x).__name__}: {x}" for x in chain if str(x))[:300] or type(exc).__name__
    if any(isinstance(x, (TimeoutError, httpx.TimeoutException)) for x in chain):
        return FetchError.TIMEOUT, text
    if any(isinstance(x, ssl.SSLError) for x in chain) or "SSL" in text or "certificate" in text:
        return FetchError.TLS, text
    if any(isinstance(x, socket.gaierror) for x in chain):
        return FetchError.DNS, text
    if any(isinstance(x, ConnectionRefusedError) for x in chain):
        return FetchError.REFUSED, text
    if any(isinstance(x, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)) for x in chain):
        return FetchError.RESET, text
    if isinstance(exc, httpx.ConnectError):
        return FetchError.REFUSED, text
    if isinstance(exc, httpx.RemoteProtocolError):
        # A peer that hangs up mid-exchange is a reset, not a malformed answer.
        if "without sending" in text or "peer closed" in text or "incomplete" in text.lower():
            return FetchError.RESET, text
        return FetchError.PROTOCOL, text
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.NetworkError)):
        return FetchError.RESET, text
    if isinstance(exc, OSError):
        return FetchError.REFUSED, text
    return FetchError.PROTOCOL, text


class _Inflater:
    """Incremental gzip/deflate decoder that never produces more than asked for.

    httpx's own decoder inflates a whole network chunk at once (64 KiB of a gzip bomb is
    64 MiB); here `max_length` bounds every step, so memory follows `max_bytes`.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._obj = zlib.decompressobj(47 if encoding in ("gzip", "x-gzip") else 15)
        self._started = False
        self.tail = b""  # compressed input not yet consumed

    def feed(self, data: bytes, room: int) -> bytes:
        data = self.tail + data if self.tail else data
        self.tail = b""
        out = []
        while data and room > 0:
            try:
                chunk = self._obj.decompress(data, room)
            except zlib.error:
                if self.encoding == "deflate" and not self._started:
                    # Some servers send raw deflate without the zlib wrapper.
                    self._obj = zlib.decompressobj(-15)
                    self._started = True
                    continue
                raise
            self._started = True
            out.append(chunk)
            room -= len(chunk)
            if self._obj.eof:
                # Concatenated gzip members are legal; start the next one.
                rest = self._obj.unused_data
                self._obj = zlib.decompressobj(47 if self.encoding != "deflate" else 15)
                data = rest
            else:
                data = self._obj.unconsumed_tail
        self.tail = data
        return b"".join(out)

    def flush(self, room: int) -> bytes:
        return self._obj.flush()[:room] if room > 0 else b""


def _decoder_for(content_encoding: str | None) -> tuple[_Inflater | None, str]:
    if not content_encoding:
        return None, ""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return None, ""
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflater(codings[0]), ""
    return None, f"content-encoding {content_encoding!r} not decoded"


class RawBody:
    """The body as received (de-chunked, still content-encoded), kept up to `limit` bytes.

    Filled as the body arrives, so what came before a timeout or a broken connection is kept.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.cut = False
        self.encoded = False  # under a content-encoding: these bytes differ from the decoded body

    def add(self, data: bytes) -> None:
        room = self.limit - self.size
        if len(data) > room:
            data = data[:room]
            self.cut = True
        if data:
            self.parts.append(data)
            self.size += len(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


async def read_body(response: httpx.Response, max_bytes: int, raw_body: RawBody | None = None
                    ) -> tuple[bytes, bool, str]:
    """(decoded body cut at max_bytes, truncated, note). Reads no further than needed.

    `raw_body`, when given, receives the bytes as they came, for the mirror (without an
    encoding it holds the same chunk objects as the decoded body: no second copy).
    """
    decoder, note = _decoder_for(response.headers.get("content-encoding"))
    if raw_body is not None:
        raw_body.encoded = decoder is not None
    parts: list[bytes] = []
    size = 0
    truncated = False
    async for raw in response.aiter_raw():
        if raw_body is not None:
            raw_body.add(raw)
        room = max_bytes - size + 1  # one byte more tells "exactly max_bytes" from "more"
        if decoder is not None:
            try:
                data = decoder.feed(raw, room)
            except zlib.error as exc:
                raise httpx.DecodingError(f"{decoder.encoding} body does not decode: {exc}") from exc
            if decoder.tail and len(data) < room:
                data += decoder.feed(b"", room - len(data))
        else:
            data = raw[:room] if len(raw) >= room else raw
        if size + len(data) > max_bytes:
            parts.append(data[: max_bytes - size])
            size = max_bytes
            truncated = True
            break
        parts.append(data)
        size += len(data)
    else:
        if decoder is not None:
            rest = decoder.flush(max_bytes - size + 1)
            if size + len(rest) > max_bytes:
                rest = rest[: max_bytes - size]
                truncated = True
            parts.append(rest)
    return b"".join(parts), truncated, note


async def default_resolve(host: str) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


# --- per-host state ------------------------------------------------------------------------

class _Host:
    """Politeness state of one origin for the life of the Fetcher (one crawl)."""

    __slots__ = (
        "key", "origin", "sem", "delay", "next_start", "client", "last_used", "in_flight",
        "address", "address_task", "robots", "robots_task", "trace", "requests", "name",
    )

    def __init__(self, key: tuple[str, str, int], origin: str, per_host: int, delay: float,
                 turns: HostTurns | None = None) -> None:
        self.key = key
        self.origin = origin                      # scheme://netloc, by name
        self.sem = asyncio.Semaphore(per_host)
        self.delay = delay                        # max(delay, Crawl-delay)
        self.next_start = 0.0                     # monotonic time before which nothing may start
        self.client: httpx.AsyncClient | None = None
        self.last_used = time.monotonic()
        self.in_flight = 0
        self.address: tuple[str | None, FetchError | None, str] | None = None  # (ip, error, detail)
        self.address_task: asyncio.Future | None = None
        self.robots: RobotsPolicy | None = None
        self.robots_task: asyncio.Future | None = None
        self.requests = 0
        self.name = "%s://%s:%d" % key               # its slot in the turns shared with other processes

        async def trace(name: str, info: dict) -> None:
            # The moment the request headers go out is the real start of the request.
            if name == "http11.send_request_headers.started":
                t = time.monotonic() + self.delay
                if t > self.next_start:
                    self.next_start = t
                if turns is not None:
                    turns.mark(self.name, time.time() + self.delay)

        self.trace = trace


@dataclass
class _Attempt:
    status: int | None = None
    reason: str = ""
    http_version: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    truncated: bool = False
    broken: str | None = None
    error: FetchError | None = None
    detail: str = ""
    give_up: bool = False
    raw: RawBody | None = None                 # the body as received (mirrored when it differs from `body`)


RAW_HEADERS = "repost_mirror.raw_headers"


async def _set_location_aside(response: httpx.Response) -> None:
    """httpx prepares the next request of a redirect even when it will not follow it, and
    raises on a Location it cannot parse (`javascript:`, `data:`, a bad port), losing the
    response. The headers are kept as received and the Location is taken out of httpx's
    view: the response arrives whole, and redirect_target judges the Location."""
    if "location" in response.headers:
        response.extensions[RAW_HEADERS] = list(response.headers.raw)
        del response.headers["location"]


def _text_pairs(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


# Open clients kept beyond `concurrency` at most: each costs a few KB and per_host sockets.
_MAX_OPEN_CLIENTS = 1024


def open_clients_budget(concurrency: int, per_host: int) -> int:
    """How many hosts may keep a client (and its keep-alive sockets) open at once.

    Reconnecting to a host for every request costs more CPU than the whole page's analysis,
    so idle clients stay open while descriptors allow: a quarter of this process's
    RLIMIT_NOFILE (the rest is for the database, the mirror, the pool's pipes), never fewer
    than `concurrency` (the requests in flight need theirs anyway).
    """
    try:
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (OSError, ValueError):
        soft = resource.RLIM_INFINITY
    share = _MAX_OPEN_CLIENTS if soft == resource.RLIM_INFINITY else soft // 4 // max(1, per_host)
    return max(concurrency, min(_MAX_OPEN_CLIENTS, share))


class Fetcher:
    """Polite fetching for one crawl. Use as `async with Fetcher(cfg) as f: await f.fetch(url)`."""

    def __init__(
        self,
        cfg: CrawlConfig,
        *,
        archive: Callable[[FetchResult], Awaitable[Any]] | None = None,
        resolve: Callable[[str], Awaitable[list[str]]] | None = None,
        backoff: float = 1.0,
        backoff_max: float = 60.0,
        idle_timeout: float = 15.0,
        max_retry_after: float = MAX_RETRY_AFTER,
        ssl_context: ssl.SSLContext | None = None,
        turns: Path | None = None,
    ) -> None:
        self.cfg = cfg
        # Where fetches that their caller does not archive itself go (robots.txt, Wayback lookups).
        self.archive = archive
        self._resolve = resolve or default_resolve
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.idle_timeout = idle_timeout
        self.max_retry_after = max_retry_after
        self._hosts: dict[tuple[str, str, int], _Host] = {}
        self._global = asyncio.Semaphore(cfg.concurrency)
        self._ssl: ssl.SSLContext | None = ssl_context  # shared: building one per client costs ms
        self._reaper: asyncio.Task | None = None
        self._closed = False
        # The per-host turns shared with the other processes of one database (None: this one alone).
        self._turns = HostTurns(turns) if turns is not None else None
        # Hosts holding a client (and its sockets), least recently used first: at most
        # `_max_open` of them, so descriptors follow the process's own limit, not the number of hosts.
        self._open: OrderedDict[tuple[str, str, int], _Host] = OrderedDict()
        self._max_open = open_clients_budget(cfg.concurrency, cfg.per_host_concurrency)
        # time.monotonic() after which no request starts (robots.txt, probes, retries, hops
        # and Wayback lookups alike): the crawl's --max-duration.
        self.deadline: float | None = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
            try:
                await self._reaper
            except (asyncio.CancelledError, Exception):
                pass
            self._reaper = None
        unfinished = []
        for host in self._hosts.values():
            for task in (host.robots_task, host.address_task):
                if task is None:
                    continue
                if not task.done():
                    task.cancel()
                    unfinished.append(task)
                elif not task.cancelled():
                    task.exception()  # looked at: a crawl stopped by it prints no "never retrieved"
            await self._drop_client(host)
        if unfinished:
            await asyncio.gather(*unfinished, return_exceptions=True)
        if self._turns is not None:
            self._turns.close()

    # -- introspection for tests, benches and the crawl summary --

    def host_state(self, url: str) -> dict[str, Any] | None:
        host = self._hosts.get(host_key(httpx.URL(url)))
        if host is None:
            return None
        return {
            "origin": host.origin,
            "delay": host.delay,
            "next_start_in": max(0.0, host.next_start - time.monotonic()),
            "in_flight": host.in_flight,
            "requests": host.requests,
            "client_open": host.client is not None,
            "address": host.address[0] if host.address else None,
            "robots": host.robots,
        }

    @property
    def open_clients(self) -> int:
        return len(self._open)

    # -- the fetch --

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
    ) -> FetchResult:
        """Fetch `url` politely, following redirects. Unless `archive` is false (the caller
        mirrors the result itself), every exchange goes to the Fetcher's `archive`;
        `retries` overrides the configured number of retries."""
        res = FetchResult(url=url, final_url=url, started_at=time.time())
        try:
            await self._fetch(res, etag=etag, last_modified=last_modified, robots=robots,
                              max_redirects=max_redirects, max_bytes=max_bytes, retries=retries)
        except DeadlineReached:
            # The caller never sees this fetch; the requests it did send are mirrored all the same.
            if self.archive is not None and res.exchanges:
                await self.archive(res)
            raise
        if archive and self.archive is not None and res.exchanges:
            await self.archive(res)
        return res

    async def _fetch(
        self, res: FetchResult, *, etag: str | None, last_modified: str | None, robots: bool, max_redirects: int,
        max_bytes: int | None, retries: int | None,
    ) -> FetchResult:
        url = res.url
        if self._closed:
            raise RuntimeError("Fetcher is closed")
        if self._reaper is None and self.idle_timeout > 0:
            self._reaper = asyncio.get_running_loop().create_task(self._reap())
        limit = self.cfg.max_bytes if max_bytes is None else max_bytes
        extra: dict[str, str] = {}
        if etag:
            extra["If-None-Match"] = etag
        if last_modified:
            extra["If-Modified-Since"] = last_modified
        try:
            current = httpx.URL(url).copy_with(fragment=None)
        except (httpx.InvalidURL, ValueError) as exc:
            return self._fail(res, FetchError.PROTOCOL, f"not a usable URL: {exc}")
        if current.scheme not in ("http", "https") or not current.host:
            return self._fail(res, FetchError.PROTOCOL, f"not an http(s) URL: {url!r}")
        seen = {str(current)}
        hops = 0
        while True:
            res.final_url = str(current)
            host = self._host(current)
            ip, err, detail = await self._address(host, current)
            if err is not None:
                return self._fail(res, err, detail)
            if robots and self.cfg.respect_robots:
                policy = await self._robots(host)
                if policy.state == "unreachable":
                    return self._fail(res, FetchError.ROBOTS_UNREACHABLE, policy.detail)
                if policy.state == "blocked":
                    return self._fail(res, FetchError.ROBOTS_ERROR, policy.detail)
                if not policy.allowed(str(current), self.cfg.user_agent):
                    return self._fail(res, FetchError.ROBOTS_DISALLOWED, f"robots.txt of {host.origin} disallows {current}")
            last = await self._with_retries(host, ip, current, extra, limit, res,
                                            self.cfg.retries if retries is None else retries)
            self._apply(res, last)
            if last.error is not None or last.status not in REDIRECT_STATUSES:
                return res
            location = res.header("location")
            target, err, detail = redirect_target(current, location)
            if target is None:
                return self._fail(res, err, detail, keep_response=True)
            hops += 1
            res.redirects.append((last.status, str(target)))
            err, detail = redirect_decision(target, seen, hops, max_redirects)
            if err is not None:
                return self._fail(res, err, detail, keep_response=True)
            seen.add(str(target))
            current = target

    @staticmethod
    def _fail(res: FetchResult, error: FetchError, detail: str, keep_response: bool = False) -> FetchResult:
        res.error = error
        res.detail = detail
        if not keep_response:
            res.status = None
        return res

    @staticmethod
    def _apply(res: FetchResult, a: _Attempt) -> None:
        res.status = a.status
        res.reason = a.reason
        res.http_version = a.http_version
        res.headers = a.headers
        res.request_headers = a.request_headers
        res.body = a.body
        res.truncated = a.truncated
        res.broken = a.broken
        res.error = a.error
        res.detail = a.detail

    # -- hosts, addresses, robots --

    def _host(self, url: httpx.URL) -> _Host:
        key = host_key(url)
        host = self._hosts.get(key)
        if host is None:
            origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
            host = _Host(key, origin, self.cfg.per_host_concurrency, self.cfg.delay, self._turns)
            self._hosts[key] = host
        return host

    async def _address(self, host: _Host, url: httpx.URL) -> tuple[str | None, FetchError | None, str]:
        if host.address is None:
            if host.address_task is None:
                host.address_task = asyncio.ensure_future(self._lookup(host.key[1]))
            host.address = await asyncio.shield(host.address_task)
        return host.address

    async def _lookup(self, name: str) -> tuple[str | None, FetchError | None, str]:
        name = name.strip("[]")
        try:
            ipaddress.ip_address(name.split("%", 1)[0])
            addresses = [name]
        except ValueError:
            try:
                addresses = list(await self._resolve(name))
            except Exception as exc:  # every resolver failure is a DNS failure for the user
                cause = shortage_of(exc)
                if cause is not None:
                    raise LocalShortage(cause) from exc
                return None, FetchError.DNS, f"cannot resolve {name}: {exc}"
            if not addresses:
                return None, FetchError.DNS, f"{name} resolved to no address"
        ip, why = choose_address(addresses, self.cfg.allow_private_addresses)
        if ip is None:
            return None, FetchError.PRIVATE_ADDRESS, f"{name}: {why}"
        return ip, None, ""

    async def _robots(self, host: _Host) -> RobotsPolicy:
        if host.robots is not None:
            return host.robots
        if host.robots_task is None:
            host.robots_task = asyncio.ensure_future(self._load_robots(host))
        return await asyncio.shield(host.robots_task)

    async def _load_robots(self, host: _Host) -> RobotsPolicy:
        try:
            policy = await load_robots(self.fetch, host.origin, self.cfg.user_agent)
        except LocalShortage:
            raise
        except Exception as exc:  # a bug here must not let the crawl ignore robots.txt
            policy = RobotsPolicy("blocked", detail=f"robots.txt could not be interpreted: {exc!r}")
        if policy.crawl_delay is not None and policy.crawl_delay > host.delay:
            host.delay = policy.crawl_delay
            host.next_start += policy.crawl_delay - self.cfg.delay
        host.robots = policy
        return policy

    # -- requests --

    async def _with_retries(
        self, host: _Host, ip: str, url: httpx.URL, extra: dict[str, str], limit: int, res: FetchResult,
        retries: int,
    ) -> _Attempt:
        retrying = AsyncRetrying(
            sleep=self._backoff_sleep,
            stop=stop_after_attempt(retries + 1),
            wait=wait_exponential(multiplier=self.backoff, max=self.backoff_max) + wait_random(0, self.backoff),
            retry=retry_if_result(lambda a: not a.give_up and is_retryable(a.status, a.error)),
            retry_error_callback=lambda state: state.outcome.result(),
            reraise=True,
        )
        last: _Attempt = await retrying(self._attempt, host, ip, url, extra, limit, res)
        if retrying.statistics.get("attempt_number", 1) > 1 and is_retryable(last.status, last.error):
            last.detail = f"{last.detail} (after {retrying.statistics['attempt_number']} attempts)"
        return last

    def _stop_if_past_deadline(self, start: float) -> None:
        """A request that could only start at `start` (monotonic) does not start after the deadline."""
        if self.deadline is not None and start >= self.deadline:
            raise DeadlineReached

    async def _backoff_sleep(self, seconds: float) -> None:
        # No waiting for a retry that could not start anyway.
        self._stop_if_past_deadline(time.monotonic() + seconds)
        await asyncio.sleep(seconds)

    async def _gate(self, host: _Host) -> None:
        """Wait for a per-host slot, the host's next allowed start and a global slot."""
        await host.sem.acquire()
        try:
            while True:
                now = time.monotonic()
                self._stop_if_past_deadline(max(now, host.next_start))
                if host.next_start > now:
                    await asyncio.sleep(host.next_start - now)
                    continue
                await self._global.acquire()
                now = time.monotonic()
                if host.next_start > now or (self.deadline is not None and now >= self.deadline):
                    # Another request of this host started (or a Retry-After came) meanwhile,
                    # or the deadline passed while this one waited for a slot.
                    self._global.release()
                    continue
                if self._turns is not None:
                    # Another process using the database (a `check` beside a crawl) may hold the turn.
                    wait = self._turns.take(host.name, host.delay, time.time())
                    if wait > 0:
                        host.next_start = now + wait
                        self._global.release()
                        continue
                host.next_start = now + host.delay
                return
        except BaseException:
            host.sem.release()
            raise

    async def _drop_client(self, host: _Host) -> None:
        client, host.client = host.client, None
        self._open.pop(host.key, None)
        if client is not None:
            await client.aclose()

    async def _make_room(self) -> None:
        """Close the least recently used idle clients until one more fits under the budget."""
        if len(self._open) < self._max_open:
            return
        idle = [h for h in self._open.values() if h.in_flight == 0]
        for host in idle[: len(self._open) - self._max_open + 1]:
            await self._drop_client(host)

    async def _client(self, host: _Host) -> httpx.AsyncClient:
        if host.client is None:
            await self._make_room()
            if self._ssl is None:
                self._ssl = ssl.create_default_context()
                try:
                    import certifi

                    self._ssl.load_verify_locations(certifi.where())
                except (ImportError, OSError):
                    pass
            n = self.cfg.per_host_concurrency
            host.client = httpx.AsyncClient(
                headers={"User-Agent": self.cfg.user_agent, "Accept": ACCEPT, "Accept-Encoding": ACCEPT_ENCODING},
                limits=httpx.Limits(
                    max_connections=n, max_keepalive_connections=n, keepalive_expiry=self.idle_timeout or None
                ),
                timeout=httpx.Timeout(self.cfg.timeout),
                follow_redirects=False,
                event_hooks={"response": [_set_location_aside]},
                trust_env=False,
                verify=self._ssl,
                # Cookies would make a check depend on the checks before it.
                cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            )
        self._open[host.key] = host
        self._open.move_to_end(host.key)
        return host.client

    async def _attempt(
        self, host: _Host, ip: str, url: httpx.URL, extra: dict[str, str], limit: int, res: FetchResult
    ) -> _Attempt:
        await self._gate(host)
        host.in_flight += 1
        a = _Attempt()
        try:
            client = await self._client(host)
            target = url if ip == host.key[1] else url.copy_with(host=ip)
            headers = {"Host": url.netloc.decode("ascii")}
            headers.update(extra)
            ext: dict[str, Any] = {}
            if url.scheme == "https":
                ext["sni_hostname"] = url.raw_host.decode("ascii")
            if host.delay > 0:
                ext["trace"] = host.trace
            request = client.build_request("GET", target, headers=headers, extensions=ext)
            sent_at = time.time()
            if res.attempts == 0:
                res.started_at = sent_at
            res.attempts += 1
            host.requests += 1
            a.request_headers = _text_pairs(request.headers.raw)
            try:
                async with asyncio.timeout(self.cfg.timeout):
                    response = await client.send(request, stream=True)
                    try:
                        a.status = response.status_code
                        a.reason = response.reason_phrase
                        a.http_version = response.http_version
                        a.headers = _text_pairs(response.extensions.get(RAW_HEADERS) or response.headers.raw)
                        a.raw = RawBody(limit)
                        a.body, a.truncated, note = await read_body(response, limit, a.raw)
                    finally:
                        await response.aclose()
                a.detail = f"{a.status} {a.reason}".strip() + (f"; {note}" if note else "")
                if a.truncated:
                    a.detail += f"; body cut at {limit} bytes"
            except TimeoutError:
                a.error, a.detail = FetchError.TIMEOUT, f"no complete answer within {self.cfg.timeout:g} s"
            except httpx.DecodingError as exc:
                a.error, a.detail = FetchError.PROTOCOL, str(exc)
            except MemoryError as exc:
                raise LocalShortage("out of memory") from exc
            except Exception as exc:
                # A connection this process could not open is its own shortage, not the source's.
                cause = shortage_of(exc)
                if cause is not None:
                    raise LocalShortage(cause) from exc
                if isinstance(exc, (httpx.HTTPError, OSError)):
                    a.error, a.detail = error_of(exc)
                else:
                    # Whatever else a hostile answer makes httpx or h11 raise is that answer's fault.
                    a.error, a.detail = FetchError.PROTOCOL, f"{type(exc).__name__}: {exc}"[:300]
            if a.error is not None and a.status is None:
                a.headers = []
            elif a.error in (FetchError.TIMEOUT, FetchError.RESET):
                # The answer began and its body broke off: a failed transfer, recorded as what it is.
                a.broken = "time" if a.error == FetchError.TIMEOUT else "disconnect"
                came = a.raw.size if a.raw is not None else 0
                expected = next((v for k, v in a.headers if k.lower() == "content-length"), None)
                a.detail = (f"{a.status} {a.reason}: the body broke off after {came} bytes"
                            + (f" of {expected}" if expected else "") + f" ({a.detail})")
            if a.status is not None:
                res.exchanges.append(self._exchange(url, sent_at, ip, a))
            if a.status in (429, 503):
                self._retry_after(host, a)
            return a
        finally:
            host.in_flight -= 1
            host.last_used = time.monotonic()
            self._global.release()
            host.sem.release()

    @staticmethod
    def _exchange(url: httpx.URL, sent_at: float, ip: str, a: _Attempt) -> Exchange:
        """The attempt as the mirror keeps it: the payload as received, and why it is short if it is."""
        if a.raw is not None and (a.raw.encoded or a.error is not None):
            # Content-encoded (the bytes before decoding), or cut short before the body was whole.
            payload, cut = a.raw.value(), a.raw.cut
        else:
            payload, cut = a.body, a.truncated
        truncated: str | None
        if a.error == FetchError.TIMEOUT:
            truncated = "time"
        elif a.error == FetchError.RESET:
            truncated = "disconnect"
        elif a.error is not None:
            truncated = "unspecified"
        else:
            # A decoded body cut at max_bytes stops the reading: the rest was never received.
            truncated = "length" if cut or a.truncated else None
        return Exchange(
            url=str(url), started_at=sent_at, request_headers=tuple(a.request_headers), status=a.status or 0,
            reason=a.reason, http_version=a.http_version, response_headers=tuple(a.headers), payload=payload,
            truncated=truncated, ip=ip,
        )

    def _retry_after(self, host: _Host, a: _Attempt) -> None:
        value = next((v for k, v in a.headers if k.lower() == "retry-after"), None)
        wait = parse_retry_after(value)
        if wait is None:
            return
        if wait > self.max_retry_after:
            a.give_up = True
            a.detail += (
                f"; Retry-After {value!r} asks for {wait:.0f} s, more than the {self.max_retry_after:g} s"
                " a fetch may wait: gave up"
            )
            wait = self.max_retry_after
        until = time.monotonic() + wait
        if until > host.next_start:
            host.next_start = until

    async def _reap(self) -> None:
        """Close the clients of hosts idle for a while, so open sockets follow active hosts."""
        period = max(0.05, self.idle_timeout / 2)
        while True:
            await asyncio.sleep(period)
            now = time.monotonic()
            for host in list(self._open.values()):
                if host.in_flight == 0 and now - host.last_used > max(self.idle_timeout, 2 * host.delay):
                    await self._drop_client(host)
