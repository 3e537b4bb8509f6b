"""The crawl: schedule due sources, fetch them politely, classify, analyse, mirror, record.

Data flows one way: schedule -> fetch -> classify -> analyse (extract, compare) ->
mirror (WARC) -> store. The WARC record is written before the check that points to
it, and each check is one transaction, so a crawl killed at any moment loses nothing
it recorded and the next one carries on with what is still due.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import os
import random
import signal
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from crawler import analyze as cpu
from crawler.attribution import Attributor
from crawler.classify import (
    answered_status,
    bot_check,
    is_dead,
    link_status,
    matches_probe,
    page_signature,
    probe_url,
    refresh_header_target,
    same_url,
    shown_as_page,
    soft404_evidence,
)
from crawler.config import Config
from crawler.errors import LocalShortage, Terminated, shortage_of
from crawler.fetch import DeadlineReached, Fetch, Fetcher, FetchResult
from crawler.wayback import WaybackError, closest_snapshot, snapshot_time
from store.attribution import record_attribution
from store.db import Store, parse_iso, source_faithful_when_reposted, utc_now
from store.records import CheckRecord, DueSource, FidelityResult, SourceRow, VersionText, WarcRef
from store.turns import turns_path
from store.warc import CrawlInfo, mirror_damage
from store.words import ANSWERED_STATUSES, DEAD_STATUSES, FAILING_STATUSES, FetchError, LinkStatus

T = TypeVar("T")
POOL_MIN_SOURCES = 64  # below this a process pool costs more to start than it saves
# Seconds one page's analysis may take in a pool worker (a 9 MB page of one paragraph takes
# under 10 here): past that the page is built to be slow, and its worker is stopped, so that
# a few such pages cannot hold every worker of a nightly crawl for hours.
ANALYSIS_LIMIT = 120.0
# Pages of a paginated article read in one check, its first included: a reader turns a few, a
# site that numbers its pages without end is not read for ever.
ARTICLE_PAGES_MAX = 10


@dataclass
class CrawlSummary:
    started_at: str
    finished_at: str | None = None
    checked: int = 0
    by_status: Counter = field(default_factory=Counter)
    new_versions: int = 0
    unfaithful: int = 0
    changed_since_repost: int = 0  # sources whose reposts were faithful when made: the site edited since
    stopped_early: bool = False
    due: int = 0
    outcome: str = "running"
    # WARC files found missing or cut short at the start of this crawl, told once (file -> what).
    mirror_damage: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at, "finished_at": self.finished_at, "checked": self.checked,
            "by_status": dict(sorted(self.by_status.items())), "new_versions": self.new_versions,
            "unfaithful": self.unfaithful, "changed_since_repost": self.changed_since_repost,
            "stopped_early": self.stopped_early, "due": self.due,
            "outcome": self.outcome, "mirror_damage": self.mirror_damage,
        }


def check_mirror(cfg: Config, store: Store) -> dict[str, str]:
    """The mirror's losses not told before. A revisit is only written when the record it points
    at can still be read (WarcMirror.original), so a lost file is mirrored again in full."""
    damage = mirror_damage(cfg.store.mirror, store.warc_extents())
    told = json.dumps(damage, sort_keys=True)
    if store.get_meta("mirror_damage") == told:
        return {}
    store.set_meta("mirror_damage", told)
    return damage


@dataclass
class CheckOutcome:
    """What one check found, for the caller (the `check` command prints it)."""

    record: CheckRecord
    check_id: int
    analysis: cpu.PageAnalysis | None


def interleave_by_host(sources: list[DueSource]) -> list[DueSource]:
    """Round-robin over hosts, keeping each host's order: a slow, polite host never starves the others."""
    queues: dict[str, deque[DueSource]] = defaultdict(deque)
    for source in sources:
        queues[source.host].append(source)
    out: list[DueSource] = []
    while queues:
        for host in list(queues):
            out.append(queues[host].popleft())
            if not queues[host]:
                del queues[host]
    return out


def read_as_started(store: Store, due: Iterable[DueSource], chunk: int = 256) -> Iterator[SourceRow]:
    """Each due source's row, read a chunk at a time as the crawl reaches it: rows of the
    whole archive at once were a first crawl's largest allocation."""
    batch: list[int] = []
    for source in due:
        batch.append(source.id)
        if len(batch) == chunk:
            yield from store.sources_by_ids(batch)
            batch = []
    yield from store.sources_by_ids(batch)


class WorkerCrashed(Exception):
    """A job whose worker process died twice under it: the page, not chance, kills workers."""


