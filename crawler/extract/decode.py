"""Decoding a page's bytes: HTTP charset, BOM, ``<meta>`` declaration, else detection; and the
:class:`Article` the extractor returns."""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Article:
    """Title and body of a page.

    ``paragraphs`` is precision-oriented: only what is surely body.  ``extras`` holds the
    text lines inside the article container that were left out as uncertain: lines
    trimmed at the edges of the body (bylines, credits, datelines, picture sources,
    copyright), link-mostly paragraphs among the body paragraphs (reference links).  Page
    chrome outside the container (menus, sidebars, related lists, share bars, comments,
    footers) is in neither.
    """

    title: str
    paragraphs: tuple[str, ...]
    charset: str
    extras: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


_JSON_START = re.compile(r"[\ufeff \t\r\n]*[{\[]")


def json_document(text: str) -> object | None:
    """The value of a document that is JSON, not HTML (an article URL that answers its API's
    data), else None: its strings are data the page carries, not text it shows."""
    if _JSON_START.match(text) is None:  # (a match, not lstrip: no copy of every page)
        return None
    try:
        return json.loads(text.lstrip("\ufeff"), strict=False)
    except (ValueError, RecursionError):  # (nested deeper than the decoder goes)
        return None


# --------------------------------------------------------------------------- decoding

_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "gb_2312": "gb18030",
    "chinese": "gb18030",
    "csgb2312": "gb18030",
    "euc-cn": "gb18030",
    "euccn": "gb18030",
    "cp936": "gb18030",
    "ms936": "gb18030",
    "windows-936": "gb18030",
    "gb18030": "gb18030",
    "hz-gb-2312": "hz",
    "big5": "big5hkscs",
    "big-5": "big5hkscs",
    "big5-hkscs": "big5hkscs",
    "big5hkscs": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs",
    "cp950": "big5hkscs",
    "ms950": "big5hkscs",
    "windows-950": "big5hkscs",
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
    # WHATWG: these labels mean windows-1252
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "x-sjis": "shift_jis",
    "shift-jis": "shift_jis",
    "sjis": "shift_jis",
    "windows-31j": "cp932",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
    "unicode": "utf-16",
}

_CT_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_META_CHARSET_RE = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.I
)


# Codecs of Chinese, Japanese and Korean, whose bytes no single-byte label should garble.
_MULTIBYTE = frozenset(("gb18030", "big5hkscs", "shift_jis", "cp932", "euc_jp", "cp949", "euc_kr", "hz", "iso2022_jp"))
_UTF16 = {"utf-16": "utf-16-le", "utf-16-le": "utf-16-le", "utf-16-be": "utf-16-be"}


