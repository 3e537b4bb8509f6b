"""Text normalisation shared by the repost side and the original side of a comparison.

`markdown_to_lines` turns a repost's Markdown body into the plain lines a reader sees;
`normalize_text` then folds everything that is a matter of encoding or typography rather
than of content (Unicode forms, invisible characters, punctuation width and style,
whitespace, simplified/traditional script), so that what remains different is a real
difference.  Both are called on every page and every repost: tables and patterns are
built once at import, the OpenCC converter once per process.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

import opencc

__all__ = ["markdown_to_lines", "normalize_text", "normalize_lines", "normalize_pairs", "normalize_each", "fold_char",
           "count_chars", "count_matches", "BLOCK_ELEMENTS", "FULL_STOPS"]

# Sentence ends of scripts that have marks of their own (beside `.!?` and the CJK `。！？`):
# Devanagari and Bengali danda, Myanmar, Ethiopic, Urdu full stop, Arabic question mark,
# Armenian, Tibetan and Khmer.
FULL_STOPS = "\u0964\u0965\u104b\u1362\u06d4\u061f\u0589\u0f0d\u17d4"

# A text longer than this is counted without a list of its matches: a list of a page's millions
# of Chinese characters (each a string object of its own) took hundreds of MB.
_LONG = 1 << 16


def count_chars(pattern: re.Pattern[str], text: str) -> int:
    """How many characters of `text` a pattern of one character (a class) matches."""
    return len(pattern.findall(text)) if len(text) <= _LONG else len(text) - len(pattern.sub("", text))


def count_matches(pattern: re.Pattern[str], text: str, most: int) -> int:
    """How many times `pattern` matches in `text`, counting no further than `most`."""
    if len(text) <= _LONG:
        return min(len(pattern.findall(text)), most)
    return sum(1 for _ in itertools.islice(pattern.finditer(text), most))


# --- Markdown -------------------------------------------------------------

# Loops are possessive (`*+`): what they give back could never match the rest, and a greedy
# loop keeps a note for every repetition it could give back, hundreds of MB on a long line.

# Wiki links are undone innermost-first (a link text may hold one), so the body of a
# match may not itself open or close another.
_WIKI = re.compile(r"\[\[(?:zh:)?((?:(?!\[\[|\]\])[^\n])*+)\]\]")

# A URL in `( )` may hold one level of parentheses (Wikipedia-style addresses) and a title.
_URL = r"\((?:[^()\n]|\([^()\n]*+\))*+\)"
# A link or alt text may hold escapes and one level of brackets.
_TEXT = r"(?:\\.|[^\[\]\\\n]|\[(?:\\.|[^\[\]\\\n])*+\])*+"

# Blog copies wrap an image in a link with the inner brackets escaped: `[!\[\](img)](href)`.
# The alt text runs to the first `\]` that the rest follows (what a lazy `*?` would find).
_ESCAPED_ALT = r"(?:(?:[^\\\n]|\\[^\]\n])++|\\\](?!{rest}))*+\\\]{rest}"
_ESCAPED_IMAGE_LINK = re.compile(r"\[!\\\[" + _ESCAPED_ALT.format(rest=_URL + r"\]" + _URL))
_ESCAPED_IMAGE = re.compile(r"!\\\[" + _ESCAPED_ALT.format(rest=_URL))
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_IMAGE = re.compile(r"!\[" + _TEXT + r"\]" + _URL)
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>", re.IGNORECASE)  # (CommonMark: no `<` inside)
_LINK = re.compile(r"\[(" + _TEXT + r")\]" + _URL)
# A reference definition (`[label]: https://... "title"`) is no text: its label's links are.
# (Its destination is ASCII, or an autolink parked before: "[注1]:参见本报前日报道" is a line of text.)
_REF_DEF = re.compile(r"^[ \t]{0,3}\[((?:\\.|[^\[\]\\\n])++)\]:[ \t]*(?:<[^<>\n]*>|\x00\d+\x01|[!-~]+)"
                      r"(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*$\n?", re.MULTILINE)
# A footnote (`text[^1]` and a line `[^1]: the note`): the marks are no text, the note is.
_FOOTNOTE_DEF = re.compile(r"^[ \t]{0,3}\[\^([^\]\s]+)\]:[ \t]*", re.MULTILINE)
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
# A backslash at a line's end is a hard line break (CommonMark), no character.
_HARD_BREAK = re.compile(r"(?<!\\)\\(?=\n)")
# `![alt][label]`, `[text][label]`, `[text][]`, `[text]`: a reference, when a definition names it.
_REF_USE = re.compile(r"(!?)\[(" + _TEXT + r")\](?:\[((?:\\.|[^\[\]\\\n])*+)\]|(?![\[(:]))")
_BARE_URL = re.compile(r"(?:[Hh][Tt][Tt][Pp][Ss]?|ipfs|ftp)://[^\s<>\[\]()]+")

_QUOTE_MARK = re.compile(r"^[ \t]*+(?:>[ \t]?+)++", re.MULTILINE)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_RULE = re.compile(r"^[ \t]*+(?:([-*_])(?:[ \t]*+\1){2,}+|=++)[ \t]*+$", re.MULTILINE)
# (a task list's box, `- [ ]` or `- [x]`, is drawn as a checkbox: no text)
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,9}[.)])(?:[ \t]+(?:\[[ xX]\][ \t]+)?|$)", re.MULTILINE)
# (Possessive runs: two runs of blanks side by side make a long line of blanks quadratic.)
_TABLE_RULE = re.compile(r"^[ \t]*+\|?[ \t]*+:?-++:?[ \t]*+(?:\|[ \t]*+:?-++:?[ \t]*+)++\|?[ \t]*+$", re.MULTILINE)
# (The row's end is cut in `_cells`: a lazy `(.*?)\|?[ \t]*$` read every run of blanks to its end
# from each of its characters, quadratic.)
_TABLE_ROW = re.compile(r"^[ \t]*+\|(.*)", re.MULTILINE)
_EMPHASIS = re.compile(r"[*_~]+")
_CODE_TICKS = re.compile(r"`+")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*(?::[A-Za-z][A-Za-z0-9-]*)?)(?:\s[^<>]*)?/?>")
# Markup is a tag that names an element (HTML's, obsolete ones a pasted page still carries, or a
# custom element's hyphenated name, a namespaced one that Word pastes, `<o:p>`): "<The Palace:
# Tale of Jang Noksu>" is a title a reader sees.
# Elements a browser draws as blocks of their own (a repost's HTML tag of one breaks its line;
# the page readers cut their text into blocks at them).
BLOCK_ELEMENTS = frozenset(
    "p div section article main li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre "
    "table tr td th tbody thead tfoot caption form fieldset legend center header footer "
    "nav aside figure address hr details summary body html dir menu hgroup".split()
)
_ELEMENTS = BLOCK_ELEMENTS | frozenset("""
a abbr acronym applet area audio b base basefont bdi bdo bgsound big blink br button canvas cite code
col colgroup data datalist del dfn dialog em embed figcaption font frame frameset head i iframe img
input ins kbd label link map mark marquee meta meter nobr noembed noframes noscript object optgroup
option output param picture plaintext progress q rb rp rt rtc ruby s samp script search select slot
small source span strike strong style sub sup svg template textarea time title track tt u var video
wbr xmp math
""".split())
_FENCE = re.compile(r"^[ \t]*(?:`{3,}|~{3,})")
_PLACEHOLDER = re.compile(r"\x00(\d+)\x01")


def _unwiki(text: str) -> str:
    while True:
        new = _WIKI.sub(r"\1", text)
        if new == text:
            return text
        text = new


def _split_fences(text: str) -> list[tuple[bool, str]]:
    """(is_code, chunk) pieces: fenced code is kept verbatim, Markdown is undone elsewhere."""
    pieces: list[tuple[bool, str]] = []
    current: list[str] = []
    in_code = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            if current:
                pieces.append((in_code, "\n".join(current)))
            current = []
            in_code = not in_code
            continue
        current.append(line)
    if current:
        pieces.append((in_code, "\n".join(current)))
    return pieces


def _protector(store: list[str]) -> Callable[[str], str]:
    """A function that parks a string out of reach of the markup patterns."""

    def park(value: str) -> str:
        store.append(value)
        return f"\x00{len(store) - 1}\x01"

    return park


def _restore(text: str, store: list[str]) -> str:
    # A parked URL may itself hold parked escapes, hence the loop.
    while "\x00" in text:
        new = _PLACEHOLDER.sub(lambda m: store[int(m.group(1))], text)
        if new == text:
            break
        text = new
    return text


def _emphasis(match: re.Match[str]) -> str:
    run = match.group(0)
    if len(run) > 1:
        return "" if run[0] in "*_" or run == "~~" else run
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    # A lone `*` between two spaces, or a `_` inside a Latin word (CommonMark's intraword
    # rule, which keeps `snake_case`), cannot open or close emphasis: it is text.  HTML to
    # Markdown converters write `<em>` in Chinese as `_…_` with no spaces, so next to a
    # CJK character `_` is emphasis.
    if run == "*":
        return run if before.isspace() and after.isspace() else ""
    if run == "_":
        return run if (before + after).isascii() and before.isalnum() and after.isalnum() else ""
    return run


def _undo_markdown(text: str) -> str:
    store: list[str] = []
    park = _protector(store)
    # Each step is skipped when its trigger character is absent: most bodies are plain
    # paragraphs, and a regex pass over 50 KB costs about a millisecond.
    if "\\[" in text:
        text = _ESCAPED_IMAGE_LINK.sub("", text)
        text = _ESCAPED_IMAGE.sub("", text)
    if "\\" in text:
        text = _HARD_BREAK.sub("", text)
        # Escapes are parked, not undone, so that `\*` or `\[` is not read as markup below.
        text = _ESCAPE.sub(lambda m: park(m.group(1)), text)
    if "<" in text:
        text = _sub_closed(_COMMENT, "", text, "-->")
        text = _sub_closed(_IMG_TAG, "", text, ">")
        text = _AUTOLINK.sub(lambda m: park(m.group(1)), text)
    if "[^" in text:
        text = _footnotes(text)
    if "]:" in text:
        text = _references(text)
    if "](" in text:
        text = _IMAGE.sub("", text)
        text = _LINK.sub(r"\1", text)
    if "://" in text:
        # A bare URL is text, but its `_` and `*` are not emphasis.
        text = _BARE_URL.sub(lambda m: park(m.group(0)), text)
    if ">" in text:
        text = _QUOTE_MARK.sub("", text)
    if "|" in text:
        text = _TABLE_RULE.sub("", text)
    text = _RULE.sub("", text)
    if "#" in text:
        text = _HEADING.sub(lambda m: m.group(1) or "", text)
    text = _LIST_MARK.sub("", text)
    if "|" in text:
        text = _TABLE_ROW.sub(_cells, text)
    text = _EMPHASIS.sub(_emphasis, text)
    if "`" in text:
        text = _CODE_TICKS.sub("", text)
    if "<" in text:
        text = _BR.sub("\n", text)
        text = _TAG.sub(_markup, text)
    return _restore(text, store) if store else text


def _cells(row: re.Match[str]) -> str:
    """A table row's cells, a cell a line, as a page shows them: without the row's closing `|`."""
    inner = row.group(1).rstrip(" \t")
    return (inner[:-1] if inner.endswith("|") else inner).replace("|", "\n")


def _sub_closed(pattern: re.Pattern[str], repl: str, text: str, close: str) -> str:
    """`pattern.sub(repl, text)` for a pattern whose matches end in `close`, read only up to the
    last `close`: from each opening after it, the search would read on to the text's end
    (quadratic: a line of 40,000 `<!--` took 4 s)."""
    end = text.rfind(close) + len(close)
    return pattern.sub(repl, text[:end]) + text[end:] if end >= len(close) else text


def _markup(match: re.Match[str]) -> str:
    name = match.group(1).lower()
    if name in BLOCK_ELEMENTS:
        return "\n"
    return "" if name in _ELEMENTS or "-" in name or ":" in name else match.group(0)


def _label(text: str) -> str:
    return " ".join(text.split()).casefold()


def _footnotes(text: str) -> str:
    """`text` without the marks of its footnotes: a reference to a note that a line defines
    goes (a reader sees a small number), the note's line keeps its words."""
    labels = {m.group(1).casefold() for m in _FOOTNOTE_DEF.finditer(text)}
    if not labels:
        return text
    text = _FOOTNOTE_DEF.sub("", text)
    return _FOOTNOTE_REF.sub(lambda m: "" if m.group(1).casefold() in labels else m.group(0), text)


