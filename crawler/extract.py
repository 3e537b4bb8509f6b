"""Generic article body extraction (title + body paragraphs) from HTML pages.

``extract()`` works on pages it has never seen, Chinese (simplified and traditional) and
English alike, with no per-site rules.  Outline:

1. ``decode_html``: HTTP charset, BOM, ``<meta>`` declaration, else detection; a
   declaration that the bytes contradict falls back to detection.
2. One walk over the DOM (selectolax/Lexbor) cuts the page into *blocks*: runs of text
   between block-level boundaries (``<p>``, ``<div>``, ``<li>``, ``<td>``, ``<br>``...),
   each with its length, the part of it inside links, its punctuation and the block-level
   element that owns it.  Scripts, styles, forms controls, hidden elements, figure
   captions are skipped; ``<nav>``/``<footer>``/``<aside>`` and elements whose class/id
   says share bar, related box, comments, ads... are *flagged*.
3. Each block gets a weight: positive for sentence-like text (long, punctuated -- the CJK
   marks ，。！？、；：「」“” count --, few links), negative for link lists and short
   labels.  Every element scores the sum of the weights in its subtree; the best
   element is the article container (the maximum-scoring subtree), narrowed to a child
   that holds nearly all of its content.  JSON-LD ``articleBody`` (when consistent
   with the page) and ``itemprop=articleBody`` steer that choice.
4. Inside the container, link-dense blocks, flagged subtrees, link-dense sub-boxes,
   duplicates of the title or of other blocks, and short labels at the edges are left
   out.  A page whose best container holds no real prose (error page, home page, list
   of links) gives no paragraphs.
"""

from __future__ import annotations

import codecs
import html as _html
import json
import re
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

__all__ = ["Article", "decode_html", "extract"]


@dataclass(frozen=True)
class Article:
    """Title and body of a page.

    ``paragraphs`` is precision-oriented: only what is surely body.  ``extras`` holds the
    text lines inside the article container that were left out as uncertain: lines
    trimmed at the edges of the body (bylines, credits, datelines, picture sources,
    copyright), link-mostly paragraphs among the body paragraphs (reference links).  Page
    chrome outside the container (menus, sidebars, related lists, share bars, comments,
    footers) is in neither.
    """

    title: str
    paragraphs: tuple[str, ...]
    charset: str
    extras: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


# --------------------------------------------------------------------------- decoding

_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "gb18030": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "cp950": "big5hkscs",
    "ms950": "big5hkscs",
    "windows-950": "big5hkscs",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    # WHATWG: these labels mean windows-1252
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "shift_jis",
    "windows-31j": "cp932",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "unicode": "utf-16",
}

_CT_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I
)


def _norm_charset(label: str | None) -> str | None:
    """Python codec name for a declared charset label, or None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if not label:
        return None
    name = _ALIASES.get(label)
    if name is None:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            return None
        name = _ALIASES.get(name, name)
    if name in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"):
        # a <meta> cannot truthfully declare UTF-16 in bytes we could read as ASCII
        return "utf-8"
    return name


def _strict_or_few_errors(data: bytes, enc: str) -> str | None:
    """Decode with ``enc``; None when the bytes contradict it (more than stray errors)."""
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = data.decode(enc, errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    # a truncated character here and there is the page's fault, not a wrong label
    non_ascii = len(data) - len(data.translate(None, bytes(range(0x80, 0x100)))) or 1
    if bad <= 3 or bad / non_ascii < 0.002:
        return text
    return None


def _detect(data: bytes) -> tuple[str, str, bool]:
    if data.isascii():
        return data.decode("ascii"), "utf-8", True
    try:
        return data.decode("utf-8"), "utf-8", True
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - detector failure
        best = None
    if best is not None and best.encoding:
        enc = _norm_charset(best.encoding) or best.encoding
        text = _strict_or_few_errors(data, enc)
        if text is not None:
            return text, enc, False
    for enc in ("gb18030", "big5hkscs", "cp1252"):
        text = _strict_or_few_errors(data, enc)
        if text is not None:
            return text, enc, False
    return data.decode("utf-8", errors="replace"), "utf-8", False


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode HTML bytes; returns ``(text, charset)``.

    Order: charset of the HTTP ``Content-Type``, byte order mark, ``<meta charset>`` /
    ``http-equiv`` in the first 16 KiB, then detection (valid UTF-8, else
    charset-normalizer).  GBK/GB2312 are decoded as gb18030, Big5 as big5hkscs.  A
    declaration contradicted by the bytes (decode errors, or legacy CJK declared over
    bytes that are valid UTF-8) falls back to detection.
    """
    text, charset, _exact = _decode(data, content_type)
    return text, charset


def _decode(data: bytes, content_type: str | None) -> tuple[str, str, bool]:
    """``decode_html``, and whether the text is exactly ``data`` read as UTF-8 (the
    parser then takes the bytes as they are, saving a re-encoding)."""
    if isinstance(data, str):  # already text
        return data, "utf-8", False
    # BOM first when present: it is unambiguous
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), "utf-8" if enc == "utf-8" else enc, False
    declared: list[str] = []
    if content_type:
        m = _CT_CHARSET_RE.search(content_type)
        if m:
            enc = _norm_charset(m.group(1))
            if enc:
                declared.append(enc)
    m = _META_CHARSET_RE.search(data[:16384])
    if m:
        enc = _norm_charset(m.group(1).decode("ascii", "ignore"))
        if enc:
            declared.append(enc)
    for enc in declared:
        if enc == "utf-8" or not data.isascii():
            # bytes that are valid UTF-8 (with non-ASCII) are UTF-8 whatever the label says
            try:
                return data.decode("utf-8"), "utf-8", True
            except UnicodeDecodeError:
                pass
        text = _strict_or_few_errors(data, enc)
        if text is not None:
            return text, enc, False
    return _detect(data)


