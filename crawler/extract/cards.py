"""Cards of links a page sets inside a paragraph: a name's pop-up card (its picture, the
person's latest headlines, "MORE") that a script shows on hover, written into the `<p>`
where the name stands. The card's text is not the paragraph's, and its links made the
paragraph read as a list of links, so the extractor left the paragraph out. A card is an
inline element inside the paragraph that holds a picture and at least two links, and
little text besides its links; it is taken out of the parsed page before the walk.
"""

from __future__ import annotations

from typing import Any

CARD_LINKS_MIN = 2  # links of a card besides its picture (a name's link and its headlines)
CARD_LINK_SHARE = 0.8  # of its text inside links
CARD_DEPTH = 4  # inline elements between a picture and its paragraph
CARDS_READ = 200  # pictures inside paragraphs looked at (a hostile page has many thousands)
_INLINE = frozenset("span a em strong b i small u font cite".split())


def drop_link_cards(tree: Any) -> None:
    """Take out of the parsed page (selectolax) the cards of links inside its paragraphs."""
    seen: set[int] = set()
    for img in tree.css("p img")[:CARDS_READ]:
        node = img.parent
        for _ in range(CARD_DEPTH):
            if node is None or node.tag not in _INLINE or node.mem_id in seen:
                break
            seen.add(node.mem_id)
            if _card(node):
                paragraph = node.parent
                while paragraph is not None and paragraph.tag != "p":
                    paragraph = paragraph.parent
                if paragraph is not None and _chars(paragraph) > _chars(node):
                    node.decompose()
                break
            node = node.parent


def _card(node: Any) -> bool:
    links = node.css("a")
    if len(links) < CARD_LINKS_MIN:
        return False
    size = _chars(node)
    linked = sum(_chars(a) for a in links)
    return size > 0 and linked >= CARD_LINK_SHARE * size


def _chars(node: Any) -> int:
    # (characters other than spaces: a card's share of a paragraph, its links' share of it)
    return len("".join((node.text(deep=True) or "").split()))
