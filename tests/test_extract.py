"""Tests of crawler.extract: body extraction and decoding.

The pages in tests/extract_pages are small hand-written pages, one per construct
and encoding; each test says exactly what is body and what is not.  The last tests
run the extractor over the real pages of tests/data/extraction (a subset of the MIT-licensed
scrapinghub benchmark; bench/extraction.py measures the whole development sets).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from crawler.extract import Article, decode_html, extract, placeholder_line, withholds_rest
from tests.conftest import DATA

PAGES = Path(__file__).resolve().parent / "extract_pages"


def page(name: str) -> bytes:
    return (PAGES / name).read_bytes()




EN_BODY = [
    "The Harbour Bridge reopened to traffic on Monday morning after eleven months of repairs, "
    "the city council said.",
    "Engineers replaced the corroded cables, resurfaced the deck and added a protected lane for "
    "cyclists, at a cost of about 40 million dollars.",
    "What changes for commuters",
    "Buses will return to their old routes from next week, and the ferry service that replaced "
    "them will run at reduced hours until the end of the month.",
    "Route 12 resumes its stop on the north ramp.",
    "Route 40 no longer detours through the market district.",
    "We are grateful for the patience of everyone who had to take the long way round, and we "
    "think the result is worth it.",
    "The council will publish traffic counts for the first month in April, when it decides "
    "whether to keep the cycle lane permanently.",
]

ZH_HANS_BODY = [
    "本报讯 经过一年多的施工，市中心的人民公园改造工程昨天正式完工，公园将于本周六重新向市民开放。",
    "据市园林局介绍，此次改造新增绿地面积约两万平方米，修复了园内的古桥和长廊，并在湖边增设了无障碍步道。",
    "“我们希望公园既保留老城的记忆，又能满足今天市民休闲的需要。”园林局负责人说，"
    "改造期间共移栽树木三百余棵，没有砍伐一棵古树。",
    "开放后，公园每天早上六点至晚上十点免费开放，节假日期间将适当延长开放时间。",
]

ZH_HANT_BODY = [
    "中央氣象署今天上午發布海上及陸上颱風警報，颱風預計今晚從東部登陸，各縣市政府宣布明天停班停課。",
    "氣象署表示，颱風暴風圈涵蓋全台，山區可能出現超大豪雨，民眾應避免前往海邊及山區。",
    "縣市 | 累積雨量（毫米）",
    "宜蘭縣 | 520",
    "花蓮縣 | 480",
    "交通部也提醒，高鐵與台鐵部分班次將停駛，旅客出發前請先查詢最新資訊。",
]


# --------------------------------------------------------------------------- English


def test_english_article_body_exactly():
    art = extract(page("en_article.html"))
    assert isinstance(art, Article)
    # headings, list items and block quotes are body, in reading order
    assert list(art.paragraphs) == EN_BODY
    assert art.text == "\n".join(EN_BODY)
    assert art.charset == "utf-8"


def test_english_article_boilerplate_left_out():
    text = extract(page("en_article.html")).text
    for not_body in (
        "The Daily Example",  # site header / footer
        "Sport",  # nav
        "Share on Facebook",  # share bar inside the article
        "Advertisement",  # ad slot inside the body
        "The bridge at dawn",  # figure caption and image alt
        "Related stories",  # related box inside the body container
        "Council approves bridge budget",
        "Transport",  # tags
        "took them long enough",  # comments
        "Most read",  # sidebar
        "Storm warning",
        "Copyright",  # footer
        "script text",  # scripts
        "color: red",  # styles
        "By Jane Writer",  # byline
        "Harbour Bridge Reopens After Repairs",  # the headline is the title, not body
    ):
        assert not_body not in text, not_body


def test_title_suffix_removed_when_og_or_h1_confirms():
    assert extract(page("en_article.html")).title == "Harbour Bridge Reopens After Repairs"


def test_title_kept_whole_without_confirmation():
    html = (
        "<html><head><title>Budget Vote Delayed - Example Times</title></head><body>"
        "<div><p>The council postponed the vote on the budget, citing missing figures from two "
        "departments, and will meet again next Tuesday to try once more.</p>"
        "<p>Opposition members said the delay was avoidable and asked for the figures to be "
        "published before the meeting, so that residents can read them too.</p></div></body></html>"
    )
    art = extract(html)
    assert art.title == "Budget Vote Delayed - Example Times"
    assert len(art.paragraphs) == 2


def test_an_og_title_written_with_value_names_the_headline_atop_the_body():
    # `<meta name="og:title" value="...">` (a template's slip for property/content): the title
    # it gives is the headline the post repeats atop its text, in an <h2>, which is no body
    headline = "The Adorable Reason You Can Set Your Alert Sound to Hummus"
    html = (f"<html><head><title>Why Does Slack Say Hummus? - The Schmooze</title>"
            f"<meta value='{headline}' name='og:title'></head><body><div class='post'><h2>{headline}</h2>"
            + "".join(f"<p>{p}</p>" for p in TRAVELLERS) + "</div></body></html>")
    art = extract(html)
    assert art.title == headline
    assert art.paragraphs == tuple(TRAVELLERS)


def test_str_input_is_accepted():
    html = page("en_article.html").decode("utf-8")
    assert list(extract(html).paragraphs) == EN_BODY


def test_spacer_paragraphs_of_zero_width_characters_are_no_paragraphs():
    html = page("en_article.html").decode("utf-8")
    spaced = html.replace("</p>", "</p><p>&#8203;</p><p>\u200c\ufeff</p>")
    assert spaced != html
    assert list(extract(spaced).paragraphs) == EN_BODY


# --------------------------------------------------------------------------- Chinese and encodings


def test_text_hidden_inside_a_paragraph_is_not_the_articles():
    """Anti-copy jammer text: words a page hides inside its paragraphs (in a <font> or <i> as
    well as a <span>) are no text of the article, and the paragraph reads as the reader sees it."""
    para = "这是一段很长的文章正文，用来测试隐藏的干扰文字是否会被读进正文里面，"
    page = ("<html><head><title>t</title></head><body><article><h1>t</h1>" + "".join(
        f"<p>{para}<span style='display:none'>隐藏甲</span><font style='DISPLAY: none'>干扰乙</font><i hidden>丙丙</i>"
        f"<b style='visibility:hidden'>丁丁</b>第{i}段结束。</p>" for i in range(5)) + "</article></body></html>")
    assert extract(page.encode()).paragraphs == tuple(f"{para}第{i}段结束。" for i in range(5))


def test_text_for_screen_readers_only_is_not_the_articles():
    """The classes of the common frameworks that keep text from the eye for screen readers
    (Bootstrap's sr-only and visually-hidden, WordPress's screen-reader-text, Drupal's
    element-invisible): a link's "(opens in a new tab)" is no word of the paragraph."""
    para = "The council voted on Tuesday to close the old harbour bridge to cars from next spring"
    hidden = ["sr-only", "visually-hidden", "screen-reader-text", "element-invisible", "visuallyhidden"]
    page = ("<html><head><title>t</title></head><body><article><h1>t</h1>" + "".join(
        f"<p>{para}, <a href='/r{i}'>the report says<span class='{c}'> (opens in a new tab)</span></a>, "
        f"part {i}.</p>" for i, c in enumerate(hidden))
        + "<p class='sr-only'>Skip to the comments below this article and read what others said.</p>"
        + "</article></body></html>")
    assert extract(page.encode()).paragraphs == tuple(f"{para}, the report says, part {i}." for i in range(5))


