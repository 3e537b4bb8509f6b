"""The CPU work of one check: extract, normalise, decide on a new version, judge fidelity,
and build the response's WARC records.

Picklable jobs, so the crawl can run them in a process pool beside the event loop
(FACTS.md: once fetching is cheap, this work decides the throughput). Each process that
runs jobs appends the records it builds to a mirror file of its own: the records do not
travel back to the crawling process, which only records where they lie.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from crawler import witness
from crawler.classify import (
    consent_wall,
    continues_on_next_page,
    embedded_media,
    error_phrase,
    frame_target,
    next_page_url,
    outage_phrase,
    refresh_target,
    script_says,
    wall_phrase,
)
from crawler.config import Config, SiteConfig
from crawler.extract import (
    decode_html,
    extract,
    header_charset,
    placeholder_line,
    plain_text_page,
    utf16,
    withholds_rest,
)
from crawler.fetch.body import decode_payload
from crawler.fidelity import Fidelity, Hunk, compare, differs
from crawler.normalize import markdown_to_lines, normalize_each, normalize_lines, normalize_pairs
from store.records import Exchange, FidelityResult, StoredVersion, WarcRef
from store.warc import CrawlInfo, MirrorError, WarcMirror, read_payload
from store.words import HunkOp


@dataclass(frozen=True)
class CompareSettings:
    """What every comparison of one crawl shares; sent once to each worker process."""

    boilerplate: frozenset[str]
    min_change_chars: int
    fold_script: bool
    max_bytes: int = 10_000_000  # of a stored page's decoded body read again (crawl.max_bytes)


@dataclass(frozen=True)
class PageJob:
    html: bytes
    content_type: str | None
    url: str
    hints: SiteConfig | None
    previous: str | None  # the latest version's normalised text, if any
    reposts: tuple[tuple[int, str], ...]  # (repost id, Markdown body)
    cut: bool = False  # the body was cut at max_bytes: only the page's first part arrived
    # the mirror's last full capture of the URL (as a rule the page that served `previous`)
    before: WarcRef | None = None


@dataclass(frozen=True)
class PageAnalysis:
    title: str
    paragraphs: tuple[str, ...]
    charset: str
    normalized: str
    has_article: bool
    new_version: bool
    fidelity: tuple[FidelityResult, ...]
    extras: str  # normalised tolerated lines joined by newlines (see `tolerate`)
    failure: str | None = None  # why the page could not be analysed (then nothing else is known)
    # How the body was found (crawler.witness.FOUND_BY): by the extractor, or, where a repost's
    # text was found only there, in the page's visible text, its script data or its description.
    found_by: str | None = None
    holds_repost: bool = False  # the page shows or carries a repost's text: never a soft-404
    error_said: str | None = None  # the error-page phrase its title or main text shows, if any
    wall_said: str | None = None  # the bot check, sign-in or consent wall it shows instead of the article
    outage_said: str | None = None  # what it says instead of the article when its site is down for now
    # where its <meta http-equiv="refresh"> (or, on a page without a body, its script) sends readers
    refresh_to: str | None = None
    frame_to: str | None = None  # a page without a body built of frames: the page its main frame shows
    shown: str = ""  # a page without a body: its visible text (what the soft-404 probe compares)
    media: tuple[str, ...] = ()  # a page without a repost's text: the videos and frames it embeds (ditto)
    # where a repost's text was found that the article the page shows outweighed: its description,
    # its script data, or its furniture (comments, a sidebar); said in the check's detail
    set_aside: str | None = None
    # a paginated article's next page, where a repost goes on past this page's end
    next_page: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def stands_in(self) -> str | None:
        """What the page says in the article's place (an error message, a bot check, a wall),
        when it holds no repost's text: then it is no copy of the article, whatever its body."""
        return None if self.holds_repost else self.wall_said or self.outage_said or self.error_said

    @property
    def shows_article(self) -> bool:
        """The page shows the article itself: a repost's text in its body (its description alone
        is no witness: a removed article's template may keep it), most of a repost at least, and
        no error message, wall or outage notice beside it. Served under an error status (a 404 of
        a broken site, a 3xx without a Location), that is what its readers see."""
        return (self.failure is None and self.holds_repost and self.has_article and self.found_by != "meta"
                and not (self.error_said or self.wall_said or self.outage_said)
                and any(not f.excerpt_only and f.similarity >= _SHOWN_SIMILARITY for f in self.fidelity))

    @property
    def signature_text(self) -> str:
        """The text that tells this page from the host's answer for a URL that cannot exist. A
        shell's "Loading, please wait" is no part of it: a shell served for every URL of its site,
        its articles' included, shows it for the probe's too, and that is no error page."""
        if self.paragraphs:
            return self.text
        return "\n".join(line for line in self.shown.split("\n") if not placeholder_line(line))

    @classmethod
    def failed(cls, reason: str) -> PageAnalysis:
        return cls("", (), "", "", False, False, (), "", failure=reason[:500])


_settings = CompareSettings(frozenset(), 8, True)
# How much of a repost a page under an error status must show to be the article (similarity, as
# in a verdict): a teaser of it in a "you may also like" box is not.
_SHOWN_SIMILARITY = 0.5
_NOTICE_MAX = 240  # characters of a body that may be a notice in the article's place (two short lines)
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+|(?<=[。！？])")
_mirror: WarcMirror | None = None


def configure(settings: CompareSettings, mirror: Path | None = None, info: CrawlInfo | None = None) -> None:
    """Set the crawl's comparison settings in this process, and the mirror folder it appends
    records to when it runs `process` (also the pool's initializer)."""
    global _settings, _mirror
    _settings = settings
    close_mirror()
    if mirror is not None:
        if info is None:
            raise ValueError("a mirror needs the crawl's warcinfo")
        _mirror = WarcMirror(mirror, info)


def close_mirror() -> None:
    global _mirror
    if _mirror is not None:
        _mirror.close()
        _mirror = None


def boilerplate_set(lines: list[str], fold_script: bool) -> frozenset[str]:
    """Normalised forms of the archive's boilerplate lines (site footers and the like)."""
    found: set[str] = set()
    for line in lines:
        found.update(normalize_lines(markdown_to_lines(line), fold_script))
    return frozenset(found)


def repost_lines(body: str, fold_script: bool) -> list[str]:
    return [norm for norm, _ in repost_pairs(body, fold_script)]


@functools.lru_cache(maxsize=16)
def repost_pairs(body: str, fold_script: bool) -> tuple[tuple[str, str], ...]:
    """(normalised, as the repost reads) for each line of a repost's body.

    Cached: one page's analysis reads its reposts for the comparison, the witness, the page's
    own lines and the version check; each is normalised once."""
    return tuple(normalize_pairs(markdown_to_lines(body), fold_script))


