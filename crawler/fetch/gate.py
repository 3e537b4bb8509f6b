"""The per-host politeness gate: when a request to a host may start.

At most `per_host_concurrency` requests in flight per host and `concurrency` overall; at
least max(delay, Crawl-delay) seconds between the starts of two requests to a host, the start
taken when the request headers actually go out (httpcore trace); Retry-After holds a host
back; the turns shared with other processes of one database; the crawl's deadline."""

from __future__ import annotations

import asyncio
import time

import httpx

from crawler.fetch.robots import RobotsPolicy
from store.turns import HostTurns
from store.words import FetchError


class DeadlineReached(BaseException):
    """The crawl's --max-duration is over: this request does not start.

    A BaseException, like asyncio.CancelledError, so that no handler meant for a source's own
    failures (a robots.txt that breaks, a probe that fails, a check that raises) mistakes the
    end of the crawl for a property of the source and records it."""


def host_key(url: httpx.URL) -> tuple[str, str, int]:
    """The politeness unit: scheme, host (IDNA, lower case), port."""
    port = url.port or (443 if url.scheme == "https" else 80)
    return (url.scheme, url.raw_host.decode("ascii").lower(), port)


class HostState:
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
        self.address_task: asyncio.Future[tuple[str | None, FetchError | None, str]] | None = None
        self.robots: RobotsPolicy | None = None
        self.robots_task: asyncio.Future | None = None
        self.requests = 0
        self.name = "%s://%s:%d" % key               # its slot in the turns shared with other processes

        async def trace(name: str, info: dict) -> None:
            # The moment the request headers have gone out is the real start of the request
            # (".started" comes before the socket write, which may yield to other tasks first:
            # a mark taken then lets the next request reach the host early by that wait).
            if name == "http11.send_request_headers.complete":
                t = time.monotonic() + self.delay
                if t > self.next_start:
                    self.next_start = t
                if turns is not None:
                    turns.mark(self.name, time.time() + self.delay)

        self.trace = trace


class Gate:
    """The slots and the deadline shared by every host of one Fetcher."""

    def __init__(self, concurrency: int, turns: HostTurns | None) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        # The per-host turns shared with the other processes of one database (None: this one alone).
        self.turns = turns
        # time.monotonic() after which no request starts (robots.txt, probes, retries, hops
        # and Wayback lookups alike): the crawl's --max-duration.
        self.deadline: float | None = None

    def stop_if_past_deadline(self, start: float) -> None:
        """A request that could only start at `start` (monotonic) does not start after the deadline."""
        if self.deadline is not None and start >= self.deadline:
            raise DeadlineReached

    async def backoff_sleep(self, seconds: float) -> None:
        # No waiting for a retry that could not start anyway.
        self.stop_if_past_deadline(time.monotonic() + seconds)
        await asyncio.sleep(seconds)

    async def enter(self, host: HostState) -> None:
        """Wait for a per-host slot, the host's next allowed start and a global slot."""
        await host.sem.acquire()
        try:
            while True:
                now = time.monotonic()
                self.stop_if_past_deadline(max(now, host.next_start))
                if host.next_start > now:
                    await asyncio.sleep(host.next_start - now)
                    continue
                await self.slots.acquire()
                now = time.monotonic()
                if host.next_start > now or (self.deadline is not None and now >= self.deadline):
                    # Another request of this host started (or a Retry-After came) meanwhile,
                    # or the deadline passed while this one waited for a slot.
                    self.slots.release()
                    continue
                if self.turns is not None:
                    # Another process using the database (a `check` beside a crawl) may hold the turn.
                    wait = self.turns.take(host.name, host.delay, time.time())
                    if wait > 0:
                        host.next_start = now + wait
                        self.slots.release()
                        continue
                host.next_start = now + host.delay
                return
        except BaseException:
            host.sem.release()
            raise

    def leave(self, host: HostState) -> None:
        """The request that `enter` let through is over: its slots are free again."""
        self.slots.release()
        host.sem.release()