def test_text_drawn_at_size_0_or_far_off_the_screen_is_not_the_articles():
    """Jammer text drawn at size 0 inside a paragraph, and a block moved far off the screen (for
    screen readers, or planted), are not what a reader sees; a layout whose block is of size 0
    against the gaps between its inline blocks, which set their own size, shows its text."""
    para = "这是一段很长的文章正文，用来测试看不见的干扰文字是否会被读进正文里面，"
    jammed = "".join(f"<p>{para}<font style='font-size:0px;color:#fff'>干扰甲</font><span style='FONT-SIZE: 0'>乙乙</span>"
                     f"第{i}段结束。</p>" for i in range(4))
    planted = "<div style='position:absolute;left:-9999px'><p>" + "这是一段放在屏幕外面的文字，读者看不见它。" * 6 + "</p></div>"
    layout = ("<div style='font-size:0'><div style='display:inline-block;font-size:16px'><p>"
              f"{para}第4段结束。</p></div></div>")
    page = f"<html><head><title>t</title></head><body><article><h1>t</h1>{jammed}{layout}{planted}</article></body></html>"
    assert extract(page.encode()).paragraphs == tuple(f"{para}第{i}段结束。" for i in range(5))


# An article of three paragraphs, beside boxes of other stories.
TRAVELLERS = [
    "Their dream shattered and their savings spent, nearly 150 travellers returned home on Wednesday after "
    "being turned back at the border, officials said.",
    "As they stepped out of the airport one after the other, several said they had paid agents large sums "
    "for papers that turned out to be worthless.",
    "The ministry said it would look into the agents' role and asked families not to pay anyone who promised "
    "a quick passage abroad.",
]