_NOT_LETTERS = re.compile(r"[\W_]+")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•·]|\d{1,3}[.)、])\s*")
# Share of a missing text's 8-letter grams that the page after it and the repost must hold for the
# text to sum up what follows (a summary reworded from the article's lead is ~80% its grams).
_SAID_TWICE = 0.75
# A pull quote is part of the paragraph it is taken from: that paragraph is this much longer.
_QUOTED_FROM = 1.25
# At most this many lines of a repost may be one paragraph of the page's, broken (a repost
# that breaks a paragraph at its sentences).
_BROKEN = 6


def _letters(line: str) -> str:
    return _NOT_LETTERS.sub("", line)


def tolerate(lines: list[str], tolerated: frozenset[str]) -> list[str]:
    """`lines` without the runs of consecutive lines that together equal a tolerated line.

    Only letters and digits count, and a run may be one line or several: where a page
    shows one line (a credit, a dateline), a copy may break it in two, or join it; a
    tolerated line counts with and without its list number or bullet.
    """
    drop = _tolerated(lines, tolerated)
    return lines if drop is None else [line for line, d in zip(lines, drop) if not d]


def _tolerated(lines: list[str], tolerated: frozenset[str]) -> list[bool] | None:
    """Which of `lines` `tolerate` leaves out (None: none of them)."""
    keys = {k for k in map(_letters, tolerated) if k}
    # a copy made from Markdown loses the list numbers its source shows ("1) ", "2. ")
    keys.update(k for k in (_letters(_LIST_MARK.sub("", t, count=1)) for t in tolerated) if k)
    if not keys or not lines:
        return None
    longest = max(map(len, keys))
    squashed = [_letters(line) for line in lines]
    drop = [False] * len(lines)
    for j in range(len(lines)):
        if not squashed[j]:
            continue
        acc = ""
        end = -1
        for k in range(j, len(lines)):
            acc += squashed[k]
            if len(acc) > longest:
                break
            if acc in keys:
                end = k  # the longest run: a credit line the page shows whole may be two lines here
        for m in range(j, end + 1):
            drop[m] = True
    return drop


def _spared(tolerated: frozenset[str], article: Sequence[str]) -> frozenset[str]:
    """The tolerated lines that are not text of the article: a repost must not be spared what
    the article says, however the page breaks its lines."""
    said = "".join(map(_letters, article))
    return frozenset(t for t in tolerated if _letters(t) not in said)


def judge(reposts: tuple[tuple[int, str], ...], original: list[str],
          tolerated: frozenset[str] = frozenset(),
          published: list[str] | None = None) -> tuple[FidelityResult, ...]:
    """Fidelity of each repost against the original's normalised lines.

    `tolerated`: normalised lines the original page shows around its body without the
    extractor being sure they are body (credits, datelines, reference links: the
    article's extras, see `tolerate`); a repost line that is one is no difference.
    `published`: the original's lines as the page shows them, one for each normalised
    line; hunks show them (and the repost's own lines) rather than normalised text.
    """
    return tuple(_verdict(repost_id, body, original, tolerated, published) for repost_id, body in reposts)


def _verdict(repost_id: int, body: str, original: Sequence[str], tolerated: frozenset[str],
             published: Sequence[str] | None, excerpt: bool = False) -> FidelityResult:
    s = _settings
    pairs = _compared_pairs(body, tolerated)
    fid = compare([n for n, _ in pairs], list(original), min_change_chars=s.min_change_chars,
                  boilerplate=s.boilerplate, repost_published=[p for _, p in pairs],
                  original_published=published)
    if excerpt:
        fid = _as_excerpt(fid, original)
    fid = _without_furniture(fid, original if published is None else published, pairs)
    hunks = tuple(hunk_dict(h) for h in fid.hunks)
    return FidelityResult(repost_id, round(fid.similarity, 4), fid.faithful, hunks, excerpt_only=excerpt)


def has_text(body: str) -> bool:
    """Whether a repost's body has text to compare: a line that is not the archive's boilerplate.
    One without (a video post whose body is empty or only images) is judged neither faithful nor
    not: it copies no text of the article."""
    return any(line not in _settings.boilerplate for line in repost_lines(body, _settings.fold_script))


def _compared_pairs(body: str, tolerated: frozenset[str]) -> Sequence[tuple[str, str]]:
    """(normalised, as the repost reads) of the repost's lines that a comparison weighs: all but
    those `tolerate` spares."""
    pairs = repost_pairs(body, _settings.fold_script)
    drop = _tolerated([n for n, _ in pairs], tolerated)
    return pairs if drop is None else [pair for pair, d in zip(pairs, drop) if not d]


def _compared_most(body: str, tolerated: frozenset[str]) -> bool:
    """Whether the comparison weighed at least half of the repost's text (letters of its lines
    but the archive's boilerplate): the rest it spared as the page's extras."""
    pairs = repost_pairs(body, _settings.fold_script)
    compared = _compared_pairs(body, tolerated)
    return compared is pairs or 2 * _weight(compared) >= _weight(pairs)


def _weight(pairs: Sequence[tuple[str, str]]) -> int:
    return sum(len(_letters(n)) for n, _ in pairs if n not in _settings.boilerplate)


def _without_furniture(fid: Fidelity, page_lines: Sequence[str], repost: Sequence[tuple[str, str]]) -> Fidelity:
    """What a repost may leave out (SPEC 7): text only the page has that is not a paragraph of
    prose (a dateline, a byline, a caption, a label, a call to action) is no difference; words
    inside a paragraph of prose are (a clause the site put in), unless shaped like a credit; a
    line of a run of like lines the repost copies (a table's row, a list's item) is; a copy of a
    paragraph the page says again, which the repost says, is not.
    `page_lines`: the page's lines as the hunks show them; `repost`: the repost's compared lines."""
    kept = tuple(h for h in fid.hunks if h.op != HunkOp.MISSING or (
        (_article_text(h.original, page_lines) or _in_a_run(h.original, page_lines, repost))
        and not _a_summary(h.original, page_lines, repost) and not _a_copy(h.original, page_lines, repost)))
    return fid if len(kept) == len(fid.hunks) else Fidelity(fid.similarity, not kept, kept)