def _references(text: str) -> str:
    """`text` without its reference definitions, each reference to one become its text (an
    image's, nothing); brackets that no definition names stay as they are."""
    labels = {_label(m.group(1)) for m in _REF_DEF.finditer(text)}
    if not labels:
        return text

    def use(m: re.Match[str]) -> str:
        if _label(m.group(3) or m.group(2)) not in labels:
            return m.group(0)
        return "" if m.group(1) else m.group(2)

    return _REF_USE.sub(use, _REF_DEF.sub("", text))


def _unescape_entities(text: str) -> str:
    if "&" not in text:
        return text
    # Some reposts were escaped twice (`&amp;amp;`); a second pass is harmless otherwise.
    return html.unescape(html.unescape(text))


def markdown_to_lines(body: str) -> list[str]:
    """A repost's Markdown body as the non-blank plain-text lines a reader would see.

    Wiki links become their text, images go with their alt text, links become their
    text, Markdown and HTML syntax is undone (fenced code keeps its content verbatim),
    escapes and HTML entities are undone.
    """
    text = body.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = _unwiki(text)
    out: list[str] = []
    for is_code, chunk in _split_fences(text):
        plain = chunk if is_code else _unescape_entities(_undo_markdown(chunk))
        out.extend(line.strip() for line in plain.split("\n"))
    return [line for line in out if line]