# --------------------------------------------------------------------------- walking

_SKIP_TAGS = frozenset(
    "script style noscript template svg math iframe object embed canvas button input "
    "select option textarea label head title meta link base video audio source track "
    "picture img map area figcaption dialog frame frameset noframes".split()
)
_BLOCK_TAGS = frozenset(
    "p div section article main li ul ol dl dt dd h1 h2 h3 h4 h5 h6 blockquote pre "
    "table tr td th tbody thead tfoot caption form fieldset legend center header footer "
    "nav aside figure address hr details summary body html dir menu hgroup".split()
)
_STRUCT_BOILER = frozenset(("header", "menu", "form"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))

# class/id words of boilerplate boxes: distinctive words anywhere, short words only as a
# whole class token or a -/_ separated end of one ("article-tags", "ad-slot")
_NEG_RE = re.compile(
    r"comment|related|relevant|share|sharing|social|sidebar|side-bar|side_bar|footer|"
    r"breadcrumb|crumb|advert|sponsor|promo|newsletter|subscri|recommend|popular|"
    r"trending|toolbar|pagination|pager|copyright|disqus|outbrain|taboola|widget|"
    r"banner|masthead|cookie|modal|popup|signup|sign-up|byline|dateline|caption|"
    r"navigation|navbar|menu|jiathis|bdshare|bshare|xiangguan|tuijian|fenxiang|"
    r"pinglun|remen|paihang|author-info|login|register|disclaimer|"
    r"(?:^|\s|[-_])(?:ad|ads|adv|advs|adslot|nav|hot|tags|tool|tools|print|email|rank|"
    r"keywords|meta|header|logo|search|skip)(?:$|\s)|"
    r"(?:^|\s)(?:ad|ads|adv|nav|tags)[-_]"
)
_POS_RE = re.compile(
    r"article|content|entry|post|story|body|text|main|detail|zhengwen|neirong|cont\b"
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")

_PUNCT = ",.;:!?，。！？、；：「」“”『』《》"


class _Page:
    """Blocks and block-level elements of one page, from one DOM walk."""

    __slots__ = (
        "texts", "nchars", "links", "owner", "kinds",
        "eparent", "etag", "eflag", "epos", "ehint", "nelem", "linky", "nlinks", "raw", "override",
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


_INLINE_TAGS = frozenset(
    "font b strong i em u small big sup sub abbr time cite q mark s strike ins del nobr "
    "tt code var kbd bdi bdo wbr dfn samp acronym".split()
)
_BOILER_ROLES = frozenset(("navigation", "complementary", "contentinfo", "banner", "menu", "menubar"))
_SKIP_SUBTREE = frozenset(("nav", "footer", "aside"))

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
            neg = _NEG_RE.search(tok) is not None
            p = _POS_RE.search(tok) is not None
            if neg:
                flag = True
            elif p:
                pure_pos = True
            if p:
                pos = 1
        hit = (flag and not pure_pos, pos)
        if len(_class_cache) > 100000:
            _class_cache.clear()
        _class_cache[key] = hit
    return hit


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
        if buf:
            raw = "".join(buf)
            text = " ".join(raw.split())
            if text:
                texts.append(text)
                n = len(text) - text.count(" ")
                nchars.append(n)
                links.append(min(buf_link, n))
                nlinks.append(buf_nlink)
                owner.append(cur)
                kinds.append(cur_kind)
                if "\n" in raw:
                    raws[len(texts) - 1] = raw
            buf = []
        buf_link = 0
        buf_nlink = 0
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
                continue
            if tag == "br":
                if buf:
                    flush()
                elif pend:
                    pend = ""
                    buf_nlink = 0
                continue
            if tag in skip_subtree:
                ghost(len(node.text(deep=True, strip=True)))
                continue
            attrs = node.attributes
            flag = False
            pos = 0
            if attrs:
                if "hidden" in attrs:
                    continue
                st = attrs.get("style")
                if st and ("none" in st or "hidden" in st) and _HIDDEN_STYLE_RE.search(st.lower()):
                    continue
                if attrs.get("aria-hidden") == "true":
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
                if role and role in _BOILER_ROLES:
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
                if n_box < 0.25 * total_text:
                    ghost(n_box)
                    continue
            if tag in block_tags or "-" in tag or flag or hinted:
                if buf:
                    flush()
                elif pend:
                    pend = ""
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
                return page
            it, mode, prev, pkind = stack.pop()
            if mode == 1:
                if buf:
                    flush()
                elif pend:
                    pend = ""
                    buf_nlink = 0
                cur, cur_kind = prev, pkind
            elif mode == 2:
                link_depth -= 1


# --------------------------------------------------------------------------- scoring


_PUNCT_RE = re.compile("[" + re.escape(_PUNCT) + "]")
_SENT_END_RE = re.compile(r"[。！？!?]|\.(?:\s|$)")


def _weights(page: _Page) -> tuple[list[float], list[float], list[int]]:
    """Per block: content weight (signed), weighted length, punctuation count.

    The weighted length is the UTF-8 size without spaces: a CJK character (3 bytes)
    counts about as much as a short Latin word, which matches how much they say.
    A block that is mostly link text is boilerplate, unless it reads as several
    sentences (some pages wrap a whole article in one link).
    """
    ws: list[float] = []
    lens: list[float] = []
    puncts: list[int] = []
    linky: list[bool] = []
    find_punct = _PUNCT_RE.findall
    prev_prose_link = False  # the previous block was part of a long prose link
    for text, n, ln, kind, nl in zip(page.texts, page.nchars, page.links, page.kinds, page.nlinks):
        if kind == "#ghost":
            ws.append(-1.0 - n / 60.0)
            lens.append(0.0)
            puncts.append(0)
            linky.append(True)
            continue
        L = n if text.isascii() else len(text.encode()) - text.count(" ")
        ld = ln / n if n else 1.0
        punct = len(find_punct(text)) if L >= 20 else 0
        if ld > 0.5:
            if (nl == 0 and prev_prose_link) or (
                L >= 100 and ln >= 60 * nl and len(_SENT_END_RE.findall(text)) >= 2
            ):
                prev_prose_link = True
                ld = 0.0
            else:
                prev_prose_link = False
                ws.append(-1.0 - L / 40.0)
                lens.append(L)
                puncts.append(punct)
                linky.append(True)
                continue
        else:
            prev_prose_link = False
        c = L * (1.0 - ld)
        if punct == 0 and c < 60:
            w = 0.0
        else:
            w = c / 40.0 + min(punct, c / 25.0) - 1.0
        ws.append(w)
        lens.append(L)
        puncts.append(punct)
        linky.append(False)
    page.linky = linky
    return ws, lens, puncts


def _mark_teasers(page: _Page, ws: list[float]) -> None:
    """Teaser lists: repeated items that each pair a link block with a short text.

    A box of three or more sibling items, most of which hold both a link-dense block
    (a headline) and some prose (a summary), is a list of other articles ("top
    stories", "more from"), not the body: its prose gets a negative weight.
    """
    ne = page.nelem
    eparent = page.eparent
    has_link = [False] * ne
    mass = [0.0] * ne
    for w, o, lk, t in zip(ws, page.owner, page.linky, page.texts):
        if lk:
            if t:
                has_link[o] = True
        elif w > 0:
            mass[o] += w
    nchild = [0] * ne
    nitem = [0] * ne
    item_mass = [0.0] * ne
    for e in range(ne - 1, 0, -1):
        p = eparent[e]
        nchild[p] += 1
        if has_link[e] and mass[e] > 0:
            nitem[p] += 1
            item_mass[p] += mass[e]
        if has_link[e]:
            has_link[p] = True
        mass[p] += mass[e]
    teaser = [False] * ne
    found = False
    for e in range(ne):
        q = nitem[e]
        if q >= 3 and q >= 0.6 * nchild[e] and item_mass[e] / q < 12.0:
            teaser[e] = True
            found = True
    if not found:
        return
    inside = teaser[:]
    for e in range(1, ne):
        if inside[eparent[e]]:
            inside[e] = True
    for i, o in enumerate(page.owner):
        if inside[o] and ws[i] > 0:
            ws[i] = -0.5 * ws[i]


def _strip_tags_text(s: str) -> str:
    if "<" in s:
        s = re.sub(r"(?i)<br\s*/?>|</p\s*>", "\n", s)
        s = re.sub(r"<[^>]+>", "", s)
    return _html.unescape(s)


def _find_article_body(obj: Any, out: list[str]) -> None:
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "articleBody" and isinstance(v, str):
                out.append(v)
            elif isinstance(v, (dict, list)):
                _find_article_body(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _find_article_body(v, out)


_LD_OPEN_RE = re.compile(r"<script[^>]*application/ld\+json[^>]*>", re.I)


def _json_ld_body(text: str) -> str:
    """The longest JSON-LD ``articleBody`` of the page (plain text), or ""."""
    found: list[str] = []
    for m in _LD_OPEN_RE.finditer(text):
        end = text.find("</script", m.end())
        if end < 0:
            continue
        raw = text[m.end():end]
        if "articleBody" not in raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        _find_article_body(data, found)
    if not found:
        return ""
    return _strip_tags_text(max(found, key=len)).strip()




def _squash(s: str) -> str:
    return "".join(s.split())


# --------------------------------------------------------------------------- title

_TITLE_SEP_RE = re.compile(r"\s[-|–—_:·»/]+\s|[|｜_—–]|\s::\s|——")


def _title(tree: LexborHTMLParser, page: "_Page | None") -> tuple[str, list[str]]:
    """Best title, and the texts (normalised) that a body block must not repeat."""
    og = tw = title = ""
    head = tree.head
    if head is not None:
        for node in head.iter():
            tag = node.tag
            if tag == "meta":
                a = node.attributes
                prop = a.get("property") or a.get("name")
                if prop == "og:title" and not og:
                    og = " ".join((a.get("content") or "").split())
                elif prop == "twitter:title" and not tw:
                    tw = " ".join((a.get("content") or "").split())
            elif tag == "title" and not title:
                title = " ".join(node.text(deep=True).split())
    if not title:
        tnode = tree.css_first("title")
        title = " ".join(tnode.text(deep=True).split()) if tnode is not None else ""
    og = og or tw
    h1s = [t for t, k in zip(page.texts, page.kinds) if k == "h1"][:5] if page is not None else []
    strong = {_squash(x).lower() for x in [og] + h1s if x}
    weak: set[str] = set()
    if page is not None:
        # a heading-like line of the page (not only <h1>) confirms a title part too;
        # only lines as long as a part of the title can (nchars = length without spaces)
        part_lens = set()
        for cand in (og, title):
            for m in _TITLE_SEP_RE.finditer(cand):
                part_lens.add(len(_squash(cand[: m.start()])))
                part_lens.add(len(_squash(cand[m.end():])))
        if part_lens:
            weak = {"".join(t.split()).lower() for t, n in zip(page.texts, page.nchars) if n in part_lens}
    result = ""
    if title and _squash(title).lower() in strong:
        result = title
    else:
        # strip " - Site name" suffixes (or "Site name | " prefixes): the longest part
        # that the og:title/h1 (else a line of the page) repeats is the title
        best_rank = (0, 0)
        for cand in (og, title):
            if not cand:
                continue
            sq = _squash(cand).lower()
            for m in _TITLE_SEP_RE.finditer(cand):
                for part in (cand[: m.start()].strip(), cand[m.end():].strip()):
                    p = _squash(part).lower()
                    if not p or p == sq:
                        continue
                    level = 2 if p in strong else 1 if p in weak else 0
                    rank = (level, len(p))
                    if level and rank > best_rank:
                        best_rank, result = rank, part
    if not result:
        result = og or title or (h1s[0] if h1s else "")
    avoid = {_squash(x).lower() for x in [result, og, title] + h1s if x}
    return result, [a for a in avoid if a]


# --------------------------------------------------------------------------- extract


# container objective: subtree score plus this share of its positive mass, so that a
# container is not cut down to a fragment for the sake of a few link lines inside it
_ALPHA = 0.2


def _select(page: _Page, ws: list[float], lens: list[float], puncts: list[int],
            boost: list[bool] | None, title_elem: int = -1):
    """Choose the article container.

    Returns (element, subtree score, positive mass, flagged per element).
    """
    ne = page.nelem
    eparent, eflag = page.eparent, page.eflag
    if boost is not None:
        ws = [w * 2.0 + 3.0 if b else w for w, b in zip(ws, boost)]
    mass = [0.0] * ne
    for w, o in zip(ws, page.owner):
        if w > 0:
            mass[o] += w
    for e in range(ne - 1, 0, -1):  # children have larger indexes than parents
        mass[eparent[e]] += mass[e]
    total = mass[0] or 1.0
    # a flag on an element that holds most of the page's prose is a false alarm
    flagged = [False] * ne
    for e in range(1, ne):
        flagged[e] = flagged[eparent[e]] or (eflag[e] and mass[e] < 0.6 * total)
    # scores with flagged subtrees counted as boilerplate
    score = [0.0] * ne
    mass2 = [0.0] * ne
    for w, o in zip(ws, page.owner):
        if flagged[o]:
            w = -abs(w) * 0.5 if w > 0 else w
        score[o] += w
        if w > 0:
            mass2[o] += w
    for e in range(ne - 1, 0, -1):
        p = eparent[e]
        score[p] += score[e]
        mass2[p] += mass2[e]
    alpha = _ALPHA
    objective = [sc + alpha * m2 for sc, m2 in zip(score, mass2)]
    epos = page.epos
    if 3 in epos:
        big = 0.3 * (mass2[0] or 1)
        for e, level in enumerate(epos):
            if level == 3 and mass2[e] > big:
                objective[e] *= 1.5  # itemprop=articleBody
    best = objective.index(max(objective))  # the first of the best
    # the path from the container down to the title, if the title is inside it
    on_title_path = set()
    title_mass = mass2[title_elem] if title_elem > 0 else 0.0
    e = title_elem
    while e > 0:
        on_title_path.add(e)
        e = eparent[e]
    # narrow: a child holding nearly all the content of the container is the container;
    # so is the child holding the title and a good part of the content (the other
    # children are then boxes of other articles: teasers, "more stories")
    while True:
        m = mass2[best]
        nxt = None
        for c in range(best + 1, ne):
            # (preorder: the subtree of best ends at the first element whose parent
            # comes before best; its children are the elements whose parent is best)
            p = eparent[c]
            if p < best:
                break
            if p != best or flagged[c]:
                continue
            # (with content besides the title: the title's own element, or a cell or
            # row around it alone, holds no body)
            if mass2[c] >= 0.93 * m or (c in on_title_path and mass2[c] - title_mass >= 0.2 * m):
                nxt = c
                break
        if nxt is None:
            break
        best = nxt
    return best, score, mass2, flagged


def _title_element(page: _Page, avoid: list[str]) -> int:
    """Element of the block that repeats the page title (an h1 first), or -1."""
    if not avoid:
        return -1
    avoid_set = set(avoid)
    # (a text without spaces is as long as its non-space characters, and lower case
    # makes no text shorter: a longer block cannot be one of them)
    top = min(300, max(map(len, avoid_set)))
    found = -1
    for t, o, k, n in zip(page.texts, page.owner, page.kinds, page.nchars):
        if 4 <= n <= top and "".join(t.split()).lower() in avoid_set:
            if k == "h1":
                return o
            if found < 0:
                found = o
    return found


def _subtree_end(best: int, page: _Page) -> int:
    """Elements are numbered in document order (preorder): the subtree of ``best`` is
    the run ``best .. end - 1``, ending before the first element whose parent comes
    before ``best``."""
    eparent = page.eparent
    for e in range(best + 1, page.nelem):
        if eparent[e] < best:
            return e
    return page.nelem


def _blocks_under(best: int, page: _Page) -> list[int]:
    """Blocks owned by the subtree of ``best``."""
    end = _subtree_end(best, page)
    return [i for i, o in enumerate(page.owner) if best <= o < end]


# An HTML parser scans its stack of open elements on every start and end tag of a block
# container, so its time grows with the square of their nesting (lexbor: about 1.1e-9 s
# times depth squared; 40,000 nested <div>s take 2 s, a 10 MB page of them hours). Real
# pages nest a few dozen deep; a page is read up to where its containers nest deeper than
# MAX_BLOCK_DEPTH. The nesting is at most the number of tags, so a page with at most
# _DEEP_TAGS of them (every page in the extraction sets has under 3,300) costs at most
# 0.1 s and is not scanned; the shortest container tag, <ul>, takes 4 characters.
MAX_BLOCK_DEPTH = 1000
_DEEP_TAGS = 10_000
_BLOCK_NAMES = ("div section article aside blockquote center details dialog dir dl fieldset figcaption "
                "figure footer header hgroup main menu nav ol ul address summary search").split()
_BLOCK_TAG = re.compile(
    r"<(/?)(?:" + "|".join(_BLOCK_NAMES) + r")(?=[\s/>])",
    re.IGNORECASE,
)


def _cut_deep_nesting(text: str) -> str | None:
    """`text` up to the tag that nests block containers deeper than MAX_BLOCK_DEPTH, or None."""
    if len(text) <= 4 * _DEEP_TAGS or text.count("<") <= _DEEP_TAGS:
        return None
    depth = 0
    for m in _BLOCK_TAG.finditer(text):
        if m.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > MAX_BLOCK_DEPTH:
                return text[:m.start()]
    return None


def _matched_ids(tree: LexborHTMLParser, selectors: list[str] | None) -> frozenset[int]:
    """Nodes matched by any of a site's CSS selectors; one the parser rejects matches nothing."""
    ids: set[int] = set()
    for sel in selectors or ():
        try:
            ids.update(n.mem_id for n in tree.css(sel))
        except Exception:
            continue
    return frozenset(ids)


def extract(html: bytes | str, url: str | None = None, hints=None, content_type: str | None = None) -> Article:
    """Extract the title and body paragraphs of an article page (see module doc)."""
    if isinstance(html, bytes):
        text, charset, exact = _decode(html, content_type)
    else:
        text, charset, exact = html, "utf-8", False
    shallow = _cut_deep_nesting(text)
    if shallow is not None:
        text, exact = shallow, False
    # the parser reads UTF-8 bytes: hand it the page's own when they are that
    tree = LexborHTMLParser(html if exact else text)
    ld_body = _json_ld_body(text) if "articleBody" in text else ""

    drop_ids = _matched_ids(tree, getattr(hints, "drop", None))
    body_ids = _matched_ids(tree, getattr(hints, "body", None))

    # script/style text would distort the share of the page a box holds
    tree.strip_tags(["script", "style", "noscript", "template"])
    root = tree.body or tree.root
    if root is None:
        return Article(_title(tree, None)[0], (), charset)
    page = _walk(root, body_ids, drop_ids)
    title, avoid = _title(tree, page)
    if not page.texts:
        return Article(title, (), charset)
    ws, lens, puncts = _weights(page)
    _mark_teasers(page, ws)

    paragraphs: list[str] = []
    extras: list[str] = []
    if body_ids:
        paragraphs, extras = _from_hint(page, ws, lens, puncts, avoid)
    if not paragraphs:
        boost = None
        if ld_body and len(ld_body) > 200:
            key = _squash(ld_body)
            boost = [n >= 15 and _squash(t) in key for t, n in zip(page.texts, page.nchars)]
            matched = sum(n for n, b in zip(page.nchars, boost) if b)
            if matched < 0.3 * len(key):
                boost = None
        paragraphs, extras = _generic(page, ws, lens, puncts, avoid, boost, title)
        if ld_body and len(ld_body) > 200:
            from_ld = _maybe_json_ld(paragraphs, extras, ld_body, page)
            if from_ld is not paragraphs:
                paragraphs = from_ld
                # what the JSON-LD body says is body, not an uncertain extra
                said = _squash("".join(paragraphs))
                extras = [e for e in extras if _squash(e) not in said]
    return Article(title, tuple(paragraphs), charset, tuple(extras))


def _from_hint(page: _Page, ws, lens, puncts, avoid) -> tuple[list[str], list[str]]:
    hinted = [e for e in range(page.nelem) if page.ehint[e]]
    inside = [False] * page.nelem
    for e in range(1, page.nelem):
        inside[e] = page.ehint[e] or inside[page.eparent[e]]
    idx = [i for i, o in enumerate(page.owner) if inside[o]]
    # the site's selector wins when it holds any real text (not only links / labels)
    if not hinted or sum(page.nchars[i] for i in idx if not page.linky[i]) < 20:
        return [], []
    flagged = [False] * page.nelem
    for e in range(1, page.nelem):
        flagged[e] = (page.eflag[e] and not page.ehint[e]) or (flagged[page.eparent[e]] and not page.ehint[e])
    keep, edge, cut, _ = _clean(page, idx, ws, lens, puncts, avoid, flagged)
    return _finish(page, keep, edge + _left_out(page, idx, keep, flagged), cut)


def _generic(page: _Page, ws, lens, puncts, avoid, boost, title: str = "") -> tuple[list[str], list[str]]:
    title_elem = _title_element(page, avoid)
    got = _container(page, ws, lens, puncts, avoid, boost, title_elem)
    if got is None:
        return [], []
    keep, labels = got[1], got[-1]
    if not keep and labels:
        # the best container held only labels (a meta line: source, date, counters):
        # it is no article; the next best container, without them, may be -- and if that
        # one holds only labels too (a copyright line), the next one
        ws2 = ws[:]
        cands = labels
        again = None
        for _ in range(3):
            for i in cands:
                if ws2[i] > 0:
                    ws2[i] = 0.0
            again = _container(page, ws2, lens, puncts, avoid, boost, title_elem)
            if again is None or again[1] or not again[-1]:
                break
            cands = again[-1]
        if again is not None and again[1]:
            got = again
        elif len(labels) >= 3:
            # none: many lines that all looked like labels (timed subtitle lines, a list
            # of dated entries) are the body; one or two are only labels
            page.override.clear()
            got = (got[0], labels, [], [], got[4], got[5], got[6], labels)
    best, keep, edge, cut, short, all_idx, flagged, _ = got
    if not keep or (short and not _short_post(page, keep, ws, lens, title)):
        return [], []
    # the container may be the one paragraph element that holds most of the text: the
    # lines left out around it are then its siblings
    up = page.eparent[best]
    if up > 0 and page.etag[up] not in ("body", "html"):
        all_idx = _blocks_under(up, page)
    return _finish(page, keep, edge + _left_out(page, all_idx, keep, flagged), cut)


def _container(page: _Page, ws, lens, puncts, avoid, boost, title_elem: int):
    """The article container and its cleaned blocks: (container, body blocks, edge
    blocks, split-off lines, too little prose for an article, all its blocks, flagged
    per element, its candidate blocks when all of them were trimmed as labels)."""
    best, score, mass, flagged = _select(page, ws, lens, puncts, boost, title_elem)
    end = _subtree_end(best, page)
    owner, nchars, texts, linky, links = page.owner, page.nchars, page.texts, page.linky, page.links
    idx = [i for i, o in enumerate(owner) if best <= o < end]
    # prose check: no article when the container holds no real sentences
    prose = 0.0
    sentences = 0
    link_chars = 0
    all_chars = 0
    for i in idx:
        if ws[i] > 0 and not flagged[owner[i]]:
            prose += lens[i]
            sentences += puncts[i]
        if texts[i]:
            all_chars += nchars[i]
            if linky[i]:
                link_chars += nchars[i]
    short = prose < 150 or sentences < 2 or link_chars > 0.55 * (all_chars or 1)
    # link-dense sub-boxes inside the container (related lists, tag clouds)
    box_links = [0] * page.nelem
    box_chars = [0] * page.nelem
    for i in idx:
        o = owner[i]
        box_links[o] += links[i]
        box_chars[o] += nchars[i]
    eparent = page.eparent
    for e in range(end - 1, best, -1):
        p = eparent[e]
        box_links[p] += box_links[e]
        box_chars[p] += box_chars[e]
    bad_box = [False] * page.nelem
    for e in range(best + 1, end):
        p = eparent[e]
        if bad_box[p]:
            bad_box[e] = True
        elif score[e] < 0 and box_chars[e] and box_links[e] > 0.35 * box_chars[e]:
            bad_box[e] = True
    all_idx = idx
    idx = [i for i in idx if not bad_box[owner[i]]]
    keep, edge, cut, labels = _clean(page, idx, ws, lens, puncts, avoid, flagged)
    return best, keep, edge, cut, short, all_idx, flagged, labels


# an error page, whatever its status: in its title or its few lines
_ERROR_RE = re.compile(
    r"\b404\b|\b(?:page|file|article|post) (?:was )?not found\b|\bnot found\b|\berror\b|"
    r"(?:could ?n[o']t|can[' ]?not|can't|unable to) (?:be )?(?:find|found|locate)|does not exist|"
    r"no longer (?:exists|available)|has been (?:removed|deleted)|"
    r"页面不存在|頁面不存在|找不到|已删除|已刪除|不存在|已被删除|已被刪除|出错|出錯|错误|錯誤",
    re.I,
)


def _short_post(page: _Page, keep: list[int], ws, lens, title: str) -> bool:
    """A short post (a social-media post, a one-line notice, a body of credits beside
    links): its container holds too little prose, or too many links, for an article,
    yet it has a main text of its own -- plain (not link) lines of some length, one of
    them sentence-like.  The crawl tells error pages by their signature (its soft-404
    probe compares a page with a random URL of the same shape); a page that reads as
    an error (in its title or its lines) is still no article here."""
    if not keep or sum(lens[i] for i in keep) < 60 or not any(ws[i] > 0 for i in keep):
        return False
    text = title + "\n" + "\n".join(page.override.get(i) or page.texts[i] for i in keep)
    return _ERROR_RE.search(text) is None


def _left_out(page: _Page, idx: list[int], keep: list[int], flagged: list[bool]) -> list[int]:
    """Blocks of the container left out of the body although they sit among its
    paragraphs (between the first and the last, or beside them): link-mostly lines (reference links, "source: <a>"), lines of a
    link-dense paragraph, the title where the article repeats it (a copy of the body
    may too).

    Such a block counts when its element is one of the body's paragraph elements, or
    their sibling (same parent) but not a list item or a cell: a list of links beside
    the body is a related box, not part of the text.  Flagged boxes never count.
    """
    if not keep:
        return []
    owner, eparent, etag, texts = page.owner, page.eparent, page.etag, page.texts
    owners = {owner[i] for i in keep}
    parents = {eparent[o] for o in owners}
    kept = set(keep)
    first, last = keep[0], keep[-1]
    out = []
    for i in idx:
        if i in kept or not texts[i]:
            continue
        o = owner[i]
        if flagged[o]:
            continue
        # between the first and the last paragraph of the body, any line is among them
        # (a list of dated link headlines, each followed by its summary)
        if first < i < last or o in owners:
            out.append(i)
        elif etag[o] not in _ITEM_TAGS:
            # beside a body paragraph (an element, or text between <br>s of the element
            # that holds it), or inside the element whose text between <br>s is the body
            # (a heading atop a post)
            if o in parents or eparent[o] in parents or eparent[o] in owners:
                out.append(i)
        elif etag[o] == "li" and not flagged[eparent[o]] and (
                eparent[eparent[o]] in parents or eparent[eparent[o]] in owners):
            # a list among the body's paragraphs, or in the element that holds them as
            # text between <br>s (reference links under "参考链接：")
            out.append(i)
    return out


_ITEM_TAGS = frozenset(("li", "dt", "dd", "td", "th"))


_EDGE_META_RE = re.compile(
    r"\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}|\d{1,2}:\d{2}|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}|"
    r"来源|來源|编辑|編輯|责编|責編|字号|字號|打印|关闭|關閉|位置：|关键词|關鍵詞|"
    r"^(?:by|posted by|written by|published|updated)\b",
    re.I,
)
_LEGAL_RE = re.compile(
    r"版权|版權|copyright|©|all rights reserved|免责声明|免責聲明|disclaimer|未经.{0,30}授权|未經.{0,30}授權|"
    r"不得转载|不得轉載|禁止转载|禁止轉載|严禁转载|嚴禁轉載",
    re.I,
)
# a credit or a lead-in: "编辑：张三", "Photo: AP", "图片来源：网络", "更多资讯，请关注：" --
# a short label and a colon, then at most a short value that is not a sentence
_CREDIT_RE = re.compile(r"^[^:：。！？!?]{1,12}[:：][^。！？!?]{0,40}$")
# a labelled line that says no sentence ("截图来自：<url>", "Bildnachweis: X/Y")
_LABELLED_RE = re.compile(r"^[^:：。！？!?]{1,12}[:：][^。！？!?]*$")
_PROMO_RE = re.compile(
    r"\bsign up\b|\bsubscribe\b|\bnewsletters?\b|\bfollow (?:us|[^.]{0,60}\bon (?:twitter|facebook|instagram))",
    re.I,
)


def _clean(page: _Page, idx: list[int], ws, lens, puncts, avoid, flagged):
    """Blocks of the body (indexes), the labels trimmed at its edges (indexes), and the
    label lines split off the source of the edge blocks (texts; the rest of such a block
    is then in ``page.override``)."""
    keep: list[int] = []
    for i in idx:
        if flagged[page.owner[i]]:
            continue
        if page.linky[i]:
            continue
        keep.append(i)
    # title repeated in the body
    avoid_set = set(avoid)
    if avoid_set:
        top = max(map(len, avoid_set))  # (see _title_element)
        texts, nchars = page.texts, page.nchars
        keep = [i for i in keep if nchars[i] > top or _squash(texts[i]).lower() not in avoid_set]
    # labels, datelines, source / editor credits, legal notices, follow-us promos at the
    # edges of the body
    texts_, nchars_ = page.texts, page.nchars

    credits = True  # off for a body made of "label: value" lines (a schedule, a fact box)

    def is_label(i: int) -> bool:
        if lens[i] < 12 or (ws[i] <= 0 and page.kinds[i] not in _HEADINGS):
            return True
        t = texts_[i]
        if nchars_[i] <= 60 and (_EDGE_META_RE.search(t) or (credits and _CREDIT_RE.match(t))):
            return True
        return nchars_[i] <= 300 and _LEGAL_RE.search(t) is not None

    def is_trailer(i: int) -> bool:
        # a short line that ends no sentence ("More news, follow us") closes nothing
        t = texts_[i]
        return is_label(i) or (nchars_[i] <= 200 and _PROMO_RE.search(t) is not None) or (
            nchars_[i] <= 20 and not _SENT_END_RE.search(t))

    override = page.override

    def split(i: int, first: bool) -> bool:
        """Split label lines of its source off the edge of block i; True if none is left."""
        raw = page.raw.get(i)
        if raw is None:
            return False
        lines = [" ".join(x.split()) for x in raw.split("\n")]
        lines = [x for x in lines if x]
        order = lines if first else lines[::-1]
        k = 0
        while k < len(order) and _label_text(order[k], credits, order[k + 1] if k + 1 < len(order) else ""):
            k += 1
        if not k:
            return False
        cut = order[:k] if first else order[:k][::-1]
        edge_texts.extend(cut)
        if k > 1:  # the source may break one line where a space was
            edge_texts.append(" ".join(cut))
        rest = lines[k:] if first else lines[: len(lines) - k]
        if rest:
            override[i] = " ".join(rest)
        return not rest

    def trim(keep: list[int]) -> tuple[list[int], list[int]]:
        keep = keep[:]
        edge: list[int] = []
        del edge_texts[:]
        override.clear()
        while keep:
            if is_label(keep[0]):
                edge.append(keep.pop(0))
            elif split(keep[0], True):
                keep.pop(0)
            else:
                break
        while keep:
            if is_trailer(keep[-1]):
                edge.append(keep.pop())
            elif split(keep[-1], False):
                keep.pop()
            else:
                break
        return keep, edge

    edge_texts: list[str] = []
    body, edge = trim(keep)
    if not body:
        credits = False
        body, edge = trim(keep)
    # no body left: all were labels (the caller decides what that means)
    return body, edge, edge_texts, (keep if not body else [])


def _spaced(c: str) -> bool:
    """A letter or digit of a script that puts spaces between words (not Han or kana)."""
    return c.isalnum() and not ("\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")


def _label_text(t: str, credits: bool, beyond: str) -> bool:
    """A line of a block's source that is a label: short and unpunctuated, a credit, a
    dateline, a legal notice (the tests of ``_clean`` on a line of text).  ``beyond`` is
    the line on the other side of the break ("" at the block's end): a break next to a
    letter or digit of a spaced script (Latin, Hangul, digits) may be a mere space of the
    source, so only a credit ("label: value") is then set apart."""
    n = len(t) - t.count(" ")
    L = n if t.isascii() else len(t.encode()) - t.count(" ")
    loose = beyond and (_spaced(t[-1]) or _spaced(t[0]) or _spaced(beyond[0]) or _spaced(beyond[-1]))
    if L < 60 and not loose and not _PUNCT_RE.search(t):
        return True
    if n <= 60 and ((not loose and _EDGE_META_RE.search(t)) or (credits and _CREDIT_RE.match(t))):
        return True
    return n <= 300 and _LEGAL_RE.search(t) is not None


def _quoted(page: _Page, e: int) -> bool:
    """Element e is inside a <blockquote>."""
    etag, eparent = page.etag, page.eparent
    while e > 0:
        if etag[e] == "blockquote":
            return True
        e = eparent[e]
    return False


def _finish(page: _Page, keep: list[int], extra: list[int], cut: list[str]) -> tuple[list[str], list[str]]:
    """Paragraphs of the kept blocks, and the extra lines of the other blocks given."""
    # cells of one table row make one paragraph
    etag, eparent = page.etag, page.eparent
    texts: list[str] = []
    owners: list[int] = []
    last_row = -1
    override = page.override
    for i in keep:
        o = page.owner[i]
        t = override.get(i) or page.texts[i]
        row = eparent[o] if etag[o] in ("td", "th") and etag[eparent[o]] == "tr" else -1
        if row >= 0 and row == last_row:
            texts[-1] += " | " + t
        else:
            texts.append(t)
            owners.append(o)
        last_row = row
    # exact duplicates (summary boxes repeating the lead, mobile/desktop copies); a short
    # line may recur in a text (a name in a list of credits, a refrain), so may a
    # labelled credit (a picture credit under each picture), and a quotation
    # repeats what it quotes (an embedded post after the text that introduced it)
    # -- and a line recurs on its own among other lines (a refrain, a slogan repeated in
    # a transcript): a copy repeats its neighbours too, or follows what it copies
    out: list[str] = []
    seen: set[str] = set()
    sqs = [_squash(t) for t in texts]
    first: dict[str, int] = {}
    n = len(sqs)
    for k, (t, o) in enumerate(zip(texts, owners)):
        sq = sqs[k]
        j = first.get(sq)
        if j is None:
            first[sq] = k
        elif len(sq) >= 30 and not _quoted(page, o) and not _LABELLED_RE.match(t) and (
                k - j == 1 or (j > 0 and sqs[k - 1] == sqs[j - 1])
                or (k + 1 < n and sqs[k + 1] == sqs[j + 1])):
            continue
        seen.add(sq)
        out.append(t)
    extras: list[str] = []
    lines = []
    for i in sorted(set(extra)):
        lines.append(page.texts[i])
        raw = page.raw.get(i)
        if raw is not None:
            # a copy may keep the lines of its source apart ("参考链接：", then each link)
            lines.extend(x for x in (" ".join(y.split()) for y in raw.split("\n")) if x)
    for t in cut + lines:
        sq = _squash(t)
        if sq not in seen:
            seen.add(sq)
            extras.append(t)
    return out, extras


def _maybe_json_ld(paragraphs: list[str], extras: list[str], ld_body: str, page: _Page) -> list[str]:
    """Use JSON-LD articleBody when the DOM gave much less and the page confirms it.

    What the DOM gave is its body and the extras beside it: an articleBody that also
    holds the credits and link lines of the article is not "much more".
    """
    got = sum(len(p) for p in paragraphs) + sum(len(e) for e in extras)
    if got >= 0.5 * len(ld_body):
        return paragraphs
    key = _squash("".join(page.texts))
    parts = [" ".join(p.split()) for p in re.split(r"\n+", ld_body)]
    parts = [p for p in parts if p]
    # consistent with the page: its opening sentence is on the page
    probe = _squash(parts[0])[:60] if parts else ""
    if probe and probe in key:
        return parts
    return paragraphs