def test_a_box_of_headlines_with_summaries_cut_short_is_no_article_whatever_its_class():
    """Related stories set as one line each, a headline's link and a summary cut short ("...
    may soon..."), under class names that say nothing: a list of other articles, however much
    prose it holds, not the article beside it."""
    article = TRAVELLERS
    teasers = "".join(
        f"<div class='x{i}'><a href='/story/{i}'>Story {i} headline about another matter</a> CAPITAL: An official "
        f"body has said that close to two million long-time residents of the region, story {i}, may soon be "
        "affected by the new rules, and that the courts will have to decide what happens to...</div>"
        for i in range(6))
    page = ("<html><head><title>Travellers return</title></head><body><div class='a1'><div class='b2'>"
            "<h1>Travellers return</h1>" + "".join(f"<p>{p}</p>" for p in article) + "</div>"
            f"<div class='c3'>{teasers}</div></div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(article)


def test_a_run_of_story_cards_in_a_box_that_holds_more_is_no_article() -> None:
    """Cards of other stories (a linked headline, a date, a linked picture, a one-line
    summary) side by side in the article's column, in a box that also holds a "most popular"
    list: the run of cards is a list, however like prose its summaries are."""
    article = TRAVELLERS
    cards = "".join(
        f"<div class='k1'><div class='k2'><div><a href='/story/{i}'>Story {i}: what to know about the storms</a></div>"
        f"<div class='k3'>April {i + 2}, 2014 -- Updated 1358 GMT</div>"
        f"<div class='k4'><a href='/story/{i}'><img src='/i/{i}.jpg' alt=''></a></div>"
        f"<div class='k5'>Getting the latest warnings when storms are headed your way, part {i}, and knowing what to "
        "do before, during and after one could save your life and the lives of your family.</div></div></div>"
        for i in range(6))
    popular = "".join(f"<div class='m{i}'><a href='/pop/{i}'>Most popular story number {i} of today</a></div>"
                      for i in range(5))
    page = ("<html><head><title>Travellers return</title></head><body><div class='a1'><div class='b2'>"
            "<h1>Travellers return</h1>" + "".join(f"<p>{p}</p>" for p in article)
            + f"<div class='c3'><div class='h'>Part of complete coverage on</div>{cards}"
            f"<div class='pp'>Most Popular</div>{popular}</div></div></div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(article)
    # a list of the same shape inside the article, which goes on after it, is the article's
    steps = [f"Step {i}: mark the route to the shelter nearest your home, and walk it with your family once "
             "before the season starts, so that nobody has to look for it in the dark." for i in range(6)]
    listed = "".join(f"<div class='k1'><div class='k2'><div><a href='/guide/{i}'>Shelter guide, part {i}</a></div>"
                     f"<div class='k5'>{step}</div></div></div>" for i, step in enumerate(steps))
    page = ("<html><head><title>Travellers return</title></head><body><div class='a1'><div class='b2'>"
            "<h1>Travellers return</h1>" + "".join(f"<p>{p}</p>" for p in article[:2]) + listed
            + f"<p>{article[2]}</p></div></div></body></html>")
    assert extract(page.encode()).paragraphs == (*article[:2], *steps, article[2])
    # ...and so is one that ends the article
    page = ("<html><head><title>Travellers return</title></head><body><div class='a1'><div class='b2'>"
            "<h1>Travellers return</h1>" + "".join(f"<p>{p}</p>" for p in article) + listed
            + "</div></div></body></html>")
    assert extract(page.encode()).paragraphs == (*article, *steps)


def test_paragraphs_around_a_playlist_of_other_videos_in_their_box_are_all_the_articles() -> None:
    """A site sets a playlist of other videos (linked cards) among the article's paragraphs, in
    their box, and a credit under each picture: the links sink the box's weight below one
    paragraph's, yet the box is the article, and the credits are no text of it."""
    home = ["The house was built in 1958 and has kept its open floor plan, its walls of windows and the pool "
            "that made it famous among the desert's weekend visitors.",
            "The listing agents said three families had already asked to see it, two of them from abroad."]
    article = [*TRAVELLERS, *home]
    figure = "<div class='img'><figure><img src='/p/{i}.jpg' alt=''><small class='credit'>Courtesy of Zillow</small></figure></div>"
    playlist = ("<section class='videos'><h4>More video</h4>" + "".join(
        f"<article><a href='/video/{i}'><figure><img src='/v/{i}.jpg' alt=''><small>3:1{i}</small>"
        f"<small>Now Playing</small></figure><h2>Other story number {i} that the site wants you to watch next</h2></a></article>"
        for i in range(4)) + "</section>")
    body = "".join(f"<p>{p}</p>" + figure.format(i=n) for n, p in enumerate(article))
    body = body.replace(f"<p>{article[2]}</p>", playlist + f"<p>{article[2]}</p>", 1) + playlist
    page = ("<html><head><title>t</title></head><body><main><article><h1>t</h1><div class='entry'>"
            + body + "</div></article></main></body></html>")
    got = extract(page.encode())
    assert got.paragraphs == tuple(article), got.paragraphs


def test_a_wrapper_named_for_the_sidebar_beside_it_is_no_sidebar() -> None:
    """"with-sidebar-right", "has-sidebar", "no-comments": a layout's wrapper names what it holds
    beside its content, or lacks. Where it holds less than most of the page's prose (a box of
    other stories under it), it had been read as a sidebar, and the article inside it with it."""
    related = "".join(f"<p>Earlier story {i}: the agents who sold worthless papers to hundreds of travellers were "
                      f"never charged, and several of them still run offices near the station, in {2000 + i}.</p>"
                      for i in range(2))
    for layout in ("with-sidebar-right", "has-sidebar", "no-comments"):
        page = (f"<html><head><title>t</title></head><body><div class='wrap {layout}'><div class='story'><h1>t</h1>"
                + "".join(f"<p>{p}</p>" for p in TRAVELLERS) + "</div><div class='rail'><a href='/1'>One</a></div></div>"
                f"<div class='related'>{related}</div></body></html>")
        assert extract(page.encode()).paragraphs == tuple(TRAVELLERS), layout


def test_what_the_container_shows_above_the_headline_is_no_body() -> None:
    """A lead video's own headline and label, set in the article's box above the article's
    headline, are no text of the article."""
    title = "Travellers return home after being turned back at the border"
    video = ("<div class='player'><div class='label'>2:32 | World</div><div class='headline'>Border guards: "
             "will the new rules keep travellers from paying agents again?</div></div>")
    page = (f"<html><head><title>{title} - News</title></head><body><div class='main'>{video}<h1>{title}</h1>"
            + "".join(f"<p>{p}</p>" for p in TRAVELLERS) + "</div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(TRAVELLERS)
    # a page that sets its headline under the text keeps the text
    under = (f"<html><head><title>{title} - News</title></head><body><div class='main'>"
             + "".join(f"<p>{p}</p>" for p in TRAVELLERS) + f"<h1>{title}</h1></div></body></html>")
    assert extract(under.encode()).paragraphs == tuple(TRAVELLERS)


def test_a_dialog_in_the_articles_box_is_no_body() -> None:
    """An edition switcher (`role="dialog"`, shown by a script over the page) set inside the
    article's box: its prose is the site's, not the article's."""
    switch = "".join(f"<div class='switch'><h3>We are everywhere</h3><p>This content is available customized for "
                     f"our international audience. Would you like to view this in our {e} edition?</p></div>"
                     for e in ("US", "Canadian", "UK"))
    for dialog in (f"<div class='onee-dialog' role='dialog'>{switch}</div>",
                   f"<div class='box' role='alertdialog'>{switch}</div>"):
        page = ("<html><head><title>t</title></head><body><div class='c'><h1>t</h1>"
                + "".join(f"<p>{p}</p>" for p in TRAVELLERS) + dialog + "</div></body></html>")
        assert extract(page.encode()).paragraphs == tuple(TRAVELLERS), dialog


POSTS = ["The index opened higher on the central bank's cut and fell back by noon. Traders said the rally "
         "had run out of buyers before the lunch break, and most of them expect a quiet afternoon.",
         "Technology shares led the market again today. Our analysts think the trend has further to go, "
         "though the banks will have to follow before the index can break through its old high.",
         "Hold your shares and do not chase the leaders. The best chances this week are in the laggards "
         "that have not moved yet, and a small correction on Thursday would be a chance to buy.",
         "Thank you for your patience, teacher. I bought the stock you mentioned last week and it is up "
         "ten percent already, so I will keep it as you said."]
# (a post of a few hundred words weighs more than a teaser's summary)
LONG_POSTS = [" ".join([post] * 3) for post in POSTS]


def test_a_wrapper_whose_class_names_a_sidebar_is_no_sidebar_when_it_holds_the_article() -> None:
    """Genesis themes wrap <main class="content"> and the sidebar in "content-sidebar-wrap":
    a class word of a sidebar, on a box whose prose is mostly the article it holds. Where a box
    of other stories under it gave it less than most of the page's prose, the article went
    with it; a sidebar holds no article. A comments box is boilerplate still, whatever its
    inner box's class says."""
    related = "".join(f"<p>Earlier story {i}: the agents who sold worthless papers to hundreds of travellers were "
                      f"never charged, and several of them still run offices near the station, in {2000 + i}.</p>"
                      for i in range(2))
    page = ("<html><head><title>t</title></head><body><div class='content-sidebar-wrap'><main class='content'>"
            "<article class='post'><h1>t</h1>" + "".join(f"<p>{p}</p>" for p in TRAVELLERS) + "</article></main>"
            f"<aside class='sidebar'><a href='/1'>One</a></aside></div><div class='related'>{related}</div>"
            "</body></html>")
    assert extract(page.encode()).paragraphs == tuple(TRAVELLERS)
    comments = ("<div class='comments'><div class='content'>" + "".join(
        f"<p>Reader {i} wrote that the agents had been working the same trick for years, and nobody listened.</p>"
        for i in range(2)) + "</div></div>")
    page = ("<html><head><title>t</title></head><body><main class='content'><article class='post'><h1>t</h1>"
            + "".join(f"<p>{p}</p>" for p in TRAVELLERS) + f"</article>{comments}</main></body></html>")
    assert extract(page.encode()).paragraphs == tuple(TRAVELLERS)


def test_a_box_whose_class_names_a_credit_is_no_body() -> None:
    """BusinessWeek's `<span class="photoCredit">Courtesy G4</span>` under its lead picture,
    WordPress's `media-credit`: a picture's credit, wherever it stands, in whatever element."""
    for credit in ("<p><span class='photoCredit'>Courtesy G4</span></p>",
                   "<div class='wp-caption'><img src='/a.jpg' alt=''><span class='media-credit'>Jane Doe/Agency</span></div>"):
        # (between the standfirst and the text, where no edge trims it)
        page = ("<html><head><title>t</title></head><body><div class='story'><h1>t</h1>"
                f"<p>{TRAVELLERS[0]}</p><div class='lede'><img src='/lede.jpg' alt=''>{credit}</div>"
                + "".join(f"<p>{p}</p>" for p in TRAVELLERS[1:]) + "</div></body></html>")
        assert extract(page.encode()).paragraphs == tuple(TRAVELLERS), credit


def test_a_feed_whose_posts_are_each_a_link_beside_the_article_is_no_body() -> None:
    """Sina's live feed beside its article: posts of a few hundred words, each one link to its
    writer's page (a name, a time, the post), in the article's box. However long, they are no
    article's sections: an article set inside a link is one link, which the page reads still."""
    feed = "".join(f"<li> <a href='/blogger/{i}'> <span class='avatar'><img src='/a/{i}.png' alt=''></span>"
                   f"<div class='tw'><h3>Blogger {i}<span class='time'>today 12:0{i}</span></h3>"
                   f"<div class='post'>{post}</div></div></a></li>" for i, post in enumerate(LONG_POSTS * 2))
    page = ("<html><head><title>t</title></head><body><div class='content'><h1>t</h1>"
            "<div class='content-left'>" + "".join(f"<p>{p}</p>" for p in TRAVELLERS) + "</div>"
            f"<div class='content-right'><div class='live'><ul>{feed}</ul></div></div></div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(TRAVELLERS)
    # an article set whole inside one link is the page's text still
    linked = ("<html><head><title>t</title></head><body><div class='content'><h1>t</h1><a href='/self'>"
              + "".join(f"<p>{p}</p>" for p in POSTS) + "</a></div></body></html>")
    assert extract(linked.encode()).paragraphs == tuple(POSTS)


def test_a_slider_of_summaries_cut_short_without_links_is_no_body() -> None:
    """Sina's slider of other stories under the article (a headline, a summary cut short, a
    date; no link: a script opens them): a list of teasers, though a Chinese summary of a
    hundred characters weighs more than a teaser's summary is allowed to."""
    slides = "".join(
        f"<div class='item'><h3>第{i}篇：外资潜伏三个月，疯狂买入一千亿，两类股被重磅推崇</h3><p>9月9日消息，截至沪深股市收盘，"
        f"北向资金全天净流入27.85亿元，已连续8日净流入，9月5个交易日已净流入近308亿元。最近7个交易日，中国平安获净买入"
        f"26.15亿，招商银行净买入20.09亿；云南白药净卖出3.86亿，牧原股份净卖出2.9...</p><div class='date'>2019-09-0{i} 21:38:04</div></div>"
        for i in range(1, 5))
    page = ("<html><head><title>t</title></head><body><div class='main'><h1>t</h1>"
            + "".join(f"<p>{p}</p>" for p in ZH_HANS_BODY)
            + f"<div class='promo'><div class='slider'>{slides}</div></div></div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(ZH_HANS_BODY)
    # an article whose paragraphs trail off ("……") is the article still
    trailing = [p.rstrip("。") + "……" for p in ZH_HANS_BODY]
    page = ("<html><head><title>t</title></head><body><div class='main'><h1>t</h1>"
            + "".join(f"<p>{p}</p>" for p in trailing) + "</div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(trailing)


@pytest.mark.parametrize("more", ["<a href='/s/{i}'>[详情]</a>", "<a href='/s/{i}'>阅读全文 »</a>"])
def test_a_box_of_summaries_cut_short_before_a_more_link_is_no_article(more):
    """Summaries cut short and followed by a "more" link ("...... [详情]"), the only link of
    each item: other stories, however much prose they hold, not the short article beside them."""
    article = ["12月15日，北京市西城区一处购物中心施工现场发生火灾，消防部门出动多辆消防车赶到现场扑救。",
               "截至记者发稿时，大火已被扑灭，暂无人员伤亡的报告，起火原因正在调查之中。"]
    teasers = "".join(
        f"<div class='v{i}'><img src='/i/{i}.jpg'><p>【第{i}位嘉宾做客本网 谈城市交通与市民出行】申城地铁与市民的出行，"
        f"近期故障引起了广泛关注 ...... "
        + more.format(i=i) + "</p></div>"
        for i in range(4))
    page = ("<html><head><title>火灾</title></head><body><div class='a1'><div class='b2'><h1>火灾</h1>"
            + "".join(f"<p>{p}</p>" for p in article) + f"</div><div class='c3'>{teasers}</div></div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(article)


def test_the_sites_appeals_under_the_article_are_no_body() -> None:
    """A donation appeal, a WeChat account to follow, a disclaimer, a typo box, where the body ends."""
    page = ("<html><head><title>t</title></head><body><div class='c'><h1>t</h1>"
            + "".join(f"<p>{p}</p>" for p in TRAVELLERS)
            + "<p>Support independent journalism. Donate today and help us keep our reporting free for everyone.</p>"
            "<p>更多精彩内容，请关注我们的微信公众号。</p>"
            "<p>The views expressed in this article do not necessarily reflect those of the site.</p>"
            "<p>Found a typo? Select the text and press Ctrl+Enter to tell the editors.</p>"
            "</div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(TRAVELLERS)


def test_a_sentence_that_links_most_of_its_words_is_the_articles() -> None:
    """"X faces <a>a charge of conspiracy to commit computer intrusion</a>.": the article's prose;
    "Read more: <a>headline</a>." is a link with a label, and a list of links is no prose."""
    linked = ("Australian-born Assange faces <a href='https://justice.example/pr/1'>a charge of conspiracy to "
              "commit computer intrusion in the US</a>.")
    page = ("<html><head><title>t</title></head><body><div class='c'><h1>t</h1>"
            + "".join(f"<p>{p}</p>" for p in TRAVELLERS[:2]) + f"<p>{linked}</p>"
            + "".join(f"<p>{p}</p>" for p in TRAVELLERS[2:])
            + "<p>Read more: <a href='/news/2'>Why the travellers paid agents for papers that were worth nothing.</a></p>"
            "</div></body></html>")
    said = "Australian-born Assange faces a charge of conspiracy to commit computer intrusion in the US."
    assert extract(page.encode()).paragraphs == (*TRAVELLERS[:2], said, *TRAVELLERS[2:])
    # A line that leads in to a quotation is the article's too; a list's heading is not.
    lead = "The Post and Courier newspaper <a href='https://news.example/1'>reported on the defence's closing argument</a>:"
    quote = ("\u201cThere is hatred all right, and certainly racism, but it goes a lot further than that,\u201d the "
             "lawyer told the jury.")
    heading = "Related coverage from <a href='/money'>How to Do Everything: Money</a>:"
    page = ("<html><head><title>t</title></head><body><div class='c'><h1>t</h1>"
            + "".join(f"<p>{p}</p>" for p in TRAVELLERS[:2]) + f"<p>{lead}</p><blockquote><p>{quote}</p></blockquote>"
            + "".join(f"<p>{p}</p>" for p in TRAVELLERS[2:]) + f"<p>{heading}</p>"
            "<ul><li><a href='/m/1'>How to save for a trip abroad</a></li><li><a href='/m/2'>What a visa costs</a></li></ul>"
            "</div></body></html>")
    led = "The Post and Courier newspaper reported on the defence's closing argument:"
    assert extract(page.encode()).paragraphs == (*TRAVELLERS[:2], led, quote, *TRAVELLERS[2:])


def test_a_last_paragraph_that_speaks_of_a_newsletter_is_the_articles() -> None:
    """A call to sign up where the body ends is the site's; the article's own last paragraph
    that speaks of a newsletter, not to the reader, is the article's."""
    last = "The ministry said its weekly newsletter for travellers would carry the list of licensed agents."
    call = "Sign up for our newsletter to get the latest news delivered to your inbox every morning."
    page = ("<html><head><title>t</title></head><body><div class='c'><h1>t</h1>"
            + "".join(f"<p>{p}</p>" for p in [*TRAVELLERS, last, call]) + "</div></body></html>")
    assert extract(page.encode()).paragraphs == (*TRAVELLERS, last)


def test_an_intro_set_in_a_box_of_its_own_above_the_text_is_the_articles() -> None:
    """The Verge sets an article's first paragraph in an intro box under the share buttons, a
    rule under it, and the rest in the text's box: two readings of one article. A dek in the
    header and a line of share links stay out."""
    # (a long article: the intro holds too little of its text to make their box the container)
    intro, *rest = TRAVELLERS + [f"Traveller {n} said the agent had promised a visa within a week and asked for "
                                 f"{n * 100} dollars in cash, paid at a cafe near the station." for n in range(2, 20)]
    page = ("<html><head><title>t</title></head><body><div class='hero'><h1>t</h1><h2>A dek in the header.</h2></div>"
            "<div class='wrap'><ul class='share'><li><a href='/s'>share</a></li><li><a href='/t'>tweet</a></li></ul>"
            f"<div class='intro'><p>{intro}</p><hr></div><div class='ad'></div>"
            "<div class='text'>" + "".join(f"<p>{p}</p>" for p in rest) + "</div></div></body></html>")
    assert extract(page.encode()).paragraphs == (intro, *rest)
    # a box of links between them parts them: the text's box alone is the article
    parted = page.replace("<div class='ad'></div>", "<div class='more'><a href='/1'>One story</a> <a href='/2'>Two</a></div>")
    assert extract(parted.encode()).paragraphs == tuple(rest)


def test_names_and_web_addresses_under_the_article_are_no_body() -> None:
    """A site's "follow us" lines, a name and its address each, where the body ends."""
    page = ("<html><head><title>t</title></head><body><div class='c'><h1>t</h1>"
            + "".join(f"<p>{p}</p>" for p in TRAVELLERS)
            + "<p>Facebook https://fb.me/travellersnews</p><p>Twitter https://twitter.com/travellers</p>"
            "<p>www.travellersnews.example</p></div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(TRAVELLERS)
    # a sentence that gives an address is the article's
    told = "The ministry published the list of licensed agents on its website, https://gov.example/agents, on Monday."
    page = page.replace("<p>Facebook", f"<p>{told}</p><p>Facebook")
    assert extract(page.encode()).paragraphs == (*TRAVELLERS, told)


@pytest.mark.parametrize("edge", ["工厂已于周一关闭，工人们被告知等待进一步通知。", "据消息来源透露，调查结果将在下月公布。"])
def test_a_short_paragraph_at_the_bodys_edge_that_says_a_meta_word_in_a_sentence_is_the_articles(edge):
    paras = ["市议会周二投票决定，从明年春天起禁止汽车通过老港口大桥，结束了长达十年的争论。",
             "反对者表示，这一决定将使通勤时间增加一倍，沿岸商户担心客流减少，生意难以为继。",
             "市长在会后说，这个决定令人痛心，但每天过桥的市民的安全必须放在第一位。"]
    for body in ([edge, *paras], [*paras, edge]):
        page = ("<html><head><title>t</title></head><body><div class='c'><h1>t</h1>"
                + "".join(f"<p>{p}</p>" for p in body) + "<p>【打印】【关闭】</p></div></body></html>")
        assert extract(page.encode()).paragraphs == tuple(body)


def test_short_texts_the_pages_own_stylesheet_hides_are_not_the_articles():
    """Anti-copy watermarks: short strings in elements of a class the page's <style> hides,
    set inside the paragraphs. A rule inside @media hides on some screens only, and a long
    block a class hides may be the rest of the article that a click shows: both stay."""
    paras = ["市议会周二投票决定，从明年春天起禁止汽车通过老港口大桥，结束了长达十年的争论。",
             "反对者表示，这一决定将使通勤时间增加一倍，沿岸商户担心客流减少，生意难以为继。",
             "市长在会后说，这个决定令人痛心，但每天过桥的市民的安全必须放在第一位。",
             "岛上居民在新桥建成之前可以免费乘坐渡轮，新桥预计四年后通车，造价约十亿元。"]
    last = "工程师说，大桥的钢结构锈蚀速度超出预期，已经无法继续承载汽车通行，必须尽快关闭。"
    marked = [p[:12] + "<span class='Nys842'>加拿大家园,www.iask.ca</span>" + p[12:]
              + " <div class='Nys842'>i Ask . ca</div>" for p in paras]
    style = ("<style>/* site */ @import url(a.css); .x { color: red } "
             ".Nys842 , #gone { display:none; } @media print { .Pr1 { display: none } }</style>")
    page = ("<html><head><title>t</title>" + style + "</head><body><div class='c'><h1>t</h1>"
            + "".join(f"<p>{p}</p>" for p in marked) + f"<p>{last[:10]}<span class='Pr1'>、印刷厂</span>{last[10:]}</p>"
            + "</div></body></html>")
    got = extract(page.encode()).paragraphs
    assert got == (*paras, last[:10] + "、印刷厂" + last[10:])
    rest = "第五段：" + "反对者表示，这一决定将使通勤时间增加一倍，商户担心客流减少。" * 3
    longer = page.replace(f"<p>{last[:10]}", f"<div class='Nys842'><p>{rest}</p></div><p>{last[:10]}")
    assert rest in extract(longer.encode()).paragraphs


def test_a_note_on_the_author_the_page_names_is_not_the_articles():
    article = [
        "The city council voted on Tuesday to close the old harbour bridge to cars from next spring, ending a decade of debate.",
        "Engineers told the council that the bridge's steel frame had corroded faster than expected and could not carry traffic.",
        "Residents who live on the island will be offered a free ferry pass until a new crossing opens in four years' time.",
    ]
    note = "Louise Matsakis is a staff writer covering cities and transport. She was formerly a reporter at the Daily Post."
    ld = '<script type="application/ld+json">{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Louise Matsakis"}}</script>'
    page = ("<html><head><title>Bridge</title>{ld}</head><body><div class='a'><h1>Bridge</h1>"
            + "".join(f"<p>{p}</p>" for p in [*article, note]) + "</div></body></html>")
    got = extract(page.format(ld=ld).encode())
    assert got.paragraphs == tuple(article) and note in got.extras
    # without the page naming her its author, the line is the article's
    assert extract(page.format(ld="").encode()).paragraphs == (*article, note)


def test_a_caption_that_says_what_its_images_alt_says_is_not_the_articles():
    """A photo's caption shown apart from the photo (a gallery's slide, under class names that
    say nothing) is what the photo's alt says, with or without its credit and a "more" link: no
    paragraph of the article. A paragraph that only opens as an alt does stays the article's."""
    paras = [f"第{i}段：市议会周二投票决定，从明年春天起禁止汽车通过老港口大桥，结束了长达十年的争论。" for i in range(4)]
    caption = "工程师周二检查老港口大桥已经锈蚀的钢结构，市议会随后投票决定禁止汽车通行。"
    gallery = (f"<div class='g-3'><div><img src='/b.jpg' alt='{caption}（记者 张三 摄）'></div>"
               f"<div class='t-1'>{caption}<a href='#'>更多</a></div></div>")
    opening = f"<img src='/c.jpg' alt='{paras[3][:28]}'>"
    page = ("<html><head><title>t</title></head><body><div class='x-9'><h1>t</h1>" + "".join(
        f"<p>{p}</p>" for p in paras[:2]) + gallery + opening + "".join(f"<p>{p}</p>" for p in paras[2:])
        + "</div></body></html>")
    assert extract(page.encode()).paragraphs == tuple(paras)


def test_gbk_declared_br_paragraphs_div_layout():
    art = extract(page("zh_gbk_br.html"))
    assert art.charset == "gb18030"
    # <br>-separated paragraphs in a <div>-only layout; full-width indents stripped
    assert list(art.paragraphs) == ZH_HANS_BODY
    # "_新闻中心_示例网" suffix removed: the page repeats the headline in a line of its own
    assert art.title == "城市公园改造工程正式完工"
    for not_body in ("首页", "来源", "责任编辑", "分享到", "相关新闻", "口袋公园", "热点排行", "版权所有"):
        assert not_body not in art.text, not_body


def test_gbk_undeclared_is_detected():
    art = extract(page("zh_gbk_undeclared.html"))
    assert art.charset == "gb18030"
    assert list(art.paragraphs) == ZH_HANS_BODY


def test_declaration_contradicted_by_bytes_falls_back():
    # declares gb2312, bytes are UTF-8
    data = page("zh_declared_wrong.html")
    assert b"charset=gb2312" in data
    art = extract(data)
    assert art.charset == "utf-8"
    assert list(art.paragraphs) == ZH_HANS_BODY


def test_big5_traditional_with_text_table():
    art = extract(page("zh_big5_table.html"))
    assert art.charset == "big5hkscs"
    assert list(art.paragraphs) == ZH_HANT_BODY
    assert art.title == "颱風過境 全台停班停課"
    for not_body in ("首頁", "延伸閱讀", "颱風假", "熱門新聞", "夜市", "版權所有", "2024-08-01"):
        assert not_body not in art.text, not_body


def test_http_charset_wins_over_meta_and_detection():
    data = page("zh_gbk_undeclared.html")
    text, charset = decode_html(data, "text/html; charset=GBK")
    assert charset == "gb18030"
    assert "城市公园改造工程正式完工" in text
    # the header also wins over a (wrong) <meta> declaration when the bytes agree with it
    data = page("zh_big5_table.html").replace(b'charset="big5"', b'charset="utf-8"')
    art = extract(data, content_type="text/html; charset=big5")
    assert art.charset == "big5hkscs"
    assert list(art.paragraphs) == ZH_HANT_BODY


def test_header_charset_contradicted_by_bytes_falls_back():
    text, charset = decode_html(page("zh_big5_table.html"), "text/html; charset=utf-8")
    assert charset == "big5hkscs"
    assert "颱風過境" in text


def test_big5_under_a_gbk_label_is_read_as_big5():
    # GB18030 reads Big5's byte pairs without an error, as characters no text has
    data = page("zh_big5_table.html").replace(b'charset="big5"', b'charset="gbk"')
    for content_type in ("text/html; charset=gbk", "text/html"):
        art = extract(data, content_type=content_type)
        assert art.charset == "big5hkscs" and list(art.paragraphs) == ZH_HANT_BODY, content_type
    # a GBK page with a few characters of the private use area (a rare name) stays GBK
    text = "<meta charset=gbk><p>" + "城市公园改造工程正式完工，市民可以免费入园参观。" * 20 + "\ue000\ue001</p>"
    assert decode_html(text.encode("gb18030"))[1] == "gb18030"


def test_gbk_under_a_big5_label_is_read_as_gbk():
    # Big5 reads these GBK byte pairs without an error, as characters no text strings together
    text = "<p>" + "瑞士银行同意以30亿瑞士法郎的股票收购竞争对手瑞士信贷，瑞士银行将同意承担高达50亿瑞士法郎的损失。" * 5 + "</p>"
    data = text.encode("gbk")
    data.decode("big5hkscs")  # (no error)
    assert decode_html(data, "text/html; charset=big5") == (text, "gb18030")
    # and a GBK page that Big5 cannot read is read as GBK, not as the detector's guess
    gbk = re.sub(rb"charset=[\"']?gb2312[\"']?", b"", page("zh_gbk_br.html"), flags=re.I)
    assert decode_html(gbk, "text/html; charset=big5")[1] == "gb18030"
    # a Big5 page under its own label stays Big5
    big5 = page("zh_big5_table.html")
    assert decode_html(big5, "text/html; charset=big5")[1] == "big5hkscs"


def test_bom_and_aliases():
    text, charset = decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>")
    assert (text, charset) == ("<p>café</p>", "utf-8")
    text, charset = decode_html("<p>電腦</p>".encode("big5"), "text/html; charset=x-x-big5")
    assert (text, charset) == ("<p>電腦</p>", "big5hkscs")
    text, charset = decode_html("<meta charset=gb2312><p>电脑</p>".encode("gbk"))
    assert (charset, text.endswith("电脑</p>")) == ("gb18030", True)
    assert decode_html(b"<p>plain</p>") == ("<p>plain</p>", "utf-8")


# --------------------------------------------------------------------------- JSON-LD


def test_json_ld_article_body_used_when_consistent():
    art = extract(page("jsonld.html"))
    assert list(art.paragraphs) == [
        "The new public library in the market district opened its doors on Saturday, with a "
        "queue of families stretching around the block.",
        "The building, a former textile warehouse, holds about 80,000 books and a large "
        "children's section on the ground floor.",
        "The city plans to keep it open until nine in the evening on weekdays, the longest "
        "hours of any library in the region.",
    ]
    assert art.title == "Library Opens in Market District"


def test_json_ld_article_body_stands_for_the_page_only_where_the_page_says_it_shows_a_part():
    # Without "Loading the rest of the story…" nothing says the page shows a part: what it
    # shows is the article (a site that cut its article and left its JSON-LD as it was), and
    # the articleBody would have hidden the cut. A JSON-LD that says the article is not free,
    # or a teaser that stops on an ellipsis, says it, as the loading line does.
    loading = b'  <div class="loading">Loading the rest of the story\xe2\x80\xa6</div>\n'
    assert loading in page("jsonld.html")
    bare = page("jsonld.html").replace(loading, b"")
    shown = extract(bare)
    assert "textile warehouse" not in shown.text and "queue of families" in shown.text
    paywalled = bare.replace(b'"NewsArticle",', b'"NewsArticle", "isAccessibleForFree": "False",')
    assert "textile warehouse" in extract(paywalled).text
    stops = bare.replace(b"around the block.</div>", b"around the block\xe2\x80\xa6</div>")
    assert "textile warehouse" in extract(stops).text


def test_json_ld_article_body_ignored_when_page_disagrees():
    data = page("jsonld.html").replace(
        b"The new public library in the market district opened its doors on Saturday, with a "
        b"queue of families stretching around the block.</div>",
        b"Something else entirely.</div>",
    )
    art = extract(data)
    assert "textile warehouse" not in art.text


# --------------------------------------------------------------------------- no article


def test_listing_page_has_no_body():
    art = extract(page("listing.html"))
    assert art.paragraphs == ()
    assert art.text == ""


def test_error_page_has_no_body():
    art = extract(page("error404.html"))
    assert art.paragraphs == ()
    assert art.title == "Page not found"


def test_empty_and_degenerate_input():
    assert extract(b"").paragraphs == ()
    assert extract(b"<html></html>").paragraphs == ()
    assert extract("just some words").paragraphs == ()


# --------------------------------------------------------------------------- hints

HINT_PAGE = """<html><head><title>t</title></head><body>
<div class="promo"><p>Our partners offer great deals on travel, insurance and more, every single day,
so visit the partner page, read the conditions, and pick the offer that suits you best.</p>
<p>Subscribers get an extra discount, and can cancel at any time, without fees, by phone or online.</p></div>
<div id="story"><p>The river rose by two metres overnight.</p><p class="note">Updated at noon.</p></div>
</body></html>"""


def test_hint_body_selector_is_used_first():
    hints = SimpleNamespace(body=["#story"], drop=[".note"])
    art = extract(HINT_PAGE, hints=hints)
    assert list(art.paragraphs) == ["The river rose by two metres overnight."]


def test_hint_body_matching_nothing_falls_back_to_generic():
    hints = SimpleNamespace(body=[".no-such-thing"], drop=[])
    assert list(extract(page("en_article.html"), hints=hints).paragraphs) == EN_BODY


def test_hint_drop_removes_before_extraction():
    hints = SimpleNamespace(body=[], drop=[".story-body ul", "blockquote"])
    paragraphs = list(extract(page("en_article.html"), hints=hints).paragraphs)
    assert paragraphs == [p for p in EN_BODY if not p.startswith(("Route", "We are grateful"))]


# --------------------------------------------------------------------------- real pages


def test_every_real_page_extracts_without_error():
    d = DATA / "extraction" / "scrapinghub"
    ids = [json.loads(line)["id"] for line in (d / "meta.jsonl").read_text().splitlines() if line.strip()]
    assert len(ids) >= 30
    with_body = 0
    for pid in ids:
        art = extract((d / "html" / f"{pid}.html").read_bytes())
        assert isinstance(art, Article)
        assert all(isinstance(p, str) and p.strip() == p and p for p in art.paragraphs)
        with_body += bool(art.paragraphs)
    # every dev page is an article: nearly all must give a body
    assert with_body >= 0.97 * len(ids)


# --------------------------------------------------------------------------- extras

ZH_REF_BODY = [
    "台媒22日报道，美国及北约均有官员指出，白俄罗斯总统卢卡申科已经准备支持普京，白俄罗斯参战的可能性逐渐升高。"
    "对此，美国有官员表示，白俄罗斯上个月通过法律，同意让俄罗斯驻军。",
    "白俄罗斯是否参战一事尚未明确，截至目前仅内部消息人士向媒体披露。而自俄罗斯开始入侵乌克兰以来，"
    "根据北约情报及雷达监控显示，俄罗斯长期利用白俄罗斯领土当作空军行动的跳板。",
]


def test_link_mostly_paragraph_inside_the_article_is_an_extra():
    # fault 1: a reference link paragraph is part of the article as published; it is not
    # surely body (the dev sets' truth leaves such lines out), so it is an extra, while the
    # related list after the article is chrome and in neither
    art = extract(page("zh_reference_link.html"))
    assert list(art.paragraphs) == ZH_REF_BODY
    # the <h1> inside the article is the title, repeated among the extras
    assert art.extras == ("美国北约警告白俄罗斯可能参战", "参考链接：北约、美国都示警：白俄罗斯近日可能参战")


def test_credit_lines_at_the_edges_are_extras():
    # fault 2: byline and picture source trimmed from the body, kept as extras; the
    # footer's copyright is outside the article and in neither
    art = extract(page("zh_credits_edges.html"))
    assert list(art.paragraphs) == [
        "周六下午，数万名民众聚集在伦敦市中心，抗议政府提出的新税收方案，游行队伍从海德公园出发，一直走到议会大厦门前。",
        "组织者表示，这是近十年来规模最大的一次抗议活动，他们要求政府撤回方案，并就民生问题举行公开听证会。警方称现场秩序总体良好。",
    ]
    assert art.extras == ("伦敦街头发生大规模抗议", "作者：王文", "图片来源：Sky News")


def test_meta_line_beside_the_content_is_never_body():
    # fault 3: a source | date | views line next to a `div.content` is no paragraph; a
    # counter line elsewhere on the page is in neither
    art = extract(page("zh_meta_line.html"))
    assert list(art.paragraphs) == [
        "经过一年多的施工，市中心的人民公园改造工程昨天正式完工，公园将于本周六重新向市民开放，开放时间为每天早上六点至晚上十点。",
        "据市园林局介绍，此次改造新增绿地面积约两万平方米，修复了园内的古桥和长廊，并在湖边增设了无障碍步道，方便老人和儿童游览。",
    ]
    assert art.extras == ("来源：新闻在线 | 发布时间：2020-10-06 10:59 | 浏览次数：73325",)
    assert "点击" not in art.text + "".join(art.extras)


def test_no_chrome_in_extras_of_a_full_page():
    art = extract(page("en_article.html"))
    for chrome in ("Sport", "Share on Facebook", "Council approves bridge budget", "Most read", "Copyright"):
        assert not any(chrome in e for e in art.extras), chrome


_REFRAIN = "WE ARE THE NEW CHINESE PEOPLE WHO ARE TAKING DOWN THE EVIL PARTY"
_LEAD = "市政府今天宣布，从下个月起全市公交票价将下调两成，以鼓励市民绿色出行，减少私家车的使用。"


def test_a_line_recurring_among_other_lines_is_kept_a_copy_is_not():
    # a refrain of a transcript recurs on its own between other lines: body both times;
    # a summary box repeating the lead right before it is a copy, and a repeated run of
    # lines (a second rendering of the text) is one too
    lines = [
        "主持人说，今天的节目我们先回顾一下这一周发生的几件大事，然后再请嘉宾来谈谈他的看法。",
        _REFRAIN,
        "嘉宾表示，这一周最重要的消息是新的法案已经在国会通过，接下来就看总统是否会签署了。",
        "主持人追问，如果总统拒绝签署，国会是否有足够的票数推翻否决，嘉宾认为希望很大。",
        _REFRAIN,
        "最后，嘉宾感谢所有观众的支持，并提醒大家下周同一时间继续收看我们的直播节目。",
    ]
    body = "".join(f"<p>{x}</p>" for x in lines)
    html = f"<html><head><title>直播</title></head><body><div class='content'>{body}</div></body></html>"
    assert list(extract(html).paragraphs) == lines
    copied = [_LEAD] + lines[:3]
    body = "".join(f"<p>{x}</p>" for x in copied + copied[1:])
    html = f"<html><head><title>直播</title></head><body><div class='content'>{body}</div></body></html>"
    assert list(extract(html).paragraphs) == copied
    body = "".join(f"<p>{x}</p>" for x in [_LEAD] + copied)
    html = f"<html><head><title>票价</title></head><body><div class='content'>{body}</div></body></html>"
    assert list(extract(html).paragraphs) == copied


def test_a_heading_inside_a_br_separated_post_is_an_extra():
    # the post's text lies between <br>s in one element, a heading of its own inside that
    # element: the heading is among the body's lines (an extra: it may be a title), and so
    # is a lone link line among them; the page's chrome after the post is in neither
    lines = [
        "主持人：小蓝和小强今晚八点准时直播，欢迎大家届时收看并在评论区留言提问。",
        "嘉宾：扬帆农场的卢比肯先生将和我们一起讨论本周的新闻，以及观众关心的问题。",
    ]
    post = "<h1>小微第十三期：敢死队来了</h1>" + "<br>".join(lines) + "<br><a href='/x'>节目回放链接</a><br>"
    html = (f"<html><head><title>新闻报道</title></head><body><h1>新闻报道</h1>"
            f"<div class='post-body'>{post}</div>"
            f"<div class='related'><a href='/a'>其他新闻一</a><a href='/b'>其他新闻二</a></div></body></html>")
    art = extract(html)
    assert list(art.paragraphs) == lines
    assert set(art.extras) == {"小微第十三期：敢死队来了", "节目回放链接"}


def test_lines_around_a_heading_that_holds_the_body_are_extras():
    # the only prose is a heading; the credit and follow-us lines between <br>s of the
    # element holding it sit beside it: extras, not lost
    head = "视频剪辑：小明、小红、小刚和所有志愿者，感谢大家为这期节目付出的努力与时间，辛苦了！"
    post = (f"<h4>{head}</h4>视频定位：BENJ<br><br>发布：<em>陶子</em><br><br>更多资讯，请关注：<br>"
            "<a href='https://t.example/x'>农场Twitter：Athena</a><br>")
    html = (f"<html><head><title>新闻报道</title></head><body><h1>新闻报道</h1>"
            f"<div class='post-body'>{post}</div>"
            f"<div class='related'><a href='/a'>其他新闻一</a><a href='/b'>其他新闻二</a></div></body></html>")
    art = extract(html)
    assert list(art.paragraphs) == [head]
    assert set(art.extras) >= {"视频定位：BENJ", "发布：陶子", "更多资讯，请关注：", "农场Twitter：Athena"}
    assert not any("其他新闻" in e for e in art.extras)


# A hostile page: block containers nested so deep that an HTML parser, which scans its stack
# of open elements at every such tag, would take hours over it.
_LEAD = "这是正文的第一段，内容足够长，能够被识别为正文，后面跟着一层又一层的容器。"


def test_a_page_nested_absurdly_deep_keeps_its_text_and_the_article_after_it():
    from crawler.extract import MAX_BLOCK_DEPTH

    depth = 200_000  # 1.2 MB of <div>s: hours for the parser without the limit
    html = ("<html><head><title>深层嵌套</title></head><body><article>" + f"<p>{_LEAD * 3}</p>"
            + "<DIV class='x'>" * depth + "藏在最深处的文字也是页面的文字。" * 20 + "</div>" * depth
            + "</article></body></html>").encode()
    art = extract(html)
    assert art.title == "深层嵌套"
    assert art.paragraphs[0] == _LEAD * 3
    assert any("藏在最深处" in t for t in (*art.paragraphs, *art.extras))
    assert depth > MAX_BLOCK_DEPTH
    # tags opened and never closed before the article: the article is still read
    unclosed = ("<html><head><title>未闭合</title></head><body>" + "<div>" * depth
                + f"<article><p>{_LEAD * 3}</p><p>{_LEAD * 2}</p></article></body></html>").encode()
    assert list(extract(unclosed).paragraphs) == [_LEAD * 3, _LEAD * 2]


def test_many_containers_side_by_side_are_not_cut():
    from crawler.extract import _DEEP_TAGS, MAX_BLOCK_DEPTH, _cut_deep_nesting

    # more tags than are ever scanned for, none nested: nothing to cut
    flat = "<html><body>" + "<div><section>字</section></div>" * _DEEP_TAGS + "</body></html>"
    assert _cut_deep_nesting(flat) is None
    # stray end tags do not make room for deeper nesting later
    deep = "<html><body>" + "</div>" * _DEEP_TAGS + "<ul><li>项" * (MAX_BLOCK_DEPTH + 1) + "</body></html>"
    cut = _cut_deep_nesting(deep)
    assert cut is not None and cut.count("<ul>") == MAX_BLOCK_DEPTH and cut.count("项") == MAX_BLOCK_DEPTH + 1
    # a long page with few tags is not scanned at all, however it nests
    assert _cut_deep_nesting("<div>" * 2000 + "字" * 100_000) is None



def test_a_tag_with_a_flood_of_attributes_keeps_its_first_ones_and_the_page_its_article():
    # The parser checks each attribute against those before it: 80,000 on one tag took 23 s.
    from crawler.extract import parser_ready
    from crawler.extract.body import _FLOODS_SCANNED, MAX_ATTRIBUTES

    n = _FLOODS_SCANNED // 8 + MAX_ATTRIBUTES  # a page longer than _FLOODS_SCANNED
    flood = "<p " + " ".join(f"a{i}='v'" for i in range(n)) + ">"
    page = "<html><head><title>t</title></head><body>" + flood + "x</p><article>" + \
        "".join(f"<p>{_LEAD}第{n}段。</p>" for n in range(3)) + "</article></body></html>"
    ready = parser_ready(page)
    assert ready is not None and ready.count("='v'") == MAX_ATTRIBUTES and "a999='v'" in ready
    assert f"{_LEAD}第2段。" in extract(page.encode(), url="http://a.test/1").paragraphs
    # long tags of real pages are left alone: a data: image, JSON in an attribute, spaces in quotes
    real = "<img src='data:image/png;base64," + "A" * 100_000 + "' alt='x'><div data-page='" + \
        '{"a": "b c d e f"} ' * 5_000 + "'>t</div><p " + " ".join(f"data-x{i}=1" for i in range(50)) + ">y</p>"
    assert parser_ready(real) is None


def test_a_flood_of_tag_and_attribute_names_is_renamed_before_the_parser_meets_it():
    # The parser's table of names costs the square of their number: 160,000 distinct ones took
    # 4.7 s, a 10 MB page of them minutes. Past MAX_NAMES, new names are written as known ones.
    from crawler.extract import parser_ready
    from crawler.extract.body import _NAMES_SCANNED, MAX_NAMES

    n = _NAMES_SCANNED // 20 + 10_000  # a page longer than _NAMES_SCANNED, of many more names than MAX_NAMES
    assert n > 3 * MAX_NAMES
    flood = "".join(f"<x{i} a{i}=1></x{i}>" for i in range(n))
    page = "<html><head><title>t</title></head><body><div>" + flood + "</div><article>" + \
        "".join(f"<p class='c'>{_LEAD}第{n}段。</p>" for n in range(3)) + "</article></body></html>"
    ready = parser_ready(page)
    assert ready is not None and f"<x{n - 1} " not in ready and f" a{n - 1}=" not in ready
    assert "<x0 a0=1></x0>" in ready and "<p class='c'>" in ready  # the first names and HTML's own stay
    assert f"{_LEAD}第2段。" in extract(page.encode(), url="http://a.test/1").paragraphs
    # many tags of a few names: nothing to rename
    assert parser_ready("<html><body>" + "<p class='a'>字</p>" * (_NAMES_SCANNED // 10) + "</body></html>") is None

def test_a_title_of_a_megabyte_is_cut_before_it_is_split_or_stored():
    # Split at its separators whole, a title of 200,000 " - " took hours (quadratic): it is cut
    # to TITLE_MAX_CHARS first, and a real title keeps its words.
    from crawler.extract.title import TITLE_MAX_CHARS

    hostile = "<html><head><title>" + "ab - " * 200_000 + "</title><meta property='og:title' content='" + \
        "cd | " * 200_000 + "'></head><body><h1>x</h1><p>" + "正文内容。" * 50 + "</p></body></html>"
    assert 0 < len(extract(hostile.encode(), url="http://a.test/1").title) <= TITLE_MAX_CHARS
    page = "<html><head><title>  瑞银收购瑞信 -\n 新闻网 </title></head><body><h1>瑞银收购瑞信</h1><p>" + "正文内容。" * 50 + "</p></body></html>"
    assert extract(page.encode(), url="http://a.test/1").title == "瑞银收购瑞信"


@pytest.mark.parametrize("line, withheld", [
    ("登录后阅读全文", True),
    ("登錄後閱讀全文 >>", True),
    ("开通会员即可继续阅读", True),
    ("剩余80%未读", True),
    ("展开全文", True),
    ("付费专享", True),
    ("Subscribe to continue reading", True),
    ("Sign in to read the full article.", True),
    ("This article is available to subscribers only", True),
    ("Already a subscriber? Log in", True),
    ("Continue reading", True),
    ("Subscribe today for unlimited digital access.", True),
    ("Get unlimited digital access for $1 a week.", True),
    ("Members who join for the summer get full access to the pool.", False),
    ("The company said subscribers get full access to the archive.", False),
    ("Continue reading below", False),  # an advertisement's break in the article
    ("我们必须继续阅读历史", False),
    ("编辑：小王", False),
    ("The subscriber base grew to 2 million readers last year, the company said in a statement on Monday "
     "that also announced a new chief executive officer.", False),  # a paragraph, not a wall's line
])
def test_a_teaser_says_its_rest_is_withheld(line: str, withheld: bool) -> None:
    assert withholds_rest(line) is withheld


@pytest.mark.parametrize("line, loading", [
    ("Loading…", True),
    ("Loading, please wait...", True),
    ("Please wait while the page loads", True),
    ("The page is loading. If it does not appear within a few seconds, please refresh this page.", True),
    ("页面正在加载中，请稍候，如长时间未显示请刷新……", True),
    ("載入中，請稍候", True),
    ("Loading the page failed: not found", False),  # an error message
    ("正在加载，加载失败请刷新", False),
    ("Loading of the ship began at dawn.", False),
    ("Loading comments for this story", False),
    ("Please wait for the results of the investigation, said the mayor.", False),
    ("“Please wait,” she said.", False),
    ("You need to enable JavaScript to run this app.", True),
    ("您的浏览器未启用JavaScript，请启用后刷新页面查看完整内容。", True),
    ("Your browser is out of date. Please update your browser to view this website.", True),
    ("We use cookies to improve your experience. By continuing, you agree to our use of cookies.", True),
    ("JavaScript error: the page could not be shown", False),
    ("The company said it would stop using cookies from third parties in its browser next year, a change that "
     "advertisers have feared for years and that regulators in Britain have examined closely since 2021.", False),
])
def test_a_shells_placeholder_says_it_is_loading_or_asks_for_something(line: str, loading: bool) -> None:
    assert placeholder_line(line) is loading


def test_a_shell_that_shows_only_its_placeholder_has_no_body() -> None:
    # A script-rendered shell's sentence-long placeholder was taken for the article: a version of
    # it, and every repost 'not faithful'. An article that says "Please wait" keeps its body.
    shell = ("<html><head><title>新闻网</title></head><body><div id='app'><p class='tip'>页面正在加载中，请稍候，"
             "如长时间未显示请刷新……</p></div><script src='/app.js'></script></body></html>")
    assert extract(shell.encode(), url="http://a.test/1").paragraphs == ()
    story = ("<html><head><title>Port</title></head><body><article><p>Loading of the ship began at dawn, when the "
             "first trucks reached the pier after a night of rain.</p></article></body></html>")
    assert extract(story.encode(), url="http://a.test/1").paragraphs
