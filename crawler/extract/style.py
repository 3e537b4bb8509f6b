"""Text a page's own stylesheet hides: the anti-copy "watermark" of many Chinese sites, short
strings ("加拿大家园,www.iask.ca") set inside the paragraphs in elements of a class that a
`<style>` rule of the page hides (`.Nys842 { display:none; }`). A reader never sees them, and a
repost copied from the screen does not have them.

Only rules at the top of a stylesheet count (one inside `@media` applies to some screens), and
not where another rule shows the element again (on wider screens, as a rule); only a selector
that is one class or one id (with or without its tag). A long block hidden by a class may be
the rest of an article that a click shows, or a copy of the article planted for a reader that
does not read styles: the witness reads a copy as data the page carries (`drop_hidden`).
The scan is a few string searches rather than a CSS parser: tinycss2 took 29 ms a page on
the pages that hide anything (an analysis is about 8 ms), and only the few rules that hide
need reading.
"""

from __future__ import annotations

import re
from typing import Any

JAMMER_MAX = 60  # characters: a hidden text longer than this is no jammer, but a box the page carries
_NONE = re.compile(r"\s*:\s*none\b")  # after "display"
_HIDDEN = re.compile(r"\s*:\s*hidden\b")  # after "visibility"
_VALUE = re.compile(r"\s*:\s*[a-z]")  # any other value: drawn
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_SIMPLE = re.compile(r"[A-Za-z][A-Za-z0-9]*?([.#][A-Za-z_][\w-]*)|([.#][A-Za-z_][\w-]*)")


def _declarations(css: str) -> list[tuple[int, bool]]:
    """Where the declarations of `display` and `visibility` begin, and whether each hides
    (found by plain string search: a regular expression over every character of a large
    stylesheet costs more than all the rest)."""
    found = []
    for word, hides in (("display", _NONE), ("visibility", _HIDDEN)):
        at = css.find(word)
        while at >= 0:
            after = at + len(word)
            if hides.match(css, after):
                found.append((at, True))
            elif _VALUE.match(css, after):
                found.append((at, False))
            at = css.find(word, after)
    return sorted(found)


def hiding_selectors(stylesheets: list[str]) -> list[str]:
    """The one-class and one-id selectors (".x", "#y") of the top-level rules that hide, less
    those another rule shows again (on wider screens, as a rule: `@media (min-width:768px)
    { .pull-quote { display:block } }` makes it a box some readers see)."""
    hidden: set[str] = set()
    shown: set[str] = set()
    for css in stylesheets:
        if "/*" in css:
            css = _COMMENT.sub("", css)
        # The brace depth at `at`, the last "{" before it and where that rule's selector starts
        # (after the rule before it, an @media's brace, or an @import or @charset statement),
        # each read on from the last declaration: looked for back from each one, a rule of
        # 100,000 declarations took seconds.
        depth, at, opened, start = 0, 0, -1, 0
        for pos, hides in _declarations(css):
            depth += css.count("{", at, pos) - css.count("}", at, pos)
            brace = css.rfind("{", at, pos)
            if brace > opened:
                lo = max(opened, 0)
                start = max(css.rfind("}", lo, brace), css.rfind("{", lo, brace)) + 1
                opened = brace
            at = pos
            if opened < 0 or (hides and depth != 1):
                continue  # in no rule, or inside @media
            for selector in css[start:opened].rpartition(";")[2].split(","):
                simple = _SIMPLE.fullmatch(selector.strip())
                if simple:
                    (hidden if hides else shown).add(simple.group(1) or simple.group(2))
    return sorted(hidden - shown)


def stylesheets(html: str) -> list[str]:
    """The text of a page's `<style>` elements, found in its markup (string searches: asking the
    parsed tree for them costs more than the scan that reads them)."""
    found = []
    at = html.find("<style")
    while at >= 0:
        opened = html.find(">", at)
        closed = html.find("</style", opened)
        if opened < 0 or closed < 0:
            break
        found.append(html[opened + 1:closed])
        at = html.find("<style", closed)
    return found


def drop_hidden(tree: Any, html: str, copies: bool = True, jammers: list[str] | None = None) -> list[str]:
    """Take out of the parsed page (selectolax; `html`: its markup) what its stylesheet hides:
    the short texts (added to `jammers` when given), and the longer boxes whose words the page
    shows elsewhere (a copy of the article beside the one shown, planted for a reader that does
    not read styles), whose markup it gives back (a page carries them as it carries its
    `<noscript>`). A longer box of words shown nowhere else stays: the rest of an article that
    a click shows. (`copies`: False to take out the short texts only.)"""
    selectors = hiding_selectors(stylesheets(html))
    if not selectors:
        return []
    try:
        nodes = tree.css(", ".join(selectors))
    except Exception:  # noqa: BLE001 - a selector the parser reads otherwise hides nothing
        return []
    # (innermost first: a box inside another is taken out before the one around it, never
    # after it is gone with it)
    longer = []
    for node in reversed(nodes):
        text = node.text(deep=True, strip=True)
        size = len(text)
        if size <= JAMMER_MAX:
            if jammers is not None and text:
                jammers.append(text)
            node.decompose()
        else:
            longer.append((size, node))
    if not longer or not copies:
        return []
    root = tree.body or tree.root
    shown = _squash(root.text(deep=True)) if root is not None else ""
    carried = []
    # (the longest few: a page of ten thousand hidden boxes costs no more than one of a few)
    for _, node in sorted(longer, key=lambda x: -x[0])[:COPY_BOXES]:
        own = _squash(node.text(deep=True))
        if _copy_of(own, shown.replace(own, "", 1)):
            carried.append(node.html or "")
            node.decompose()
    return carried


COPY_BOXES = 32  # longer hidden boxes a page is read for copies in
COPY_SAMPLES = 48  # stretches of a hidden box looked for in the rest of the page
COPY_STRETCH = 10  # characters (without spaces and punctuation) of each
COPY_SHARE = 0.5  # found elsewhere: the box is a copy of what the page shows
_NOT_WORD = re.compile(r"[\W_]+")


def _squash(text: str) -> str:
    return _NOT_WORD.sub("", text or "")


def _copy_of(own: str, elsewhere: str) -> bool:
    """Whether most of a box's text (squashed) stands elsewhere on the page: stretches of it,
    evenly spaced, found in the rest (one edited word a paragraph keeps most of them)."""
    if len(own) < 2 * COPY_STRETCH or not elsewhere:
        return False
    step = max(COPY_STRETCH, (len(own) - COPY_STRETCH) // COPY_SAMPLES)
    stretches = [own[i:i + COPY_STRETCH] for i in range(0, len(own) - COPY_STRETCH + 1, step)]
    return sum(s in elsewhere for s in stretches) >= COPY_SHARE * len(stretches)
