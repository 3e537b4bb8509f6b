"""The repost as a witness (SPEC 3 and 7), on the wire: pages the generic extractor cannot read
are found alive and judged against the article's own text; nothing is dead without evidence."""

from __future__ import annotations

import html
import json
import random
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler import analyze, witness
from crawler.classify import link_status, soft404_evidence
from crawler.config import Config
from crawler.crawl import CrawlSummary
from crawler.extract import extract, hidden_by_style
from crawler.extract.style import hiding_selectors
from crawler.fetch import FetchResult
from crawler.normalize import markdown_to_lines, normalize_lines
from store.db import Store
from store.records import FidelityResult
from store.words import HunkOp
from tests.kit import PARAS, write_repost
from tests.origin import Origin, Reply
from tests.test_crawl import crawl, fields, make_config

POST = ("今天在这里和大家分享一个视频，讲的是过去一年里我们在海外坚持做的事情，希望战友们看完以后多多转发，"
        "让更多的人知道真相，也欢迎大家在下面留言讨论各自的看法和经历。")
CREDITS = ["视频剪辑：小蜜蜂", "听写整理：东京樱花团", "校对：Polaris"]
REPLACED = "这一段在原网站上被整段改写成了完全不同的内容，转载里仍然是原来的那一段话。"
COMMENTS = [
    "我觉得这篇文章说得很有道理，不过有些地方还可以再展开讲一讲，比如银行之间的收购到底对普通储户有什么影响，希望作者以后能再写一篇。",
    "楼上说得对，我也很关心这个问题，特别是那些把钱存在瑞士信贷的中小企业，他们的资金会不会受到冲击，现在还没有人讲清楚。",
    "其实这种事情在金融危机的时候经常发生，政府出面担保是最常见的做法，关键是担保的成本最后由谁来承担，还是纳税人。",
    "看完以后又去查了一些资料，发现这次收购的价格比市场预期的低了很多，难怪股东们都很不满意，这件事恐怕还会有后续。",
    "感谢分享，这样的新闻在国内根本看不到，只能在这里了解一些外面的真实情况，希望网站能一直办下去，支持。",
    "我有一个朋友就在苏黎世的银行工作，他说内部早就知道会有这一天了，只是没想到来得这么快，员工们都在担心裁员。",
]


def _chrome(title: str, main: str, head: str = "", seed: int = 0) -> str:
    rng = random.Random(seed)
    links = "".join(f"<li><a href='/t/{rng.randint(1, 10**6)}'>热门话题第{rng.randint(1, 99)}条：某地某事</a></li>"
                    for _ in range(6))
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)} - 论坛</title>{head}</head>"
            f"<body><div id='hd'><a href='/'>首页</a> <a href='/forum'>论坛</a> <a href='/search'>搜索</a></div>"
            f"{main}<div id='side'><h3>热门</h3><ul>{links}</ul></div>"
            f"<div id='ft'>Powered by Discuz! © 2001-2022 访问 {rng.randint(1, 10**6)}</div></body></html>")


def forum_page(seed: int = 0) -> str:
    """A Discuz-like thread: the post is one short paragraph in <div>s and <br>s."""
    post = (f"<div class='pl'><div class='pi'>楼主 发表于 2022-3-{seed % 28 + 1}</div>"
            f"<div class='t_fsz'><div class='t_f' id='postmessage_{seed}'>"
            f"<a href='https://gettr.com/post/p1'>https://gettr.com/post/p1</a><br>**<br>{POST}<br>**</div></div></div>")
    return _chrome("分享一个视频", post, seed=seed)


def video_page() -> str:
    post = ("<div class='post'><iframe src='https://rumble.com/embed/v1'></iframe>"
            + "".join(f"<p>{c}</p>" for c in CREDITS) + "</div>")
    return _chrome("视频：海外战友的一年", post)


def next_data_page(paragraphs: list[str]) -> str:
    """A script-rendered shell: the article only in __NEXT_DATA__ (HTML in a JSON string)."""
    state = {"props": {"pageProps": {"post": {"title": "瑞银收购瑞信", "id": 2190271,
                                              "content": "".join(f"<p>{p}</p>" for p in paragraphs)}}}}
    head = (f"<meta property='og:description' content='{html.escape(paragraphs[0])}'>"
            f"<script id='__NEXT_DATA__' type='application/json'>{json.dumps(state, ensure_ascii=False)}</script>")
    return _chrome("瑞银收购瑞信", "<div id='__next'><div class='loading'>加载中</div></div>", head)


def excerpt_page() -> str:
    """Only the description is served (the rest behind a login)."""
    head = f"<meta property='og:description' content='{html.escape(PARAS[0][:40])}…'>"
    return _chrome("瑞银收购瑞信", "<div class='login'><a href='/login'>登录</a>后阅读全文</div>", head)


def wordpress_page(paragraphs: list[str], seed: int = 0) -> str:
    """A WordPress-like theme: the article, then comments three times as long, in plain <div>s."""
    comments = "".join(f"<div class='c-item'><div class='c-who'>网友{i}</div><p>{c}</p></div>"
                       for i, c in enumerate(COMMENTS * 2))
    main = (f"<div class='site-content'><h1>瑞银收购瑞信</h1><div class='entry-meta'>2023-03-20 · 阅读 {seed}</div>"
            f"<div class='entry'>{''.join(f'<p>{p}</p>' for p in paragraphs)}</div>"
            f"<div class='c-list'><h3>网友回复</h3>{comments}</div></div>")
    return _chrome("瑞银收购瑞信", main, seed=seed)


def other_template(paragraphs: list[str]) -> str:
    body = "".join(f"{p}<br><br>" for p in paragraphs)
    return (f"<html><head><title>瑞银收购瑞信</title></head><body><table><tr><td><a href='/'>首页</a></td></tr>"
            f"<tr><td class='zw'><h2>瑞银收购瑞信</h2>{body}</td></tr></table></body></html>")


def checks(store: Store) -> dict[str, dict]:
    """The latest check of each source: status, detail, how its body was found."""
    rows = store.db.execute(
        "SELECT s.url, c.link_status, c.detail, c.found_by FROM checks c JOIN sources s ON s.id = c.source_id "
        "ORDER BY c.id").fetchall()
    return {url: {"status": status, "detail": detail or "", "found_by": found_by}
            for url, status, detail, found_by in rows}


def fidelity(store: Store, url: str) -> dict:
    row = store.db.execute(
        "SELECT f.faithful, f.hunks, f.excerpt_only FROM fidelity f JOIN sources s ON s.id = f.source_id "
        "WHERE s.url = ? ORDER BY f.id DESC LIMIT 1", [url]).fetchone()
    assert row is not None, f"no fidelity recorded for {url}"
    return {"faithful": bool(row[0]), "hunks": json.loads(row[1]), "excerpt_only": bool(row[2])}


