"""The page's title, and the element that shows it."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from crawler.extract.walk import _Page


def _squash(s: str) -> str:
    return "".join(s.split())


# --------------------------------------------------------------------------- title

_TITLE_SEP_RE = re.compile(r"\s[-|–—_:·»/]+\s|[|｜_—–]|\s::\s|——")
# The first <h1>s confirm a title; a page with more is a list of headlines, not all of
# them to be kept out of the body.
TITLE_MAX_H1 = 5
# No block longer than this (characters) is taken for the title, however long the
# og:title (some sites put a summary there).
TITLE_BLOCK_MAX_CHARS = 300
# A block shorter than this (a word, "Home") matches a part of the title by chance.
TITLE_BLOCK_MIN_CHARS = 4
# No title is longer (characters): a hostile page's title of a megabyte is cut before it is
# split at its separators (which costs the square of its length) and before it is stored.
TITLE_MAX_CHARS = 1000


def _one_line(text: str) -> str:
    return " ".join(text[: TITLE_MAX_CHARS * 4].split())[:TITLE_MAX_CHARS]


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
                # (some templates write `value=` where `content=` belongs; a browser reads neither,
                # a crawler that shares the page reads both)
                if prop == "og:title" and not og:
                    og = _one_line(a.get("content") or a.get("value") or "")
                elif prop == "twitter:title" and not tw:
                    tw = _one_line(a.get("content") or a.get("value") or "")
            elif tag == "title" and not title:
                title = _one_line(node.text(deep=True))
    if not title:
        tnode = tree.css_first("title")
        title = _one_line(tnode.text(deep=True)) if tnode is not None else ""
    og = og or tw
    h1s = [t for t, k in zip(page.texts, page.kinds) if k == "h1"][:TITLE_MAX_H1] if page is not None else []
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


def _title_element(page: _Page, avoid: list[str]) -> int:
    """Element of the block that repeats the page title (an h1 first), or -1."""
    if not avoid:
        return -1
    avoid_set = set(avoid)
    # (a text without spaces is as long as its non-space characters, and lower case
    # makes no text shorter: a longer block cannot be one of them)
    top = min(TITLE_BLOCK_MAX_CHARS, max(map(len, avoid_set)))
    found = -1
    for t, o, k, n in zip(page.texts, page.owner, page.kinds, page.nchars):
        if TITLE_BLOCK_MIN_CHARS <= n <= top and "".join(t.split()).lower() in avoid_set:
            if k == "h1":
                return o
            if found < 0:
                found = o
    return found
