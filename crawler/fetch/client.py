"""The Fetcher: polite fetching for one crawl, the only code of the crawler that does network I/O.

Each host gets its own small httpx.AsyncClient (one big shared pool is measurably slow,
see FACTS.md), pinned to the address that was checked against the private-address rule
(address.py). A fetch goes: address -> robots.txt (robots.py) -> the host's gate (gate.py)
-> the request, retried with backoff (retry.py), its body read within the size cap
(body.py), transport failures named (errors.py) -> redirects followed (redirects.py).
"""

from __future__ import annotations

import asyncio
import ipaddress
import resource
import ssl
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_result, stop_after_attempt, wait_exponential, wait_random

from crawler.config import CrawlConfig
from crawler.errors import LocalShortage, shortage_of
from crawler.fetch.address import choose_address, default_resolve
from crawler.fetch.body import ACCEPT_ENCODING, RawBody, read_body
from crawler.fetch.errors import error_of
from crawler.fetch.gate import DeadlineReached, Gate, HostState, host_key
from crawler.fetch.redirects import (
    MAX_REDIRECTS,
    RAW_HEADERS,
    REDIRECT_STATUSES,
    redirect_decision,
    redirect_target,
    set_location_aside,
)
from crawler.fetch.result import FetchResult
from crawler.fetch.retry import MAX_RETRY_AFTER, bot_check_header, is_retryable, parse_retry_after
from crawler.fetch.robots import RobotsPolicy, RobotsState, load_robots
from store.records import Exchange
from store.turns import HostTurns
from store.words import FetchError

ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


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