def test_short_posts_and_script_pages_are_alive_and_judged_by_their_own_text(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    edited = PARAS[:2] + [REPLACED] + PARAS[3:]
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/thread-1-1-1.html", Reply(200, forum_page()))
        o.route("/video/20220301", Reply(200, video_page()))
        o.route("/post/2190271", Reply(200, next_data_page(PARAS)))
        o.route("/post/2190272", Reply(200, next_data_page(edited)))
        o.route("/news/2190273", Reply(200, excerpt_page()))
        o.route("/archives/2190274", Reply(200, wordpress_page(PARAS)))
        o.route("/archives/2190275", Reply(200, wordpress_page(edited)))
        urls = {name: o.url(path) for name, path in (
            ("forum", "/thread-1-1-1.html"), ("video", "/video/20220301"), ("next", "/post/2190271"),
            ("next_edited", "/post/2190272"), ("excerpt", "/news/2190273"), ("wp", "/archives/2190274"),
            ("wp_edited", "/archives/2190275"))}
        write_repost(archive, "forum.md", urls["forum"], ["https://gettr.com/post/p1", POST])
        write_repost(archive, "video.md", urls["video"], CREDITS)
        for name in ("next", "next_edited", "excerpt", "wp", "wp_edited"):
            write_repost(archive, f"{name}.md", urls[name], PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = checks(store)
        status = {name: got[url]["status"] for name, url in urls.items()}
        assert status == {name: "alive" for name in urls}, got
        for name in ("forum", "video", "next", "excerpt", "wp"):
            assert fidelity(store, urls[name])["faithful"], (name, fidelity(store, urls[name]))
        assert got[urls["next"]]["found_by"] == "embedded" and "embedded" in got[urls["next"]]["detail"]
        assert got[urls["excerpt"]]["found_by"] == "meta" and fidelity(store, urls["excerpt"])["excerpt_only"]
        assert fields(store)[urls["excerpt"]]["excerpt_only"] is True
        assert fields(store)[urls["wp"]]["excerpt_only"] is False
        for name in ("next_edited", "wp_edited"):
            verdict = fidelity(store, urls[name])
            assert not verdict["faithful"], name
            # the replaced paragraph is in a hunk, the comments are not
            assert any("整段改写" in h["original"] for h in verdict["hunks"]), (name, verdict)
            assert not any("楼上说得对" in h["original"] for h in verdict["hunks"]), (name, verdict)


def test_an_article_url_that_answers_json_is_read_as_its_data(tmp_path: Path) -> None:
    # An API answers the article's URL: JSON whose strings hold the article (Chinese escaped
    # as \\uXXXX, HTML inside a string). Read as a page, it is noise; read as data, the article.
    archive = tmp_path / "archive"
    edited = PARAS[:2] + [REPLACED] + PARAS[3:]
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        for n, paragraphs in ((1, PARAS), (2, edited)):
            data = {"id": n, "title": "瑞银收购瑞信", "content": "".join(f"<p>{p}</p>" for p in paragraphs)}
            o.route(f"/api/post/{n}", Reply(200, json.dumps(data), content_type="application/json"))
            write_repost(archive, f"{n}.md", o.url(f"/api/post/{n}"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = checks(store)
        same, changed = o.url("/api/post/1"), o.url("/api/post/2")
    assert got[same]["status"] == "alive" and got[same]["found_by"] == "embedded"
    assert fidelity(store, same)["faithful"]
    verdict = fidelity(store, changed)
    assert not verdict["faithful"] and any("整段改写" in h["original"] for h in verdict["hunks"]), verdict
    assert extract(json.dumps({"content": "<p>x</p>"}).encode()).paragraphs == ()


def _escaped_js(markup: str) -> str:
    """`markup` as a single-quoted JavaScript string literal, every Han character a \\u escape."""
    return "'" + "".join(f"\\u{ord(c):04x}" if ord(c) > 127 else ("\\'" if c == "'" else c) for c in markup) + "'"


SHELLS = {
    # what a script shell shows readers without scripts
    "noscript": lambda body: f"<div id='app'></div><noscript>{body}</noscript>",
    # a template its scripts copy in
    "template": lambda body: f"<div id='app'></div><template id='post'>{body}</template>",
    # a frame that shows the article from markup the page holds
    "iframe srcdoc": lambda body: f"<iframe srcdoc=\"{html.escape(body)}\"></iframe>",
    # an old portal's script that writes the article in
    "document.write": lambda body: f"<script>document.write({json.dumps(body, ensure_ascii=False)});</script>",
    # the article in a variable, escaped as scripts often escape it
    "string variable": lambda body: (f"<div id='app'></div><script>var content = {_escaped_js(body)};"
                                     "document.getElementById('app').innerHTML = content;</script>"),
}


@pytest.mark.parametrize("shell", list(SHELLS))
def test_an_article_only_in_what_its_scripts_write_is_read_there(tmp_path: Path, shell: str) -> None:
    # Neither is visible text; both are the page's, and the article is read there.
    archive = tmp_path / "archive"
    edited = PARAS[:2] + [REPLACED] + PARAS[3:]
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        for n, paragraphs in enumerate((PARAS, edited)):
            body = "<div class='post'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"
            o.route(f"/post/{n}", Reply(200, _chrome("瑞银收购瑞信", SHELLS[shell](body), seed=n)))
            write_repost(archive, f"{n}.md", o.url(f"/post/{n}"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = checks(store)
        same, changed = o.url("/post/0"), o.url("/post/1")
    for url in (same, changed):
        assert got[url]["status"] == "alive" and got[url]["found_by"] == "embedded", got[url]
    assert fidelity(store, same)["faithful"], fidelity(store, same)
    verdict = fidelity(store, changed)
    assert not verdict["faithful"] and any("整段改写" in h["original"] for h in verdict["hunks"]), verdict


def test_a_scripts_string_literals_are_read_as_javascript_reads_them() -> None:
    script = ("a = \"x\\\"y\"; b = 'it\\'s'; // don't stop here\n"
              "c = `two\nlines`; d = \"cut off\n e = \"\\u745e\\u58eb\\x41\";")
    # the quote in a comment and the one left open run to their line's end, and no further
    assert list(witness._js_literals(script)) == ['x\\"y', "it\\'s", "two\nlines", "\\u745e\\u58eb\\x41"]
    assert witness._js_unescape('x\\"y \\u745e\\u58eb\\x41 \\ud83d\\ude00 \\u{1F600}') == 'x"y 瑞士A 😀 😀'


def test_a_megabyte_literal_of_escapes_is_read_in_bounded_memory() -> None:
    # A loop that could give back what it matched kept a note for each escape: 116 MB for a
    # script line of 1,000,000 escaped quotes.
    import tracemalloc

    for closed in ("", "'"):
        script = "x = '<p>" + '\\"' * 1_000_000 + closed
        tracemalloc.start()
        try:
            got = [len(s) for s in witness._js_literals(script)]
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert got == ([2_000_003] if closed else [])
        assert peak < 10_000_000


def _crawled_once(tmp_path: Path, origin: Origin, path: str, served: dict[str, str]) -> tuple[str, Config, Store]:
    """A source at `path` that serves what `served["page"]` holds when asked, with a repost of
    PARAS, crawled once: its URL, the crawl's config and its store."""
    origin.route("/robots.txt", Reply(404))
    origin.route(path, lambda req: Reply(200, served["page"]))
    url = origin.url(path)
    write_repost(tmp_path / "archive", "wp.md", url, PARAS)
    cfg = make_config(tmp_path)
    store, _ = crawl(cfg)
    return url, cfg, store


def test_the_same_article_in_another_template_is_no_new_version(tmp_path: Path) -> None:
    served = {"page": wordpress_page(PARAS, seed=1)}
    with Origin("127.0.0.2") as o:
        url, cfg, _ = _crawled_once(tmp_path, o, "/archives/2190274", served)
        served["page"] = other_template(PARAS)
        store, summary = crawl(cfg, all_sources=True)
        assert summary.new_versions == 0 and fields(store)[url]["versions"] == 1
        # a paragraph the site adds to its article is a new version, and the repost lacks it
        served["page"] = other_template(PARAS + ["原网站后来在文章末尾补充了一段新的说明，转载里没有这一段。"])
        store, summary = crawl(cfg, all_sources=True)
        assert summary.new_versions == 1 and fields(store)[url]["faithful"] is False


CAPTION = "3月19日晚，瑞银集团宣布收购瑞信，许多市民在苏黎世的瑞信总部外驻足观望，有人拿出手机拍照留念。"


def test_a_line_the_page_showed_before_is_no_addition_when_a_new_template_reads_it_as_body(tmp_path: Path) -> None:
    # The first template sets a photo's caption apart in a <figcaption>; the site's new one sets
    # it as a line of the article's text, and reads it as body. The page that served the version
    # showed it (the mirror holds that page): the article did not change, and a repost that
    # lacks it lacks no line of the article. A line neither page showed is an addition, and a
    # new version.
    figure = f"<figure><img src='/a.jpg' alt=''><figcaption>{CAPTION}</figcaption></figure>"
    served = {"page": wordpress_page(PARAS, seed=1).replace(f"<p>{PARAS[2]}</p>", figure + f"<p>{PARAS[2]}</p>", 1)}
    with Origin("127.0.0.2") as o:
        url, cfg, store = _crawled_once(tmp_path, o, "/archives/2190275", served)
        assert fields(store)[url]["faithful"] is True
        served["page"] = other_template(PARAS[:2] + [CAPTION] + PARAS[2:])
        store, summary = crawl(cfg, all_sources=True)
        # ...and the repost that lacks the caption, faithful to the version, stays so
        assert summary.new_versions == 0 and fields(store)[url]["versions"] == 1
        assert fields(store)[url]["faithful"] is True
        served["page"] = other_template(PARAS[:2] + [CAPTION] + PARAS[2:] + ["原网站后来在文章末尾补充了一段新的说明，转载里没有这一段。"])
        store, summary = crawl(cfg, all_sources=True)
        assert summary.new_versions == 1 and fields(store)[url]["versions"] == 2
        assert [h["original"] for h in fidelity(store, url)["hunks"]] == ["原网站后来在文章末尾补充了一段新的说明，转载里没有这一段。"]


def test_a_box_whose_prose_the_page_showed_before_is_spared_with_its_names() -> None:
    # A new template reads a donation box as body: its appeal (shown before, apart) and the
    # staff's names under it come as one hunk; the names are no prose, so the hunk is spared.
    # A hunk that holds a paragraph not shown before stays.
    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))
    appeal = "Support the newsroom and make a difference for readers everywhere, every single day."
    other = "The council will publish the full list of repairs on its website next week."
    shown_before = normalize_lines([appeal])
    box = {"op": HunkOp.MISSING, "repost": "", "original": f"{appeal}\nDavid Moss\nDoreen Marsh"}
    mixed = {"op": HunkOp.MISSING, "repost": "", "original": f"{appeal}\n{other}"}
    verdict = FidelityResult(1, 0.9, False, (box, mixed))
    got = analyze._without_lines(verdict, shown_before)
    assert not got.faithful and got.hunks == (mixed,)
    assert analyze._without_lines(FidelityResult(1, 0.9, False, (box,)), shown_before).faithful


def _described(paragraphs: list[str], shown: list[str], free: bool = True) -> str:
    """A page that shows `shown` and describes its article for search engines as `paragraphs`."""
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "articleBody": "\n".join(paragraphs)}
    if not free:
        data["isAccessibleForFree"] = False
    ld = f"<script type='application/ld+json'>{json.dumps(data, ensure_ascii=False)}</script>"
    return wordpress_page(shown, seed=1).replace("</head>", ld + "</head>", 1)


def test_what_a_page_shows_is_its_article_whatever_its_json_ld_still_says(tmp_path: Path) -> None:
    # A site cuts its article quietly and leaves its JSON-LD as the article was: the page's own
    # text is the article, so the cut is a new version; a repost that has the cut end is faithful
    # to what the page shows of the article its JSON-LD describes (an excerpt, as of a teaser),
    # and one that has a cut beginning or middle is not. A page whose JSON-LD says it is not free
    # shows part of its article: the JSON-LD is the article.
    archive = tmp_path / "archive"
    served: dict[str, str] = {}
    cases = {"end": PARAS[:-1], "start": PARAS[1:], "paywall": PARAS[:2]}
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        urls = {}
        for name in cases:
            served[name] = _described(PARAS, PARAS)
            o.route(f"/archives/{name}", lambda req, name=name: Reply(200, served[name]))
            urls[name] = o.url(f"/archives/{name}")
            write_repost(archive, f"{name}.md", urls[name], PARAS)
        cfg = make_config(tmp_path)
        store, _ = crawl(cfg)
        for name, shown in cases.items():
            served[name] = _described(PARAS, shown, free=name != "paywall")
        store, summary = crawl(cfg, all_sources=True)
    got = fields(store)
    assert got[urls["end"]]["versions"] == 2 and got[urls["start"]]["versions"] == 2
    end = fidelity(store, urls["end"])
    assert end["faithful"] and end["excerpt_only"], end
    start = fidelity(store, urls["start"])
    assert not start["faithful"] and any(PARAS[0] in h["repost"] for h in start["hunks"]), start
    assert checks(store)[urls["start"]]["found_by"] == "extractor"
    paywall = fidelity(store, urls["paywall"])
    assert paywall["faithful"] and not paywall["excerpt_only"], paywall
    assert checks(store)[urls["paywall"]]["found_by"] == "embedded"


def test_a_video_post_on_a_host_that_answers_every_url_with_its_template_is_alive(tmp_path: Path) -> None:
    # Video posts, their reposts empty (nothing to witness), on a host whose random URL gets the
    # same template without a post: the page with a video, or a caption, is no copy of that
    # answer (it was soft_404, dead); the template alone, at a post's URL, still is.
    archive = tmp_path / "archive"
    chrome = ("<div class='m'>首页 | 新闻 | 视频 | 直播 | 关于我们</div><div class='m2'>热门话题：今日要闻、国际观察、财经评论</div>"
              "{}<div class='s'>扫码下载客户端，随时随地看新闻</div><div class='f'>版权所有 © 2023 某某传媒有限公司</div>")

    def page(post: str) -> str:
        return f"<html><head><title>GTV 视频</title></head><body>{chrome.format(post)}</body></html>"

    posts = {"video": "<div class='post'><iframe src='https://video.test/embed/v1a2b3'></iframe></div>",
             "caption": "<div class='post'><iframe src='https://video.test/embed/v1a2b3'></iframe>"
                        "<p>3月20日直播精彩片段</p></div>",
             "removed": "<div class='post'></div>"}
    with Origin("127.0.0.2", default=Reply(200, page("<div class='post'></div>"))) as o:
        o.route("/robots.txt", Reply(404))
        for n, (name, post) in enumerate(posts.items()):
            o.route(f"/v/1000{n}", Reply(200, page(post)))
            write_repost(archive, f"{name}.md", o.url(f"/v/1000{n}"), [])
        store, _ = crawl(make_config(tmp_path))
        got = checks(store)
    status = {name: got[o.url(f"/v/1000{n}")]["status"] for n, name in enumerate(posts)}
    assert status == {"video": "alive", "caption": "alive", "removed": "soft_404"}, status
    assert "probe" in got[o.url("/v/10002")]["detail"]


def test_soft_404_only_with_evidence_named_in_the_detail(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    error = _chrome("提示信息", "<div class='alert_error'>抱歉，指定的主题不存在或已被删除</div>")
    with Origin("127.0.0.2") as a, Origin("127.0.0.3") as catch_all:
        a.route("/robots.txt", Reply(404))
        a.route("/thread-9-1-1.html", Reply(200, error))
        a.route("/thread-8-1-1.html", Reply(200, _chrome("一个帖子", "<div class='t_f'></div>")))
        # a page that says it by script: an alert, then back; a location change to the home page
        a.route("/thread-6-1-1.html", Reply(200, "<html><head><title>提示</title></head><body><script>"
                                                 "alert('\\u8be5\\u4fe1\\u606f\\u5df2\\u88ab\\u5220\\u9664');"
                                                 "history.go(-1);</script></body></html>"))
        a.route("/thread-5-1-1.html", Reply(200, "<html><head><title>跳转</title></head><body><script>"
                                                 "window.location.href = '/';</script></body></html>"))
        # ... but a script that sends phones to another host's home page says nothing
        a.route("/thread-4-1-1.html", Reply(200, "<html><head><title>一个帖子</title></head><body><script>"
                                                 "if (/Mobile/.test(navigator.userAgent)) location.replace('http://m.x.test/');"
                                                 "</script><div class='t_f'></div></body></html>"))
        # a redirect to the site's error page, which answers 200 without saying so
        a.route("/thread-3-1-1.html", Reply(302, headers={"Location": "/404.html"}))
        a.route("/404.html", Reply(200, _chrome("新闻网", "<div class='t_f'></div>")))
        # a Refresh header that sends readers to the home page is that redirect
        a.route("/thread-7-1-1.html", Reply(200, _chrome("跳转中", "<div class='t_f'></div>"), headers={"Refresh": "0; url=/"}))
        a.default = Reply(404, "<html><body>Not Found</body></html>")  # random URLs: a real 404
        catch_all.route("/robots.txt", Reply(404))
        home = _chrome("欢迎", "<div class='welcome'><p>本站是一个综合性的新闻网站，每天为读者提供国内外的最新报道，"
                               "以及来自各界人士的深度评论文章，欢迎常来看看。</p></div>")
        catch_all.default = Reply(200, home)
        urls = {"error": a.url("/thread-9-1-1.html"), "empty": a.url("/thread-8-1-1.html"),
                "refresh": a.url("/thread-7-1-1.html"), "alert": a.url("/thread-6-1-1.html"),
                "script_home": a.url("/thread-5-1-1.html"), "mobile": a.url("/thread-4-1-1.html"),
                "to_error": a.url("/thread-3-1-1.html"),
                "catch_all": catch_all.url("/archives/2190271")}
        for name, url in urls.items():
            write_repost(archive, f"{name}.md", url, PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = checks(store)
        assert got[urls["error"]]["status"] == "soft_404"
        assert "error page" in got[urls["error"]]["detail"] and "不存在" in got[urls["error"]]["detail"]
        assert got[urls["catch_all"]]["status"] == "soft_404" and "probe" in got[urls["catch_all"]]["detail"]
        assert got[urls["refresh"]]["status"] == "soft_404" and "sends its readers" in got[urls["refresh"]]["detail"]
        assert got[urls["alert"]]["status"] == "soft_404" and "信息已被删除" in got[urls["alert"]]["detail"]
        assert got[urls["script_home"]]["status"] == "soft_404" and "sends its readers" in got[urls["script_home"]]["detail"]
        assert got[urls["mobile"]]["status"] == "alive" and "no article body found" in got[urls["mobile"]]["detail"]
        assert got[urls["to_error"]]["status"] == "soft_404" and "an error page" in got[urls["to_error"]]["detail"]
        # a page with no body and no evidence is alive, and says so
        assert got[urls["empty"]]["status"] == "alive"
        assert "no article body found" in got[urls["empty"]]["detail"]
        # the probe is one request, never retried
        probes = [e for e in a.log if e.path not in ("/robots.txt", "/404.html",
                                                     *(u.split(a.url(""))[-1] for u in urls.values()))]
        assert len(probes) == 1 and probes[0].status == 404


def test_a_removal_in_a_headline_or_beside_a_stray_block_is_read_as_it_is_meant(tmp_path: Path) -> None:
    """A repost without text (a video post: an empty body, or images) cannot tell a headline that
    names a removal from an error page: only an error message titles one. A page whose body holds
    no word of a repost with text may be a block beside an error message, which counts."""
    archive = tmp_path / "archive"
    article = "".join(f"<p>{p}</p>" for p in PARAS)
    recommended = "<div class='recommend'><h3>推荐阅读</h3>" + "".join(f"<p>{c}</p>" for c in COMMENTS[:4]) + "</div>"
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.default = Reply(404, "<html><body>Not Found</body></html>")  # random URLs: a real 404
        pages = {
            "headline": ("内容已被移除的背后：平台审查机制揭秘", f"<div class='story'>{article}</div>", []),
            "video": ("该视频已被删除？郭先生回应", "<div class='post'><h1>该视频已被删除？郭先生回应</h1>"
                                                  "<video src='/v.mp4'></video></div>", ["![](https://x.test/a.jpg)"]),
            "error": ("抱歉，您访问的页面不存在", f"<div class='story'>{article}</div>", []),
            "beside": ("新闻网", f"<div class='main'><h2>抱歉，该文章已被删除</h2>{recommended}</div>", PARAS),
        }
        urls = {}
        for name, (title, main, body) in pages.items():
            a.route(f"/a/{name}.html", Reply(200, _chrome(title, main)))
            urls[name] = a.url(f"/a/{name}.html")
            write_repost(archive, f"{name}.md", urls[name], body, title=title)
        store, _ = crawl(make_config(tmp_path))
        got = checks(store)
    assert got[urls["headline"]]["status"] == "alive" and got[urls["video"]]["status"] == "alive"
    assert got[urls["error"]]["status"] == "soft_404" and "页面不存在" in got[urls["error"]]["detail"]
    assert got[urls["beside"]]["status"] == "soft_404" and "已被删除" in got[urls["beside"]]["detail"]
    # a repost without text is judged neither faithful nor not: it copies no text of the article
    judged = {url for (url,) in store.db.execute(
        "SELECT s.url FROM fidelity f JOIN sources s ON s.id = f.source_id").fetchall()}
    assert urls["headline"] not in judged and urls["video"] not in judged


def test_a_removed_article_whose_template_keeps_its_description_is_dead(tmp_path: Path) -> None:
    """The repost's lead only in the page's description, and its main text says the article was
    deleted: the template kept the description, the message wins. Behind a login, with no such
    message, the description is an excerpt of a live article."""
    archive = tmp_path / "archive"
    head = f"<meta property='og:description' content='{html.escape(PARAS[0])}'>"
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.default = Reply(404, "<html><body>Not Found</body></html>")
        a.route("/a/removed", Reply(200, _chrome("瑞银收购瑞信", "<div class='main'><p>抱歉，您访问的文章已被删除。</p></div>", head)))
        a.route("/a/login", Reply(200, excerpt_page()))
        for name in ("removed", "login"):
            write_repost(archive, f"{name}.md", a.url(f"/a/{name}"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        got = checks(store)
    assert got[a.url("/a/removed")]["status"] == "soft_404" and "已被删除" in got[a.url("/a/removed")]["detail"]
    assert got[a.url("/a/login")]["status"] == "alive" and got[a.url("/a/login")]["found_by"] == "meta"


def test_a_host_that_serves_one_wall_or_shell_for_every_url_calls_no_article_dead(tmp_path: Path) -> None:
    """A bot check, a sign-in wall or a script shell answers every URL of its host alike, the
    random probe's included: the probe matches, yet nothing says the article is not there. A
    shell's placeholder is no article either: no version of it, no verdict against it."""
    archive = tmp_path / "archive"
    walls = {
        "check": "<html><head><title>Just a moment...</title></head><body><h1>Checking your browser before "
                 "accessing the site.</h1><p>This process is automatic.</p></body></html>",
        "verify": "<html><head><title>安全验证 - 新闻网</title></head><body><p>请完成下方验证后继续访问</p>"
                  "<div id='captcha'></div></body></html>",
        "login": "<html><head><title>News</title></head><body><form><input name='u'><input type='password'></form>"
                 "<p>Please sign in to continue reading.</p></body></html>",
        "shell": "<html><head><title>Example News</title></head><body><noscript>You need to enable JavaScript to "
                 "run this app.</noscript><div id='root'></div><script src='/static/main.js'></script></body></html>",
        # a shell that shows its loader's word or two until its script renders the article
        "loader": "<html><head><title>新闻网</title></head><body><div id='app'><div class='loading'>加载中...</div>"
                  "</div><script src='/app.js'></script></body></html>",
        "loading": "<html><head><title>Example News</title></head><body><div id='app'><p>Loading…</p></div>"
                   "<script src='/app.js'></script></body></html>",
        # ... or a longer placeholder, under the site's header and footer
        "wait": "<html><head><title>Example News</title></head><body><div id='app'><div class='header'><a href='/'>"
                "Home</a> <a href='/about'>About</a></div><div class='loading'>Loading, please wait while the page "
                "loads...</div><div class='footer'>Copyright 2023 Example Media. All rights reserved.</div></div>"
                "<script src='/app.js'></script></body></html>",
        "zh-wait": "<html><head><title>新闻网</title></head><body><div id='app'><p class='tip'>页面正在加载中，请稍候，"
                   "如长时间未显示请刷新……</p></div><script src='/app.js'></script></body></html>",
        # ... or a notice that asks for JavaScript, a newer browser, consent to cookies
        "js": "<html><head><title>Example News</title></head><body><div id='app'><p>This website requires JavaScript "
              "to display its content. Please enable JavaScript in your browser settings and reload the page.</p>"
              "</div><script src='/app.js'></script></body></html>",
        "browser": "<html><head><title>新闻网</title></head><body><div id='app'><p>您的浏览器版本过低，请升级浏览器后访问本站。"
                   "</p></div><script src='/app.js'></script></body></html>",
        "cookies": "<html><head><title>Example News</title></head><body><div id='root'></div><div class='consent'><p>"
                   "We use cookies to improve your experience on our website. By continuing to browse, you agree to "
                   "our use of cookies.</p><button>Accept</button></div><script src='/app.js'></script></body></html>",
        # a notice in the article's place, set as its body
        "region": "<html><head><title>Example News</title></head><body><div class='notice'><p>This content is not "
                  "available in your region due to legal restrictions.</p></div></body></html>",
    }
    hosts = [Origin(f"127.0.0.{20 + i}", default=Reply(200, page)).start() for i, page in enumerate(walls.values())]
    try:
        urls = {}
        for name, host in zip(walls, hosts):
            host.route("/robots.txt", Reply(404))
            urls[name] = host.url("/news/2024/01/article-123.html")
            write_repost(archive, f"{name}.md", urls[name], PARAS)
        store, summary = crawl(make_config(tmp_path))
        got, listed = checks(store), fields(store)
    finally:
        for host in hosts:
            host.close()
    for name in ("check", "verify", "login", "region"):
        assert got[urls[name]]["status"] == "blocked", (name, got[urls[name]])
        assert "wall" in got[urls[name]]["detail"], got[urls[name]]
    assert "Just a moment" in got[urls["check"]]["detail"] and "验证" in got[urls["verify"]]["detail"]
    for name in ("shell", "loader", "loading", "wait", "zh-wait", "js", "browser", "cookies"):
        assert got[urls[name]]["status"] == "alive" and "no article body found" in got[urls[name]]["detail"], name
        assert listed[urls[name]]["faithful"] is None, name  # no verdict against a placeholder
    assert not any(listed[u]["dead"] for u in urls.values()) and summary.new_versions == 0


CONSENT_EN = (
    "<h1>We value your privacy</h1>"
    "<p>We and our 842 partners store and/or access information on a device, such as cookies, and process "
    "personal data, such as unique identifiers and standard information sent by a device for personalised "
    "advertising and content, advertising and content measurement, audience research and services development.</p>"
    "<p>With your permission we and our partners may use precise geolocation data and identification through "
    "device scanning. You may click to consent to our and our partners' processing as described above. "
    "Alternatively you may access more detailed information and change your preferences before consenting.</p>"
    "<p>Please note that some processing of your personal data may not require your consent, but you have a "
    "right to object to such processing. Your preferences will apply to this website only.</p>"
    "<button>Accept all</button> <button>Reject all</button> <button>Manage options</button>")
CONSENT_ZH = (
    "<h2>我们重视您的隐私</h2>"
    "<p>我们和我们的合作伙伴使用Cookie等技术在您的设备上存储和访问信息，并处理个人数据，例如唯一标识符和设备发送的标准信息，"
    "用于个性化广告和内容、广告和内容效果衡量、受众研究以及服务开发。</p>"
    "<p>经您同意，我们和我们的合作伙伴可能会使用精确的地理位置数据以及通过设备扫描进行识别。您可以点击同意上述处理，"
    "也可以查看更详细的信息并在同意之前更改您的偏好设置。您的选择仅适用于本网站。</p>"
    "<button>接受全部</button> <button>拒绝全部</button> <button>管理偏好设置</button>")


def _crawl_hosts_answering_every_url(tmp_path: Path, pages: dict[str, str], first: int,
                                     setup: Callable[[Path], dict[str, str]] | None = None
                                     ) -> tuple[dict[str, str], dict[str, dict], dict[str, dict], CrawlSummary]:
    """One host per page (127.0.0.`first` on) that answers every URL with it, the random probe's
    included; for each, a repost of PARAS at an article's URL (`name`) and an empty one (a video
    post: nothing to witness) at a video's (`name-video`). `setup` writes more reposts. One crawl:
    (urls, latest checks, report fields, summary)."""
    archive = tmp_path / "archive"
    hosts = [Origin(f"127.0.0.{first + i}", default=Reply(200, page)).start() for i, page in enumerate(pages.values())]
    try:
        urls = setup(archive) if setup else {}
        for name, host in zip(pages, hosts):
            host.route("/robots.txt", Reply(404))
            urls[name] = host.url("/news/2024/01/article-123.html")
            write_repost(archive, f"{name}.md", urls[name], PARAS)
            urls[f"{name}-video"] = host.url("/video/2024/01/clip-456.html")
            write_repost(archive, f"{name}-video.md", urls[f"{name}-video"], [])
        store, summary = crawl(make_config(tmp_path))
        return urls, checks(store), fields(store), summary
    finally:
        for host in hosts:
            host.close()


def test_a_consent_wall_in_the_articles_place_is_blocked_not_the_article_nor_dead(tmp_path: Path) -> None:
    """A host that answers every URL with a consent wall ("We value your privacy ... Accept all")
    shows no article: its text is no version of it and no repost is unfaithful to it, and the
    random probe, answered with the same wall, is no evidence of death. The same dialog over a
    page that shows the article is a banner: the article is judged."""
    walls = {
        "en": f"<html><head><title>Before you continue</title></head><body><div class='dialog'>{CONSENT_EN}</div>"
              "</body></html>",
        "zh": f"<html><head><title>新闻网</title></head><body><div class='consent'>{CONSENT_ZH}</div></body></html>",
    }
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/a/banner", Reply(200, "<html><head><title>瑞银收购瑞信</title></head><body>"
                                   f"<div class='consent'>{CONSENT_EN}</div><article><h1>瑞银收购瑞信</h1>"
                                   + "".join(f"<p>{p}</p>" for p in PARAS[:2]) + "</article></body></html>"))

        def banner(archive: Path) -> dict[str, str]:
            write_repost(archive, "banner.md", a.url("/a/banner"), PARAS[:2])
            return {"banner": a.url("/a/banner")}

        urls, got, listed, summary = _crawl_hosts_answering_every_url(tmp_path, walls, 30, banner)
    for name in ("en", "zh", "en-video", "zh-video"):
        assert got[urls[name]]["status"] == "blocked", (name, got[urls[name]])
        assert "wall" in got[urls[name]]["detail"], got[urls[name]]
        assert listed[urls[name]]["faithful"] is None and not listed[urls[name]]["dead"], name
        assert "consent to cookies" in got[urls[name]]["detail"], got[urls[name]]
    assert got[urls["banner"]]["status"] == "alive" and listed[urls["banner"]]["faithful"] is True
    assert summary.new_versions == 1  # the article under the banner, no wall


def test_a_paywall_a_region_block_or_a_site_down_for_now_in_the_articles_place_is_no_death(tmp_path: Path) -> None:
    """Hosts that answer every URL with 200 and a notice in the article's place: a paywall
    ("Subscribe to continue reading", "订阅后即可阅读全文"), a region block set as a paragraph of
    sentences, a maintenance page or a rate limit. The random probe gets the same notice, yet none
    of them says the article is gone: a wall is `blocked`, a site down for now a `server_error`
    (dead only after `dead_after` of them); no version of the notice, no verdict against it."""

    def page(title: str, *paragraphs: str) -> str:
        return (f"<html><head><title>{title}</title></head><body><header><a href='/'>Home</a></header>"
                "<div class='notice'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></body></html>")

    notices = {
        "paywall": page("Example Times", "Subscribe to continue reading.", "Get unlimited digital access to "
                        "award-winning journalism for just $1 a week. Cancel anytime.", "Already a subscriber? Sign in."),
        "paywall-zh": page("某某日报", "本文为付费内容，订阅后即可阅读全文。", "立即订阅，畅读所有精彩内容。"),
        "region": page("Example Gazette", "Unfortunately, our website is currently unavailable in most European "
                       "countries. We are engaged on the issue and committed to looking at options that support our "
                       "full range of digital offerings to the EU market."),
        "maintenance": page("Example News", "Sorry for the inconvenience, but we're performing some maintenance at "
                            "the moment. We'll be back online shortly!"),
        "maintenance-zh": page("网站维护中", "尊敬的用户，为了给您提供更好的服务，本站正在进行系统升级维护，预计将于今晚恢复访问。"),
        "rate-limit": page("Too Many Requests", "You have sent too many requests in a given amount of time.",
                           "Please try again later."),
    }
    urls, got, listed, summary = _crawl_hosts_answering_every_url(tmp_path, notices, 40)
    for name in notices:
        for url in (urls[name], urls[f"{name}-video"]):
            want = "server_error" if name.startswith(("maintenance", "rate")) else "blocked"
            assert got[url]["status"] == want, (name, got[url])
            assert listed[url]["faithful"] is None and not listed[url]["dead"], (name, listed[url])
            assert ("down for now" if want == "server_error" else "wall") in got[url]["detail"], got[url]
    assert "订阅后即可阅读全文" in got[urls["paywall-zh"]]["detail"]
    assert "维护" in got[urls["maintenance-zh"]]["detail"] and "maintenance" in got[urls["maintenance"]]["detail"]
    assert summary.new_versions == 0


def test_a_list_of_threads_whose_titles_name_an_outage_or_a_removal_is_alive(tmp_path: Path) -> None:
    """A forum's page of threads (no article body) lists one titled "2020年7月30日游戏服务器维护内容"
    and one "该帖已被删除的原因说明": the titles are links, lines of a list, and say nothing of the page.
    It is alive, not a site down for now (a `server_error`, dead after `dead_after` nights) nor an
    error page; the same words as the page's own notice still say so."""
    rows = "".join(f"<tr><td><a href='/thread-{i}.html'>{title}</a> [来自: <a href='/group-74'>宣和告示</a>] | "
                   f"<a href='/u/{i}'>自在门小师妹</a> 3 天前 | 4384{i} | <a href='/u/9'>夜子虚</a> 前天</td></tr>"
                   for i, title in enumerate(["2020年7月30日游戏服务器维护内容", "该帖已被删除的原因说明", "新手入门指南汇总",
                                              "本周活动奖励名单公布", "关于账号安全的提醒"]))
    forum = ("<html><head><title>宣和告示 - 网易论坛</title></head><body><div id='hd'><a href='/'>首页</a></div>"
             f"<table id='threadlist'>{rows}</table></body></html>")
    notice = forum.replace("<table id='threadlist'>", "<p>本站正在进行系统维护，请稍后访问。</p><table id='threadlist'>")
    archive = tmp_path / "archive"
    with Origin("127.0.0.2", default=Reply(404, "<html><body>Not Found</body></html>")) as a:
        a.route("/robots.txt", Reply(404))
        a.route("/forum-74-1.html", Reply(200, forum))
        a.route("/forum-75-1.html", Reply(200, notice))
        write_repost(archive, "list.md", a.url("/forum-74-1.html"), PARAS)
        write_repost(archive, "notice.md", a.url("/forum-75-1.html"), PARAS)
        store, _ = crawl(make_config(tmp_path))
    got = checks(store)
    assert got[a.url("/forum-74-1.html")]["status"] == "alive", got[a.url("/forum-74-1.html")]
    assert got[a.url("/forum-75-1.html")]["status"] == "server_error", got[a.url("/forum-75-1.html")]


def test_a_repost_line_that_joins_a_few_blocks_the_page_shows_near_each_other_is_copied(tmp_path: Path) -> None:
    """A repost may join on one line what the page shows as a few blocks near each other, none
    of them the article's (its headline, and the byline after the date between them): copied,
    not added. Words the page does not show on such a line are still added."""
    archive = tmp_path / "archive"
    headline, byline = "河南高院院长：农民工不愿滥用诉权", "本报记者 邓红阳"
    article = PARAS + COMMENTS
    page = (f"<html><head><title>{headline}_法制网</title></head><body><div class='nav'><a href='/'>首页</a> "
            f"<a href='/a'>要闻</a></div><article><h1>{headline}</h1><div class='time'>发布时间：2011-12-15 19:15:35"
            f"</div><div class='author'>{byline}</div>" + "".join(f"<p>{p}</p>" for p in article)
            + "</article></body></html>")
    bodies = {
        "joined": [f"{headline} {byline}", *article],
        "more-words": [f"{headline} {byline} 这是转载者自己加上的一句话", *article],
    }
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        for name, body in bodies.items():
            a.route(f"/a/{name}.html", Reply(200, page))
            write_repost(archive, f"{name}.md", a.url(f"/a/{name}.html"), body)
        store, _ = crawl(make_config(tmp_path))
        got = {name: fidelity(store, a.url(f"/a/{name}.html")) for name in bodies}
    assert got["joined"]["faithful"] is True, got["joined"]
    assert got["more-words"]["faithful"] is False, got["more-words"]
    assert [h["op"] for h in got["more-words"]["hunks"]] == ["added"], got["more-words"]


def test_a_page_cut_at_max_bytes_gives_no_verdict_on_what_did_not_arrive(tmp_path: Path) -> None:
    """A body cut at max_bytes is the first part of a page: the article may lie past the cut
    (its sidebar came first) or lose its tail there. Neither is an unfaithful repost nor a new
    version; an edit in the part that arrived is still caught."""
    archive = tmp_path / "archive"
    story = PARAS + ["瑞银董事长表示，这次收购将在今年年底之前完成，两家银行的员工将逐步整合到同一个管理体系之中。",
                     "分析人士认为，这笔交易虽然避免了一场金融危机，但是也让瑞士的银行业变得更加集中，风险并未消失。"]
    head = "<html><head><title>瑞银收购瑞信</title></head><body>"
    sidebar = "<aside>" + "".join(f"<p>侧栏第{i}条：与这篇文章无关的一段推荐阅读文字，放在文章之前。</p>" for i in range(400)) + "</aside>"

    def article(paragraphs: list[str]) -> str:
        return "<article>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article></body></html>"

    edited = [story[0], "这一句是原网站后来改写的内容，和转载里的第二段完全不同，说的是另一件事。", *story[2:]]
    # the cut falls after the article's fourth paragraph of six
    cut_at = len((head + article(story[:4])).encode()) - len("</article></body></html>") + 4
    assert len(sidebar.encode()) > cut_at
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/a/past-the-cut.html", Reply(200, head + sidebar + article(story)))
        a.route("/a/tail-cut.html", Reply(200, head + article(story)))
        a.route("/a/edited.html", Reply(200, head + article(edited)))
        urls = {name: a.url(f"/a/{name}.html") for name in ("past-the-cut", "tail-cut", "edited")}
        for name, url in urls.items():
            write_repost(archive, f"{name}.md", url, story)
        cfg = make_config(tmp_path, max_bytes=cut_at)
        store, _ = crawl(cfg)
        store, _ = crawl(cfg, all_sources=True)
        got, listed = checks(store), fields(store)
    assert all(got[u]["status"] == "alive" and "cut at" in got[u]["detail"] for u in urls.values()), got
    # the article lies past the cut: no verdict, no version of a sidebar
    assert listed[urls["past-the-cut"]]["faithful"] is None and listed[urls["past-the-cut"]]["versions"] == 0
    # the article's tail lies past the cut: an excerpt the repost holds, one version, not two
    tail = fidelity(store, urls["tail-cut"])
    assert tail["faithful"] and tail["excerpt_only"] and listed[urls["tail-cut"]]["versions"] == 1
    # an edit in the part that arrived is caught
    caught = fidelity(store, urls["edited"])
    assert caught["faithful"] is False and any("另一件事" in h["original"] for h in caught["hunks"])


# --------------------------------------------------------------------------- property

_CHROME = st.lists(st.sampled_from([
    "<nav><a href='/'>首页</a><a href='/x'>国际</a></nav>", "<aside><h3>最新</h3><ul><li><a href='/1'>某地发生某事</a></li></ul></aside>",
    "<div class='comments'><p>说得太好了！这才是真相，转发了，希望大家都能看到。</p></div>",
    "<footer>© 2023 新闻网 版权所有</footer>", "<div class='share'>分享到：<a href='#'>推特</a></div>",
    "<h1>页面不存在</h1>", "<p>Error 404: the page you requested has been removed.</p>",
    "<script>window.__X__ = {\"a\": \"b\"}</script>", "<div>出错啦</div>",
]), max_size=6)
_WRAP = st.sampled_from(["<div class='content'>{}</div>", "<article>{}</article>", "<td>{}</td>",
                         "<div id='postmessage_1'>{}</div>", "<section><div><div>{}</div></div></section>"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PARAS + [POST] + CREDITS), min_size=1, max_size=5), _CHROME, _CHROME, _WRAP,
       st.sampled_from(["<p>{}</p>", "{}<br>", "<div>{}</div>"]), st.sampled_from(["", "页面不存在", "404 Not Found"]))
def test_a_page_holding_a_reposts_text_is_never_dead(paragraphs, before, after, wrap, line, title):
    body = "".join(line.format(html.escape(p)) for p in paragraphs)
    page = (f"<html><head><title>{title}</title></head><body>{''.join(before)}{wrap.format(body)}{''.join(after)}"
            "</body></html>")
    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))
    result = analyze.analyze(analyze.PageJob(page.encode(), "text/html; charset=utf-8", "http://x.test/a/1", None,
                                             None, ((1, "\n\n".join(paragraphs)),)))
    assert result.failure is None and result.holds_repost, page
    ok = FetchResult(url="http://x.test/a/1", final_url="http://x.test/a/1", status=200)
    evidence = soft404_evidence(ok, error_said=result.error_said, probe_match=True, holds_repost=result.holds_repost)
    assert evidence is None and link_status(ok, soft404=evidence) == "alive"



@pytest.mark.parametrize("title", ["页面不存在", "他的微博帐号已被封禁", "Ozempic no longer available in pharmacies"])
@pytest.mark.parametrize("edit", [1, 3])  # a paragraph inside the article, its last one
def test_an_edited_article_whose_headline_reads_like_an_error_is_never_dead(title: str, edit: int) -> None:
    # The site changed a paragraph since the repost: the page no longer holds the repost's text
    # verbatim, yet it holds the rest of it; its headline's words are no evidence of an error.
    edited = list(PARAS)
    edited[edit] = "这一段被原网站后来改写了，与转载的内容完全不同，讲的是另外一件事情。"
    page = f"<html><head><title>{title}</title></head><body><article>" + "".join(f"<p>{p}</p>" for p in edited) + \
        "</article></body></html>"
    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))
    result = analyze.analyze(analyze.PageJob(page.encode(), "text/html; charset=utf-8", "http://x.test/a/1", None,
                                             None, ((1, "\n\n".join(PARAS)),)))
    assert result.holds_repost and result.fidelity[0].faithful is False
    ok = FetchResult(url="http://x.test/a/1", final_url="http://x.test/a/1", status=200)
    assert soft404_evidence(ok, error_said=result.error_said, probe_match=True, holds_repost=result.holds_repost) is None

