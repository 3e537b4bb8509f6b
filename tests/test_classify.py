"""Link status words exactly per SPEC section 3, and the soft-404 probe helpers."""

from __future__ import annotations

import dataclasses
import random
import re
from urllib.parse import urlsplit

import pytest

from crawler.classify import (
    NOT_MODIFIED,
    consent_wall,
    continues_on_next_page,
    embedded_media,
    error_phrase,
    frame_target,
    is_dead,
    is_error_url,
    is_listing_url,
    link_status,
    matches_probe,
    next_page_url,
    outage_phrase,
    page_signature,
    probe_url,
    refresh_header_target,
    refresh_target,
    same_url,
    script_says,
    soft404_evidence,
    wall_phrase,
)
from crawler.fetch import FetchResult

URL = "https://gnews.org/articles/2190271"


def result(status: int | None = 200, *, final: str = URL, redirects=(), error: str | None = None,
           url: str = URL) -> FetchResult:
    return FetchResult(url=url, final_url=final, status=status, redirects=list(redirects), error=error)


@pytest.mark.parametrize(
    "status, soft404, expected",
    [
        (200, None, "alive"),
        (200, "soft-404: the page reads as an error page", "soft_404"),
        (204, None, "alive"),
        (204, "soft-404: redirected", "soft_404"),
        (404, False, "gone"),
        (410, False, "gone"),
        (401, False, "blocked"),
        (403, False, "blocked"),
        (451, False, "blocked"),
        (429, False, "server_error"),
        (500, False, "server_error"),
        (503, False, "server_error"),
        # other client errors and statuses HTTP does not define: refused, not gone
        (400, False, "blocked"),
        (406, False, "blocked"),
        (418, False, "blocked"),
        (999, False, "blocked"),
        (599, False, "server_error"),
        (408, False, "unreachable"),
        (300, False, "server_error"),
    ],
)
def test_status_codes(status, soft404, expected):
    assert link_status(result(status), soft404=soft404 or None) == expected


def test_a_page_without_a_body_and_without_evidence_is_alive():
    # No body is no evidence (SPEC 3): a short post, a script-rendered page.
    r = result(200)
    assert soft404_evidence(r) is None
    assert link_status(r, soft404=soft404_evidence(r)) == "alive"


@pytest.mark.parametrize(
    "title, lines",
    [
        ("404 Not Found", ()),
        ("Page not found - Example News", ()),
        ("Not Found", ()),
        ("新闻网", ("抱歉，您访问的页面不存在",)),
        ("新聞網", ("您要訪問的頁面已被刪除",)),
        ("", ("该文章已被删除",)),
        ("", ("文章已刪除或不存在",)),
        ("", ("找不到您要访问的页面，请返回首页",)),
        ("出错啦 - 新闻网", ()),
        ("微博", ("该内容已被作者删除",)),
        ("論壇", ("抱歉，此帖已被版主刪除",)),
        ("微信公众平台", ("此内容因违规无法查看",)),  # what WeChat shows for a removed article
        ("微信公众平台", ("该内容已被发布者删除",)),
        ("Example", ("此帐号已被屏蔽, 内容无法查看",)),
        ("Example", ("文章已经删除",)),
        ("Example", ("内容已下线",)),
        ("Example", ("Oops! That page can\u2019t be found.",)),  # a typographic apostrophe
        ("Example", ("We can't find the page you're looking for",)),
        ("Example", ("Nothing Found",)),
        ("Example", ("It looks like nothing was found at this location.",)),
        ("Example", ("Sorry, this content isn't available right now",)),
        ("Example", ("This Tweet was deleted by the Tweet author.",)),
        ("Example", ("This account doesn\u2019t exist",)),
        ("Example", ("Sorry, we couldn't find that page.",)),
        ("Example", ("This article is no longer available.",)),
        ("Example", ("The page you requested has been removed.",)),
        ("Example", ("This video is unavailable",)),
        ("Example", ("This story has expired",)),
        ("Example", ("Sorry, this article has gone missing",)),
        ("新闻网", ("抱歉，您访问的页面走丢了~",)),
        ("Example", ("Content not available",)),
        ("X", ("Account suspended",)),  # what a social post's page shows when its author's account is gone
        ("微博", ("此用户已注销",)),
        ("Example", ("该账号已冻结",)),
        ("新闻网", ("对不起，您要访问的页面暂时没有找到",)),
        ("Example", ("The article you requested has expired",)),
        ("Example", ("Sorry, we couldn't find what you were looking for.",)),
        ("410 Gone", ()),
        ("微信公众平台", ("该公众号已被封禁",)),
        ("微信公众平台", ("无法查看该内容",)),
        ("凤凰网", ("您访问的页面找不回来了",)),
        ("新闻网", ("稿件已撤销",)),
        ("抖音", ("抱歉，该作品已删除",)),
        ("微博", ("该微博因被多人投诉，根据《微博社区公约》，已被删除",)),
        ("微博", ("该用户已被封禁",)),
        ("Example", ("User not found",)),
    ],
)
def test_error_pages_say_so(title, lines):
    said = error_phrase(title, lines)
    assert said is not None
    r = result(200)
    evidence = soft404_evidence(r, error_said=said)
    assert evidence and said in evidence and link_status(r, soft404=evidence) == "soft_404"


