"""The CPU work of one check: extract, normalise, decide on a new version, judge fidelity.

Pure and picklable, so the crawl can run it in a process pool beside the event loop
(FACTS.md: once fetching is cheap, this work decides the throughput).
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.config import SiteConfig
from crawler.extract import extract
from crawler.fidelity import compare, differs
from crawler.normalize import markdown_to_lines, normalize_lines
from store.records import FidelityResult


@dataclass(frozen=True)
class CompareSettings:
    """What every comparison of one crawl shares; sent once to each worker process."""

    boilerplate: frozenset[str]
    min_change_chars: int
    fold_script: bool


@dataclass(frozen=True)
class PageJob:
    html: bytes
    content_type: str | None
    url: str
    hints: SiteConfig | None
    previous: str | None  # the latest version's normalised text, if any
    reposts: tuple[tuple[int, str], ...]  # (repost id, Markdown body)


@dataclass(frozen=True)
class PageAnalysis:
    title: str
    paragraphs: tuple[str, ...]
    charset: str
    normalized: str
    has_article: bool
    new_version: bool
    fidelity: tuple[FidelityResult, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


_settings = CompareSettings(frozenset(), 8, True)


def configure(settings: CompareSettings) -> None:
    """Set the crawl's comparison settings in this process (also a pool initializer)."""
    global _settings
    _settings = settings


def boilerplate_set(lines: list[str], fold_script: bool) -> frozenset[str]:
    """Normalised forms of the archive's boilerplate lines (site footers and the like)."""
    found: set[str] = set()
    for line in lines:
        found.update(normalize_lines(markdown_to_lines(line), fold_script))
    return frozenset(found)


def repost_lines(body: str, fold_script: bool) -> list[str]:
    return normalize_lines(markdown_to_lines(body), fold_script)


def judge(reposts: tuple[tuple[int, str], ...], original: list[str]) -> tuple[FidelityResult, ...]:
    """Fidelity of each repost against the original's normalised lines."""
    s = _settings
    results = []
    for repost_id, body in reposts:
        fid = compare(repost_lines(body, s.fold_script), original, min_change_chars=s.min_change_chars,
                      boilerplate=s.boilerplate)
        hunks = tuple({"op": h.op, "repost": h.repost, "original": h.original} for h in fid.hunks)
        results.append(FidelityResult(repost_id, round(fid.similarity, 4), fid.faithful, hunks))
    return tuple(results)


def analyze(job: PageJob) -> PageAnalysis:
    """Everything a fetched page tells: its body, whether it is a new version, each repost's fidelity."""
    s = _settings
    article = extract(job.html, url=job.url, hints=job.hints, content_type=job.content_type)
    lines = normalize_lines(article.paragraphs, s.fold_script)
    has_article = bool(lines)
    normalized = "\n".join(lines)
    new_version = has_article and (
        job.previous is None or differs(job.previous.split("\n") if job.previous else [], lines,
                                        min_change_chars=s.min_change_chars)
    )
    fidelity = judge(job.reposts, lines) if has_article else ()
    return PageAnalysis(article.title, tuple(article.paragraphs), article.charset, normalized, has_article,
                        new_version, fidelity)


def judge_stored(previous: str, reposts: tuple[tuple[int, str], ...]) -> tuple[FidelityResult, ...]:
    """Fidelity against a stored version, when the check brought no new body (304, dead)."""
    return judge(reposts, previous.split("\n") if previous else [])
