"""`repost-mirror demo`: the whole product, offline, on the bundled example archive.

The example reposts are copied into the work folder with their source links pointed at
a replica of the originals on loopback (one 127.0.0.x address per original host, paths
kept, so the site's article-id rules still apply). The replica serves most pages as the
reposts have them, some edited, one moved, some removed, one that redirects to the home
page, and one removed page whose Wayback Machine capture exists. Two crawls run (the
second after some pages were edited), then the report is written.

Nothing is fetched beyond 127.0.0.0/8: the config's Wayback endpoint is the replica too.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from crawler.analyze import version_differ
from crawler.archive import Repost, parse_repost
from crawler.config import DEFAULT_SITES, ArchiveConfig, Config, load_config
from crawler.normalize import markdown_to_lines
from crawler.replica import Host, Page, Replica, Route, Snapshot
from crawler.urls import is_placeholder, normalize_url, source_identity
from store import report as reports
from store.db import Store

if TYPE_CHECKING:
    from crawler.crawl import CrawlSummary

# The example archive is package data of `crawler.example` (the repository's examples/ folder);
# a checkout run without installing (PYTHONPATH=.) reads that folder itself.
_CHECKOUT_EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FIRST_ADDRESS = 2  # 127.0.0.1 is left to whatever else the machine runs there
WAYBACK_ADDRESS = "127.0.0.250"

# What the replica does to which example (archive paths of examples/archive).
EDITED_FROM_START = "content/gnews/2414324.md"       # a sentence added: unfaithful from the first crawl
EDITED_LATER_REPLACE = "content/gnews/2/README.md"  # a sentence replaced before the second crawl: changed
EDITED_LATER_ADD = "content/gnews/1028464.md"        # a paragraph added before the second crawl: changed
MOVED = "content/gnews/1304962.md"                   # 301 to a new address: redirected
GONE_404 = ("content/gnews/2362505.md", "content/gettr/p2bqh3k2b93.md")
GONE_410 = "content/gnews/1104494.md"                # (its repost has an empty body)
SOFT_404 = "content/gnews/2463007.md"                # redirects to the home page, a listing
ARCHIVED = "content/gnews/4/README.md"               # 404, but the Wayback Machine has it

ADDED_SENTENCE = "编者注：本文发布后，作者补充说明了文中所引数据的来源，并更正了一处日期。"
REPLACEMENT_SENTENCE = "（本段已由编辑部于发布后修改，原有表述已被删除并替换为本句。）"
ADDED_PARAGRAPH = "【更新】据最新消息，相关方面已对此事作出回应，本文随后补充了这一段落。"

# Files the demo writes in its work folder, removed first so that a rerun starts afresh.
OUTPUTS = ("archive", "mirror", "mirror.db", "mirror.db-wal", "mirror.db-shm", "mirror.db.lock",
           "config.toml", "report.html", "report.json", "report.md", "replica-log.jsonl")


@dataclass
class Example:
    path: str
    repost: Repost


def run_demo(workdir: Path, echo: Callable[[str], None]) -> int:
    """Serve a replica, crawl it twice, write the report; returns the exit code."""
    try:
        bundled: Traversable = resources.files("crawler.example")
    except ModuleNotFoundError:
        bundled = _CHECKOUT_EXAMPLES
    with resources.as_file(bundled / "archive") as examples_root:
        if not examples_root.is_dir():
            echo(f"repost-mirror demo: the example archive is missing: {examples_root}")
            return 5
        return _run(examples_root, workdir, echo)


def _run(examples_root: Path, workdir: Path, echo: Callable[[str], None]) -> int:
    workdir = workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    _clean(workdir)
    examples = _read_examples(examples_root)
    hosts = _hosts_of(examples)
    replica = Replica(hosts.values(), wayback_address=WAYBACK_ADDRESS)
    with replica:
        origins = {name: host.origin() for name, host in hosts.items()}
        _copy_archive(examples_root, workdir / "archive", origins)
        config_path = _write_config(workdir, hosts, replica)
        cfg = load_config(config_path)
        _build_pages(cfg, workdir / "archive", hosts, replica)
        echo(f"replica: {len(hosts)} site(s) on " + ", ".join(f"{h.origin()} (for {n})" for n, h in hosts.items())
             + f"; Wayback Machine on {replica.wayback.origin()}")
        store = Store(cfg.store.database)
        try:
            store.acquire_crawl_lock()
            first = _crawl(cfg, store, all_sources=False)
            echo(f"crawl 1: checked {first.checked} sources: " + _counts(first.by_status))
            replica.edited = True  # the originals change between the nightly crawls
            second = _crawl(cfg, store, all_sources=True)
            echo(f"crawl 2 (after some originals were edited): checked {second.checked} sources, "
                 f"{second.new_versions} new version(s)")
            # Every source, so the report shows the alive and redirected ones too, not only the trouble.
            doc = reports.build_report(store, everything=True, site_event_min=cfg.report.site_event_min)
            differ = version_differ(cfg)
            (workdir / "report.html").write_text(reports.render(store, doc, "html", differ), encoding="utf-8")
            (workdir / "report.json").write_text(reports.render(store, doc, "json"), encoding="utf-8")
            (workdir / "report.md").write_text(reports.render(store, doc, "md", differ), encoding="utf-8")
            counts = store.status_counts()
        finally:
            store.close()
    with (workdir / "replica-log.jsonl").open("w", encoding="utf-8") as log:
        for line in replica.log:
            log.write(json.dumps(line.to_json(), ensure_ascii=False) + "\n")
    echo(f"sources: {counts.sources}, reposts: {counts.reposts}, problems: {counts.problems}")
    echo("link status: " + _counts(counts.by_status))
    echo(f"dead: {counts.dead}   changed: {counts.changed}   unfaithful reposts: {counts.unfaithful}   "
         f"versions: {counts.versions}")
    echo(f"archive copy: {workdir / 'archive'}")
    echo(f"config:       {config_path}")
    echo(f"database:     {cfg.store.database}")
    echo(f"mirror:       {cfg.store.mirror} (WARC)")
    echo(f"report:       {workdir / 'report.html'} (also report.json, report.md)")
    echo(f"replica log:  {workdir / 'replica-log.jsonl'} ({len(replica.log)} requests, all on 127.0.0.0/8)")
    echo(f"try: repost-mirror status --config {config_path}")
    return 0


def _counts(by_status: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in by_status.items() if v) or "none"


def _clean(workdir: Path) -> None:
    for name in OUTPUTS:
        target = workdir / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()


def _read_examples(root: Path) -> list[Example]:
    out = []
    defaults = ArchiveConfig()
    for file in sorted(root.rglob("*.md")):
        rel = file.relative_to(root).as_posix()
        parsed = parse_repost(file.read_bytes(), rel, defaults)
        if isinstance(parsed, Repost) and not is_placeholder(parsed.source_url, defaults.placeholder_sources):
            out.append(Example(rel, parsed))
    return out


def _hosts_of(examples: list[Example]) -> dict[str, Host]:
    """One loopback address per original host, in order of first appearance."""
    hosts: dict[str, Host] = {}
    for ex in examples:
        name = urlsplit(ex.repost.source_url).hostname or ""
        if name and name not in hosts:
            if FIRST_ADDRESS + len(hosts) >= 250:
                break
            hosts[name] = Host(name=name, address=f"127.0.0.{FIRST_ADDRESS + len(hosts)}")
    return hosts


def _host_pattern(name: str) -> re.Pattern[bytes]:
    return re.compile(rb"https?://" + re.escape(name.encode()) + rb"(?![\w.-])", re.I)


def _copy_archive(src: Path, dst: Path, origins: dict[str, str]) -> None:
    """Copy byte for byte, except that every link to an original host points at its replica."""
    patterns = [(_host_pattern(name), origin.encode()) for name, origin in origins.items()]
    for file in sorted(src.rglob("*")):
        target = dst / file.relative_to(src)
        if file.is_dir():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        data = file.read_bytes()
        for pattern, origin in patterns:
            data = pattern.sub(origin, data)
        target.write_bytes(data)


def _toml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _write_config(workdir: Path, hosts: dict[str, Host], replica: Replica) -> Path:
    defaults = ArchiveConfig()
    placeholders = list(defaults.placeholder_sources)
    for url in defaults.placeholder_sources:
        name = urlsplit(url).hostname or ""
        if name in hosts:
            placeholders.append(hosts[name].origin() + urlsplit(url).path)
    lines = [
        "# Written by `repost-mirror demo`: the bundled example archive against a local replica.",
        "[archive]",
        'root = "archive"',
        "placeholder_sources = [" + ", ".join(_toml_str(p) for p in placeholders) + "]",
        "",
        "[store]",
        'database = "mirror.db"',
        'mirror = "mirror/"',
        "",
        "[crawl]",
        'user_agent = "repost-mirror-demo (+local replica)"',
        "concurrency = 8",
        "delay = 0.05",
        "timeout = 10",
        "retries = 1",
        "allow_private_addresses = true      # the replica lives on 127.0.0.x",
        "",
        "[compare]",
        "boilerplate_min_reposts = 5         # the site footer copied into most reposts; 20 suits a big archive",
        "",
        "[wayback]",
        "enabled = true",
        f"availability_url = {_toml_str(replica.availability_url)}",
        f"cdx_url = {_toml_str(replica.cdx_url)}",
    ]
    for name, host in hosts.items():
        site = DEFAULT_SITES.get(name)
        if site is None or not site.article_id:
            continue
        aliases = [_host_pattern(name).sub(host.origin().encode(), a.encode()).decode() for a in site.aliases]
        lines += ["", f"[sites.{_toml_str(host.address)}]   # the rules of {name}",
                  f"article_id = {_toml_str(site.article_id)}",
                  "aliases = [" + ", ".join(_toml_str(a) for a in aliases) + "]"]
    path = workdir / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _build_pages(cfg: Config, archive: Path, hosts: dict[str, Host], replica: Replica) -> None:
    """The originals as the replica serves them, from the rewritten copies, with the demo's changes."""
    by_address = {h.address: h for h in hosts.values()}
    for file in sorted(archive.rglob("*.md")):
        rel = file.relative_to(archive).as_posix()
        parsed = parse_repost(file.read_bytes(), rel, cfg.archive)
        if not isinstance(parsed, Repost) or is_placeholder(parsed.source_url, cfg.archive.placeholder_sources):
            continue
        identity = source_identity(parsed.source_url, cfg.sites)
        host = by_address.get(urlsplit(identity.canonical_url).hostname or "")
        if host is None:
            continue
        paragraphs = markdown_to_lines(parsed.body)
        title = parsed.title or (paragraphs[0][:40] if paragraphs else rel)
        page = Page(title=title, paragraphs=paragraphs, published=parsed.published_at or "")
        paths = [urlsplit(u).path for u in (identity.canonical_url, *identity.aliases, normalize_url(parsed.source_url))]
        route = _route(rel, page, host, replica, identity.canonical_url)
        for path in dict.fromkeys(paths):
            host.routes[path] = route


