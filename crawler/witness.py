"""The repost as a witness (SPEC section 7): find a repost's text in the page that should hold it.

The generic extractor guesses the article from the page alone. The archive holds a copy of
the article, which no guess can beat: when the extractor's body does not hold a repost, the
repost's text is looked for in the page's whole visible text, in the data the page carries
for its scripts (JSON-LD `articleBody`, `__NEXT_DATA__`, `window.__INITIAL_STATE__ = {...}`,
any JSON in a `<script>`; a JSON string holding HTML is read as HTML), and in its
description (`og:description`, `twitter:description`, `description`).

The page is cut into blocks (paragraphs, `<br>` lines), each with the element that holds
its paragraphs (its *container*). A block is held by the repost when most of its
character 8-grams occur in the repost (set lookups: linear in the page's size). The
article is the stretch of blocks that the repost holds best (a maximum-sum run: held
text counts for, other text against), then widened: a block of prose in the container
of a held block belongs to the article wherever it stands, the first and the last
included, and a repost must carry it; every other block of the stretch (bylines,
datelines, captions and credits, "Continued...", share lines, labels) is the page's
furniture, which a repost may leave out. A repost found only in the page's description
is compared as an excerpt.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence, Set
from dataclasses import dataclass, field, replace
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from crawler.extract import (
    _CREDIT_RE,
    _EDGE_META_RE,
    _LEGAL_RE,
    ALT_SHORTEST,
    BOILER_ROLES,
    _class_signal,
    alt_key,
    appeals,
    describes_image,
    hidden_by_class,
    hidden_by_style,
    json_document,
    links_its_words,
    not_free,
    parser_ready,
    promotes,
    speaks_to_reader,
    withholds_rest,
    without_closing_ellipsis,
)
from crawler.extract.author import AUTHOR_META, author_note, json_ld_authors, person_names
from crawler.extract.cards import drop_link_cards
from crawler.extract.style import drop_hidden
from crawler.normalize import BLOCK_ELEMENTS, FULL_STOPS, count_chars, count_matches, normalize_each

__all__ = ["Block", "Found", "PageText", "coverage", "find", "furniture_shaped", "holds", "in_link_cards", "is_prose",
           "read_page", "shows", "shows_another_text", "standfirst", "withheld_after"]

FOUND_BY = ("extractor", "page_text", "embedded", "meta")

_K = 8  # letters per gram: long enough that common words and phrases do not match by chance
_GRAM = re.compile(f"(?=(.{{{_K}}}))", re.S)  # every run of _K characters, overlapping
_HELD = 0.5  # share of a block's grams the repost must hold for the block to be held
# A block shorter than this (letters, a Han character counting two) is held only when nearly all
# its grams are the repost's, or between two held blocks (a row of a table among rows the repost
# copies): names and phrases make half of a headline or a caption about them.
_LINE_MAX = 100
_HELD_SHORT = 0.8
_AGREES = 0.9  # share of the repost's text the extractor's body must hold to count as a reading of the article
_MOST = 0.6  # share of a block's letters a line must be to be shown by that block (see `shows`)
_FOUND = 0.3  # share of the repost's grams a stretch must hold to be the article
_AGAINST = 0.3  # weight of a letter the repost does not hold, against one it holds
# characters: a dateline or a source line is short and ends no sentence; a sentence that names
# a source ("...数据的来源。") is prose
_META_LINE_MAX = 80
_ENDS_SENTENCE = re.compile(f"[。！？!?{FULL_STOPS}]\\s*$")
# a short line that ends with a colon leads in to what follows (a list of links, a box): a label
_LEAD_IN = re.compile(r"[:：]\s*$")
_PROSE_MIN = 24  # letters (a Han character counts two): a shorter line is no paragraph of prose
_WRAPPED = 3  # lines of the repost a short line of the page may be wrapped over
_WRAPPED_PARAGRAPH = 12  # lines of the repost a paragraph of the page may be wrapped over
_SHORT = 30  # letters (a Han character counts two) below which a block must be a whole line of the repost
_CAPTION_MAX = 120  # letters (a Han character counts two): longer text beside an image is a paragraph
_SKIP_AFTER = 8  # blocks of other containers passed over when widening, before giving up
_REACH = 32  # blocks looked ahead past them for more of the article's containers
_PASSES = 3  # times the article's containers are widened by the held lines the last pass reached

_SKIP_TAGS = frozenset(
    "script style noscript template svg math iframe object embed canvas input select option textarea "
    "head title meta link base video audio source track picture img map area frame frameset noframes".split()
)
_BLOCK_TAGS = BLOCK_ELEMENTS | {"figcaption"}  # (a caption is a block of its own here)
_MEDIA_TAGS = frozenset("img picture video iframe object embed canvas".split())
# Elements that are one paragraph of their parent's text: their container is the parent.
_PARAGRAPH_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 li dt dd blockquote pre figcaption address caption".split())
# Page furniture by structure: whatever sits inside these is never article prose.
_FURNITURE_TAGS = frozenset("nav aside footer header menu figcaption caption button".split())
# why a block is furniture (see `_blocks`): a class or id, a <figcaption>, another element or role
_BY_CLASS, _BY_CAPTION, _BY_TAG = 1, 2, 3
_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
# Their content is phrasing only: a custom element (`<x-cite>`) inside one is a run of the
# line, as a browser draws an unknown element (inline); elsewhere it is a block.
_PHRASING = _HEADINGS | {"p"}

_NOT_LETTERS = re.compile(r"[\W_]+")
# (a capital's full stop inside a line is a name's initial, "Trevor J. Mitchell", "U.S.": a
# byline of names ended no sentence, and was read as a line of prose a repost must carry)
_SENTENCE = re.compile(f"[。！？!?；;{FULL_STOPS}]|(?<!\\b[A-Z])[.](?:\\s|[\"'”’)])|[.]$")
_HAN = re.compile(r"[\u3400-\u9fff]")
# A line that begins with a label ("Photo: ", "Note: ", "来源：").
_LABEL_PATTERN = (r"^\s*(?:photo|image|credit|source|note|caption|citation|related|see also|"
                  r"更多|相关|相關|摘\s*要|图为|圖為|资料图|資料圖|图片|圖片|图|圖|作者|记者|記者|编辑|編輯|"
                  r"责任编辑|責任編輯|来源|來源|原标题|原標題|"
                  # a photo's caption that names its people in order: "左起：X、Y", "From left: X, Y"
                  r"左起|右起|由左至右|由左到右|从左至右|從左至右|from left|left to right)\s*[:：/﹕]")
_LABEL = re.compile(_LABEL_PATTERN, re.I)
# Lines shaped like the page's furniture rather than the article's prose: credits and bylines
# ("Reporting by X; editing by Y", "X contributed to this report", "【记者 X 报道】"), photo
# captions ("(X 摄)", "图为：", "Photo: X"), a line wholly in brackets, calls to action.
_FURNITURE_LINE = re.compile(
    r"^\s*[(（\[【〔].*[)）\]】〕]\s*$|"
    r"\b(?:contributed (?:reporting|to this (?:report|story|article))|(?:additional )?reporting by|editing by|"
    r"writing by|reporting was contributed by|photos? courtesy|image credit|click here|read more)\b|^\W*contributing\s*:|"
    # a button's label after a short line ("... on the Terminal. LEARN MORE": after a paragraph, a
    # link of its own); the print edition's notice
    r"^(?=.{0,100}$).*\blearn more\s*[»›>→]?\s*$|^\W*a version of this (?:article|story|review|essay) appear(?:s|ed) in print\b|"
    # (a credit's words that prose uses too, "as reported by the Independent", "data compiled by
    # Bloomberg", "photos by witnesses showed", "she wanted to share this moment", "fans follow
    # him on Instagram", "the talks continued on Tuesday", count at the line's edge only)
    r"(?:^\W*|[;(（]\s*)(?:reported|compiled) by\b|(?:^(?=.{0,60}$)\W*|[;(（]\s*)photos? (?:by|credit)\b|"
    r"^(?=.{0,80}$).*\bshare (?:this|it)\b|(?:^\W*|\byou can |[.!?]\s+)follow (?:him|her|them|us) on\b|"
    r"\bcontinued (?:on|from) (?:page|p\.|the (?:next|previous|last) page)|^\W*continued\W*$|\b(?:"
    r"may be reached at|can be reached at|"
    r"(?:e-?mail|contact) (?:him|her|them|us|the author) at|if you (?:enjoyed|liked) this)\b|"
    r"(?:点击|點擊|欢迎|歡迎|免费|免費|立即|马上|馬上|扫码|掃碼)\s*(?:订阅|訂閱)|(?:订阅|訂閱)(?:本|我们|我們|号|號|频道|頻道)|"
    # "訂閱《新華手機報》:移動發"XHSJB"到10658000": a text message to subscribe
    r"^\W*(?:订阅|訂閱)|(?:发送|發送|发|發)[^。，,]{0,16}(?:到|至)\s*\d{5,}|"
    r"不代表本(?:网|網|站)|转载目的|轉載目的|(?:requires?|enable|needs?) javascript|"

    + _LABEL_PATTERN + "|"
    r"[(（][^()（）]{0,30}(?:摄|攝|供图|供圖|提供|图片|圖片|图|圖|photo|credit|courtesy|public domain)[^()（）]{0,40}[)）]\s*$|"
    r"(?:\s|^)\S{1,8}\s*(?:摄|攝)\s*$|(?:社|网|網)(?:发|發)\s*$|"
    r"(?:记者|記者)[^。！？!?，,]{0,20}(?:报道|報導|报导|報道)|"
    # a news photo's caption: "This March 28, 2017, file photo ... shows ...", "In this undated
    # photo, ...", and the agencies' "... in Indianapolis, Tuesday, Nov. 19, 2019, calling for ..."
    r"^\s*(?:in )?this\b[^.!?]{0,50}?\b(?:photo|image|picture|photograph|frame grab|video grab|screenshot)s?\b|"
    r",\s(?:mon|tues|wednes|thurs|fri|satur|sun)day,\s(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)"
    r"[a-z]*\.?\s\d{1,2},\s\d{4}\b|"
    r"^\s*[-—–]+\s*\S[^\n]{0,60}\(@\w+\)|"
    # a wire dateline that opens the first paragraph: "SPRINGFIELD, Ill. (AP) —", "LONDON (Reuters) -"
    r"(?-i:^\s*[A-Z][A-Z.'’ -]{1,40}(?:,\s*[^(),\n]{1,30})?\s*\([^()\n]{1,30}\)\s*[-—–]+\s*$)",
    re.I,
)
_TRAILING_CREDIT = re.compile(r"[(（][^()（）]{0,30}(?:摄|攝|供图|供圖|提供|图|圖|photo|credit|courtesy|public domain)"
                              r"[^()（）]{0,40}[)）]\s*$",
                              re.I)
_PARAGRAPH_MIN = 160  # letters (a Han character counts two): a caption is shorter
# An address to write to (from a word's start: from every letter the scan is quadratic).
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+")
_EMAIL_LINE_MAX = 150  # characters of a line that gives an address and is a contact line whatever it says
_FURNITURE_MAX = 2000  # characters: the longest notice a site puts under its articles is far shorter
_STOPS = re.compile(r"[。！？!?]|[.]\s")  # a sentence's end inside a line
# A heading that puts an interview's question ("Q: What's the one thing you've learned ...?"),
# which a repost carries as it carries the answer (a headline that asks is no such heading).
_SPOKEN_HEADING = 40  # letters (a Han character counts two)
_ASKS = re.compile(r"^\W*(?:q|问|問|记者|記者)\s*[:：.]", re.I)
_ASIDE_MIN = 48  # letters (a Han character counts two) of prose set in brackets: a credit is shorter
# An interview's speaker: "记者：春运初始，…？" asks the article's question.
_SPEAKER = re.compile(r"^\s*(?:记者|記者|问|問|答)\s*[:：]")
_OUTER_BRACKETS = re.compile(r"^\s*[(（\[【〔](.*)[)）\]】〕]\s*$")
# A reporter's dateline that opens a paragraph of Chinese news: "【台灣醒報記者X台北報導】",
# "羊城晚报讯 记者X报道：", "本报讯（记者 X）", "新华社北京1月12日电（记者X）".
_LEADING_DATELINE = re.compile(
    r"^\s*(?:[【\[〔(（][^】\]〕)）摄攝]{0,40}?(?:记者|記者)[^】\]〕)）摄攝]{0,30}[】\]〕)）]"
    r"|[^，。！？!?\s]{0,24}?(?:讯|訊|电|電)?\s*[(（]?\s*(?:记者|記者)[^。！？!?，,：:()（）摄攝]{0,30}?"
    r"(?:报道|報導|报导|報道|[)）])\s*[:：]?)\s*")
_CAPTION_START = re.compile(r"^\W*(?:图为|圖為|图[:：]|圖[:：])")
# A picture's credit inside a line ("…恢复正常行驶。图/潇湘晨报记者 X", "图片来源：新华社").
_PICTURE_CREDIT = re.compile(r"(?:图|圖|图片|圖片|摄影|攝影)\s*(?:[/／]|来源|來源)")


@dataclass(frozen=True)
class Block:
    """One paragraph or line of a page's text."""

    text: str  # as shown, whitespace collapsed
    container: int  # the element whose paragraphs this is one of (ids are per page)
    furniture: bool  # inside navigation, a sidebar, a footer, a caption, a comment or share box
    link_chars: int  # characters inside links
    heading: bool = False  # a heading (<h1>..<h6>): the page's title is one, and reposts repeat it
    # furniture by a class or id alone ("widget", "sidebar"): the innermost element that says so
    soft: int = 0
    element: int = 0  # the block element whose text it is
    row: bool = False  # a table's row of cells
    links: tuple[str, ...] = ()  # the texts inside its links (a pop-up card's, a menu's)
    ruled: bool = False  # the first block after a horizontal rule (<hr>)
    caption: bool = False  # furniture as a <figcaption>'s text (a gallery's slides are its article)

    @functools.cached_property
    def linky(self) -> bool:
        """Mostly the text of links (a list of headlines, "Read more: <headline>"), not a
        sentence of prose that links some of its words ("The investigation had been shelved in
        2017 but was <a>re-opened earlier this year following his eviction</a>.")."""
        if self.link_chars * 2 <= len(self.text):
            return False
        spaces = self.text.count(" ")
        return not links_its_words(self.text, len(self.text) - spaces, self.link_chars, len(self.links))

    def unlinked(self) -> str:
        """Its words outside its links: what the page says there, not what it links to (a list
        of threads may link one titled "服务器维护内容" or "该帖已被删除的原因")."""
        text = self.text
        for link in self.links:
            if piece := " ".join(link.split()):
                text = text.replace(piece, " ", 1)
        return " ".join(text.split())