def _a_summary(text: str, page_lines: Sequence[str], repost: Sequence[tuple[str, str]]) -> bool:
    """Whether page text a repost lacks repeats the article's words: the page says them again
    further on and the repost says them there. Above the article that is a summary ("key
    points", a lead set apart); inside it, below prose the repost has, only a pull quote or a
    caption, which a longer paragraph says again: a report quoted in the news and again in the
    commentary, a line of a list said again under another heading, is the article's text.
    Words said again further up are neither, but for a pull quote set right after the longer
    paragraph it is taken from."""
    lines = normalize_lines(text.split("\n"), _settings.fold_script)
    if witness.coverage(lines, [n for n, _ in repost]) < _SAID_TWICE:
        return False
    spanned = _spanned(text, page_lines)
    if not spanned:
        return False
    size = sum(len(_letters(line)) for line in lines)
    if spanned[0] > 0 and _quoted_in(lines, size, page_lines[spanned[0] - 1], repost):
        return True
    after = normalize_lines(page_lines[spanned[-1] + 1:], _settings.fold_script)
    if witness.coverage(lines, after) < _SAID_TWICE:
        return False
    held = {_letters(n) for n, _ in repost}
    if not any(_letters(line) in held and witness.is_prose(line)
               for line in normalize_lines(page_lines[:spanned[0]], _settings.fold_script)):
        return True
    return any(len(_letters(line)) >= size * _QUOTED_FROM and witness.coverage(lines, [line]) >= _SAID_TWICE
               for line in after)


def _quoted_in(lines: list[str], size: int, before: str, repost: Sequence[tuple[str, str]]) -> bool:
    """Whether `lines` (`size` letters) are a pull quote of the paragraph `before` them (a page
    line): one the repost says, longer by a part, that holds their words."""
    paragraph = normalize_lines([before], _settings.fold_script)
    key = "".join(map(_letters, paragraph))
    return (len(key) >= size * _QUOTED_FROM and key in {_letters(n) for n, _ in repost}
            and witness.coverage(lines, paragraph) >= _SAID_TWICE)


def _a_copy(text: str, page_lines: Sequence[str], repost: Sequence[tuple[str, str]]) -> bool:
    """Whether page text a repost lacks is only copies of paragraphs the page says twice in a row
    (a template that prints a paragraph twice), each of which the repost says: it lacks no word.
    (A line said again elsewhere, a list's item under another heading, is the article's there.)"""
    spanned = _spanned(text, page_lines)
    if not spanned:
        return False
    held = {_letters(n) for n, _ in repost}
    keys = _around(spanned, page_lines)
    return all(keys[k] and keys[k] in held and keys[k] in (keys.get(k - 1), keys.get(k + 1)) for k in spanned)


def _around(spanned: list[int], page_lines: Sequence[str]) -> dict[int, str]:
    """The letters of the page lines `spanned` and of the line on each side of them (where there is one)."""
    lo, hi = max(0, spanned[0] - 1), min(len(page_lines), spanned[-1] + 2)
    return dict(zip(range(lo, hi), map(_letters, normalize_each(page_lines[lo:hi], _settings.fold_script))))


def _article_text(text: str, page_lines: Sequence[str]) -> bool:
    """Whether page text a repost lacks is the article's: a line of prose, or words cut out of one."""
    if any(witness.is_prose(line) for line in text.split("\n")):
        return True
    if "\n" in text or witness.furniture_shaped(text) or len(_letters(text)) < _settings.min_change_chars:
        return False
    within = _lines_under(text, [(line, line) for line in page_lines])
    return len(within) == 1 and within[0].strip() != text and witness.is_prose(within[0])


def _in_a_run(text: str, page_lines: Sequence[str], repost: Sequence[tuple[str, str]]) -> bool:
    """Whether page text a repost lacks is a line of a run of like lines it copies: each line
    of the page's that the text falls in and the repost lacks is one of a run
    (`witness.in_a_run`) with the lines beside it, which the repost has (a row between the
    rows of a table it copies)."""
    spanned = _spanned(text, page_lines)
    if not spanned or spanned[0] == 0 or spanned[-1] == len(page_lines) - 1:
        return False
    held = {_letters(n) for n, _ in repost}
    keys = _around(spanned, page_lines)
    lacked = [k for k in spanned if keys[k] not in held]
    return bool(lacked) and all(
        len(keys[k]) >= _settings.min_change_chars and all(keys[j] in held for j in (k - 1, k + 1))
        and witness.in_a_run(page_lines[k], keys[k], [(page_lines[j], keys[j]) for j in (k - 1, k + 1)])
        for k in lacked)


def _said_by_page(verdict: FidelityResult, pairs: Sequence[tuple[str, str]], page: witness.PageText
                  ) -> FidelityResult:
    """The repost is a witness (SPEC 7): a line it has beyond the article that the page itself
    shows (a pull quote, a caption, a source line, a product box) is copied, not added; the
    text of an inline card of links the page shows inside a paragraph the repost has is the
    card's, and words the page strikes through, or its description shown as a standfirst above
    the article, a repost may leave out; words the page's markup holds but keeps from the eye (a
    watermark), a repost copied from the markup has. `pairs`: the repost's
    lines as the comparison saw them (`_compared_pairs`)."""
    fold = _settings.fold_script
    repost = [n for n, _ in pairs]
    kept = tuple(h for h in verdict.hunks if not (
        (h["op"] == HunkOp.ADDED and _shown(h["repost"], pairs, page, fold))
        or (h["op"] != HunkOp.MISSING and _hidden_words(h["repost"], h["original"], page, fold))
        or (h["op"] == HunkOp.MISSING and (
            witness.in_link_cards(page, repost, h["original"], fold, _settings.min_change_chars)
            or witness.struck_out(page, h["original"], fold, _settings.min_change_chars)
            or witness.standfirst(page, repost, h["original"], fold)))))
    if len(kept) == len(verdict.hunks):
        return verdict
    return dataclasses.replace(verdict, faithful=not kept, hunks=kept)


def _hidden_words(repost: str, original: str, page: witness.PageText, fold: bool) -> bool:
    """Whether all a hunk's repost side has beyond its original side is text the page's markup
    holds and keeps from the eye (`witness.without_hidden`): copied, not added."""
    if not page.hidden:
        return False
    normal = _normal(repost, fold)
    left = witness.without_hidden(page, normal, fold)
    return left != _letters(normal) and left == _letters(_normal(original, fold))


def _put_in(hunk: dict) -> list[str]:
    """The runs of letters a hunk's repost side has beyond its original side, when it holds all of
    the original side's letters in order (words put into a line, which the page may hold out of
    sight: `_hidden_words`); else []."""
    original, repost = _letters(hunk["original"]), _letters(hunk["repost"])
    runs: list[str] = []
    start = i = 0
    for k, c in enumerate(repost):
        if i < len(original) and c == original[i]:
            if k > start:
                runs.append(repost[start:k])
            i, start = i + 1, k + 1
    if start < len(repost):
        runs.append(repost[start:])
    return runs if i == len(original) else []