@pytest.mark.parametrize(
    "title, lines",
    [
        ("瑞银收购瑞信", ("瑞士银行同意以30亿瑞士法郎的股票收购竞争对手瑞士信贷。",)),
        ("他的推文已被删除后引发争议", ()),  # deletion of something else: not an error page
        ("真相不存在吗", ()),
        ("404名学生获奖", ()),
        ("404 students win national award", ()),
        ("Flight 404 lands safely", ()),
        ("In 2019, 404 people died on the roads", ()),
        ("Markets rally as rates fall", ("Stocks rose on Tuesday.",)),
        ("Report", ("The company said the files were deleted in 2019 and that the page about it " * 3,)),
        ("微信文章删除后怎么恢复", ()),  # a topic: nothing was deleted here
        ("如何恢复被删除的微信文章", ()),
        ("文章因篇幅原因无法全部刊登", ()),
        ("Nothing found to support the claim, police said", ()),
        ("The president's account is not available for comment.", ()),
        ("The Article 50 deadline has expired", ()),
        ("Girl who has gone missing found safe", ()),
        ("Trump's account suspended - News", ()),  # a headline about an account
        ("某明星微博账号已注销引发热议", ()),
        ("Report", ("Video content not available in your region because of the broadcaster's rights",)),
        ("How to find what you are looking for in the city's new archive", ()),
        ("警方没有找到失踪男孩", ()),
        ("410 students graduate", ()),
        ("Report", ("The user not found in the database had changed her name, the police said.",)),
        ("User not found: how a database bug hid accounts", ()),
    ],
)
def test_articles_are_not_error_pages(title, lines):
    assert error_phrase(title, lines) is None


@pytest.mark.parametrize("title", [
    "抱歉，您访问的页面不存在 - 新浪网", "页面不存在_新浪网", "文章不存在或已被删除", "404 Not Found",
    "Page Not Found | The Hill", "Sorry, the page you requested could not be found",
    "We're sorry, the page you requested cannot be found", "Oops! That page can't be found. – Example",
    "This video is no longer available | NBC", "Error 404 - Example",
])
def test_a_title_that_is_an_error_message_says_so_even_above_an_article(title):
    # `headline`: no repost text tells the page's article from the one linked
    assert error_phrase(title, headline=True) is not None


@pytest.mark.parametrize("title", [
    "内容已被移除的背后：平台审查机制揭秘", "该视频已被删除？郭先生回应", "Trump's tweet was deleted within minutes",
    "某网红作品已删除引发热议", "他的作品因涉嫌抄袭已被下架后引发讨论", "原文已被删除？记者调查",
    "Kanye's account is no longer available after ban",
])
def test_a_headline_that_names_a_removal_is_no_error_message(title):
    assert error_phrase(title) is not None  # a page that does not hold its repost's text: it counts
    assert error_phrase(title, headline=True) is None



