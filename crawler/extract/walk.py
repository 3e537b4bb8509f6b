"""One walk over the DOM cuts the page into blocks, with what each block is made of."""

from __future__ import annotations

import bisect
import math
import re
from typing import Any

from crawler.normalize import BLOCK_ELEMENTS, FULL_STOPS

_SKIP_TAGS = frozenset(
    "script style noscript template svg math iframe object embed canvas button input "
    "select option textarea label head title meta link base video audio source track "
    "picture img map area figcaption dialog frame frameset noframes".split()
)
_BLOCK_TAGS = BLOCK_ELEMENTS
_STRUCT_BOILER = frozenset(("header", "menu", "form"))
# Elements whose content is phrasing only: a custom element (`<x-cite>`) inside one is a run
# of the line, as a browser draws an unknown element (inline); elsewhere it is a block.
_PHRASING = frozenset(("p", "h1", "h2", "h3", "h4", "h5", "h6"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

# class/id words of boilerplate boxes: distinctive words anywhere, short words only as a
# whole class token or a -/_ separated end of one ("article-tags", "ad-slot")
_NEG_RE = re.compile(
    r"comment|related|relevant|share|sharing|social|sidebar|side-bar|side_bar|footer|"
    r"breadcrumb|crumb|advert|sponsor|promo|newsletter|subscri|recommend|popular|"
    r"trending|toolbar|pagination|pager|copyright|disqus|outbrain|taboola|widget|"
    r"banner|masthead|cookie|modal|popup|signup|sign-up|byline|dateline|caption|credit|"
    r"navigation|navbar|menu|jiathis|bdshare|bshare|xiangguan|tuijian|fenxiang|"
    r"pinglun|remen|paihang|login|register|disclaimer|pull-?quote|pull_quote|"
    # a box about the writer under the article ("author-bio", "about-the-author"; not "author")
    r"author[-_]?(?:bio|box|info|card|dropdown|flyout|profile|about|desc|details|excerpt)|about[-_]?(?:the[-_]?)?author|"
    r"(?:^|\s|[-_])(?:ad|ads|adv|advs|adslot|nav|hot|tags|tool|tools|print|email|rank|"
    r"keywords|meta|header|logo|search|skip)(?:$|\s)|"
    r"(?:^|\s)(?:ad|ads|adv|nav|tags)[-_]"
)
_LAYOUT_RE = re.compile(r"(?:with|has|no|without)[-_]")
_POS_RE = re.compile(
    r"article|content|entry|post|story|body|text|main|detail|zhengwen|neirong|cont\b"
)
# Styles that keep an element's text from the eye: not drawn, drawn invisible (fully
# transparent, clipped to nothing: the screen-reader-only technique), or moved far off the
# screen (text for screen readers only, a logo's words under its image).
_HIDDEN_STYLE_RE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*(?:hidden|collapse)|(?:left|top|text-indent)\s*:\s*-\d{4,}(?:\.\d+)?px"
    r"|(?<![\w-])opacity\s*:\s*(?:0+(?:\.0*)?|\.0+)\s*(?:;|!|$)"
    r"|(?<![\w-])clip\s*:\s*rect\(\s*(?:0|1px)[\s,]+(?:0|1px)[\s,]+(?:0|1px)[\s,]+(?:0|1px)\s*\)"
    r"|clip-path\s*:\s*inset\(\s*50%")
# Drawn at size 0: anti-copy jammer text inside a paragraph (`<font style="font-size:0px">`).
# Only an inline element's: a block of size 0 is a layout's trick against the gaps between its
# inline blocks, which set their own size again.
_TINY_STYLE_RE = re.compile(r"font-size\s*:\s*(?:0+(?:\.0*)?|\.0+)(?:px|pt|em|rem|%)?\s*(?:;|!|$)")

# Spacer paragraphs (`<p>&#8203;</p>`) hold only these: nothing a reader sees.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# (with the Arabic and Myanmar commas and other scripts' full stops: their prose is punctuated too)
_PUNCT = ",.;:!?，。！？、；：「」“”『』《》\u060c\u104a" + FULL_STOPS


class _Page:
    """Blocks and block-level elements of one page, from one DOM walk."""

    __slots__ = (
        "texts", "nchars", "links", "owner", "kinds",
        "eparent", "etag", "eflag", "epos", "ehint", "nelem", "linky", "nlinks", "raw", "override", "alts", "listed",
        "prose_link",
    )

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.nchars: list[int] = []
        self.links: list[int] = []
        self.owner: list[int] = []
        self.kinds: list[str] = []
        self.eparent: list[int] = [-1]
        self.etag: list[str] = ["#root"]
        self.eflag: list[bool] = [False]
        self.epos: list[int] = [0]
        self.ehint: list[bool] = [False]
        self.nelem = 1
        self.linky: list[bool] = []
        self.nlinks: list[int] = []
        self.raw: dict[int, str] = {}  # block -> its source text, when that spans lines
        self.override: dict[int, str] = {}  # block -> its text without lines split off
        self.alts: list[str] = []  # `alt_key` of each image's alternative text, sorted when the walk ends
        self.listed: list[bool] = []  # element -> inside a run of other stories' cards (`score._mark_teasers`)
        self.prose_link: list[bool] = []  # block -> link text read as prose (`score._weights`)


_INLINE_TAGS = frozenset(
    "font b strong i em u small big sup sub abbr time cite q mark s strike ins del nobr "
    "tt code var kbd bdi bdo wbr dfn samp acronym".split()
)
# ARIA roles of the page's furniture (a dialog: an edition switcher, a sign-up box over the page)
BOILER_ROLES = frozenset(("navigation", "complementary", "contentinfo", "banner", "menu", "menubar", "dialog",
                          "alertdialog"))
_SKIP_SUBTREE = frozenset(("nav", "footer", "aside"))

# The class/id cache is emptied past this many pairs: bounds its memory over a long crawl
# of sites with generated class names.
CLASS_CACHE_MAX = 100_000
# A flagged box holding this share of the page's text is entered (it may wrap the article);
# a smaller one is not read, and counts as a ghost block.
FLAGGED_BOX_ENTER_SHARE = 0.25

_class_cache: dict[tuple[str | None, str | None], tuple[bool, int]] = {}


def _class_signal(c: str | None, i: str | None) -> tuple[bool, int]:
    """(boilerplate flag, positive level) of an element's class and id.

    Each class token (and the id) is judged alone: a token that names content and no
    boilerplate ("article-body") vetoes the flag that another token raises
    ("pagination-first"); a token naming both ("comment-content") stays boilerplate.
    """
    key = (c, i)
    hit = _class_cache.get(key)
    if hit is None:
        flag = False
        pure_pos = False
        pos = 0
        for tok in f"{c or ''} {i or ''}".lower().split():
            # ("with-sidebar-right", "has-comments", "no-sidebar": a layout's wrapper says what
            # it holds beside its content, or lacks; it is no such box itself)
            neg = _NEG_RE.search(tok) is not None and _LAYOUT_RE.match(tok) is None
            p = _POS_RE.search(tok) is not None
            if neg:
                flag = True
            elif p:
                pure_pos = True
            if p:
                pos = 1
        hit = (flag and not pure_pos, pos)
        if len(_class_cache) > CLASS_CACHE_MAX:
            _class_cache.clear()
        _class_cache[key] = hit
    return hit


_NOT_LETTERS = re.compile(r"[\W_]+")
_HAN = re.compile(r"[\u3400-\u9fff]")
ALT_MIN = 40  # letters (a Han character counts two): a shorter alternative text is a name or a headline
ALT_SHARED = 0.9  # share of a line's letters, from its start, an image's alternative text must say
ALT_SHORTEST = 18  # characters: a shorter alt says less than `ALT_SHARED` of any line `ALT_MIN` long


def alt_key(text: str) -> str:
    """The letters of a text, lower case: what `describes_image` compares."""
    return _NOT_LETTERS.sub("", text).lower()


def describes_image(text: str, alts: list[str]) -> bool:
    """Whether a line says what an image's alternative text says (all but a few letters at its
    end: a caption may end with a "more" link, the alt with the photo's credit): the image's
    caption, shown apart from it in a gallery or a slide, whatever the site calls its
    elements. `alts`: the `alt_key` of each alt, sorted; an alt that begins as the line does
    sorts beside it, so a line costs one lookup."""
    if not alts:
        return False
    head = alt_key(text[:40])[:8]  # (most lines begin as no alt does: their start tells at little cost)
    i = bisect.bisect_left(alts, head)
    if i == len(alts) or not alts[i].startswith(head):
        return False
    key = alt_key(text)
    if len(key) < ALT_MIN and len(key) + len(_HAN.findall(key)) < ALT_MIN:
        return False
    start = key[:math.ceil(len(key) * ALT_SHARED)]
    i = bisect.bisect_left(alts, start)
    return i < len(alts) and alts[i].startswith(start)


def _hidden(attrs: dict, inline: bool = False) -> bool:
    """Whether an element's attributes hide it from the reader (or mark it as noise for one)."""
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    st = attrs.get("style")
    if st is not None and hidden_by_style(st, inline):
        return True
    c = attrs.get("class")
    return c is not None and hidden_by_class(c)


# The classes the common frameworks give text kept from the eye for screen readers
# (Bootstrap, WordPress, Drupal, HTML5 Boilerplate): "(opens in a new tab)", "Skip to content".
_SCREEN_READER_ONLY = frozenset(
    ("sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "element-invisible", "screen-reader-only"))


def hidden_by_class(classes: str) -> bool:
    """Whether an element's `class` is one the common frameworks hide for screen readers only."""
    # (substring tests first: the walk asks this of every element with a class; class names
    # match case for case, as a stylesheet's selectors do)
    return ("-only" in classes or "idden" in classes or "-text" in classes or "nvisible" in classes) and \
        not _SCREEN_READER_ONLY.isdisjoint(classes.split())


def hidden_by_style(style: str, inline: bool) -> bool:
    """Whether an element's `style` keeps its text from the eye (`inline`: the element is
    inline, where a size of 0 hides jammer text rather than closing a layout's gaps)."""
    style = style.lower()
    return bool(_HIDDEN_STYLE_RE.search(style) or (inline and _TINY_STYLE_RE.search(style)))


def _walk(start, body_ids: frozenset[int] = frozenset(), drop_ids: frozenset[int] = frozenset()) -> _Page:
    """One pass over the DOM under ``start``: blocks and block-level elements.

    Flagged boilerplate (class/id/role) whose text is a small part of the page is not
    entered: it becomes one empty *ghost* block of negative weight for its container.
    """
    page = _Page()
    texts, nchars, links, owner, kinds = page.texts, page.nchars, page.links, page.owner, page.kinds
    nlinks = page.nlinks
    raws = page.raw
    eparent, etag, eflag, epos, ehint = page.eparent, page.etag, page.eflag, page.epos, page.ehint
    skip_tags, block_tags, inline_tags = _SKIP_TAGS, _BLOCK_TAGS, _INLINE_TAGS
    skip_subtree = _SKIP_SUBTREE
    cache = _class_cache
    check_ids = bool(body_ids or drop_ids)
    total_text = 0  # raw text length of the page, computed on first need

    buf: list[str] = []
    buf_link = 0
    buf_nlink = 0
    # whitespace met while buf is empty waits here: most of it (between block
    # elements) never joins a text, and a flush of nothing but resets the counters
    pend = ""
    cur = 0           # owning block-level element
    cur_kind = "div"
    link_depth = 0
    # (parent iterator, mode, previous owner, previous kind); mode 1 block, 2 link, 0 inline
    stack: list[tuple[Any, int, int, str]] = []

    def flush() -> None:
        nonlocal buf, buf_link, buf_nlink, pend
        # (a link still open that has said nothing yet, around blocks, counts in the first block
        # inside it: a card's link around its headline and summary)
        if buf:
            raw = "".join(buf)
            text = " ".join(raw.split())
            if text and text.strip(_ZERO_WIDTH):
                texts.append(text)
                n = len(text) - text.count(" ")
                nchars.append(n)
                links.append(min(buf_link, n))
                nlinks.append(buf_nlink)
                owner.append(cur)
                kinds.append(cur_kind)
                if "\n" in raw:
                    raws[len(texts) - 1] = raw
                buf_nlink = 0
            elif not link_depth:
                buf_nlink = 0
            buf = []
        elif not link_depth:
            buf_nlink = 0
        buf_link = 0
        pend = ""

    def ghost(n: int) -> None:
        # a skipped boilerplate box still counts against its container (n: its text size)
        if n:
            flush()
            texts.append("")
            nchars.append(n)
            links.append(n)
            nlinks.append(1)
            owner.append(cur)
            kinds.append("#ghost")

    it = start.iter(include_text=True)
    while True:
        for node in it:
            t = node.text_content
            if t is not None:
                if not buf:
                    if t.isspace():
                        pend += t
                        continue
                    if pend:
                        buf.append(pend)
                        pend = ""
                buf.append(t)
                if link_depth:
                    buf_link += len(t.strip())
                continue
            tag = node.tag
            if tag in inline_tags:
                attrs = node.attributes
                if attrs and _hidden(attrs, inline=True):
                    continue  # anti-copy jammer text: <font style="display:none">, <i hidden>
                stack.append((it, 0, 0, ""))
                it = node.iter(include_text=True)
                break
            if tag == "a":
                link_depth += 1
                buf_nlink += 1
                stack.append((it, 2, 0, ""))
                it = node.iter(include_text=True)
                break
            if tag[0] == "-" or tag in skip_tags:
                if tag == "img" and len(alt := node.attributes.get("alt") or "") >= ALT_SHORTEST:
                    page.alts.append(alt_key(alt))
                continue
            if tag == "br":
                if buf:
                    flush()
                else:  # (as flush does, without a call for the whitespace between tags)
                    pend = ""
                    if not link_depth:
                        buf_nlink = 0
                continue
            if tag in skip_subtree:
                ghost(len(node.text(deep=True, strip=True)))
                continue
            attrs = node.attributes
            flag = False
            pos = 0
            if attrs:
                if _hidden(attrs, inline=tag not in block_tags):
                    continue
                c = attrs.get("class")
                i = attrs.get("id")
                if c or i:
                    sig = cache.get((c, i))
                    if sig is None:
                        sig = _class_signal(c, i)
                    flag, pos = sig
                ip = attrs.get("itemprop")
                if ip and "articlebody" in ip.lower():
                    pos = 3
                    flag = False
                role = attrs.get("role")
                if role and role in BOILER_ROLES:
                    flag = True
            if tag in _STRUCT_BOILER:
                flag = True
            hinted = False
            if check_ids:
                mid = node.mem_id
                if mid in drop_ids:
                    continue
                hinted = mid in body_ids
                if hinted:
                    flag = False
            if flag and tag != "header":
                # enter a flagged box only when it holds much of the page (a wrapper)
                if not total_text:
                    total_text = len(start.text(deep=True, strip=True)) or 1
                n_box = len(node.text(deep=True, strip=True))
                if n_box < FLAGGED_BOX_ENTER_SHARE * total_text:
                    ghost(n_box)
                    continue
            if tag in block_tags or ("-" in tag and cur_kind not in _PHRASING) or flag or hinted:
                if buf:
                    flush()
                else:  # (as flush does, without a call for the whitespace between tags)
                    pend = ""
                    if not link_depth:
                        buf_nlink = 0
                idx = len(eparent)
                eparent.append(cur)
                etag.append(tag)
                eflag.append(flag)
                epos.append(pos)
                ehint.append(hinted)
                stack.append((it, 1, cur, cur_kind))
                cur = idx
                if tag in block_tags:
                    cur_kind = tag
            else:
                stack.append((it, 0, 0, ""))
            it = node.iter(include_text=True)
            break
        else:
            if not stack:
                flush()
                page.nelem = len(eparent)
                page.alts.sort()
                return page
            it, mode, prev, pkind = stack.pop()
            if mode == 1:
                if buf:
                    flush()
                else:  # (as flush does, without a call for the whitespace between tags)
                    pend = ""
                    if not link_depth:
                        buf_nlink = 0
                cur, cur_kind = prev, pkind
            elif mode == 2:
                link_depth -= 1

