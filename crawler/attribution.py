"""Who changed the text (SPEC 9): the repost's editor, or the site after the repost was made.

A repost that differs from today's original is compared with a third text, the original
as it was when the repost was made: our own version current at the repost's date if we
have one, else the web archive's capture nearest to that date (CDX API, within
`wayback.attribution_window`), fetched in its raw `id_` form through the crawl's Fetcher
(same politeness as any host), mirrored, extracted and kept as a `from_archive` version.
Each hunk of the repost's diff then gets `by`:

- "repost": the earlier text agrees with today's original there (the repost changed it);
- "original": it agrees with the repost (the site changed its article since);
- "unknown": no earlier text, or it agrees with neither.

Agreement is read from the texts themselves (normalised, spaces left out), so it holds
whatever form the hunks' texts are shown in (normalised or as published).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from crawler.analyze import repost_lines
from crawler.cdx import Capture, captures_around, closest
from crawler.config import Config
from crawler.fetch import Fetch
from crawler.fidelity import differs
from crawler.normalize import normalize_lines
from crawler.wayback import WaybackError
from store import attribution as kept
from store.db import Store, iso, parse_iso, utc_now
from store.records import FidelityResult, SourceRow, VersionText

BY_REPOST, BY_ORIGINAL, BY_UNKNOWN = "repost", "original", "unknown"
# A hunk's text is "almost" in the earlier text (neither there nor absent: the site changed
# it too) when its best-matching stretch there is at least this similar (rapidfuzz, 0-100).
_NEAR = 80
# An earlier text this unlike both today's original and the repost is not the same article
# (an archive's error page, a different story at the same URL): it decides nothing.
_SAME_ARTICLE = 50


@dataclass(frozen=True)
class RepostDate:
    at: str  # UTC ISO 8601 with Z
    origin: str  # "header" (its header line), "history" (the commit that brought it) or "mtime" (the file's)


def repost_date(root: Path, path: str, published_at: str | None, dated_at: str | None, mtime_ns: int | None,
                in_git: bool) -> RepostDate | None:
    """When a repost was made: its header line, else the commit that brought it, else the file's mtime."""
    if published_at:
        return RepostDate(published_at, "header")
    if dated_at and not mtime_ns:
        return RepostDate(dated_at, "history")  # a history scan's text: dated by its first commit
    if in_git:
        # A working-tree scan of a git archive: the file's mtime is when it was checked out.
        from crawler.history import commit_time

        name, _, commit = path.partition("@")
        committed = commit_time(root, name, commit or None)
        if committed:
            return RepostDate(committed, "history")
    if mtime_ns:
        return RepostDate(iso(mtime_ns / 1e9), "mtime")
    return None


def _squash(text: str, fold_script: bool) -> str:
    """A hunk side or a whole text as compared: normalised, without spaces or line breaks."""
    return "".join("".join(normalize_lines(text.split("\n"), fold_script)).split())


def _where(piece: str, text: str) -> str:
    """'in', 'near' (a close variant is) or 'out' of `text`."""
    if piece in text:
        return "in"
    return "near" if fuzz.partial_ratio(piece, text) >= _NEAR else "out"


def attribute_hunk(hunk: dict[str, Any], earlier: str, fold_script: bool) -> str:
    """`by` for one hunk of a repost's diff against today's original, given the earlier text (squashed)."""
    repost = _squash(hunk.get("repost") or "", fold_script)
    original = _squash(hunk.get("original") or "", fold_script)
    r = _where(repost, earlier) if repost else None
    o = _where(original, earlier) if original else None
    if r is None and o is None:
        return BY_UNKNOWN
    if r is None:  # the repost lacks a stretch of today's original
        return {"in": BY_REPOST, "out": BY_ORIGINAL}.get(o or "", BY_UNKNOWN)
    if o is None:  # the repost has a stretch today's original lacks
        return {"in": BY_ORIGINAL, "out": BY_REPOST}.get(r, BY_UNKNOWN)
    if o == "in" and r != "in":
        return BY_REPOST
    if r == "in" and o != "in":
        return BY_ORIGINAL
    return BY_UNKNOWN


