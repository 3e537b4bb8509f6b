"""Weights of the blocks and the choice of the article container (the best-scoring subtree)."""

from __future__ import annotations

import re

from crawler.extract.walk import _PUNCT, _Page
from crawler.normalize import FULL_STOPS, count_chars, count_matches

_PUNCT_RE = re.compile("[" + re.escape(_PUNCT) + "]")
_SENT_END_RE = re.compile(f"[。！？!?{FULL_STOPS}]" + r"|\.(?:\s|$)")

# Every block costs this much weight, so that a run of short lines sums below zero.
BLOCK_COST = 1.0
# Prose earns one unit of weight per this many characters (weighted length), and a link
# block loses as much: a sentence or so of text outweighs the cost of its block.
CHARS_PER_WEIGHT = 40.0
# A skipped boilerplate box loses one unit per this many characters: its text was not read
# (it may hold some prose), so it weighs less than a link block of that size.
GHOST_CHARS_PER_WEIGHT = 60.0
# In a block shorter than this (weighted length) punctuation is not counted: the colon of
# a label or the dots of a date are no sentence marks.
PUNCT_MIN_LEN = 20
# Punctuation adds at most one unit per this many characters, so that a run of commas or
# separators (a tag line) cannot pass for dense prose.
CHARS_PER_PUNCT = 25.0
# A block with more than this share of its characters inside links is link text.
LINK_BLOCK_SHARE = 0.5
# ...unless it is one long prose link (some pages wrap a whole article in one): at least
# this long (weighted length)...
PROSE_LINK_MIN_LEN = 100
# ...with this many link characters per link (a few long links, not a list of short ones)...
PROSE_LINK_CHARS_PER_LINK = 60
# ...and this many sentence ends: one long headline is not prose.
PROSE_LINK_MIN_SENTENCES = 2
# An unpunctuated block shorter than this weighs nothing, neither body nor boilerplate:
# data-table cells and labels then neither sink nor carry a container.
NEUTRAL_MAX_LEN = 60


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
    prose_link: list[bool] = []
    prev_prose_link = False  # the previous block was part of a long prose link
    for text, n, ln, kind, nl in zip(page.texts, page.nchars, page.links, page.kinds, page.nlinks):
        if kind == "#ghost":
            ws.append(-BLOCK_COST - n / GHOST_CHARS_PER_WEIGHT)
            lens.append(0.0)
            puncts.append(0)
            linky.append(True)
            prose_link.append(False)
            continue
        L = n if text.isascii() else len(text.encode()) - text.count(" ")
        ld = ln / n if n else 1.0
        punct = count_chars(_PUNCT_RE, text) if L >= PUNCT_MIN_LEN else 0
        if ld > LINK_BLOCK_SHARE:
            if (nl == 0 and prev_prose_link) or (
                L >= PROSE_LINK_MIN_LEN and ln >= PROSE_LINK_CHARS_PER_LINK * nl
                and count_matches(_SENT_END_RE, text, PROSE_LINK_MIN_SENTENCES) >= PROSE_LINK_MIN_SENTENCES
            ):
                prev_prose_link = True
                ld = 0.0
                prose_link.append(True)
            elif links_its_words(text, n, ln, nl):
                prev_prose_link = False
                ld = 0.0
                prose_link.append(False)
            else:
                prev_prose_link = False
                ws.append(-BLOCK_COST - L / CHARS_PER_WEIGHT)
                lens.append(L)
                puncts.append(punct)
                linky.append(True)
                prose_link.append(False)
                continue
        else:
            prev_prose_link = False
            prose_link.append(False)
        c = L * (1.0 - ld)
        if punct == 0 and c < NEUTRAL_MAX_LEN:
            w = 0.0
        else:
            w = c / CHARS_PER_WEIGHT + min(punct, c / CHARS_PER_PUNCT) - BLOCK_COST
        ws.append(w)
        lens.append(L)
        puncts.append(punct)
        linky.append(False)
    page.linky = linky
    page.prose_link = prose_link
    return ws, lens, puncts