@pytest.mark.parametrize(
    "title, lines",
    [
        ("Just a moment...", ()),
        ("Attention Required! | Cloudflare", ()),
        ("Access Denied", ()),
        ("安全验证", ()),
        ("用户登录 | 新闻网", ()),
        ("請登入 - 論壇", ()),
        ("新闻网", ("请完成下方验证后继续访问",)),
        ("新聞網", ("訪問過於頻繁，請稍後再試",)),
        ("Example", ("Please enable JavaScript and cookies to continue",)),
        ("Example", ("Please sign in to continue reading.",)),
        ("Example", ("You must be 18 years old or older to enter.",)),
        ("Example", ("This content is not available in your country",)),  # geo-blocked: not gone
        ("视频", ("您所在的地区无法观看该视频",)),
        ("视频", ("该内容在您所在的地区不可用",)),
        ("451 Unavailable For Legal Reasons", ()),
        ("Subscribe | Example News", ()),  # where an article's URL redirects a reader who has not paid
        ("付费阅读 - 新闻网", ()),
        ("Example", ("You don't have permission to access this resource.",)),
        # what other bot-protection services put in the page's place
        ("Pardon Our Interruption", ()),
        ("Access to this page has been denied.", ()),
        ("DDoS-Guard", ()),
        ("Example", ("Request unsuccessful. Incapsula incident ID: 0-1234567890",)),
        ("Example", ("DDoS protection by Cloudflare",)),
        ("Example", ("Please turn JavaScript on and reload the page.",)),
    ],
)
def test_walls_in_the_articles_place_say_so(title, lines):
    assert wall_phrase(title, lines) is not None


@pytest.mark.parametrize(
    "title, lines",
    [
        ("Google's CAPTCHA is dead, say experts", ()),
        ("How to sign in to your bank safely", ()),
        ("用户登录数据泄露事件调查", ()),
        ("How to subscribe to podcasts", ()),
        ("Subscribe to our newsletter: the week in science", ()),
        ("Example", ("The bank asked customers to sign in to continue using the app, the report said. " * 2,)),
        ("Example", ("Stocks rose on Tuesday.",)),
    ],
)
def test_articles_are_not_walls(title, lines):
    assert wall_phrase(title, lines) is None

_CONSENT = [
    "We and our partners store and/or access information on a device, such as cookies, and process personal data, "
    "such as unique identifiers and standard information sent by a device for personalised advertising and content.",
    "You may click to consent to our and our partners' processing as described above, or access more detailed "
    "information and change your preferences before consenting. Your preferences will apply to this website only.",
    "Accept all", "Reject all",
]


def test_a_body_of_consent_talk_that_asks_for_a_choice_is_a_consent_wall():
    assert "click to consent" in consent_wall("Example News", _CONSENT)
    assert "Accept all" in consent_wall("Example News", [_CONSENT[0], _CONSENT[0], "Accept all"])
    assert "continue" in consent_wall("Before you continue", [_CONSENT[0], _CONSENT[0]])
    assert consent_wall("新闻网", ["我们和我们的合作伙伴使用Cookie等技术在您的设备上存储和访问信息，并处理个人数据，用于个性化广告和内容、"
                         "广告和内容效果衡量、受众研究以及服务开发。经您同意，我们可能会使用精确的地理位置数据。",
                         "接受全部", "拒绝全部"]) is not None


@pytest.mark.parametrize(
    "lines",
    [
        # a banner of a line or two (a placeholder over a page a script fills, not a wall)
        ["We use cookies to improve your experience. By continuing to browse you agree to our cookie policy.",
         "Accept all"],
        # consent talk that asks for no choice: a privacy notice, a paragraph of an article
        [_CONSENT[0], _CONSENT[0].replace("We", "They")],
        # an article about consent walls: longer, and most of it talks of other things
        ["Regulators said on Tuesday that websites must let readers reject all cookies as easily as they accept them.",
         *["The ruling follows a two-year inquiry into how publishers and advertisers track readers across the web, "
           "and the fines it sets are the largest the authority has imposed on the industry so far."] * 6],
        # the same wall with the article below it
        [*_CONSENT, *["The city council voted on Tuesday to approve a new budget for the coming year, raising "
                      "spending on schools, roads and the hospital, and cutting the cost of the city's own offices."] * 4],
    ],
)
def test_what_is_no_consent_wall(lines):
    assert consent_wall("Example News", lines) is None