def attribute_hunks(hunks: tuple[dict, ...], earlier: str | None, today: str, repost_text: str,
                    fold_script: bool) -> tuple[dict, ...]:
    """The hunks with `by`; `earlier`, `today` and `repost_text` are normalised texts."""
    if earlier is None:
        return tuple({**h, "by": BY_UNKNOWN} for h in hunks)
    then = _squash(earlier, fold_script)
    if max(fuzz.ratio(then, _squash(today, fold_script)), fuzz.ratio(then, _squash(repost_text, fold_script))) \
            < _SAME_ARTICLE:
        return tuple({**h, "by": BY_UNKNOWN} for h in hunks)
    return tuple({**h, "by": attribute_hunk(h, then, fold_script)} for h in hunks)


def faithful_when_reposted(hunks: tuple[dict, ...]) -> bool | None:
    """True when the site made every difference, false when the repost made one, else None."""
    verdicts = [h.get("by") for h in hunks]
    if BY_REPOST in verdicts:
        return False
    if verdicts and all(v == BY_ORIGINAL for v in verdicts):
        return True
    return None


Process = Callable[[Any, str | None, tuple[tuple[int, str], ...]], Awaitable[tuple[Any, Any]]]


class Attributor:
    """Attributes the differences of unfaithful reposts, for one crawl or one `check`.

    `fetcher` is the crawl's; `process(result, previous, reposts)` mirrors a
    response and analyses its page (the Checker's), returning (WarcRef, PageAnalysis).
    With `fetcher` None (`check --no-fetch`) only texts already stored are used.
    """

    def __init__(self, cfg: Config, store: Store, fetcher: Fetch | None,
                 process: Process | None) -> None:
        self.cfg = cfg
        self.store = store
        self.fetcher = fetcher
        self.process = process
        self._in_git: bool | None = None

    def _git(self) -> bool:
        if self._in_git is None:
            from crawler.history import is_git_repo

            self._in_git = is_git_repo(self.cfg.archive.root)
        return self._in_git

    def dates(self, repost_ids: list[int]) -> dict[int, RepostDate | None]:
        root = self.cfg.archive.root
        return {rid: repost_date(root, path, published, dated, mtime, self._git())
                for rid, path, published, dated, mtime in kept.repost_dating(self.store, repost_ids)}

    async def attribute(self, source: SourceRow, results: tuple[FidelityResult, ...], today: str,
                        reposts: tuple[tuple[int, str], ...]) -> tuple[FidelityResult, ...]:
        """`results` with every unfaithful repost's hunks attributed (`today`: the normalised
        text they were judged against; `reposts`: (repost id, Markdown body) of the source's reposts)."""
        unfaithful = [f for f in results if not f.faithful]
        if not unfaithful:
            return results
        dates = self.dates([f.repost_id for f in unfaithful])
        fold = self.cfg.compare.fold_chinese_script
        bodies = dict(reposts)
        out = []
        for fid in results:
            if fid.faithful:
                out.append(fid)
                continue
            date = dates.get(fid.repost_id)
            note, earlier = "no date for the repost", None
            if date is not None:
                earlier, note = await self.earlier_text(source, date, reposts)
            # (The repost is normalised only when there is an earlier text to weigh it against.)
            body = "\n".join(repost_lines(bodies.get(fid.repost_id, ""), fold)) if earlier else ""
            hunks = attribute_hunks(fid.hunks, earlier.normalized if earlier else None, today, body, fold)
            info: dict[str, Any] = {
                "repost_date": date.at if date else None, "repost_date_from": date.origin if date else None,
                "compared_with": None if earlier is None else {
                    "version": earlier.number, "seen_at": earlier.seen_at, "from_archive": earlier.from_archive,
                    "archive_url": earlier.archive_url},
                "note": note,
            }
            out.append(replace(fid, hunks=hunks, faithful_when_reposted=faithful_when_reposted(hunks),
                               attribution=info))
        return tuple(out)

    async def earlier_text(self, source: SourceRow, date: RepostDate, reposts: tuple[tuple[int, str], ...] = ()
                           ) -> tuple[kept.EarlierText | None, str]:
        """The original as it was at `date`, and a one-line note of where it came from (or why none)."""
        own = kept.own_version_before(self.store, source.id, date.at)
        if own is not None:
            return own, f"our version {own.number}, first seen {own.seen_at}"
        moment, window = parse_iso(date.at), self.cfg.wayback.attribution_window
        held = kept.archived_text_near(self.store, source.id, moment, window)
        if held is not None:
            return held, f"the web archive's capture of {held.seen_at} ({held.archive_url})"
        if self.fetcher is None or not self.cfg.wayback.enabled:
            return None, "no earlier text of the original is stored"
        low, high = iso(moment - window), iso(moment + window)
        if kept.recently_looked_up(self.store, source.id, low, high, iso(time.time() - self.cfg.crawl.revisit_dead)):
            return None, "the web archive has no usable capture near the repost's date (asked recently)"
        try:
            return await self._look_up(source, moment, window, low, high, reposts)
        except WaybackError as exc:
            # Not cached: the archive failed, it did not say it has nothing. Asked again next time.
            return None, str(exc)

    async def _look_up(self, source: SourceRow, moment: float, window: float, low: str, high: str,
                       reposts: tuple[tuple[int, str], ...]) -> tuple[kept.EarlierText | None, str]:
        assert self.fetcher is not None and self.process is not None
        cdx_url = self.cfg.wayback.cdx_url
        captures = await captures_around(self.fetcher, cdx_url, source.url, moment, window)
        self._witness(source, captures)
        capture = closest(captures, moment, window)
        now = utc_now()
        if capture is None:
            kept.record_lookup(self.store, source.id, now, low, high)
            return None, "the web archive has no capture near the repost's date"
        snapshot = capture.snapshot_url(cdx_url)
        # Mirrored by `process` with the analysis, so not by the fetcher as well.
        result = await self.fetcher.fetch(capture.raw_url(cdx_url), archive=False)
        if result.status is None or not 200 <= result.status < 300:
            raise WaybackError(f"wayback capture {snapshot} not fetched: {result.error or f'HTTP {result.status}'}")
        # With the reposts, so that the capture's article is found as today's is (the repost as witness).
        warc, analysis = await self.process(result, None, reposts)
        if analysis is None or not analysis.has_article or analysis.stands_in is not None:
            # (An error page or a bot check captured that day lacks what the repost has, as
            # today's page may: taken for the article then, it blamed the repost for the site's edit.)
            kept.record_lookup(self.store, source.id, now, low, high, timestamp=capture.timestamp,
                               digest=capture.digest, snapshot_url=snapshot)
            said = f" ({analysis.stands_in})" if analysis is not None and analysis.stands_in else ""
            return None, f"the web archive's capture {snapshot} holds no article{said}"
        captured_at = kept.stamp_iso(capture.timestamp)
        version_id = self._same_version(source.id, analysis.normalized)
        if version_id is None:
            body = VersionText(analysis.title, analysis.text, analysis.normalized, from_archive=True,
                               extras=analysis.extras, archive_url=snapshot)
            version_id = kept.record_capture(self.store, source.id, body, captured_at, warc, now)
        kept.record_lookup(self.store, source.id, now, low, high, timestamp=capture.timestamp,
                           digest=capture.digest, snapshot_url=snapshot, version_id=version_id)
        held = kept.archived_text_near(self.store, source.id, moment, window)
        return held, f"the web archive's capture of {captured_at} ({snapshot})"

    def _same_version(self, source_id: int, normalized: str) -> int | None:
        """A version we hold whose text the capture repeats (one distinct text is one version)."""
        lines = normalized.split("\n")
        for version_id, text in kept.version_texts(self.store, source_id):
            if not differs(text.split("\n"), lines, min_change_chars=self.cfg.compare.min_change_chars):
                return version_id
        return None

    def _witness(self, source: SourceRow, captures: list[Capture]) -> None:
        """The archive holds byte for byte what we hold when a capture's digest is one of ours."""
        if not captures:
            return
        ours = kept.our_payload_digests(self.store, source.id)
        theirs = {"sha1:" + c.digest.upper() for c in captures if c.digest}
        kept.mark_witnessed(self.store, source.id, bool(ours & theirs))

