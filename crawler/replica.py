"""A local replica of some originals, for `repost-mirror demo`: real HTTP on 127.0.0.x.

Each original host gets its own loopback address, so the crawler's per-host politeness,
robots.txt and soft-404 probes behave as on the real web. Pages carry the chrome real
news sites have (navigation, a "latest news" sidebar that rotates, a view counter that
changes on every request, a footer), which must never make a new version. A separate
address plays the Wayback Machine: its availability API and `id_` raw captures.

Nothing here listens beyond 127.0.0.0/8; every request is logged (client and server
address), so the demo can show that nothing else was touched.
"""

from __future__ import annotations

import base64
import hashlib
import html
import itertools
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit


@dataclass
class Page:
    """One original article, as the replica serves it."""

    title: str
    paragraphs: list[str]
    published: str = ""
    # Served instead of `paragraphs` once the replica's `edited` switch is on (the second crawl).
    later_paragraphs: list[str] | None = None


@dataclass
class Route:
    """What a path answers: a page, a redirect, or an error status."""

    page: Page | None = None
    status: int = 200
    location: str | None = None  # for 301/302: a path on the same host, or a full URL


@dataclass
class LogLine:
    client: str
    server: str
    port: int
    method: str
    path: str
    status: int
    user_agent: str

    def to_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class Host:
    """One replica host: its name on the site's pages, its routes and its robots.txt."""

    name: str
    address: str
    routes: dict[str, Route] = field(default_factory=dict)
    robots: str = "User-agent: *\nDisallow: /wp-admin/\n"
    port: int = 0

    def origin(self) -> str:
        return f"http://{self.address}:{self.port}"

    def route_for(self, path: str) -> Route | None:
        # With or without the trailing slash, as WordPress answers.
        return self.routes.get(path) or self.routes.get(path.rstrip("/") or "/") or self.routes.get(path + "/")


@dataclass
class Snapshot:
    """A capture the fake Wayback Machine holds: of `url`, at `timestamp`, with `page` as it was."""

    url: str
    timestamp: str
    page: Page


