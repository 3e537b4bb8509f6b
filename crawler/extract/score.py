"""Weights of the blocks and the choice of the article container (the best-scoring subtree)."""

from __future__ import annotations

import re

from crawler.extract.walk import _PUNCT, _Page

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