def _in_markup(runs: list[str], markup: Callable[[], str]) -> bool:
    """Whether each run of letters put into a line begins somewhere in the page's markup (in
    lower case: words the page itself holds, maybe out of sight), asked before the page is
    parsed for them."""
    return bool(runs) and all(run[:_PUT_IN_PROBE] in markup() for run in runs)


_PUT_IN_PROBE = 2  # letters of a run looked for in the markup (a tag or an entity may split it further on)


def _continued(verdict: FidelityResult, pairs: Sequence[tuple[str, str]],
               elsewhere: Callable[[str], bool] | None = None) -> FidelityResult:
    """A page that goes on on its next page serves part of the article (SPEC 7, excerpts): the
    repost's lines past the page's end, copied from the pages after it, are not added; the
    verdict says it weighed an excerpt. `elsewhere`: where else the article's rest must be for
    that (the description the page gives search engines, for a page that shows its start)."""
    hunks = list(verdict.hunks)
    tail = len(hunks)
    while tail > 0 and hunks[tail - 1]["op"] == HunkOp.ADDED:
        tail -= 1
    last = next((n for n, _ in reversed(pairs) if n not in _settings.boilerplate), "")
    if tail == len(hunks) or not last or _letters(last) not in _letters(hunks[-1]["repost"]):
        return verdict
    if elsewhere is not None and not all(elsewhere(h["repost"]) for h in hunks[tail:]):
        return verdict
    kept = tuple(hunks[:tail])
    return dataclasses.replace(verdict, faithful=not kept, hunks=kept, excerpt_only=True)


def _shown(text: str, pairs: Sequence[tuple[str, str]], page: witness.PageText, fold: bool) -> bool:
    """Whether the page shows what a hunk (`text`, as the repost reads) adds: each repost line
    the hunk falls in, whole, or the hunk's own part of it. A hunk's edges may cut lines it
    shares with the article (a few letters there are the diff's crumbs, no part); a repost may
    join a line the page sets apart to the article's paragraph after it, or break one of the
    page's paragraphs in two."""
    parts = _parts(text, [p for _, p in pairs])
    if not parts:
        lines = normalize_lines(text.split("\n"), fold)
        return bool(lines) and all(_copied(page, line, fold) for line in lines)
    parts = [(i, _normal(part, fold)) for i, part in parts if pairs[i][0]]
    ok = [_copied(page, pairs[i][0], fold) or _copied(page, part, fold)
          # a few letters at an edge of a line the article shares: the diff's crumbs
          or (part != pairs[i][0] and len(_letters(part)) < _settings.min_change_chars) for i, part in parts]
    for k in range(len(parts)):
        if not ok[k]:
            # one of the page's paragraphs that the repost breaks over a few lines
            for lo, hi in _windows(k, len(parts), _BROKEN):
                if (all(parts[m][0] == parts[m - 1][0] + 1 for m in range(lo + 1, hi))
                        and witness.shows(page, "".join(p for _, p in parts[lo:hi]), fold)):
                    ok[lo:hi] = [True] * (hi - lo)
                    break
            if not ok[k]:
                return False
    return True


def _copied(page: witness.PageText, line: str, fold: bool) -> bool:
    """Whether the page shows a repost's line (normalised), or shows it less the furniture it
    keeps from the eye, or holds it whole as such (a caption with its credit's label for screen
    readers, a photo's "enlarge" label drawn on hover): a repost taken from the markup copies
    any of these; and a line that is the page's description whole, the site's own words (a dek
    that the page shows otherwise, or only in its `og:description`); or a credit the page sets
    beside another in one line of its furniture."""
    if witness.shows(page, line, fold) or witness.is_description(page, line, fold) \
            or witness.in_furniture(page, line, fold):
        return True
    if not page.hidden:
        return False
    left = witness.without_hidden(page, line, fold)
    return not left or witness.shows(page, left, fold)


def _windows(k: int, n: int, most: int) -> Iterator[tuple[int, int]]:
    """The [lo, hi) ranges of 2 to `most` of n items that hold item k, shortest first."""
    for size in range(2, min(most, n) + 1):
        for lo in range(max(0, k - size + 1), min(k, n - size) + 1):
            yield lo, lo + size


def _normal(text: str, fold: bool) -> str:
    return "".join(normalize_lines([text], fold))


def _parts(text: str, lines: Sequence[str]) -> list[tuple[int, str]]:
    """(index, the stretch of the line that `text` covers) for each of `lines` that the stretch
    `text` of their joined text overlaps, or [] when `text` is no stretch of them."""
    joined = "\n".join(lines)
    at = joined.find(text) if text else -1
    if at < 0:
        return []
    out, start = [], 0
    for i, line in enumerate(lines):
        end = start + len(line)
        if end > at and start < at + len(text):
            out.append((i, line[max(at, start) - start:min(at + len(text), end) - start]))
        start = end + 1
    return out


def _lines_under(text: str, pairs: Sequence[tuple[str, str]]) -> list[str]:
    """The normalised repost lines whose published text the stretch `text` overlaps, or [] when
    `text` is no stretch of the repost's published lines."""
    return [pairs[i][0] for i in _spanned(text, [p for _, p in pairs]) if pairs[i][0]]


def _spanned(text: str, lines: Sequence[str]) -> list[int]:
    """The indices of the `lines` that the stretch `text` of their joined text overlaps, or []
    when `text` is no stretch of them."""
    return [i for i, _ in _parts(text, lines)]


def _as_excerpt(fid: Fidelity, excerpt: Sequence[str]) -> Fidelity:
    """A comparison with an excerpt of the article (SPEC 7): what the repost has beyond the
    excerpt is not a difference; the similarity is the share of the excerpt the repost holds."""
    kept: tuple[Hunk, ...] = tuple(h for h in fid.hunks if h.op != HunkOp.ADDED)
    size = sum(len(_letters(line)) for line in excerpt) or 1
    lost = sum(len(_letters(h.original)) for h in kept)
    return Fidelity(max(0.0, 1 - lost / size), not kept, kept)


def hunk_dict(hunk: Hunk) -> dict:
    """A hunk as JSON and the store keep it; an altered one with its changed stretches."""
    out: dict = {"op": hunk.op, "repost": hunk.repost, "original": hunk.original}
    if hunk.op == HunkOp.ALTERED:
        out["repost_marks"] = [list(m) for m in hunk.repost_marks]
        out["original_marks"] = [list(m) for m in hunk.original_marks]
    return out