def test_the_witness_reads_script_state_and_html_inside_json():
    state = "window.__INITIAL_STATE__ = " + json.dumps({"article": {"body": "<p>" + PARAS[1] + "</p>"}}) + ";"
    page = witness.read_page(f"<html><body><div id='app'></div><script>{state}</script></body></html>")
    assert [b.text for b in page.embedded] == [PARAS[1]]
    lines = normalize_lines(markdown_to_lines(PARAS[1]))
    found = witness.find(page, lines, (), fold_script=True)
    assert found is not None and found.found_by == "embedded" and found.lines == tuple(lines)


def test_extract_with_a_repost_shows_what_the_witness_finds(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    page = tmp_path / "page.html"
    page.write_text(next_data_page(PARAS), encoding="utf-8")
    repost = write_repost(tmp_path / "archive", "one.md", "https://example.org/post/2190271", PARAS)
    plain = run_cli("extract", str(page))
    assert plain.returncode == 0 and "(no article body found)" in plain.stdout
    shown = run_cli("extract", str(page), "--repost", str(repost))
    assert shown.returncode == 0, shown.stderr
    assert PARAS[1] in shown.stdout and "script" in shown.stdout and "faithful" in shown.stdout
    as_json = json.loads(run_cli("extract", str(page), "--repost", str(repost), "--json").stdout)
    assert (as_json["found_by"], as_json["faithful"], as_json["excerpt_only"]) == ("embedded", True, False)
    edited = write_repost(tmp_path / "archive", "two.md", "https://example.org/post/2190271",
                          PARAS[:2] + [REPLACED] + PARAS[3:])
    bad = run_cli("extract", str(page), "--repost", str(edited), "--json")
    assert bad.returncode == 1 and json.loads(bad.stdout)["faithful"] is False
    missing = run_cli("extract", str(page), "--repost", str(tmp_path / "nope.md"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    # a page that shows another article over the repost's text in its data says so
    other = ["The mayor opened a new library in the old market hall on Friday, with room for forty thousand books.",
             "Children from the island schools sang at the opening, and the first readers queued from early on.",
             "The library will stay open late on weekdays, and a reading room for students is planned for next year."]
    page.write_text(next_data_page(PARAS).replace("<body>", "<body><article>" + "".join(f"<p>{p}</p>" for p in other)
                                                  + "</article>", 1), encoding="utf-8")
    planted = run_cli("extract", str(page), "--repost", str(repost))
    assert planted.returncode == 1 and "the repost's text is in its script data, not in the article the page shows" \
        in planted.stdout, planted.stdout


# Paragraphs of an English article (the page layouts below are generic theme shapes).
ARTICLE = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, ending a decade of debate.",
    "Engineers told the council that the bridge's steel frame had corroded faster than expected and could not carry traffic.",
    "Residents who live on the island will be offered a free ferry pass until a new crossing opens in four years' time.",
    "The mayor said the decision was painful but that the safety of the people who cross the bridge every day came first.",
    "A public meeting on the design of the new crossing will be held at the town hall next month, the council announced.",
]


def _judge(page_html: str, paragraphs: list[str]):
    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))
    job = analyze.PageJob(page_html.encode(), "text/html; charset=utf-8", "https://example.org/a", None, None,
                          ((1, "\n\n".join(paragraphs)),))
    return analyze.analyze(job).fidelity[0]


def _found(page_html: str, paragraphs: list[str]) -> witness.Found:
    found = witness.find(witness.read_page(page_html), normalize_lines(paragraphs), (), fold_script=True)
    assert found is not None
    return found


LAYOUTS = {
    # ASP.NET pages wrap the whole page in one <form>: that is no comment box
    "page-wide form": ("<form id='aspnetForm' method='post'><div class='story'>{}</div></form>", "<p>{}</p>"),
    # a theme's content block inside a wrapper whose class names furniture ("widget Blog")
    "content in a widget": ("<div class='widget Blog' id='Blog1'><div class='post-body'>{}</div></div>", "<p>{}</p>"),
    # page builders wrap everything in "widgets": a class naming furniture holds the article
    "every block a widget": ("<div class='elementor-widget elementor-widget-theme-post-content'>"
                             "<div class='elementor-widget-container'>{}</div></div>", "<p>{}</p>"),
    # one <div> per paragraph, with a "read more" link between two of them
    "a div per paragraph": ("<div class='body'>{}</div>", "<div class='para'>{}</div>"),
    # a card template: every paragraph in wrappers of its own
    "a card per paragraph": ("<div class='collection'>{}</div>",
                             "<div class='card'><div class='card-content'><p>{}</p></div></div>"),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_dropped_last_paragraph_is_a_difference_in_every_layout(layout: str) -> None:
    outer, para = LAYOUTS[layout]
    body = "".join(para.format(p) for p in ARTICLE[:3]) + "<div class='more'><a href='/x'>Read More</a></div>" + \
        "".join(para.format(p) for p in ARTICLE[3:])
    page = _chrome("Harbour bridge", outer.format(body))
    found = _found(page, ARTICLE[:-1])
    assert normalize_lines(ARTICLE[-1:])[0] in found.lines, found
    verdict = _judge(page, ARTICLE[:-1])
    assert not verdict.faithful and ARTICLE[-1] in [h["original"] for h in verdict.hunks]
    assert _judge(page, ARTICLE).faithful


def test_a_subheading_the_repost_wraps_over_lines_is_still_the_articles() -> None:
    # Markdown converters wrap at a fixed width (html2text at 78 columns, pandoc at 72); a
    # subheading set apart on the page is held as a whole line of the repost, and two or
    # three wrapped lines of it are that line.
    heading = "Why the council changed its mind"
    page_html = ("<html><body><article><p>" + "</p><p>".join(ARTICLE[:3]) + f"</p><h3>{heading}</h3><p>"
                 + "</p><p>".join(ARTICLE[3:]) + "</p></article></body></html>")
    wrapped = [*ARTICLE[:3], "Why the council", "changed its mind", *ARTICLE[3:]]
    found = _found(page_html, wrapped)
    assert normalize_lines([heading])[0] in found.lines and not found.furniture
    # a heading the repost does not hold stays furniture
    other = _found(page_html.replace(heading, "Read the council's report in full"), wrapped)
    assert not any("report" in line for line in other.lines)


def test_the_caption_of_an_image_box_is_furniture() -> None:
    box = "<div class='embedbox'><img src='/p.jpg' alt=''><br><em>The new crossing, as the council imagines it.</em></div>"
    body = "".join(f"<div class='para'>{p}</div>" for p in ARTICLE[:2]) + box + \
        "".join(f"<div class='para'>{p}</div>" for p in ARTICLE[2:])
    found = _found(_chrome("Harbour bridge", f"<div class='body'>{body}</div>"), ARTICLE)
    assert found.lines == tuple(normalize_lines(ARTICLE))
    assert any("new crossing" in line for line in found.furniture)


def test_a_line_the_page_shows_beside_its_article_is_copied_not_added() -> None:
    quote = "Nobody on the council wanted to be the one who closed the bridge, one member said."
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    menu = "".join(f"<li><a href='/s/{i}'>Section number {i} of the site</a></li>" for i in range(12))
    page = _chrome("Harbour bridge", f"<aside><blockquote>{quote}</blockquote></aside><ul>{menu}</ul>"
                                     f"<div class='story'>{body}</div>")
    assert _judge(page, ARTICLE[:2] + [quote] + ARTICLE[2:]).faithful
    # a line the page does not show at all is added
    verdict = _judge(page, ARTICLE[:2] + ["The bridge will reopen to cars next week, the mayor said today."] + ARTICLE[2:])
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["added"]


def test_a_repost_that_joins_or_breaks_the_lines_the_page_shows_copies_them() -> None:
    # a standfirst set apart above the story (the extractor leaves it out), and the repost
    # joins it to the first paragraph, or breaks it at its sentences
    lead = ("Cars will be banned from the old harbour bridge next spring. "
            "The island's residents will get free ferry passes until a new crossing opens.")
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    menu = "".join(f"<li><a href='/s/{i}'>Section number {i} of the site</a></li>" for i in range(12))
    page = _chrome("Harbour bridge", f"<ul>{menu}</ul><div class='standfirst'><h2>{lead}</h2></div>"
                                     f"<div class='story'>{body}</div>")
    assert _judge(page, [lead] + ARTICLE).faithful
    assert _judge(page, [lead + " " + ARTICLE[0]] + ARTICLE[1:]).faithful
    first, second = lead.split(". ")
    assert _judge(page, [first + ".", second] + ARTICLE).faithful
    # what the page does not show is added, joined to a paragraph or broken over lines
    other = "The ferry company said on Monday that it could not carry so many people without new boats."
    verdict = _judge(page, [other + " " + ARTICLE[0]] + ARTICLE[1:])
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["added"]
    verdict = _judge(page, [first + ".", other] + ARTICLE)
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["added"]


def test_a_wire_dateline_that_opens_the_first_paragraph_is_furniture() -> None:
    for dateline in ("SPRINGFIELD, Ill. (AP) — ", "LONDON (Reuters) - "):
        body = f"<p>{dateline}{ARTICLE[0]}</p>" + "".join(f"<p>{p}</p>" for p in ARTICLE[1:])
        page = _chrome("Harbour bridge", f"<div class='story'>{body}</div>")
        assert _judge(page, ARTICLE).faithful
        # words of the sentence itself are no dateline
        assert not _judge(page, [ARTICLE[0].split(" to close")[0]] + ARTICLE[1:]).faithful


def test_a_pull_quote_hidden_from_screen_readers_is_shown_by_the_page() -> None:
    # pull quotes repeat the article's words and are aria-hidden: the eye sees them
    quote = "Nobody on the council wanted to be the one who closed the bridge."
    body = "".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + \
        f"<aside class='pullquote' aria-hidden='true'><p>{quote}</p></aside>" + "".join(f"<p>{p}</p>" for p in ARTICLE[2:])
    page = _chrome("Harbour bridge", f"<div class='story'>{body}</div>")
    assert _judge(page, ARTICLE[:2] + [quote] + ARTICLE[2:]).faithful
    # hidden from everyone (the `hidden` attribute): not shown, so the line is added
    verdict = _judge(page.replace("aria-hidden='true'", "hidden"), ARTICLE[:2] + [quote] + ARTICLE[2:])
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["added"]


def test_text_for_screen_readers_only_is_no_text_the_page_shows() -> None:
    # a link's "(opens in a new tab)" for screen readers: the reader's copy has none of it
    body = "".join(f"<p>{p[:-1]} <a href='/r'>here<span class='sr-only'> (opens in a new tab)</span></a>.</p>"
                   for p in ARTICLE)
    page = _chrome("Harbour bridge", f"<div class='story'>{body}</div>")
    assert _judge(page, [f"{p[:-1]} here." for p in ARTICLE]).faithful
    # and a planted line kept from the eye shows nothing a repost may copy
    planted = "The mayor resigned on Wednesday after the vote."
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:3])
                   + f"<p class='visually-hidden'>{planted}</p>" + "".join(f"<p>{p}</p>" for p in ARTICLE[3:]) + "</div>")
    verdict = _judge(page, ARTICLE[:3] + [planted] + ARTICLE[3:])
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["added"]


