"""Strict loading of `config.toml`.

Every key has a default; an unknown key, a wrong type or a bad value raises
`ConfigError` naming the key, which the CLI turns into exit 2.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser, SelectolaxError

from crawler import __version__

DEFAULT_USER_AGENT = f"repost-mirror/{__version__} (+https://github.com/repost-mirror/repost-mirror)"


class ConfigError(Exception):
    """A config value that cannot be used; `key` is its dotted name."""

    def __init__(self, key: str, message: str, *, plain: bool = False) -> None:
        # `plain`: the message already says what is wrong in words (the file itself, not a key).
        super().__init__(message if plain else f"config key '{key}': {message}")
        self.key = key


# Bounds past which a value only breaks the crawl (it never ends, or never waits).
MAX_DELAY = 86400.0         # seconds between requests to one host: one a day
MAX_TIMEOUT = 3600.0        # seconds for one request
MAX_RETRIES = 20
MAX_DURATION = 100 * 365 * 86400.0  # revisit intervals: a century means never

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """`30`, `90s`, `15m`, `6h`, `7d`, `2w` -> seconds. Raises ValueError."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 15m, 6h, 7d)")
    seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if not math.isfinite(seconds):
        raise ValueError(f"not a duration: {text!r} is too long")
    return seconds


@dataclass(frozen=True)
class ArchiveConfig:
    root: Path = Path("examples/archive")
    include: tuple[str, ...] = ("**/*.md",)
    exclude: tuple[str, ...] = ()
    source_link_text: tuple[str, ...] = ("轉載自", "转载自", "轉發自", "转发自", "原文連接", "原文链接")
    trailer_patterns: tuple[str, ...] = ("^上传排版[：:]",)
    placeholder_sources: tuple[str, ...] = (
        "https://gnews.org/ThreadView/0",
        "http://littleantvoice.blogspot.com/",
    )
    history: bool = False
    max_file_bytes: int = 5_000_000


@dataclass(frozen=True)
class StoreConfig:
    database: Path = Path("mirror.db")
    mirror: Path = Path("mirror/")


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str = DEFAULT_USER_AGENT
    concurrency: int = 32
    per_host_concurrency: int = 1
    delay: float = 1.0
    timeout: float = 30.0
    max_bytes: int = 10_000_000
    retries: int = 3
    respect_robots: bool = True
    allow_private_addresses: bool = False
    revisit_alive: float = 7 * 86400.0  # seconds
    revisit_dead: float = 30 * 86400.0  # seconds
    dead_after: int = 3


@dataclass(frozen=True)
class CompareConfig:
    min_change_chars: int = 8
    boilerplate_min_reposts: int = 20
    fold_chinese_script: bool = True


@dataclass(frozen=True)
class WaybackConfig:
    enabled: bool = True
    availability_url: str = "https://archive.org/wayback/available"
    cdx_url: str = "https://web.archive.org/cdx/search/cdx"
    attribution_window: float = 30 * 86400.0  # seconds either side of a repost's date


@dataclass(frozen=True)
class ReportConfig:
    # This many sources of one host dead in one crawl make one site event in the report.
    site_event_min: int = 20


@dataclass(frozen=True)
class SiteConfig:
    body: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    article_id: str | None = None
    aliases: tuple[str, ...] = ()


DEFAULT_SITES = {
    "gnews.org": SiteConfig(
        article_id=r"^/zh-han[st]/(\d+)/?$",
        aliases=("https://gnews.org/zh-hans/{id}/", "https://gnews.org/zh-hant/{id}/"),
    )
}


@dataclass(frozen=True)
class Config:
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    store: StoreConfig = field(default_factory=StoreConfig)
    crawl: CrawlConfig = field(default_factory=CrawlConfig)
    compare: CompareConfig = field(default_factory=CompareConfig)
    wayback: WaybackConfig = field(default_factory=WaybackConfig)
    report: ReportConfig = field(default_factory=ReportConfig)
    sites: dict[str, SiteConfig] = field(default_factory=lambda: dict(DEFAULT_SITES))
    path: Path | None = None  # the file it was read from, if any

    def site(self, host: str) -> SiteConfig | None:
        """The hints for `host`, also matching `www.` and subdomains of a configured site."""
        host = host.lower()
        while host:
            if host in self.sites:
                return self.sites[host]
            if "." not in host:
                return None
            host = host.split(".", 1)[1]
        return None


# --- validation -----------------------------------------------------------