@pytest.mark.parametrize(
    "title, lines",
    [
        ("Site Maintenance", ()),
        ("Example News | Under Maintenance", ()),
        ("Service Temporarily Unavailable", ()),
        ("Too Many Requests", ()),
        ("网站维护中", ()),
        ("Example News", ("We'll be back soon!",)),
        ("Example News", ("Our website is currently undergoing scheduled maintenance.",)),
        ("新闻网", ("本站正在进行系统升级维护，请稍后访问。",)),
        ("新闻网", ("服务器繁忙",)),
        ("502 Bad Gateway", ()),
        ("example.com | 522: Connection timed out", ()),
        ("Example News | 521: Web server is down", ()),
        ("504 Gateway Time-out", ()),
    ],
)
def test_a_site_down_for_now_says_so(title, lines):
    assert outage_phrase(title, lines) is not None


@pytest.mark.parametrize(
    "title, lines",
    [
        # headlines about outages head articles: only a whole title that is the notice counts
        ("Bank's app down for maintenance as customers fume", ()),
        ("网站维护期间的数据安全问题分析", ()),
        # prose that mentions maintenance is no notice (only short lines are read)
        ("Example", ("The city said the bridge would be closed for maintenance until March, and that traffic would be "
                     "diverted through the tunnel while the work on its steel frame goes on.",)),
        ("Example", ("Stocks rose on Tuesday.",)),
        ("Bad gateway: how a broken router took the city's trains offline", ()),
    ],
)
def test_articles_are_no_outage(title, lines):
    assert outage_phrase(title, lines) is None


def test_a_page_holding_a_repost_has_no_soft404_evidence():
    r = result(200, final="https://gnews.org/", redirects=[(301, "https://gnews.org/")])
    assert soft404_evidence(r, probe_match=True, error_said="its title says '404'", holds_repost=True) is None
    assert "probe" in soft404_evidence(result(200), probe_match=True)


@pytest.mark.parametrize(
    "error, expected",
    [
        ("dns", "unreachable"),
        ("refused", "unreachable"),
        ("reset", "unreachable"),
        ("tls", "unreachable"),
        ("timeout", "unreachable"),
        ("robots_unreachable", "unreachable"),
        ("robots_disallowed", "blocked"),
        ("robots_error", "blocked"),
        ("private_address", "blocked"),
        ("redirect_loop", "server_error"),
        ("too_many_redirects", "server_error"),
        ("bad_redirect", "server_error"),
        ("protocol", "server_error"),
    ],
)
def test_errors(error, expected):
    # An error wins over whatever status the last hop had (a loop ends on a 301).
    assert link_status(result(301, error=error)) == expected


def test_not_modified_repeats_the_previous_status():
    asked = dataclasses.replace(result(304), request_headers=[("If-None-Match", '"v1"')])
    assert link_status(asked, previous="alive") == "alive"
    assert link_status(asked, previous="redirected") == "redirected"
    assert link_status(asked) == NOT_MODIFIED
    # "not modified" to a request that asked nothing: no page, no previous status to repeat
    assert link_status(result(304), previous="alive") == "server_error"


@pytest.mark.parametrize(
    "final",
    [
        "https://gnews.org/articles/2190271/",       # trailing slash added
        "https://www.gnews.org/articles/2190271",    # www. added
        "https://gnews.org:443/articles/2190271",    # default port spelled out
    ],
)
def test_same_url_redirects_stay_alive(final):
    r = result(200, final=final, redirects=[(301, final)])
    assert link_status(r) == "alive"


