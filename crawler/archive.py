"""Reading one repost file of the archive.

A file is a repost by its content, not its name: it carries a source link (a
Markdown link whose text holds one of `archive.source_link_text`, or such a word
right before the link) near the top, or as its last non-blank line. Everything
else about the layouts it must handle is measured in
`tests/data/reposts/README.md`; the shapes, top to bottom, are:

    ###  [:house:返回](README.md)             optional nav bar
    ---
    ## title                                   `#`/`##`, may be empty
    `4/2/2024 3:57 PM UTC station` [轉載自GNews](URL)      gnews header line
    **:arrows_clockwise: p1a2 已轉發** / `@user TS` / [轉發自GETTR](URL)   gettr
    轉載自[戰友之聲](URL)                      blog copy (or fused into the title)
    body ...
    [原文連接](URL)                            source link at the end (transcripts)

Only the header area and the last line are scanned for the source link, so that
the cost of a file is its decoding and splitting plus one pass for trailers.
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.config import ArchiveConfig
from crawler.urls import normalize_url

HEADER_AREA_LINES = 12  # non-blank lines after the nav bar where a source link may sit


@dataclass(frozen=True)
class Repost:
    path: str
    title: str
    header: str
    published_at: str | None
    station: str | None
    source_url: str
    body: str
    trailers: tuple[str, ...]


@dataclass(frozen=True)
class NotRepost:
    path: str
    reason: str


@dataclass(frozen=True)
class Problem:
    path: str
    problem: str


# A nav bar line is a heading made of emoji-labelled links (`[:house:返回首頁](…)`).
_NAV = re.compile(r"\s{0,3}#{1,6}\s*\[:[A-Za-z0-9_+\-]+:")
_RULE = re.compile(r"\s{0,3}(?:-{3,}|\*{3,}|_{3,})\s*\Z")
_HEADING = re.compile(r"\s{0,3}(#{1,6})(?:[ \t]|\Z)")
_PAGE = re.compile(r"\s{0,3}#{1,6}\s*頁面\s*\d+\s*/\s*\d+")
# What may stand before a source link on its line: nothing, the gnews code span
# (`TS station`), emphasis markers. Anything else is prose, where a 原文链接 link
# is a citation of the article, not the repost's source.
_PRE_OK = re.compile(r"[ \t]*+(?:`[^`]*+`[ \t]*+)?+[*_]*+[ \t]*+\Z")
_REST_OK = re.compile(r"[ \t*_]*\Z")
_CODE_LINE = re.compile(r"[ \t]*`[^`]*`[ \t]*\Z")
_RESHARE = re.compile(r"[ \t]*+\*{0,2}+[ \t]*+:arrows_clockwise:.*\Z")
_CODE_SPAN = re.compile(r"`([^`]*)`")
_LEADING_SPAN = re.compile(r"[ \t]*`([^`]*)`")
# `@user 5/6/2022 10:38 PM UTC` (gettr) or `3/20/2023 1:23 AM UTC station` (gnews).
# The zone as written after the time (SPEC 9: a repost's date, time zones as written): a name
# from this table and/or an offset (`UTC+8`, `+08:00`, `-0500`); none written means UTC.
# CST is the North American one, as the archive's US-based sites write it.
_ZONES = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
          "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "HKT": 8, "JST": 9, "KST": 9,
          "SGT": 8, "AWST": 8, "AEST": 10, "AEDT": 11, "CET": 1, "CEST": 2, "WET": 0, "WEST": 1,
          "BST": 1, "EET": 2, "EEST": 3}
_TS = re.compile(
    r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?"
    r"(?:\s*(?P<zone>" + "|".join(sorted(_ZONES, key=len, reverse=True)) + r")(?![A-Za-z]))?"
    r"(?:\s*(?P<offset>[+-]\d{1,2}(?::?\d{2})?)(?!\d))?"
)
_HTTP = re.compile(r"https?://", re.I)


# A title or header line is shown, never compared: cut as a page's title is (a file's heading of
# megabytes would be in every report that names its source).
SHOWN_MAX_CHARS = 1000

_TARGET = r"(?:\((?P<target>(?:[^()\n]|\([^()\n]*+\))*+)\))?"
# `[text](target)` starting at a `[`; the keyword is known to be in the text.
_LINK_AT = re.compile(r"\[(?P<text>[^\[\]\n]*)\]" + _TARGET)
# `KEY[text](target)`: matched right after the keyword.
_LINK_AFTER = re.compile(r"[ \t]*\[(?P<text>[^\[\]\n]*)\]" + _TARGET)


class _LinkMatch:
    """A source-link candidate on one line: where it starts and ends, its target."""

    __slots__ = ("start", "end", "target", "key_in_text", "text")

    def __init__(self, start: int, end: int, target: str | None, key_in_text: bool, text: str) -> None:
        self.start, self.end, self.target, self.key_in_text, self.text = start, end, target, key_in_text, text


class _Rules:
    """What an ArchiveConfig compiles to; built once per config object."""

    def __init__(self, cfg: ArchiveConfig) -> None:
        keys = sorted({k for k in cfg.source_link_text if k}, key=len, reverse=True)
        self.keys = re.compile("|".join(re.escape(k) for k in keys) or r"(?!)")
        self.trailer = re.compile("|".join(f"(?:{p})" for p in cfg.trailer_patterns)) if cfg.trailer_patterns else None
        normalized = set()
        for p in cfg.placeholder_sources:
            try:
                normalized.add(normalize_url(p))
            except ValueError:
                normalized.add(p)
        self.placeholders = frozenset(normalized)

    def find_link(self, line: str) -> _LinkMatch | None:
        """The first link on `line` whose text holds a keyword, or that a keyword
        directly precedes. Anchored at each keyword, the brackets before it read on from the
        previous keyword and each `[` tried once, so a long line costs one scan (a line of
        keywords after one `[` was quadratic: 45 s for 150,000 characters)."""
        lb = close = tried = -1  # the last `[` and `]` before the keyword; the last `[` tried
        read = 0
        for km in self.keys.finditer(line):
            p = km.start()
            lb = max(lb, line.rfind("[", read, p))
            close = max(close, line.rfind("]", read, p))
            read = p
            if lb > close and lb != tried:
                tried = lb
                m = _LINK_AT.match(line, lb)
                if m is not None:
                    return _LinkMatch(lb, m.end(), m.group("target"), True, m.group(0))
            m = _LINK_AFTER.match(line, km.end())
            if m is not None:
                return _LinkMatch(p, m.end(), m.group("target"), False, line[p : m.end()])
        return None


_RULES: dict[int, tuple[ArchiveConfig, _Rules]] = {}


def _rules(cfg: ArchiveConfig) -> _Rules:
    # Keyed by identity (hashing the config per file would cost more than parsing
    # it); the config is kept in the entry so its id cannot be reused meanwhile.
    entry = _RULES.get(id(cfg))
    if entry is None or entry[0] is not cfg:
        if len(_RULES) > 32:
            _RULES.clear()
        entry = _RULES[id(cfg)] = (cfg, _Rules(cfg))
    return entry[1]


@dataclass
class _Link:
    line: int          # index into lines
    match: _LinkMatch
    url: str           # as written (title and <> removed)


def parse_repost(data: bytes, path: str, cfg: ArchiveConfig) -> Repost | NotRepost | Problem:
    """Read one archive file. Never raises: a file that cannot be understood (empty, binary,
    undecodable, shaped like a repost but without a usable source link) is a Problem; one
    that is plainly something else (an index page, a README) is a NotRepost."""
    try:
        text = decode_file(data)
        if isinstance(text, Problem):
            return Problem(path, text.problem)
        return _parse(text, path, _rules(cfg))
    except Exception as exc:  # noqa: BLE001 - a scan must list the file, not stop
        return Problem(path, f"internal error while reading: {type(exc).__name__}: {exc}")


# Legacy encodings of Chinese text that an archive of Chinese reposts may hold, each read
# with its superset. Any other guess for bytes that are not UTF-8 (a broken UTF-8 file reads
# as some Cyrillic code page) would index gibberish: such a file is a problem instead.
_CJK_CODECS = {"gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "gb18030": "gb18030",
               "big5": "big5hkscs", "cp950": "big5hkscs", "big5hkscs": "big5hkscs"}
_UTF16_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def looks_binary(data: bytes) -> bool:
    """Bytes that are no text in any encoding we read: a NUL outside UTF-16/32 (as git judges)."""
    return b"\x00" in data and not data.startswith(_UTF16_BOMS)


def decode_file(data: bytes) -> str | Problem:
    """The text of an archive file (UTF-8, UTF-16/32 with a byte-order mark, GBK/GB18030 or
    Big5), or the Problem (path left empty) that says why there is none."""
    if not data.strip(b" \t\r\n\x0b\x0c") or data.strip() == codecs.BOM_UTF8:
        return Problem("", "empty file")
    if data.startswith(_UTF16_BOMS):
        enc = "utf-32" if data.startswith(_UTF16_BOMS[:2]) else "utf-16"
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            return Problem("", f"cannot decode: {enc} with a byte-order mark, broken at byte {exc.start}")
    if looks_binary(data):
        return Problem("", "binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        broken = exc.start
    from charset_normalizer import from_bytes  # only for the rare file that is not UTF-8

    best = from_bytes(data).best()
    codec = _CJK_CODECS.get(codecs.lookup(best.encoding).name if best is not None else "")
    if codec is not None:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            pass
    return Problem("", f"cannot decode: not UTF-8 (invalid byte at {broken}), nor GBK or Big5")


def _parse(text: str, path: str, rules: _Rules) -> Repost | NotRepost | Problem:
    had_bom = text.startswith("\ufeff")
    if had_bom:
        text = text.lstrip("\ufeff")  # templates carry two
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Split on \n only: U+2028/U+2029 occur inside lines of real reposts.
    lines = text.split("\n")
    n = len(lines)

    i = _skip_blank(lines, 0)
    nav_line = -1
    if i < n and _NAV.match(lines[i]):
        nav_line = i
        i = _skip_blank(lines, i + 1)
        if i < n and _RULE.match(lines[i]):
            i = _skip_blank(lines, i + 1)
    start = i  # first line after the nav bar

    area: list[int] = []
    while i < n and len(area) < HEADER_AREA_LINES:
        area.append(i)
        i = _skip_blank(lines, i + 1)

    found = _find_header_link(lines, area, rules, path)
    if isinstance(found, Problem):
        return found
    last = _last_nonblank(lines)
    link = found
    if link is None and last >= start:
        tail = _tail_link(lines, last, rules, path)
        if isinstance(tail, Problem):
            return tail
        link = tail
    if link is None:
        reason = _no_link_reason(lines, area, had_bom, nav_line)
        shape = None if reason.startswith("index page") else _repost_shape(lines, area, nav_line)
        if shape is not None:
            return Problem(path, f"no source: {shape} but no source link")
        return NotRepost(path, reason)

    problem = _check_url(link, rules, path)
    if problem is not None:
        return problem

    head_drop: set[int] = set()  # header-area lines that are not body
    drop_last = False            # the final `[原文連接]` line
    title = ""
    header_lines: list[str] = []
    fused_rest = ""
    published_at = station = None
    if found is not None:
        line = lines[found.line]
        pre = line[: found.match.start]
        heading = _HEADING.match(line)
        if heading and not _PRE_OK.match(pre):
            # A title fused with the source link (blog copies): `# title轉載自[站](URL)subtitle`.
            title = line[heading.end() : found.match.start].strip()
            header_lines = [found.match.text]
            fused_rest = line[found.match.end :]
            head_drop.add(found.line)
        else:
            k = area.index(found.line)
            first = k
            while first > 0 and (_CODE_LINE.match(lines[area[first - 1]]) or _RESHARE.match(lines[area[first - 1]])):
                first -= 1
            header_idx = area[first : k + 1]
            header_lines = [lines[j] for j in header_idx]
            head_drop.update(header_idx)
            for j in area[:first]:
                h = _HEADING.match(lines[j])
                if h and len(h.group(1)) <= 2:
                    title = lines[j][h.end() :].strip()
                    head_drop.add(j)
                    break
            if (
                found.line == last
                and first == k
                and found.match.key_in_text
                and first > len(head_drop) - len(header_idx)  # lines before it besides the title
            ):
                # Body text stands between the title and the link: a short file
                # whose `[原文連接]` end line falls inside the header area.
                head_drop.discard(found.line)
                header_lines = []
                drop_last = True
        published_at, station = _meta(header_lines)
        # The end-of-file `[原文連接]` line is dropped when it repeats the source;
        # a different URL there is a citation of the article and stays.
        if last > found.line:
            tail = _tail_link(lines, last, rules, path)
            drop_last = isinstance(tail, _Link) and _same_url(tail.url, found.url)
    else:
        drop_last = True
        if area and area[0] != last:
            h = _HEADING.match(lines[area[0]])
            if h and len(h.group(1)) <= 2:
                title = lines[area[0]][h.end() :].strip()
                head_drop.add(area[0])

    region_end = max(head_drop) + 1 if head_drop else start
    body_lines = [lines[j] for j in range(start, region_end) if j not in head_drop]
    if fused_rest.strip():
        body_lines.append(fused_rest)
    body_lines.extend(lines[region_end : last if drop_last else n])

    trailers: tuple[str, ...] = ()
    if rules.trailer is not None:
        search = rules.trailer.search
        hits = [ln for ln in body_lines if search(ln)]
        if hits:
            trailers = tuple(hits)
            body_lines = [ln for ln in body_lines if not search(ln)]

    return Repost(
        path=path,
        title=title[:SHOWN_MAX_CHARS],
        header="\n".join(header_lines)[:SHOWN_MAX_CHARS],
        published_at=published_at,
        station=station,
        source_url=link.url,
        body=_join_trimmed(body_lines),
        trailers=trailers,
    )


def _skip_blank(lines: list[str], i: int) -> int:
    n = len(lines)
    while i < n and not lines[i].strip():
        i += 1
    return i


def _last_nonblank(lines: list[str]) -> int:
    j = len(lines) - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    return j


def _join_trimmed(body_lines: list[str]) -> str:
    a, b = 0, len(body_lines)
    while a < b and not body_lines[a].strip():
        a += 1
    while b > a and not body_lines[b - 1].strip():
        b -= 1
    return "\n".join(body_lines[a:b])


def _clean_target(target: str) -> str:
    target = target.strip()
    if target.startswith("<") and target.endswith(">"):
        return target[1:-1].strip()
    # `(URL "title")`: the URL is the first word. Words after it that are no title are the
    # URL's own (a space a hand-typed link kept, "breaking news.html"): a browser sends them as %20.
    words = target.split(None, 1)
    if len(words) < 2 or words[1][0] in "\"'(":
        return words[0] if words else ""
    return " ".join(target.split())


def _find_header_link(lines: list[str], area: list[int], rules: _Rules, path: str) -> _Link | Problem | None:
    for j in area:
        line = lines[j]
        m = rules.find_link(line)
        if m is None:
            continue
        if not _PRE_OK.match(line, 0, m.start):
            h = _HEADING.match(line)
            if h is None or len(h.group(1)) > 2:
                continue  # a citation inside prose or a subheading; only a title fuses with the link
        if m.target is None:
            if not _REST_OK.match(line, m.end):
                continue  # `[原文链接] 见下` and the like: words, not a link
            return Problem(path, f"no source: source link without a URL: {m.text!r}")
        return _Link(j, m, _clean_target(m.target))
    return None


def _tail_link(lines: list[str], last: int, rules: _Rules, path: str) -> _Link | Problem | None:
    line = lines[last]
    m = rules.find_link(line)
    # Only a line that is nothing but `[原文連接](URL)` names the source at the end.
    if m is None or not m.key_in_text or not _PRE_OK.match(line, 0, m.start) or not _REST_OK.match(line, m.end):
        return None
    if m.target is None:
        return Problem(path, f"no source: source link without a URL: {m.text!r}")
    return _Link(last, m, _clean_target(m.target))


def _check_url(link: _Link, rules: _Rules, path: str) -> Problem | None:
    url = link.url
    if not url:
        return Problem(path, f"no source: empty link target in {link.match.text!r}")
    if not _HTTP.match(url):
        return Problem(path, f"no source: not an http(s) link: {url!r}")
    try:
        normalized = normalize_url(url)
    except ValueError as exc:
        return Problem(path, f"no source: unusable link {url!r}: {exc}")
    if normalized in rules.placeholders:
        return Problem(path, f"no source: placeholder link {url}")
    return None


def _same_url(a: str, b: str) -> bool:
    try:
        return normalize_url(a) == normalize_url(b)
    except ValueError:
        return a == b


def _meta(header_lines: list[str]) -> tuple[str | None, str | None]:
    """(published_at, station) from the header's code span, if any."""
    for line in header_lines:
        if "`" not in line:
            continue
        span = _CODE_SPAN.search(line)
        if span is None:
            continue
        text = span.group(1).strip()
        user = ""
        if text.startswith("@"):
            user, _, text = text.partition(" ")
        published = None
        m = _TS.match(text)
        if m is not None:
            published = _timestamp(m)
            if published is not None:
                text = text[m.end() :]
        station = " ".join(p for p in (user, text.strip()) if p)
        if "&" in station:
            # `G&#124;News` is a Markdown-table escape of the name, not part of it.
            station = html.unescape(station)
        return published, station.strip() or None
    return None, None