def published_lines(text: str, normalized: str, fold_script: bool) -> list[str] | None:
    """A stored version's lines as published (its `text`), one for each of its normalised
    lines, or None when its text no longer normalises to them (other settings then)."""
    pairs = normalize_pairs(text.split("\n"), fold_script) if text else []
    if "\n".join(n for n, _ in pairs) != normalized:
        return None
    return [p for _, p in pairs]


def version_hunks(old: StoredVersion, new: StoredVersion, *, min_change_chars: int, fold_script: bool) -> list[dict]:
    """What changed from stored version `old` to `new`, as hunks read like a repost's:
    "missing" is what the new version dropped, the texts as published by each version."""
    lines = new.normalized.split("\n") if new.normalized else []
    previous = old.normalized.split("\n") if old.normalized else []
    # A line one version set aside as uncertain (an edge credit, a dateline) and the other
    # holds as body is no change of the article: which way it fell depends on what surrounds it.
    lines, shown = _spare_lines(lines, published_lines(new.text or "", new.normalized or "", fold_script),
                                _extras(old).difference(previous))
    previous, shown_before = _spare_lines(previous, published_lines(old.text or "", old.normalized or "",
                                                                    fold_script), _extras(new).difference(lines))
    diff = compare(lines, previous, min_change_chars=min_change_chars,
                   repost_published=shown, original_published=shown_before)
    return [hunk_dict(h) for h in diff.hunks]


def _extras(version: StoredVersion) -> frozenset[str]:
    """A stored version's uncertain lines (normalised), as `analyze` kept them."""
    return frozenset(line for line in (version.extras or "").split("\n") if line)


def _spare_lines(lines: list[str], published: list[str] | None,
                 tolerated: frozenset[str]) -> tuple[list[str], list[str] | None]:
    """`lines` (and their published forms, kept in step) without those `tolerate` leaves out."""
    drop = _tolerated(lines, tolerated) if tolerated else None
    if drop is None:
        return lines, published
    keep = [i for i, d in enumerate(drop) if not d]
    return [lines[i] for i in keep], None if published is None else [published[i] for i in keep]


def version_differ(cfg: Config) -> Callable[[StoredVersion, StoredVersion], list[dict]]:
    """`version_hunks` with the comparison settings of `cfg`, for the report."""
    return functools.partial(version_hunks, min_change_chars=cfg.compare.min_change_chars,
                             fold_script=cfg.compare.fold_chinese_script)


def _spans_the_repost(verdict: FidelityResult, repost: list[str], body: list[str],
                      boilerplate: frozenset[str]) -> bool:
    """Whether the extractor's body spans the repost's article (SPEC 7) and lacks no line of the
    page's: it begins and ends with the repost's first and last lines, and differs from the
    repost only by sentences altered or added inside. The witness would align the same stretch
    and find the same changes (a line the repost adds that the page shows elsewhere, a pull
    quote, is weighed by `_said_by_page` either way): most edited reposts are caught without
    aligning the repost with the page a second time."""
    if not verdict.hunks or any(h["op"] == HunkOp.MISSING for h in verdict.hunks):
        return False
    kept = [line for line in repost if line not in boilerplate]
    return bool(kept and body) and kept[0] == body[0] and kept[-1] == body[-1]


def analyze(job: PageJob) -> PageAnalysis:
    """Everything a fetched page tells: its body, whether it is a new version, each repost's fidelity.

    A page that breaks the analysis gets an analysis that says why (`failure`): one hostile
    page must not stop a crawl, nor every later one, which would meet it first again.
    """
    if _binary(job.html, job.content_type):
        # A PDF, an image, a body still compressed (gzip twice): its bytes are no article text,
        # and read as text they made a version of garbage and an 'unfaithful' repost.
        kind = (job.content_type or "no Content-Type").split(";")[0].strip()
        return PageAnalysis.failed(f"not a text page: {len(job.html)} bytes of binary data ({kind})")
    try:
        page = plain_text_page(job.html, job.content_type)
        if page is not None:
            job = dataclasses.replace(job, html=page, content_type="text/html; charset=utf-8")
        return _analyze(job)
    except Exception as exc:
        return PageAnalysis.failed(f"the page could not be analysed ({type(exc).__name__}: {exc})")


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_SNIFFED = 8192  # bytes of a body looked at
_UTF16 = (b"\xff\xfe", b"\xfe\xff")


def _binary(body: bytes, content_type: str | None) -> bool:
    """Bytes that are no text: a twentieth of the first ones control characters (a stray NUL in
    a page is no matter; compressed or binary data has one byte in ten or more), read as the
    UTF-16 its header names, if it names it (its ASCII has a NUL in every other byte)."""
    head = body[:_SNIFFED]
    if not head or head.startswith(_UTF16):
        return False
    codec = header_charset(content_type)
    if codec is not None and utf16(codec):
        head = head.decode(codec, errors="replace").encode("utf-8", errors="replace")
    return 20 * len(_CONTROL.findall(head)) > len(head)