class Replica:
    """Serve `hosts` and a fake Wayback Machine on loopback until closed."""

    def __init__(self, hosts: Iterable[Host], wayback_address: str = "127.0.0.250") -> None:
        self.hosts = list(hosts)
        self.wayback = Host(name="web.archive.org", address=wayback_address, robots="")
        self.snapshots: dict[str, Snapshot] = {}
        self.edited = False
        self.log: list[LogLine] = []
        self._views = itertools.count(1024)
        self._lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self._threads: list[threading.Thread] = []

    # --- lifecycle -------------------------------------------------------------------

    def start(self) -> Replica:
        """Bind every host (port chosen by the OS) before serving, so URLs can be built first."""
        for host in [*self.hosts, self.wayback]:
            server = ThreadingHTTPServer((host.address, host.port), _handler(self, host))
            server.daemon_threads = True
            host.port = server.server_address[1]
            self._servers.append(server)
            self._threads.append(threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                                  name=f"replica-{host.address}", daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> Replica:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def availability_url(self) -> str:
        return f"{self.wayback.origin()}/wayback/available"

    @property
    def cdx_url(self) -> str:
        return f"{self.wayback.origin()}/cdx/search/cdx"

    def snapshot_url(self, snap: Snapshot) -> str:
        return f"{self.wayback.origin()}/web/{snap.timestamp}/{snap.url}"

    def next_view(self) -> int:
        with self._lock:
            return next(self._views)

    def record(self, line: LogLine) -> None:
        with self._lock:
            self.log.append(line)

    # --- pages -----------------------------------------------------------------------

    def article_html(self, host: Host, page: Page, *, capture: bool = False) -> str:
        paragraphs = page.later_paragraphs if (self.edited and page.later_paragraphs is not None
                                               and not capture) else page.paragraphs
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        meta = f'<div class="entry-meta"><time>{html.escape(page.published)}</time></div>' if page.published else ""
        return _chrome(self, host, html.escape(page.title), f"""
<article class="post type-post">
  <header class="entry-header"><h1 class="entry-title">{html.escape(page.title)}</h1>{meta}</header>
  <div class="entry-content">
{body}
  </div>
  <div class="share-buttons"><a href="#">分享到 Facebook</a> <a href="#">分享到 Twitter</a> <a href="#">复制链接</a></div>
</article>""")

    def home_html(self, host: Host) -> str:
        items = [(path, r.page.title) for path, r in host.routes.items() if r.page is not None and r.status == 200]
        links = "\n".join(f'<li><a href="{html.escape(p)}">{html.escape(t or p)}</a></li>' for p, t in items[:30])
        return _chrome(self, host, f"{html.escape(host.name)} - 首页", f"""
<section class="archive-list"><h2 class="section-title">最新文章</h2>
<ul class="post-list">
{links}
</ul>
<nav class="pagination"><a href="/page/2/">下一页 »</a></nav>
</section>""")

    def not_found_html(self, host: Host) -> str:
        return _chrome(self, host, "页面未找到", """
<section class="error-404"><h1>404</h1><p>抱歉，您要找的页面不存在。</p></section>""")


def _chrome(replica: Replica, host: Host, title: str, main: str) -> str:
    """The site around the main content; everything here changes or repeats, nothing is the article."""
    views = replica.next_view()
    titles = [r.page.title for r in host.routes.values() if r.page is not None][:40] or ["（暂无）"]
    start = views % len(titles)
    latest = [titles[(start + i) % len(titles)] for i in range(min(6, len(titles)))]
    sidebar = "\n".join(f'<li><a href="/">{html.escape(t)}</a></li>' for t in latest)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title} - {html.escape(host.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body class="site">
<header class="site-header"><div class="logo"><a href="/">{html.escape(host.name)}</a></div>
<nav class="main-nav"><ul><li><a href="/">首页</a></li><li><a href="/category/news/">新闻</a></li>
<li><a href="/category/video/">视频</a></li><li><a href="/category/opinion/">评论</a></li>
<li><a href="/about/">关于我们</a></li></ul></nav></header>
<div class="container">
<main id="main" class="site-main">
{main}
</main>
<aside id="secondary" class="sidebar widget-area">
<section class="widget"><h3 class="widget-title">最新新闻</h3><ul>
{sidebar}
</ul></section>
<section class="widget"><h3 class="widget-title">本站统计</h3><p class="views">浏览次数：{views}</p></section>
</aside>
</div>
<footer class="site-footer"><p>© 2020-2024 {html.escape(host.name)} 版权所有</p>
<p><a href="/terms/">使用条款</a> | <a href="/privacy/">隐私政策</a></p></footer>
</body></html>
"""


def _handler(replica: Replica, host: Host) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "replica/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
            pass  # the demo keeps its own log; stderr stays quiet

        def do_HEAD(self) -> None:  # noqa: N802 - the stdlib's name
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:  # noqa: N802 - the stdlib's name
            parts = urlsplit(self.path)
            if host is replica.wayback:
                status, headers, body = _wayback_answer(replica, parts.path, parts.query)
            else:
                status, headers, body = _answer(replica, host, parts.path)
            replica.record(LogLine(client=self.client_address[0], server=host.address, port=host.port,
                                   method=self.command, path=self.path, status=status,
                                   user_agent=self.headers.get("User-Agent", "")))
            data = body.encode("utf-8")
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not head:
                self.wfile.write(data)

    return Handler


HTML = ("Content-Type", "text/html; charset=utf-8")


def _answer(replica: Replica, host: Host, path: str) -> tuple[int, list[tuple[str, str]], str]:
    if path == "/robots.txt":
        return 200, [("Content-Type", "text/plain; charset=utf-8")], host.robots
    if path == "/":
        return 200, [HTML], replica.home_html(host)
    route = host.route_for(path)
    if route is None:
        return 404, [HTML], replica.not_found_html(host)
    if route.location is not None:
        return route.status, [HTML, ("Location", route.location)], ""
    if route.page is None:
        return route.status, [HTML], replica.not_found_html(host)
    return route.status, [HTML], replica.article_html(host, route.page)


def _wayback_answer(replica: Replica, path: str, query: str) -> tuple[int, list[tuple[str, str]], str]:
    json_type = ("Content-Type", "application/json")
    if path == "/robots.txt":
        return 404, [("Content-Type", "text/plain")], "no robots.txt here"
    if path == "/wayback/available":
        url = (parse_qs(query).get("url") or [""])[0]
        snap = replica.snapshots.get(url)
        if snap is None:
            return 200, [json_type], json.dumps({"url": url, "archived_snapshots": {}})
        closest = {"status": "200", "available": True, "url": replica.snapshot_url(snap), "timestamp": snap.timestamp}
        return 200, [json_type], json.dumps({"url": url, "archived_snapshots": {"closest": closest}})
    if path == "/cdx/search/cdx":
        return 200, [json_type], _cdx_answer(replica, parse_qs(query))
    if path.startswith("/web/"):
        stamp, _, target = path[len("/web/"):].partition("/")
        target = unquote(target)
        if target.startswith(("http:/", "https:/")) and "://" not in target:
            target = target.replace(":/", "://", 1)  # a client may have merged the double slash
        for snap in replica.snapshots.values():
            if snap.url == target and stamp.removesuffix("id_") == snap.timestamp:
                owner = next((h for h in replica.hosts if target.startswith(h.origin())), replica.hosts[0])
                return 200, [HTML], replica.article_html(owner, snap.page, capture=True)
        return 404, [HTML], "<h1>Wayback Machine</h1><p>This page is not archived.</p>"
    return 404, [HTML], "<h1>Not Found</h1>"


def _cdx_answer(replica: Replica, q: dict[str, list[str]]) -> str:
    """The CDX API's JSON: a header row, then the captures of the URL between `from` and `to`."""
    url = (q.get("url") or [""])[0]
    low = (q.get("from") or ["0"])[0].ljust(14, "0")
    high = (q.get("to") or ["9"])[0].ljust(14, "9")
    snap = replica.snapshots.get(url)
    if snap is None or not low <= snap.timestamp <= high:
        return "[]"
    owner = next((h for h in replica.hosts if url.startswith(h.origin())), replica.hosts[0])
    body = replica.article_html(owner, snap.page, capture=True).encode("utf-8")
    digest = base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")
    host = ",".join(reversed((urlsplit(url).hostname or "").split(".")))
    return json.dumps([["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
                       [f"{host}){urlsplit(url).path}", snap.timestamp, url, "text/html", "200", digest,
                        str(len(body))]])
