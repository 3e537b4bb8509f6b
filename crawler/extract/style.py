"""Text a page's own stylesheet hides: the anti-copy "watermark" of many Chinese sites, short
strings ("加拿大家园,www.iask.ca") set inside the paragraphs in elements of a class that a
`<style>` rule of the page hides (`.Nys842 { display:none; }`). A reader never sees them, and a
repost copied from the screen does not have them.

Only rules at the top of a stylesheet count (one inside `@media` applies to some screens),
only a selector that is one class or one id (with or without its tag), and only short texts:
a long block hidden by a class may be the rest of an article that a click shows. The scan is
a few string searches rather than a CSS parser: tinycss2 took 29 ms a page on the pages that
hide anything (an analysis is about 8 ms), and only the few rules that hide need reading.
"""

from __future__ import annotations

import re
from typing import Any

JAMMER_MAX = 60  # characters: a hidden text longer than this is no jammer, and stays
_NONE = re.compile(r"\s*:\s*none\b")  # after "display"
_HIDDEN = re.compile(r"\s*:\s*hidden\b")  # after "visibility"
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_SIMPLE = re.compile(r"[A-Za-z][A-Za-z0-9]*?([.#][A-Za-z_][\w-]*)|([.#][A-Za-z_][\w-]*)")


def _hiding_declarations(css: str) -> list[int]:
    """Where the declarations that hide begin (found by plain string search: a regular
    expression over every character of a large stylesheet costs more than all the rest)."""
    found = []
    for word, rest in (("display", _NONE), ("visibility", _HIDDEN)):
        at = css.find(word)
        while at >= 0:
            if rest.match(css, at + len(word)):
                found.append(at)
            at = css.find(word, at + len(word))
    return sorted(found)


def hiding_selectors(stylesheets: list[str]) -> list[str]:
    """The one-class and one-id selectors (".x", "#y") of the top-level rules that hide."""
    found: set[str] = set()
    for css in stylesheets:
        if "/*" in css:
            css = _COMMENT.sub("", css)
        depth, at = 0, 0  # the brace depth at `at` (counted on from the last declaration: linear)
        for pos in _hiding_declarations(css):
            depth += css.count("{", at, pos) - css.count("}", at, pos)
            at = pos
            if depth != 1:
                continue  # inside @media (or in no rule at all)
            opened = css.rfind("{", 0, at)
            start = css.rfind("}", 0, opened) + 1
            # (after an @import or @charset statement, if one comes first)
            for selector in css[start:opened].rpartition(";")[2].split(","):
                simple = _SIMPLE.fullmatch(selector.strip())
                if simple:
                    found.add(simple.group(1) or simple.group(2))
    return sorted(found)


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


def drop_hidden_jammers(tree: Any, html: str) -> None:
    """Take out of the parsed page (selectolax; `html`: its markup) the short texts its
    stylesheet hides."""
    selectors = hiding_selectors(stylesheets(html))
    if not selectors:
        return
    try:
        nodes = tree.css(", ".join(selectors))
    except Exception:  # noqa: BLE001 - a selector the parser reads otherwise hides nothing
        return
    for node in nodes:
        if len(node.text(deep=True, strip=True)) <= JAMMER_MAX:
            node.decompose()