def _norm_charset(label: str | None, header: bool = False) -> str | None:
    """Python codec name for a declared charset label, or None if unknown. `header`: the label
    is the HTTP header's, which (unlike a <meta>) may truthfully say UTF-16 (WHATWG: "utf-16"
    is little-endian)."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if not label:
        return None
    name = _ALIASES.get(label)
    if name is None:
        try:
            name = codecs.lookup(label).name
        except LookupError:
            return None
        name = _ALIASES.get(name, name)
    if header and name in _UTF16:
        return _UTF16[name]
    if name in ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"):
        # a <meta> cannot truthfully declare UTF-16 in bytes we could read as ASCII
        return "utf-8"
    return name


# A few bad characters (one truncated at a cut, a stray byte) are the page's fault, not a
# wrong label...
STRAY_ERRORS = 3
# ...and so is this share of its non-ASCII bytes on a long page: a wrong label garbles
# most of them.
STRAY_ERROR_SHARE = 0.002
# A <meta> charset is looked for this far (bytes): browsers look in the first 1,024, but
# pages with long heads (inline scripts, styles) declare it later.
META_SCAN_BYTES = 16384


def _strict_or_few_errors(data: bytes, enc: str) -> str | None:
    """Decode with ``enc``; None when the bytes contradict it (more than stray errors)."""
    try:
        return data.decode(enc)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = data.decode(enc, errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode("utf-8"))
    # a truncated character here and there is the page's fault, not a wrong label
    non_ascii = len(data) - len(data.translate(None, bytes(range(0x80, 0x100)))) or 1
    if bad <= STRAY_ERRORS or bad / non_ascii < STRAY_ERROR_SHARE:
        return text
    return None


def _detect(data: bytes) -> tuple[str, str, bool]:
    if data.isascii():
        return data.decode("ascii"), "utf-8", True
    try:
        return data.decode("utf-8"), "utf-8", True
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # pragma: no cover - detector failure
        best = None
    if best is not None and best.encoding:
        enc = _norm_charset(best.encoding) or best.encoding
        text = _strict_or_few_errors(data, enc)
        if text is not None:
            return text, enc, False
    for enc in ("gb18030", "big5hkscs", "cp1252"):
        text = _strict_or_few_errors(data, enc)
        if text is not None:
            return text, enc, False
    return data.decode("utf-8", errors="replace"), "utf-8", False


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode HTML bytes; returns ``(text, charset)``.

    Order: byte order mark, charset of the HTTP ``Content-Type`` (but ISO-8859-1 or
    windows-1252 there, a server's default, yields to a ``<meta>`` naming another), ``<meta
    charset>`` / ``http-equiv`` in the first 16 KiB, then detection (valid UTF-8, else
    charset-normalizer).  GBK/GB2312 are decoded as gb18030, Big5 as big5hkscs.  A
    declaration contradicted by the bytes (decode errors, or legacy CJK declared over
    bytes that are valid UTF-8) falls back to detection.
    """
    text, charset, _exact = _decode(data, content_type)
    return text, charset


def header_charset(content_type: str | None) -> str | None:
    """The codec a Content-Type header names (``text/html; charset=gbk`` -> gb18030), or None."""
    header = _CT_CHARSET_RE.search(content_type) if content_type else None
    return _norm_charset(header.group(1), header=True) if header else None


def utf16(codec: str) -> bool:
    """Whether a codec of `header_charset` is UTF-16 (either byte order)."""
    return codec in _UTF16.values()


def _decode(data: bytes, content_type: str | None) -> tuple[str, str, bool]:
    """``decode_html``, and whether the text is exactly ``data`` read as UTF-8 (the
    parser then takes the bytes as they are, saving a re-encoding)."""
    if isinstance(data, str):  # already text
        return data, "utf-8", False
    # BOM first when present: it is unambiguous
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace"), "utf-8" if enc == "utf-8" else enc, False
    declared: list[str] = []
    named = header_charset(content_type)
    if named is not None and utf16(named):
        if b"\x00" in data[:1024]:
            # Its ASCII is not ASCII bytes: no <meta> is readable, and the bytes are not UTF-8.
            return data.decode(named, errors="replace"), named, False
        named = None  # markup without a zero byte is no UTF-16 ("charset=unicode" over UTF-8)
    if named:
        declared.append(named)
    meta = _META_CHARSET_RE.search(data[:META_SCAN_BYTES])
    if meta:
        named = _norm_charset(meta.group(1).decode("ascii", "ignore"))
        if named:
            # ISO-8859-1 in the header is a web server's default label, not the author's word,
            # and windows-1252 reads any bytes: the page's own <meta> goes first (GBK bytes
            # under such a header were read as mojibake, and no repost was found in them).
            declared.insert(0 if declared == ["cp1252"] else len(declared), named)
    ascii_only = data.isascii()
    utf8_tried = False
    detected = None
    for enc in declared:
        if not utf8_tried and (enc == "utf-8" or not ascii_only):
            # bytes that are valid UTF-8 (with non-ASCII) are UTF-8 whatever the label says
            utf8_tried = True
            try:
                return data.decode("utf-8"), "utf-8", True
            except UnicodeDecodeError:
                pass
        if enc == "cp1252" and not ascii_only:
            # The server's default label, which any bytes satisfy: Chinese, Japanese or Korean
            # bytes under it are what the detector says they are, not mojibake.
            detected = _detect(data)
            if detected[1] in _MULTIBYTE:
                return detected
        text = _strict_or_few_errors(data, enc)
        if enc in _OTHER_CHINESE:
            read = _likelier_chinese(data, text, enc)
            if read is not None:
                return read
        elif text is not None:
            return text, enc, False
    return detected or _detect(data)