class AnalysisTooSlow(WorkerCrashed):
    """A job that ran past ANALYSIS_LIMIT: its worker was stopped under it, and it is not tried again."""


class WorkerPool:
    """The crawl's worker processes, started afresh when one dies (the OOM killer, a crash on
    a page) or is stopped (a page whose analysis runs past `limit` seconds): every other job
    that was in the broken pool runs once more in the new one."""

    def __init__(self, start: Callable[[], ProcessPoolExecutor], limit: float | None = None) -> None:
        self._start = start
        self.limit = limit
        self.executor = start()
        self.restarts = 0
        # Second tries run one at a time: if a page is what kills workers, its second try
        # takes down no other job's second try.
        self._second_tries = asyncio.Semaphore(1)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return await self._submit(fn, args)
        except BrokenProcessPool:
            pass
        async with self._second_tries:
            try:
                return await self._submit(fn, args)
            except BrokenProcessPool:
                raise WorkerCrashed("the worker analysing this page died twice") from None

    async def _submit(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        loop = asyncio.get_running_loop()
        executor = self.executor
        try:
            future = loop.run_in_executor(executor, fn, *args)
        except BrokenProcessPool:  # broken before this job got in: no try spent
            executor = self._replace(executor)
            future = loop.run_in_executor(executor, fn, *args)
        try:
            return await asyncio.wait_for(future, self.limit)
        except BrokenProcessPool:
            self._replace(executor)
            raise
        except asyncio.TimeoutError:
            # Which worker runs the job is not known: the pool's workers are stopped, and the
            # jobs they held run again in a new pool, as after a crash.
            for process in list((getattr(executor, "_processes", None) or {}).values()):
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
            self._replace(executor)
            raise AnalysisTooSlow(f"the analysis of this page took longer than {self.limit:g} s (stopped)") from None

    def _replace(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        if broken is self.executor:
            broken.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start()
            self.restarts += 1
        return self.executor

    def shutdown(self) -> None:
        self.executor.shutdown(cancel_futures=True)


@dataclass
class _Progress:
    """How far one check got: what its failure record can still say."""

    stage: str = "preparing"
    result: FetchResult | None = None


def safe_text(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, with what UTF-8 cannot hold (lone surrogates) escaped."""
    text = text[:limit]
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


@functools.cache
def _analysis_thread() -> ThreadPoolExecutor:
    """The one thread that analyses pages in this process when a crawl has no pool (one, so
    that the mirror file it appends to has one writer)."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="analysis")


class Checker:
    """Checks sources for one crawl (or one `check` command) with shared fetcher, mirror and pool."""

    def __init__(self, cfg: Config, store: Store, fetcher: Fetch, *,
                 crawl_id: int | None, pool: WorkerPool | None = None, on_demand: bool = False) -> None:
        self.cfg = cfg
        self.store = store
        self.fetcher = fetcher
        self.crawl_id = crawl_id
        self.pool = pool
        # `check` asks the archive as soon as the source cannot be fetched, not only once it is dead.
        self.on_demand = on_demand
        self.attributor = Attributor(cfg, store, fetcher, self._process)
        self._probes: dict[str, asyncio.Task[Any]] = {}
        self._rng = random.Random()
        # What the fetcher fetches on its own account (robots.txt, Wayback lookups) is mirrored too.
        fetcher.archive = self.archive

    async def _cpu(self, fn: Callable[..., T], *args: Any) -> T:
        if self.pool is None:
            # On a thread of its own, one page at a time: while a long page is analysed, the
            # event loop goes on reading the answers in flight (analysed on the loop, it held
            # them past their timeouts: live pages of other hosts were unreachable).
            return await asyncio.get_running_loop().run_in_executor(_analysis_thread(), functools.partial(fn, *args))
        return await self.pool.run(fn, *args)

    # --- the steps ------------------------------------------------------------

    async def _process(self, result: FetchResult, previous: str | None, reposts: tuple[tuple[int, str], ...]
                       ) -> tuple[WarcRef | None, cpu.PageAnalysis | None]:
        """Mirror a fetch's exchanges and analyse its page (in a worker, which appends the records
        to its own mirror file): the records are on disk before the check that points to them is
        recorded. The WARC record returned is the last response's (None when there was none)."""
        if not result.exchanges:
            return None, None
        status = result.status
        last = self.store.latest_capture(result.exchanges[-1].url) if status is not None else None
        page = None
        if status is not None and result.body and result.broken is None \
                and (200 <= status < 300 or (reposts and shown_as_page(result))):
            host = urlsplit(result.final_url).hostname or ""
            # A 206 nobody asked for (no Range is sent) is part of a page, as a body cut at max_bytes is.
            page = cpu.PageJob(result.body, result.header("content-type"), result.final_url, self.cfg.site(host),
                               previous, reposts, cut=result.truncated or status == 206, before=last)
        try:
            ref, analysis = await self._cpu(cpu.process, cpu.ResponseJob(tuple(result.exchanges), last, page))
        except WorkerCrashed as exc:
            # Whether the records reached the disk is unknown: the check points to none.
            return None, (cpu.PageAnalysis.failed(str(exc)) if page is not None else None)
        return (ref if status is not None else None), analysis

    async def archive(self, result: FetchResult) -> None:
        """Mirror a fetch that no check points to (robots.txt, a Wayback lookup)."""
        with contextlib.suppress(WorkerCrashed):
            await self._cpu(cpu.process, cpu.ResponseJob(tuple(result.exchanges), None, None))

    async def _probe_signature(self, url: str) -> Any:
        """What this host serves for a URL that cannot exist: learned once per host per crawl."""
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        if origin not in self._probes:
            self._probes[origin] = asyncio.ensure_future(self._probe(url))
        return await self._probes[origin]

    async def _probe(self, url: str) -> Any:
        try:
            return await self._probe_once(url)
        except LocalShortage:
            raise
        except Exception as exc:  # noqa: BLE001 - without a probe, no page is called a soft-404 by it
            if shortage_of(exc) is not None:
                raise
            return None

    async def _probe_once(self, url: str) -> Any:
        # One request, no retries: a probe that fails says nothing about the host's pages.
        result = await self.fetcher.fetch(probe_url(url, self._rng), archive=False, retries=0, once=True)
        _, article = await self._process(result, None, ())
        if article is None or article.failure is not None:
            return None
        return page_signature(article.title, article.signature_text, article.media)

    async def _classify(self, result: FetchResult, analysis: cpu.PageAnalysis | None,
                        previous_status: LinkStatus | None) -> tuple[LinkStatus, str | None]:
        """(status, the evidence behind a soft-404 or the note that no body was found, for the detail)."""
        if analysis is not None and analysis.failure is not None:
            # The server gave a page; what it holds is unknown, so it is not called a soft-404.
            return link_status(result, previous=previous_status or LinkStatus.ALIVE), None
        if analysis is not None and analysis.shows_article and result.status is not None \
                and not 200 <= result.status < 300:
            # A wrong status over the article: its readers read it, and no archivist should be
            # sent to the Wayback Machine for it.
            return answered_status(result), "the page shows the article all the same (a repost's text)"
        evidence = None
        if analysis is not None and analysis.wall_said is not None and result.status is not None \
                and 200 <= result.status < 300:
            # A bot check or a sign-in wall hides the article: whether it is there, nobody can say.
            return LinkStatus.BLOCKED, f"blocked: the page is a wall in the article's place ({analysis.wall_said})"
        if analysis is not None and analysis.outage_said is not None and result.status is not None \
                and 200 <= result.status < 300:
            # A 200 that says the site is down for now is a 503 by its words: a failure for today,
            # dead only after `dead_after` of them, never a soft-404.
            return LinkStatus.SERVER_ERROR, f"server error: the page says the site is down for now ({analysis.outage_said})"
        if analysis is not None and result.status is not None and 200 <= result.status < 300 \
                and not analysis.holds_repost:
            signature = await self._probe_signature(result.final_url)
            match = signature is not None and matches_probe(
                page_signature(analysis.title, analysis.signature_text, analysis.media), signature)
            evidence = soft404_evidence(result, error_said=analysis.error_said, probe_match=match,
                                        refresh_to=refresh_header_target(result.header("refresh"), result.final_url)
                                        or analysis.refresh_to)
        # A 304 repeats the status of the page it confirmed.
        status = link_status(result, soft404=evidence, previous=previous_status or LinkStatus.ALIVE)
        if status == LinkStatus.BLOCKED and result.status is not None and result.status >= 300 \
                and (said := bot_check(result)) is not None:
            evidence = f"blocked: a bot check answered in the page's place ({said})"
        if evidence is None and status in ANSWERED_STATUSES and result.status is not None \
                and 200 <= result.status < 300 and (analysis is None or not analysis.has_article):
            evidence = "no article body found"  # (an empty body included: it is analysed by nobody)
        return status, evidence

    async def _alternates(self, source: SourceRow, tried: set[str], previous: str | None,
                          reposts: tuple[tuple[int, str], ...]
                          ) -> tuple[FetchResult, cpu.PageAnalysis, WarcRef | None] | None:
        """Before a source is called gone or soft-404, its other URL forms get their chance."""
        for url in dict.fromkeys([*source.aliases, *source.linked_urls]):
            if url in tried:
                continue
            tried.add(url)
            found = await self._article_at(url, previous, reposts)
            if found is not None:
                return found
        return None

    async def _article_at(self, url: str, previous: str | None, reposts: tuple[tuple[int, str], ...],
                          *, body: bool = False) -> tuple[FetchResult, cpu.PageAnalysis, WarcRef | None] | None:
        """`url` fetched and analysed, if it answers as a live page (`body`: with an article or a
        repost's text on it)."""
        result = await self.fetcher.fetch(url, archive=False)
        warc, analysis = await self._process(result, previous, reposts)
        if analysis is not None and (not body or analysis.has_article or analysis.holds_repost) \
                and (await self._classify(result, analysis, None))[0] in ANSWERED_STATUSES:
            return result, analysis, warc
        return None

    async def _sent_on(self, result: FetchResult, analysis: cpu.PageAnalysis, previous: str | None,
                       reposts: tuple[tuple[int, str], ...]
                       ) -> tuple[FetchResult, cpu.PageAnalysis, WarcRef | None, str] | None:
        """Where a page without the repost's text sends its readers, as a browser does: within
        seconds by a refresh (a moved article's "redirecting you..." stub, its script's location)
        or in its main frame. That page, when it has an article, is what the source shows; the
        last item says how the page led there."""
        refresh = refresh_header_target(result.header("refresh"), result.final_url) or analysis.refresh_to
        target = refresh or analysis.frame_to
        if target is None or same_url(result.final_url, target) or urlsplit(target).scheme not in ("http", "https"):
            return None
        found = await self._article_at(target, previous, reposts, body=True)
        if found is None:
            return None
        shown = found[0].final_url
        how = f"the page sends its readers on to {shown}" if refresh else f"the page shows {shown} in its main frame"
        return (*found, how)

    async def _pages_after(self, result: FetchResult, analysis: cpu.PageAnalysis, previous: str | None,
                           reposts: tuple[tuple[int, str], ...]) -> tuple[cpu.PagesRead, str] | None:
        """A paginated article's pages after the first, fetched as its readers turn them (on its
        host, politely, each mirrored), its reposts judged on all of them (SPEC 7: an edit on
        page two is an edit) and the pages they copy made the version. None when the next page
        brings no article: the first page's reading stands, its verdicts as excerpts."""
        pages = [cpu.ArticlePage(analysis.normalized, analysis.text, analysis.extras)]
        host = urlsplit(result.final_url).netloc
        seen = {result.final_url}
        url = analysis.next_page
        goes_on = False
        while url is not None:
            if len(pages) >= ARTICLE_PAGES_MAX or url in seen or urlsplit(url).netloc != host:
                goes_on = True
                break
            seen.add(url)
            try:
                fetched = await self.fetcher.fetch(url, archive=False)
            except DeadlineReached:  # (--max-duration: the first page's check still stands)
                goes_on = True
                break
            _, page = await self._process(fetched, None, reposts)
            if page is None or page.failure is not None or not page.has_article or page.found_by == "meta" \
                    or any(p.normalized == page.normalized for p in pages) \
                    or fetched.status is None or not 200 <= fetched.status < 300 or fetched.truncated:
                goes_on = True  # what follows is not read: the pages read are an excerpt
                break
            pages.append(cpu.ArticlePage(page.normalized, page.text, page.extras))
            # (set only where a repost goes on past this page's end: a page that is no part of
            # the repost's article ends the reading here, and `read_pages` leaves it out)
            url = page.next_page
        if len(pages) == 1:
            return None
        try:
            read = await self._cpu(cpu.read_pages, tuple(pages), reposts, goes_on, previous)
        except WorkerCrashed:
            return None
        return read, f"the article goes on over {len(pages)} pages{' or more' if goes_on else ''}: judged on them all"

    async def _wayback(self, source: SourceRow, previous: str | None, reposts: tuple[tuple[int, str], ...]
                       ) -> tuple[str | None, cpu.PageAnalysis | None, WarcRef | None, bool, str]:
        """(archived copy URL, its analysis, its WARC record, looked up?, detail)."""
        try:
            snapshot = await closest_snapshot(self.fetcher, self.cfg.wayback.availability_url, source.url,
                                              source.earliest_published_at)
        except WaybackError as exc:
            return None, None, None, False, f"wayback: {exc}"
        if snapshot is None:
            return None, None, None, True, "wayback: no snapshot"
        result = await self.fetcher.fetch(snapshot.raw_url, archive=False)
        warc, analysis = await self._process(result, previous, reposts)
        if analysis is None or not analysis.has_article or not (
                result.status is not None and 200 <= result.status < 300 or analysis.shows_article):
            # (an archived error answer is no copy, whatever body it has, unless it shows the article)
            return snapshot.url, None, warc, True, f"wayback: snapshot {snapshot.url} holds no article"
        if analysis.stands_in is not None:
            # The archive kept what the site answered that day: an error page or a bot check in
            # the article's place is no copy of the article (it made a version of the error
            # page, and every repost 'not faithful' to it), nor a copy to send readers to.
            return None, None, warc, True, f"wayback: snapshot {snapshot.url} holds no article ({analysis.stands_in})"
        return snapshot.url, analysis, warc, True, f"wayback: {snapshot.url}"

    def _wayback_due(self, source: SourceRow, now: float) -> bool:
        if not self.cfg.wayback.enabled:
            return False
        if source.wayback_checked_at is None:
            return True
        return now - parse_iso(source.wayback_checked_at) >= self.cfg.crawl.revisit_dead

    async def check(self, source: SourceRow) -> CheckOutcome:
        """Check one source and record it. Whatever goes wrong with this one source (its
        answer, its page, its record) is this source's check, with the cause in `detail`;
        only the crawler's own shortages (LocalShortage) stop the caller."""
        seen = _Progress()
        try:
            return await self._check(source, seen)
        except LocalShortage:
            raise
        except Exception as exc:  # noqa: BLE001 - one source must never stop the crawl
            cause = shortage_of(exc)
            if cause is not None:
                raise LocalShortage(cause) from exc
            return self._record_failure(source, seen, exc)

    def _record_failure(self, source: SourceRow, seen: _Progress, exc: Exception) -> CheckOutcome:
        """The check of a source whose checking raised: what the server answered, if it did,
        and what broke, recorded without body, mirror record or fidelity."""
        result = seen.result
        if result is not None and result.error is None and result.status is not None:
            # The server answered; what the page holds is unknown, so it is not called a soft-404.
            status = link_status(result, previous=source.link_status or LinkStatus.ALIVE)
            error = None
        else:
            status, error = LinkStatus.SERVER_ERROR, FetchError.INTERNAL
        failures = source.consecutive_failures + 1 if status in FAILING_STATUSES else 0
        cause = f"crawler error while {seen.stage}: {type(exc).__name__}: {exc}"
        record = CheckRecord(
            source_id=source.id, crawl_id=self.crawl_id, checked_at=utc_now(), url=source.url,
            final_url=result.final_url if result is not None and result.redirects else None,
            http_status=result.status if result is not None else None, link_status=status,
            dead=is_dead(status, failures, self.cfg.crawl.dead_after), consecutive_failures=failures,
            error=error, detail=safe_text(cause, 500),
        )
        return CheckOutcome(record, self.store.record_check(record), None)

    async def _check(self, source: SourceRow, seen: _Progress) -> CheckOutcome:
        store = self.store
        latest = store.version(source.latest_version_id) if source.latest_version_id else None
        previous = latest.normalized if latest else None
        reposts = tuple((r.id, r.body or "") for r in store.reposts_of(source.id))
        conditional = latest is not None and not latest.from_archive
        # Learn the host's answer for a URL that cannot exist before its first page: started later,
        # the probe would queue behind every page of the host already waiting for its turn.
        await self._probe_signature(source.url)
        seen.stage = "fetching"
        result = await self.fetcher.fetch(source.url, etag=source.etag if conditional else None,
                                          last_modified=source.last_modified if conditional else None, archive=False)
        seen.result, seen.stage = result, "analysing the page"
        warc, analysis = await self._process(result, previous, reposts)
        status, evidence = await self._classify(result, analysis, source.link_status)
        # final_url says where a redirect led; null when the page answered at the requested URL.
        final_url = result.final_url if result.redirects else None
        if status in DEAD_STATUSES:
            found = await self._alternates(source, {source.url, result.final_url}, previous, reposts)
            if found is not None:
                result, analysis, warc = found
                status, final_url, evidence = LinkStatus.REDIRECTED, result.final_url, None
        elif status in ANSWERED_STATUSES and analysis is not None and not analysis.holds_repost:
            sent = await self._sent_on(result, analysis, previous, reposts)
            if sent is not None:
                result, analysis, warc, evidence = sent
                status, final_url = LinkStatus.REDIRECTED, result.final_url
        failures = source.consecutive_failures + 1 if status in FAILING_STATUSES else 0
        dead = is_dead(status, failures, self.cfg.crawl.dead_after)
        body = None
        new_version = False
        fidelity: tuple[FidelityResult, ...] = ()
        detail = "; ".join(d for d in (result.detail, analysis.failure if analysis is not None else None,
                                        evidence, _found_note(analysis, status)) if d)
        paged = False
        if analysis is not None and analysis.has_article and status in ANSWERED_STATUSES:
            fidelity = analysis.fidelity
            # Part of a page (cut at max_bytes) confirms no version: its body may be what came
            # before the article, or the article without its tail.
            if not result.truncated or analysis.new_version:
                body = VersionText(analysis.title, analysis.text, analysis.normalized, extras=analysis.extras)
                new_version = analysis.new_version
            if analysis.next_page is not None and not result.truncated:
                seen.stage = "reading the article's next pages"
                read = await self._pages_after(result, analysis, previous, reposts)
                if read is not None:
                    pages, note = read
                    detail = f"{detail}; {note}" if detail else note
                    paged = True
                    fidelity = pages.fidelity
                    body = VersionText(analysis.title, pages.text, pages.normalized, extras=pages.extras)
                    new_version = pages.new_version
                elif previous is not None and previous != analysis.normalized \
                        and previous.startswith(analysis.normalized + "\n"):
                    # The article's version is read over its pages, and tonight its next page
                    # could not be read: no new version of its first page alone, and the reposts
                    # judged on the version, as on a night without the article.
                    body, new_version = None, False
                    with contextlib.suppress(WorkerCrashed):
                        fidelity = await self._cpu(cpu.judge_stored, previous, latest.extras if latest else None,
                                                   reposts, latest.text if latest else None)
        elif latest is not None and previous is not None and reposts:
            # No article tonight (a 304 says the page has not changed; a dead page, or one without
            # its body): judged again on the page that last served the latest version.
            served = self.store.latest_page(source.id, latest.id)
            url = (served.url if served is not None else None) or result.final_url
            with contextlib.suppress(WorkerCrashed):  # then the fidelity last judged stands
                fidelity = await self._cpu(cpu.judge_again, cpu.AgainJob(
                    self.cfg.store.mirror, served, url, self.cfg.site(urlsplit(url).hostname or ""),
                    self.cfg.crawl.max_bytes, previous, latest.extras, latest.text, latest.found_by == "meta",
                    reposts))
        archived_copy, looked_up = None, False
        unfetchable = self.on_demand and body is None and previous is None
        if (dead or unfetchable) and self._wayback_due(source, time.time()):
            archived_copy, snap, snap_warc, looked_up, note = await self._wayback(source, previous, reposts)
            detail = f"{detail}; {note}" if detail else note
            if snap is not None:
                body = VersionText(snap.title, snap.text, snap.normalized, from_archive=True,
                                   archive_url=archived_copy, extras=snap.extras,
                                   captured_at=snapshot_time(archived_copy))
                new_version = snap.new_version
                fidelity = snap.fidelity
                warc = snap_warc
        record = CheckRecord(
            source_id=source.id, crawl_id=self.crawl_id, checked_at=utc_now(), url=source.url,
            final_url=final_url,
            # A body that broke off is a failed transfer: no HTTP answer to show for it.
            http_status=None if result.broken else result.status, link_status=status, dead=dead,
            consecutive_failures=failures,
            error=result.error, detail=detail,
            # Validators only of a page that made or confirmed a version: a 404's ETag validates nothing.
            # (none of a paginated article's first page: its 304 would say nothing of the pages after it)
            etag=result.header("etag") if body is not None and not body.from_archive and not paged else None,
            last_modified=result.header("last-modified") if body is not None and not body.from_archive
            and not paged else None,
            truncated=result.truncated or result.broken is not None, warc=warc, body=body,
            new_version=new_version, fidelity=fidelity, archived_copy=archived_copy, wayback_checked=looked_up,
            found_by=analysis.found_by if body is not None and analysis is not None and not body.from_archive else None,
        )
        seen.stage = "recording the check"
        check_id = store.record_check(record)
        if any(not f.faithful for f in fidelity):
            seen.stage = "attributing the differences"
            record = await self._attribute(source, record, check_id, reposts)
        return CheckOutcome(record, check_id, analysis)

    async def _attribute(self, source: SourceRow, record: CheckRecord, check_id: int,
                         reposts: tuple[tuple[int, str], ...]) -> CheckRecord:
        """Who changed the text (SPEC 9), once the check is recorded: today's version and response
        are then ours to compare with. A failure here costs the attribution, never the check."""
        try:
            latest = self.store.source_by_id(source.id)
            today = self.store.version(latest.latest_version_id) if latest and latest.latest_version_id else None
            fidelity = await self.attributor.attribute(source, record.fidelity, today.normalized if today else "",
                                                       reposts)
            record_attribution(self.store, check_id, source.id, fidelity)
        except DeadlineReached:
            return record  # no lookup starts after --max-duration; the check itself stands
        except Exception as exc:  # noqa: BLE001 - the check itself is recorded already
            cause = shortage_of(exc)
            if cause is not None:
                raise LocalShortage(cause) from exc
            return record
        return dataclasses.replace(record, fidelity=fidelity)


def _found_note(analysis: cpu.PageAnalysis | None, status: str) -> str | None:
    """Where the compared body was found (SPEC 7)."""
    if analysis is None or status not in ANSWERED_STATUSES or analysis.found_by is None:
        return None
    where = {"extractor": "by the generic extractor", "page_text": "in the page's visible text, where a repost's text is",
             "embedded": "in the data the page carries for its scripts, where a repost's text is",
             "meta": "only in the page's description, where a repost's text is (an excerpt)"}[analysis.found_by]
    aside = f"; a repost's text is in {analysis.set_aside}, not in the article the page shows" if analysis.set_aside else ""
    return f"body found {where} ({analysis.found_by}){aside}"


async def _run_checks(checker: Checker, sources: Iterable[SourceRow], summary: CrawlSummary, deadline: float | None,
                      on_done: Callable[[CrawlSummary], None], window: int) -> None:
    """Start checks in order, at most `window` at once; stop starting new ones after the deadline."""
    pending: set[asyncio.Task[CheckOutcome]] = set()
    upcoming = iter(sources)
    source = next(upcoming, None)

    def account(outcome: CheckOutcome) -> None:
        summary.checked += 1
        summary.by_status[outcome.record.link_status] += 1
        summary.new_versions += int(outcome.record.new_version and outcome.record.body is not None)
        summary.unfaithful += sum(1 for f in outcome.record.fidelity if not f.faithful)
        summary.changed_since_repost += int(source_faithful_when_reposted(outcome.record.fidelity) is True)
        on_done(summary)

    try:
        while source is not None or pending:
            while source is not None and len(pending) < window:
                if deadline is not None and time.monotonic() >= deadline:
                    summary.stopped_early = True
                    source = None
                    break
                pending.add(asyncio.ensure_future(checker.check(source)))
                source = next(upcoming, None)
            if not pending:
                break
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            failure: BaseException | None = None
            for task in done:
                # Every finished task is looked at, so none leaves "exception was never retrieved".
                error = None if task.cancelled() else task.exception()
                if isinstance(error, DeadlineReached):
                    # A request it needed could not start in time: nothing recorded, still due.
                    summary.stopped_early = True
                    source = None
                elif error is not None:
                    failure = failure or error
                elif not task.cancelled():
                    account(task.result())
            if failure is not None:
                raise failure
    finally:
        # A stop (a shortage, a signal) takes the checks in flight down with it, quietly:
        # what they had not recorded is still due next time.
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)


def _pool(size: int, settings: cpu.CompareSettings, mirror: Path, info: CrawlInfo) -> WorkerPool | None:
    if size < POOL_MIN_SOURCES or (os.cpu_count() or 1) < 2:
        return None
    return WorkerPool(lambda: ProcessPoolExecutor(max_workers=os.cpu_count(), initializer=_start_worker,
                                                  initargs=(settings, mirror, info)), ANALYSIS_LIMIT)


def _start_worker(settings: cpu.CompareSettings, mirror: Path, info: CrawlInfo) -> None:
    # A worker is forked from the crawl and must not keep its signal handling: through the event
    # loop's wakeup descriptor, a SIGTERM sent to the worker would stop the crawl instead, and a
    # pool that ends its workers with SIGTERM must see them end.
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # A crawl killed alone (kill -9, the OOM killer) leaves its pool behind, blocked on a
    # queue that will never speak again: a worker notices its parent is gone and exits.
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    cpu.configure(settings, mirror, info)


def crawl_info(cfg: Config, started_at: str) -> CrawlInfo:
    """What the mirror's warcinfo records say of this crawl."""
    return CrawlInfo(started_at, cfg.crawl.user_agent, cfg.crawl.respect_robots)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def compare_settings(cfg: Config, store: Store) -> cpu.CompareSettings:
    lines = store.boilerplate_lines(cfg.compare.boilerplate_min_reposts)
    return cpu.CompareSettings(cpu.boilerplate_set(lines, cfg.compare.fold_chinese_script),
                               cfg.compare.min_change_chars, cfg.compare.fold_chinese_script, cfg.crawl.max_bytes)


async def crawl_async(cfg: Config, store: Store, *, all_sources: bool = False, limit: int | None = None,
                      max_duration: float | None = None, on_start: Callable[[int], None] | None = None,
                      on_done: Callable[[CrawlSummary], None] | None = None,
                      resolve: Callable[[str], Awaitable[list[str]]] | None = None) -> CrawlSummary:
    """Check every due source once; the caller holds the crawl lock and has scanned."""
    started = time.monotonic()
    summary = CrawlSummary(started_at=utc_now())
    crawl_id = store.start_crawl(summary.started_at)
    outcome = "failed"
    deadline = started + max_duration if max_duration is not None else None
    # SIGTERM cancels the crawl from inside the event loop, as Ctrl-C does: every check in
    # flight is cancelled where it waits, and the crawl is recorded as interrupted.
    loop = asyncio.get_running_loop()
    crawl_task = asyncio.current_task()
    terminated: list[bool] = []
    previous_handler = signal.getsignal(signal.SIGTERM)

    def on_sigterm() -> None:
        terminated.append(True)
        if crawl_task is not None:
            crawl_task.cancel()

    try:
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    except (ValueError, RuntimeError, NotImplementedError):  # not the main thread: the caller's handler stands
        previous_handler = None
    try:
        due = store.due_sources(time.time(), cfg.crawl.revisit_alive, cfg.crawl.revisit_dead,
                                all_sources=all_sources, limit=limit)
        summary.due = len(due)
        summary.mirror_damage = check_mirror(cfg, store)
        if on_start:
            on_start(len(due))
        settings = compare_settings(cfg, store)
        info = crawl_info(cfg, summary.started_at)
        pool = _pool(len(due), settings, cfg.store.mirror, info)
        # With a pool, the workers write the mirror; without one, this process does.
        cpu.configure(settings, None if pool else cfg.store.mirror, info)
        try:
            async with Fetcher(cfg.crawl, resolve=resolve, turns=turns_path(cfg.store.database)) as fetcher:
                fetcher.deadline = deadline
                checker = Checker(cfg, store, fetcher, crawl_id=crawl_id, pool=pool)
                await _run_checks(checker, read_as_started(store, interleave_by_host(due)), summary, deadline,
                                  on_done or (lambda _s: None), window=max(4, cfg.crawl.concurrency * 2))
        finally:
            cpu.close_mirror()
            if pool is not None:
                pool.shutdown()
        outcome = "stopped_early" if summary.stopped_early else "completed"
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Ctrl-C or SIGTERM: a clean stop, not a failure.
        outcome = "interrupted"
        if terminated:
            raise Terminated() from None
        raise
    finally:
        if previous_handler is not None:
            loop.remove_signal_handler(signal.SIGTERM)
            signal.signal(signal.SIGTERM, previous_handler)
        summary.finished_at = utc_now()
        summary.outcome = outcome
        store.finish_crawl(crawl_id, summary.finished_at, outcome, summary.to_json())
    return summary


async def check_now(cfg: Config, store: Store, sources: Iterable[SourceRow], *, fetch: bool = True,
                    resolve: Callable[[str], Awaitable[list[str]]] | None = None) -> list[CheckOutcome]:
    """The `check` command: fetch each source now under the crawl's politeness, and record it."""
    cpu.configure(compare_settings(cfg, store), cfg.store.mirror, crawl_info(cfg, utc_now()))
    outcomes = []
    try:
        # A crawl running beside this check keeps its turn per host: this check waits for it.
        async with Fetcher(cfg.crawl, resolve=resolve, turns=turns_path(cfg.store.database)) as fetcher:
            checker = Checker(cfg, store, fetcher, crawl_id=None, on_demand=True)
            for source in sources:
                outcomes.append(await checker.check(source))
    finally:
        if fetch:
            store.index_new_versions()
        cpu.close_mirror()
    return outcomes