@dataclass
class PageText:
    """What a page shows and carries, cut into blocks, read once per page."""

    visible: list[Block]
    embedded: list[Block]
    meta: list[Block]
    title: str = ""
    _said: dict[bool, _Said] = field(default_factory=dict, repr=False)  # see `shows`
    # (part, fold_script) -> the normalised text and the letters of each of its blocks, read once
    _read: dict[tuple[str, bool], tuple[list[str], list[str]]] = field(default_factory=dict, repr=False)
    continues: bool | None = None  # the article goes on on a next page (asked when needed)
    # JSON-LD's text: a description of the article for search engines, which nothing shows
    # (it may be stale: a site that cut a paragraph may describe the article as it was)
    described: list[Block] = field(default_factory=list)
    paywalled: bool = False  # JSON-LD says the article is not free: the page shows part of it
    struck: tuple[str, ...] = ()  # text the page shows struck through (<del>, <s>, <strike>)
    authors: tuple[str, ...] = ()  # the article's authors, as its metadata names them
    # short texts in the page's markup that it keeps from the eye (an anti-copy watermark, a
    # credit its stylesheet hides): a repost copied from the markup has them
    hidden: tuple[str, ...] = ()
    _hidden_keys: dict[bool, list[str]] = field(default_factory=dict, repr=False)  # see `without_hidden`
    # see `in_furniture`
    _furniture: dict[bool, tuple[dict[str, list[str]], dict[str, list[str]]]] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Found:
    """The article a repost was found in: where, its lines, and what the page shows around it."""

    found_by: str  # one of FOUND_BY
    lines: tuple[str, ...]  # the article's normalised lines: what the repost is compared with
    shown: tuple[str, ...]  # the same lines as the page shows them
    furniture: tuple[str, ...]  # normalised lines of the stretch a repost may leave out
    excerpt: bool  # only part of the article is served (its description): compare as an excerpt
    coverage: float  # share of the repost's text found in the article
    seen: bool = False  # the page's visible text holds a stretch of the repost's text, not all in its furniture


# --------------------------------------------------------------------------- reading a page