@pytest.mark.parametrize("style", ["stylesheet", "opacity:0", "opacity: 0.0 !important", "visibility:collapse",
                                   "position:absolute;clip:rect(0 0 0 0)", "position:absolute; clip: rect(1px, 1px, 1px, 1px)",
                                   "clip-path: inset(50%)"])
def test_an_article_drawn_invisible_under_another_is_not_what_the_page_shows(style: str) -> None:
    # the page shows an edited article and carries the repost's words drawn invisible: the
    # reader sees the edit, and so must the verdict
    edited = ARTICLE[:2] + ["The mayor resigned on Wednesday, a day after the council's vote on the bridge."] + ARTICLE[3:]
    copy = "".join(f"<p>{p}</p>" for p in ARTICLE)
    hidden = f"<div style='{style}'>{copy}</div>" if style != "stylesheet" else \
        f"<style>.k9 {{ display: none }}</style><div class='k9'>{copy}</div>"
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in edited) + f"</div>{hidden}")
    assert not _judge(page, ARTICLE).faithful
    # the repost of the edited article is faithful to what the page shows
    assert _judge(page, edited).faithful


def test_a_box_hidden_on_small_screens_and_shown_on_wider_ones_is_shown() -> None:
    # a pull quote hidden at the top of the stylesheet and shown again by a media query: a
    # desktop reader sees it, and a repost that copies it copies what the page shows
    quote = "Nobody on the council wanted to be the one who closed the bridge, the mayor told reporters."
    style = "<style>.pq { display: none } @media screen and (min-width:768px) { .pq { display: block } }</style>"
    page = _chrome("Harbour bridge", style + "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:2])
                   + f"<div class='pq'>{quote}</div>" + "".join(f"<p>{p}</p>" for p in ARTICLE[2:]) + "</div>")
    assert _judge(page, ARTICLE[:2] + [quote] + ARTICLE[2:]).faithful
    assert hiding_selectors([".a{display:none}@media (min-width:768px){ .a{display:block}} .b{display:none}"
                             ".b:after{display:block} .c{display:none} .x .c{display:block}"]) == [".b", ".c"]


def test_the_rest_of_an_article_a_click_shows_is_the_articles() -> None:
    # the page shows the first paragraphs and keeps the rest in a box its stylesheet hides
    # until "read more" is clicked: a repost of the whole article is faithful to it
    for shown, rest in ((ARTICLE[:2], ARTICLE[2:]), (ARTICLE[:2], ARTICLE)):
        page = _chrome("Harbour bridge", "<style>.more { display:none }</style><div class='story'>"
                       + "".join(f"<p>{p}</p>" for p in shown) + "<div class='more'>"
                       + "".join(f"<p>{p}</p>" for p in rest) + "</div><a href='#'>Read more</a></div>")
        assert _judge(page, ARTICLE).faithful


@pytest.mark.parametrize("style", ["opacity:0.5", "stop-opacity:0", "fill-opacity: 0", "clip: rect(0 40px 20px 0)",
                                   "clip-path: inset(10%)", "visibility: visible"])
def test_styles_that_draw_text_are_not_taken_for_hiding_it(style: str) -> None:
    assert not hidden_by_style(style, inline=False)


def test_watermarks_the_pages_stylesheet_hides_are_no_text_a_repost_lacks() -> None:
    # a class the page's <style> hides, inside every paragraph: the reader's copy has none of it
    page = _chrome("Harbour bridge", "<style>.w7 { display: none }</style><div class='story'>" + "".join(
        f"<p>{p[:30]}<span class='w7'>www.example-news.ca</span>{p[30:]}<font class='w7'>例子新闻网</font></p>"
        for p in ARTICLE) + "</div>")
    assert _judge(page, ARTICLE).faithful
    assert not _judge(page.replace("<style>.w7 { display: none }</style>", ""), ARTICLE).faithful


@pytest.mark.parametrize("hide", ["<style>.w7 { display: none }</style>", ""])
def test_a_repost_copied_from_the_markup_has_the_watermarks_and_is_faithful(hide: str) -> None:
    # A repost taken from the page's markup, not the screen, carries what the page hides: the
    # watermark inside each paragraph and a credit line under the article. The site put them
    # there; the reposter added nothing. (`hide`: by the page's stylesheet, or by inline styles.)
    mark, credit = "www.example-news.ca", "(This article first ran in Example News; download our app for more)"
    shut = "class='w7'" if hide else "style='display:none'"
    page = _chrome("Harbour bridge", hide + "<div class='story'>" + "".join(
        f"<p>{p[:30]}<span {shut}>{mark}</span>{p[30:]}</p>" for p in ARTICLE) + f"<div {shut}>{credit}</div></div>")
    copied = [p[:30] + mark + p[30:] for p in ARTICLE] + [credit]
    assert _judge(page, copied).faithful
    assert _judge(page, ARTICLE).faithful
    # words the page does not hold stay the reposter's, beside a watermark or alone
    edited = copied[:2] + [copied[2].replace("free ferry pass", "free bus ticket and a ferry pass")] + copied[3:]
    verdict = _judge(page, edited)
    assert not verdict.faithful and "bus ticket" in verdict.hunks[0]["repost"]
    verdict = _judge(page, copied + ["Our reporter thanks the harbour office for its help."])
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["added"]


def test_a_repost_that_copies_a_hidden_label_beside_a_shown_credit_is_faithful() -> None:
    # El País: a photo's "ampliar foto" button, hidden until the pointer is over it, over the
    # photo's credit; a repost taken from the markup carries both as lines of their own
    figure = ("<div class='media'><div class='foto figure'><a href='/f/1.jpg' title='ampliar foto'><img src='/f/1.jpg' "
              "alt=''><span style='display: block;'></span><span style='display: none;'>ampliar foto</span></a>"
              "<p class='figcaption'><span class='firma'>EL PAÍS</span></p></div></div>")
    page = _chrome("Harbour bridge", "<div class='story'>" + f"<p>{ARTICLE[0]}</p>" + figure
                   + "".join(f"<p>{p}</p>" for p in ARTICLE[1:]) + "</div>")
    assert _judge(page, [ARTICLE[0], "ampliar foto", "EL PAÍS", *ARTICLE[1:]]).faithful
    # a line the page does not hold, beside them, stays the reposter's
    verdict = _judge(page, [ARTICLE[0], "ampliar foto", "EL PAÍS", "Photo by our reader Tom Smith", *ARTICLE[1:]])
    assert not verdict.faithful and "Tom Smith" in verdict.hunks[0]["repost"]


def test_a_repost_that_copies_a_caption_with_its_hidden_label_is_faithful() -> None:
    # The New York Times: a photo's caption, then its credit under a label only screen readers
    # get ("<span class='visually-hidden'>Credit</span>"); a repost taken from the markup has the
    # caption's line with the label in it
    caption = "The mayor on Tuesday after the vote at city hall, where she spoke of the bridge's long history."
    figure = (f"<figure><img src='/f/1.jpg' alt=''><figcaption><span>{caption}</span> <span class='credit'>"
              "<span class='visually-hidden'>Credit</span> Damon Winter/The Harbour Times</span></figcaption></figure>")
    page = _chrome("Harbour bridge", "<div class='story'>" + f"<p>{ARTICLE[0]}</p>" + figure
                   + "".join(f"<p>{p}</p>" for p in ARTICLE[1:]) + "</div>")
    copied = f"{caption} Credit Damon Winter/The Harbour Times"
    assert _judge(page, [ARTICLE[0], copied, *ARTICLE[1:]]).faithful
    # words the page does not hold, put into that line, stay the reposter's
    verdict = _judge(page, [ARTICLE[0], copied.replace("Credit", "Photo and words by our reader"), *ARTICLE[1:]])
    assert not verdict.faithful


@pytest.mark.parametrize("tag", ["del", "s", "strike"])
def test_words_a_correction_strikes_through_a_repost_may_leave_out_or_keep(tag: str) -> None:
    # "Correction: ~~eleven thousand~~ twelve thousand": a repost of the corrected article
    # copies it with the old words, or as it reads now, without them
    old, new = "eleven thousand residents", "twelve thousand residents"
    said = ARTICLE[2] + f" The plan affects {new} of the island."
    shown = said.replace(new, f"<{tag}>{old}</{tag}> {new}")
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(
        f"<p>{p}</p>" for p in [*ARTICLE[:2], shown, *ARTICLE[3:]]) + "</div>")
    assert _judge(page, [*ARTICLE[:2], said, *ARTICLE[3:]]).faithful
    assert _judge(page, [*ARTICLE[:2], said.replace(new, f"{old} {new}"), *ARTICLE[3:]]).faithful
    # words the page shows unstruck stay the article's
    verdict = _judge(page, [*ARTICLE[:2], said.replace(" of the island", ""), *ARTICLE[3:]])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == ["of the island"]


def test_a_lead_paragraph_that_opens_with_its_reporters_dateline_is_the_articles() -> None:
    # "【記者X台北報導】春節期間，…": a repost that drops the lead was edited; one that drops only
    # the dateline was not
    dateline = "【台灣醒報記者潘姿羽台北報導】"
    article = ["春節期間，民眾若不小心吃壞肚子，或是身體出了問題該怎麼辦？健保局提醒民眾，可以上網查詢特約醫療院所的看診情形。",
               "健保局醫管組組長表示，自費就診應於七日內退費，例假日不計；一旦超過退費期限，民眾仍可至全台健保分局辦理。",
               "另外，在非健保特約的醫療機構就診時，不論國內外，都要記得保存好收據，於六個月內向健保局辦理退費。",
               "為方便民眾看診，全國九千多家健保特約醫療院所將整理春節期間的看診時間，相關訊息會刊登在健保局網站。"]
    page = _chrome("春節就醫", "<div class='x1'><h1>春節就醫</h1>" + "".join(
        f"<p>{p}</p>" for p in [dateline + article[0], *article[1:]]) + "</div>")
    assert _judge(page, [dateline + article[0], *article[1:]]).faithful
    assert _judge(page, article).faithful
    verdict = _judge(page, article[1:])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [dateline + article[0]]


def test_a_first_paragraph_above_a_box_of_related_links_is_the_articles() -> None:
    # the article's first paragraph, then a box headed "Related articles", then the rest: a
    # repost that drops the first paragraph was edited
    box = ("<div class='box'><header><h3>Related articles</h3></header><ul>"
           + "".join(f"<li><a href='/news/{n}'>Other story number {n} about the harbour and the island</a></li>"
                     for n in range(3)) + "</ul></div>")
    page = _chrome("Harbour bridge", "<div class='x1'><h1>Harbour bridge</h1><div class='x4'><div>video</div></div>"
                   f"<div class='x2'><p>{ARTICLE[0]}</p><p></p></div>{box}"
                   f"<div class='x2'><p>{ARTICLE[1]}</p><p>{ARTICLE[2]}</p></div>"
                   f"<div class='x2'><p>{ARTICLE[3]}</p><p>{ARTICLE[4]}</p></div></div>")
    assert _judge(page, ARTICLE).faithful
    verdict = _judge(page, ARTICLE[1:])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [ARTICLE[0]]


def test_a_paragraph_of_prose_that_speaks_of_subscribers_is_the_articles() -> None:
    # words a call to action uses ("sign up", "newsletter") inside the article's own prose: a
    # repost that drops the paragraph was edited
    said = ("The city's weekly newsletter, which thousands of residents sign up for, will carry the "
            "timetable of the replacement ferries from March.")
    article = [*ARTICLE[:2], said, *ARTICLE[2:]]
    page = _chrome("Harbour bridge", "<div class='x1'><h1>Harbour bridge</h1>" + "".join(
        f"<p>{p}</p>" for p in article) + "</div>")
    assert _judge(page, article).faithful
    verdict = _judge(page, [*ARTICLE[:2], *ARTICLE[2:]])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [said]


@pytest.mark.parametrize("html, linky", [
    ("<p>The investigation had been shelved in 2017 but was <a href='/1'>re-opened earlier this year "
     "following his eviction from the embassy</a>.</p>", False),
    ("<p>Read more: <a href='/2'>Why the council voted to close the harbour bridge to cars</a></p>", True),
    ("<ul><li><a href='/3'>Profile: the mayor who closed the harbour bridge to cars</a></li></ul>", True),
])
def test_a_sentence_that_links_most_of_its_words_is_no_line_of_links(html: str, linky: bool) -> None:
    (block,) = [b for b in witness.read_page(f"<html><body>{html}</body></html>").visible]
    assert block.linky is linky


def test_a_dialog_over_the_page_is_furniture() -> None:
    # (an edition switcher, a sign-up box: what a script shows over the page is the site's)
    page = witness.read_page("<html><body><div class='story'><p>The harbour bridge reopened to traffic on Monday "
                             "morning after eleven months of repairs.</p><div role='dialog'><p>This content is "
                             "available customized for our international audience. Would you like to view this "
                             "in our UK edition?</p></div></div></body></html>")
    assert [bool(b.furniture) for b in page.visible] == [False, True]


def test_a_press_releases_about_under_a_rule_is_no_text_a_repost_must_carry() -> None:
    # "About X" boilerplate in fine print, in a box of its own under a rule (<hr>): the
    # release's text ends above it; its own last paragraph stays the release's
    about = ["Harbourside Holdings is a global provider of bridges and ferries focused on small islands. "
             "Its mission is to keep every island connected to the mainland, whatever the weather.",
             "Harbourside Holdings is headquartered in Baar, has subsidiaries in 15 countries and employs "
             "around 1,300 people worldwide."]
    page = _chrome("Harbour bridge", "<div class='x1'><h1>Harbour bridge</h1><div class='x5'>October 12, 2017</div>"
                   "<div class='x6'><div class='x7'><div>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div></div>"
                   "<div class='x7'><div><hr><p style='font-size: 12px'>" + "</p><p style='font-size: 12px'>".join(about)
                   + "</p></div></div></div></div>")
    assert _judge(page, ARTICLE).faithful
    verdict = _judge(page, ARTICLE[:-1])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [ARTICLE[-1]]
    # a paragraph after a rule among the article's own paragraphs is the article's
    page = _chrome("Harbour bridge", "<div class='x1'><h1>Harbour bridge</h1><div class='x7'>"
                   + "".join(f"<p>{p}</p>" for p in ARTICLE[:-1]) + f"<hr><p>{ARTICLE[-1]}</p></div></div>")
    verdict = _judge(page, ARTICLE[:-1])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [ARTICLE[-1]]


def test_an_interviews_question_set_as_a_heading_is_the_articles() -> None:
    # "Q: ...?" in an <h4> over each answer: a repost that drops a question was edited; a
    # subheading ("The vote") and a headline that asks stay headings
    q1 = "Q: What is the one thing you have learned in your past roles that helps you most as mayor?"
    q2 = "Q: When will the first of the new ferries start to carry cars between the island and the town?"
    a1, a2 = (f"A: {ARTICLE[1]}", f"A: {ARTICLE[2]}")
    page = _chrome("Harbour bridge", "<div class='x1'><h1>Will the harbour bridge close for good, and what comes next?</h1>"
                   f"<div class='x7'><p>{ARTICLE[0]}</p><h4>The vote</h4><h4><strong>{q1}</strong></h4><p>{a1}</p>"
                   f"<h4><strong>{q2}</strong></h4><p>{a2}</p></div></div>")
    assert _judge(page, [ARTICLE[0], q1, a1, q2, a2]).faithful
    assert _judge(page, [ARTICLE[0], "The vote", q1, a1, q2, a2]).faithful
    verdict = _judge(page, [ARTICLE[0], q1, a1, a2])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [q2]