# A sentence that links most of its words ("Assange faces <a>a charge of conspiracy to commit
# computer intrusion in the US</a>."): a link or two, at most this share of it...
OWN_LINKS_MAX = 2
LINKED_SENTENCE_SHARE = 0.8
# ...and at least this many characters (spaces aside) of its own, not a label's ("Read more:
# <headline>", "Related coverage: <headline>").
LINKED_SENTENCE_OWN = 15
# (a sentence's mark, then only its closing quotes, brackets or spaces)
SENTENCE_ENDS_RE = re.compile(r"[.!?。！？]\W*$")
# ...or one that leads in to a quotation ("The Post and Courier <a>reported on the closing
# argument</a>:"), its only colon its last mark (a list's heading says more: "Related coverage
# from How to Do Everything: Money:")
_LEADS_IN_RE = re.compile(r"[:：]\s*$")
_COLON_RE = re.compile(r"[:：]")
_LABEL_LED_RE = re.compile(r"^[^.!?。！？]{0,30}[:：]")


def links_its_words(text: str, n: int, ln: int, nl: int) -> bool:
    """Whether a block that is mostly link text is one sentence of prose that links some of its
    words, not a link with a label (a list's item, "Read more: ...", "See also: ...")."""
    if not (0 < nl <= OWN_LINKS_MAX and ln <= LINKED_SENTENCE_SHARE * n and n - ln >= LINKED_SENTENCE_OWN
            and _LABEL_LED_RE.match(text) is None):
        return False
    return SENTENCE_ENDS_RE.search(text) is not None or (
        _LEADS_IN_RE.search(text) is not None and count_matches(_COLON_RE, text, 2) == 1)


# A teaser list has at least this many items: an article may pair a link with a line of
# text once or twice.
TEASER_MIN_ITEMS = 3
# ...and they are at least this share of the box's children: a body's paragraphs may each
# hold a link.
TEASER_ITEM_SHARE = 0.6
# ...and the box holds little prose besides them (a heading, a "more" line): paragraphs
# around the items are an article that gives a list.
TEASER_OTHER_SHARE = 0.25
# ...or this many of them stand side by side, whatever else the box holds (see `_mark_teasers`).
TEASER_RUN_ITEMS = 4
# ...and its items average less prose weight than this (a few hundred characters): a
# summary is a sentence or two, the sections of an article are longer.
TEASER_MAX_ITEM_WEIGHT = 12.0
# A feed's post is a link whole, or this share of it at least (a list's item whose headline is
# its link has words of its own).
FEED_LINK_SHARE = 0.9
# Teaser prose turns negative at this share of its weight: a box wrongly taken for a list
# costs its container less than the prose it holds would have given.
TEASER_WEIGHT = -0.5


_ELLIPSIS = "…⋯"
_ELLIPSIS_ENDS = frozenset("." + _ELLIPSIS)


def without_closing_ellipsis(text: str) -> str:
    """`text` without the "..." or "…" that closes it (string methods: a pattern that looks
    for the ellipsis from every space of a long run of them is quadratic)."""
    core = text.rstrip()
    bare = core.rstrip("." + _ELLIPSIS)
    closing = core[len(bare):]
    if closing and (len(closing) >= 2 or closing in _ELLIPSIS):
        return bare.rstrip()
    return text


TEASER_TAIL_MAX = 12  # characters of a "more" link after a summary's ellipsis ("...... [详情]")


def _cut_short(text: str, linked: int) -> bool:
    """Whether a line with a link ends as a summary cut short does: with an ellipsis, or with
    an ellipsis and a short link after it ("... Read more", "...... [详情]")."""
    if without_closing_ellipsis(text) != text:
        return True
    at = max(text.rfind("..."), *(text.rfind(c) for c in _ELLIPSIS))
    if at < 0:
        return False
    tail = text[at:].lstrip("." + _ELLIPSIS + " ")
    return 0 < len(tail) <= TEASER_TAIL_MAX and len(tail.replace(" ", "")) <= linked