def _blocks(root: Any, first_id: int = 0, hidden: dict[str, None] | None = None) -> list[Block]:
    """The text blocks under `root` in page order (one walk, no recursion); the short texts of
    the elements it skips as hidden are added to `hidden` (an ordered set) when given."""
    out: list[Block] = []
    buf: list[str] = []
    link = 0
    ids = [first_id]
    # (children iterator, element id, container id, furniture, in link, in heading)
    # furniture: 0 none, _BY_CLASS by a class or id that names furniture, _BY_CAPTION inside a
    # <figcaption>, _BY_TAG by the element (nav, aside, footer...) or its role
    stack: list[tuple[Iterator[Any], int, int, int, int, bool, bool]] = []
    cur, container, furniture, soft, in_link, heading = first_id, first_id, 0, 0, False, False
    parent_of: dict[int, int] = {}  # block element -> the block element it sits in
    has_blocks: set[int] = set()  # block elements with a block element inside
    media: set[int] = set()  # block elements with an image, a video or a frame inside
    phrasing: set[int] = set()  # block elements of phrasing content only (p, headings)
    rows: set[int] = set()  # <tr> elements
    see_through: dict[int, int] = {}  # <center> element -> the element whose paragraphs its own are
    cells: dict[int, int] = {}  # <td>/<th> element -> its <tr>
    alts: list[str] = []  # letters of the images' alternative texts
    linked: list[str] = []  # the texts inside links of the block being read
    ruled = False  # a horizontal rule stands before the next block
    # the least furniture flag of the block's words: a block whose words all stand in an inline
    # element a class names furniture (<span class="caption"> after an <img><br>) is furniture
    least: list[int] = []

    def flush() -> None:
        nonlocal link, ruled
        if buf:
            text = " ".join("".join(buf).split())
            if text:
                flag = max(furniture, least[0]) if least else furniture
                out.append(Block(text, container, flag > 0, min(link, len(text)), heading,
                                 soft if flag == _BY_CLASS else 0, cur, links=tuple(linked), ruled=ruled,
                                 caption=flag == _BY_CAPTION))
                ruled = False
            buf.clear()
        link = 0
        linked.clear()
        least.clear()

    it: Iterator[Any] = root.iter(include_text=True)
    while True:
        for node in it:
            t = node.text_content
            if t is not None:
                buf.append(t)
                if not t.isspace():
                    if least:
                        least[0] = min(least[0], furniture)
                    else:
                        least.append(furniture)
                if in_link:
                    link += len(t.strip())
                    linked.append(t)
                continue
            tag = node.tag
            if tag[0] == "-" or tag in _SKIP_TAGS:
                if tag in _MEDIA_TAGS:
                    # (an image set after the words of its line, a magazine's end mark in the
                    # last paragraph, makes no caption of them: a caption's picture stands above
                    # it, or on a line of its own)
                    if not any(piece.strip() for piece in buf):
                        media.add(cur)
                    if tag == "img" and len(alt := node.attributes.get("alt") or "") >= ALT_SHORTEST:
                        alts.append(alt_key(alt))
                continue
            if tag == "br" or tag == "hr":
                flush()
                ruled = ruled or tag == "hr"
                continue
            attrs = node.attributes
            flag = (_BY_CAPTION if tag == "figcaption" else _BY_TAG) if tag in _FURNITURE_TAGS else 0
            content = False
            if attrs:
                style = attrs.get("style")
                c, i = attrs.get("class"), attrs.get("id")
                if ("hidden" in attrs or (style and hidden_by_style(style, inline=tag not in _BLOCK_TAGS))
                        or (c and hidden_by_class(c))):
                    if hidden is not None and len(hidden) < _HIDDEN_MOST \
                            and 0 < len(text := node.text(deep=True, strip=True)) <= _HIDDEN_LONGEST:
                        hidden[text] = None
                    continue
                if attrs.get("aria-hidden") == "true":
                    # Shown to the eye, hidden from screen readers: a pull quote, a decorative
                    # repeat of the article's words. The page shows it; it is not the article.
                    flag = _BY_TAG
                if c or i:
                    boiler, level = _class_signal(c, i)
                    if boiler:
                        flag = max(flag, _BY_CLASS)
                    content = level > 0 and not boiler
                if attrs.get("role") in BOILER_ROLES:
                    flag = _BY_TAG
            block = tag in _BLOCK_TAGS or ("-" in tag and cur not in phrasing)
            stack.append((it, cur, container, furniture, soft, in_link, heading))
            if block:
                flush()
                ids[0] += 1
                parent = cur
                cur = ids[0]
                parent_of[cur] = parent
                has_blocks.add(parent)
                container = see_through.get(parent, parent) if tag in _PARAGRAPH_TAGS else cur
                if tag == "center":
                    # (a presentational wrapper, as <font> is: old templates set a run of the
                    # article's photos, captions and paragraphs in one; its paragraphs are its parent's)
                    see_through[cur] = see_through.get(parent, parent)
                if tag in _PHRASING:
                    phrasing.add(cur)
                elif tag == "tr":
                    rows.add(cur)
                elif (tag == "td" or tag == "th") and parent in rows:
                    cells[cur] = parent
            # A block whose class names content ("post-body") inside one whose class names
            # furniture ("widget Blog") is content: themes nest their article in such wrappers.
            furniture = max(flag, 0 if content and furniture == _BY_CLASS else furniture)
            if flag == _BY_CLASS:
                soft = cur
            in_link = in_link or (tag == "a" and not _text_link(node))
            heading = heading or tag in _HEADINGS
            it = node.iter(include_text=True)
            break
        else:
            if not stack:
                flush()
                return _leaf_paragraphs(out, parent_of, has_blocks, media, cells, sorted(alts))
            it, cur_, container_, furniture_, soft_, in_link_, heading_ = stack.pop()
            if cur_ != cur:
                flush()
            cur, container, furniture, soft, in_link, heading = cur_, container_, furniture_, soft_, in_link_, heading_


_TEXT_LINK_MIN = 600  # letters (a Han character counts two): a link's card of headline and summary is shorter


def _text_link(node: Any) -> bool:
    """Whether a link holds paragraphs of text (an article set whole inside a link to its own
    page): its text is the page's text, not a link of navigation."""
    text = node.text(deep=True, separator=" ") or ""
    return len(text) * 2 >= _TEXT_LINK_MIN and _size(_letters(text)) >= _TEXT_LINK_MIN \
        and count_matches(_SENTENCE, text, 3) >= 3


def _leaf_paragraphs(blocks: list[Block], parent_of: dict[int, int], has_blocks: set[int], media: set[int],
                     cells: dict[int, int], alts: list[str]) -> list[Block]:
    """Blocks that are one element's only text, read by that element: beside an image, a
    caption (furniture), as is a block, wherever it stands, that says what an image's
    alternative text says (`alts`: see `describes_image`); in a `<div>` that holds no block, a
    paragraph, as a `<p>` is, whose container is its parent (themes set their paragraphs in such
    divs, one per paragraph).
    Then a block whose container holds no other text takes the nearest element above that
    does: templates wrap each paragraph in elements of its own (`<div class="card"><div><p>`),
    and the paragraphs of one article are the children of one element all the same."""
    count: dict[int, int] = {}
    under: dict[int, int] = {}  # element -> blocks inside it, counted up to 2
    for b in blocks:
        count[b.element] = count.get(b.element, 0) + 1
        x: int | None = b.element
        while x is not None:
            was = under.get(x, 0)
            if was >= 2:
                break  # (its ancestors hold two already: each element is passed at most twice)
            under[x] = was + 1
            x = parent_of.get(x)
    out = []
    for b in blocks:
        e = b.element
        furniture, c = b.furniture, b.container
        if not furniture and describes_image(b.text, alts):
            furniture = True
        if count[e] == 1 and e not in has_blocks:
            if e in media and _size(_letters(b.text)) < _CAPTION_MAX:
                furniture = True
            elif c == e and e in parent_of:
                c = parent_of[e]
        while under.get(c, 0) == 1 and c in parent_of:
            c = parent_of[c]
        out.append(b if c == b.container and furniture == b.furniture  # (no `replace`: it is slow)
                   else Block(b.text, c, furniture, b.link_chars, b.heading, b.soft, b.element, links=b.links,
                              caption=b.caption))
    return _rows(out, count, cells, parent_of, has_blocks)


def _rows(blocks: list[Block], count: dict[int, int], cells: dict[int, int], parent_of: dict[int, int],
          has_blocks: set[int]) -> list[Block]:
    """A table's row of cells that each hold one line is one line, cells joined by " | " (as the
    extractor reads it, and as a repost copies a table: a row a line); the rows of a table share
    its container. A cell that holds paragraphs (a page laid out in a table) stays apart.
    `count`: the blocks of each element."""
    out: list[Block] = []
    i = 0
    while i < len(blocks):
        b = blocks[i]
        row = cells.get(b.element, 0) if count[b.element] == 1 and b.element not in has_blocks else 0
        j = i + 1
        if row:
            # (joined once: a row of a hostile page's 100,000 cells must not be copied per cell)
            while j < len(blocks) and count[blocks[j].element] == 1 and blocks[j].element not in has_blocks \
                    and cells.get(blocks[j].element, 0) == row:
                j += 1
            run = blocks[i:j]
            b = Block(" | ".join(c.text for c in run), parent_of.get(row, row), all(c.furniture for c in run),
                      sum(c.link_chars for c in run), all(c.heading for c in run), b.soft, row, row=True,
                      links=tuple(t for c in run for t in c.links))
        out.append(b)
        i = j
    return out


_JSON_SCRIPT = re.compile(r"json", re.I)
# `window.__INITIAL_STATE__ = {...}`, `var data = [...]`, `self.__next_f.push(...)` is not one.
_ASSIGNED = re.compile(r"(?:^|[;\s])(?:window\.|var\s+|let\s+|const\s+)?[\w$.\[\]'\"]+\s*=\s*(?=[{\[])")
_HTMLISH = re.compile(r"<(?:p|br|div|span|h\d|li|strong|em|a|img|figure|blockquote)\b", re.I)
_MIN_STRING = 12  # letters: shorter strings in script data are keys, labels, ids


def _json_values(script: str) -> Iterator[Any]:
    text = script.strip()
    if text.startswith(("{", "[")):
        try:
            yield json.loads(text, strict=False)
            return
        except (ValueError, RecursionError):  # (nested deeper than the decoder goes)
            pass
    decoder = json.JSONDecoder(strict=False)
    for m in _ASSIGNED.finditer(script):
        try:
            value, _end = decoder.raw_decode(script, m.end())
        except (ValueError, RecursionError):
            continue
        yield value


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if len(v) >= _MIN_STRING:
                yield v
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
        elif isinstance(v, list):
            stack.extend(reversed(v))