def test_the_pages_description_shown_as_a_standfirst_is_no_text_a_repost_must_carry() -> None:
    # a dek under the headline, in an element of its own, that says what the page tells search
    # engines: the article's text starts below it (classes that name nothing)
    dek = "A decade-long fight over an ageing landmark ends with a narrow vote and an angry crowd outside city hall."
    head = f"<meta property='og:description' content='{dek}'>"
    page = _chrome("Harbour bridge", f"<div class='x1'><h1>Harbour bridge</h1><div class='x2'>{dek}</div>"
                   "<div class='x3'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:3]) + "</div>"
                   "<div class='x3'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[3:]) + "</div></div>", head=head)
    assert _judge(page, ARTICLE).faithful
    assert _judge(page, [dek, *ARTICLE]).faithful
    # a paragraph of the article's below it is still the article's
    verdict = _judge(page, [*ARTICLE[:2], *ARTICLE[3:]])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [ARTICLE[2]]
    # a lead paragraph the description repeats, among the article's paragraphs, is the article's
    lead = f"<meta property='og:description' content='{ARTICLE[0]}'>"
    page = _chrome("Harbour bridge", "<div class='x1'><h1>Harbour bridge</h1><div class='x3'>"
                   + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div></div>", head=lead)
    verdict = _judge(page, ARTICLE[1:])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [ARTICLE[0]]


def test_a_description_written_in_markup_is_read_as_its_text() -> None:
    # MSN's description is the dek's markup, link and all, escaped into the attribute: the dek
    # the page shows under its headline is still what it tells search engines
    dek = ("A decade-long fight over an ageing landmark ends with a narrow vote. For more on <a href='/b'>the "
           "city's bridges</a>, see our guide.")
    head = f"<meta name='description' content='{html.escape(dek)}'>"
    page = _chrome("Harbour bridge", f"<div class='x1'><h1>Harbour bridge</h1><p class='x2'>{dek}</p>"
                   "<div class='x3'>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div></div>", head=head)
    assert _judge(page, ARTICLE).faithful
    assert witness.read_page(page).meta[0].text == ("A decade-long fight over an ageing landmark ends with a narrow "
                                                    "vote. For more on the city's bridges, see our guide.")


def test_a_description_written_with_name_and_value_is_read() -> None:
    # `<meta name="og:description" value="...">`: a template's slip for property/content, which
    # the crawlers that share pages read all the same
    dek = "A decade-long fight over an ageing landmark ends with a narrow vote in the council."
    page = witness.read_page(f"<html><head><meta name='og:description' value='{dek}'></head><body></body></html>")
    assert [b.text for b in page.meta] == [dek]


def test_a_line_that_is_the_pages_description_is_copied_not_added() -> None:
    # Vulture's dek under the headline names the showrunner; its og:description, the same dek
    # without the name, is what a reposter's tool puts above the article: the site's own words
    shown = "With four shows, veteran engineer Annabel Leighton has found a way to keep the old bridge standing."
    described = "With four shows, the veteran engineer has found a way to keep the old bridge standing."
    head = f"<meta property='og:description' content='{described}'>"
    page = _chrome("Harbour bridge", f"<article><header><h1>Harbour bridge</h1><p class='dek'>{shown}</p>"
                   "<span>By Meg James</span></header><div class='body'>"
                   + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div></article>", head=head)
    assert _judge(page, [described, *ARTICLE]).faithful
    assert _judge(page, [shown, *ARTICLE]).faithful
    # a line of the reposter's own, even one a word away from the description, is added
    verdict = _judge(page, [described.replace("keep the old bridge standing", "tear the old bridge down"), *ARTICLE])
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["added"]
    # and the description copied does not stand for a paragraph the repost drops
    verdict = _judge(page, [described, *ARTICLE[:2], *ARTICLE[3:]])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [ARTICLE[2]]


@pytest.mark.parametrize("named", [
    '<script type="application/ld+json">{"@type": "NewsArticle", "author": [{"@type": "Person", "name": "Meg James"}]}</script>',
    '<meta name="author" content="Meg James">',
])
def test_a_note_on_the_author_under_the_article_is_no_text_a_repost_must_carry(named: str) -> None:
    # no class says what it is: the name the page's metadata gives its author says it
    note = "Meg James is a corporate media reporter for the Los Angeles Times, covering the business of television."
    page = _chrome("Harbour bridge", "<div>" + "".join(f"<p>{p}</p>" for p in [*ARTICLE, note]) + "</div>", head=named)
    assert _judge(page, ARTICLE).faithful
    assert _judge(page, [*ARTICLE, note]).faithful
    assert not _judge(page, ARTICLE[:-1]).faithful  # the article's last paragraph stays its own
    # a line about someone else, or one the page's metadata does not name as its author, is the article's
    other = note.replace("Meg James", "Tom Brown")
    verdict = _judge(page.replace(note, other), ARTICLE)
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [other]
    verdict = _judge(page.replace(named, ""), ARTICLE)
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [note]


def test_a_dateline_the_page_sets_as_a_list_is_shown_by_the_page() -> None:
    # date, paper and reporter as three list items; the repost has them on one line
    dateline = "2012-01-12 01:16中國時報【陳俊雄／新北市報導】"
    items = "<ul class='info'><li>2012-01-12 01:16</li><li>中國時報</li><li>【陳俊雄／新北市報導】</li></ul>"
    body = "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = _chrome("Harbour bridge", f"<div class='story'>{items}{body}</div>")
    assert _judge(page, [dateline] + ARTICLE).faithful
    # the same words in another order are no line the page shows
    verdict = _judge(page, ["中國時報2012-01-12 01:16【陳俊雄／新北市報導】"] + ARTICLE)
    assert not verdict.faithful


def test_a_click_to_tweet_box_the_repost_copies_is_no_addition() -> None:
    # the hunk of the copied box runs into the next line ("...every day.\nI"): the fragment
    # of a neighbouring line at its edge is no line the page must show
    tweet = "I believe the worst enemy of progress is the flood of advice that reaches us every day."
    after = "I want to show you how the council can ignore most of that advice and still build the bridge."
    box = (f"<div class='ctt'><a href='https://twitter.com/share?t=x'><span class='ctt-text'>{tweet}</span>"
           "<span class='ctt-btn'>Click To Tweet</span></a></div>")
    body = "".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + f"<p>Here is the thing:</p>{box}<p>{after}</p>" + \
        "".join(f"<p>{p}</p>" for p in ARTICLE[2:])
    page = _chrome("Harbour bridge", f"<div class='story'>{body}</div>")
    assert _judge(page, ARTICLE[:2] + ["Here is the thing:", tweet, after] + ARTICLE[2:]).faithful
    other = "I believe the council will regret the day it closed the bridge to every car in town."
    verdict = _judge(page, ARTICLE[:2] + ["Here is the thing:", other, after] + ARTICLE[2:])
    assert not verdict.faithful


def test_an_added_hunk_is_weighed_by_the_whole_lines_it_falls_in() -> None:
    pairs = [("Apple AirPods Pro", "Apple AirPods Pro"), ("Active noise cancellation", "Active noise cancellation"),
             ("Apple iPhone 7, GSM Unlocked", "Apple iPhone 7, GSM Unlocked")]
    # a hunk cut across two lines ("...Pro\nActive") stands for both lines, whole
    assert analyze._lines_under("AirPods Pro\nActive", pairs) == ["Apple AirPods Pro", "Active noise cancellation"]
    assert analyze._lines_under(", GSM Unlocked", pairs) == ["Apple iPhone 7, GSM Unlocked"]
    # text that is no stretch of the repost's lines (other line breaks) stands for nothing
    assert analyze._lines_under("Pro Active", pairs) == []


def test_a_paragraph_around_a_pop_up_card_of_links_shows_the_reposts_line() -> None:
    # a name in the first paragraph carries a pop-up card of headlines (links) inside the <p>;
    # the extractor sets the link-heavy paragraph aside, the repost has the paragraph alone
    card = ("<span class='card'><a href='/p/1'>Mayor Jane Doe</a> <a href='/n/1'>Mayor opens the new "
            "library in the old town</a> <a href='/n/2'>Council passes the budget for next year</a></span>")
    lead = "The mayor Jane Doe said on Tuesday that the old harbour bridge will close to cars."
    body = f"<p>The mayor <a href='/p/1'>Jane Doe</a>{card} said on Tuesday that the old harbour bridge will close " \
           "to cars.</p>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = _chrome("Harbour bridge", f"<div class='story'>{body}</div>")
    assert _judge(page, [lead] + ARTICLE).faithful
    # a long paragraph keeps the card in the extractor's body: the card's text is the card's, not
    # text the repost lacks
    long_lead = lead + " " + ARTICLE[1] + " " + ARTICLE[2]
    long_body = (f"<p>The mayor <a href='/p/1'>Jane Doe</a>{card} said on Tuesday that the old harbour bridge will "
                 f"close to cars. {ARTICLE[1]} {ARTICLE[2]}</p>" + "".join(f"<p>{p}</p>" for p in ARTICLE))
    long_page = _chrome("Harbour bridge", f"<div class='story'>{long_body}</div>")
    assert _judge(long_page, [long_lead] + ARTICLE).faithful
    # ...and so it is where the repost wraps that paragraph over lines of a fixed width
    wrapped = "\n".join(textwrap.wrap(long_lead, 60))
    assert _judge(long_page, [wrapped] + ARTICLE).faithful
    # a sentence of the page's own inside that paragraph is text the repost lacks
    said = ", who won the election last year after a long campaign about the island's ferries,"
    verdict = _judge(long_page.replace(card, said), [long_lead] + ARTICLE)
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["missing"]
    # a sentence the site put into a paragraph that holds many links is no card: its links
    # are the paragraph's names, the sentence is the site's edit
    linked = ("The mayor <a href='/p/1'>Jane Doe</a>, the engineer <a href='/p/2'>Tom Smith of the city works "
              "department</a> and the ferry operator <a href='/p/3'>Island Ferries Limited</a> said on Tuesday "
              "that the old harbour bridge will close to cars.")
    named = "The mayor Jane Doe, the engineer Tom Smith of the city works department and the ferry operator " \
            "Island Ferries Limited said on Tuesday that the old harbour bridge will close to cars."
    put_in = " The council later admitted it had ignored the warnings."
    edited_page = _chrome("Harbour bridge", "<div class='story'><p>" + linked.replace(" said on", put_in + " said on")
                          + "</p>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>")
    verdict = _judge(edited_page, [named] + ARTICLE)
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["missing"]
    # the same words inserted as no links are the paragraph's own text: the line is not shown
    plain = page.replace(card, card.replace("<a href", "<b class").replace("</a>", "</b>"))
    assert not witness.shows(witness.read_page(plain), normalize_lines([lead])[0], True)
    assert witness.shows(witness.read_page(page), normalize_lines([lead])[0], True)


@pytest.mark.parametrize("box", ["author-bio", "author-dropdown", "about-the-author", "c-author-box", "authorProfile"])
def test_an_authors_box_under_the_article_is_furniture(box: str) -> None:
    # TechCrunch's writer's card ("X currently works for TechCrunch as a writer. She is also a
    # blogger who ..."), WordPress themes' author boxes: prose about the writer, not the article
    bio = ("Jane Doe currently works for the Harbour News as a writer. She is also a blogger who studied writing "
           "and art in Los Angeles, moving to New York shortly after graduation to work in the media industry.")
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
                   + f"<div class='{box}'><div class='description'><p>{bio} <a href='/a/jane'>Learn more</a></p>"
                   "</div></div></div>")
    assert _judge(page, ARTICLE).faithful
    # the article's own paragraphs around it are still the article's
    assert not _judge(page, ARTICLE[:-1]).faithful
    # a box that names an author's content is no such box: an author's page holding the article
    whole = _chrome("Harbour bridge", "<div class='story author-content'>"
                    + "".join(f"<p>{p}</p>" for p in [*ARTICLE, bio]) + "</div>")
    assert not _judge(whole, ARTICLE).faithful


def test_a_paragraph_that_holds_a_pop_up_card_with_a_picture_is_the_articles() -> None:
    # The Hill's pop-up card: a picture, the person's name and latest headlines, "MORE", in
    # spans inside the <p> where the name stands. The paragraph is the article's, without the
    # card: a repost that drops it is caught, and a change of its words makes a new version.
    card = ("<span class='rollover-block'><span><img src='/p/1.jpg' alt=''><a href='/p/1'>Jane Doe</a>"
            "<a href='/n/1'>Mayor opens the new library in the old town</a> <a href='/n/2'>Council passes "
            "the budget for next year after a long night</a> <a href='/p/1'>MORE</a></span></span>")
    lead = "The mayor Jane Doe said on Tuesday that the old harbour bridge will close to cars."
    page = _chrome("Harbour bridge", "<div class='story'><p><span>The mayor <span><a href='/p/1'>Jane Doe</a>"
                   f"{card}</span> said on Tuesday that the old harbour bridge will close to cars.</span></p>"
                   + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>")
    assert extract(page.encode()).paragraphs == (lead, *ARTICLE)
    assert _judge(page, [lead] + ARTICLE).faithful
    verdict = _judge(page, ARTICLE)
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [lead]
    # a picture with one link in a paragraph is no card: a linked photo stays where it is
    photo = "<p><a href='/big.jpg'><img src='/small.jpg' alt=''></a> The mayor on the bridge, Tuesday.</p>"
    assert "The mayor on the bridge, Tuesday." in extract(_chrome("Harbour bridge", "<div class='story'>" + photo + "".join(
        f"<p>{p}</p>" for p in ARTICLE) + "</div>").encode()).paragraphs


def test_prose_the_extractor_reads_as_the_article_stays_required_in_a_container_of_its_own() -> None:
    # the last paragraph is an embedded post (a container of its own): the extractor reads it as
    # the article's, so a repost without it is not faithful
    body = "".join(f"<p>{p}</p>" for p in ARTICLE[:-1])
    page = _chrome("Harbour bridge", f"<div class='story'>{body}<blockquote class='embedded-post'><p>{ARTICLE[-1]}"
                                     "</p></blockquote></div>")
    verdict = _judge(page, ARTICLE[:-1])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [ARTICLE[-1]]
    assert _judge(page, ARTICLE).faithful


def test_a_credit_line_the_page_shows_whole_is_spared_where_the_repost_breaks_it() -> None:
    # the page shows an embedded post's link and credit as one line (an extra), the repost as two
    shown = normalize_lines(["pic.twitter.com/YpXAksInAn — Salmon (@Salmon_Ten) May 3, 2022",
                             "pic.twitter.com/YpXAksInAn"])
    lines = normalize_lines(["pic.twitter.com/YpXAksInAn", "— Salmon (@Salmon_Ten) May 3, 2022", ARTICLE[0]])
    assert analyze.tolerate(lines, frozenset(shown)) == lines[2:]


def test_a_caption_in_an_inline_element_a_class_names_is_furniture() -> None:
    # The Washington Post sets a chart, a <br> and its caption, a long sentence, in a <span> whose
    # class names it, between two paragraphs: the caption is the page's furniture, not prose of
    # the article; a paragraph that only holds such a span beside words of its own is prose
    caption = ("For 2015, the harbour office checked yes when asked whether it had moved money to a "
               "company owned by a member of the council, which the council had denied for years.")
    chart = f"<div class='inline-content'><img src='/chart.png' alt=''><br><span class='pb-caption'>{caption}</span></div>"
    story = "".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + chart + "".join(f"<p>{p}</p>" for p in ARTICLE[2:])
    page = _chrome("Harbour bridge", f"<div class='story'>{story}</div>")
    assert normalize_lines([caption])[0] not in _found(page, ARTICLE).lines
    said = f"The office said: <span class='pb-caption'>{caption}</span>"
    page = _chrome("Harbour bridge", f"<div class='story'>{story.replace(chart, f'<p>{said}</p>')}</div>")
    told = "The office said: " + caption
    assert normalize_lines([told])[0] in _found(page, ARTICLE[:2] + ARTICLE[3:]).lines


def test_a_credit_the_page_sets_beside_another_in_one_line_is_copied_not_added() -> None:
    # NetEase sets the source and the editor in two spans of one line under the article; a
    # repost that ends with the editor's credit alone copied it from the page
    credits = ("<div class='ep-source'><span class='left'>本文来源：证券市场红周刊</span> "
               "<span class='ep-editor'>责任编辑：杨倩 NF4425</span></div>")
    page = _chrome("Harbour bridge", f"<div class='story'>{''.join(f'<p>{p}</p>' for p in ARTICLE)}</div>{credits}")
    assert _judge(page, [*ARTICLE, "责任编辑：杨倩 NF4425"]).faithful
    read = witness.read_page(page)
    assert witness.in_furniture(read, normalize_lines(["本文来源：证券市场红周刊"])[0], True)
    # a part from inside the line, or words the page does not show there, are added
    assert not witness.in_furniture(read, normalize_lines(["证券市场红周刊 责任编辑"])[0], True)
    verdict = _judge(page, [*ARTICLE, "责任编辑：张三 NF4425"])
    assert not verdict.faithful and verdict.hunks[0]["op"] == "added"


TWEET = ("While we argue about the bridge, we should not forget the ferry that sank off the island in 1998. "
         "https://t.co/hFciHO5Qc7")
TWEET_CREDIT = "— Jane Roe (@janeroe) November 18, 2019"


def tweet_page() -> str:
    """An article that ends with an embedded post: its text in a quote, its credit line after it."""
    embed = (f"<div class='social-embed'><blockquote class='twitter-tweet'><p lang='en'>{TWEET}</p>"
             "— Jane Roe (@janeroe) <a href='https://twitter.com/janeroe/status/1'>November 18, 2019</a>"
             "</blockquote></div>")
    return _chrome("Harbour bridge", f"<div class='story'>{''.join(f'<p>{p}</p>' for p in ARTICLE)}{embed}</div>")


def test_an_embedded_post_whose_credit_the_repost_copies_is_the_articles() -> None:
    # the extractor drops the quote; the repost has its credit line, so the quote is the article's
    assert _judge(tweet_page(), ARTICLE + [TWEET, TWEET_CREDIT]).faithful
    verdict = _judge(tweet_page(), ARTICLE + [TWEET_CREDIT])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [TWEET]


DEALS_LEAD = ["Black Friday is upon us again: the Friday after Thanksgiving, when American shops cut their prices.",
              "The custom took hold in the sixties, when shopkeepers offered discounts to open the Christmas season."]
DEALS_MORE = "In recent years the discounts have spread over the whole week before it, from Monday to Sunday."
DEALS_INTRO = "And who are we to stay out of the rush? Here are the deals for the nostalgic that you should not miss:"
DEALS = [(f"{i}) {name}", f"http://amzn.to/{i}x{i * 7}q") for i, name in enumerate([
    "Lego Star Wars 75188 Resistance Bomber", "Polistil 960574 Electric Racing Track",
    "Nolan box set: Interstellar, The Dark Knight Trilogy, Inception (Blu-Ray)",
    "Blade Runner The Final Cut (4K Ultra HD + Blu-Ray)", "Knights of the Zodiac, Part 1, The Twelve Houses (12 DVD)",
    "Ghostbusters Collection 1-2 (Steelbook)", "Indiana Jones Collection 1-4 (Steelbook, 5 Blu-Ray)",
    "Magnum P.I. The Complete Collection (Seasons 1-8, 45 DVD)", "Portable electronic drum kit with 7 pads",
    "DeLorean time machine model from Back to the Future, scale 1:24", "Doormat Goonies Never Say Die",
    "Roger Waters, The Wall (DVD)", "Dark Side of the Moon (180 g vinyl)", "Super Nintendo Classic Mini with 21 games",
    "Atari Flashback 8 Gold console"], 1)]


def deals_page() -> str:
    """A post of two paragraphs of lead, two more, and a long list of product links and images:
    the extractor reads the lead alone as the body, the rest as text around it."""
    items = "".join(f"{name}<br><a href='{url}'><strong>{url}<br></strong></a><a href='/i/{n}.jpg'>"
                    f"<img src='/i/{n}.jpg'></a><br>" for n, (name, url) in enumerate(DEALS))
    body = f"<p>{DEALS_LEAD[0]}<br>{DEALS_LEAD[1]}</p><p>{DEALS_MORE}</p><p>{DEALS_INTRO}</p><p>{items}</p>"
    return _chrome("Black Friday for the nostalgic", f"<div class='entry-content'>{body}</div>")


def deals_lines() -> list[str]:
    return DEALS_LEAD + [DEALS_MORE, DEALS_INTRO] + [line for item in DEALS for line in item]


def test_a_faithful_reading_that_spared_most_of_the_repost_asks_the_witness() -> None:
    # the extractor's body is the two lead paragraphs: the rest of the repost is spared as the
    # page's extras, so its faithful verdict proves little and the witness reads the page
    assert _judge(deals_page(), deals_lines()).faithful
    verdict = _judge(deals_page(), [line for line in deals_lines() if line != DEALS_INTRO])
    assert not verdict.faithful and [h["op"] for h in verdict.hunks] == ["missing"]
    assert DEALS_INTRO in verdict.hunks[0]["original"]
    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))
    spared = frozenset(normalize_lines([line for item in DEALS for line in item]))
    assert not analyze._compared_most("\n\n".join(deals_lines()), spared)
    # sparing one link of the list leaves most of the repost compared
    assert analyze._compared_most("\n\n".join(deals_lines()), frozenset(normalize_lines([DEALS[0][1]])))


NOTE = ("Note: The council also said that the ferry timetable would change in the spring, with boats every twenty "
        "minutes at the busiest hours of the morning and evening, and a late boat on Fridays and Saturdays.")


def test_a_long_paragraph_after_a_gallery_in_the_article_is_the_articles() -> None:
    # a gallery of a dozen captions sits between the article's paragraphs and its last one, which
    # begins with a label ("Note:") but is a paragraph of prose, not a caption
    gallery = "".join(f"<div class='gallery-item'><img src='/g{i}.jpg'><span>Image {i} of 12</span></div>"
                      for i in range(12))
    body = "".join(f"<p>{p}</p>" for p in ARTICLE) + f"<div class='gallery'>{gallery}</div><p>{NOTE}</p>"
    page = _chrome("Harbour bridge", f"<div class='story'>{body}</div>")
    assert _judge(page, ARTICLE + [NOTE]).faithful
    verdict = _judge(page, ARTICLE)
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [NOTE]
    assert witness.is_prose(NOTE) and not witness.is_prose("Note: the bridge in 1990.")


def test_the_article_goes_on_past_a_video_box_where_the_repost_holds_a_line_beyond_it() -> None:
    # A video box of headings and player menus, long enough to outweigh a paragraph, sits between
    # the article's first two paragraphs and the rest, all in one container. A repost that drops
    # the first paragraph still holds the second: the article goes on past the box, and the
    # dropped paragraph is missing (the widening had stopped at the box's headings).
    videos = "".join(f"<div class='item'><h3>Celebrity news of the week, part {n}</h3><span>Play Video - 2:4{n}</span>"
                     f"<span>Sponsored Content Now Playing</span></div>" for n in range(8))
    body = (f"<p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p><div class='player'>{videos}</div>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE[2:]))
    page = _chrome("Harbour bridge", f"<div class='entry'>{body}</div>")
    found = _found(page, ARTICLE[1:])
    assert normalize_lines(ARTICLE[:1])[0] in found.lines
    assert not any("celebrity news" in line.lower() for line in found.lines)
    # with the whole article, the box is still no part of it
    assert list(_found(page, ARTICLE).lines) == normalize_lines(ARTICLE)


def test_a_paragraph_inside_a_center_wrapper_is_its_parents() -> None:
    # Sina's old template sets a run of photos, their captions and a paragraph of the article in
    # one <center>, between paragraphs outside it: <center> is presentational, as <font> is, and
    # the paragraph is the article's as theirs are (a repost that drops it was edited); the
    # captions there stay captions.
    photos = "".join(f"<p style='text-align:center'><img src='/p{n}.jpg'></p><p style='text-align:center'>"
                     f"The old bridge, view {n}</p>" for n in range(2))
    body = ("".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + f"<center>{photos}<p>{ARTICLE[2]}</p>{photos}</center>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE[3:]))
    page = _chrome("Harbour bridge", f"<div class='x'>{body}</div>")
    found = _found(page, ARTICLE[:2] + ARTICLE[3:])
    assert normalize_lines(ARTICLE[2:3])[0] in found.lines
    assert list(_found(page, ARTICLE).lines) == normalize_lines(ARTICLE)


def test_a_paragraph_that_ends_with_an_end_mark_image_is_no_caption() -> None:
    # Thought Catalog ends its last paragraph, short and bold, with its mark, an image inside the
    # paragraph after the words: that is the article's last paragraph, not an image's caption
    last = "One day the bridge will be gone, and the town will miss the sound of it."
    mark = "<span class='mark'><img src='/mark.gif' alt='mark'></span>"
    caption = "Fishermen cast their nets below the old bridge at dawn, as they have done for fifty years."
    photo = f"<p><img src='/bridge.jpg'><br>{caption}</p>"
    page = _chrome("Harbour bridge", "<article>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:3]) + photo
                   + "".join(f"<p>{p}</p>" for p in ARTICLE[3:]) + f"<p><strong>{last}</strong> {mark}</p></article>")
    assert _judge(page, [*ARTICLE, last]).faithful
    verdict = _judge(page, ARTICLE)
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [last]
    # a photo's line, its picture above its words, stays a caption a repost may leave out
    found = _found(page, [*ARTICLE, last])
    assert caption in found.furniture and caption not in found.lines and normalize_lines([last])[0] in found.lines


FERRIES = [f"Ferry {n} from the harbour pier to the island, capacity {c} cars, fare {f} euros"
           for n, f, c in (("A", 6, 40), ("B", 7, 35), ("C", 8, 50), ("D", 9, 20), ("E", 10, 45))]


def test_a_row_between_rows_the_repost_copies_is_the_articles() -> None:
    table = "<p>" + "<br><br>".join(FERRIES) + "</p>"
    body = "".join(f"<p>{p}</p>" for p in ARTICLE[:3]) + table + "".join(f"<p>{p}</p>" for p in ARTICLE[3:])
    page = _chrome("Harbour bridge", f"<div class='story'>{body}</div>")
    assert _judge(page, ARTICLE[:3] + FERRIES + ARTICLE[3:]).faithful
    verdict = _judge(page, ARTICLE[:3] + FERRIES[:2] + FERRIES[3:] + ARTICLE[3:])
    assert not verdict.faithful and "capacity 50 cars" in verdict.hunks[0]["original"]
    # a label between the rows, far shorter than they are, is no row: a repost may leave it out
    labelled = "<p>" + "<br><br>".join(FERRIES[:2] + ["Advertisement"] + FERRIES[2:]) + "</p>"
    with_label = _chrome("Harbour bridge", f"<div class='story'>{body.replace(table, labelled)}</div>")
    assert _judge(with_label, ARTICLE[:3] + FERRIES + ARTICLE[3:]).faithful
    # a line that is no row of a run (a subheading between paragraphs of prose) may be left out
    headed = body.replace(table, "<p>What the ferries will cost</p>")
    assert _judge(_chrome("Harbour bridge", f"<div class='story'>{headed}</div>"), ARTICLE).faithful


FAULTS = ["Marigold Dairy, plain yogurt: fat 2.1 g/100 g (at least 2.5)",
          "Northwind Bakery, sponge cake: sodium dehydroacetate 1.3 g/kg (at most 0.5)",
          "Golden Harvest, frozen chestnut buns: bacteria 180000 cfu/g (at most 100000)",
          "Lotus Foods, walnut biscuits: mould 210 cfu/g (at most 150)",
          "Riverside Mill, rice noodles: benzoic acid 0.9 g/kg (none allowed)"]


def test_a_line_of_a_run_set_apart_by_br_is_the_articles_when_the_witness_reads_it() -> None:
    # A whole article in one <div> of <br>-separated lines (prose, then a list of like lines),
    # as a portal's template sets it: the witness's own reading of the page keeps a line of the
    # list that the repost dropped as the article's, not as furniture beside it.
    lines = ARTICLE[:3] + FAULTS + ARTICLE[3:]
    page = _chrome("Harbour bridge", "<div class='story'>" + "<br><br>".join(lines) + "<br><br>(Editor: Li Wei)</div>")
    cut = ARTICLE[:3] + FAULTS[:2] + FAULTS[3:] + ARTICLE[3:]
    found = _found(page, cut)
    assert normalize_lines([FAULTS[2]])[0] in found.lines
    assert normalize_lines([FAULTS[2]])[0] not in found.furniture
    assert _found(page, lines).lines == found.lines
    verdict = _judge(page, cut)
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [FAULTS[2]]
    assert _judge(page, lines).faithful
    # a label between two rows (far shorter), and a line beside prose, stay a repost's to leave out
    labelled = "<br><br>".join(ARTICLE[:3] + FAULTS[:2] + ["Advertisement"] + FAULTS[2:] + ARTICLE[3:])
    assert "Advertisement" not in " ".join(_found(_chrome("Harbour bridge", f"<div>{labelled}</div>"), lines).lines)
    assert witness.in_a_run(FAULTS[2], FAULTS[2], [(FAULTS[1], FAULTS[1]), (FAULTS[3], FAULTS[3])])
    assert not witness.in_a_run(FAULTS[2], FAULTS[2], [(FAULTS[1], FAULTS[1]), (ARTICLE[0], ARTICLE[0])])
    assert not witness.in_a_run("Advertisement", "Advertisement", [(FAULTS[1], FAULTS[1])])


FOLLOWS = [f"{name}: You can continue to follow {first} at @{handle} on Twitter. Archived content will be "
           f"available at @{handle}44." for name, first, handle in (
               ("Ada Brennan", "Ada", "AdaBrennan"), ("Tomas Ruiz", "Tomas", "truiz"),
               ("Mei Lin Chow", "Mei Lin", "meilinchow"), ("Omar Haddad", "Omar", "OHaddad"),
               ("Grace Okafor", "Grace", "gokafor"))]


def test_a_list_of_lines_filled_from_one_template_is_the_articles_whatever_a_line_says_alone() -> None:
    # An office's farewell post lists where each of its people can be followed: each line alone
    # reads as a site's call to follow it, but a list of five filled from one template is the
    # article's, and a repost that drops one from the middle was edited. A one-off call to
    # follow under the article stays a repost's to leave out.
    bio = "Ada Brennan is the office's digital director. Follow her on Twitter @AdaBrennan."
    items = "".join(f"<li>{x}</li>" for x in FOLLOWS)
    page = _chrome("Where to follow us", "<article><h1>Where to follow us</h1>"
                   + "".join(f"<p>{x}</p>" for x in ARTICLE[:3]) + f"<ul>{items}</ul>"
                   + "".join(f"<p>{x}</p>" for x in ARTICLE[3:]) + f"<p>{bio}</p></article>")
    whole = ARTICLE[:3] + FOLLOWS + ARTICLE[3:]
    assert _judge(page, whole).faithful
    assert _judge(page, whole + [bio]).faithful
    dropped = _judge(page, ARTICLE[:3] + FOLLOWS[:2] + FOLLOWS[3:] + ARTICLE[3:])
    assert not dropped.faithful and [h["original"] for h in dropped.hunks] == [FOLLOWS[2]]
    assert witness.in_a_run(FOLLOWS[2], FOLLOWS[2], [(FOLLOWS[1], FOLLOWS[1]), (FOLLOWS[3], FOLLOWS[3])])
    # a site's calls to follow it share few words, and two unlike lines fewer
    assert not witness.in_a_run("Follow us on Twitter", "followusontwitter",
                                [("Follow us on Facebook", "followusonfacebook"), ("Follow us on Instagram", "followusoninstagram")])
    assert not witness.in_a_run(bio, bio, [(FOLLOWS[1], FOLLOWS[1]), (FOLLOWS[3], FOLLOWS[3])])


def test_a_dropped_paragraph_the_extractor_missed_is_caught_on_the_wire(tmp_path: Path) -> None:
    # served and crawled as a user would: a repost without the list's lead-in, one without the
    # embedded post's text; each is unfaithful with the dropped text in its hunk, the others faithful
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/2017/11/black-friday", Reply(200, deals_page()))
        o.route("/2019/11/meth-slogan", Reply(200, tweet_page()))
        deals, tweet = o.url("/2017/11/black-friday"), o.url("/2019/11/meth-slogan")
        write_repost(archive, "deals.md", deals, deals_lines())
        write_repost(archive, "deals-cut.md", deals, [line for line in deals_lines() if line != DEALS_INTRO])
        write_repost(archive, "tweet.md", tweet, ARTICLE + [TWEET, TWEET_CREDIT])
        write_repost(archive, "tweet-cut.md", tweet, ARTICLE + [TWEET_CREDIT])
        store, _ = crawl(make_config(tmp_path))
    rows = store.db.execute("SELECT r.path, f.faithful, f.hunks FROM fidelity f JOIN reposts r ON r.id = f.repost_id"
                            ).fetchall()
    verdicts = {Path(path).name: (bool(faithful), json.loads(hunks or "[]")) for path, faithful, hunks in rows}
    assert {name: v[0] for name, v in verdicts.items()} == {
        "deals.md": True, "deals-cut.md": False, "tweet.md": True, "tweet-cut.md": False}, verdicts
    assert any(DEALS_INTRO in h["original"] for h in verdicts["deals-cut.md"][1])
    assert any(TWEET in h["original"] for h in verdicts["tweet-cut.md"][1])
    assert {checks(store)[url]["status"] for url in (deals, tweet)} == {"alive"}


def test_only_a_paragraph_of_prose_makes_a_new_version() -> None:
    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))

    def version(paragraphs: list[str], previous: str | None) -> analyze.PageAnalysis:
        page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>")
        return analyze.analyze(analyze.PageJob(page.encode(), "text/html; charset=utf-8", "https://example.org/a",
                                               None, previous, ()))

    first = version(ARTICLE[:-1], None)
    assert first.new_version
    # another template shows an embedded post's credit line as body: the same article
    credit = "— Harbour Watch (@harbourwatch) May 3, 2022"
    other = version(ARTICLE[:2] + [credit] + ARTICLE[2:-1], first.normalized)
    assert credit in other.paragraphs and not other.new_version
    # the site adds a paragraph at the end: a new version
    assert version(ARTICLE, first.normalized).new_version


def test_a_template_that_reads_the_article_otherwise_makes_no_version() -> None:
    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))
    repost = ((1, "\n\n".join(ARTICLE)),)

    def version(page: str, previous: str | None, reposts=repost) -> analyze.PageAnalysis:
        return analyze.analyze(analyze.PageJob(page.encode(), "text/html; charset=utf-8", "https://example.org/a",
                                               None, previous, reposts))

    story = "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:-1]) + "</div>"
    first = version(_chrome("Harbour bridge", story), None)
    assert first.new_version and normalize_lines(ARTICLE[-1:])[0] not in first.normalized
    # the new template reads the last paragraph as body, which the repost holds: the article was
    # the same when it was copied; the first template had only set the paragraph apart
    story_all = "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>"
    assert not version(_chrome("Harbour bridge", story_all), first.normalized).new_version
    # with no repost to say so, it is a paragraph added: a new version
    assert version(_chrome("Harbour bridge", story_all), first.normalized, ()).new_version
    # a paragraph of the previous version that the page still shows, set apart in a box, is no removal
    boxed = "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:-2]) + "</div>" + \
        f"<div class='sidebar-box'><p>{ARTICLE[-2]}</p></div>"
    later = version(_chrome("Harbour bridge", boxed), first.normalized, ())
    assert normalize_lines(ARTICLE[-2:-1])[0] not in later.normalized and not later.new_version
    # a paragraph the page no longer shows anywhere is removed: a new version
    cut = "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:-2]) + "</div>"
    assert version(_chrome("Harbour bridge", cut), first.normalized, ()).new_version