@pytest.mark.parametrize("requested, final, same", [
    # a Chinese path is sent escaped; a redirect that adds a slash to it in lower-case hex is no move
    ("https://news.example.cn/新闻/1", "https://news.example.cn/%e6%96%b0%e9%97%bb/1/", True),
    ("https://news.example.cn/%7Ezhang/1", "https://news.example.cn/~zhang/1/", True),
    ("https://news.example.cn/a?id=%D0%C2", "https://news.example.cn/a?id=%d0%c2", True),
    ("https://news.example.cn/a?id=%D0%C2", "https://news.example.cn/a?id=%B9%FA", False),  # other GBK bytes
    ("https://news.example.cn/a%2Fb", "https://news.example.cn/a/b", False),  # an escaped slash is no slash
])
def test_a_url_escaped_another_way_is_the_same_url(requested: str, final: str, same: bool) -> None:
    assert same_url(requested, final) is same
    r = result(200, final=final, redirects=[(301, final)], url=requested)
    assert link_status(r) == ("alive" if same else "redirected")


def test_http_to_https_and_www_dropped_is_still_alive():
    r = FetchResult(url="http://www.a.org/p/123", final_url="https://a.org/p/123/", status=200,
                    redirects=[(301, "https://a.org/p/123/")])
    assert link_status(r) == "alive"


def test_https_downgrade_or_other_path_is_redirected():
    assert not same_url("https://a.org/p/1", "http://a.org/p/1")
    r = result(200, final="https://gnews.org/articles/2190272", redirects=[(301, "https://gnews.org/articles/2190272")])
    assert link_status(r) == "redirected"
    r = result(200, final="https://gnews.org/articles/2190271?x=1", redirects=[(302, "…")])
    assert link_status(r) == "redirected"


@pytest.mark.parametrize(
    "final",
    [
        "https://gnews.org/",
        "https://gnews.org",
        "https://gnews.org/zh-hans/",
        "https://gnews.org/index.php",
        "https://gnews.org/category/news/",
        "https://gnews.org/tag/ccp/page/3",
        "https://gnews.org/search?s=abc",
        "https://gnews.org/articles/",
        "https://gnews.org/?lang=en",
        "https://x.com/index.php?catid=5",  # a category's number is a listing's
    ],
)
def test_redirect_to_home_or_listing_is_soft_404_even_with_a_body(final):
    # The extractor may well find "an article" on a home page; the redirect decides.
    r = result(200, final=final, redirects=[(301, final)])
    evidence = soft404_evidence(r)
    assert evidence and final in evidence and link_status(r, soft404=evidence) == "soft_404"


@pytest.mark.parametrize(
    "url",
    [
        "https://gnews.org/articles/2190271",
        "https://gnews.org/zh-hans/123456/",
        "https://x.com/category/politics/12345-some-story",
        "https://x.com/2021/05/a-long-article-slug/",
        "https://x.com/news/story.html",
        # a home page's address with a query that names one item is an article's (WordPress,
        # Joomla, old portals): a redirect there is no redirect to the home page
        "https://x.com/?p=123",
        "https://x.com/index.php?id=123",
        "https://x.com/index.php?option=com_content&view=article&id=5",
        "https://x.com/zh-hans/?newsid=88",
    ],
)
def test_article_urls_are_not_listings(url):
    assert not is_listing_url(url)


def test_soft404_probe_match_overrides_an_article():
    assert link_status(result(200), soft404=soft404_evidence(result(200), probe_match=True)) == "soft_404"


def test_probe_url_keeps_the_shape():
    rng = random.Random(7)
    url = "https://gnews.org/zh-hans/123456/"
    probes = {probe_url(url, rng) for _ in range(20)}
    assert len(probes) == 20 and url not in probes
    for p in probes:
        parts = urlsplit(p)
        assert parts.netloc == "gnews.org" and parts.scheme == "https"
        assert re.fullmatch(r"/[a-z]{2}-[a-z]{4}/\d{6}/", parts.path), p