# A JavaScript string literal (a script that writes the article with `document.write("...")`
# or keeps it in `var content = '...'` or a template literal), and the escapes it may hold.
_QUOTE = re.compile(r"[\"'`]")
_LITERAL_BODY = {'"': re.compile(r'(?:[^"\\\n]|\\.)*+', re.S), "'": re.compile(r"(?:[^'\\\n]|\\.)*+", re.S),
                 "`": re.compile(r"(?:[^`\\]|\\.)*+", re.S)}
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.S)
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "", "f": "", "v": "", "0": "", "\n": ""}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _js_unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e[0] in "ux" and len(e) > 1:
            return chr(min(int(e.strip("u{}x") or "0", 16), 0x10FFFF))
        return _JS_SIMPLE.get(e, e)

    out = _JS_ESCAPE.sub(one, text)
    # "\ud83d\ude00": a pair of surrogates is one character
    return out.encode("utf-16", "surrogatepass").decode("utf-16", "replace") if _SURROGATE.search(out) else out


def _js_literals(script: str) -> Iterator[str]:
    """The string literals of a script, in one pass: a quote that opens no literal (in a
    comment, a regular expression) is passed over with what it ran to, never read again from
    the next character, which a page of escaped quotes would make quadratic."""
    pos, end = 0, len(script)
    while (m := _QUOTE.search(script, pos)) is not None:
        quote = m.group()
        body = _LITERAL_BODY[quote].match(script, m.end())  # (matches, if only the empty string)
        stop = body.end() if body is not None else m.end()
        if stop < end and script[stop] == quote:
            yield script[m.end():stop]
        pos = stop + 1


def _js_markup(script: str) -> Iterator[str]:
    """The string literals of a script that hold markup (what it writes into the page)."""
    if not _HTMLISH.search(script):
        return
    for literal in _js_literals(script):
        if "<" in literal and len(literal) >= 2 * _MIN_STRING:
            text = _js_unescape(literal)
            if _HTMLISH.search(text):
                yield text


class _Reader:
    """Blocks of text the page carries beside what it shows, each piece a container of its own."""

    def __init__(self, first_id: int) -> None:
        self.out: list[Block] = []
        self.next_id = first_id
        self.seen: set[str] = set()

    def markup(self, markup: str) -> None:
        parsed = LexborHTMLParser(parser_ready(markup) or markup).body
        if parsed is not None:
            blocks = _blocks(parsed, self.next_id)
            self.out.extend(blocks)
            self.next_id = max([self.next_id, *(b.element for b in blocks)]) + 1

    def string(self, s: str) -> None:
        if s in self.seen or len(_NOT_LETTERS.sub("", s)) < _MIN_STRING or s.startswith(("http://", "https://")):
            return
        self.seen.add(s)
        self.next_id += 1
        if _HTMLISH.search(s):
            self.markup(s)
            return
        self.out.extend(Block(" ".join(line.split()), self.next_id, False, 0, element=self.next_id)
                        for line in s.splitlines() if line.strip())


def _embedded(scripts: list[tuple[str, str]], first_id: int, fragments: Sequence[str] = ()) -> list[Block]:
    """Blocks of the text a page carries for its scripts: each string of their JSON data, each
    string literal of their code that holds markup, and each of `fragments` (the markup of its
    <noscript> and <template> elements and of its frames' `srcdoc`: what it shows without
    scripts, what its scripts copy in, what a frame shows)."""
    reader = _Reader(first_id)
    for fragment in fragments:
        reader.markup(fragment)
    for kind, body in scripts:
        if not body:
            continue
        data = _JSON_SCRIPT.search(kind)
        if ("{" in body or "[" in body) and (data or _ASSIGNED.search(body)):
            for value in _json_values(body):
                for s in _strings(value):
                    reader.string(s)
        if not data:
            for s in _js_markup(body):
                reader.string(s)
    return reader.out


def _meta_descriptions(tree: LexborHTMLParser, first_id: int) -> list[Block]:
    out: list[Block] = []
    seen: set[str] = set()
    for i, sel in enumerate(('meta[property="og:description"]', 'meta[name="og:description"]',
                             'meta[name="twitter:description"]', 'meta[property="twitter:description"]',
                             'meta[name="description"]')):
        node = tree.css_first(sel)
        # (`value=` where `content=` belongs: a template's slip that sharing crawlers forgive)
        said = None if node is None else node.attributes.get("content") or node.attributes.get("value")
        text = " ".join((said or "").split())
        if _HTMLISH.search(text):
            # (a description written as markup, a link and all: its text is what it says)
            parsed = LexborHTMLParser(parser_ready(text) or text).body
            text = " ".join((parsed.text(deep=True) if parsed is not None else "").split())
        if text and text not in seen:
            seen.add(text)
            out.append(Block(text, first_id + i, False, 0, element=first_id + i))
    return out


def read_page(html: str) -> PageText:
    """The blocks of a page: its visible text, the text in its script data, its descriptions.
    A document that is JSON (an article URL that answers its API's data) is all script data."""
    if json_document(html) is not None:
        return PageText([], _embedded([("json", html)], 100), [])
    # Made safe for the parser as the extractor makes it: it takes seconds over a hostile page
    # of 50,000 nested <div>s, hours over a tag of 800,000 attributes.
    ready = parser_ready(html)
    tree = LexborHTMLParser(html if ready is None else ready)
    scripts = [(n.attributes.get("type") or "") + " " + (n.attributes.get("id") or "") for n in tree.css("script")]
    bodies = [n.text(deep=True) or "" for n in tree.css("script")]
    title_node = tree.css_first("title")
    title = " ".join((title_node.text() if title_node is not None else "").split())
    meta = _meta_descriptions(tree, 0)
    jammers: list[str] = []
    carried = drop_hidden(tree, html, jammers=jammers)
    drop_link_cards(tree)
    hidden = dict.fromkeys(jammers)
    root = tree.body or tree.root
    struck = tuple(t for n in tree.css("body del, body s, body strike") if (t := " ".join((n.text() or "").split())))
    visible = _blocks(root, 100, hidden) if root is not None else []
    first = max((b.container for b in visible), default=100) + 1_000_000
    fragments = [*carried, *(_inner(n.html or "") for n in tree.css("noscript, template"))]
    fragments += [n.attributes.get("srcdoc") or "" for n in tree.css("iframe[srcdoc]")]
    linked: list[str] = []
    rendered: list[tuple[str, str]] = []
    for kind, body in zip(scripts, bodies):
        if _LINKED_DATA.search(kind):
            linked.append(body)
        else:
            rendered.append((kind, body))
    embedded = _embedded(rendered, first, [f for f in fragments if _NOT_LETTERS.sub("", f)])
    described, paywalled, named = _linked_data(linked, max((b.element for b in embedded), default=first) + 1_000_000)
    named.update(n.attributes.get("content") or "" for n in tree.css(AUTHOR_META))
    page = PageText(visible, embedded, meta, title, described=described, paywalled=paywalled, struck=struck,
                    authors=person_names(named), hidden=tuple(hidden)[:_HIDDEN_MOST])
    if page.authors:
        page.visible = [replace(b, furniture=True) if not b.furniture and author_note(b.text, page.authors) else b
                        for b in visible]
    return page


_LINKED_DATA = re.compile(r"ld\+json", re.I)


def _linked_data(bodies: list[str], first_id: int) -> tuple[list[Block], bool, set[str]]:
    """The text of a page's JSON-LD, whether it says its article is not free, and the names of
    its authors (each script parsed once)."""
    reader = _Reader(first_id)
    paywalled = False
    authors: set[str] = set()
    for body in bodies:
        for value in _json_values(body):
            paywalled = paywalled or not_free(value)
            authors.update(json_ld_authors(value))
            for s in _strings(value):
                reader.string(s)
    return reader.out, paywalled, authors


def _inner(markup: str) -> str:
    """An element's markup without its own start and end tags."""
    start, end = markup.find(">") + 1, markup.rfind("</")
    return markup[start:end] if 0 < start <= end else ""


# --------------------------------------------------------------------------- finding the article


def _letters(line: str) -> str:
    return _NOT_LETTERS.sub("", line).lower()


@functools.lru_cache(maxsize=8)
def _grams(text: str) -> frozenset[str]:
    # Cached: one page's witness asks for the same repost's and body's grams several times.
    if len(text) <= _K:
        return frozenset((text,)) if text else frozenset()
    return frozenset(_GRAM.findall(text))  # the scan in C: a third faster than slicing in Python


_STRETCH = 1 << 16  # characters of a long text read at a time for its grams


def _stretches(text: str) -> Iterator[list[str]]:
    """The grams of `text`, a stretch at a time (each stretch's list, none lost at a seam): a
    list or set of all the grams of a page's megabytes of one paragraph took hundreds of MB."""
    for at in range(0, len(text) - _K + 1, _STRETCH):
        yield _GRAM.findall(text, at, at + _STRETCH + _K - 1)


@functools.lru_cache(maxsize=8)
def _held_grams(text: str, grams: frozenset[str]) -> frozenset[str]:
    """The grams of `text` among `grams` (a repost's)."""
    if len(text) <= _STRETCH:
        return _grams(text) & grams
    held: set[str] = set()
    for stretch in _stretches(text):
        held.update(grams.intersection(stretch))
    return frozenset(held)


def _gram_hits(key: str, grams: frozenset[str]) -> int:
    """How many of `key`'s grams, counted with their repeats, are among `grams`."""
    return sum(sum(map(grams.__contains__, stretch)) for stretch in _stretches(key))


def _grams_within(text: str, most: int) -> frozenset[str] | None:
    """The grams of `text`, or None as soon as it has more than `most` distinct ones."""
    if len(text) <= _STRETCH:
        grams = _grams(text)
        return grams if len(grams) <= most else None
    seen: set[str] = set()
    for stretch in _stretches(text):
        seen.update(stretch)
        if len(seen) > most:
            return None
    return frozenset(seen)


