"""The JSON-LD ``articleBody`` a page declares."""

from __future__ import annotations

import html as _html
import json
import re
from typing import Any


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