def test_probe_url_keeps_extension_and_cjk_shape():
    rng = random.Random(3)
    p = urlsplit(probe_url("http://a.test/2021/05/story-12.html", rng)).path
    assert re.fullmatch(r"/\d{4}/\d{2}/[a-z]{5}-\d{2}\.html", p), p
    q = probe_url("http://a.test/%E4%B8%AD%E6%96%87", rng)
    assert q != "http://a.test/%E4%B8%AD%E6%96%87" and q.count("%") == 6


def test_probe_url_of_the_root_still_differs():
    p = probe_url("http://a.test/", random.Random(1))
    assert urlsplit(p).path not in ("", "/")


def test_page_signature_matches_error_template_not_articles():
    template = "很抱歉，您访问的页面不存在\n页面 {n} 已被删除或从未存在\n返回首页"
    probe = page_signature("页面不存在 - GNews", template.format(n=88123))
    same_template = page_signature("页面不存在 - GNews", template.format(n=55))
    article = page_signature("郭文贵：新中国联邦", "第一段新闻内容很长很长。\n第二段继续报道。\n第三段结尾。")
    assert matches_probe(same_template, probe)
    assert not matches_probe(article, probe)
    # Two pages without a word are no error page, even with one title: a script-rendered
    # shell that a single-page app serves for every URL, its live articles' included.
    assert not matches_probe(page_signature("Example News", ""), page_signature("Example News", ""))
    assert not matches_probe(page_signature("Oops", ""), page_signature("Other", ""))


def test_a_page_with_words_or_a_video_the_probes_answer_lacks_is_no_copy_of_it():
    # A host that serves one template for every URL: a video post's page is that template with
    # a video and a caption, the random URL's is the template alone. Line by line they were
    # "the same page" (four lines of five shared, one title): a live video post was soft_404.
    chrome = "首页 | 新闻 | 视频 | 直播 | 关于我们\n热门话题：今日要闻、国际观察、财经评论\n扫码下载客户端，随时随地看新闻"
    probe = page_signature("GTV 视频", chrome)
    assert matches_probe(page_signature("GTV 视频", chrome), probe)
    assert not matches_probe(page_signature("GTV 视频", chrome + "\n3月20日直播精彩片段"), probe)
    video = embedded_media("<div><iframe src='https://video.test/embed/v1a2b3'></iframe></div>")
    assert video == ("https://video.test/embed/v1a2b3",)
    assert not matches_probe(page_signature("GTV 视频", chrome, video), probe)
    # what the probe's answer has beyond the page (its own echo of the URL asked for) is no matter
    assert matches_probe(page_signature("GTV 视频", chrome), page_signature("GTV 视频", chrome + "\n您访问的是 /v/88"))
    # a frame of the template (an ad's, on both) is no video of the page's
    ad = embedded_media("<iframe src='https://ads.test/frame/77?r=0.51'></iframe>")
    assert matches_probe(page_signature("GTV 视频", chrome, ad),
                         page_signature("GTV 视频", chrome, embedded_media("<iframe src='https://ads.test/frame/12?r=0.9'>")))


def test_is_dead():
    assert is_dead("gone", 0, 3) and is_dead("soft_404", 0, 3)
    assert not is_dead("unreachable", 2, 3) and is_dead("unreachable", 3, 3)
    assert is_dead("server_error", 4, 3)
    assert not is_dead("alive", 10, 3) and not is_dead("blocked", 10, 3) and not is_dead("redirected", 9, 3)


@pytest.mark.parametrize("html, target", [
    (b"<html><head><meta http-equiv='refresh' content='0;url=/'></head></html>", "https://gnews.org/"),
    (b'<META HTTP-EQUIV="Refresh" CONTENT="3; URL=https://gnews.org/category/news">', "https://gnews.org/category/news"),
    (b'<meta content="2;url=/index.html" http-equiv="refresh">', "https://gnews.org/index.html"),
    # a long delay reloads a live page; a refresh without a target reloads the page itself
    (b"<meta http-equiv='refresh' content='300;url=/'>", None),
    (b"<meta http-equiv='refresh' content='60'>", None),
    (b"<p>http-equiv='refresh' content='0;url=/'</p>", None),
])
def test_a_refresh_within_seconds_is_where_the_page_sends_readers(html: bytes, target: str | None) -> None:
    assert refresh_target(html, URL) == target