def furniture_shaped(text: str) -> bool:
    """A line shaped like a page's furniture: a credit, a byline, a caption, a dateline, a
    copyright or a call to action (decided by the line's shape, not by the site)."""
    if len(text) > _FURNITURE_MAX:
        return False  # a paragraph this long is no credit, caption or notice (and is not scanned for one)
    short = len(text) < _META_LINE_MAX
    return bool(_FURNITURE_LINE.search(text) or _CREDIT_RE.match(text) or _LEGAL_RE.search(text)
                or promotes(text) or appeals(text) or withholds_rest(text)
                # "Email the writer at x@y.com", "here's our email: letters@...": not police that
                # ask for tips by email in a paragraph of news
                or (_EMAIL.search(text) is not None and (len(text) <= _EMAIL_LINE_MAX or speaks_to_reader(text)))
                # a lead-in to a list of links; a paragraph of sentences may end with a colon too
                or (short and _LEAD_IN.search(text) and not _STOPS.search(text))
                or (short and _EDGE_META_RE.search(text) and not _ENDS_SENTENCE.search(text)))


def _prose(block: Block, letters: str, wrappers: Set[int] = frozenset()) -> bool:
    """A paragraph of prose: some length, a sentence, not mostly links, not inside furniture
    (but for `wrappers`), not shaped like a credit, a caption, a dateline or a call to action."""
    furniture = block.furniture and not (block.soft and block.soft in wrappers)
    return not (furniture or block.linky) and is_prose(block.text, letters)


def is_prose(text: str, letters: str | None = None) -> bool:
    """A line shaped like a paragraph of prose (see `_prose`), judged by its shape alone."""
    if furniture_shaped(text):
        # A long paragraph that ends with its reporter's and photographer's credit ("...行為。
        # （記者 X/文 Y/圖）") or begins with a label ("Note: ...") is prose; a caption with its
        # credit, a label with its value, is short. A paragraph that opens with its reporter's
        # dateline ("【記者X台北報導】春節期間，…") is the article's lead, whatever its length, and
        # one that opens with an interview's speaker ("记者：…？") is the interview's.
        for edge in (_TRAILING_CREDIT, _LABEL):
            core = edge.sub("", text, count=1)
            if core != text and _size(_letters(core)) >= _PARAGRAPH_MIN and is_prose(core):
                return True
        # An aside the article sets in brackets ("(Alden on Tuesday announced ... .)") is prose
        # too; a caption set in brackets with its picture's credit ("(…通车。图/记者 X)") is not.
        aside = _OUTER_BRACKETS.match(text)
        if (aside and _size(_letters(aside.group(1))) >= _ASIDE_MIN and is_prose(aside.group(1))
                and not _CAPTION_START.match(aside.group(1)) and not _PICTURE_CREDIT.search(aside.group(1))):
            return True
        core = _LEADING_DATELINE.sub("", _SPEAKER.sub("", text, count=1), count=1)
        return core != text and not _CAPTION_START.match(core) and is_prose(core)
    size = _size(_letters(text) if letters is None else letters)
    if size < _PROSE_MIN:
        return False
    # (a sentence that leads in to a quote ends with a colon: "..., which contains the following
    # statement:"; a label or a lead-in to links is short, and furniture by its shape above)
    return _SENTENCE.search(text) is not None or size >= 120 or (len(text) >= _META_LINE_MAX and
                                                                 _LEAD_IN.search(text) is not None)


@dataclass
class _Stretch:
    start: int
    end: int  # exclusive
    held: list[bool]
    matched: int  # letters of the repost found in the stretch's held blocks


def _size(key: str) -> int:
    return len(key) + count_chars(_HAN, key)  # a Han character weighs as two letters


def _best_stretch(blocks: list[Block], keys: list[str], repost_lines: set[str], repost_grams: frozenset[str],
                  title: str) -> _Stretch | None:
    """The run of blocks the repost holds best (maximum sum: held letters for, others against)."""
    held = []
    weights = []
    loose: list[tuple[int, int]] = []  # (block, grams held) of short blocks held only by half their grams
    for block, key in zip(blocks, keys):
        if not key or (block.heading and key in title):
            # (The page's title heading is the page's, not the article's text: reposts put
            # their title apart, and repeat it in their body only where the article does.)
            held.append(False)
            weights.append(0.0)
            continue
        size = len(key) if len(key) >= _LINE_MAX else _size(key)  # (a Han character weighs two)
        if len(key) < _K or size < _SHORT or block.heading:
            # (A heading is held only as a line of its own: the page's title, which a repost
            # repeats inside a line of its own text, is not article text.)
            # A short line (a name, a label, a menu item) is held only as a line of the repost:
            # a word of its prose proves nothing.
            ok = key in repost_lines
            held.append(ok)
            weights.append(len(key) if ok else -_AGAINST * len(key))
            continue
        count = len(key) - _K + 1
        hit = _gram_hits(key, repost_grams)
        ok = hit >= (_HELD_SHORT if size < _LINE_MAX else _HELD) * count
        if not ok and hit >= _HELD * count:
            loose.append((len(held), hit))
        held.append(ok)
        weights.append(hit if ok else -_AGAINST * len(key))
    for i, hit in loose:
        if _between_held(held, keys, i):
            held[i], weights[i] = True, hit
    best = run = 0.0
    best_span: tuple[int, int] | None = None
    start = 0
    for i, w in enumerate(weights):
        if run <= 0:
            run, start = 0.0, i
        run += w
        if run > best:
            best, best_span = run, (start, i + 1)
    if best_span is None:
        return None
    s, e = best_span
    # Letters of the repost the stretch holds (a text the page repeats counts once).
    counted = {keys[i]: weights[i] + (_K - 1 if len(keys[i]) >= _K and weights[i] < len(keys[i]) else 0)
               for i in range(s, e) if held[i]}
    return _Stretch(s, e, held, int(sum(min(len(k), w) for k, w in counted.items())))


def _wrapped(repost: Sequence[str]) -> Iterator[str]:
    """The letters of short runs of the repost's lines: a line the page sets whole (a heading, a
    label) that the repost wraps over two or three lines (a Markdown converter's fixed width)."""
    keys = [_letters(line) for line in repost]
    sizes = [len(key) for key in keys]
    for size in range(2, _WRAPPED + 1):
        for i in range(len(keys) - size + 1):
            if sum(sizes[i:i + size]) < _LINE_MAX:
                yield "".join(keys[i:i + size])


def _between_held(held: list[bool], keys: list[str], i: int) -> bool:
    """Whether the nearest blocks with text before and after block `i` are held and about as
    long as it (rows of a table; a caption between two paragraphs is far shorter than they are)."""
    sides = [_nearest_text(keys, i, step) for step in (-1, 1)]
    return all(j is not None and held[j] and len(keys[j]) <= 2 * len(keys[i]) <= 4 * len(keys[j]) for j in sides)


def _article(blocks: list[Block], norm: list[str], keys: list[str], stretch: _Stretch, body: Set[str],
             said: Counter[str]) -> tuple[list[str], list[str], list[str]]:
    """(article lines, as shown, furniture lines) of a stretch, widened to the prose of its
    containers. `said`: how often the repost says each of its lines (by letters)."""
    held = stretch.held
    containers: set[int] = set()
    # An element whose class names furniture ("elementor-widget") but that holds paragraphs the
    # repost copies wraps the article: its prose is the article's.
    wrappers: set[int] = set()
    taken: Iterable[int] = range(stretch.start, stretch.end)
    take: dict[int, bool] = {}
    gallery = _gallery(blocks, keys, stretch)
    for _ in range(_PASSES):
        # The containers of the lines the repost holds, and their own elements: a credit line
        # the repost copies ("— Name (@name) date") is its quote's, and so is the quote's text.
        # A held line reached by widening the stretch widens them in turn (a few passes: a page
        # built to widen by one block a pass would make this quadratic).
        more = {c for i in taken if held[i] for c in (blocks[i].container, blocks[i].element)}
        soft = {blocks[i].soft for i in taken if held[i] and blocks[i].soft}
        if more <= containers and soft <= wrappers:
            break
        containers |= more
        wrappers |= soft
        take = _widened(blocks, keys, stretch, containers, wrappers, body, gallery)
        taken = take
    order = sorted(take)
    # A line the page says twice in a row (a standfirst that is also the first paragraph, a
    # copy for small screens) is article text as often as the repost says it, once at least.
    run: Counter[str] = Counter()
    last = ""
    for i in order:
        if take[i] and keys[i]:
            if keys[i] != last:
                run.clear()
            last = keys[i]
            run[last] += 1
            take[i] = run[last] <= max(1, said[last])
    article = [i for i in order if take[i] and norm[i]]
    furniture = [norm[i] for i in order if not take[i] and norm[i]]
    return [norm[i] for i in article], [blocks[i].text for i in article], furniture


