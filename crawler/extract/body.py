"""``extract()``: the steps in order, from the page to its title and body paragraphs."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

from selectolax.lexbor import LexborHTMLParser

from crawler.extract.author import AUTHOR_META, author_note, may_be_author_note, person_names
from crawler.extract.cards import drop_link_cards
from crawler.extract.clean import _ITEM_TAGS, _clean, _finish, _maybe_json_ld, placeholder_line
from crawler.extract.decode import Article, _decode, json_document
from crawler.extract.jsonld import _json_ld_body, json_ld_author_names
from crawler.extract.score import (
    SENTENCE_ENDS_RE,
    _blocks_under,
    _mark_teasers,
    _select,
    _subtree_end,
    _weights,
)
from crawler.extract.style import drop_hidden
from crawler.extract.title import _squash, _title, _title_element
from crawler.extract.walk import _Page, _walk

# A JSON-LD articleBody shorter than this is a summary, not the article: it steers nothing.
LD_BODY_MIN_CHARS = 200
# Blocks shorter than this match too much of any text to say the JSON-LD body holds them.
LD_BLOCK_MIN_CHARS = 15
# The JSON-LD body steers the choice only when the page shows this share of it.
LD_MATCHED_SHARE = 0.3
# A site's body selector wins when it holds this many characters of text outside links.
HINT_MIN_CHARS = 20
# Less prose than this (characters) is too little for an article...
ARTICLE_MIN_PROSE = 150
# ...as are fewer sentence marks than this...
ARTICLE_MIN_SENTENCES = 2
# ...or a container whose text is more than this share link text (a list of links).
ARTICLE_MAX_LINK_SHARE = 0.55
# A sub-box scoring below zero with more links than this per character is a related list.
BOX_MAX_LINKS_PER_CHAR = 0.35
# A short post needs at least this much prose (characters) of its own.
SHORT_POST_MIN_CHARS = 60
# When the best container holds only labels, this many next-best ones are tried: a meta
# line, then a copyright line, may each win before the body does.
LABELS_ONLY_RETRIES = 3
# When none has a body, this many label-like lines (timed subtitles, dated entries) are the
# body; one or two are only labels.
LABELS_AS_BODY_MIN = 3
# A paragraph of an intro set in a box of its own above the article is at least this long
# (weighted length): a line that asks to comment or subscribe is shorter.
INTRO_MIN_LEN = 120

# An HTML parser scans its stack of open elements on every start and end tag of a block
# container, so its time grows with the square of their nesting (lexbor: about 1.1e-9 s
# times depth squared; 40,000 nested <div>s take 2 s, a 10 MB page of them hours). Real
# pages nest a few dozen deep; container tags nested deeper than MAX_BLOCK_DEPTH are dropped
# (their text stays). The nesting is at most the number of tags, so a page with at most
# _DEEP_TAGS of them (every page in the extraction sets has under 3,300) costs at most
# 0.1 s and is not scanned; the shortest container tag, <ul>, takes 4 characters.
MAX_BLOCK_DEPTH = 1000
_DEEP_TAGS = 10_000
# ...so a page of fewer than _DEEP_TAGS times this many characters is not scanned either.
_MIN_TAG_CHARS = len("<ul>")
_BLOCK_NAMES = ("div section article aside blockquote center details dialog dir dl fieldset figcaption "
                "figure footer header hgroup main menu nav ol ul address summary search").split()
_BLOCK_TAG = re.compile(
    r"<(/?)(?:" + "|".join(_BLOCK_NAMES) + r")(?=[\s/>])",
    re.IGNORECASE,
)


def _cut_deep_nesting(text: str) -> str | None:
    """`text` without the container tags that nest deeper than MAX_BLOCK_DEPTH (and the end
    tags that close them), or None when none does. Their text stays: an article after 600,000
    unclosed <div>s is still the page's (cut there, it was lost to the extractor and witness)."""
    if len(text) <= _MIN_TAG_CHARS * _DEEP_TAGS or text.count("<") <= _DEEP_TAGS:
        return None
    depth = dropped = 0
    pieces: list[str] = []
    last = 0
    for m in _BLOCK_TAG.finditer(text):
        if m.start() < last:
            continue  # inside a tag already dropped ("<div <div <div>")
        if m.group(1):
            if dropped:
                dropped -= 1
            else:
                depth = max(0, depth - 1)
                continue
        elif depth < MAX_BLOCK_DEPTH:
            depth += 1
            continue
        else:
            dropped += 1
        # the tag goes, up to its end (a tag's end is the next ">")
        end = text.find(">", m.end())
        pieces.append(text[last:m.start()])
        if end < 0:
            last = len(text)
            break
        last = end + 1
    if not pieces:
        return None
    pieces.append(text[last:])
    return "".join(pieces)