@pytest.mark.parametrize("value, target", [
    ("0; url=/", "https://gnews.org/"),
    ("3;URL='https://gnews.org/list/'", "https://gnews.org/list/"),
    ("1.5, /", "https://gnews.org/"),
    ("600; url=/", None),  # a page that reloads after idle
    ("0", None),
    ("", None),
    (None, None),
])
def test_a_refresh_header_is_read_as_the_tag_is(value: str | None, target: str | None) -> None:
    assert refresh_header_target(value, URL) == target

def test_a_refresh_to_the_home_page_is_soft_404_evidence_and_to_an_article_is_not() -> None:
    home = soft404_evidence(result(200), refresh_to="https://gnews.org/")
    assert home is not None and "https://gnews.org/" in home
    assert soft404_evidence(result(200), refresh_to="https://gnews.org/articles/2190272") is None
    assert soft404_evidence(result(200), refresh_to=URL + "/") is None  # itself, with a slash
    assert soft404_evidence(result(200), refresh_to="https://gnews.org/", holds_repost=True) is None


@pytest.mark.parametrize("html, shown", [
    ("<frameset rows='80,*'><frame src='/top.html'><frame name=main src='/a/1.html'></frameset>", "/a/1.html"),
    ("<frameset cols='*,200'><frame src='/a/1.html'><frame src='/side.html'></frameset>", "/a/1.html"),
    ("<frameset><frame src='/a/1.html'></frameset>", "/a/1.html"),
    ("<body><iframe src='/a/1.html' width='100%' height='900'></iframe></body>", "/a/1.html"),
    ("<body><iframe src='https://ads.example.net/x' width='100%'></iframe></body>", None),  # another host
    ("<body><iframe src='/a/1.html' width='300' height='250'></iframe></body>", None),  # a box on the page
    ("<body><iframe src='/a/1.html' width=100%></iframe><iframe src='/a/2.html' width=100%></iframe></body>", None),
    ("<body><p>An article.</p></body>", None),
])
def test_the_page_a_frame_shows(html: str, shown: str | None) -> None:
    got = frame_target(html.encode(), "https://news.example.cn/index.html")
    assert got == (None if shown is None else "https://news.example.cn" + shown)


@pytest.mark.parametrize("html, goes_on", [
    ("<a href='123_2.html'>下一页</a>", True),
    ("<a href='/a/2012/123_2.html'><span>下一頁</span></a>", True),
    ("<p>醫院春節門診時間如下。（接下一頁）</p>", True),
    ("<a href='?page=2'>Next page &raquo;</a>", True),
    ("<a href='/a/2012/124.html'>下一篇</a>", False),  # the next article
    ("<a href='/a/2013/999.html'>下一页</a>", False),  # another article's page
    ("<a href='/'>next page</a>", False),
    ("<a href='?page=1' title='Go to next page'>next ›</a>", False),  # a pager of comments, as often
])
def test_a_page_that_goes_on_on_its_next_page(html: str, goes_on: bool) -> None:
    assert continues_on_next_page(html, "https://news.example.cn/a/2012/123.html") is goes_on


@pytest.mark.parametrize("html, url", [
    ("<a href='123_2.html#top'>下一页</a>", "https://news.example.cn/a/2012/123_2.html"),
    ("<a href='?page=2&amp;x=1'>Next page &raquo;</a>", "https://news.example.cn/a/2012/123.html?page=2&x=1"),
    ("<p>醫院春節門診時間如下。（接下一頁）</p>", None),  # words, and no page to turn to
    ("<a href='https://other.example.cn/a/2012/123_2.html'>下一页</a>", None),
    # marked rel="next", in the head or on the pager's arrow
    ("<head><link rel='next' href='/a/2012/123_2.html'></head>", "https://news.example.cn/a/2012/123_2.html"),
    ("<a class=arrow rel=\"nofollow next\" href='?page=2'>›</a>", "https://news.example.cn/a/2012/123.html?page=2"),
    ("<link href='123-2.html' rel=next />", "https://news.example.cn/a/2012/123-2.html"),
    ("<link rel='next' title='Another story' href='/a/2012/124.html'>", None),  # the next post, not a page
    ("<link rel='prev' href='/a/2012/123_2.html'>", None),
    ("<p>Write rel=\"next\" href=\"123_2.html\" on the link.</p>", None),  # words, not a link's tag
])
def test_the_next_page_of_an_article(html: str, url: str | None) -> None:
    assert next_page_url(html, "https://news.example.cn/a/2012/123.html") == url