def _widened(blocks: list[Block], keys: list[str], stretch: _Stretch, containers: set[int], wrappers: set[int],
             body: Set[str], gallery: bool) -> dict[int, bool]:
    """The blocks of a stretch and of its containers around it: block -> required (prose of the
    article) or furniture. Prose the generic extractor holds as body is the article's too,
    whatever its container (an embedded post, a paragraph set apart): two readings agree.
    `gallery`: the stretch is a gallery's (`_gallery`, asked once per stretch)."""
    held = stretch.held
    take: dict[int, bool] = {}
    for i in range(stretch.start, stretch.end):
        take[i] = _required(blocks[i], keys[i], held[i], containers, wrappers, body, inside=True, gallery=gallery)
    for step, edge in ((1, stretch.end), (-1, stretch.start - 1)):
        skipped = 0
        i = edge
        # Past a heading or a rule below the article (comments, "related", a press release's
        # "About" under a rule), the extractor's reading ends, and past a heading right above it
        # ("Share" over the first paragraph: the page's top matter lies above); a heading over a
        # box passed going up (links set between two of the article's paragraphs) heads that
        # box, not what lies above it.
        section = body
        passed = 0  # blocks passed since the last one taken
        # the nearest numbered block taken (a listicle's item)
        nearest = blocks[edge - step].text if 0 <= edge - step < len(blocks) else ""
        while 0 <= i < len(blocks):
            if skipped > _SKIP_AFTER:
                if not _resumes(blocks, keys, held, i, step, containers, wrappers):
                    break
                skipped = 0
            b = blocks[i]
            if (b.heading and (step > 0 or not passed)) or (b.ruled and step > 0):
                section = frozenset()
            if held[i] or b.container in containers or keys[i] in section:
                take[i] = _required(b, keys[i], held[i], containers, wrappers, section, extracted=keys[i] in body)
                passed = 0
                nearest = b.text if _NUMBERED.match(b.text) else nearest
            elif step < 0 and b.heading and _item_before(b.text, nearest) and _said_as_paragraph(b.text, keys[i]) \
                    and _prose(b, keys[i], wrappers):
                # a listicle's first item, in a box unlike the next one's: no dek is numbered
                take[i] = True
                passed = 0
                nearest = b.text
            elif _prose(b, keys[i], wrappers):
                break
            else:
                skipped += 1
                passed += 1
            i += step
    # A row of a table whose rows beside it the repost copies is the table's, as they are; so
    # is a line of a run of like lines set apart by <br> (a list of products and their faults)
    # between two the repost copies: a repost that drops one of them was edited.
    for i in [i for i, required in take.items() if not required]:
        b = blocks[i]
        if b.container not in containers or b.furniture or b.linky or b.heading:
            continue
        if b.row and any(0 <= j < len(blocks) and held[j] and blocks[j].row and blocks[j].container == b.container
                         for j in (i - 1, i + 1)):
            take[i] = True
        elif keys[i]:
            sides = [_nearest_text(keys, i, step) for step in (-1, 1)]
            take[i] = all(j is not None and held[j] and blocks[j].container == b.container
                          and not (blocks[j].furniture or blocks[j].linky or blocks[j].heading) for j in sides) \
                and in_a_run(b.text, keys[i], [(blocks[j].text, keys[j]) for j in sides if j is not None])
    return take


_NUMBERED = re.compile(r"^\W*(\d{1,3})\s*([.)、．])")


def _item_before(text: str, item: str) -> bool:
    """Whether `text` is numbered one before `item`, with the same mark ("1. ..." before "2. ...")."""
    one, two = _NUMBERED.match(text), _NUMBERED.match(item)
    return bool(one and two and one.group(2) == two.group(2) and int(one.group(1)) + 1 == int(two.group(1)))


def _nearest_text(keys: list[str], i: int, step: int) -> int | None:
    j = i + step
    while 0 <= j < len(keys) and not keys[j]:
        j += step
    return j if 0 <= j < len(keys) else None


def in_a_run(text: str, key: str, sides: Sequence[tuple[str, str]]) -> bool:
    """Whether a line (as shown, and its letters) is one of a run of like lines with the lines
    beside it (as shown, and their letters), each about as long as it: none of them prose nor
    furniture by its shape (rows of a table or a list; a label such as "Advertisement" between
    two rows is far shorter, a subheading between paragraphs is beside prose), or all filled in
    from one template (`_one_template`), whatever their shape."""
    def row(line: str) -> bool:
        return not is_prose(line) and not furniture_shaped(line)

    return bool(sides) and all(2 * len(key) >= len(other) and 2 * len(other) >= len(key) for _, other in sides) \
        and ((row(text) and all(row(line) for line, _ in sides)) or all(_one_template(text, line) for line, _ in sides))


_TEMPLATE_WORDS = 6  # words a line shares with the lines beside it to be filled from one template with them
_WORDS = re.compile(r"\w+")


def _one_template(one: str, other: str) -> bool:
    """Whether two lines are filled in from one template ("Ada Brennan: You can continue to follow
    Ada at @AdaBrennan on Twitter. Archived content will be available at @AdaBrennan44." and the
    next name's line): most of their words are the same, several of them. A list the
    article makes of such lines is its own, whatever a line's shape says alone (a credit, a call
    to follow); a site's one-off line is no run, and a menu's ("Share on Facebook") is short."""
    a, b = set(_WORDS.findall(one.lower())), set(_WORDS.findall(other.lower()))
    shared = len(a & b)
    return shared >= _TEMPLATE_WORDS and 5 * shared >= 3 * min(len(a), len(b))


def _resumes(blocks: list[Block], keys: list[str], held: list[bool], i: int, step: int, containers: set[int],
             wrappers: set[int]) -> bool:
    """Whether the article's containers go on within a few blocks from `i` (in the direction
    `step`) with nothing but furniture between: a gallery or a box of links set inside the
    article, with the article's last paragraph after it; or whatever lies between, where a line
    the repost holds stands there in one of them (a video box of headings and menus between the
    article's first paragraphs and the rest: the repost says the article goes on past it)."""
    stop = min(len(blocks), i + _REACH) if step > 0 else max(-1, i - _REACH)
    ended = False  # a heading or prose of another box stood between: only a held line goes on
    for j in range(i, stop, step):
        b = blocks[j]
        if b.container in containers and (held[j] or not ended):
            return True
        ended = ended or b.heading or _prose(b, keys[j], wrappers)
    return False


def _gallery(blocks: list[Block], keys: list[str], stretch: _Stretch) -> bool:
    """Whether most of what the repost holds of a stretch is the text of <figcaption>s: a gallery,
    whose slides' captions are its article (in an article of paragraphs they are a few short lines)."""
    held = [i for i in range(stretch.start, stretch.end) if stretch.held[i]]
    return 2 * sum(len(keys[i]) for i in held if blocks[i].caption) > sum(len(keys[i]) for i in held)


def _required(block: Block, key: str, held: bool, containers: set[int], wrappers: set[int], body: Set[str],
              inside: bool = False, gallery: bool = False, extracted: bool = False) -> bool:
    """Whether a block of the article's stretch is article text a repost must carry: a line the
    repost holds (but a line of links, even held, is the page's furniture, as the extractor's
    extras are), or prose in a container of the article's paragraphs. `inside`: the block stands
    between lines the repost holds (a paragraph set as a heading there is a listicle's item; above
    them it is a dek). `gallery`: the stretch is a gallery's (`_gallery`), whose captions of prose
    are its article."""
    if gallery and block.caption and not block.linky and is_prose(block.text, key):
        return True
    if held:
        # (Inside a caption, a sidebar, a footer, words the repost also says are the page's
        # furniture retelling the article: a repost need not carry them a second time.)
        return not block.linky and not (block.furniture and not block.soft)
    if block.heading and (inside or (extracted and block.container in containers)) \
            and _said_as_paragraph(block.text, key):
        # (each item of a listicle in a box of its own: no paragraph of the article shares its container;
        # above them, a lead set as a heading in the article's own container, which the extractor
        # holds as body too: two readings agree)
        return _prose(block, key, wrappers)
    if block.heading and not (_size(key) >= _SPOKEN_HEADING and _ASKS.search(block.text)):
        return False
    return (block.container in containers or key in body) and _prose(block, key, wrappers)


def _said_as_paragraph(text: str, key: str) -> bool:
    """Whether a heading is a paragraph of prose set in a heading's tag: a listicle's numbered item
    ("4. Lovato's comment upset Serbanescu, and he re-uploaded the drawing ..."), a dek: it ends
    with a full stop, which no headline does, and is as long as a paragraph (whether it reads as
    prose the caller asks, `_prose`)."""
    return _FULL_STOP_END.search(text) is not None and _size(key) >= _SPOKEN_HEADING * 2


_FULL_STOP_END = re.compile(r"(?<![A-Z])[.。](?:[\"'”’)）]*)\s*$")


def _repost_key(repost: Sequence[str]) -> str:
    return _key_of(tuple(repost))


@functools.lru_cache(maxsize=8)
def _key_of(lines: tuple[str, ...]) -> str:
    # Cached: one page's witness asks for the same repost's and body's letters several times.
    return "".join(_letters(line) for line in lines)


def _normalized(page: PageText, part: str, fold_script: bool) -> tuple[list[str], list[str]]:
    """The normalised text and the letters of each block of `part` ("visible", "embedded",
    "described") of a page, read once however many reposts and readings ask."""
    got = page._read.get((part, fold_script))
    if got is None:
        norm = normalize_each([b.text for b in getattr(page, part)], fold_script)
        got = page._read[(part, fold_script)] = (norm, [_letters(n) for n in norm])
    return got