# lexbor checks each attribute of an element against those before it: one element of 80,000
# attributes (a megabyte) took 23 s to parse, ten times as many would take hours. No real tag
# has more than a few dozen; one with more than MAX_ATTRIBUTES keeps only its first ones.
MAX_ATTRIBUTES = 1000
# A page shorter than this (characters) is not scanned: it holds at most 50,000 attributes,
# which cost the parser seconds, never hours; the scan would cost 10% of every page's extraction.
_FLOODS_SCANNED = 200_000
# A tag as long as that many attributes could be (" a" each), and the rest of it; the scan for
# one stops at the next "<", so it is linear.
_LONG_TAG = re.compile(r"<[A-Za-z][^<>]{%d}" % (2 * MAX_ATTRIBUTES))
_TAG_REST = re.compile(r"[^<>]*")
_ATTRIBUTE = re.compile(r"""[\s/]+[^\s=/>"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']*))?""")


def _cut_attribute_floods(text: str) -> str | None:
    """`text` with each tag cut after its first MAX_ATTRIBUTES attributes, or None when no
    tag has more."""
    if len(text) <= _FLOODS_SCANNED:
        return None
    pieces: list[str] = []
    last = 0
    for m in _LONG_TAG.finditer(text):
        rest = _TAG_REST.match(text, m.end())
        end = rest.end() if rest else m.end()
        over = next(itertools.islice(_ATTRIBUTE.finditer(text, m.start(), end), MAX_ATTRIBUTES, None), None)
        if over is not None:
            pieces.append(text[last:over.start()])
            last = end
    if not pieces:
        return None
    pieces.append(text[last:])
    return "".join(pieces)


# lexbor keeps the names of a page's tags and attributes in a table whose cost grows with the
# square of their number: 160,000 distinct names (3 MB) took 4.7 s, a 10 MB page of them
# minutes. A real page uses a few hundred; past MAX_NAMES, a name not met before is written as
# a known one (a tag as <span>, an attribute as data-x). A page shorter than _NAMES_SCANNED
# characters is not scanned (the scan costs 10 ms a megabyte; such a page's names cost the
# parser at most a few seconds).
MAX_NAMES = 2000
_NAMES_SCANNED = 2_000_000
_NAME = re.compile(r"(</?)([A-Za-z][\w:.-]{0,200})|(\s)([A-Za-z_:][\w:.-]{0,200})(?=\s{0,20}=)")
_TAG_NAMES = re.compile(r"<([A-Za-z][\w:.-]{0,200})")
_ATTRIBUTE_NAMES = re.compile(r"\s([A-Za-z_:][\w:.-]{0,200})=")
_HTML_NAMES = frozenset(
    "html head body title meta link base style script noscript template div span p a b i u s em strong small big "
    "sub sup br hr img picture source video audio iframe embed object param table thead tbody tfoot tr td th "
    "caption colgroup col ul ol li dl dt dd h1 h2 h3 h4 h5 h6 article section aside nav header footer main figure "
    "figcaption blockquote q cite pre code abbr time mark font center form input button select option textarea "
    "label fieldset legend details summary svg path g use wbr nobr ins del address "
    "id class style href src srcset alt content name property type rel hidden lang dir width height itemprop "
    "itemtype itemscope role charset http-equiv datetime colspan rowspan value".split()
)


def _rename_name_floods(text: str) -> str | None:
    """`text` with the tag and attribute names past the first MAX_NAMES distinct ones renamed,
    or None when it has no more."""
    if len(text) <= _NAMES_SCANNED or len(set(_TAG_NAMES.findall(text)).union(_ATTRIBUTE_NAMES.findall(text))) \
            <= MAX_NAMES + len(_HTML_NAMES):
        return None
    allowed = set(_HTML_NAMES)

    def rename(m: re.Match[str]) -> str:
        name = (m.group(2) or m.group(4)).lower()
        if name not in allowed and len(allowed) < MAX_NAMES + len(_HTML_NAMES):
            allowed.add(name)
        if name in allowed:
            return m.group(0)
        return m.group(1) + "span" if m.group(1) else m.group(3) + "data-x"

    return _NAME.sub(rename, text)