def _analyze(job: PageJob) -> PageAnalysis:
    s = _settings
    article = extract(job.html, url=job.url, hints=job.hints, content_type=job.content_type)
    pairs = normalize_pairs(article.paragraphs, s.fold_script)
    lines = [n for n, _ in pairs]
    published = [p for _, p in pairs]
    paragraphs = tuple(article.paragraphs)
    # Not the lines of the body: a repost must not be spared what the body says.
    tolerated = frozenset(normalize_lines(article.extras, s.fold_script)).difference(lines) if lines else frozenset()
    verdicts: list[FidelityResult | None] = (list(judge(job.reposts, lines, tolerated, published)) if lines
                                             else [None] * len(job.reposts))
    texts = [has_text(body) for _, body in job.reposts]
    verdicts = [v if text else None for v, text in zip(verdicts, texts)]
    # A faithful verdict that weighed most of the repost stands; one that spared most of it as
    # the page's extras (a body of two paragraphs, the rest "around" it) proves little.
    trusted = [v is not None and v.faithful and _compared_most(markdown, tolerated)
               for v, (_, markdown) in zip(verdicts, job.reposts)]
    found_by = "extractor" if any(trusted) else None
    spared = [tolerated] * len(job.reposts)  # the lines each verdict spared its repost
    page: witness.PageText | None = None
    decoded: list[str] = []

    def html_text() -> str:  # the page decoded once, for the readings that need its text
        if not decoded:
            decoded.append(decode_html(job.html, job.content_type)[0])
        return decoded[0]

    def markup() -> str:  # ...and in lower case once, for words looked for in it
        if len(decoded) < 2:
            decoded.append(html_text().lower())
        return decoded[1]

    best: witness.Found | None = None
    set_aside: str | None = None
    next_page: str | None = None
    held = False  # the extractor's body holds a repost's text better than the witness found it
    witnessed = list(trusted)  # the repost's text was found in the page
    # The repost is the witness of what the article says (SPEC 7), asked only when the
    # extractor's body does not already hold it: most pages never pay for a second reading.
    for k, (repost_id, markdown) in enumerate(job.reposts):
        done = verdicts[k]
        if trusted[k]:
            continue
        rlines = repost_lines(markdown, s.fold_script)
        if done is not None and _spans_the_repost(done, rlines, lines, s.boilerplate):
            witnessed[k] = True
            continue
        if page is None:
            page = witness.read_page(html_text())
        found = witness.find(page, rlines, lines, fold_script=s.fold_script)
        if found is None:
            continue
        if (found.found_by == "meta" or (found.found_by in ("embedded", "page_text") and not found.seen)) \
                and witness.shows_another_text(lines, rlines, found.lines):
            # The page shows a text of its own under a description that is the repost's: the
            # description was left as the article was, and is no excerpt of what the page shows
            # now (it made a rewritten article 'faithful', and itself the version); or it shows
            # another article, and none of the repost's, over script data, comments or a
            # sidebar that hold the repost's (stale, quoted, or planted). No
            # repost text is found in what the page shows: it is judged by its extracted body
            # (SPEC 7), as a stored version of it is.
            set_aside = {"meta": "its description", "embedded": "its script data"}.get(found.found_by, "its furniture")
            continue
        if done is not None and witness.coverage(rlines, found.lines) < witness.coverage(rlines, lines) - 0.02:
            # The extractor's body holds more of the repost than what the witness found: its
            # verdict stands (the witness found a repeated lead, not the article).
            held = witnessed[k] = True
            continue
        witnessed[k] = True
        spared[k] = _spared(tolerated.union(found.furniture), found.lines)
        verdicts[k] = _verdict(repost_id, markdown, found.lines, spared[k], found.shown, excerpt=found.excerpt)
        if best is None or found.coverage > best.coverage:
            best = found
    for k, verdict in enumerate(verdicts):
        if job.cut and not witnessed[k]:
            # The page was cut before the repost's text, or the text is not on it: from the first
            # part of a page, no verdict (its body may be the sidebar that came before the article).
            verdicts[k] = None
            continue
        if verdict is not None and any(h["op"] != HunkOp.ALTERED or _in_markup(_put_in(h), markup)
                                       for h in verdict.hunks):
            if page is None:
                page = witness.read_page(html_text())
            compared = _compared_pairs(job.reposts[k][1], spared[k])
            verdict = _said_by_page(verdict, compared, page)
            if verdict.hunks and verdict.hunks[-1]["op"] == HunkOp.ADDED:
                if page.continues is None:
                    # A page cut at max_bytes goes on past the cut as a paginated one on its next page.
                    page.continues = job.cut or continues_on_next_page(html_text(), job.url)
                if page.continues or witness.withheld_after(page, [n for n, _ in compared], s.fold_script):
                    # Its next page, or a wall (sign in, subscribe, "read the full text"), holds the rest.
                    verdict = _continued(verdict, compared)
                    if page.continues and not job.cut and verdict.excerpt_only and next_page is None:
                        next_page = next_page_url(html_text(), job.url)
                elif page.described:
                    # The page shows the start of an article its JSON-LD holds whole: a teaser, or
                    # a description left as the article was before the site cut its end (then a
                    # new version says so); only a page that lacks a part before its end was edited.
                    verdict = _continued(verdict, compared, functools.partial(witness.describes, page,
                                                                              fold_script=s.fold_script))
            verdicts[k] = verdict
    if found_by is None and best is not None:
        # The article is what the witness found: its lines are the version, its furniture the extras.
        found_by, lines, paragraphs = best.found_by, list(best.lines), best.shown
        tolerated = _spared(tolerated.union(best.furniture), lines)
    has_article = bool(lines)
    if found_by is None and has_article:
        found_by = "extractor"
    # The page holds a repost's text when the extractor's body spans it, edits and all (an edited
    # article with a headline such as "他的帐号已被封禁" is no error page), or the witness found it.
    holds = held or best is not None or any(witnessed) or any(v is not None and v.faithful for v in verdicts)
    if job.cut:
        # Part of a page is no new version of its article (its tail, or the article itself, lies
        # past the cut); a first one only when it holds a repost's text or has no repost to hold.
        new_version = has_article and job.previous is None and (holds or not job.reposts)
    elif job.previous is None or not has_article:
        new_version = has_article
    else:
        new_version, shown_before = _new_article(job.previous, lines, job, page)
        if shown_before:
            # What the page showed apart from the article before and shows as its text now (a
            # new template's caption) is no line the article gained: a repost need not carry it.
            verdicts = [v if v is None else _without_lines(v, shown_before) for v in verdicts]
    shown, said_lines, goes_to = "", [], None
    told_lines: list[str] | None = None  # the lines read for an outage, when not `said_lines`
    # Without a repost's text to tell the article from another, a headline that names a removal
    # ("内容已被移除的背后", "Trump's tweet was deleted within minutes") heads an article or a
    # video: only an error message titles an error page (`error_phrase`, headline).
    texted = any(texts)
    if not has_article:
        # No body: the page's own words tell an error page from a short post, its scripts' too.
        if page is None:
            page = witness.read_page(html_text())
        shown = "\n".join(b.text for b in page.visible if not b.furniture)
        alerts, goes_to = script_says(html_text(), job.url)
        said_lines = [*shown.split("\n"), *alerts] if shown else alerts
        # What the page links to says nothing of the page (a forum's list of threads may hold one
        # titled "游戏服务器维护内容" or "该帖已被删除的原因"), though a wall's words may be its links.
        told_lines = [*(told for b in page.visible if not b.furniture and (told := b.unlinked())), *alerts]
        # (the headline shown above the video says no more than the title)
        said = error_phrase(article.title, [x for x in told_lines if x.strip() not in article.title],
                            headline=not texted)
    elif (texted and not holds) or found_by == "meta":
        # A body without a word of the reposts may be a block beside an error message ("推荐阅读"
        # under "该文章已被删除"), and a removed article's template may keep its description,
        # where the witness found the repost's text: the page's own lines say which, and an error
        # message among them wins over a description.
        if page is None:
            page = witness.read_page(html_text())
        blocks = [b for b in page.visible if not b.furniture and not b.linky]
        own = [b.text for b in blocks]
        said = error_phrase(article.title, [told for b in blocks if (told := b.unlinked())])
        holds = holds and said is None
        if not holds and sum(map(len, paragraphs)) <= _NOTICE_MAX and not any(
                witness.coverage(repost_lines(markdown, s.fold_script), lines) for _, markdown in job.reposts):
            # A body of a line or two without a word of the reposts: a notice in the article's
            # place ("not available in your region"), read for a wall as a page without a body is.
            said_lines = _sentences(own)
    else:
        said = error_phrase(article.title, headline=not texted)
        if not texted and sum(map(len, paragraphs)) <= _NOTICE_MAX:
            # A post with no repost text to witness (a video's credits), or a notice set as the
            # body ("We'll be back soon"): its lines (not the page's: a sidebar's "Subscribe to
            # keep reading" is no wall) are read for a wall or an outage too.
            said_lines = _sentences(paragraphs)
    wall = outage = None
    if not holds:
        wall = (wall_phrase(article.title, said_lines) or _withheld(said_lines)
                or consent_wall(article.title, paragraphs if has_article else said_lines))
        outage = outage_phrase(article.title, said_lines if told_lines is None else told_lines)
    fidelity = tuple(v for v in verdicts if v is not None)
    return PageAnalysis(article.title, paragraphs, article.charset, "\n".join(lines), has_article,
                        new_version, fidelity, "\n".join(sorted(tolerated)), found_by=found_by,
                        holds_repost=holds, error_said=said,
                        wall_said=wall, outage_said=outage,
                        shown=shown, refresh_to=refresh_target(job.html, job.url) or goes_to,
                        frame_to=None if has_article else frame_target(job.html, job.url),
                        media=() if holds else embedded_media(html_text()), set_aside=set_aside,
                        next_page=next_page if has_article and found_by != "meta" else None)


