"""The JSON-LD ``articleBody`` a page declares."""

from __future__ import annotations

import html as _html
import json
import re
from collections.abc import Iterator
from typing import Any

from crawler.extract.author import json_ld_authors


def _strip_tags_text(s: str) -> str:
    if "<" in s:
        s = re.sub(r"(?i)<br\s*/?>|</p\s*>", "\n", s)
        s = re.sub(r"<[^>]+>", "", s)
    return _html.unescape(s)


def _find_article_body(obj: Any, out: list[str]) -> None:
    stack = [obj]  # (a loop, not recursion: the decoder nests deeper than Python recurses)
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            for k, w in reversed(list(v.items())):
                if k == "articleBody" and isinstance(w, str):
                    out.append(w)
                elif isinstance(w, (dict, list)):
                    stack.append(w)
        elif isinstance(v, list):
            stack.extend(reversed(v))


def not_free(value: Any) -> bool:
    """Whether JSON-LD says its article is not free to read (`isAccessibleForFree: false`):
    the page then shows readers a part of it, and its JSON-LD may hold the rest."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            free = v.get("isAccessibleForFree")
            if free is False or (isinstance(free, str) and free.strip().lower() == "false"):
                return True
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return False


# Every <script> tag, bounded (on "<script <script ..." an unbounded one is quadratic); the
# JSON-LD ones are told by their type.
_SCRIPT_OPEN_RE = re.compile(r"<script\b[^>]{0,1000}>", re.I)
_LD_TYPE_RE = re.compile(r"application/ld\+json", re.I)


def _ld_data(text: str, needle: str) -> Iterator[Any]:
    """The parsed JSON-LD scripts of a page whose text holds `needle`."""
    for m in _SCRIPT_OPEN_RE.finditer(text):
        if not _LD_TYPE_RE.search(m.group(0)):
            continue
        end = text.find("</script", m.end())
        if end < 0:
            continue
        raw = text[m.end():end]
        if needle not in raw:
            continue
        try:
            yield json.loads(raw, strict=False)
        except (ValueError, RecursionError):  # (nested deeper than the decoder goes)
            continue


def _json_ld_body(text: str) -> tuple[str, bool]:
    """The longest JSON-LD ``articleBody`` of the page (plain text), or "", and whether the
    JSON-LD says its article is not free to read."""
    found: list[str] = []
    paywalled = False
    for data in _ld_data(text, "articleBody"):
        _find_article_body(data, found)
        paywalled = paywalled or not_free(data)
    if not found:
        return "", paywalled
    return _strip_tags_text(max(found, key=len)).strip(), paywalled


def json_ld_author_names(text: str) -> list[str]:
    """The names a page's JSON-LD gives its authors."""
    return [name for data in _ld_data(text, "author") for name in json_ld_authors(data)]