@pytest.mark.parametrize("here, html, url", [
    # a post's pages in WordPress: /slug/, /slug/2/, /slug/3/
    ("https://blog.example.com/2019/11/slug/", "<link rel='next' href='https://blog.example.com/2019/11/slug/2/'>",
     "https://blog.example.com/2019/11/slug/2/"),
    ("https://blog.example.com/2019/11/slug/2/", "<link rel='next' href='https://blog.example.com/2019/11/slug/3/'>",
     "https://blog.example.com/2019/11/slug/3/"),
    ("https://news.example.cn/a/123_2.html", "<a href='123_3.html'>下一页</a>", "https://news.example.cn/a/123_3.html"),
    # a link back, or to the first page, is no next page
    ("https://news.example.cn/a/123_3.html", "<a rel=next href='123_2.html'>›</a>", None),
    ("https://news.example.cn/a/123.html?page=2", "<a rel=next href='?page=1'>›</a>", None),
    ("https://blog.example.com/2019/11/slug/2/", "<a href='/2019/11/slug/'>next page</a>", None),
    ("https://blog.example.com/2019/11/slug/", "<link rel='next' href='https://blog.example.com/2019/12/other/'>", None),
])
def test_the_next_page_counts_on(here: str, html: str, url: str | None) -> None:
    assert next_page_url(html, here) == url


@pytest.mark.parametrize("html, alerts, goes_to", [
    ("<script>alert(\"文章不存在\");location.replace('/index.html')</script>", ["文章不存在"], "https://gnews.org/index.html"),
    ("<script>alert('\\u5df2\\u5220\\u9664'); history.back();</script>", ["已删除"], None),
    ("<script>window.location.href = \"https://www.gnews.org/\";</script>", [], "https://www.gnews.org/"),
    ("<script>location.href='https://m.gnews.org/';</script>", [], None),  # another host: a mobile site
    ("<script>top.location = self.location;</script>", [], None),
    ("<script>location.href = 'javascript:void(0)';</script>", [], None),
])
def test_what_a_page_says_by_script(html: str, alerts: list[str], goes_to: str | None) -> None:
    assert script_says(html, URL) == (alerts, goes_to)


@pytest.mark.parametrize("url, error", [
    ("https://gnews.org/404.html", True),
    ("https://gnews.org/error/404", True),
    ("https://gnews.org/notfound.aspx", True),
    ("https://gnews.org/errors/page-not-found/", True),
    ("https://gnews.org/error.html?code=404", True),
    ("https://gnews.org/articles/2190271?err=404", True),
    ("https://gnews.org/articles/404.html", False),  # article number 404
    ("https://gnews.org/news/2024/404-students-win.html", False),
    ("https://gnews.org/tech/error-handling-in-go", False),
])
def test_error_page_addresses(url: str, error: bool) -> None:
    assert is_error_url(url) is error


def test_a_redirect_or_refresh_to_an_error_page_is_soft_404_evidence() -> None:
    moved = result(200, final="https://gnews.org/404.html", redirects=[(302, "https://gnews.org/404.html")])
    evidence = soft404_evidence(moved)
    assert evidence is not None and "error page" in evidence and link_status(moved, soft404=evidence) == "soft_404"
    refreshed = soft404_evidence(result(200), refresh_to="https://gnews.org/error/notfound")
    assert refreshed is not None and "https://gnews.org/error/notfound" in refreshed
    assert soft404_evidence(moved, holds_repost=True) is None