def _mark_teasers(page: _Page, ws: list[float]) -> None:
    """Teaser lists: repeated items that each pair a link block with a short text.

    A box of three or more sibling items, most of which hold both a link-dense block
    (a headline) and some prose (a summary), is a list of other articles ("top
    stories", "more from"), not the body: its prose gets a negative weight. A run of four
    or more such items side by side in a box that holds other things too is marked in
    `page.listed`.
    """
    ne = page.nelem
    eparent = page.eparent
    has_link = [False] * ne
    mass = [0.0] * ne
    # (what only feeds and summaries cut short need is counted on the pages that have them)
    feeds = any(page.prose_link)
    unlinked = [0.0] * ne  # prose that is no link's text
    cut = [False] * ne  # holds a summary cut short ("...")
    cuts = False
    for w, o, lk, t, nl, ln, pl, n in zip(ws, page.owner, page.linky, page.texts, page.nlinks, page.links,
                                          page.prose_link, page.nchars):
        if lk:
            if t:
                has_link[o] = True
        elif w > 0:
            mass[o] += w
            if feeds and (not pl or ln < FEED_LINK_SHARE * n):
                unlinked[o] += w
            if t[-1] in _ELLIPSIS_ENDS and without_closing_ellipsis(t) != t:
                cut[o] = cuts = True
            if nl and (pl or _cut_short(t, ln)):
                # a headline's link and a summary cut short ("... may soon...") in one line, or
                # a summary that is its own link (a feed's item: a post and its author's time)
                has_link[o] = True
    nblocks = [0] * ne
    if cuts:
        for t, o in zip(page.texts, page.owner):
            if t:
                nblocks[o] += 1
    nchild = [0] * ne
    nitem = [0] * ne
    nlinked = [0] * ne  # children whose text is all a link's
    ncut = [0] * ne  # items cut short
    item_mass = [0.0] * ne
    item = [False] * ne
    for e in range(ne - 1, 0, -1):
        p = eparent[e]
        nchild[p] += 1
        # (a box of a headline and a summary cut short is an item without a link too: a slider
        # of other stories whose script opens them; a paragraph that trails off is no box)
        if (has_link[e] or (cuts and cut[e] and nblocks[e] > 1)) and mass[e] > 0:
            item[e] = True
            nitem[p] += 1
            item_mass[p] += mass[e]
            ncut[p] += cut[e]
        if cuts:
            if cut[e]:
                cut[p] = True
            nblocks[p] += nblocks[e]
        if feeds:
            if has_link[e] and unlinked[e] == 0:
                nlinked[p] += 1
            unlinked[p] += unlinked[e]
        if has_link[e]:
            has_link[p] = True
        mass[p] += mass[e]
    teaser = [False] * ne
    found = False
    for e in range(ne):
        q = nitem[e]
        # (summaries cut short, most of them, are summaries whatever they weigh: a Chinese one
        # of a hundred characters outweighs an English one of three sentences)
        if (q >= TEASER_MIN_ITEMS and q >= TEASER_ITEM_SHARE * nchild[e]
                and (item_mass[e] / q < TEASER_MAX_ITEM_WEIGHT or ncut[e] >= TEASER_ITEM_SHARE * q)
                and mass[e] - item_mass[e] <= TEASER_OTHER_SHARE * item_mass[e]) or (
                # items that are each wholly a link of their own, however long their prose (a
                # feed's posts, each a link to its author's page): an article set inside a link
                # is one link
                nlinked[e] >= TEASER_MIN_ITEMS and nlinked[e] >= TEASER_ITEM_SHARE * nchild[e] and mass[e] > 0
                and unlinked[e] <= TEASER_OTHER_SHARE * mass[e]):
            teaser[e] = True
            found = True
    # A run of items side by side in a box that holds more, but little other prose ("complete
    # coverage" cards under the article, then a "most popular" list), keeps its weight (the
    # box may be the article's column, which its summaries help to choose), but what it holds
    # is no body where it ends one (`clean`). A list of steps among an article's paragraphs is
    # the article's.
    boxes = {e for e, q in enumerate(nitem) if q >= TEASER_RUN_ITEMS and not teaser[e]
             and mass[e] - item_mass[e] <= TEASER_OTHER_SHARE * item_mass[e]}
    if boxes:
        children: dict[int, list[int]] = {}
        for e in range(1, ne):
            if eparent[e] in boxes:
                children.setdefault(eparent[e], []).append(e)
        listed = [False] * ne
        for kids in children.values():
            run: list[int] = []
            for e in [*kids, -1]:
                if e >= 0 and item[e]:
                    run.append(e)
                    continue
                if len(run) >= TEASER_RUN_ITEMS and sum(mass[x] for x in run) / len(run) < TEASER_MAX_ITEM_WEIGHT:
                    for x in run:
                        listed[x] = True
                run = []
        if any(listed):
            for e in range(1, ne):
                if listed[eparent[e]]:
                    listed[e] = True
            page.listed = listed
    if not found:
        return
    inside = teaser[:]
    for e in range(1, ne):
        if inside[eparent[e]]:
            inside[e] = True
    for i, o in enumerate(page.owner):
        if inside[o] and ws[i] > 0:
            ws[i] = TEASER_WEIGHT * ws[i]