def parser_ready(text: str) -> str | None:
    """`text` made safe for the parser (cut where it nests too deep, tags with floods of
    attributes trimmed, floods of names renamed), or None when it is so already."""
    ready = text
    for tame in (_cut_deep_nesting, _cut_attribute_floods, _rename_name_floods):
        ready = tame(ready) or ready
    return None if ready is text else ready

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
    if json_document(text) is not None:
        # Data, not a page: the witness reads its strings as data the page carries (SPEC 7).
        return Article("", (), charset)
    ready = parser_ready(text)
    if ready is not None:
        text, exact = ready, False
    # the parser reads UTF-8 bytes: hand it the page's own when they are that
    tree = LexborHTMLParser(html if exact else text)
    ld_body, ld_paywalled = _json_ld_body(text) if "articleBody" in text else ("", False)

    drop_ids = _matched_ids(tree, getattr(hints, "drop", None))
    body_ids = _matched_ids(tree, getattr(hints, "body", None))

    # (the extractor keeps a longer hidden box: where it is a copy, the witness reads it as one)
    drop_hidden(tree, text, copies=False)
    drop_link_cards(tree)
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
        if ld_body and len(ld_body) > LD_BODY_MIN_CHARS:
            key = _squash(ld_body)
            boost = [n >= LD_BLOCK_MIN_CHARS and _squash(t) in key for t, n in zip(page.texts, page.nchars)]
            matched = sum(n for n, b in zip(page.nchars, boost) if b)
            if matched < LD_MATCHED_SHARE * len(key):
                boost = None
        paragraphs, extras = _generic(page, ws, lens, puncts, avoid, boost, title)
        if ld_body and len(ld_body) > LD_BODY_MIN_CHARS:
            from_ld = _maybe_json_ld(paragraphs, extras, ld_body, page, ld_paywalled)
            if from_ld is not paragraphs:
                paragraphs = from_ld
                # what the JSON-LD body says is body, not an uncertain extra
                said = _squash("".join(paragraphs))
                extras = [e for e in extras if _squash(e) not in said]
    if any(map(may_be_author_note, paragraphs)):
        # A note on the author under the article ("X is a reporter for ..."), when the page's
        # metadata names X its author: no article text.
        named = person_names([*json_ld_author_names(text), *(n.attributes.get("content") or ""
                                                               for n in tree.css(AUTHOR_META))])
        notes = [p for p in paragraphs if author_note(p, named)]
        if notes and len(notes) < len(paragraphs):
            paragraphs = [p for p in paragraphs if p not in notes]
            extras = [*extras, *notes]
    if paragraphs and all(map(placeholder_line, paragraphs)):
        # A shell's "Loading, please wait" until its script writes the article: no body (it made
        # a version of the placeholder, and a repost 'not faithful' to it).
        paragraphs, extras = [], [*paragraphs, *extras]
    return Article(title, tuple(paragraphs), charset, tuple(extras))


def _from_hint(page: _Page, ws, lens, puncts, avoid) -> tuple[list[str], list[str]]:
    hinted = [e for e in range(page.nelem) if page.ehint[e]]
    inside = [False] * page.nelem
    for e in range(1, page.nelem):
        inside[e] = page.ehint[e] or inside[page.eparent[e]]
    idx = [i for i, o in enumerate(page.owner) if inside[o]]
    # the site's selector wins when it holds any real text (not only links / labels)
    if not hinted or sum(page.nchars[i] for i in idx if not page.linky[i]) < HINT_MIN_CHARS:
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
    keep, labels = got.keep, got.labels
    if not keep and labels:
        # the best container held only labels (a meta line: source, date, counters):
        # it is no article; the next best container, without them, may be -- and if that
        # one holds only labels too (a copyright line), the next one
        ws2 = ws[:]
        cands = labels
        again = None
        for _ in range(LABELS_ONLY_RETRIES):
            for i in cands:
                if ws2[i] > 0:
                    ws2[i] = 0.0
            again = _container(page, ws2, lens, puncts, avoid, boost, title_elem)
            if again is None or again.keep or not again.labels:
                break
            cands = again.labels
        if again is not None and again.keep:
            got = again
        elif len(labels) >= LABELS_AS_BODY_MIN:
            # none: many lines that all looked like labels (timed subtitle lines, a list
            # of dated entries) are the body; one or two are only labels
            page.override.clear()
            got = replace(got, keep=labels, edge=[], cut=[])
    best, keep, edge, cut, short, all_idx, flagged = (got.best, got.keep, got.edge, got.cut, got.short,
                                                      got.all_idx, got.flagged)
    if not keep or (short and not _short_post(page, keep, ws, lens, title)):
        return [], []
    headline = page.owner.index(title_elem) if best < title_elem else -1
    above = [i for i in keep if i < headline]
    if above and sum(page.nchars[i] for i in above) < sum(page.nchars[i] for i in keep if i > headline):
        # what the container shows above the article's headline (a lead video's own headline,
        # a kicker, a breadcrumb) is no text of the article (where more of its text is above
        # the headline than under it, the page sets its headline under the text)
        edge = [*edge, *above]
        keep = [i for i in keep if i > headline]
    # the container may be the one paragraph element that holds most of the text: the
    # lines left out around it are then its siblings
    up = page.eparent[best]
    if up > 0 and page.etag[up] not in ("body", "html"):
        all_idx = _blocks_under(up, page)
        keep = _prose_before(page, best, ws, lens, puncts, flagged) + keep
    return _finish(page, keep, edge + _left_out(page, all_idx, keep, flagged), cut)


