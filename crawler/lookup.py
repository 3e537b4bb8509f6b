"""`check` and `history` as library calls: what the CLI prints, as dataclasses.

`check_target` judges the reposts of one source (fetched now, or against the stored version);
`source_history` lists a source's versions with what changed between consecutive ones. The
CLI only resolves its arguments, calls these and prints the result (text or JSON).
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.config import Config
from store.db import Store
from store.records import Appearance, FidelityResult, SourceRow, StoredRepost, StoredVersion


class TargetError(Exception):
    """A PATH_OR_URL that names no source of the archive; the message says why."""


def repost_name(cfg: Config, target: str) -> str:
    """A repost PATH may be absolute, relative to the current folder, or relative to archive.root."""
    path, _, commit = target.partition("@")
    root = cfg.archive.root.resolve()
    for candidate in (Path(path), Path.cwd() / path, root / path):
        try:
            rel = candidate.resolve().relative_to(root)
        except ValueError:
            continue
        if candidate.exists() or commit:
            name = rel.as_posix()
            return f"{name}@{commit}" if commit else name
    return path.replace(os.sep, "/") + (f"@{commit}" if commit else "")


def is_url(target: str) -> bool:
    """Whether a PATH_OR_URL is a URL (a scheme is case-insensitive: "HTTPS://...")."""
    return target[:8].lower().startswith(("http://", "https://"))


def resolve_target(cfg: Config, store: Store, target: str) -> tuple[SourceRow, list[str] | None]:
    """The source a PATH_OR_URL names, and (for a path) that one repost's name.

    A path not indexed yet is scanned first. Raises TargetError when it names no source."""
    from crawler.urls import normalize_url, source_identity

    if is_url(target):
        try:
            url = normalize_url(target)
        except ValueError as exc:
            raise TargetError(f"not a usable URL {target!r}: {exc}") from None
        source = store.source_by_url(url) or store.source_by_url(source_identity(url, cfg.sites).canonical_url)
        if source is None:
            raise TargetError(f"{target} is not a source of the archive (run `repost-mirror scan` first?)")
        return source, None
    name = repost_name(cfg, target)
    from crawler.scan import NOT_UTF8, is_utf8, shown_name

    if not is_utf8(name):
        raise TargetError(f"{shown_name(name)}: {NOT_UTF8}")
    found = store.source_of_repost(name)
    if found is None:
        from crawler.scan import scan as run_scan

        run_scan(cfg, store)
        found = store.source_of_repost(name)
    if found is None:
        # A place where a history repost's text stood (PATH@COMMIT, or a path no longer at HEAD).
        path, _, commit = name.partition("@")
        holder = store.repost_by_appearance(path, commit)
        if holder is not None:
            name, found = holder, store.source_of_repost(holder)
    if found is None and (cfg.archive.root / name).is_file():
        from crawler.history import NOT_COMMITTED
        from crawler.scan import glob_matcher

        # A file of the archive's folder that the scan does not index: say why.
        if not glob_matcher(cfg.archive.include, cfg.archive.exclude)(name):
            raise TargetError(f"{target}: not indexed: archive.include / archive.exclude leave it out")
        if cfg.archive.history:
            raise TargetError(f"{target}: {NOT_COMMITTED}")
    if found is None:
        raise TargetError(f"{target} is not a file of the archive at {cfg.archive.root}")
    source = store.source_by_id(found.source_id) if found.source_id is not None else None
    if found.kind != "repost" or source is None:
        raise TargetError(f"{name} is not a repost with a source: {store.repost_problem(name)}")
    return source, [name]


@dataclass(frozen=True)
class RepostCheck:
    """One repost judged against the source's latest version."""

    path: str
    fidelity: float
    faithful: bool
    faithful_when_reposted: bool | None
    repost_date: str | None
    repost_date_from: str | None      # "header", "history" or "mtime"
    compared_with: dict[str, Any] | None  # the original as it was when the repost was made
    excerpt_only: bool
    appearances: list[Appearance]
    hunks: list[dict[str, Any]]


@dataclass(frozen=True)
class VersionSeen:
    number: int
    from_archive: bool
    first_seen_at: str
    found_by: str | None


@dataclass(frozen=True)
class CheckDone:
    """What this check's fetch found (absent with --no-fetch)."""

    detail: str
    found_by: str | None