@pytest.mark.parametrize("line", [
    "湘江长沙段水位降至24.77米，低于24.80米的历史最低值。本报记者 郭立亮 摄",  # a photo caption and its credit
    "资料图：试验中志愿者在舱内组建乐队，王跃（左一）为鼓手。新华社发",
    "The core stage of the rocket after the installation of its engines. (credit: NASA/Jude Guidry)",
    "Citation: Hibernating astronauts would need smaller spacecraft (2019, November 18) retrieved 20 November 2019",
    "If you enjoyed this article, we have a proposition for you: join our members.",
    "凡本網注明來源的作品，均轉載自其它媒體，轉載目的在于傳遞更多信息，並不代表本網讚同其觀點。",
    "摘 要：明天将上演月全食，届时一轮美丽的红月亮将高悬夜空。",
    "This slideshow requires JavaScript.",
    "在发行首日买到邮票者，有幸获得设计者签名的机会，图为人们正在排队等候之中。(李敏摄)",
    "更多关于 住宅租赁;自有物业;制度缺陷;最牛工资;年薪 的新闻：",  # a short lead-in to a list of links
    "Read the rest of our coverage of the harbour bridge here:",
    # a newsletter box whose class says nothing
    "Let our news meet your inbox. The news and stories that matters, delivered weekday mornings.",
    "Get breaking news alerts and special reports. The news and stories that matter, delivered weekday mornings.",
    # news photos' captions, whatever the element that holds them
    "This March 28, 2017, file photo, provided by the New York State Sex Offender Registry shows Jeffrey Epstein.",
    "In this undated photo released by the city, engineers inspect the corroded steel frame of the old bridge.",
    "Teachers carry signs as they rally at the Statehouse in Indianapolis, Tuesday, Nov. 19, 2019, calling for more pay.",
    # the site asks for money, for its app, for manners in its comments, or says a view is not its own
    "Support independent journalism. Donate today and help us keep our reporting free for everyone.",
    "Please consider supporting our work with a donation of any size.",
    "Become a member today and get unlimited access to our journalism.",
    "Comments are moderated and may take a while to appear. Please be respectful.",
    "We welcome your comments. Please read our community guidelines before posting.",
    "We welcome lively and useful discussion. Please keep comments civil and on topic.",
    "Your comment will be published once a moderator has approved it.",
    # a typo box, in any language
    "If you find a typo, select it and press Ctrl+Enter to send it to the editor.",
    "Iezīmējiet tekstu un spiediet Ctrl+Enter, lai nosūtītu labojamo teksta fragmentu redaktoram!",
    "发现错别字？请选中文字后按Ctrl+Enter告诉我们。",
    "如发现错别字，请联系本网编辑部。",
    # a button's label in the text, the site's app offered with a perk
    "“2018十大经济年度人物评选”火热进行中！【点击投票】Pick你心目中的商业领袖",
    "新酷产品第一时间免费试玩，快来体验最前沿的产品吧！下载客户端还能获得专享福利哦！",
    "Like this story? Share it with a friend!",
    "This document is subject to copyright. Apart from any fair dealing for the purpose of private study or research, "
    "no part may be reproduced without the written permission.",
    "Follow @BGRDeals on Twitter to keep up with the latest and greatest deals from around the web. Quantities may be "
    "limited. Prices are subject to change without notice and coupons may expire at any time.",
    "Sign up for our newsletter to get the latest news delivered to your inbox every morning.",
    "手机读报，精彩随身，移动用户发送到RMRB到10658000，订阅人民日报手机报。",
    "訂閱《新華手機報》:移動發\"XHSJB\"到10658000,聯通發\"KX\"到106558000800。",
    "如因作品內容、版權和其它問題需要同本網聯係的，請在30日內進行。",
    "Compiled by Jane Doe",
    "Photos by John Smith",
    "Continued on page 4",
    "Jane covers politics for the paper. Follow her on Twitter @jane.",
    "The Times is committed to publishing a diversity of letters to the editor. We'd like to hear what you think "
    "about this or any of our articles. And here's our email: letters@nytimes.example.",
    "Jeff Foust is the editor and publisher of The Space Review. Views and opinions expressed in this article "
    "are those of the author alone.",
    "免责声明：本文仅代表作者个人观点，与本网无关。",
    # a dateline alone, or a photo's caption under its credit
    "记者：张三 李四 报道",
    "(Additional reporting by Jane Doe; Editing by John Roe)",
    "（本文来源：新华网）",
    "【记者张三报道】",
    "新华社记者 张三 李四 报道",
    "（记者 张三 摄影报道）图为市民在排队购票，队伍长达百米。",
    "（记者 张三 报道）图为市民在排队购票，队伍长达百米。",
    # a photo's caption that names its people from the left
    "左起﹕陈蕴化、刘菲、Greg Kabatoff宣布全新龙年邮票开卖。",
    "From left: Jane Doe, the mayor, and Tom Smith, the city engineer, on the old harbour bridge.",
    # a caption set in brackets, with its picture's credit or its "图为"
    "(经过努力，4时55分左右，京港澳高速雨花收费站以北方向通车，车辆恢复正常行驶。图/潇湘晨报滚动新闻记者 范思鼎)",
    "（图为市民在老港口大桥上排队等候渡轮，队伍长达百米，不少人从清晨就开始等候。）",
    "Download our app for the latest news on your phone.",
    "The views and opinions expressed in the article do not necessarily reflect those of the site.",
    "更多精彩内容，请关注我们的微信公众号。",
    "We may earn a commission from links on this page.",
    "As an Amazon Associate we earn from qualifying purchases.",
    "网友评论仅供其表达个人看法，并不表明本网同意其观点或证实其描述。",
    "凡注明为其他媒体来源的信息，均为转载自其他媒体，转载并不代表本网赞同其观点，也不代表本网对其真实性负责。",
    # a platform's word that its users post the articles and it only stores them (NetEase, Sohu)
    "特别声明：以上内容(如有图片或视频亦包括在内)为自媒体平台“网易号”用户上传并发布，本平台仅提供信息存储服务。",
    "Notice: The content above (including the pictures and videos if any) is uploaded and posted by a user of "
    "NetEase Hao, which is a social media platform and only provides information storage services.",
    "声明：该文观点仅代表作者本人，搜狐号系信息发布平台，搜狐仅提供信息存储空间服务。",
    "本文观点仅代表作者本人，与本平台无关。",
    # an appeal to the readers who pay for it, a button's label, the print edition's notice
    "The Forward's independent journalism depends on donations from readers like you.",
    "Before it's here, it's on the Bloomberg Terminal. LEARN MORE",
    "A version of this article appears in print on Oct. 10, 2018, on Page A1 of the New York edition with the "
    "headline: Haley to Resign After Two Years As Envoy to U.N.. Order Reprints | Today's Paper | Subscribe",
    "Reporting was contributed by Julie Hirschfeld Davis, Jonathan Martin and Eileen Sullivan.",
    "Propaganda looked cooler in 1952. (Public domain)",
    # USA Today's credit of the reporters who helped
    "Contributing: Liz Szabo, Michael Winter, Associated Press.",
])
def test_furniture_is_told_by_its_shape(line: str) -> None:
    assert witness.furniture_shaped(line) and not witness.is_prose(line)