def _sentences(lines: Iterable[str]) -> list[str]:
    # A notice's sentences, read one by one as short lines: "Unfortunately, our website is
    # currently unavailable in most European countries. We are engaged on the issue ..."
    return [part for line in lines for part in _SENTENCE_END.split(line) if part.strip()]


def _withheld(lines: Sequence[str]) -> str | None:
    """What a page of a few short lines says to withhold the whole article ("Subscribe to
    continue reading", "订阅后即可阅读全文"): a paywall in its place. (A longer page with such a
    line is a teaser, or a listing of them.)"""
    if sum(map(len, lines)) > _NOTICE_MAX:
        return None
    line = next((x for x in lines if withholds_rest(x)), None)
    return None if line is None else f"its text says {line.strip()!r}"


def _new_article(previous: str, lines: list[str], job: PageJob, page: witness.PageText | None
                 ) -> tuple[bool, tuple[str, ...]]:
    """Whether `lines` are another version of the article than `previous` (normalised text): a
    paragraph of prose added, dropped or changed. A line only one template shows as body (a
    dateline, an embedded post's credit, a caption) changes the page, not the article; nor does
    a paragraph of `previous` the page still shows (its template sets it apart), or one the new
    reading adds that a repost holds (the article had it when it was copied) or that the page
    which served `previous` showed too (`_page_before`). With it, the lines of prose `lines` add
    that that page showed (outside the version)."""
    added, dropped = _prose_changed(previous, lines, job.reposts)
    shown_before: tuple[str, ...] = ()
    if added:
        before = _page_before(job)
        if before is not None:
            shown_before = tuple(line for line in added if witness.shows(before, line, _settings.fold_script))
        if len(shown_before) < len(added):
            return True, shown_before
    if dropped:
        shown = page if page is not None else witness.read_page(decode_html(job.html, job.content_type)[0])
        if any(not witness.shows(shown, line, _settings.fold_script) for line in dropped):
            return True, shown_before
    return False, shown_before


def _without_lines(verdict: FidelityResult, lines: Sequence[str]) -> FidelityResult:
    """`verdict` without the hunks of text a repost lacks whose prose is only `lines` (normalised):
    the rest of such a hunk is no paragraph of prose (the names and labels of a box of them)."""
    drop = {_letters(line) for line in lines}

    def spared(hunk: dict) -> bool:
        keys = [(_letters(n), n) for n in normalize_lines(hunk["original"].split("\n"), _settings.fold_script)]
        return any(k in drop for k, _ in keys) and all(k in drop or not witness.is_prose(n) for k, n in keys)

    kept = tuple(h for h in verdict.hunks if not (h["op"] == HunkOp.MISSING and spared(h)))
    return verdict if len(kept) == len(verdict.hunks) else dataclasses.replace(verdict, faithful=not kept, hunks=kept)


def _page_before(job: PageJob) -> witness.PageText | None:
    """The page the mirror last captured at the job's URL, as a reader saw it, when it can be read
    again: where it showed the lines a new reading of the article adds, the page was read
    otherwise (a new template's caption or standfirst, an appeal its classes no longer set
    apart), and the article did not change."""
    if job.before is None or _mirror is None:
        return None
    stored = _stored_page(_mirror.folder, job.before, _settings.max_bytes)
    return None if stored is None else witness.read_page(decode_html(stored[0], stored[1])[0])


def _stored_page(mirror: Path, ref: WarcRef, max_bytes: int) -> tuple[bytes, str | None, bool] | None:
    """(decoded body, content type, cut) of a 2xx page the mirror holds at `ref`, when it can be
    read back and has a body."""
    try:
        stored = read_payload(mirror, ref.file, ref.offset)
        headers = {k.lower(): v for k, v in stored.headers}
        body, cut = decode_payload(stored.payload, headers.get("content-encoding"), max_bytes)
    except (MirrorError, ValueError, OSError):
        return None
    if not 200 <= stored.status < 300 or not body:
        return None
    return body, headers.get("content-type"), cut or stored.truncated or stored.status == 206


def _prose_changed(previous: str, lines: list[str], reposts: tuple[tuple[int, str], ...]
                   ) -> tuple[list[str], list[str]]:
    """The lines of prose `lines` add to `previous` (normalised text), but those a repost holds,
    and the lines of prose they drop."""
    before = previous.split("\n") if previous else []
    s = _settings
    if not differs(before, lines, min_change_chars=s.min_change_chars):
        return [], []
    diff = compare(lines, before, min_change_chars=s.min_change_chars)
    added = [line for h in diff.hunks for line in h.repost.split("\n") if witness.is_prose(line)]
    dropped = [line for h in diff.hunks for line in h.original.split("\n") if witness.is_prose(line)]
    if added:
        held = "".join(_letters(line) for _, body in reposts for line in repost_lines(body, s.fold_script))
        added = [line for line in added if _letters(line) not in held]
    return added, dropped


