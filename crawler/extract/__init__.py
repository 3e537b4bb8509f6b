"""Generic article body extraction (title + body paragraphs) from HTML pages: the extract
step of the flow (fetch -> classify -> extract -> compare; see ``crawler``).

``extract()`` (body.py) works on pages it has never seen, Chinese (simplified and
traditional) and English alike, with no per-site rules.  Its steps, a module each:

1. decode.py, ``decode_html``: HTTP charset, BOM, ``<meta>`` declaration, else
   detection; a declaration that the bytes contradict falls back to detection.
2. walk.py: one walk over the DOM (selectolax/Lexbor) cuts the page into *blocks*: runs
   of text between block-level boundaries (``<p>``, ``<div>``, ``<li>``, ``<td>``,
   ``<br>``...), each with its length, the part of it inside links, its punctuation and
   the block-level element that owns it.  Scripts, styles, forms controls, hidden
   elements, figure captions are skipped; ``<nav>``/``<footer>``/``<aside>`` and elements
   whose class/id says share bar, related box, comments, ads... are *flagged*.  Before
   it, style.py takes out the texts the page's stylesheet hides, and cards.py the pop-up
   cards of links (a picture, headlines) set inside a paragraph.
3. score.py: each block gets a weight: positive for sentence-like text (long, punctuated
   -- the CJK marks ，。！？、；：「」“” count --, few links), negative for link lists and
   short labels.  Every element scores the sum of the weights in its subtree; the best
   element is the article container (the maximum-scoring subtree), narrowed to a child
   that holds nearly all of its content.  JSON-LD ``articleBody`` (jsonld.py; when
   consistent with the page) and ``itemprop=articleBody`` steer that choice; title.py
   finds the title and the element that shows it.
4. clean.py: inside the container, link-dense blocks, flagged subtrees, link-dense
   sub-boxes, duplicates of the title or of other blocks, and short labels at the edges
   are left out.  A page whose best container holds no real prose (error page, home
   page, list of links) gives no paragraphs.

Each tuning threshold is a named constant beside the code that uses it, with the reason
for its value.
"""


from __future__ import annotations

# The names other modules import (the witness reuses the walk's and the cleaner's rules).
from crawler.extract.body import _DEEP_TAGS as _DEEP_TAGS
from crawler.extract.body import MAX_BLOCK_DEPTH as MAX_BLOCK_DEPTH
from crawler.extract.body import _cut_deep_nesting as _cut_deep_nesting
from crawler.extract.body import extract
from crawler.extract.body import parser_ready as parser_ready
from crawler.extract.clean import _CREDIT_RE as _CREDIT_RE
from crawler.extract.clean import _EDGE_META_RE as _EDGE_META_RE
from crawler.extract.clean import _LEGAL_RE as _LEGAL_RE
from crawler.extract.clean import _PROMO_RE as _PROMO_RE
from crawler.extract.clean import appeals, placeholder_line, promotes, speaks_to_reader, withholds_rest
from crawler.extract.decode import Article, decode_html, header_charset, json_document, plain_text_page, utf16
from crawler.extract.jsonld import not_free
from crawler.extract.score import links_its_words as links_its_words
from crawler.extract.score import without_closing_ellipsis
from crawler.extract.walk import ALT_SHORTEST as ALT_SHORTEST
from crawler.extract.walk import BOILER_ROLES as BOILER_ROLES
from crawler.extract.walk import _class_signal as _class_signal
from crawler.extract.walk import alt_key as alt_key
from crawler.extract.walk import describes_image as describes_image
from crawler.extract.walk import hidden_by_class as hidden_by_class
from crawler.extract.walk import hidden_by_style as hidden_by_style

__all__ = ["Article", "appeals", "decode_html", "extract", "header_charset", "json_document", "not_free", "placeholder_line", "plain_text_page", "promotes", "speaks_to_reader", "utf16", "without_closing_ellipsis", "withholds_rest"]
