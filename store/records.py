"""Records that cross the border of the store: what the crawler gives it to keep, and
what its queries give back to the crawler, the CLI and the report.

The store keeps what it is given: it never parses, fetches or extracts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from store.words import FetchError, HunkOp, LinkStatus

Span = tuple[int, int]


@dataclass(frozen=True)
class Hunk:
    """One changed run of a comparison (or of a version diff), its texts as published."""

    op: HunkOp
    repost: str  # as published: the repost's own text, or the original's
    original: str
    # The changed stretches of an altered hunk, as (start, end) offsets into `repost` and
    # `original` (the rest is context); a missing or added hunk is changed whole.
    repost_marks: tuple[Span, ...] = field(default=(), compare=False)
    original_marks: tuple[Span, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class RepostRecord:
    """One indexed repost file (or one historical version of it, `PATH@COMMIT12`)."""

    path: str
    size: int
    mtime_ns: int
    file_hash: str
    kind: str  # "repost", "problem" or "not_repost"
    source_url: str | None = None  # canonical source URL, for kind == "repost"
    linked_url: str | None = None  # the URL exactly as the repost links it
    aliases: tuple[str, ...] = ()  # every URL form of the source's article
    title: str = ""
    header: str = ""
    published_at: str | None = None
    station: str | None = None
    body: str = ""
    problem: str | None = None
    # The repost's date: `published_at`, else when the archive got it (first commit, or mtime).
    dated_at: str | None = None
    # Distinct body lines (hash, text): a line found in many reposts is boilerplate.
    lines: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class SourceRow:
    """A source as the crawler needs it to schedule and fetch."""

    id: int
    url: str
    aliases: tuple[str, ...]
    linked_urls: tuple[str, ...]
    link_status: LinkStatus | None
    dead: bool
    consecutive_failures: int
    etag: str | None
    last_modified: str | None
    last_checked_at: str | None
    latest_version_id: int | None
    wayback_checked_at: str | None
    archived_copy: str | None
    earliest_published_at: str | None


@dataclass(frozen=True, slots=True)
class DueSource:
    """A source that is due, as small as the schedule needs it: a first crawl lists every
    source of the archive, and a full SourceRow of each is read only when its check starts."""

    id: int
    host: str


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and the response it got, as they crossed the wire: what the mirror keeps.

    `payload` is the response body as received: after de-chunking, before any content
    decoding (gzip bytes stay gzip bytes), at most the fetcher's size limit; `truncated`
    says why it is shorter than what the server sent ("length", "time", "disconnect"),
    None when it is whole.
    """

    url: str
    started_at: float  # time.time() when the request went out
    request_headers: tuple[tuple[str, str], ...]
    status: int
    reason: str
    http_version: str
    response_headers: tuple[tuple[str, str], ...]
    payload: bytes = field(repr=False)  # a repr (a log line, a task's repr) must not copy a whole body
    truncated: str | None = None
    ip: str | None = None  # the address the request was sent to
    method: str = "GET"


@dataclass(frozen=True)
class WarcRef:
    """Where a response (or revisit) record lies in the mirror.

    `payload_digest` is the WARC payload digest (`sha1:` and base32) of the body as the
    server sent it, content-encoding and all; for a revisit, that of the payload it stands for.
    """

    file: str
    offset: int
    length: int
    payload_digest: str
    record_id: str
    revisit: bool = False
    url: str | None = None  # the target URI of the record


@dataclass(frozen=True)
class VersionText:
    """An extracted body: the title and the normalised lines that versions compare."""

    title: str
    text: str  # extracted paragraphs joined by newlines
    normalized: str  # normalised lines joined by newlines; equality means no new version
    from_archive: bool = False
    # Normalised lines around the body the extractor was unsure of (credits, datelines): a
    # repost line equal to one is no difference, also when judged later against this version.
    extras: str = ""
    archive_url: str | None = None
    captured_at: str | None = None  # when the web archive captured it (a from_archive version)


@dataclass(frozen=True)
class FidelityResult:
    repost_id: int
    similarity: float
    faithful: bool
    hunks: tuple[dict, ...]  # {"op", "repost", "original"} and, once attributed, "by"
    # Against the original as it was at the repost's date (SPEC 9): true when the site made every
    # difference since, false when the repost made one, None when not known (or not asked).
    faithful_when_reposted: bool | None = None
    attribution: dict | None = None  # the repost's date, where it came from, and the earlier text used
    excerpt_only: bool = False  # compared with the part of the article the page serves (SPEC 7)


