"""Records that cross from the crawler into the store.

The store keeps what it is given: it never parses, fetches or extracts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