def coverage(repost: Sequence[str], lines: Sequence[str]) -> float:
    """The share of the repost's text (normalised lines) that `lines` hold."""
    grams = _grams(_repost_key(repost))
    return len(_held_grams(_repost_key(lines), grams)) / len(grams) if grams else 0.0


@dataclass(frozen=True)
class _Said:
    """A page's visible text as `shows` reads it: the letters of each block (a line may be most
    of one), of each run of a few consecutive blocks (a line may be all of one), and the blocks
    with links by their first letters."""

    runs: frozenset[str]
    linked: dict[str, list[tuple[str, tuple[str, ...]]]]  # first _K letters -> (letters, its links' letters)
    keys: tuple[str, ...]  # the letters of each block, in the page's order
    where: dict[str, list[int]]  # the letters of each block -> where it stands (block indices, ascending)


_LINKED_SHARE = 0.8  # of a stretch put into a paragraph that must be its links' text for a card
_RUN = 4  # consecutive blocks a line may span: a dateline set as a list of date, source, author


def _said(page: PageText, fold_script: bool) -> _Said:
    said = page._said.get(fold_script)
    if said is None:
        keys = _normalized(page, "visible", fold_script)[1]
        runs = {"".join(keys[i:i + n]) for n in range(2, _RUN + 1) for i in range(len(keys) - n + 1)}
        linked: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for block, key in zip(page.visible, keys):
            if block.link_chars and len(key) > _K:
                links = tuple(k for k in map(_letters, normalize_each(block.links, fold_script)) if k)
                linked.setdefault(key[:_K], []).append((key, links))
        where: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            where.setdefault(key, []).append(i)
        said = page._said[fold_script] = _Said(frozenset(runs), linked, tuple(keys), where)
    return said


def shows(page: PageText, line: str, fold_script: bool) -> bool:
    """Whether the page's visible text shows `line` (a normalised line) as most of a block of
    its own (or as all of a few consecutive blocks: a dateline set as a list), letter for letter: a
    pull quote with its "Click to tweet", a product's name; a sentence inside another
    paragraph (a summary that repeats it) is not that paragraph. A paragraph that holds an
    inline widget of links (a name's pop-up card of headlines) shows the line around it. A line
    may join a few blocks that stand near each other (a headline and the byline under its date)."""
    said = _said(page, fold_script)
    key = _letters(line)
    if not key:
        return False
    if key in said.where or key in said.runs or any(key in k and _size(key) >= _MOST * _size(k) for k in said.where):
        return True
    if any(_inserted(key, text, links) is not None for text, links in said.linked.get(key[:_K], ())):
        return True
    return len(key) <= _JOINED_MAX and _joined(key, said, _JOINED)


_JOINED = 3  # blocks a line may join
_JOIN_GAP = 3  # blocks the next of them may stand after the one before (a date between, a rule)
_JOINED_MAX = 400  # letters of a line read as blocks joined (the split points cost the square)
_JOIN_TRIES = 4  # places of a block tried as the first (a block the page repeats more is chrome)


def _joined(key: str, said: _Said, pieces: int, after: int | None = None) -> bool:
    """Whether `key` is 2 to `pieces` whole blocks of the page joined in the page's order, each
    within _JOIN_GAP blocks after the one before (the first after block `after`, when given)."""
    for i in range(2, len(key) - 1):
        head = key[:i]
        places = said.where.get(head)
        if places is None:
            continue
        if after is not None:
            lo = bisect.bisect_right(places, after)
            places = places[lo:bisect.bisect_right(places, after + _JOIN_GAP, lo)]
        rest = key[i:]
        following = said.where.get(rest, ())
        for at in places[:_JOIN_TRIES]:
            k = bisect.bisect_right(following, at)
            if k < len(following) and following[k] - at <= _JOIN_GAP:
                return True
            if pieces > 2 and _joined(rest, said, pieces - 1, at):
                return True
    return False


def _inserted(key: str, text: str, links: tuple[str, ...]) -> str | None:
    """The stretch `text` holds beyond `key` when `text` is `key` with one stretch inserted that
    is the text of its links, most of it (a name's pop-up card of headlines inside a paragraph;
    a sentence the site put in is no card however many links the paragraph has), else None.
    `links`: the letters of each of the block's links."""
    extra = len(text) - len(key)
    if extra <= 0 or extra > sum(map(len, links)):
        return None
    head = 0
    while head < len(key) and key[head] == text[head]:
        head += 1
    if head >= _K and len(key) - head >= _K and text.endswith(key[head:]):
        card = text[head:head + extra]
        return card if _LINKED_SHARE * len(card) <= sum(len(k) for k in links if k in card) else None
    return None


_STANDFIRST_MIN = 40  # letters of a description shown as a standfirst (a word or two is a label)
_WITHHELD_NEAR = 4  # blocks after the article's last shown line where a teaser says the rest is withheld
_WITHHELD_TAIL = 60  # characters at the end of a block where it may say so ("... 阅读全文>>")


def withheld_after(page: PageText, repost: Sequence[str], fold_script: bool) -> bool:
    """Whether the page stops showing the repost's text (normalised lines) and, within a few
    blocks after the last one it shows, says that the rest is withheld (a sign-in or
    subscription wall, a "read the full text" link): the page serves an excerpt (SPEC 7)."""
    said = _said(page, fold_script)
    keys = [_letters(line) for line in repost]
    whole = "".join(keys)
    grams = _grams(whole)  # a block's first gram before its whole text: a long page costs a lookup a block
    lines = set(keys)
    last = next((i for i, key in zip(range(len(said.keys) - 1, -1, -1), reversed(said.keys))
                 if key in lines or (len(key) >= 2 * _K and key[:_K] in grams and key in whole)), None)
    if last is None or not keys or said.keys[last] == keys[-1]:
        return False
    return any(withholds_rest(block.text[-_WITHHELD_TAIL:])
               for block in page.visible[last + 1:last + 1 + _WITHHELD_NEAR])


def in_link_cards(page: PageText, repost: Sequence[str], text: str, fold_script: bool, crumbs: int = 0) -> bool:
    """Whether `text` (page text a repost lacks) lies wholly in inline cards of links that the
    page shows inside paragraphs the repost has (normalised lines): the card is the page's
    furniture, not the paragraph's words. Fewer than `crumbs` letters beside the card are the
    diff's crumbs at the hunk's edges."""
    key = _letters(normalize_each([text], fold_script)[0])
    if not key:
        return False
    said = _said(page, fold_script)
    owns = [_letters(line) for line in repost]
    for i, own in enumerate(owns):
        for shown, links in said.linked.get(own[:_K], ()):
            # (the repost may break the paragraph over a few lines: a converter's fixed width)
            joined = ""
            for j in range(i, min(len(owns), i + _WRAPPED_PARAGRAPH)):
                joined += owns[j]
                card = _inserted(joined, shown, links)
                if card is not None and (key in card or (card in key and len(key) - len(card) < crumbs)):
                    return True
                if len(joined) >= len(shown):
                    break
    return False


def standfirst(page: PageText, repost: Sequence[str], text: str, fold_script: bool) -> bool:
    """Whether `text` (page text a repost lacks) is the page's description shown as a standfirst:
    one block whose words are those the page gives search engines (`og:description`,
    `description`), standing above the article's first line the repost has, in an element of
    its own, apart from every paragraph the repost copies (a dek under the headline). A lead
    paragraph the description repeats inside the article's element is the article's."""
    key = _letters(normalize_each([text], fold_script)[0])
    if len(key) < _STANDFIRST_MIN or key not in _normalized(page, "meta", fold_script)[1]:
        return False
    said = _said(page, fold_script)
    places = said.where.get(key, ())
    held = {_letters(line) for line in repost}
    copied = [i for i, k in enumerate(said.keys) if k in held]
    if len(places) != 1 or not copied or places[0] > copied[0]:
        return False
    dek = page.visible[places[0]]
    return all(page.visible[i].container not in (dek.container, dek.element) for i in copied)


def without_hidden(page: PageText, text: str, fold_script: bool) -> str:
    """The letters of `text` (normalised) without the page's furniture that it keeps from the
    eye (`PageText.hidden`): what is left of a repost's words that the site did not put in its
    markup itself (an anti-copy watermark inside a paragraph, a credit its stylesheet hides,
    which a repost taken from the markup, not the screen, carries). Hidden prose is no such
    thing: a sentence planted out of sight is not what the page says."""
    key = _letters(text)
    for hidden in _hidden_keys(page, fold_script):
        key = key.replace(hidden, "")
    return key


def _hidden_keys(page: PageText, fold_script: bool) -> list[str]:
    keys = page._hidden_keys.get(fold_script)
    if keys is None:
        found = {_letters(line) for line in normalize_each(page.hidden, fold_script) if not is_prose(line)}
        # (longest first: a watermark that holds a shorter one is taken out whole)
        keys = page._hidden_keys[fold_script] = sorted((k for k in found if _size(k) >= _HIDDEN_MIN),
                                                       key=len, reverse=True)
    return keys


_HIDDEN_MOST = 500  # hidden texts a page is read for (a watermark repeats a few strings)
# characters of a hidden element's text read as such: a watermark, a credit, a notice (a longer
# one may be a whole article kept for a reader that does not read styles)
_HIDDEN_LONGEST = 300
_HIDDEN_MIN = 4  # letters (a Han character counts two) of a hidden text taken out of a repost's words


