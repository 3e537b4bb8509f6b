"""The crawl end to end against real servers on 127.0.0.x: statuses, versions, aliases, crash safety."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from crawler import analyze as cpu
from crawler.config import ArchiveConfig, Config, CrawlConfig, SiteConfig, StoreConfig, WaybackConfig
from crawler.crawl import crawl_async
from crawler.scan import scan
from store.db import Store
from tests.conftest import ROOT, run_cli
from tests.kit import PARAS, article_page, listing_page, serve_numbered, write_repost
from tests.origin import Origin, Reply, closed_port


def make_config(tmp: Path, **crawl: object) -> Config:
    settings = {"delay": 0.05, "allow_private_addresses": True, "retries": 0, "timeout": 5, **crawl}
    return Config(
        archive=ArchiveConfig(root=tmp / "archive"),
        store=StoreConfig(database=tmp / "m.db", mirror=tmp / "mirror"),
        crawl=CrawlConfig(**settings),
        wayback=WaybackConfig(enabled=False),
    )


def crawl(cfg: Config, **kw: object):
    store = Store(cfg.store.database)
    scan(cfg, store)
    summary = asyncio.run(crawl_async(cfg, store, **kw))
    return store, summary


def fields(store: Store) -> dict[str, dict]:
    return {s.fields["source_url"]: s.fields for s in store.report_sources(everything=True)}


def test_every_link_status_from_a_real_server(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a, Origin("127.0.0.3") as b, Origin("127.0.0.4") as soft:
        a.route("/robots.txt", Reply(404))
        a.route("/", Reply(200, listing_page()))
        a.route("/a/alive", Reply(200, article_page("标题", PARAS)))
        a.route("/a/https-like", Reply(301, headers={"Location": "/a/https-like/"}))
        a.route("/a/https-like/", Reply(200, article_page("标题", PARAS)))
        a.route("/a/moved", Reply(301, headers={"Location": "/a/new-home"}))
        a.route("/a/new-home", Reply(200, article_page("标题", PARAS)))
        a.route("/a/home", Reply(302, headers={"Location": "/"}))
        a.route("/a/gone", Reply(404))
        a.route("/a/gone410", Reply(410))
        a.route("/a/err", Reply(500))
        a.route("/a/loop", Reply(301, headers={"Location": "/a/loop2"}))
        a.route("/a/loop2", Reply(301, headers={"Location": "/a/loop"}))
        # refused: 401, 403, 451, and any other client error or a status HTTP does not define
        # (what firewalls answer crawlers they turn away), which is no sign the article is gone
        for code in (401, 403, 451, 400, 418, 999):
            a.route(f"/a/{code}", Reply(code))
        a.route("/a/nothing", Reply(200, b""))
        # a page that sends its readers on to the home page at once; one that reloads itself
        # every five minutes to the home page is a live article
        a.route("/a/refresh", Reply(200, "<html><head><meta http-equiv='refresh' content='0;url=/'></head></html>"))
        a.route("/a/portal", Reply(200, article_page("标题", PARAS).replace(
            "<head>", "<head><meta http-equiv='refresh' content='300;url=/'>", 1)))
        a.route("/a/empty", Reply(200, "<html><head><title>错误</title></head><body><p>页面不存在</p></body></html>"))
        b.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private\n"))
        b.route("/private/1", Reply(200, article_page("标题", PARAS)))
        # A site that answers every URL with the same 200 page: only the probe can tell.
        soft.route("/robots.txt", Reply(404))
        soft.default = Reply(200, article_page("欢迎来到本站", WELCOME))
        dead_port = closed_port("127.0.0.5")
        urls = {
            "alive": a.url("/a/alive"), "slash": a.url("/a/https-like"), "moved": a.url("/a/moved"),
            "home": a.url("/a/home"), "gone": a.url("/a/gone"), "gone410": a.url("/a/gone410"),
            "err": a.url("/a/err"), "loop": a.url("/a/loop"), "401": a.url("/a/401"), "403": a.url("/a/403"),
            "451": a.url("/a/451"), "400": a.url("/a/400"), "418": a.url("/a/418"), "999": a.url("/a/999"),
            "nothing": a.url("/a/nothing"), "refresh": a.url("/a/refresh"), "portal": a.url("/a/portal"),
            "empty": a.url("/a/empty"), "robots": b.url("/private/1"),
            "soft": soft.url("/a/12345"), "down": f"http://127.0.0.5:{dead_port}/a/1",
        }
        for name, url in urls.items():
            write_repost(archive, f"{name}.md", url, PARAS)
        store, summary = crawl(make_config(tmp_path))
        got = {name: fields(store)[url] for name, url in urls.items()}
        assert {k: v["link_status"] for k, v in got.items()} == {
            "alive": "alive", "slash": "alive", "moved": "redirected", "home": "soft_404", "gone": "gone",
            "gone410": "gone", "err": "server_error", "loop": "server_error", "401": "blocked",
            "403": "blocked", "451": "blocked", "400": "blocked", "418": "blocked", "999": "blocked",
            "nothing": "alive", "refresh": "soft_404", "portal": "alive", "empty": "soft_404", "robots": "blocked", "soft": "soft_404", "down": "unreachable",
        }
        assert not any(got[k]["dead"] for k in ("400", "418", "999", "nothing"))
        detail = dict(store.db.execute("SELECT s.url, c.detail FROM checks c JOIN sources s ON s.id = c.source_id"))
        assert "no article body found" in detail[urls["nothing"]]
        assert "sends its readers on to the site's home" in detail[urls["refresh"]]
        assert got["moved"]["final_url"] == a.url("/a/new-home")
        assert got["alive"]["final_url"] is None
        assert got["gone"]["dead"] is True and got["gone"]["http_status"] == 404
        assert got["err"]["dead"] is False  # one failure is not death: dead_after = 3
        assert got["alive"]["fidelity"] == 1.0 and got["alive"]["faithful"] is True
        assert summary.checked == len(urls) and summary.by_status["alive"] == 4
        assert not b.requests("/private/1"), "a disallowed page was requested"
        # robots.txt is the first request to every host.
        for origin in (a, b, soft):
            assert origin.log[0].path == "/robots.txt"


def test_a_bot_check_in_an_error_answer_is_blocked_never_a_failure_that_counts_to_dead(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    challenge = ("<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
                 "<p>Checking if the site connection is secure</p></body></html>")
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        # Cloudflare says so in a header; another service only in the page's whole title
        a.route("/a/header", Reply(503, challenge, headers={"cf-mitigated": "challenge"}))
        a.route("/a/title", Reply(429, challenge.replace("Just a moment...", "Security Check")))
        a.route("/a/down", Reply(503, "<html><head><title>Service Unavailable</title></head></html>"))
        urls = {name: a.url(f"/a/{name}") for name in ("header", "title", "down")}
        for name, url in urls.items():
            write_repost(archive, f"{name}.md", url, PARAS)
        cfg = make_config(tmp_path, retries=1, dead_after=1)
        for _ in range(2):
            store, _summary = crawl(cfg, all_sources=True)
        got = fields(store)
        assert {name: got[url]["link_status"] for name, url in urls.items()} == {
            "header": "blocked", "title": "blocked", "down": "server_error"}
        assert not got[urls["header"]]["dead"] and not got[urls["title"]]["dead"] and got[urls["down"]]["dead"]
        detail = dict(store.db.execute("SELECT s.url, c.detail FROM checks c JOIN sources s ON s.id = c.source_id"))
        assert "bot check" in detail[urls["header"]] and "cf-mitigated: challenge" in detail[urls["header"]]
        assert "Security Check" in detail[urls["title"]]
        # A check that says it is a bot check is not asked again within a fetch: once per crawl.
        assert len(a.requests("/a/header")) == 2 and len(a.requests("/a/down")) == 4


def test_a_page_that_shows_the_article_under_an_error_status_is_no_dead_link(tmp_path: Path) -> None:
    """A broken site serves its article with a 404 (or a 500, or a 301 without a Location, which a
    browser shows as the page): its readers read it, and the repost's text on it is the witness.
    A 404 whose page shows only a teaser of the article, or says it is gone, stays gone; a
    3xx without a Location and without the article stays a server error."""
    archive = tmp_path / "archive"
    article = article_page("标题", PARAS)
    not_found = article.replace("<title>标题 - 新闻网</title>", "<title>页面不存在 - 新闻网</title>").replace(
        "<h1>标题</h1>", "<h1>抱歉，您访问的页面不存在</h1>")
    teaser = ("<html><head><title>404 Not Found</title></head><body><h1>页面不存在</h1><h3>猜你喜欢</h3>"
              f"<ul><li><a href='/b/1'>标题</a><p>{PARAS[0]}</p></li></ul></body></html>")
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/a/404", Reply(404, article))
        a.route("/a/410", Reply(410, article))
        a.route("/a/500", Reply(500, article))
        a.route("/a/301", Reply(301, article))
        a.route("/a/moved", Reply(302, headers={"Location": "/a/new"}))
        a.route("/a/new", Reply(404, article))
        a.route("/a/said", Reply(404, not_found))
        a.route("/a/teaser", Reply(404, teaser))
        a.route("/a/302", Reply(302, "<html><body>Moved</body></html>"))
        urls = {name: a.url(f"/a/{name}") for name in ("404", "410", "500", "301", "moved", "said", "teaser", "302")}
        for name, url in urls.items():
            write_repost(archive, f"{name}.md", url, PARAS)
        store, _summary = crawl(make_config(tmp_path))
        got = fields(store)
        assert {name: got[url]["link_status"] for name, url in urls.items()} == {
            "404": "alive", "410": "alive", "500": "alive", "301": "alive", "moved": "redirected",
            "said": "gone", "teaser": "gone", "302": "server_error"}
        for name in ("404", "410", "500", "301", "moved"):
            assert got[urls[name]]["dead"] is False and got[urls[name]]["faithful"] is True, name
        assert got[urls["404"]]["http_status"] == 404 and got[urls["moved"]]["final_url"] == a.url("/a/new")
        detail = dict(store.db.execute("SELECT s.url, c.detail FROM checks c JOIN sources s ON s.id = c.source_id"))
        assert detail[urls["404"]].startswith("404 Not Found; the page shows the article all the same")
        assert "the page shows the article" not in detail[urls["said"]] + detail[urls["teaser"]]
        # the article is kept as a version, as from any page that shows it
        versions = dict(store.db.execute(
            "SELECT s.url, count(v.id) FROM sources s LEFT JOIN versions v ON v.source_id = s.id GROUP BY s.id"))
        assert versions[urls["404"]] == 1 and versions[urls["teaser"]] == 0


MORE = ["第二页开头：分析人士指出，这次收购将重塑欧洲银行业的格局，瑞银的规模将因此扩大到原来的两倍。",
        "瑞士信贷的员工对未来感到担忧，据估计，合并后可能会有上万个工作岗位被裁减，尤其是在瑞士本土。",
        "监管机构表示，将密切关注合并的进展，确保储户的存款安全，并防止类似的危机再次发生。"]


LAST = ["最后，瑞士政府表示，将在未来几个月内公布一份详细的报告，总结这次危机的教训和应对措施。"]
REWRITTEN = ["这是被网站后来改写过的最后一段，内容与原来的说法完全不同，读者需要注意这个变化。"]


def _paged(paragraphs: list[str], next_href: str | None, etag: str | None = None) -> Reply:
    nav = f"<div class='pages'><a href='{next_href}'>下一页</a></div>" if next_href else ""
    page = article_page("瑞银收购瑞信", paragraphs).replace("<div class='share'>", nav + "<div class='share'>", 1)
    return Reply(200, page, headers={"ETag": etag} if etag else {})


def test_a_paginated_article_is_judged_on_all_its_pages(tmp_path: Path) -> None:
    """A repost copies the whole of an article its site spreads over pages: its next pages are
    read, politely, and an edit on page two is an edit; a repost of the first page alone, or an
    article whose next page brings no article, is judged on the first page, as an excerpt."""
    archive = tmp_path / "archive"
    edited = [*MORE[:1], "这一段是转载者自己改写的内容，原文中并没有这样的说法，意思完全不同了。", *MORE[2:]]
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/a/1.html", _paged(PARAS, "/a/1_2.html", etag='"p1"'))
        a.route("/a/1_2.html", [_paged(MORE, None), _paged(MORE, None), _paged(edited, None), Reply(500)])
        a.route("/a/2.html", _paged(PARAS, "/a/2_2.html"))
        a.route("/a/2_2.html", Reply(404))
        # a site whose "next page" serves the first one again, and again
        a.route("/a/3.html", lambda req: _paged(PARAS, "/a/3.html?page=2"))
        # three pages, the last of which the site rewrites in part
        a.route("/a/4.html", _paged(PARAS, "/a/4_2.html"))
        a.route("/a/4_2.html", _paged(MORE[:2], "/a/4_3.html"))
        a.route("/a/4_3.html", [_paged(MORE[2:] + LAST, None)] * 2 + [_paged(MORE[2:] + REWRITTEN, None)])
        whole, first, again, three = (a.url(f"/a/{n}.html") for n in range(1, 5))
        write_repost(archive, "whole.md", whole, PARAS + MORE)
        write_repost(archive, "edited.md", whole, PARAS + edited)
        write_repost(archive, "first.md", whole, PARAS)
        write_repost(archive, "lost.md", first, PARAS + MORE)
        write_repost(archive, "again.md", again, PARAS + MORE)
        write_repost(archive, "three.md", three, PARAS + MORE + LAST)
        cfg = make_config(tmp_path)
        store, _summary = crawl(cfg)

        def detail_of(url: str) -> str:
            return store.db.execute("SELECT c.detail FROM checks c JOIN sources s ON s.id = c.source_id "
                                    "WHERE s.url = ? ORDER BY c.id DESC LIMIT 1", [url]).fetchone()[0]

        def verdicts() -> dict[str, tuple]:
            rows = store.db.execute(
                "SELECT r.path, f.faithful, f.excerpt_only, f.hunks FROM fidelity f JOIN reposts r ON r.id = f.repost_id "
                "WHERE f.check_id IN (SELECT max(id) FROM checks GROUP BY source_id)")
            return {path: (bool(ok), bool(excerpt), json.loads(hunks)) for path, ok, excerpt, hunks in rows}

        got = verdicts()
        assert got["whole.md"][:2] == (True, False)  # judged on both pages, no excerpt
        assert got["first.md"][:2] == (True, False)  # a repost of the first page asks for no other
        assert got["lost.md"][:2] == (True, True)  # the next page is gone: the first one, as an excerpt
        assert got["again.md"][:2] == (True, True)  # no page read twice as the article's next
        assert got["three.md"][:2] == (True, False) and "over 3 pages" in detail_of(three)
        assert [e.target for e in a.log].count("/a/3.html?page=2") == 1
        ok, _, hunks = got["edited.md"]
        assert not ok and any("转载者自己改写" in h["repost"] for h in hunks), hunks
        assert "the article goes on over 2 pages" in detail_of(whole)
        assert [e.path for e in a.log].count("/a/1_2.html") == 1
        # Its first page's 304 would say nothing of the pages after it: asked whole each time.
        store, _summary = crawl(cfg, all_sources=True)
        assert all(e.header("if-none-match") is None for e in a.log if e.path == "/a/1.html")
        # the version is the article read over its pages
        source = store.source_by_url(whole)
        assert [v.normalized.count("\n") + 1 for v in store.versions_of(source.id)] == [len(PARAS + MORE)]
        store, _summary = crawl(cfg, all_sources=True)  # the site rewrote page two
        got = verdicts()
        assert not got["whole.md"][0] and got["edited.md"][0], got
        assert not got["three.md"][0] and any("网站后来改写" in h["original"] for h in got["three.md"][2])
        versions = store.versions_of(source.id)
        assert len(versions) == 2 and "转载者自己改写" in versions[-1].text  # a new version, its second page changed
        # A night its second page fails: no version of the first page alone, the verdicts as the
        # version gives them.
        store, _summary = crawl(cfg, all_sources=True)
        assert len(store.versions_of(source.id)) == 2
        got = verdicts()
        assert not got["whole.md"][0] and got["edited.md"][:2] == (True, False), got


def test_a_post_whose_pages_are_marked_rel_next_is_read_over_them(tmp_path: Path) -> None:
    """WordPress and most CMSs mark a post's next page with `<link rel="next">` in the head and
    an arrow in the pager (`/slug/`, `/slug/2/`), with no words to name it."""
    archive = tmp_path / "archive"
    edited = [*MORE[:1], "这一段是转载者自己改写的内容，原文中并没有这样的说法，意思完全不同了。", *MORE[2:]]

    def page(paragraphs: list[str], next_href: str | None) -> Reply:
        html = article_page("瑞银收购瑞信", paragraphs)
        if next_href:
            html = html.replace("</head>", f"<link rel='next' href='{next_href}'></head>", 1).replace(
                "<div class='share'>", f"<div class='pager'><a class='next' href='{next_href}'>›</a></div><div class='share'>", 1)
        return Reply(200, html)

    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/2019/11/slug/", page(PARAS, a.url("/2019/11/slug/2/")))
        a.route("/2019/11/slug/2/", page(MORE, None))
        url = a.url("/2019/11/slug/")
        write_repost(archive, "whole.md", url, PARAS + MORE)
        write_repost(archive, "edited.md", url, PARAS + edited)
        store, _summary = crawl(make_config(tmp_path))
        rows = store.db.execute("SELECT r.path, f.faithful, f.excerpt_only FROM fidelity f "
                                "JOIN reposts r ON r.id = f.repost_id").fetchall()
        detail = store.db.execute("SELECT detail FROM checks ORDER BY id DESC LIMIT 1").fetchone()[0]
    assert {path: (bool(ok), bool(excerpt)) for path, ok, excerpt in rows} == {
        "whole.md": (True, False), "edited.md": (False, False)}
    assert "the article goes on over 2 pages" in detail


# A catch-all host's one page: prose of its own, none of the article's.
WELCOME = ["本站是一个综合性的新闻网站，每天为读者提供国内外的最新报道，以及来自各界人士的深度评论文章。",
           "如果您没有找到想看的内容，请使用本站的搜索功能，或者返回首页浏览今天的头条新闻和热门专题。"]


def test_what_a_host_sends_after_its_404_is_never_read_as_the_next_pages_answer(tmp_path: Path) -> None:
    """robots.txt and the soft-404 probe ask for URLs a host may not serve: a handler that
    writes its 404 twice, or adds a CRLF, left bytes on the kept connection that the article's
    request then read as its answer (gone, or a protocol error: dead after three crawls)."""
    archive = tmp_path / "archive"
    second = b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot Found"
    with Origin("127.0.0.2") as twice, Origin("127.0.0.3") as crlf:
        urls = {}
        for name, origin, after in (("twice", twice, second), ("crlf", crlf, b"\r\n")):
            origin.default = Reply(404, "<html><body>Not Found</body></html>", after=after)
            origin.route("/a/1", Reply(200, article_page("标题", PARAS)))
            urls[name] = origin.url("/a/1")
            write_repost(archive, f"{name}.md", urls[name], PARAS)
        store, _ = crawl(make_config(tmp_path, retries=0))
        got = fields(store)
    assert got[urls["twice"]]["link_status"] == "alive" and got[urls["crlf"]]["link_status"] == "alive"


def test_a_long_analysis_holds_no_other_answer_past_its_timeout(tmp_path: Path, monkeypatch) -> None:
    """A crawl without a pool analyses in this process: a page that takes long to analyse must
    not keep the event loop from reading the answers in flight (they timed out: unreachable)."""
    real = cpu.analyze

    def slow(job):
        if "/slow" in job.url:
            time.sleep(2.0)  # a page whose analysis takes longer than the other page's timeout
        return real(job)

    monkeypatch.setattr(cpu, "analyze", slow)
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a, Origin("127.0.0.3") as b:
        for o in (a, b):
            o.route("/robots.txt", Reply(404))
        a.route("/slow", Reply(200, article_page("标题", PARAS)))
        b.route("/late", Reply(200, article_page("标题", PARAS), delay=0.5))
        write_repost(archive, "slow.md", a.url("/slow"), PARAS)
        write_repost(archive, "late.md", b.url("/late"), PARAS)
        store, _ = crawl(make_config(tmp_path, timeout=1.5, delay=0))
        got = fields(store)
    assert got[a.url("/slow")]["link_status"] == "alive" and got[b.url("/late")]["link_status"] == "alive"


def test_a_partial_answer_nobody_asked_for_is_judged_as_part_of_the_page(tmp_path: Path) -> None:
    """A 206 to a request without a Range: the first bytes of the page, whose lines past the cut
    the repost holds. They are not 'added' (it was called unfaithful), and part of a page makes
    no version of the article."""
    archive = tmp_path / "archive"
    page = article_page("标题", PARAS).encode()
    cut = page[:page.index(PARAS[2].encode()) + 30]
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/a/1", Reply(206, cut))
        write_repost(archive, "a.md", o.url("/a/1"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = fields(store)[o.url("/a/1")]
    assert got["link_status"] == "alive" and got["faithful"] is True
    assert store.db.execute("SELECT count(*) FROM versions").fetchone()[0] <= 1


def test_an_article_served_as_plain_text_is_read_as_its_lines(tmp_path: Path) -> None:
    """Parsed as HTML, a text/plain article's paragraphs ran together and its title line was
    'missing' from the repost."""
    archive = tmp_path / "archive"
    text = "瑞银收购瑞信\n\n" + "\n\n".join(PARAS) + "\n"
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/a.txt", Reply(200, text, content_type="text/plain; charset=utf-8"))
        write_repost(archive, "a.md", o.url("/a.txt"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = fields(store)[o.url("/a.txt")]
    assert got["link_status"] == "alive" and got["faithful"] is True
    title, text = store.db.execute("SELECT title, text FROM versions").fetchone()
    assert title == "瑞银收购瑞信" and text.split("\n") == PARAS


def test_a_page_whose_header_says_utf16_is_read_as_utf16(tmp_path: Path) -> None:
    """UTF-16 without a byte-order mark, named by the Content-Type header (as browsers read it):
    its NUL bytes made it 'not a text page', and without that check it read as GB18030 garbage.
    A <meta> that says UTF-16 over the same bytes is no such statement (a page whose <meta> is
    readable as ASCII is not UTF-16), so those bytes are still no text page."""
    archive = tmp_path / "archive"
    page = article_page("瑞银收购瑞信", PARAS).replace("charset='utf-8'", "")
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/le", Reply(200, page.encode("utf-16-le"), content_type="text/html; charset=UTF-16"))
        o.route("/be", Reply(200, page.encode("utf-16-be"), content_type="text/html; charset=utf-16be"))
        o.route("/meta", Reply(200, page.replace("<head>", "<head><meta charset='utf-16'>").encode("utf-16-le"),
                               content_type="text/html"))
        for name in ("le", "be", "meta"):
            write_repost(archive, f"{name}.md", o.url(f"/{name}"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = fields(store)
    for name in ("le", "be"):
        assert got[o.url(f"/{name}")]["link_status"] == "alive" and got[o.url(f"/{name}")]["faithful"] is True, name
    assert got[o.url("/meta")]["faithful"] is None
    texts = [text for (text,) in store.db.execute("SELECT text FROM versions").fetchall()]
    assert texts == ["\n".join(PARAS)] * 2, texts


def test_a_servers_default_or_impossible_charset_label_does_not_garble_the_page(tmp_path: Path) -> None:
    """"charset=ISO-8859-1" is what a web server says by default, and windows-1252 reads any
    bytes: GBK pages under it (with their own <meta charset=gbk>, or none) were read as mojibake,
    a version of it kept and the repost called unfaithful. "charset=unicode" over markup without
    a zero byte is no UTF-16. A Latin-1 page under the same header stays Latin-1."""
    archive = tmp_path / "archive"
    page = article_page("瑞银收购瑞信", PARAS).replace("charset='utf-8'", "charset='gbk'").replace("©", "&copy;")
    french = ["Le conseil municipal a voté mardi la fermeture du vieux pont aux voitures dès le printemps prochain.",
              "Les ingénieurs ont expliqué que la structure d'acier était rongée plus vite que prévu, a-t-on appris.",
              "Les habitants de l'île recevront un passe gratuit pour le bac jusqu'à l'ouverture d'un nouveau pont."]
    latin = ("<html><head><meta charset='iso-8859-1'><title>Le vieux pont</title></head><body><article>"
             "<h1>Le vieux pont</h1>" + "".join(f"<p>{p}</p>" for p in french) + "</article></body></html>")
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/meta", Reply(200, page.encode("gbk"), content_type="text/html; charset=ISO-8859-1"))
        o.route("/none", Reply(200, page.replace("charset='gbk'", "").encode("gbk"),
                               content_type="text/html; charset=iso-8859-1"))
        o.route("/unicode", Reply(200, page.replace("charset='gbk'", "").encode(), content_type="text/html; charset=unicode"))
        o.route("/latin", Reply(200, latin.encode("latin-1"), content_type="text/html; charset=ISO-8859-1"))
        for name in ("meta", "none", "unicode"):
            write_repost(archive, f"{name}.md", o.url(f"/{name}"), PARAS)
        write_repost(archive, "latin.md", o.url("/latin"), french)
        store, _ = crawl(make_config(tmp_path))
        got = fields(store)
    for name in ("meta", "none", "unicode", "latin"):
        assert got[o.url(f"/{name}")]["link_status"] == "alive" and got[o.url(f"/{name}")]["faithful"] is True, name
    texts = sorted(text for (text,) in store.db.execute("SELECT text FROM versions").fetchall())
    assert texts == sorted(["\n".join(PARAS)] * 3 + ["\n".join(french)]), texts


def test_an_article_that_sends_its_reader_to_sign_in_or_subscribe_is_blocked(tmp_path: Path) -> None:
    """An article URL that redirects to a sign-in or subscription page keeps its article from the
    reader who has not paid: `blocked`, never a plain redirect to a page without an article
    (the subscription page was 'redirected', and a host that does it for every URL would have
    been dead by its probe)."""
    archive = tmp_path / "archive"
    subscribe = ("<html><head><title>Subscribe | Example News</title></head><body><h1>Subscribe for unlimited "
                 "access</h1><p>Get unlimited digital access for $1 a week.</p></body></html>")
    login = ("<html><head><title>用户登录 - 新闻网</title></head><body><form><input name=u><input name=p type=password>"
             "<button>登录</button></form></body></html>")
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/a/1", Reply(302, "", headers={"Location": "/subscribe?ref=paywall"}))
        o.route("/subscribe", Reply(200, subscribe))
        o.route("/a/2", Reply(302, "", headers={"Location": "/login?next=/a/2"}))
        o.route("/login", Reply(200, login))
        for i in (1, 2):
            write_repost(archive, f"{i}.md", o.url(f"/a/{i}"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = fields(store)
    for i in (1, 2):
        assert got[o.url(f"/a/{i}")]["link_status"] == "blocked", got[o.url(f"/a/{i}")]
        assert got[o.url(f"/a/{i}")]["faithful"] is None


def test_a_body_of_binary_bytes_makes_no_version_and_no_verdict(tmp_path: Path) -> None:
    """A PDF, or a page compressed twice ("gzip, gzip", which is not decoded): read as text, its
    bytes became a version of garbage and an 'unfaithful' repost."""
    import gzip

    archive = tmp_path / "archive"
    page = article_page("标题", PARAS).encode()
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 20
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/a.pdf", Reply(200, pdf, content_type="application/pdf"))
        o.route("/twice", Reply(200, gzip.compress(gzip.compress(page)), headers={"Content-Encoding": "gzip, gzip"}))
        for name in ("a.pdf", "twice"):
            write_repost(archive, f"{name}.md", o.url(f"/{name}"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = fields(store)
    for name in ("/a.pdf", "/twice"):
        assert got[o.url(name)]["link_status"] == "alive" and got[o.url(name)]["faithful"] is None
    details = [d for (d,) in store.db.execute("SELECT detail FROM checks").fetchall()]
    assert len(details) == 2 and all("not a text page" in d for d in details)
    assert store.db.execute("SELECT count(*) FROM versions").fetchone()[0] == 0


def test_chrome_makes_no_version_and_an_edit_makes_one(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    served = {"seed": 0, "paras": list(PARAS)}
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/a/1", lambda req: Reply(200, article_page("标题", served["paras"], served["seed"])))
        write_repost(archive, "1.md", a.url("/a/1"), PARAS)
        cfg = make_config(tmp_path)
        store, _ = crawl(cfg)
        for seed in (1, 2, 3):  # other chrome, other counters, other dates: the same article
            served["seed"] = seed
            store, summary = crawl(cfg, all_sources=True)
            assert summary.new_versions == 0
        assert fields(store)[a.url("/a/1")]["versions"] == 1
        served["paras"] = PARAS[:2] + ["原文后来被改写了：这一整句话是新的，转载里没有。"] + PARAS[3:]
        store, summary = crawl(cfg, all_sources=True)
        assert summary.new_versions == 1
        f = fields(store)[a.url("/a/1")]
        assert f["versions"] == 2 and f["changed_at"] is not None
        assert f["faithful"] is False  # the repost keeps the old sentence
        store, summary = crawl(cfg, all_sources=True)
        assert summary.new_versions == 0


def test_conditional_recheck_and_304(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    page = article_page("标题", PARAS)

    def handler(req):
        if req.header("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(200, page, headers={"ETag": '"v1"', "Last-Modified": "Mon, 20 Mar 2023 01:23:00 GMT"})

    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/a/1", handler)
        write_repost(archive, "1.md", a.url("/a/1"), PARAS)
        cfg = make_config(tmp_path)
        crawl(cfg)
        store, summary = crawl(cfg, all_sources=True)
        second = a.requests("/a/1")[-1]
        assert second.header("if-none-match") == '"v1"'
        assert second.header("if-modified-since") == "Mon, 20 Mar 2023 01:23:00 GMT"
        f = fields(store)[a.url("/a/1")]
        assert f["http_status"] == 304 and f["link_status"] == "alive" and f["versions"] == 1
        assert store.db.execute("SELECT count(*) FROM checks").fetchone()[0] == 2


def test_alias_forms_are_tried_before_gone(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/zh-hans/7/", Reply(404))
        a.route("/zh-hant/7/", Reply(200, article_page("標題", PARAS)))
        write_repost(archive, "1.md", a.url("/zh-hans/7/"), PARAS)
        write_repost(archive, "2.md", a.url("/zh-hant/7"), PARAS)
        host = "127.0.0.2"
        site = SiteConfig(article_id=r"^/zh-han[st]/(\d+)/?$",
                          aliases=(a.url("/zh-hans/{id}/"), a.url("/zh-hant/{id}/")))
        cfg = dataclasses.replace(make_config(tmp_path), sites={host: site})
        store, _ = crawl(cfg)
        got = fields(store)
        assert list(got) == [a.url("/zh-hans/7/")]  # two URL forms, one source
        f = got[a.url("/zh-hans/7/")]
        assert f["reposts"] == ["1.md", "2.md"]
        assert f["link_status"] == "redirected" and f["final_url"] == a.url("/zh-hant/7/")
        assert f["faithful"] is True  # traditional vs simplified script is not a difference


def test_dead_after_consecutive_failures_and_back_alive(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    state = {"up": False}
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/a/1", lambda req: Reply(200, article_page("标题", PARAS)) if state["up"] else Reply(503))
        write_repost(archive, "1.md", a.url("/a/1"), PARAS)
        cfg = make_config(tmp_path, dead_after=2)
        store, _ = crawl(cfg)
        assert fields(store)[a.url("/a/1")]["dead"] is False
        store, _ = crawl(cfg, all_sources=True)
        f = fields(store)[a.url("/a/1")]
        assert f["link_status"] == "server_error" and f["dead"] is True and f["first_dead_at"]
        state["up"] = True
        store, _ = crawl(cfg, all_sources=True)
        f = fields(store)[a.url("/a/1")]
        assert f["link_status"] == "alive" and f["dead"] is False and f["first_dead_at"] is None


def test_limit_and_due_order(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        serve_numbered(a, archive, 5)
        cfg = make_config(tmp_path, delay=0.0)
        store, summary = crawl(cfg, limit=2)
        assert summary.checked == 2
        store, summary = crawl(cfg)
        assert summary.checked == 3  # only the never-checked ones were due
        store, summary = crawl(cfg)
        assert summary.checked == 0  # nothing due within revisit_alive
        assert store.db.execute("SELECT count(DISTINCT source_id), count(*) FROM checks").fetchone() == (5, 5)


def test_max_duration_stops_starting_new_fetches(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        serve_numbered(a, archive, 10)
        cfg = make_config(tmp_path, delay=0.3, concurrency=1)
        # robots.txt at 0, the soft-404 probe at 0.3 s, articles at 0.6 and 0.9 s, then no more.
        store, summary = crawl(cfg, max_duration=1.0)
        assert summary.stopped_early is True
        assert 1 <= summary.checked < 10
        assert store.last_crawl().outcome == "stopped_early"


def _write_config(tmp: Path, **crawl: object) -> Path:
    settings = {"delay": 0.05, "allow_private_addresses": True, "retries": 0, "timeout": 5, **crawl}
    lines = ["[archive]", 'root = "archive"', "[store]", 'database = "m.db"', 'mirror = "mirror"', "[crawl]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in settings.items()]
    lines += ["[wayback]", "enabled = false"]
    path = tmp / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_cli_crawl_json_and_a_second_crawl_exits_4(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        serve_numbered(a, archive, 6)
        config = _write_config(tmp_path, delay=0.5)
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        first = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--json", "--config", str(config)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        try:
            deadline = time.time() + 20
            while not a.requests() and time.time() < deadline:
                time.sleep(0.05)
            started = time.monotonic()
            second = run_cli("crawl", "--config", str(config))
            assert time.monotonic() - started < 10
            assert second.returncode == 4
            assert "another crawl" in second.stderr
        finally:
            out, err = first.communicate(timeout=60)
        assert first.returncode == 0, err
        doc = json.loads(out)
        for key in ("started_at", "finished_at", "checked", "by_status", "new_versions", "unfaithful", "stopped_early"):
            assert key in doc
        assert doc["checked"] == 6 and doc["by_status"] == {"alive": 6}


def _crawl_in_background(tmp_path: Path, origin: Origin, n: int) -> tuple[Path, subprocess.Popen]:
    """(config, crawl subprocess in a session of its own) of n numbered articles on `origin`,
    once a third of them have been requested."""
    serve_numbered(origin, tmp_path / "archive", n)
    config = _write_config(tmp_path, delay=0.02)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    deadline = time.time() + 30
    while len(origin.requests()) < n // 3 and time.time() < deadline:
        time.sleep(0.01)
    return config, proc


def test_kill_9_mid_crawl_loses_nothing(tmp_path: Path) -> None:
    n = 80
    with Origin("127.0.0.2") as a:
        config, proc = _crawl_in_background(tmp_path, a, n)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        with sqlite3.connect(tmp_path / "m.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            recorded = conn.execute("SELECT count(*) FROM checks").fetchone()[0]
        assert 0 < recorded < n, "the kill should land mid-crawl"
        again = run_cli("crawl", "--json", "--config", str(config))
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["checked"] == n - recorded
        with sqlite3.connect(tmp_path / "m.db") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert conn.execute("SELECT count(*), count(DISTINCT source_id) FROM checks").fetchone() == (n, n)
            outcomes = [r[0] for r in conn.execute("SELECT outcome FROM crawls ORDER BY id")]
            assert outcomes == ["interrupted", "completed"]
            # Every version points into a WARC file that exists and holds a record there.
            for file, offset in conn.execute("SELECT warc_file, warc_offset FROM versions"):
                assert (tmp_path / "mirror" / file).stat().st_size > offset


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


@contextlib.contextmanager
def _pooled_crawl(tmp_path: Path, n: int) -> Iterator[tuple[Path, subprocess.Popen, list[int]]]:
    """(config, crawl process, its pool workers) mid-crawl; whatever is left is killed after."""
    with Origin("127.0.0.2") as a:
        config, proc = _crawl_in_background(tmp_path, a, n)
        try:
            workers = _children(proc.pid)
            assert workers, "a crawl of this size runs a process pool"
            yield config, proc, workers
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


def test_a_crawl_killed_alone_leaves_no_worker_and_no_lock_behind(tmp_path: Path) -> None:
    # kill -9 of the crawl process only (the OOM killer, a user's kill), not its process group:
    # its pool workers must not outlive it, and must not keep the crawl lock for the next crawl.
    n = 120
    with _pooled_crawl(tmp_path, n) as (config, proc, workers):
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.time() + 10
        while any(Path(f"/proc/{w}").exists() for w in workers) and time.time() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if Path(f"/proc/{w}").exists()], "pool workers outlived their crawl"
        again = run_cli("crawl", "--json", "--config", str(config))
        assert again.returncode == 0, again.stderr
    with sqlite3.connect(tmp_path / "m.db") as conn:
        assert conn.execute("SELECT count(DISTINCT source_id) FROM checks WHERE link_status = 'alive'"
                            ).fetchone()[0] == n


def test_credit_lines_stay_tolerated_on_a_304_recheck(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    body = ["作者：王文", *PARAS, "图片来源：Sky News"]
    page = article_page("标题", body)

    def handler(req):
        if req.header("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(200, page, headers={"ETag": '"v1"'})

    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/a/1", handler)
        write_repost(archive, "1.md", a.url("/a/1"), body)
        cfg = make_config(tmp_path)
        store, _ = crawl(cfg)
        assert fields(store)[a.url("/a/1")]["faithful"] is True
        version = store.versions_of(store.source_by_url(a.url("/a/1")).id)[0]
        assert "作者" not in version.normalized  # a credit is not body text...
        assert "作者" in version.extras  # ...but the page shows it, so a copy may too
        store, _ = crawl(cfg, all_sources=True)
        f = fields(store)[a.url("/a/1")]
        assert f["http_status"] == 304 and f["faithful"] is True


def test_a_verdict_the_page_itself_helped_reach_stands_on_a_304_recheck_and_once_the_page_died(tmp_path: Path) -> None:
    # The repost copies a pull quote the page shows (not article text: no part of the version),
    # or leaves out words a correction strikes through: faithful because of what the page shows,
    # so on a night the page answers 304, or is gone, it is judged on that page again, not on
    # the version alone.
    from tests.test_witness import ARTICLE, _chrome

    archive = tmp_path / "archive"
    quote = "Nobody on the council wanted to be the one who closed the bridge."
    quoted = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:2])
                     + f"<aside class='pullquote' aria-hidden='true'><p>{quote}</p></aside>"
                     + "".join(f"<p>{p}</p>" for p in ARTICLE[2:]) + "</div>")
    said = ARTICLE[2] + " The plan affects twelve thousand residents of the island."
    corrected = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in [
        *ARTICLE[:2], said.replace("twelve", "<del>eleven thousand residents</del> twelve"), *ARTICLE[3:]]) + "</div>")
    pages = {"/quoted": (quoted, [*ARTICLE[:2], quote, *ARTICLE[2:]]),
             "/corrected": (corrected, [*ARTICLE[:2], said, *ARTICLE[3:]])}

    died = []

    def handler(req):
        if died:
            return Reply(404, "<html><body><h1>Not Found</h1></body></html>")
        if req.header("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(200, pages[req.path][0], headers={"ETag": '"v1"'}, gzip=True)

    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        for path, (_, body) in pages.items():
            a.route(path, handler)
            write_repost(archive, f"{path[1:]}.md", a.url(path), body)
        cfg = make_config(tmp_path)
        store, _ = crawl(cfg)
        assert all(fields(store)[a.url(path)]["faithful"] is True for path in pages)
        store, _ = crawl(cfg, all_sources=True)
        got = fields(store)
        for path in pages:
            assert got[a.url(path)]["http_status"] == 304 and got[a.url(path)]["faithful"] is True, path
        assert [e.header("if-none-match") for e in a.requests("/quoted")] == [None, '"v1"']
        # the night the page dies, its reposts are judged on the page as it was last seen
        died.append(True)
        store, _ = crawl(cfg, all_sources=True)
        got = fields(store)
        for path in pages:
            assert got[a.url(path)]["link_status"] == "gone" and got[a.url(path)]["faithful"] is True, path
    # `check --no-fetch` judges on the same page, and says what the crawl said
    from crawler.lookup import check_source
    for path in pages:
        report = check_source(cfg, store, store.source_by_url(a.url(path)), None, fetch=False)
        assert [r.faithful for r in report.reposts] == [True], path
    # Without the page's record (a mirror lost), the version judges: no verdict is lost.
    version = store.version(store.source_by_url(a.url("/quoted")).latest_version_id)
    lost = cpu.AgainJob(tmp_path / "nowhere", store.latest_capture(a.url("/quoted")), a.url("/quoted"), None,
                        10_000, version.normalized, version.extras, version.text, False, ((1, "\n\n".join(ARTICLE)),))
    assert [f.faithful for f in cpu.judge_again(lost)] == [True]


def test_a_page_that_sends_its_readers_on_is_judged_where_they_land(tmp_path: Path) -> None:
    # A moved article's stub (a refresh within seconds, its script's location, with or without a
    # line of its own) or a frameset: a reader sees the article at the other URL, and so does the
    # crawl (it called the source alive without a verdict, or judged the repost by the stub's line).
    archive = tmp_path / "archive"
    new = "/news/2023/new-123.html"
    stubs = {
        "meta": f"<html><head><title>跳转</title><meta http-equiv='refresh' content='0;url={new}'></head><body></body></html>",
        "said": ("<html><head><title>页面已迁移</title><meta http-equiv='refresh' content='2; url=" + new + "'></head>"
                 f"<body><p>本文已迁移到新地址，2秒后自动跳转。如果没有跳转，请<a href='{new}'>点击这里</a>。</p></body></html>"),
        "script": ("<html><head><title>Moved</title></head><body><p>This article has moved. If you are not redirected, "
                   f"<a href='{new}'>click here</a>.</p><script>window.location.href = '{new}';</script></body></html>"),
        "frames": f"<html><head><title>新闻</title></head><frameset rows='60,*'><frame src='/top.html'><frame src='{new}'></frameset></html>",
        "nowhere": "<html><head><meta http-equiv='refresh' content='0;url=/news/2023/empty.html'></head><body></body></html>",
    }
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route(new, Reply(200, article_page("标题", PARAS)))
        a.route("/top.html", Reply(200, "<html><body><a href='/'>首页</a></body></html>"))
        a.route("/news/2023/empty.html", Reply(200, "<html><body></body></html>"))
        for name, stub in stubs.items():
            a.route(f"/a/{name}.html", Reply(200, stub))
            write_repost(archive, f"{name}.md", a.url(f"/a/{name}.html"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = fields(store)
        for name in ("meta", "said", "script", "frames"):
            f = got[a.url(f"/a/{name}.html")]
            assert (f["link_status"], f["faithful"], f["final_url"]) == ("redirected", True, a.url(new)), name
            assert a.url(new) in f["detail"] and "no article body found" not in f["detail"], f["detail"]
        f = got[a.url("/a/nowhere.html")]  # a page with no article there either: as it was
        assert f["link_status"] == "alive" and f["final_url"] is None and "no article body found" in f["detail"]


def test_a_page_that_breaks_the_analysis_is_recorded_and_the_crawl_goes_on(tmp_path: Path, monkeypatch) -> None:
    # Whatever a hostile page does to the extractor, it is that page's check that says so:
    # the crawl records it and carries on, tonight and every night after.
    import crawler.analyze

    real_extract = crawler.analyze.extract

    def extract(html, **kw):
        if b"BREAKS-THE-EXTRACTOR" in html:
            raise RecursionError("maximum recursion depth exceeded")
        return real_extract(html, **kw)

    monkeypatch.setattr(crawler.analyze, "extract", extract)
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        for name in ("before", "broken", "after"):
            page = article_page("标题", PARAS).replace("</body>", "<!-- BREAKS-THE-EXTRACTOR --></body>") \
                if name == "broken" else article_page("标题", PARAS)
            a.route(f"/a/{name}", Reply(200, page))
            write_repost(archive, f"{name}.md", a.url(f"/a/{name}"), PARAS)
        cfg = make_config(tmp_path)
        store, summary = crawl(cfg)
        assert summary.checked == 3 and summary.outcome == "completed"
        by_url = fields(store)
        broken = by_url[a.url("/a/broken")]
        assert broken["link_status"] == "alive" and broken["versions"] == 0
        assert by_url[a.url("/a/before")]["versions"] == by_url[a.url("/a/after")]["versions"] == 1
        detail = store.db.execute("SELECT detail FROM checks c JOIN sources s ON s.id = c.source_id "
                                  "WHERE s.url = ?", [a.url("/a/broken")]).fetchone()[0]
        assert "could not be analysed (RecursionError" in detail
        again = asyncio.run(crawl_async(cfg, store, all_sources=True))
        assert again.checked == 3 and again.outcome == "completed"


def test_a_worker_killed_mid_crawl_is_replaced_and_its_checks_run_again(tmp_path: Path) -> None:
    # The OOM killer takes a pool worker: the crawl starts a new pool, runs the lost jobs
    # again, and finishes with every source checked and mirrored.
    n = 200
    with _pooled_crawl(tmp_path, n) as (_config, proc, workers):
        os.kill(workers[0], signal.SIGKILL)
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with sqlite3.connect(tmp_path / "m.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*), count(DISTINCT source_id) FROM checks").fetchone() == (n, n)
        assert conn.execute("SELECT count(*) FROM checks WHERE warc_file IS NULL").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM sources WHERE versions = 1").fetchone()[0] == n


def _crawl_with_a_poisoned_page(tmp_path: Path, monkeypatch, poison: Callable[[], None], n: int = 80):
    """Crawl n numbered pages in a process pool, the 7th carrying a mark on which the analysing
    worker runs `poison`: (store, summary, the poisoned page's fields, its check's detail)."""
    import crawler.analyze
    from tests.kit import NUMBERED_PATH, numbered_site, numbered_url

    real_extract = crawler.analyze.extract

    def extract(html, **kw):  # the pool's workers are forked from this process: they see this
        if b"POISONED-PAGE" in html:
            poison()
        return real_extract(html, **kw)

    monkeypatch.setattr(crawler.analyze, "extract", extract)
    with Origin("127.0.0.2") as a:
        serve_numbered(a, tmp_path / "archive", n)
        site = numbered_site(n)

        def poisoned(req):
            reply = site(req)
            if req.target == f"{NUMBERED_PATH}7":
                return dataclasses.replace(reply, body=reply.body.replace("</body>", "POISONED-PAGE</body>"))
            return reply

        a.default = poisoned
        store, summary = crawl(make_config(tmp_path, delay=0))
        url = numbered_url(a, 7)
    detail = store.db.execute("SELECT detail FROM checks c JOIN sources s ON s.id = c.source_id WHERE s.url = ?",
                              [url]).fetchone()[0]
    return store, summary, fields(store)[url], detail


def test_a_page_whose_analysis_runs_past_the_limit_is_stopped_and_the_crawl_goes_on(tmp_path: Path,
                                                                                    monkeypatch) -> None:
    # A page built to be slow (a shape no guard knows yet) would hold a worker for hours: past
    # ANALYSIS_LIMIT its worker is stopped, the page recorded as such, the other jobs run again.
    import crawler.crawl

    monkeypatch.setattr(crawler.crawl, "ANALYSIS_LIMIT", 3.0)
    started = time.monotonic()
    store, summary, page, detail = _crawl_with_a_poisoned_page(tmp_path, monkeypatch, lambda: time.sleep(3600))
    assert time.monotonic() - started < 120
    assert summary.checked == 80 and summary.outcome == "completed"
    assert page["versions"] == 0 and page["link_status"] == "alive" and "longer than 3 s" in detail
    by_url = fields(store)
    assert sum(f["versions"] == 1 for f in by_url.values()) == 79, Counter(f["link_status"] for f in by_url.values())


def test_a_page_that_kills_its_worker_is_recorded_and_the_crawl_goes_on(tmp_path: Path, monkeypatch) -> None:
    # A page on which the analysing process dies (a crash in a parser, say) kills the pool
    # each time it is tried: after the second time it is recorded as such, and the crawl ends.
    store, summary, page, detail = _crawl_with_a_poisoned_page(tmp_path, monkeypatch, lambda: os._exit(70))
    assert summary.checked == 80 and summary.outcome == "completed"
    assert page["versions"] == 0 and "died twice" in detail
    # Pages in the same pool as the poisoned one die with it, and are tried again in a new one,
    # where second tries run one at a time: the poisoned page's takes no other with it.
    by_url = fields(store)
    assert sum(f["versions"] == 1 for f in by_url.values()) == 79, Counter(f["link_status"] for f in by_url.values())