# GBK and Big5 read most of each other's byte pairs without an error (GB18030 reads every Big5
# pair, a fifth of them as private-use characters), as characters no text strings together:
# the label is believed unless the text it gives is garbled (charset-normalizer's mess ratio of
# its first non-ASCII characters) where the other reading is not. Big5 under a "gbk" label was
# read as mojibake, and the repost found nowhere in it.
_OTHER_CHINESE = {"gb18030": "big5hkscs", "big5hkscs": "gb18030"}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
MESS_SAMPLE = 2000  # non-ASCII characters looked at
# Read right, the 192 Chinese pages of the development set (stored as UTF-8, written out as GBK
# and as Big5) measure 0 to 1.04 (a page of traditional characters in GBK), most under 0.1; read
# as Big5, the GBK ones never decode without errors; read as GBK, the Big5 ones measure 1.5 to
# 4.8, never under 8 times their right reading.
MESS_GARBLED = 0.3
MESS_FACTOR = 3  # the other reading must measure at most a third as much


def _likelier_chinese(data: bytes, text: str | None, enc: str) -> tuple[str, str, bool] | None:
    """The reading of bytes under a GBK or Big5 label: its own (`text`, None when the bytes
    contradict it) unless the other one reads better: a third of its mess, or, where the label
    cannot be read, not garbled (GBK and Big5 are the labels most often swapped: the other one
    before a detector's guess, which read GBK under a Big5 label as Mac Latin-2). None: neither."""
    limit = MESS_GARBLED
    if text is not None:
        mess = _mess(text)
        if mess <= MESS_GARBLED:
            return text, enc, False
        limit = mess / MESS_FACTOR
    other = _OTHER_CHINESE[enc]
    alternative = _strict_or_few_errors(data, other)
    if alternative is not None and _mess(alternative) < limit:
        return alternative, other, False
    return None if text is None else (text, enc, False)


def _mess(text: str) -> float:
    from charset_normalizer.md import mess_ratio

    sample: list[str] = []
    size = 0
    for m in _NON_ASCII.finditer(text):  # (the first runs only: a page may be megabytes)
        sample.append(text[m.start():min(m.end(), m.start() + MESS_SAMPLE - size)])
        size += len(sample[-1])
        if size >= MESS_SAMPLE:
            break
    return mess_ratio("".join(sample), maximum_threshold=1.0)


_MARKUP = re.compile(r"<(?:!doctype|html|head|body|p|div|br|article|title)\b", re.I)
_BLANK_LINE = re.compile(r"\n[ \t\u3000]*\n")
_ENDS_SENTENCE = re.compile(r"[。！？!?.:：]\s*$")
_TITLE_MAX = 120  # characters: a first line longer than this is a paragraph, not the title


def plain_text_page(data: bytes, content_type: str | None) -> bytes | None:
    """An article served as `text/plain`, as the HTML page it reads as: its first line the
    title when it is short and ends no sentence, each block between blank lines (or each line,
    when there is no blank one) a paragraph. Parsed as HTML, its paragraphs ran together and
    its title was counted among them. None when it is no plain text (or marks itself up)."""
    if not (content_type or "").lower().strip().startswith("text/plain"):
        return None
    text, _charset = decode_html(data, content_type)
    if _MARKUP.search(text[:4096]):
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = [b.strip() for b in _BLANK_LINE.split(text)] if _BLANK_LINE.search(text) else text.split("\n")
    blocks = [" ".join(b.split()) for b in blocks if b.strip()]
    title = ""
    if blocks and len(blocks[0]) <= _TITLE_MAX and not _ENDS_SENTENCE.search(blocks[0]) and len(blocks) > 1:
        title = blocks.pop(0)
    body = "".join(f"<p>{escape(b)}</p>" for b in blocks)
    head = f"<title>{escape(title)}</title>" if title else ""
    h1 = f"<h1>{escape(title)}</h1>" if title else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'>{head}</head>"
            f"<body><article>{h1}{body}</article></body></html>").encode("utf-8")