@dataclass(frozen=True)
class CheckRecord:
    """One attempt to fetch a source, with its outcome, ready to be stored."""

    source_id: int
    crawl_id: int | None
    checked_at: str
    url: str
    final_url: str | None
    http_status: int | None
    link_status: LinkStatus
    dead: bool
    consecutive_failures: int
    error: FetchError | None = None
    detail: str = ""
    etag: str | None = None
    last_modified: str | None = None
    truncated: bool = False
    warc: WarcRef | None = None
    # The extracted body; None when nothing was extracted (error, 304, no article).
    body: VersionText | None = None
    # True when the body differs from the latest version: a new version is made.
    new_version: bool = False
    fidelity: tuple[FidelityResult, ...] = field(default_factory=tuple)
    archived_copy: str | None = None
    wayback_checked: bool = False
    # How the compared body was found: "extractor", "page_text", "embedded" or "meta" (SPEC 7).
    found_by: str | None = None


# --- what the store's queries give back --------------------------------------------------


@dataclass(frozen=True)
class StoredVersion:
    """A version of a source's article, as stored (a row of `versions`)."""

    id: int
    source_id: int
    number: int  # 1 for the first text seen, then one more per change
    title: str
    text: str  # extracted paragraphs joined by newlines
    normalized: str  # normalised lines joined by newlines; equality means no new version
    extras: str  # normalised lines the extractor was unsure of (see VersionText)
    first_seen_at: str
    last_seen_at: str
    from_archive: bool  # an earlier text found in a web archive, not fetched from the site
    archive_url: str | None
    warc_file: str | None  # where the response it came from lies in the mirror
    warc_offset: int | None
    warc_length: int | None
    payload_digest: str | None
    found_by: str | None  # "extractor", "page_text", "embedded" or "meta" (SPEC 7)
    captured_at: str | None  # when the web archive captured it (a from_archive version)


@dataclass(frozen=True)
class StoredRepost:
    """A repost of a source still in the archive, with what comparing it needs."""

    id: int
    path: str
    body: str | None
    title: str | None
    published_at: str | None
    dated_at: str | None


@dataclass(frozen=True)
class RepostSource:
    """Which source the repost file `path` belongs to (none: a problem or not a repost)."""

    repost_id: int
    source_id: int | None
    kind: str  # "repost", "problem" or "not_repost"


@dataclass(frozen=True)
class Appearance:
    """Where a history repost's text stood: a path, from the commit that put it there."""

    path: str
    commit: str  # the commit's sha
    committed_at: str


@dataclass(frozen=True)
class LatestFidelity:
    """A repost's latest fidelity result."""

    fidelity: float
    faithful: bool
    hunks: list[dict[str, Any]]
    checked_at: str
    version_id: int | None


@dataclass(frozen=True)
class CrawlRun:
    """When a crawl ran and how it ended."""

    started_at: str
    finished_at: str | None  # None while it runs (or when it was killed)
    outcome: str | None


@dataclass(frozen=True)
class StatusCounts:
    """What `status` says of the whole database; `to_json()` is `status --json`."""

    sources: int  # with a repost still in the archive
    reposts: int
    problems: int
    unchecked: int
    by_status: dict[str, int]  # every link status, in LinkStatus order
    dead: int
    versions: int
    changed: int  # sources with more than one version
    unfaithful: int  # reposts whose latest result says unfaithful
    changed_since_repost: int  # stealth edits: faithful when reposted, unfaithful now
    changed_since_repost_sources: list[str]
    last_crawl: CrawlRun | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SourceSummary:
    """What the report says of one source (SPEC section 10), plus its id."""

    id: int
    fields: dict[str, Any]  # the report's JSON object of the source, as it is printed
    host: str = ""


@dataclass(frozen=True)
class RepostVerdict:
    """A repost with its latest fidelity result (None fields: never compared)."""

    source_id: int
    path: str
    similarity: float | None
    faithful: bool | None
    hunks: list[dict[str, Any]]


@dataclass(frozen=True)
class SourceKey:
    """How the report finds a source it lists by URL."""

    id: int
    host: str


@dataclass(frozen=True)
class MonthlyActivity:
    """The report's pictures over time, by month (YYYY-MM)."""

    # (month, dead, checked) of the sources by the month of their earliest repost.
    rot: list[tuple[str, int, int]]
    new_versions: dict[str, int]   # versions after a source's first, by when they were first seen
    stealth_edits: dict[str, int]  # faithful when reposted, unfaithful now: by when that was seen