@pytest.mark.parametrize("line", [*ARTICLE, *PARAS, "He said the photo was taken in 1990 by a friend of the family.",
                                  "The council met on Tuesday, and the vote came a week later, on Nov. 26.",
                                  "The photos she took that winter were shown in Paris, Tuesday's exhibition said.",
                                  # an editor's note tells how the article changed: a repost must carry it
                                  "Editor's note: This story was updated at 5:45 p.m. to include the council's vote.",
                                  "The council said it would send alerts to residents' phones before the bridge closes.",
                                  # a paragraph that ends with its reporter's and photographer's credit
                                  "血站工作人員也提醒市民，獻血有益健康。經常獻血可以緩解和降低高粘血症，預防和降低心腦血管病的發生，"
                                  "可提高人體的造血功能，促進血液的新陳代謝，是一項符合醫學科學的保健活動。同時，獻血也是弘揚人道主義"
                                  "的高尚行為。（記者 李慧婷/文 通訊員 史貝貝/圖）",
                                  # an article that reports such words
                                  "The charity asked residents to donate blankets and food to families who lost their homes.",
                                  "She went on to become a member of parliament in 1998 and served three terms in office.",
                                  "The company said it would earn a commission on every sale made through its new platform.",
                                  "他表示，这一事件引起了社会的广泛关注，有关部门正在调查，结果将于下月公布。",
                                  "\"It violated our community standards,\" a spokesperson said, adding that it was removed.",
                                  "The company said it would report an error in its earnings to regulators next week.",
                                  "Parents who found typos in the textbook said the publisher should be held to account.",
                                  "家长发现错别字后向出版社反映，出版社表示将在再版时予以更正。",
                                  "He told the forum that comments on the plan would be welcome until the end of May.",
                                  # prose that speaks of what furniture says: signing up, subscriptions,
                                  # newsletters, copyright, reports, sharing, a reporter's reports
                                  "Thousands of volunteers sign up each year to help clean the beaches along the coast.",
                                  "Disney's tech teams patched the software as the company continued to sign up subscribers.",
                                  "The newspaper said it would stop printing its weekly newsletter after readers moved online.",
                                  "Residents can subscribe to text alerts from the city, which will warn them before the closure.",
                                  "\"He is not entitled to any immunity,\" said one legal expert, as reported by the Independent newspaper.",
                                  "Their first scan had shown no heartbeat, and this time she wanted to share this moment with everyone "
                                  "who had been through the same, she wrote on Instagram on Sunday evening.",
                                  "(Alden on Tuesday announced that it had become the largest shareholder of Tribune, the former owner "
                                  "of The Times, by acquiring the stake held by its former chairman.)",
                                  "但对于他不愿让人知道的事，别说是没有采访权的狗仔了，就是记者，文字报道得用“郭某某”，图片得打马赛克。",
                                  "奎特拉还说：“未经授权使用我们的技术，却没有作出适当的补偿，这会阻碍我们继续创新。”",
                                  "他说，凡是有人能证明自己为我代笔，均奖励人民币两千万元，并赠送举报人所有已出版图书版权。",
                                  "该报去年的订阅量下降了三成，发行部门正在研究如何吸引更多的年轻读者。",
                                  "Contributing to the decline, the report said, were rising costs and fewer buyers in the city.",
                                  "The company only provides cloud storage services to hospitals, its chief executive said.",
                                  "Readers like you wrote to the paper in their thousands after the bridge closed, the editor said.",
                                  "She said the students who came to the workshop wanted to learn more.",
                                  "Developer Edition comes with a new profile so you can run it alongside other versions of "
                                  "Firefox. To access your bookmarks, you need to sync the profile with your Firefox Account. "
                                  "Learn more",
                                  "The archive said the photographs, now in the public domain, would be shown in May.",
                                  "A version of the bill passed the Senate last year but stalled in the House.",
                                  "该公司表示，其平台仅提供信息发布服务，用户上传的内容由用户自行负责，但法院没有采纳这一说法。",
                                  "主要表現為手部逐漸出現麻木、灼痛，夜間加劇。不少患者還會伴有腕關節腫脹等症狀。下述症狀應高度懷疑鼠標手：",
                                  "According to data compiled by Bloomberg, the bank's shares fell 12% over the past month.",
                                  "Photos by witnesses showed smoke rising over the harbour before the firefighters arrived.",
                                  "The talks continued on Tuesday, with both sides saying that progress had been made on trade.",
                                  "Millions of fans follow him on Instagram, where he posts pictures of his cars and dogs.",
                                  "Anyone with information is asked to call the police or to send an email to tips@police.example.gov "
                                  "as soon as possible, officers said on Monday evening after the search of the harbour.",
                                  "He said that his statements included disclaimer clauses and that banks do their own checks.",
                                  "该公司周二发布免责声明称，其产品不对任何损失负责，引发用户不满。",
                                  # a sentence that leads in to a quote
                                  "She proceeded to share the hashtag #MethWeAreOnIt and onmeth.com, the website for "
                                  "the initiative, which contains the following statement:",
                                  "支付宝表示，用户下载客户端后即可领取红包，活动将持续到春节，预计参与人数超过一亿。",
                                  "评选组委会称，读者可以点击投票页面为心目中的商业领袖投票，结果将于下月公布。",
                                  # an interview's question, an aside set in brackets
                                  "记者：春运初始，南方出现雨雪天气，未来一周，南方地区的雨雪天气如何发展？",
                                  "(We never did settle on one, unlike our 565 municipalities, which are packed with them.)",
                                  # a lead paragraph that opens with its reporter's dateline
                                  "【台灣醒報記者潘姿羽台北報導】春節期間，民眾若不小心吃壞肚子，或是身體出了問題該怎麼辦？",
                                  "羊城晚报讯 记者帅鹏坤报道：面临破产危险的柯达似乎不愿就此沉沦，本周二，柯达出手两大动作。",
                                  "本报讯（记者 张三）昨日，市政府召开新闻发布会，宣布将在明年春天关闭老港口大桥。",
                                  # sentences that end with their script's own full stop
                                  "नगर परिषद ने मंगलवार को पुराने पुल को कारों के लिए बंद करने का फैसला किया।",
                                  "شہر کی کونسل نے منگل کو پرانے پل کو گاڑیوں کے لیے بند کرنے کا فیصلہ کیا۔",
                                  "မြို့တော်ကောင်စီက အင်္ဂါနေ့မှာ တံတားဟောင်းကို ကားတွေအတွက် ပိတ်ဖို့ ဆုံးဖြတ်ခဲ့ပါတယ်။",
                                  "ምክር ቤቱ ማክሰኞ ዕለት አሮጌውን ድልድይ ለመኪናዎች ለመዝጋት ወሰነ።"])
def test_prose_is_not_furniture(line: str) -> None:
    assert witness.is_prose(line)


def test_a_names_initial_ends_no_sentence() -> None:
    # a byline of names with their initials, set apart from the article, is no line of prose
    # a repost must carry; a sentence that names someone by an initial still is
    for byline in ("Maria L. Gonzalez and Peter K. Olsen Springfield Gazette",
                   "Anna B. Miller, Tom R. Jones and the U.S. desk of the Harbour Times"):
        assert not witness.is_prose(byline), byline
    for prose in ("The council met John F. Keller, the engineer who built the bridge, on Monday.",
                  "The company said it would open its first three stores in the U.S.",
                  "Prices rose sharply in May. The bank said it would act before the summer"):
        assert witness.is_prose(prose), prose


def test_a_citation_element_inside_a_paragraph_is_part_of_its_line() -> None:
    # A custom element (`<x-cite>`) inside a <p> is drawn inline by a browser: the numbers
    # it holds are the paragraph's text, not blocks of their own to be dropped as links.
    cited = "Tracking what you eat is linked to weight loss and aid long-term weight management (27, 28, 29)."
    links = ", ".join(f"<x-cite source='PubMed'><a href='/pubmed/{n}'>{n}</a></x-cite>" for n in (27, 28, 29))
    markup = cited.replace("(27, 28, 29)", f"({links})")
    page = _chrome("Food diary", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:3])
                   + f"<p>{markup}</p>" + "".join(f"<p>{p}</p>" for p in ARTICLE[3:]) + "</div>")
    assert cited in extract(page.encode()).paragraphs
    assert normalize_lines([cited])[0] in _found(page, ARTICLE[:3] + [cited] + ARTICLE[3:]).lines
    assert _judge(page, ARTICLE[:3] + [cited] + ARTICLE[3:]).faithful
    # outside a paragraph a custom element is still a block of its own
    boxed = _chrome("Food diary", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
                    + "<share-bar><a href='/s'>Share</a></share-bar><x-note>Printed from the web edition.</x-note></div>")
    assert "Printed from the web edition." in extract(boxed.encode()).paragraphs


def test_a_separator_drawn_in_characters_is_no_text() -> None:
    # The repost draws a rule in underscores where the page has an <hr>: no difference.
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:4])
                   + "<hr>" + f"<p>{ARTICLE[4]}</p></div>")
    for rule in ("\\_" * 30, "☆☆☆☆☆☆☆☆☆☆", "＝＝＝＝＝＝＝＝＝＝"):
        assert _judge(page, ARTICLE[:4] + [rule] + ARTICLE[4:]).faithful, rule
    assert not _judge(page, ARTICLE[:4] + ["Rule 30 of the harbour code"] + ARTICLE[4:]).faithful


def test_a_summary_of_what_follows_is_no_missing_text() -> None:
    # "Key points" above the article reword its lead: the repost says those words once, where
    # the article says them, so it lacks nothing.
    points = ["The city council has voted to close the old harbour bridge to cars from next spring.",
              "Engineers told the council that the bridge's steel frame had corroded faster than expected."]
    body = ("<ul class='points'>" + "".join(f"<li>{p}</li>" for p in points) + "</ul>"
            + "".join(f"<p>{p}</p>" for p in ARTICLE))
    page = _chrome("Harbour bridge", f"<div class='story'>{body}</div>")
    assert _judge(page, ARTICLE).faithful
    # a repost without the article's last paragraph still lacks it
    verdict = _judge(page, ARTICLE[:-1])
    assert not verdict.faithful and ARTICLE[-1] in [h["original"] for h in verdict.hunks]
    # words said again further down (a quote the page repeats after the article) are no summary
    tweet = "Residents who live on the island will be offered a free ferry pass until the new crossing opens, the mayor wrote."
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
                   + f"<blockquote><p>{tweet}</p></blockquote></div>")
    verdict = _judge(page, ARTICLE)
    assert not verdict.faithful and tweet in [h["original"] for h in verdict.hunks]


def test_a_report_the_article_quotes_twice_is_no_summary() -> None:
    # The news quotes the auditors' report; the commentary after it quotes the same words again.
    # The first quote stands inside the article, below prose the repost has: a repost without it
    # lacks a paragraph of the article, though it carries the words further on.
    quote = ("The auditors' report said that the harbour office had never counted its own buildings, so "
             "their rents had paid the staff's high salaries instead of the city.")
    again = "The commentary: " + quote.replace("The auditors' report said that", "As the auditors found,")
    article = ARTICLE[:2] + [quote] + ARTICLE[2:] + [again]
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in article) + "</div>")
    assert _judge(page, article).faithful
    verdict = _judge(page, [p for p in article if p != quote])
    assert not verdict.faithful and quote in [h["original"] for h in verdict.hunks]
    # A pull quote, set in a plain <blockquote> between paragraphs, is part of a paragraph further
    # on: a repost without it lacks nothing.
    pull = "Engineers told the council that the bridge's steel frame had corroded faster than expected."
    page = _chrome("Harbour bridge", "<div class='story'>" + f"<p>{ARTICLE[0]}</p><blockquote>{pull}</blockquote>"
                   + "".join(f"<p>{p}</p>" for p in ARTICLE[1:]) + "</div>")
    assert _judge(page, ARTICLE).faithful
    # A line of a list said again under another heading is the article's, where it stands.
    meal = "Asparagus and eggs: one cup of asparagus, two soft-boiled eggs and half a sweet potato."
    plans = [ARTICLE[0], "Plan A", meal, "Grilled salmon with rice and a green salad, dressed with lemon juice.",
             "Plan B", meal, "Turkey chili with beans, peppers and tomatoes, topped with a spoon of yogurt."]
    page = _chrome("Meal plans", "<div class='story'>" + "".join(
        f"<h3>{p}</h3>" if p.startswith("Plan") else f"<p>{p}</p>" for p in plans) + "</div>")
    assert _judge(page, plans).faithful
    verdict = _judge(page, plans[:2] + plans[3:])
    assert not verdict.faithful and meal in [h["original"] for h in verdict.hunks]


@pytest.mark.parametrize("box", ["<figure class='wp-block-pullquote'><blockquote><p>{}</p></blockquote></figure>",
                                 "<div class='c-pull-quote'>{}</div>", "<blockquote class='pullquote'>{}</blockquote>"])
def test_a_pull_quote_named_by_its_class_is_no_text_a_repost_must_carry(box: str) -> None:
    # WordPress's pull quote block and its kin, set after the paragraph whose words they repeat
    pull = "The bridge's steel frame had corroded faster than expected."
    article = [ARTICLE[0], ARTICLE[1] + " " + pull + " The council asked for a second opinion.", *ARTICLE[2:]]
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in article[:2])
                   + box.format(pull) + "".join(f"<p>{p}</p>" for p in article[2:]) + "</div>")
    assert _judge(page, article).faithful
    verdict = _judge(page, article[:1] + article[2:])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [article[1]]


@pytest.mark.parametrize("box", ["<q class='center'>{}</q>", "<aside>{}</aside>"])
def test_a_pull_quote_right_after_the_paragraph_it_quotes_is_no_text_a_repost_must_carry(box: str) -> None:
    # The Verge sets a pull quote in a <q> right after the paragraph whose words it repeats; no
    # class names it, and no paragraph further on says its words again
    pull = "\"We are here to keep the island connected.\""
    said = "\"We are not here to win prizes, we are here to keep the island connected,\" the mayor said."
    article = [ARTICLE[0], ARTICLE[1], said, *ARTICLE[2:]]
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in article[:3])
                   + box.format(pull) + "".join(f"<p>{p}</p>" for p in article[3:]) + "</div>")
    assert _judge(page, article).faithful
    # the paragraph it is taken from is the article's
    verdict = _judge(page, article[:2] + article[3:])
    assert not verdict.faithful and any(said in h["original"] for h in verdict.hunks)


def test_a_listicles_items_set_as_headings_are_its_text_and_a_dek_above_is_not() -> None:
    # BuzzFeed sets each numbered item of a list article in an <h2> of a box of its own, a
    # picture or a quote under it; a dek above the article is an <h2> that ends with a full stop too
    dek = "The old harbour bridge closes to cars next spring, and the island has opinions about it."
    items = [f"{n}. {p}" for n, p in enumerate(ARTICLE, 1)]
    boxes = "".join(f"<div class='item-{n}'><h2>{item}</h2><div class='media'><img src='/{n}.jpg' alt=''></div></div>"
                    for n, item in enumerate(items, 1))
    page = _chrome("Harbour bridge", f"<div class='story'><h1>Harbour bridge</h1><h2>{dek}</h2>{boxes}</div>")
    marked = [item.replace(".", "\\.", 1) for item in items]  # (a repost escapes the number: no Markdown list)
    assert _judge(page, marked).faithful
    assert _judge(page, [dek, *marked]).faithful
    verdict = _judge(page, marked[:2] + marked[3:])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [items[2]]
    # a subheading between them is still no text a repost must carry
    titled = page.replace(f"<h2>{items[3]}</h2>", f"<h2>The ferry plan</h2><p>{items[3]}</p>")
    assert _judge(titled, marked).faithful
    # the first item's heading set in its box, the others' one box deeper: the first is still an
    # item, not a dek (no dek is numbered one before the first item the repost has)
    boxes = "".join(f"<div class='item-{n}'>" + (f"<h2>{item}</h2>" if n == 1 else f"<div class='solid'><h2>{item}</h2></div>")
                    + f"<div class='media'><img src='/{n}.jpg' alt=''><p>Loading</p></div></div>"
                    for n, item in enumerate(items, 1))
    page = _chrome("Harbour bridge", f"<div class='story'><h1>Harbour bridge</h1><h2>{dek}</h2>{boxes}</div>")
    assert _judge(page, marked).faithful
    verdict = _judge(page, marked[1:])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [items[0]]


def test_a_lead_set_as_a_heading_in_the_articles_own_box_is_its_text() -> None:
    # An editorial opens with its first paragraph in an <h2>, inside the box of the article's
    # text (paragraphs between <br>s); the extractor holds it as body, and so does the witness:
    # a repost without it lacks it. A dek set as a heading in the header above stays out.
    lead = ("Opposition to the plan to close the old harbour bridge to cars is mounting, and with good reason. "
            "Or good reasons, we should say.")
    dek = "The council's plan to close the old harbour bridge draws opposition from the island."
    story = (f"<div class='head'><h1>Harbour bridge</h1><h2>{dek}</h2></div><div class='entry'><span class='text'>"
             f"<span class='lead'><h2>{lead}</h2></span><br><br>" + "<br><br>".join(ARTICLE) + "</span></div>")
    page = _chrome("Harbour bridge", story)
    assert _judge(page, [lead, *ARTICLE]).faithful
    assert _judge(page, [dek, lead, *ARTICLE]).faithful
    verdict = _judge(page, ARTICLE)
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [lead]


def test_a_gallery_whose_captions_are_its_article_holds_them_as_its_text() -> None:
    # PopSugar's slideshow: each slide a <figure>, a picture and a <figcaption> of paragraphs; the
    # captions are the whole article, and a repost that drops one was edited
    slides = "".join(f"<figure class='slide'><div class='title'>Tip {n}</div><img src='/{n}.jpg' alt=''>"
                     f"<figcaption><p>{p}</p></figcaption></figure>" for n, p in enumerate(ARTICLE, 1))
    page = _chrome("Harbour bridge", f"<article class='gallery'><h1>Harbour bridge</h1>{slides}</article>")
    assert _judge(page, ARTICLE).faithful
    verdict = _judge(page, ARTICLE[:2] + ARTICLE[3:])
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [ARTICLE[2]]
    # in an article of paragraphs, a long caption between them is still a caption
    caption = ("The old harbour bridge at dawn on Tuesday, seen from the ferry pier, where residents gathered "
               "before the vote to say goodbye to the crossing their grandparents built in the 1920s.")
    story = (f"<div class='story'><p>{ARTICLE[0]}</p><p>{ARTICLE[1]}</p><figure><img src='/1.jpg' alt=''>"
             f"<figcaption><p>{caption}</p></figcaption></figure>" + "".join(f"<p>{p}</p>" for p in ARTICLE[2:]) + "</div>")
    assert _judge(_chrome("Harbour bridge", story), ARTICLE).faithful


def test_a_headline_or_caption_made_of_the_articles_names_is_not_its_text() -> None:
    # Above the story, a teaser box: a headline and a caption built of the article's names and
    # phrases ("old harbour bridge", "new crossing"), and a quote the story says further down.
    # Half their words being the repost's does not make them the article.
    teaser = ("<div class='teaser'><div>Island residents offered a free ferry pass until the new crossing opens</div>"
              "<div>The old harbour bridge, whose steel frame had corroded (AFP)</div>"
              f"<p>{ARTICLE[3]}</p></div>")
    page = _chrome("Harbour bridge", teaser + "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>")
    found = _found(page, ARTICLE)
    teased = [line for line in found.lines if line.startswith(("Island residents", "The old harbour bridge,"))]
    assert not teased and len(found.furniture) == 2, found
    assert set(normalize_lines(ARTICLE)) <= set(found.lines)


def test_a_tables_row_is_one_line_as_a_repost_copies_it() -> None:
    # A stats table inside the article: the repost copies it a row a line, cells spaced.
    rows = [("Pos", "Ferry", "Cars", "Fare"), ("1", "Island Star", "40", "6 euros"), ("2", "Harbour Queen", "35", "7 euros"),
            ("3", "North Wind", "50", "8 euros")]
    table = "<table><tbody>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + \
        "</tbody></table>"
    # a page laid out in a table: a cell of paragraphs is no row of cells
    story = "".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + table + "".join(f"<p>{p}</p>" for p in ARTICLE[2:])
    page = _chrome("Harbour bridge", f"<table><tr><td class='nav'><a href='/'>Home</a></td><td>{story}</td></tr></table>")
    repost = ARTICLE[:2] + [" ".join(r) for r in rows] + ARTICLE[2:]
    found = _found(page, repost)
    assert [witness._letters(line) for line in found.lines] == [witness._letters(line) for line in normalize_lines(repost)]
    lacking = _found(page, repost[:4] + repost[5:])
    assert "2 | Harbour Queen | 35 | 7 euros" in lacking.lines


def test_a_heading_the_repost_lacks_is_no_article_text() -> None:
    # A headline set apart from the page's title, in the article's container: a repost that
    # leaves it out (it gives its own title) lacks no prose of the article.
    headline = "Council votes to shut the crossing, and islanders ask: what now?"
    story = f"<h2>{headline}</h2>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
    found = _found(_chrome("Harbour bridge", f"<div class='story'>{story}</div>"), ARTICLE)
    assert normalize_lines([headline])[0] not in found.lines and found.lines == tuple(normalize_lines(ARTICLE))
    # a repost that copies it has it as the article's
    assert normalize_lines([headline])[0] in _found(_chrome("Harbour bridge", f"<div class='story'>{story}</div>"),
                                                    [headline] + ARTICLE).lines


def test_a_line_the_page_says_twice_in_a_row_is_said_once() -> None:
    # the standfirst repeats the first paragraph word for word: a repost says it once
    story = f"<p class='dek'>{ARTICLE[0]}</p>" + "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = _chrome("Harbour bridge", f"<div class='story'>{story}</div>")
    assert _found(page, ARTICLE).lines == tuple(normalize_lines(ARTICLE))
    # a repost that says it twice has it twice
    assert _found(page, ARTICLE[:1] + ARTICLE).lines == tuple(normalize_lines(ARTICLE[:1] + ARTICLE))


def test_a_repost_that_says_a_repeated_paragraph_fewer_times_lacks_no_word() -> None:
    # A template prints one paragraph twice in a row, and once more further on; the generic
    # extractor keeps every copy. A repost that says it once where it stands twice lacks no word.
    twice = ARTICLE[2]
    article = ARTICLE[:3] + [twice] + ARTICLE[3:4] + [twice] + ARTICLE[4:]
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in article) + "</div>")
    assert _judge(page, ARTICLE[:3] + ARTICLE[3:4] + [twice] + ARTICLE[4:]).faithful
    # said again further on, it is the article's there (as a list's item under another heading)
    verdict = _judge(page, ARTICLE)
    assert not verdict.faithful and [h["original"] for h in verdict.hunks] == [twice]
    # a repost without the paragraph at all lacks it
    verdict = _judge(page, ARTICLE[:2] + ARTICLE[3:])
    assert not verdict.faithful and twice in [h["original"] for h in verdict.hunks]