def _text_pairs(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


# Seconds: a robots.txt Crawl-delay above this (and above the configured delay) is a request
# not to be crawled at all; up to it, the crawl honours it.
ROBOTS_PACE_MAX = 300.0

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
        self._hosts: dict[tuple[str, str, int], HostState] = {}
        self._ssl: ssl.SSLContext | None = ssl_context  # shared: building one per client costs ms
        self._reaper: asyncio.Task | None = None
        self._closed = False
        # The per-host turns shared with the other processes of one database (None: this one alone).
        self._turns = HostTurns(turns) if turns is not None else None
        self.gate = Gate(cfg.concurrency, self._turns)
        # Hosts holding a client (and its sockets), least recently used first: at most
        # `_max_open` of them, so descriptors follow the process's own limit, not the number of hosts.
        self._open: OrderedDict[tuple[str, str, int], HostState] = OrderedDict()
        self._max_open = open_clients_budget(cfg.concurrency, cfg.per_host_concurrency)

    @property
    def deadline(self) -> float | None:
        """time.monotonic() after which no request starts: the crawl's --max-duration."""
        return self.gate.deadline

    @deadline.setter
    def deadline(self, value: float | None) -> None:
        self.gate.deadline = value

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
        once: bool = False,
    ) -> FetchResult:
        """Fetch `url` politely, following redirects. Unless `archive` is false (the caller
        mirrors the result itself), every exchange goes to the Fetcher's `archive`;
        `retries` overrides the configured number of retries. `once`: the host's one request of
        its kind (robots.txt, the soft-404 probe), whose connection is not kept: what a host
        sends after its answer to a URL it does not serve (a 404 written twice, a stray CRLF, a
        Content-Length that counts characters) is then never read as the next page's answer."""
        res = FetchResult(url=url, final_url=url, started_at=time.time())
        try:
            await self._fetch(res, etag=etag, last_modified=last_modified, robots=robots,
                              max_redirects=max_redirects, max_bytes=max_bytes, retries=retries, once=once)
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
        max_bytes: int | None, retries: int | None, once: bool = False,
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
        if once:
            extra["Connection"] = "close"
        try:
            current = httpx.URL(url).copy_with(fragment=None)
        except (httpx.InvalidURL, ValueError) as exc:
            return self._fail(res, FetchError.PROTOCOL, f"not a usable URL: {exc}")
        if current.scheme not in ("http", "https") or not current.host:
            return self._fail(res, FetchError.PROTOCOL, f"not an http(s) URL: {url!r}")
        seen = {f"{current} "}  # a URL and the cookies its request carries (none at first)
        hops = 0
        # Cookies a redirect sets, sent back along this fetch's redirects to the host that set
        # them, never kept beyond it: a cookie wall (a 302 to the page itself, with a cookie)
        # is a visit, not a loop; a check still depends on no check before it.
        jar: dict[tuple[str, str, int], dict[str, str]] = {}
        while True:
            res.final_url = str(current)
            host = self._host(current)
            ip, err, detail = await self._address(host, current)
            if err is not None:
                return self._fail(res, err, detail)
            assert ip is not None  # a lookup without an error always gives an address
            if robots and self.cfg.respect_robots:
                policy = await self._robots(host)
                if policy.state == RobotsState.UNREACHABLE:
                    return self._fail(res, FetchError.ROBOTS_UNREACHABLE, policy.detail)
                if policy.state == RobotsState.BLOCKED:
                    return self._fail(res, FetchError.ROBOTS_ERROR, policy.detail)
                if not policy.allowed(str(current), self.cfg.user_agent):
                    return self._fail(res, FetchError.ROBOTS_DISALLOWED, f"robots.txt of {host.origin} disallows {current}")
                if policy.crawl_delay is not None and policy.crawl_delay > max(self.cfg.delay, ROBOTS_PACE_MAX):
                    # One request a day (or a century): the host asks not to be crawled, and
                    # waiting for its turn would hold the nightly crawl for days.
                    return self._fail(res, FetchError.ROBOTS_DISALLOWED,
                                      f"robots.txt of {host.origin} asks for {policy.crawl_delay:g} s between "
                                      f"requests (Crawl-delay), more than a crawl waits ({ROBOTS_PACE_MAX:g} s)")
            cookie = _cookie_header(jar.get(host.key))
            last = await self._with_retries(host, ip, current, {**extra, "Cookie": cookie} if cookie else extra, limit,
                                            res, self.cfg.retries if retries is None else retries)
            self._apply(res, last)
            if last.error is not None or last.status not in REDIRECT_STATUSES:
                return res
            location = res.header("location")
            target, err, detail = redirect_target(current, location)
            if target is None:
                assert err is not None  # no target always comes with the reason
                return self._fail(res, err, detail, keep_response=True)
            hops += 1
            res.redirects.append((last.status, str(target)))
            _keep_cookies(jar.setdefault(host.key, {}), res.headers)
            state = f"{target} {_cookie_header(jar.get(host_key(target)))}"
            err, detail = redirect_decision(target, seen, hops, max_redirects, state=state)
            if err is not None:
                return self._fail(res, err, detail, keep_response=True)
            seen.add(state)
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

    def _host(self, url: httpx.URL) -> HostState:
        key = host_key(url)
        host = self._hosts.get(key)
        if host is None:
            origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
            host = HostState(key, origin, self.cfg.per_host_concurrency, self.cfg.delay, self._turns)
            self._hosts[key] = host
        return host

    async def _address(self, host: HostState, url: httpx.URL) -> tuple[str | None, FetchError | None, str]:
        address = host.address
        if address is None:
            if host.address_task is None:
                host.address_task = asyncio.ensure_future(self._lookup(host.key[1]))
            address = host.address = await asyncio.shield(host.address_task)
        return address

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

    async def _robots(self, host: HostState) -> RobotsPolicy:
        if host.robots is not None:
            return host.robots
        if host.robots_task is None:
            host.robots_task = asyncio.ensure_future(self._load_robots(host))
        return await asyncio.shield(host.robots_task)

    async def _load_robots(self, host: HostState) -> RobotsPolicy:
        try:
            policy = await load_robots(self, host.origin, self.cfg.user_agent)
        except LocalShortage:
            raise
        except Exception as exc:  # a bug here must not let the crawl ignore robots.txt
            policy = RobotsPolicy(RobotsState.BLOCKED, detail=f"robots.txt could not be interpreted: {exc!r}")
        if policy.crawl_delay is not None and host.delay < policy.crawl_delay <= max(self.cfg.delay, ROBOTS_PACE_MAX):
            host.delay = policy.crawl_delay
            host.next_start += policy.crawl_delay - self.cfg.delay
        host.robots = policy
        return policy

    # -- requests --

    async def _with_retries(
        self, host: HostState, ip: str, url: httpx.URL, extra: dict[str, str], limit: int, res: FetchResult,
        retries: int,
    ) -> _Attempt:
        retrying = AsyncRetrying(
            sleep=self.gate.backoff_sleep,
            stop=stop_after_attempt(retries + 1),
            wait=wait_exponential(multiplier=self.backoff, max=self.backoff_max) + wait_random(0, self.backoff),
            retry=retry_if_result(lambda a: not a.give_up and is_retryable(a.status, a.error)),
            retry_error_callback=_last_result,
            reraise=True,
        )
        last: _Attempt = await retrying(self._attempt, host, ip, url, extra, limit, res)
        if retrying.statistics.get("attempt_number", 1) > 1 and is_retryable(last.status, last.error):
            last.detail = f"{last.detail} (after {retrying.statistics['attempt_number']} attempts)"
        return last

    async def _drop_client(self, host: HostState) -> None:
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

    async def _client(self, host: HostState) -> httpx.AsyncClient:
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
                event_hooks={"response": [set_location_aside]},
                trust_env=False,
                verify=self._ssl,
                # Cookies would make a check depend on the checks before it.
                cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
            )
        self._open[host.key] = host
        self._open.move_to_end(host.key)
        return host.client

    async def _attempt(
        self, host: HostState, ip: str, url: httpx.URL, extra: dict[str, str], limit: int, res: FetchResult
    ) -> _Attempt:
        await self.gate.enter(host)
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
            if a.status is not None and bot_check_header(a.headers):
                a.give_up = True  # a bot check answers again whoever asks again
            return a
        finally:
            host.in_flight -= 1
            host.last_used = time.monotonic()
            self.gate.leave(host)

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

    def _retry_after(self, host: HostState, a: _Attempt) -> None:
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


def _last_result(state: RetryCallState) -> _Attempt:
    """Out of retries: the last attempt's result (it carries the error the user sees)."""
    assert state.outcome is not None  # tenacity gives up only after an attempt, so it has an outcome
    return state.outcome.result()


_COOKIES_MAX = 32  # per host and fetch: a hostile redirect chain cannot grow the request without end
_COOKIE_MAX = 4096  # characters of one cookie (RFC 6265's least a client must keep)


def _keep_cookies(cookies: dict[str, str], headers: list[tuple[str, str]]) -> None:
    """Take the name and value of each Set-Cookie of a response (attributes are not needed
    for a chain of redirects on one host)."""
    for key, value in headers:
        if key.lower() != "set-cookie":
            continue
        pair = value.split(";", 1)[0]
        name, eq, val = pair.partition("=")
        name = name.strip()
        if eq and name and len(pair) <= _COOKIE_MAX and not any(c in name for c in " \t,;") \
                and (name in cookies or len(cookies) < _COOKIES_MAX):
            cookies[name] = val.strip()


def _cookie_header(cookies: dict[str, str] | None) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items()) if cookies else ""