def _check_type(key: str, value: Any, kind: type | tuple[type, ...]) -> None:
    # bool is an int in Python; a `true` where a number belongs is still a type error.
    if isinstance(value, bool) and kind is not bool and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ConfigError(key, f"expected {_kind_name(kind)}, got a boolean")
    if not isinstance(value, kind):
        raise ConfigError(key, f"expected {_kind_name(kind)}, got {type(value).__name__} {value!r}")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def _str_list(key: str, value: Any) -> tuple[str, ...]:
    _check_type(key, value, list)
    for i, item in enumerate(value):
        _check_type(f"{key}[{i}]", item, str)
    return tuple(value)


def _regex_list(key: str, value: Any) -> tuple[str, ...]:
    items = _str_list(key, value)
    for i, pattern in enumerate(items):
        _compile(f"{key}[{i}]", pattern)
    return items


def _selectors(key: str, value: Any) -> tuple[str, ...]:
    # A selector the parser rejects would match nothing, night after night, unseen.
    items = _str_list(key, value)
    page = LexborHTMLParser("<p></p>")
    for i, selector in enumerate(items):
        try:
            page.css(selector)
        except SelectolaxError:
            raise ConfigError(f"{key}[{i}]", f"not a CSS selector the HTML parser reads: {selector!r}") from None
    return items