# --- normalisation --------------------------------------------------------

# Invisible or formatting-only characters: zero-width, soft hyphen, bidi controls,
# variation selectors, BOM, private use, C0/C1 controls other than whitespace.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f"
    "\ufe00-\ufe0f\ufeff\ue000-\uf8ff\U000f0000-\U0010ffff"
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]"
)

_QUOTES = "\"'“”„‟‘’‚‛「」『』〝〞〟«»‹›′″"
_DOTS = "·•・‧∙⋅ᐧ"
_PUNCT_MAP = {
    **{q: '"' for q in _QUOTES},
    **{d: "·" for d in _DOTS},
    "、": ",",
    "⋯": "...",
    "〜": "~",
    "〰": "~",
}
# A regex over the few characters to fold beats str.translate, which does a dict
# lookup for every character of a non-ASCII string.
_PUNCT = re.compile("[" + re.escape("".join(_PUNCT_MAP)) + "]")
_DASHES = re.compile("[-\u2010-\u2015\u2212\u2500\u2501\u2e3a\u2e3b\ufe58\ufe63]{2,}|[\u2010-\u2015\u2212\u2500\u2501\u2e3a\u2e3b\ufe58\ufe63]")
_ELLIPSIS = re.compile("[.。]{2,}")

_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
)
_PUNCT_CHARS = r"!-/:-@\[-`{-~\u00a1-\u00bf\u2010-\u206f"
# Chinese is written without spaces, so a space next to a CJK character (or between two
# punctuation marks) is typography, not content; Latin words keep their spaces.  The
# pattern starts with the space itself so the scan only stops at spaces.
_SPACE_TO_DROP = re.compile(
    rf" (?:(?<=[{_CJK}] )|(?=[{_CJK}])|(?<=[{_PUNCT_CHARS}] )(?=[{_PUNCT_CHARS}]))"
)
# A line without one letter or digit (`______`, `* * *`, `☆☆☆☆☆☆`, `……`) is a separator
# drawn in characters: one side may draw it where the other has an `<hr>` or nothing.
_WORD = re.compile(r"[^\W_]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@functools.cache
def _t2s() -> opencc.OpenCC:
    # The converter loads its dictionaries from disk: once per process is enough.
    try:
        return opencc.OpenCC("t2s.json")
    except Exception:  # older bindings want the bare config name
        return opencc.OpenCC("t2s")


# NFKC's own mapping of U+FF01..U+FF5E (full-width ASCII) and U+3000 (ideographic space).
_WIDE_TO_ASCII = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
# Past this many distinct wide forms one translate beats one replace per form.
_WIDE_REPLACES = 16


def _narrow(text: str) -> str:
    """Full-width ASCII forms and U+3000 mapped as NFKC maps them.

    str.translate does a dict lookup for every character of a non-ASCII string (60 ns a
    character, half the cost of normalising a Chinese text); a text uses only a handful of
    distinct full-width marks (，：；！？（）), and one C-level replace per mark is ten
    times faster.
    """
    found = set(_WIDE.findall(text))
    if len(found) > _WIDE_REPLACES:
        return text.translate(_WIDE_TO_ASCII)
    for wide in found:
        text = text.replace(wide, chr(_WIDE_TO_ASCII[ord(wide)]))
    return text


def normalize_text(text: str, fold_script: bool = True) -> str:
    """`text` with differences of form folded away, so that only content differs.

    NFKC; invisible characters dropped; U+2028/U+2029 and all whitespace runs become one
    space, and a space next to a CJK character or between two punctuation marks is
    removed; punctuation width and style folded to one form per class (NFKC turns
    full-width `，：；！？（）` into ASCII; every quote mark `“”‘’「」『』"'` becomes `"`;
    `、` becomes `,`; any run of dashes `——`, `—`, `–`, `-` becomes `-`; `…`, `⋯` and
    runs of dots become `...`; middle dots `·•・` become `·`); traditional Chinese folded
    to simplified when `fold_script`.
    """
    return _drop_spaces(_fold(text, fold_script)) if text else ""


def _fold(text: str, fold_script: bool) -> str:
    """Everything but whitespace folding; keeps `\n`, so many lines can go in one call."""
    text = _INVISIBLE.sub("", text)
    if not text.isascii():
        # Full-width ASCII forms and U+3000 are what keeps most Chinese text from passing
        # NFKC's quick check; mapping them first usually lets the far slower full
        # normalisation be skipped.
        text = _narrow(text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        if fold_script and _HAN.search(text):
            text = _t2s().convert(text)
        text = _PUNCT.sub(_fold_punct, text)
    elif "'" in text:
        text = text.replace("'", '"')
    if "-" in text or not text.isascii():
        text = _DASHES.sub("-", text)
    if ".." in text or "。。" in text:
        text = _ELLIPSIS.sub("...", text)
    return text


def _drop_spaces(line: str) -> str:
    # str.split() splits on every Unicode space, U+2028/U+2029 included, in C.
    line = " ".join(line.split())
    return _SPACE_TO_DROP.sub("", line) if " " in line else line


def _fold_punct(match: re.Match[str]) -> str:
    return _PUNCT_MAP[match.group(0)]


def normalize_lines(lines: Iterable[str], fold_script: bool = True) -> list[str]:
    """Each line normalised as by `normalize_text`; lines left without a letter or digit
    (empty, or a separator such as `______` or `* * *`) are dropped.

    The lines are folded in one pass over their joined text (the per-call cost of the
    regexes and of OpenCC dominates on short lines); a line holding `\n` comes out split.
    """
    return [norm for norm, _ in normalize_pairs(lines, fold_script)]


def normalize_pairs(lines: Iterable[str], fold_script: bool = True) -> list[tuple[str, str]]:
    """(normalised, as published) for each line `normalize_lines` keeps, in order.

    The published line is the text the line was normalised from, ends stripped: what a
    reader of the page or of the repost saw.  Normalisation decides what differs; the
    published text is what a diff shows.
    """
    published = "\n".join(lines).split("\n")
    folded = _fold("\n".join(published), fold_script).split("\n")
    if len(folded) != len(published):  # a fold that made or ate a line break: line by line then
        folded = [_fold(line, fold_script).replace("\n", " ") for line in published]
    out = []
    for norm, raw in zip(folded, published):
        norm = _drop_spaces(norm)
        if _WORD.search(norm):
            out.append((norm, raw.strip()))
    return out


def normalize_each(lines: Sequence[str], fold_script: bool = True) -> list[str]:
    """Each line normalised as by `normalize_text`, one result per line (empty ones kept), for
    callers that must know which line each result came from; folded in one pass like
    `normalize_lines`."""
    folded = _fold("\n".join(lines), fold_script).split("\n")
    if len(folded) != len(lines):  # a line held a line break: fold each line alone
        return [normalize_text(line, fold_script) for line in lines]
    return [_drop_spaces(line) for line in folded]


@functools.lru_cache(maxsize=1 << 16)
def fold_char(char: str) -> str:
    """One character folded on its own (script included), as one character; "" for a space
    or an invisible character.  Aligning two texts by these keys lines up a published text
    with its normalised form character by character (`crawler.fidelity`)."""
    return _fold(char, True).strip()[:1]