def _route(rel: str, page: Page, host: Host, replica: Replica, canonical: str) -> Route:
    if rel == GONE_410 or not page.paragraphs:
        return Route(page=None, status=410)
    if rel in GONE_404:
        return Route(page=None, status=404)
    if rel == SOFT_404:
        return Route(status=302, location="/")
    if rel == ARCHIVED:
        stamp = re.sub(r"\D", "", page.published)[:8] or "20220301"
        replica.snapshots[canonical] = Snapshot(url=canonical, timestamp=(stamp + "120000")[:14], page=page)
        return Route(page=None, status=404)
    if rel == MOVED:
        new_path = urlsplit(canonical).path.rstrip("/") + "-moved/"
        new_path = "/2024/05/" + new_path.strip("/").replace("/", "-") + "/"
        host.routes[new_path] = Route(page=page)
        return Route(status=301, location=new_path)
    if rel in (EDITED_FROM_START, EDITED_LATER_REPLACE, EDITED_LATER_ADD):
        # The web archive captured these as they were when reposted: who changed the text is then known.
        stamp = re.sub(r"\D", "", page.published)[:8] or "20220301"
        replica.snapshots[canonical] = Snapshot(url=canonical, timestamp=(stamp + "120000")[:14], page=page)
    if rel == EDITED_FROM_START:
        middle = len(page.paragraphs) // 2  # inside the article: edges are where pages differ innocently
        page.paragraphs = [*page.paragraphs[:middle], page.paragraphs[middle] + ADDED_SENTENCE,
                           *page.paragraphs[middle + 1:]]
    elif rel == EDITED_LATER_REPLACE:
        later = list(page.paragraphs)
        longest = max(range(len(later)), key=lambda i: len(later[i]))
        sentences = re.split(r"(?<=[。！？])", later[longest])
        later[longest] = "".join([REPLACEMENT_SENTENCE, *sentences[1:]])
        page.later_paragraphs = later
    elif rel == EDITED_LATER_ADD:
        middle = len(page.paragraphs) // 2  # inside the article, not at its edges where captions sit
        page.later_paragraphs = [*page.paragraphs[:middle], ADDED_PARAGRAPH, *page.paragraphs[middle:]]
    return Route(page=page)


def _crawl(cfg: Config, store: Store, *, all_sources: bool) -> CrawlSummary:
    from crawler.crawl import crawl_async
    from crawler.scan import scan

    scan(cfg, store)
    summary = asyncio.run(crawl_async(cfg, store, all_sources=all_sources))
    store.index_new_versions()
    return summary