@dataclass(frozen=True)
class CheckReport:
    """`check`: the source as the report shows it, its reposts judged, the version they were judged against."""

    source: dict[str, Any]
    reposts: list[RepostCheck]
    version: VersionSeen | None
    check: CheckDone | None
    # reposts without text to compare (a body empty or only images): judged neither way
    without_text: list[str] = field(default_factory=list)
    # reposts with text that the check judged neither way (a page cut before their text arrived)
    not_judged: list[str] = field(default_factory=list)

    @property
    def unfaithful(self) -> bool:
        return any(not r.faithful for r in self.reposts)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def check_source(cfg: Config, store: Store, source: SourceRow, only: list[str] | None, *,
                 fetch: bool = True) -> CheckReport:
    """Judge the reposts of `source` (only those named in `only`, when given): fetched now, or
    against the latest stored version when `fetch` is false."""
    from crawler import analyze as cpu
    from crawler.attribution import Attributor
    from crawler.crawl import check_now

    fetched = None
    if fetch:
        fetched = asyncio.run(check_now(cfg, store, [source]))[0]
    # As it is now: the fetch (or another process's) may have recorded a version since `source` was read.
    source = store.source_by_id(source.id) or source
    summary = store.report_sources(source_id=source.id)[0]
    reposts = [r for r in store.reposts_of(source.id) if only is None or r.path in only]
    version = store.version(source.latest_version_id) if source.latest_version_id else None
    results, without_text, not_judged = [], [], []
    appearances = store.appearances_of(r.id for r in reposts)
    if version is not None:
        if fetched is not None:
            by_id = {f.repost_id: f for f in fetched.record.fidelity}
        else:
            by_id = _judge_stored(cfg, store, source, version, reposts)
        dates = Attributor(cfg, store, None, None).dates([r.id for r in reposts])
        # (the comparison settings are this process's now: the check analysed here)
        without_text = [r.path for r in reposts if not cpu.has_text(r.body or "")]
        for r in reposts:
            fid = by_id.get(r.id)
            if fid is not None:
                date = dates.get(r.id)
                results.append(RepostCheck(
                    path=r.path, fidelity=fid.similarity, faithful=fid.faithful,
                    faithful_when_reposted=fid.faithful_when_reposted,
                    repost_date=date.at if date else None, repost_date_from=date.origin if date else None,
                    compared_with=(fid.attribution or {}).get("compared_with"), excerpt_only=fid.excerpt_only,
                    appearances=appearances.get(r.id, []), hunks=list(fid.hunks)))
            elif r.path not in without_text:
                not_judged.append(r.path)
    return CheckReport(
        source=summary.fields, reposts=results, without_text=without_text, not_judged=not_judged,
        version=None if version is None else VersionSeen(version.number, version.from_archive,
                                                         version.first_seen_at, version.found_by),
        check=None if fetched is None else CheckDone(fetched.record.detail, fetched.record.found_by))


def _judge_stored(cfg: Config, store: Store, source: SourceRow, version: StoredVersion,
                  reposts: list[StoredRepost]) -> dict[int, FidelityResult]:
    """`check --no-fetch`: fidelity on the page last served as the article (read from the
    mirror, as a crawl judges a page that answers 304), else against the stored version;
    attributed with stored texts only."""
    from crawler import analyze as cpu
    from crawler.attribution import Attributor
    from crawler.crawl import compare_settings

    cpu.configure(compare_settings(cfg, store))
    bodies = tuple((r.id, r.body or "") for r in reposts)
    served = store.latest_page(source.id, version.id)
    url = (served.url if served is not None else None) or source.url
    judged = cpu.judge_again(cpu.AgainJob(
        cfg.store.mirror, served, url, cfg.site(urlsplit(url).hostname or ""), cfg.crawl.max_bytes,
        version.normalized or "", version.extras, version.text, version.found_by == "meta", bodies))
    judged = asyncio.run(Attributor(cfg, store, None, None).attribute(source, judged, version.normalized or "",
                                                                      bodies))
    return {f.repost_id: f for f in judged}


@dataclass(frozen=True)
class WarcPlace:
    file: str
    offset: int
    length: int
    payload_digest: str


@dataclass(frozen=True)
class VersionChange:
    """A version of the original, and what changed since the one before it."""

    number: int
    first_seen_at: str
    last_seen_at: str
    from_archive: bool
    archive_url: str | None
    captured_at: str | None   # an earlier text found for attribution: when the web archive took it
    title: str
    warc: WarcPlace | None
    # The new version against the one before it ("missing" = dropped by the new one).
    hunks: list[dict[str, Any]]


@dataclass(frozen=True)
class RepostCopy:
    path: str
    dated_at: str | None
    appearances: list[Appearance]


@dataclass(frozen=True)
class SourceHistory:
    """`history`: the versions of a source and the reposts of it."""

    source_url: str
    versions: list[VersionChange]
    reposts: list[RepostCopy]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _warc_place(v: StoredVersion) -> WarcPlace | None:
    """Where the response a version came from lies in the mirror (its four columns are written together)."""
    if not v.warc_file or v.warc_offset is None or v.warc_length is None or v.payload_digest is None:
        return None
    return WarcPlace(v.warc_file, v.warc_offset, v.warc_length, v.payload_digest)


def source_history(cfg: Config, store: Store, source: SourceRow) -> SourceHistory:
    """The versions of `source`, each with its time, and what changed between consecutive ones."""
    from crawler.analyze import version_hunks

    out = []
    previous: StoredVersion | None = None
    for v in store.versions_of(source.id):
        hunks = []
        if previous is not None:
            hunks = version_hunks(previous, v, min_change_chars=cfg.compare.min_change_chars,
                                  fold_script=cfg.compare.fold_chinese_script)
        out.append(VersionChange(
            number=v.number, first_seen_at=v.first_seen_at, last_seen_at=v.last_seen_at,
            from_archive=v.from_archive, archive_url=v.archive_url, captured_at=v.captured_at,
            title=v.title,
            warc=_warc_place(v), hunks=hunks))
        previous = v
    reposts = store.reposts_of(source.id)
    appearances = store.appearances_of(r.id for r in reposts)
    copies = [RepostCopy(r.path, r.dated_at, appearances.get(r.id, [])) for r in reposts]
    return SourceHistory(source.url, out, copies)