def _timestamp(m: re.Match[str]) -> str | None:
    """ISO 8601 UTC for a `M/D/YYYY h:mm AM UTC` match; None when it names no real time."""
    mon, day, year, hour, minute, sec, ampm = m.groups()[:7]
    h = int(hour)
    if ampm:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ampm.upper() == "PM" else 0)
    try:
        dt = datetime(int(year), int(mon), int(day), h, int(minute), int(sec or 0))
    except ValueError:
        return None
    dt -= timedelta(hours=_ZONES.get(m.group("zone") or "UTC", 0)) + _offset(m.group("offset"))
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}Z"


def _offset(text: str | None) -> timedelta:
    """`+8`, `+08:00`, `-0530` -> that offset from UTC."""
    if not text:
        return timedelta()
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    return sign * timedelta(hours=int(hours), minutes=int(minutes))


def _repost_shape(lines: list[str], area: list[int], nav_line: int) -> str | None:
    """What makes a file without a source link read as a repost that lost it, if anything:
    a header line with its time, or a title where a repost has one (the first line after the
    nav bar, or a `## ` heading opening the file). A README's `# Title` is not one."""
    for j in area:
        span = _LEADING_SPAN.match(lines[j])
        if span is None:
            continue
        text = span.group(1).strip()
        if text.startswith("@"):  # gettr: `@user TS`
            text = text.partition(" ")[2]
        if _TS.match(text):
            return "a repost's header line with its time"
    if area:
        heading = _HEADING.match(lines[area[0]])
        if heading is not None and lines[area[0]][heading.end():].strip() \
                and (len(heading.group(1)) == 2 or (nav_line >= 0 and len(heading.group(1)) == 1)):
            return "a repost's title"
    return None


def _no_link_reason(lines: list[str], area: list[int], had_bom: bool, nav_line: int) -> str:
    if had_bom or any(_PAGE.match(lines[j]) for j in area):
        return "index page: no source link"
    if nav_line >= 0:
        return "site page: no source link"
    return "no source link"