def struck_out(page: PageText, text: str, fold_script: bool, crumbs: int) -> bool:
    """Whether `text` (page text a repost lacks) is words the page strikes through: a
    correction shows the old words struck beside the new ones, and a repost of the corrected
    article may leave them out as it may keep them. Fewer than `crumbs` letters besides them
    are the diff's crumbs at the hunk's edges."""
    key = _letters(normalize_each([text], fold_script)[0])
    if not key or not page.struck:
        return False
    left = key
    for struck in normalize_each(page.struck, fold_script):
        words = _letters(struck)
        if key in words:
            return True
        if words:
            left = left.replace(words, "")
    return left != key and len(left) < crumbs


def shows_another_text(extracted: Sequence[str], repost: Sequence[str], carried: Sequence[str]) -> bool:
    """Whether the extractor's body (normalised lines) is prose of the page's own, beyond what the
    repost and the text the page carries but does not show (`carried`, normalised: its
    description, or an article in its script data) say, and at least as long as that: then what
    the page carries is no excerpt or copy of what it shows (an article rewritten under its old
    description, comments where the article was, another article shown over planted data) and
    says nothing of it. Against an article, the page must show one: a few paragraphs of prose,
    not a line or two of a shell's blurb."""
    carried_key = "".join(map(_letters, carried))
    said = _repost_key(repost) + carried_key
    keyed = [(line, key) for line, key in zip(extracted, map(_letters, extracted)) if key]
    other = [(line, key) for line, key in keyed if key not in said]
    size = sum(len(key) for _, key in other)
    carried_size = len(carried_key)
    if len(carried) > 1:
        # (a body that shows part of the carried article, a teaser with comments under it, is
        # that article's: only a body without a line of it is another)
        return len(other) == len(keyed) and size >= max(_ANOTHER_MIN, _ANOTHER_SHARE * carried_size) \
            and sum(is_prose(line, key) for line, key in other) >= _ANOTHER_PARAGRAPHS
    return len(other) >= 2 and size >= carried_size and any(is_prose(line, key) for line, key in other)


_ANOTHER_PARAGRAPHS = 3  # paragraphs of prose a page shows to show an article of its own
_ANOTHER_MIN = 200  # letters of them, at the least
# ...and half as long as the article carried: the summaries of a few related stories a shell
# shows beside an article its script writes are no article of the page's own
_ANOTHER_SHARE = 0.5


def describes(page: PageText, text: str, *, fold_script: bool) -> bool:
    """Whether the page's JSON-LD holds `text` (each of its lines, as published)."""
    if not page.described:
        return False
    said = "".join(map(_letters, normalize_each([b.text for b in page.described], fold_script)))
    return all(key in said for key in map(_letters, normalize_each(text.split("\n"), fold_script)))


def is_description(page: PageText, line: str, fold_script: bool) -> bool:
    """Whether a normalised line is, letter for letter, one of the descriptions the page gives
    (`og:description`, `twitter:description`, `description`): the site's own words."""
    key = _letters(line)
    return bool(key) and key in _normalized(page, "meta", fold_script)[1]


def in_furniture(page: PageText, line: str, fold_script: bool) -> bool:
    """Whether a normalised line, no prose, is the first or the last part of a line of the page's
    furniture (inside it, or shaped like it), letter for letter: a credit set beside another in
    one line ("本文来源：X  责任编辑：Y"), which a repost copies alone."""
    key = _letters(line)
    if _size(key) < _PART_MIN or is_prose(line, key):
        return False
    heads, tails = _furniture_lines(page, fold_script)
    return any(len(k) > len(key) and k.startswith(key) for k in heads.get(key[:_INDEXED], ())) \
        or any(len(k) > len(key) and k.endswith(key) for k in tails.get(key[-_INDEXED:], ()))


def _furniture_lines(page: PageText, fold_script: bool) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The letters of the page's shown lines of furniture (inside it, or shaped like it) short
    enough to be credits, by their first and by their last few letters: read once per page,
    however many lines a repost adds."""
    read = page._furniture.get(fold_script)
    if read is None:
        heads: dict[str, list[str]] = {}
        tails: dict[str, list[str]] = {}
        for block, k in zip(page.visible, _said(page, fold_script).keys):
            if _INDEXED < len(k) <= _CREDITS_MAX and (block.furniture or furniture_shaped(block.text)):
                heads.setdefault(k[:_INDEXED], []).append(k)
                tails.setdefault(k[-_INDEXED:], []).append(k)
        read = page._furniture[fold_script] = (heads, tails)
    return read


_PART_MIN = 8  # letters (a Han character counts two) of a part of a line of furniture (a word or two is anyone's)
_CREDITS_MAX = 300  # letters of a line of credits (a longer line is a paragraph's)
_INDEXED = _PART_MIN // 2  # first and last letters a part is looked up by (a Han character is one letter of size two)


def holds(page: PageText, repost: Sequence[str]) -> bool:
    """Whether the page shows or carries most of the repost's text (or its excerpt)."""
    return find(page, repost, (), fold_script=True) is not None


def _contradicts(shown: Sequence[str], page: PageText, repost_key: str, fold_script: bool) -> bool:
    """Whether the article read from what a page shows (normalised lines) has a line of prose,
    among the lines the repost copies (before the last of them), that none of the page's script
    data says: an edit the data does not know. A teaser's standfirst the data keeps
    in a field of its own is said; a promotion after the last paragraph a teaser shows is no
    line of the article the data could contradict."""
    keys = [_letters(line) for line in shown]
    last = max((i for i, key in enumerate(keys) if key and key in repost_key), default=-1)
    said = "\n".join(_normalized(page, "embedded", fold_script)[1])
    return any(key not in said and is_prose(line, key) for line, key in zip(shown[:last], keys[:last]))


def find(page: PageText, repost: Sequence[str], extracted: Sequence[str], *, fold_script: bool) -> Found | None:
    """The article of `page` that the repost (normalised lines) copies, or None when the page
    holds too little of the repost's text. `extracted`: the generic extractor's normalised body."""
    repost_key = _repost_key(repost)
    if not repost_key:
        return None
    repost_grams = _grams(repost_key)
    said = Counter(_letters(line) for line in repost)
    repost_lines = set(said).union(_wrapped(repost))
    best: tuple[float, str, tuple[list[str], list[str], list[str]]] | None = None
    title = _letters(normalize_each([page.title], fold_script)[0])
    # The extractor's body is a second reading of the article only where it holds the repost's
    # text (where it picked comments or a teaser instead, it says nothing of the article).
    body = {_letters(line) for line in extracted} if extracted and coverage(repost, extracted) >= _AGREES else set()

    aside = False  # the repost's text the page shows is all in its furniture (comments, a sidebar)

    def read(found_by: str, part: str) -> None:
        nonlocal best, aside
        blocks: list[Block] = getattr(page, part)
        if not blocks:
            return
        norm, keys = _normalized(page, part, fold_script)
        stretch = _best_stretch(blocks, keys, repost_lines, repost_grams, title)
        if stretch is not None:
            share = min(1.0, stretch.matched / len(repost_key))
            if best is None or share > best[0] + 0.05:
                best = (share, found_by, _article(blocks, norm, keys, stretch, body, said))
                aside = all(blocks[i].furniture and not blocks[i].caption
                            for i in range(stretch.start, stretch.end) if stretch.held[i])

    read("page_text", "visible")
    shown_reading = best
    seen = shown_reading is not None and shown_reading[0] >= _FOUND and not aside
    read("embedded", "embedded")
    if best is not None and best is not shown_reading and shown_reading is not None and shown_reading[0] >= _FOUND \
            and _contradicts(shown_reading[2][0], page, repost_key, fold_script):
        # What the page shows wins over what it carries for its scripts where they differ: data
        # that lacks a line the page shows of the article is another text (stale, or planted),
        # and it must not make the repost 'faithful' to words no reader sees. Data that only
        # goes on past what the page shows (a script writes the rest) is the article.
        best = shown_reading
    if page.paywalled or best is None or best[0] < _FOUND:
        # JSON-LD is the article only where the page shows none of it, or says it shows a part:
        # where it shows the article, what it shows is the article, whatever its description
        # for search engines still says.
        read("embedded", "described")
    if best is not None and best[2][0]:
        # (Counted by distinct 8-grams too: a repost that repeats a paragraph the page shows once.)
        best = (max(best[0], coverage(repost, best[2][0])), *best[1:])
    if best is not None and best[0] >= _FOUND and best[2][0]:
        found_cov, found_by, (lines, shown, furniture) = best
        if found_by == "page_text" and extracted:
            got = _held_grams(_repost_key(extracted), repost_grams)
            if len(got) >= 0.95 * found_cov * len(repost_grams):
                found_by = "extractor"
        return Found(found_by, tuple(lines), tuple(shown), tuple(furniture), False, found_cov, seen)
    # Only a description: the page serves an excerpt. It counts when the repost holds it.
    # (An excerpt's closing ellipsis only says that the article goes on.)
    for block in page.meta:
        excerpt = without_closing_ellipsis(block.text)
        (line,) = normalize_each([excerpt], fold_script)
        key = _letters(line)
        # (A description with more than twice the repost's grams cannot be half the repost's.)
        grams = _grams_within(key, 2 * len(repost_grams))
        if grams is not None and len(key) >= _K * 2 and len(grams & repost_grams) >= _HELD * len(grams):
            return Found("meta", (line,), (excerpt,), (), True, len(grams & repost_grams) / max(1, len(repost_grams)),
                         seen)
    return None