# Container objective: subtree score plus this share of its positive mass, so that a
# container is not cut down to a fragment for the sake of a few link lines inside it.
CONTAINER_MASS_SHARE = 0.2
# A block that the JSON-LD body holds counts this many times its weight...
LD_BOOST_FACTOR = 2.0
# ...plus this: its short lines (weight near zero) then pull the container toward it too.
LD_BOOST_BONUS = 3.0
# A flag on an element holding this share of the page's prose is a false alarm (a wrapper
# whose class says "share" or "comment" for one of its parts).
FLAG_FALSE_ALARM_SHARE = 0.6
# ...and a flag on an element whose prose is this share an article it holds.
FLAG_HOLDS_ARTICLE_SHARE = 0.5
_ARTICLE_TAGS = frozenset(("article", "main"))
# Prose in a flagged subtree counts against it at this share of its weight: boilerplate,
# but a class word is less sure a sign than a list of links.
FLAGGED_PROSE_WEIGHT = 0.5
# An itemprop=articleBody element is trusted when it holds more than this share of the
# page's prose (some sites mark a teaser or a near-empty shell)...
ITEMPROP_MIN_SHARE = 0.3
# ...and then outweighs a parent holding up to this much more (comments, related boxes).
ITEMPROP_BOOST = 1.5
# A child holding this share of the container's prose is the container: the rest is a
# byline, a share bar, a caption.
NARROW_SHARE = 0.93
# A child holding the title and this share of the content besides is the container: its
# siblings are boxes of other articles.
NARROW_TITLE_SHARE = 0.2


def _select(page: _Page, ws: list[float], lens: list[float], puncts: list[int],
            boost: list[bool] | None, title_elem: int = -1):
    """Choose the article container.

    Returns (element, subtree score, positive mass, flagged per element).
    """
    ne = page.nelem
    eparent, eflag = page.eparent, page.eflag
    if boost is not None:
        ws = [w * LD_BOOST_FACTOR + LD_BOOST_BONUS if b else w for w, b in zip(ws, boost)]
    mass = [0.0] * ne
    for w, o in zip(ws, page.owner):
        if w > 0:
            mass[o] += w
    for e in range(ne - 1, 0, -1):  # children have larger indexes than parents
        mass[eparent[e]] += mass[e]
    total = mass[0] or 1.0
    # the largest prose of an unflagged <article>, <main> or itemprop=articleBody inside each element
    named = [mass[e] if (page.etag[e] in _ARTICLE_TAGS or page.epos[e] == 3) and not eflag[e] else 0.0
             for e in range(ne)]
    for e in range(ne - 1, 0, -1):
        if named[e] > named[eparent[e]]:
            named[eparent[e]] = named[e]
    # a flag on an element that holds most of the page's prose is a false alarm, and so is one on
    # a wrapper most of whose prose is an article it holds (Genesis's "content-sidebar-wrap"
    # around <main class="content"> and the sidebar): a sidebar holds no article
    flagged = [False] * ne
    for e in range(1, ne):
        flagged[e] = flagged[eparent[e]] or (eflag[e] and mass[e] < FLAG_FALSE_ALARM_SHARE * total
                                             and named[e] < FLAG_HOLDS_ARTICLE_SHARE * mass[e])
    # scores with flagged subtrees counted as boilerplate
    score = [0.0] * ne
    mass2 = [0.0] * ne
    for w, o in zip(ws, page.owner):
        if flagged[o]:
            w = -abs(w) * FLAGGED_PROSE_WEIGHT if w > 0 else w
        score[o] += w
        if w > 0:
            mass2[o] += w
    for e in range(ne - 1, 0, -1):
        p = eparent[e]
        score[p] += score[e]
        mass2[p] += mass2[e]
    alpha = CONTAINER_MASS_SHARE
    objective = [sc + alpha * m2 for sc, m2 in zip(score, mass2)]
    epos = page.epos
    if 3 in epos:
        big = ITEMPROP_MIN_SHARE * (mass2[0] or 1)
        for e, level in enumerate(epos):
            if level == 3 and mass2[e] > big:
                objective[e] *= ITEMPROP_BOOST  # itemprop=articleBody
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
            if mass2[c] >= NARROW_SHARE * m or (c in on_title_path and mass2[c] - title_mass >= NARROW_TITLE_SHARE * m):
                nxt = c
                break
        if nxt is None:
            break
        best = nxt
    return best, score, mass2, flagged


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