def test_an_article_set_whole_inside_a_link_is_the_pages_text() -> None:
    # An old template wraps the whole article in a link to its own page: its paragraphs are
    # text, not a line of links; a card of headline and summary inside a link stays a link.
    card = ("<a href='/other'><b>Ferry fares rise</b><br>The island's ferry fares rise by a euro from March.</a>")
    article = ARTICLE + ["Until then, the council will run extra buses across the old causeway every morning and evening.",
                         "Shops on the island said they feared losing customers from the mainland while the bridge is shut."]
    story = "<dl><a href='/a.html'>" + "<br><br>".join(article) + "</a></dl>"
    page = _chrome("Harbour bridge", f"<div class='intr'>{story}</div><div class='more'>{card}</div>")
    read = witness.read_page(page)
    assert [b.linky for b in read.visible if b.text in article] == [False] * len(article)
    assert [b.linky for b in read.visible if b.text.startswith("The island's ferry")] == [True]
    assert _found(page, article).lines == tuple(normalize_lines(article))
    # without its last paragraph, the repost lacks it
    assert normalize_lines(article[-1:])[0] in _found(page, article[:-1]).lines


def test_paragraphs_each_in_wrappers_of_their_own_are_one_articles() -> None:
    # A card template: every paragraph in two <div>s of its own, an ad between two of them.
    # The last paragraph is the article's like the others: a repost without it lacks it.
    cards = [f"<div class='card'><div class='card-content'><p>{p}</p></div></div>" for p in ARTICLE]
    cards.insert(2, "<div class='card'><div id='ad1' class='arcad'></div></div>")
    page = _chrome("Harbour bridge", "<div class='collection'>" + "".join(cards) + "</div>")
    assert _found(page, ARTICLE).lines == tuple(normalize_lines(ARTICLE))
    assert normalize_lines(ARTICLE[-1:])[0] in _found(page, ARTICLE[:-1]).lines
    # a paragraph in a wrapper of its own in the sidebar is no paragraph of the article
    side = "<div class='promo'><div><p>Our newsletter brings you the island's news every morning, free of charge.</p></div></div>"
    page = _chrome("Harbour bridge", "<div class='collection'>" + "".join(cards) + "</div>" + side)
    assert _found(page, ARTICLE).lines == tuple(normalize_lines(ARTICLE))


def test_a_caption_that_retells_the_article_is_not_its_text() -> None:
    # A gallery's caption says again, in other words, what the article says: half its words
    # are the repost's, but a caption is the page's furniture, which a repost need not carry.
    caption = ("The city council voted to close the old harbour bridge to cars from next spring, "
               "and engineers say its steel frame had corroded (Photo: the council)")
    figure = f"<figure><img src='/b.jpg' alt=''><figcaption>{caption}</figcaption></figure>"
    story = "".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + figure + "".join(f"<p>{p}</p>" for p in ARTICLE[2:])
    found = _found(_chrome("Harbour bridge", f"<div class='story'>{story}</div>"), ARTICLE)
    assert found.lines == tuple(normalize_lines(ARTICLE)), found.lines


def test_a_caption_that_says_what_its_images_alternative_text_says_is_furniture_whatever_its_element() -> None:
    # A gallery shows each photo's caption in an element of its own, under class names that say
    # nothing ("g-3 t-1"); the caption is what the photo's alt says (which goes on with the
    # credit), or all of it but a "more" link. It is the page's furniture, wherever it stands.
    caption = ("Engineers inspect the corroded steel frame of the old harbour bridge on Tuesday, Nov. 19, 2019, "
               "before the council voted to close it to cars.")
    alt = f"{caption} Photo: Jane Roe, AP / Copyright 2019 The Associated Press. All rights reserved."
    gallery = (f"<ul class='g-3'><li><div class='w-2'><img src='/b.jpg' alt='{alt}'></div>"
               f"<div class='t-1'><div>{caption}<a href='#'> less</a></div>"
               f"<div>{caption[:90]}<a href='#'> ... more</a></div></div></li></ul>")
    story = "".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + gallery + "".join(f"<p>{p}</p>" for p in ARTICLE[2:])
    page = _chrome("Harbour bridge", f"<div class='x-9'>{story}</div>")
    verdict = _judge(page, ARTICLE)
    assert verdict.faithful is True, verdict.hunks
    # a paragraph that only begins as an alt does is the article's: a repost without it is not faithful
    opening = ARTICLE[2][:60]
    page = _chrome("Harbour bridge", f"<div class='x-9'><img src='/c.jpg' alt='{opening} (file photo)'>{story}</div>")
    verdict = _judge(page, ARTICLE[:2] + ARTICLE[3:])
    assert verdict.faithful is False and ARTICLE[2][:40] in str(verdict.hunks), verdict.hunks


def test_text_no_reader_sees_is_no_witness_of_the_repost() -> None:
    # The repost's words planted far off the screen, or drawn at size 0 inside the paragraphs of
    # another article, are not what the page shows: the repost is judged by what a reader sees.
    other = ["The mayor opened a new library in the old market hall on Friday, with room for forty thousand books.",
             "Children from the island schools sang at the opening, and the first readers queued from early on."]
    shown = "".join(f"<p>{p}<span style='font-size:0'>{ARTICLE[i]}</span></p>" for i, p in enumerate(other))
    planted = "<div style='position:absolute; left:-10000px'>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>"
    page = _chrome("Library", f"<div class='story'>{shown}</div>{planted}")
    assert not any("harbour" in b.text or "bridge" in b.text for b in witness.read_page(page).visible)
    assert _judge(page, ARTICLE).faithful is False


def test_script_data_that_lacks_a_line_the_page_shows_does_not_vouch_for_the_repost() -> None:
    # The page shows the article with its second paragraph rewritten (under comments that
    # outweigh it); its script data still carries the old text, the repost's. What the page
    # shows is the article: the data is another text and makes no one 'faithful'. Data that
    # only goes on past what the page shows (a script writes the rest) is the article.
    edited = [ARTICLE[0], "The mayor opened a new library in the old market hall on Friday, with room for forty "
              "thousand books.", *ARTICLE[2:]]
    comments = "".join(f"<div class='c'><p>Reader {i} wrote: I have crossed that bridge every morning for twenty "
                       "years and I will miss it, but the council is right that safety comes first for all of us. "
                       "The ferry will be slower, and I hope the new crossing opens on time.</p></div>" for i in range(16))
    dek = "A decade of debate ends as the council votes for the ferry, and the island waits for a new crossing."
    data = ("<script id='__NEXT_DATA__' type='application/json'>"
            + json.dumps({"props": {"dek": dek, "body": "".join(f"<p>{p}</p>" for p in ARTICLE)}}) + "</script>")

    def page(shown: list[str]) -> str:
        return _chrome("Harbour bridge", "<div><h1>Harbour bridge</h1>" + "".join(f"<p>{p}</p>" for p in shown)
                       + f"</div><section>{comments}</section>{data}")

    verdict = _judge(page(edited), ARTICLE)
    assert verdict.faithful is False and "new library" in str(verdict.hunks), verdict.hunks
    # a teaser, and its standfirst, which the data keeps in a field of its own
    assert _judge(page(ARTICLE[:2]), ARTICLE).faithful is True
    assert _judge(page([dek, *ARTICLE[:2]]), ARTICLE).faithful is True
    # and a line of prose after the teaser's last paragraph, which the data does not say (a
    # promotion), contradicts nothing of the article
    promo = "Readers like you keep our reporting free of charge, and every gift goes to the newsroom."
    assert _judge(page([*ARTICLE[:2], promo]), ARTICLE).faithful is True


@pytest.mark.parametrize("carrier", ["next_data", "json_ld", "template", "comments"])
def test_another_article_shown_over_data_that_holds_the_repost_is_what_the_page_says(carrier: str) -> None:
    # The page shows an article of its own, and not a word of the repost's, while its script
    # data (or an inert <template>, or a reader's comment that quotes it) holds the repost's
    # text, stale, quoted or planted: what a reader sees as the article is the article, and
    # the repost is judged by it. A shell that shows the summaries of a
    # few related stories beside a long article its script writes still has that article.
    other = ["The mayor opened a new library in the old market hall on Friday, with room for forty thousand books.",
             "Children from the island schools sang at the opening, and the first readers queued from early on.",
             "The library will stay open late on weekdays, and a reading room for students is planned for next year."]
    longer = ARTICLE + [f"{p} Officials repeated the point at a second briefing later that day." for p in ARTICLE]

    def page(shown: str, carried: list[str]) -> str:
        markup = "".join(f"<p>{p}</p>" for p in carried)
        data = {
            "next_data": "<script id='__NEXT_DATA__' type='application/json'>"
                         + json.dumps({"props": {"body": markup}}) + "</script>",
            "json_ld": "<script type='application/ld+json'>"
                       + json.dumps({"@type": "NewsArticle", "articleBody": "\n".join(carried)}) + "</script>",
            "template": f"<template id='story'>{markup}</template>",
            "comments": f"<div class='comments'><h3>Comments</h3><div class='comment'>{markup}</div></div>",
        }[carrier]
        return _chrome("Harbour bridge", shown + data)

    shown = "<article><h1>Library</h1>" + "".join(f"<p>{p}</p>" for p in other) + "</article>"
    verdict = _judge(page(shown, ARTICLE), ARTICLE)
    assert verdict.faithful is False and "new library" in str(verdict.hunks), verdict.hunks
    # and the page says where the repost's text is, for the check's detail and `extract --repost`
    job = analyze.PageJob(page(shown, ARTICLE).encode(), "text/html; charset=utf-8", "https://example.org/a", None,
                          None, ((1, "\n\n".join(ARTICLE)),))
    assert analyze.analyze(job).set_aside == ("its furniture" if carrier == "comments" else "its script data")
    related = "<div class='more'>" + "".join(f"<div><h3><a href='/a/{i}'>Story {i}</a></h3><p>{p}</p></div>"
                                             for i, p in enumerate(other)) + "</div>"
    assert _judge(page(related, longer), longer).faithful is True


def test_an_article_that_goes_on_on_its_next_page_is_judged_as_an_excerpt() -> None:
    # A news portal cuts an article into pages; the repost copied them all. Page 1 is part of
    # the article: what the repost has past its end is on the next pages, not added.
    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))

    def judge(page_html: str, paragraphs: list[str]):
        job = analyze.PageJob(page_html.encode(), "text/html; charset=utf-8", "https://news.example.cn/a/2012/123.html",
                              None, None, ((1, "\n\n".join(paragraphs)),))
        return analyze.analyze(job).fidelity[0]

    def page(paragraphs: list[str], pager: str) -> str:
        return _chrome("瑞银收购瑞信", "<div class='article'>" + "".join(f"<p>{p}</p>" for p in paragraphs)
                       + f"</div><div class='pages'>{pager}</div>")

    pager = "<a href='123.html'>1</a> <a href='123_2.html'>2</a> <a href='123_2.html'>下一页</a>"
    verdict = judge(page(PARAS[:3], pager), PARAS)
    assert verdict.faithful and verdict.excerpt_only, verdict
    # an edit inside the part the page serves is still an edit
    verdict = judge(page(PARAS[:1] + [REPLACED] + PARAS[2:3], pager), PARAS)
    assert not verdict.faithful and any("整段改写" in h["original"] for h in verdict.hunks), verdict
    # without a next page, the repost's text past the page's end is added
    verdict = judge(page(PARAS[:3], "<a href='124.html'>下一篇</a>"), PARAS)
    assert not verdict.faithful and not verdict.excerpt_only and verdict.hunks[-1]["op"] == "added", verdict


def test_a_teaser_that_says_the_rest_is_withheld_is_judged_as_an_excerpt(tmp_path: Path) -> None:
    # A site shows an article's first paragraphs and asks its readers to sign in or subscribe
    # for the rest (SPEC 7: "a 'read more' behind a login"). The repost, copied when the article
    # was free, has it whole: what it has past the teaser's end is withheld, not added. Before,
    # the repost was unfaithful with its last paragraphs "added".
    archive = tmp_path / "archive"
    zh_wall = "<p class='more'><a href='/login'>登录</a>后阅读全文</p>"
    en_wall = "<div class='paywall'><h4>Subscribe to continue reading</h4><a href='/subscribe'>Subscribe</a></div>"
    cards = "".join(f"<div class='card'><p>第{i}条：另一篇文章的摘要</p><a href='/a/{i}'>阅读全文</a></div>" for i in range(6))
    pages = {
        "zh": (_chrome("瑞银收购瑞信", "<div class='article'>" + "".join(f"<p>{p}</p>" for p in PARAS[:2]) + zh_wall
                       + "</div>"), PARAS),
        "en": (_chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:2]) + en_wall
                       + "</div>"), ARTICLE),
        # the wall's words as a paragraph of the article's own (they were "altered" into the rest)
        "zh-in-body": (_chrome("瑞银收购瑞信", "<div class='article'>" + "".join(f"<p>{p}</p>" for p in PARAS[:2])
                               + "<p>本文为付费内容，剩余80%内容请登录后阅读全文。</p></div>"), PARAS),
        "en-in-body": (_chrome("Harbour bridge", "<article>" + "".join(f"<p>{p}</p>" for p in ARTICLE[:2])
                               + "<p>This article is for subscribers only. Already a subscriber? <a href='/login'>Log in"
                               + "</a></p></article>"), ARTICLE),
        # an edit inside the part the teaser shows is still an edit
        "zh-edited": (_chrome("瑞银收购瑞信", "<div class='article'>" + f"<p>{PARAS[0]}</p><p>{REPLACED}</p>"
                              + zh_wall + "</div>"), PARAS),
        # an article cut short, with a listing's "阅读全文" cards further down: the cut is not withheld
        "zh-cut": (_chrome("瑞银收购瑞信", "<div class='article'>" + "".join(f"<p>{p}</p>" for p in PARAS[:2])
                           + "</div><div class='related'><h3>相关文章</h3><p>编辑：小王</p><p>责任编辑：小李</p>"
                           + "<p>来源：新闻网</p><p>分享到：微信 微博</p>" + cards + "</div>"), PARAS),
    }
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        for name, (page, paragraphs) in pages.items():
            o.route(f"/news/{name}", Reply(200, page))
            write_repost(archive, f"{name}.md", o.url(f"/news/{name}"), paragraphs)
        store, _ = crawl(make_config(tmp_path))
        verdicts = {name: fidelity(store, o.url(f"/news/{name}")) for name in pages}
        statuses = {name: fields(store)[o.url(f"/news/{name}")]["link_status"] for name in pages}
    assert statuses == {name: "alive" for name in pages}, statuses
    for name in ("zh", "en", "zh-in-body", "en-in-body"):
        assert verdicts[name]["faithful"] and verdicts[name]["excerpt_only"], (name, verdicts[name])
    assert not verdicts["zh-edited"]["faithful"], verdicts["zh-edited"]
    assert any("整段改写" in h["original"] for h in verdicts["zh-edited"]["hunks"]), verdicts["zh-edited"]
    cut = verdicts["zh-cut"]
    assert not cut["faithful"] and not cut["excerpt_only"] and cut["hunks"][-1]["op"] == "added", cut


def test_a_description_left_as_the_article_was_is_no_excerpt_of_a_page_that_shows_another_text(
        tmp_path: Path) -> None:
    # A site rewrote its article and left its og:description as the old lead, which is the
    # repost's first paragraph. The description was read as an excerpt the repost holds:
    # "faithful", and the description itself became the version (the rewrite went unseen).
    # What the page shows is the article: the repost is judged against it, as it would be
    # against the stored version (`check --no-fetch`, a 304).
    archive = tmp_path / "archive"
    other = ["这是一篇完全不同的文章，讲述了某地政府推出新的交通政策，旨在缓解城市拥堵问题，并鼓励市民使用公共交通工具出行。",
             "据报道，新政策将于下月起实施，届时市中心部分道路将限制私家车通行，同时增加公交线路和班次，以满足市民出行需求。",
             "专家认为，这一政策有助于改善空气质量，但也有市民担心会给日常生活带来不便，呼吁政府在实施过程中充分听取各方意见。"]
    head = f"<meta property='og:description' content='{html.escape(PARAS[0])}'>"
    pages = {
        "rewritten": [*other],  # nothing of the repost shown: judged by what the page shows
        "rewritten-after-lead": [PARAS[0], *other],  # its lead kept, the rest rewritten
    }
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/news/teaser", Reply(200, excerpt_page()))  # a description and a wall: an excerpt, as before
        write_repost(archive, "teaser.md", o.url("/news/teaser"), PARAS)
        for name, paragraphs in pages.items():
            o.route(f"/news/{name}", Reply(200, _chrome("瑞银收购瑞信", "<article>" + "".join(
                f"<p>{p}</p>" for p in paragraphs) + "</article>", head)))
            write_repost(archive, f"{name}.md", o.url(f"/news/{name}"), PARAS)
        store, _ = crawl(make_config(tmp_path))
        listed = fields(store)
        versions = dict(store.db.execute("SELECT s.url, v.text FROM versions v JOIN sources s ON s.id = v.source_id"))
        url = {name: o.url(f"/news/{name}") for name in (*pages, "teaser")}
    assert {name: listed[u]["link_status"] for name, u in url.items()} == {name: "alive" for name in url}
    assert versions[url["rewritten"]].split("\n") == other
    for name in pages:
        verdict = fidelity(store, url[name])
        assert not verdict["faithful"] and not verdict["excerpt_only"], (name, verdict)
        assert any("交通政策" in h["original"] for h in verdict["hunks"]), (name, verdict)
    assert "a repost's text is in its description, not in the article the page shows" \
        in checks(store)[url["rewritten"]]["detail"]
    assert fidelity(store, url["teaser"])["faithful"] and fidelity(store, url["teaser"])["excerpt_only"]


def test_a_page_nested_deeper_than_any_page_is_read_without_its_excess_containers() -> None:
    # A hostile page nests 20,000 <div>s (the parser alone took seconds over such a page):
    # read as the extractor reads it, without the containers past the depth no page reaches,
    # their text kept, and the article before them.
    article = "".join(f"<p>{p}</p>" for p in ARTICLE)
    page = _chrome("Harbour bridge", f"<div class='story'>{article}</div>" + "<div>" * 20_000 + "deep text"
                   + "</div>" * 20_000)
    read = witness.read_page(page)
    texts = [b.text for b in read.visible]
    assert ARTICLE[0] in texts and ARTICLE[-1] in texts and "deep text" in texts


@pytest.mark.parametrize("script", [
    "<script type='application/json'>" + "[" * 100_000 + "]" * 100_000 + "</script>",
    "<script>window.__INITIAL_STATE__ = " + '{"a":' * 50_000 + "1" + "}" * 50_000 + "</script>",
    "<script type='application/ld+json'>{\"articleBody\": \"x\", \"a\": " + "[" * 100_000 + "]" * 100_000 + "}</script>",
])
def test_script_data_nested_deeper_than_the_decoder_goes_is_skipped(script: str) -> None:
    # The JSON decoder gave up with a RecursionError, which failed the whole page's analysis:
    # no verdict at all for a page that shows its article.
    analyze.configure(analyze.CompareSettings(frozenset(), 8, True))
    page = _chrome("Harbour bridge", "<div class='story'>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</div>" + script)
    for repost, faithful in ((ARTICLE, True), (ARTICLE + ["The ferry will also carry bicycles for free, the mayor added."],
                                                False)):
        # (a repost with a line the page lacks: the witness reads the page's script data too)
        got = analyze.analyze(analyze.PageJob(page.encode(), "text/html; charset=utf-8", "https://example.org/a", None,
                                              None, ((1, "\n\n".join(repost)),)))
        assert got.failure is None and got.fidelity[0].faithful is faithful, got.failure


def test_a_paragraph_longer_than_any_notice_is_never_furniture() -> None:
    # a long paragraph that quotes a notice's words is prose, and is not scanned for them
    long = " ".join([ARTICLE[0]] * 18) + " The page said: Copyright © 2019. All rights reserved."
    assert len(long) > 2000 and witness.is_prose(long) and not witness.furniture_shaped(long)
    assert witness.furniture_shaped("Copyright © 2019 Harbour News. All rights reserved.")


def test_the_grams_of_a_long_text_are_read_a_stretch_at_a_time_and_none_is_lost_at_a_seam() -> None:
    # The set (or list) of every 8-gram of a page's 3,000,000-character paragraph took 280 MB.
    import random

    from crawler.witness import _GRAM, _STRETCH, _gram_hits, _grams_within, _held_grams

    rng = random.Random(5)
    text = "".join(rng.choices("海港大桥明年春天起禁止汽车通行", k=3 * _STRETCH + 11))
    every = _GRAM.findall(text)
    repost = frozenset(rng.sample(every, 500)) | {text[_STRETCH - 3:_STRETCH + 5]}  # a gram across a seam
    assert _held_grams(text, repost) == frozenset(every) & repost
    assert _gram_hits(text, repost) == sum(g in repost for g in every)
    assert _grams_within(text, len(set(every))) == frozenset(every)
    assert _grams_within(text, len(set(every)) - 1) is None
