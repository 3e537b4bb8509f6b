"""URL normalisation and source identity.

A *source* is one original URL after `normalize_url`; sites whose config has an
`article_id` rule fold several URL forms of one article (GNews `zh-hans`/`zh-hant`)
into one source whose canonical URL is the first alias form.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from urllib.parse import urlsplit

from crawler.config import Config, SiteConfig

_DEFAULT_PORTS = {"http": 80, "https": 443}

# Characters a browser would percent-encode anyway (controls, space, quotes, angle
# brackets, backtick, braces, anything non-ASCII) plus every `%`, so that the slow
# path below only runs on URLs that need it.
_NEEDS_WORK = re.compile(r"[^\x21-\x7e]|[%\"<>`{}]")
_PERCENT_OR_BAD = re.compile(r"%([0-9A-Fa-f]{2})?|[^\x21-\x7e]|[\"<>`{}]")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _fix_percent(match: re.Match[str]) -> str:
    text = match.group(0)
    if text[0] == "%":
        hexpair = match.group(1)
        if hexpair is None:
            return "%25"  # a lone `%` cannot stay: it would change meaning when decoded
        char = chr(int(hexpair, 16))
        # RFC 3986 6.2.2.2: an encoded unreserved character is the character itself.
        return char if char in _UNRESERVED else "%" + hexpair.upper()
    return "".join(f"%{b:02X}" for b in text.encode("utf-8", "surrogatepass"))


def normalize_component(text: str) -> str:
    """A URL's path or query escaped one way (RFC 3986 6.2.2): upper-case hex, unreserved
    characters as themselves, what a browser escapes escaped as UTF-8."""
    if not _NEEDS_WORK.search(text):
        return text
    return _PERCENT_OR_BAD.sub(_fix_percent, text)


# Already-normal URLs (lower-case scheme and host, no port, userinfo, fragment or
# percent sign) are the common case in the archive; they skip urlsplit entirely.
_ALREADY_NORMAL = re.compile(
    r"(https?://[a-z0-9\-.]+)(/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?(?:\?([A-Za-z0-9\-._~!$&'()*+,;=:@/?]*))?\Z"
)


_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\Z")


_NUMBER = re.compile(r"0x[0-9a-f]*|[0-9]+", re.I)


@lru_cache(maxsize=4096)
def usable_host(host: str) -> bool:
    """Whether `host` (lower-case, IDNA applied, IPv6 in brackets or not) can name a server: an
    IP address, or DNS labels of letters, digits, hyphens (none at an edge) and underscores, an
    "xn--" label being punycode that decodes ("xn--/x" passed the scan, then failed every fetch)."""
    bare = host.strip("[]")
    try:
        ipaddress.ip_address(bare)
        return True
    except ValueError:
        pass
    labels = bare[:-1].split(".") if bare.endswith(".") else bare.split(".")
    if not labels or len(bare) > 253 or not all(_LABEL.match(label) for label in labels):
        return False
    if _NUMBER.fullmatch(labels[-1]):
        # A name that ends in a number is an IPv4 address to a browser (WHATWG URL): one in
        # another form ("0177.0.0.1", "0x7f.1") no HTTP client here accepts.
        return False
    try:
        # punycode alone: IDNA 2003's round trip refuses IDNA 2008 names ("faß.de")
        return all(label[4:].encode("ascii").decode("punycode") for label in labels if label.startswith("xn--"))
    except UnicodeError:
        return False


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, IDNA host, no fragment, no default port,
    minimal percent-encoding fixes; path case and trailing slash kept (an empty
    path becomes `/`, which is the same resource). ValueError for non-http(s) or
    hostless URLs."""
    url = url.strip()
    fast = _ALREADY_NORMAL.match(url)
    if fast is not None:
        base, path, query = fast.groups()
        if not usable_host(base.split("://", 1)[1]):
            raise ValueError(f"not a usable host name: {url!r}")
        return base + (path or "/") + (f"?{query}" if query else "")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname  # already lower-cased, IPv6 brackets removed
    if not host:
        raise ValueError(f"URL has no host: {url!r}")
    if not host.isascii():
        # UnicodeError (a ValueError) for labels IDNA cannot encode.
        host = host.encode("idna").decode("ascii")
    if not usable_host(host):
        raise ValueError(f"not a usable host name: {url!r}")
    if ":" in host:
        host = f"[{host}]"
    port = parts.port  # ValueError for a non-numeric or out-of-range port
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:
        netloc = f"{normalize_component(userinfo)}@{netloc}"
    path = normalize_component(parts.path) or "/"
    query = normalize_component(parts.query)
    return f"{scheme}://{netloc}{path}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class SourceIdentity:
    canonical_url: str
    aliases: tuple[str, ...]


def site_for(host: str, sites: Mapping[str, SiteConfig]) -> SiteConfig | None:
    """The SiteConfig for `host` with exactly the matching rules of `Config.site`
    (www. and subdomains), reused rather than copied so the two cannot drift."""
    return Config.site(SimpleNamespace(sites=sites), host)  # type: ignore[arg-type]


@lru_cache(maxsize=64)
def _article_rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def source_identity(url: str, sites: Mapping[str, SiteConfig]) -> SourceIdentity:
    """One source per article: URL forms matched by the host's `article_id` rule
    map to its alias list (canonical first); other URLs are their own source."""
    normalized = normalize_url(url)
    parts = urlsplit(normalized)
    site = site_for(parts.hostname or "", sites)
    if site is None or not site.article_id or not site.aliases:
        return SourceIdentity(normalized, ())
    match = _article_rule(site.article_id).search(parts.path)
    if match is None or match.group(1) is None:
        return SourceIdentity(normalized, ())
    article = match.group(1)
    # str.replace, not str.format: an alias URL may legitimately hold other braces.
    aliases = tuple(dict.fromkeys(normalize_url(a.replace("{id}", article)) for a in site.aliases))
    return SourceIdentity(aliases[0], aliases)


@lru_cache(maxsize=16)
def _normalized_set(placeholders: tuple[str, ...]) -> frozenset[str]:
    out = set()
    for p in placeholders:
        try:
            out.add(normalize_url(p))
        except ValueError:
            out.add(p)
    return frozenset(out)


def is_placeholder(url: str, placeholders: Iterable[str]) -> bool:
    """True when `url` names one of `placeholders` after normalisation on both sides."""
    try:
        normalized = normalize_url(url)
    except ValueError:
        return False
    return normalized in _normalized_set(tuple(placeholders))


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def header_url(value: str) -> str:
    """A URL from a header as a browser reads it. Headers arrive as bytes (read here as
    latin-1); a server that writes "/新闻.html" there sends its UTF-8 bytes raw: they are that
    text (httpx would otherwise encode each byte's latin-1 character again, a URL that 404s).
    Bytes that are no UTF-8 (GBK) are sent on as they came, percent-encoded, as curl does."""
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value
    if not _HIGH_BYTE.search(raw):
        return value
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return _HIGH_BYTE.sub(lambda m: b"%%%02X" % m.group(0)[0], raw).decode("ascii")