def _prose_before(page: _Page, best: int, ws, lens, puncts, flagged) -> list[int]:
    """The blocks of the siblings right before the container that hold only paragraphs of
    prose: an article split over boxes of its own (an intro set above the article's text,
    under a rule). A sibling without text (a rule, an empty ad slot) is passed. (Boxes after
    the article that read as prose are as often a call to comment or a promotion.)"""
    eparent, up = page.eparent, page.eparent[best]
    got: list[int] = []
    for c in reversed([c for c in range(up + 1, best) if eparent[c] == up]):
        blocks = [i for i in _blocks_under(c, page) if page.texts[i]]
        if not blocks:
            continue
        if flagged[c] or not all(_a_paragraph(page, i, ws, lens, puncts) for i in blocks):
            break
        got = blocks + got
    return got


def _a_paragraph(page: _Page, i: int, ws, lens, puncts) -> bool:
    return ws[i] > 0 and lens[i] >= INTRO_MIN_LEN and puncts[i] > 1 and not page.linky[i] \
        and page.etag[page.owner[i]] == "p" \
        and SENTENCE_ENDS_RE.search(page.texts[i]) is not None


@dataclass(frozen=True)
class _Container:
    """The article container and its cleaned blocks."""

    best: int  # the container element
    keep: list[int]  # body blocks
    edge: list[int]  # edge blocks
    cut: list[str]  # split-off lines
    short: bool  # too little prose for an article
    all_idx: list[int]  # all its blocks
    flagged: list[bool]  # flagged, per element
    labels: list[int]  # its candidate blocks when all of them were trimmed as labels


def _container(page: _Page, ws, lens, puncts, avoid, boost, title_elem: int) -> _Container | None:
    """The article container and its cleaned blocks."""
    best, score, mass, flagged = _select(page, ws, lens, puncts, boost, title_elem)
    up = page.eparent[best]
    if page.etag[best] == "p" and up > 0 and page.etag[up] not in ("body", "html") and not flagged[up]:
        # One paragraph won over the box of the article's paragraphs, its siblings, when that
        # box also holds a widget of links (a playlist of other videos) whose weight sank it.
        siblings = sum(mass[c] for c in range(up + 1, _subtree_end(up, page))
                       if page.eparent[c] == up and c != best and page.etag[c] == "p" and not flagged[c])
        if siblings >= mass[best]:
            best = up
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
    short = (prose < ARTICLE_MIN_PROSE or sentences < ARTICLE_MIN_SENTENCES
             or link_chars > ARTICLE_MAX_LINK_SHARE * (all_chars or 1))
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
        elif score[e] < 0 and box_chars[e] and box_links[e] > BOX_MAX_LINKS_PER_CHAR * box_chars[e]:
            bad_box[e] = True
    all_idx = idx
    idx = [i for i in idx if not bad_box[owner[i]]]
    keep, edge, cut, labels = _clean(page, idx, ws, lens, puncts, avoid, flagged)
    return _Container(best, keep, edge, cut, short, all_idx, flagged, labels)


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
    if not keep or sum(lens[i] for i in keep) < SHORT_POST_MIN_CHARS or not any(ws[i] > 0 for i in keep):
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
