"""The article's authors as its metadata names them, and the note on an author that a page
sets under its article ("Meg James is a reporter for the Los Angeles Times, covering ..."):
no article text, told by the name, whatever the site calls the element it stands in."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

# A person's name as bylines give it in Latin letters: two to four capitalised words.
_PERSON = re.compile(r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){1,3}")
_PERSON_START = re.compile(r"\s*[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){1,3}?(?=\s+[a-z])")
# What an author's note says after the name: "X is a reporter for ...", "X covers ...".
_NOTE_VERB = re.compile(r"\s+(?:is|was|has|writes|covers|reports|joined|lives)\b")
# <meta> elements that name the article's author
AUTHOR_META = "meta[name=author], meta[property='article:author']"


def json_ld_authors(value: Any) -> Iterator[str]:
    """The names under JSON-LD's `author` and `creator` keys, wherever they stand."""
    stack = [(value, False)]
    while stack:
        v, named = stack.pop()
        if isinstance(v, dict):
            for k, item in v.items():
                if k in ("author", "creator"):
                    stack.append((item, True))
                elif named and k == "name" and isinstance(item, str):
                    yield item
                elif isinstance(item, (dict, list)):
                    stack.append((item, False))
        elif isinstance(v, list):
            stack.extend((item, named) for item in v)
        elif named and isinstance(v, str):
            yield v


def person_names(found: Iterable[str]) -> tuple[str, ...]:
    """Of names found in a page's metadata, those that read as a person's (not a site's, not
    a profile's address)."""
    return tuple(sorted({n for n in (" ".join(x.split()) for x in found) if _PERSON.fullmatch(n)}))


def may_be_author_note(line: str) -> bool:
    """Whether a line is shaped as a note on an author is (a person's name, then what they are
    or do), whoever the page names its author: a cheap test before the names are read."""
    m = _PERSON_START.match(line)
    return m is not None and _NOTE_VERB.match(line, m.end()) is not None


def author_note(line: str, authors: Iterable[str]) -> bool:
    """Whether a line opens with one of the authors' names and says what that author is or does."""
    line = line.strip()
    return any(line.startswith(name) and _NOTE_VERB.match(line, len(name)) is not None for name in authors)