@dataclass(frozen=True)
class ResponseJob:
    """One fetch: its exchanges to mirror, in order (redirect hops, retried errors, the last
    response), the last full capture of the last one's URL, and, for a page, the page."""

    exchanges: tuple[Exchange, ...]
    previous: WarcRef | None
    page: PageJob | None


def process(job: ResponseJob) -> tuple[WarcRef | None, PageAnalysis | None]:
    """A fetch mirrored (on disk when this returns; the last exchange's record returned) and,
    for a page, analysed."""
    if _mirror is None:
        raise RuntimeError("no mirror configured in this process")
    ref = None
    for i, ex in enumerate(job.exchanges):
        ref = _mirror.write(ex, job.previous if i == len(job.exchanges) - 1 else None)
    return ref, (analyze(job.page) if job.page is not None else None)


@dataclass(frozen=True)
class AgainJob:
    """A source whose check brought no article (a 304, a dead page): its reposts judged again
    on the page that last served its latest version."""

    mirror: Path
    served: WarcRef | None  # the mirror's record of that page
    url: str
    hints: SiteConfig | None
    max_bytes: int
    previous: str  # the latest version: its normalised text, extras, text as published
    extras: str | None
    text: str | None
    excerpt: bool  # the version is the part of the article its page served (found in its description)
    reposts: tuple[tuple[int, str], ...]


def judge_again(job: AgainJob) -> tuple[FidelityResult, ...]:
    """Fidelity when a check brought no article: on the page that last served the latest
    version (what a 304 stands for; the page as last seen once it died), read again from the
    mirror, so a verdict the page itself helped reach (a pull quote it shows that the repost
    copies, words it strikes through that the repost leaves out) comes out as it did when the
    page was served. The stored version is asked first: what it finds faithful the page only
    confirms (it spares, never adds), and most rechecks then cost no reading of the page.
    Without a readable record of the page, the stored version judges."""
    stored = judge_stored(job.previous, job.extras, job.reposts, job.text, job.excerpt)
    if all(f.faithful for f in stored):
        return stored
    page = _served_page(job)
    if page is not None:
        analysis = analyze(page)
        if analysis.failure is None and analysis.has_article and not analysis.new_version:
            # (a page that no longer reads as the version, as the first of the pages it was
            # read over, does not judge it)
            return analysis.fidelity
    return stored


def _served_page(job: AgainJob) -> PageJob | None:
    stored = None if job.served is None else _stored_page(job.mirror, job.served, job.max_bytes)
    if stored is None:
        return None
    body, content_type, cut = stored
    return PageJob(body, content_type, job.url, job.hints, job.previous, job.reposts, cut=cut)


@dataclass(frozen=True)
class ArticlePage:
    """One page of a paginated article, as its analysis read it."""

    normalized: str
    text: str
    extras: str


# A page after the first is read because a repost goes on past the end of the one before it; if
# a repost holds less of its text than this, the page is no part of what the repost copied (a
# page its extractor misread: a sidebar for its body), and the repost is judged on the pages
# before it, as an excerpt. (A page the site rewrote in part still shares more.)
_PAGE_HELD = 0.2
# ...and a page whose text the pages before it hold is no next page (a site whose "next page"
# serves the first one again).
_PAGE_SAID = 0.8


@dataclass(frozen=True)
class PagesRead:
    """A paginated article read over its pages: the reposts' verdicts, and the article (the
    pages some repost copies) as the version, with whether it is a new one."""

    fidelity: tuple[FidelityResult, ...]
    text: str
    normalized: str
    extras: str
    new_version: bool


def read_pages(pages: tuple[ArticlePage, ...], reposts: tuple[tuple[int, str], ...], goes_on: bool,
               previous: str | None) -> PagesRead:
    """Fidelity against a paginated article read over its pages (SPEC 7): each repost against
    the pages it copies; an excerpt still where the pages stop before the repost does (the last
    one read `goes_on` to another, or the next holds too little of the repost, or says again
    what the pages before it said). The article is the pages any repost copies: compared with
    `previous` (the latest version's normalised text) for a new version."""
    s = _settings
    # (each page's lines, as published, and extras: read once, whatever the number of reposts)
    page_lines = [p.normalized.split("\n") for p in pages]
    page_shown = [published_lines(p.text, p.normalized, s.fold_script) for p in pages]
    page_extras = [{x for x in p.extras.split("\n") if x} for p in pages]
    out = []
    article = 1
    for repost_id, markdown in reposts:
        if not has_text(markdown):
            continue
        rlines = repost_lines(markdown, s.fold_script)
        original: list[str] = []
        published: list[str] | None = []
        tolerated: set[str] = set()
        stopped = goes_on
        for i, lines in enumerate(page_lines):
            if i and (witness.coverage(lines, rlines) < _PAGE_HELD or witness.coverage(lines, original) >= _PAGE_SAID):
                stopped = True
                break
            article = max(article, i + 1)
            original += lines
            shown = page_shown[i]
            published = None if published is None or shown is None else published + shown
            tolerated |= page_extras[i]
        spared = _spared(frozenset(tolerated), original)
        verdict = _verdict(repost_id, markdown, original, spared, published)
        if stopped and verdict.hunks and verdict.hunks[-1]["op"] == HunkOp.ADDED:
            verdict = _continued(verdict, _compared_pairs(markdown, spared))
        out.append(verdict)
    read = pages[:article]
    normalized = "\n".join(p.normalized for p in read)
    extras = "\n".join(sorted(set().union(*page_extras[:article]).difference(normalized.split("\n"))))
    return PagesRead(tuple(out), "\n".join(p.text for p in read), normalized, extras,
                     previous is None or any(_prose_changed(previous, normalized.split("\n"), reposts)))


def judge_stored(previous: str, extras: str | None, reposts: tuple[tuple[int, str], ...],
                 text: str | None = None, excerpt: bool = False) -> tuple[FidelityResult, ...]:
    """Fidelity against a stored version, when the check brought no new body (304, dead);
    `text`: the version's text as published, shown in the hunks when it still fits;
    `excerpt`: the version is the part of the article its page served (SPEC 7)."""
    original = previous.split("\n") if previous else []
    tolerated = frozenset(extras.split("\n")) if extras else frozenset()
    published = published_lines(text, previous, _settings.fold_script) if text else None
    return tuple(_verdict(repost_id, body, original, tolerated, published, excerpt)
                 for repost_id, body in reposts if has_text(body))