def _compile(key: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ConfigError(key, f"invalid regular expression {pattern!r}: {exc}") from None


def _number(key: str, value: Any, *, minimum: float = 0, integer: bool = False, above: bool = False,
            maximum: float | None = None) -> float | int:
    _check_type(key, value, int if integer else (int, float))
    if not math.isfinite(value):
        # nan compares false with every bound: it would turn politeness or timeouts off unseen.
        raise ConfigError(key, f"must be a finite number, got {value}")
    if value < minimum or (above and value == minimum):
        raise ConfigError(key, f"must be {'greater than' if above else 'at least'} {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(key, f"must be at most {_plain(maximum)}, got {_plain(value)}")
    return int(value) if integer else float(value)


def _plain(number: float) -> str:
    """A bound or a value as a config file writes it: 1000000, not 1e+06."""
    return str(int(number)) if float(number).is_integer() and abs(number) < 1e18 else f"{number:g}"


def _duration(key: str, value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number(key, value, maximum=MAX_DURATION)
    _check_type(key, value, str)
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise ConfigError(key, str(exc)) from None
    if seconds > MAX_DURATION:
        raise ConfigError(key, f"must be at most {MAX_DURATION // 86400:.0f}d, got {value!r}")
    return _number(key, seconds)


def _user_agent(key: str, value: Any) -> str:
    text = _str(key, value)
    # An HTTP header value: a CR or LF would end it, a non-ASCII character cannot be sent.
    bad = next((c for c in text if not " " <= c <= "~"), None)
    if bad is not None:
        raise ConfigError(key, f"must be printable ASCII (a header value), found {bad!r}")
    return text


def _http_url(key: str, value: Any) -> str:
    _check_type(key, value, str)
    if not re.match(r"^https?://[^/\s]+", value):
        raise ConfigError(key, f"must be an http(s) URL, got {value!r}")
    return value


def _take(section: str, table: Any, spec: dict[str, Any], defaults: Any) -> Any:
    """Build the dataclass `defaults` is an instance of from `table`, key by key."""
    if not isinstance(table, dict):
        raise ConfigError(section, f"expected a table, got {type(table).__name__}")
    unknown = sorted(set(table) - set(spec))
    if unknown:
        raise ConfigError(f"{section}.{unknown[0]}", f"unknown key (known: {', '.join(sorted(spec))})")
    values = {name: convert(f"{section}.{name}", table[name]) for name, convert in spec.items() if name in table}
    return dataclasses.replace(defaults, **values)


def _bool(key: str, value: Any) -> bool:
    _check_type(key, value, bool)
    return value


def _str(key: str, value: Any) -> str:
    _check_type(key, value, str)
    if not value.strip():
        raise ConfigError(key, "must not be empty")
    return value


_ARCHIVE = {
    "root": lambda k, v: Path(_str(k, v)),
    "include": _str_list,
    "exclude": _str_list,
    "source_link_text": _str_list,
    "trailer_patterns": _regex_list,
    "placeholder_sources": lambda k, v: tuple(_http_url(f"{k}[{i}]", x) for i, x in enumerate(_str_list(k, v))),
    "history": _bool,
    "max_file_bytes": lambda k, v: _number(k, v, minimum=1, integer=True),
}
_STORE = {
    "database": lambda k, v: Path(_str(k, v)),
    "mirror": lambda k, v: Path(_str(k, v)),
}
_CRAWL = {
    "user_agent": _user_agent,
    "concurrency": lambda k, v: _number(k, v, minimum=1, integer=True),
    "per_host_concurrency": lambda k, v: _number(k, v, minimum=1, integer=True),
    "delay": lambda k, v: _number(k, v, maximum=MAX_DELAY),
    "timeout": lambda k, v: _number(k, v, above=True, maximum=MAX_TIMEOUT),
    "max_bytes": lambda k, v: _number(k, v, minimum=1, integer=True),
    "retries": lambda k, v: _number(k, v, integer=True, maximum=MAX_RETRIES),
    "respect_robots": _bool,
    "allow_private_addresses": _bool,
    "revisit_alive": _duration,
    "revisit_dead": _duration,
    "dead_after": lambda k, v: _number(k, v, minimum=1, integer=True),
}
_COMPARE = {
    "min_change_chars": lambda k, v: _number(k, v, minimum=1, integer=True),
    "boilerplate_min_reposts": lambda k, v: _number(k, v, minimum=2, integer=True),
    "fold_chinese_script": _bool,
}
_WAYBACK = {"enabled": _bool, "availability_url": _http_url, "cdx_url": _http_url, "attribution_window": _duration}
_REPORT = {"site_event_min": lambda k, v: _number(k, v, minimum=1, integer=True)}


def _article_id(key: str, value: Any) -> str:
    pattern = _str(key, value)
    if _compile(key, pattern).groups < 1:
        raise ConfigError(key, "needs one capturing group for the article id")
    return pattern


def _aliases(key: str, value: Any) -> tuple[str, ...]:
    items = _str_list(key, value)
    for i, item in enumerate(items):
        if "{id}" not in item:
            raise ConfigError(f"{key}[{i}]", f"an alias needs an {{id}} placeholder, got {item!r}")
        _http_url(f"{key}[{i}]", item)
    return items


_SITE = {"body": _selectors, "drop": _selectors, "article_id": _article_id, "aliases": _aliases}


def parse_config(data: dict[str, Any], path: Path | None = None) -> Config:
    """Turn a parsed TOML document into a Config; relative paths stay relative to `path`'s folder."""
    sections = {"archive", "store", "crawl", "compare", "wayback", "report", "sites"}
    unknown = sorted(set(data) - sections)
    if unknown:
        raise ConfigError(unknown[0], f"unknown section or key (known: {', '.join(sorted(sections))})")
    base = Config()
    archive = _take("archive", data.get("archive", {}), _ARCHIVE, base.archive)
    store = _take("store", data.get("store", {}), _STORE, base.store)
    crawl = _take("crawl", data.get("crawl", {}), _CRAWL, base.crawl)
    compare = _take("compare", data.get("compare", {}), _COMPARE, base.compare)
    wayback = _take("wayback", data.get("wayback", {}), _WAYBACK, base.wayback)
    report = _take("report", data.get("report", {}), _REPORT, base.report)
    sites = dict(DEFAULT_SITES) if "sites" not in data else {}
    raw_sites = data.get("sites", {})
    if not isinstance(raw_sites, dict):
        raise ConfigError("sites", "expected a table of [sites.\"host\"] tables")
    for host, table in raw_sites.items():
        site = _take(f'sites."{host}"', table, _SITE, SiteConfig())
        if bool(site.article_id) != bool(site.aliases):
            raise ConfigError(f'sites."{host}".aliases', "article_id and aliases go together")
        sites[host.lower()] = site
    if path is not None:
        folder = path.parent
        archive = dataclasses.replace(archive, root=folder / archive.root)
        store = dataclasses.replace(store, database=folder / store.database, mirror=folder / store.mirror)
    return Config(archive=archive, store=store, crawl=crawl, compare=compare, wayback=wayback, report=report,
                  sites=sites, path=path)


def load_config(path: Path | None) -> Config:
    """Read `path`; None means `./config.toml` if it exists, else the defaults."""
    given = " (--config)" if path is not None else ""
    if path is None:
        default = Path("config.toml")
        if not default.is_file():
            return Config()
        path = default
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError("--config", f"cannot read the config file {path}{given}: {exc.strerror or exc}",
                          plain=True) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError("--config", f"the config file {path}{given} is not valid TOML: {exc}", plain=True) from None
    return parse_config(data, path)
