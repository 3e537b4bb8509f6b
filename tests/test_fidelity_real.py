"""Acceptance test of fidelity on the real reposts of the sample in tests/data/reposts.

Every repost of that sample with a body is published again as the ORIGINAL page
a news site would have served: its Markdown body rendered to HTML (Python-Markdown),
images as `<figure>` with a caption, the title in `<h1>` and `<title>`, inside one of
several page layouts with chrome (menus, "latest news", related articles, share bar,
counters, template dates, comments, footer) that changes on every render.  The original
carries none of what only the repost has: its header line, its source link, its trailer
lines.  The crawl's own pipeline then judges it (`extract`, `normalize_lines`,
`compare` with the archive's boilerplate, `differs`), and:

- every untouched original is faithful (the repost is the witness: a body of a few credit
  lines is found in the page even where the extractor sees no article);
- a sentence replaced in, deleted from or inserted into the original is reported with
  the right hunk and its text;
- punctuation width, whitespace, invisible characters and traditional script introduced
  into the original are not differences;
- chrome never makes a new version, a body edit makes exactly one.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import markdown
import opencc
import pytest

from crawler import analyze
from crawler.archive import Repost, parse_repost
from crawler.config import ArchiveConfig, CompareConfig, Config
from crawler.fidelity import Fidelity, Hunk, compare
from crawler.normalize import _unwiki, markdown_to_lines, normalize_lines  # the archive's own wiki-link rule
from crawler.scan import scan
from store.db import Store
from tests.conftest import REPOSTS

ARCHIVE = ArchiveConfig(root=REPOSTS)
COMPARE = CompareConfig()
MIN_CHANGE = COMPARE.min_change_chars
FOLD = COMPARE.fold_chinese_script

# --------------------------------------------------------------------------- the sample


@cache
def sample() -> tuple[Repost, ...]:
    """Every file of the sample that parses to a repost with a body, in path order."""
    out = []
    for path in sorted(REPOSTS.rglob("*.md")):
        rel = path.relative_to(REPOSTS).as_posix()
        parsed = parse_repost(path.read_bytes(), rel, ARCHIVE)
        if isinstance(parsed, Repost) and parsed.body.strip():
            out.append(parsed)
    return tuple(out)


@cache
def boilerplate() -> frozenset[str]:
    """The archive's boilerplate, found the way the scanner finds it."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "mirror.db")
        try:
            scan(Config(archive=ARCHIVE), store)
            lines = store.boilerplate_lines(COMPARE.boilerplate_min_reposts)
        finally:
            store.close()
    return analyze.boilerplate_set(lines, FOLD)


# --------------------------------------------------------------------------- the original's body


# Wiki links were added to the archive's copies by its tooling; the site had plain text.
# Blog copies escape an image wrapped in a link: `[!\[alt\](img)](href)`; the blog had an image.
_URL = r"\((?:[^()\n]|\([^()\n]*\))*\)"
_ESCAPED_IMAGE_LINK = re.compile(r"\[!\\\[((?:\\.|[^\\\n])*?)\\\](" + _URL + r")\]" + _URL)
_ESCAPED_IMAGE = re.compile(r"!\\\[((?:\\.|[^\\\n])*?)\\\](" + _URL + ")")


_STRAY_STRONG = re.compile(r"\*\*+|(?<![\w/])__+(?!\w)")




class _Figures(markdown.treeprocessors.Treeprocessor):
    """A paragraph that holds only images (or linked images) becomes figures with captions."""

    def run(self, root: ET.Element) -> None:
        for parent in root.iter():
            for i, child in enumerate(list(parent)):
                if child.tag != "p" or (child.text or "").strip():
                    continue
                images = []
                for sub in child:
                    img = sub if sub.tag == "img" else (sub[0] if sub.tag == "a" and len(sub) == 1 else None)
                    if img is None or img.tag != "img" or (sub.tail or "").strip() or (
                            sub is not img and (sub.text or "").strip()):
                        images = []
                        break
                    images.append(img)
                if not images:
                    continue
                parent.remove(child)
                for k, img in enumerate(images):
                    figure = ET.Element("figure", {"class": "wp-block-image"})
                    figure.append(ET.Element("img", {"src": img.get("src", ""), "alt": img.get("alt", "")}))
                    caption = ET.SubElement(figure, "figcaption")
                    caption.text = (img.get("alt") or "").strip() or "图片来源：网络"
                    parent.insert(i + k, figure)


class _FigureExtension(markdown.extensions.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown's name
        md.treeprocessors.register(_Figures(md), "figures", 5)


_TABLE_HEAD = re.compile(r"^(\|.*\|)[ \t]*\n(\|[ \t]*:?-+.*\|)[ \t]*$", re.MULTILINE)


def _widen_tables(text: str) -> str:
    """Tables whose rows have more cells than their header get as many header columns: the site
    showed every cell, and Python-Markdown drops those beyond the header's count."""
    def widen(m: re.Match[str]) -> str:
        rows = text[m.end():].split("\n\n", 1)[0].split("\n")
        cells = max([len(row.strip().strip("|").split("|")) for row in rows if row.startswith("|")], default=0)
        head, rule = m.group(1), m.group(2)
        extra = cells - len(head.strip().strip("|").split("|"))
        return m.group(0) if extra <= 0 else head + "  |" * extra + "\n" + rule + " --- |" * extra
    return _TABLE_HEAD.sub(widen, text)


def body_html(body: str, hard_breaks: bool = False) -> str:
    """The repost's Markdown body as the HTML of the article on its original site."""
    text = _unwiki(body)
    text = _ESCAPED_IMAGE_LINK.sub(r"![\1]\2", text)
    text = _ESCAPED_IMAGE.sub(r"![\1]\2", text)
    # An escaped asterisk is one the site showed: keep it out of reach of the cleanup below.
    text = text.replace("\\*", "&#42;")
    text = _widen_tables(text)
    # Two bold runs back to back (`**a****, ****b**`) were adjacent <strong>s on the site;
    # Python-Markdown misreads the `****` and drops letters ("Mr. Navaro" became "Mr. Na").
    text = text.replace("****", "")
    extensions: list = ["tables", "fenced_code", "sane_lists", _FigureExtension()]
    if hard_breaks:
        extensions.append("nl2br")
    fragment = markdown.markdown(text, extensions=extensions, output_format="html")
    # The copies were converted from HTML: a `**` that Python-Markdown leaves as text
    # (`**bold **`, `**Name:**word`) was <strong> on the site, never visible asterisks.
    return _STRAY_STRONG.sub("", fragment)


def plain_text(fragment: str) -> str:
    """Text of an HTML fragment, paragraphs on their own lines (for JSON-LD articleBody)."""
    fragment = re.sub(r"(?is)<figure\b.*?</figure>", "", fragment)
    fragment = re.sub(r"(?i)<br\s*/?>|</(?:p|h\d|li|blockquote|tr|pre)>", "\n", fragment)
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


# --------------------------------------------------------------------------- chrome


_SECTIONS = ["首页", "国际", "中国", "香港", "台湾", "财经", "科技", "评论", "专栏", "视频", "图片", "健康", "文化"]
_WHO = ["美国国会", "欧盟委员会", "日本政府", "英国首相", "联合国", "世卫组织", "香港法院", "台湾当局", "澳洲外长",
        "德国总理", "美联储", "国际货币基金组织", "北约秘书长", "白宫发言人"]
_DOES = ["宣布", "否认", "调查", "批准", "警告", "呼吁", "推迟", "暂停", "公布", "讨论"]
_WHAT = ["新一轮制裁措施", "芯片出口管制", "年度预算案", "移民政策改革", "能源合作协议", "网络安全报告",
         "疫情防控新规", "人权问题声明", "利率决定", "贸易谈判进展", "选举结果", "军事演习计划"]
_USERS = ["路人甲", "newsfan88", "老王", "自由之声", "Lily", "观察者", "匿名用户", "张三"]
_REMARKS = ["说得太好了", "转发了", "支持", "希望大家都能看到", "这才是真相", "顶一下", "谢谢分享"]


def _headline(rng: random.Random) -> str:
    return f"{rng.choice(_WHO)}{rng.choice(_DOES)}{rng.choice(_WHAT)}"


def _links(rng: random.Random, n: int) -> str:
    return "".join(f'<li><a href="/news/{rng.randint(10**5, 10**7)}.html">{_headline(rng)}</a></li>'
                   for _ in range(n))


def _nav(rng: random.Random) -> str:
    sections = _SECTIONS[:1] + rng.sample(_SECTIONS[1:], rng.randint(5, 9))
    return "".join(f'<li><a href="/{i}/">{s}</a></li>' for i, s in enumerate(sections))


def _date(rng: random.Random) -> str:
    return f"20{rng.randint(19, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"


def _comments(rng: random.Random) -> str:
    items = "".join(
        f'<li class="comment"><span class="comment-author">{rng.choice(_USERS)}</span> '
        f'<span class="comment-date">{_date(rng)}</span><p>{rng.choice(_REMARKS)}！</p></li>'
        for _ in range(rng.randint(0, 4)))
    return f'<section id="comments" class="comments-area"><h3>评论（{rng.randint(0, 999)}）</h3><ol>{items}</ol></section>'


def _share(rng: random.Random) -> str:
    nets = rng.sample(["Twitter", "Facebook", "微博", "微信", "Telegram", "GETTR", "Email"], 4)
    return ('<div class="share-bar">分享到：' + "".join(f'<a href="#" class="share-{n}">{n}</a>' for n in nets)
            + f' <span class="share-count">{rng.randint(0, 9999)} 次分享</span></div>')


def _head(title: str, site: str, extra: str = "") -> str:
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
            f'<title>{html.escape(title)} - {site}</title>'
            f'<meta property="og:title" content="{html.escape(title)}">{extra}</head>')


# --------------------------------------------------------------------------- layouts


def layout_article(title: str, body: str, rng: random.Random) -> str:
    """A modern CMS page: <header><nav>, <main><article>, <aside> of latest news, <footer>."""
    return (
        _head(title, "环球新闻网")
        + f'<body><header class="site-header"><a class="logo" href="/">环球新闻网</a>'
        f'<nav class="main-nav"><ul>{_nav(rng)}</ul></nav></header>'
        f'<div class="breadcrumb"><a href="/">首页</a> &gt; <a href="/world/">{rng.choice(_SECTIONS[1:])}</a> &gt; 正文</div>'
        f'<main><article class="post"><h1 class="entry-title">{html.escape(title)}</h1>'
        f'<div class="entry-meta"><time datetime="{_date(rng)}">{_date(rng)}</time> '
        f'<span class="views">阅读 {rng.randint(10, 99999)}</span> '
        f'<span class="comments-link">评论 {rng.randint(0, 500)}</span></div>'
        f'<div class="entry-content">{body}</div>'
        f'{_share(rng)}'
        f'<div class="related-posts"><h3>相关文章</h3><ul>{_links(rng, rng.randint(3, 6))}</ul></div>'
        f'</article>{_comments(rng)}</main>'
        f'<aside class="sidebar"><h3>最新新闻</h3><ul>{_links(rng, rng.randint(6, 10))}</ul>'
        f'<h3>热门排行</h3><ol>{_links(rng, 5)}</ol></aside>'
        f'<footer class="site-footer"><p>© {rng.randint(2019, 2024)} 环球新闻网 版权所有</p>'
        f'<p><a href="/about">关于我们</a> | <a href="/contact">联系我们</a> | <a href="/privacy">隐私政策</a></p></footer>'
        '</body></html>'
    )


def layout_content_div(title: str, body: str, rng: random.Random) -> str:
    """Only <div>s: a top menu, the title, a `content` div, a right column of links."""
    return (
        _head(title, "新闻在线")
        + f'<body><div id="top"><div class="menu"><ul>{_nav(rng)}</ul></div>'
        f'<div class="search"><form action="/s"><input name="q"><button>搜索</button></form></div></div>'
        f'<div class="wrap"><div class="left"><div class="title"><h1>{html.escape(title)}</h1></div>'
        f'<div class="info">来源：新闻在线 | 发布时间：{_date(rng)} | 浏览次数：{rng.randint(10, 99999)}</div>'
        f'<div class="content">{body}</div>'
        f'<div class="tags">标签：<a href="/t/1">{rng.choice(_WHAT)}</a> <a href="/t/2">{rng.choice(_WHO)}</a></div>'
        f'<div class="pages">上一篇：<a href="/p/{rng.randint(1, 9999)}">{_headline(rng)}</a><br>'
        f'下一篇：<a href="/p/{rng.randint(1, 9999)}">{_headline(rng)}</a></div></div>'
        f'<div class="right"><div class="box"><div class="box-title">最新新闻</div><ul>{_links(rng, rng.randint(6, 10))}</ul></div>'
        f'<div class="box"><div class="box-title">推荐阅读</div><ul>{_links(rng, rng.randint(3, 6))}</ul></div></div></div>'
        f'<div class="foot">Copyright © 2008-{rng.randint(2020, 2024)} 新闻在线 All Rights Reserved. '
        f'访问量：{rng.randint(10**5, 10**7)}</div></body></html>'
    )


def _br_paragraphs(fragment: str) -> str:
    # An old editor: paragraphs are text separated by <br><br>, not <p> elements.
    return re.sub(r"(?s)<p>(.*?)</p>\s*", r"\1<br><br>\n", fragment)


def layout_br(title: str, body: str, rng: random.Random) -> str:
    """A blog template whose post body is text and <br><br> between paragraphs."""
    return (
        _head(title, "某某的博客")
        + f'<body><div id="header"><h2 class="blog-title"><a href="/">某某的博客</a></h2>'
        f'<div class="description">记录与分享</div></div>'
        f'<div id="main"><div class="post hentry"><h1 class="post-title">{html.escape(title)}</h1>'
        f'<div class="post-header">发表于 {_date(rng)}</div>'
        f'<div class="post-body entry-content">{_br_paragraphs(body)}</div>'
        f'<div class="post-footer">标签： <a href="/label/a">{rng.choice(_SECTIONS[1:])}</a> '
        f'{rng.randint(0, 99)} 条评论 {_share(rng)}</div></div>'
        f'<div class="blog-pager"><a href="/older">较早的博文</a> <a href="/">主页</a></div>{_comments(rng)}</div>'
        f'<div id="sidebar-wrapper"><div class="widget"><h2>博客归档</h2><ul>{_links(rng, rng.randint(5, 9))}</ul></div>'
        f'<div class="widget"><h2>关于我</h2><p>访客 {rng.randint(1000, 99999)}</p></div></div>'
        f'<div id="footer-wrapper">Powered by Blogger · {_date(rng)}</div></body></html>'
    )


def layout_table(title: str, body: str, rng: random.Random) -> str:
    """An old portal: the whole page is a table, the article in one cell, links in another."""
    return (
        _head(title, "华语新闻港", '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">')
        + f'<body><table width="960" align="center"><tr><td colspan="2">'
        f'<table><tr>{"".join(f"<td><a href=/{i}>{s}</a></td>" for i, s in enumerate(rng.sample(_SECTIONS, 8)))}</tr></table>'
        f'</td></tr><tr><td width="700" valign="top">'
        f'<table width="100%"><tr><td align="center"><h1>{html.escape(title)}</h1></td></tr>'
        f'<tr><td align="center"><font size="2">{_date(rng)} 点击：{rng.randint(10, 99999)}</font></td></tr>'
        f'<tr><td class="zw">{body}</td></tr></table>'
        f'</td><td width="260" valign="top"><table><tr><td><b>最新新闻</b></td></tr>'
        + "".join(f'<tr><td><a href="/n/{rng.randint(1, 10**6)}.htm">{_headline(rng)}</a></td></tr>'
                  for _ in range(rng.randint(6, 12)))
        + f'</table></td></tr><tr><td colspan="2" align="center">'
        f'<a href="/about">关于本站</a> | <a href="/ad">广告服务</a> | 华语新闻港 © {rng.randint(2000, 2024)}</td></tr>'
        '</table></body></html>'
    )


def layout_json_ld(title: str, body: str, rng: random.Random) -> str:
    """A news site that also publishes the article as JSON-LD (`articleBody`)."""
    ld = {
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
        "datePublished": _date(rng), "articleBody": plain_text(body),
        "interactionStatistic": {"@type": "InteractionCounter", "userInteractionCount": rng.randint(0, 10**5)},
    }
    script = f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
    return (
        _head(title, "G新闻", script)
        + f'<body><div class="top-bar"><ul class="menu">{_nav(rng)}</ul></div>'
        f'<div class="container"><div class="row"><div class="col-md-8">'
        f'<h1 itemprop="headline">{html.escape(title)}</h1>'
        f'<div class="byline">{_date(rng)} · {rng.randint(10, 9999)} 次浏览</div>'
        f'<div itemprop="articleBody" class="article-body">{body}</div>'
        f'{_share(rng)}'
        f'<div class="you-may-like"><h4>猜你喜欢</h4><ul>{_links(rng, rng.randint(3, 6))}</ul></div>'
        f'</div><div class="col-md-4 sidebar"><h4>最新新闻</h4><ul>{_links(rng, rng.randint(6, 10))}</ul></div></div></div>'
        f'<div class="footer">© G新闻 {rng.randint(2020, 2024)} · <a href="/terms">使用条款</a></div></body></html>'
    )


@dataclass(frozen=True)
class Layout:
    name: str
    page: Callable[[str, str, random.Random], str]
    hard_breaks: bool  # a single line break of the Markdown was a <br> on the site


LAYOUTS = (
    Layout("article", layout_article, False),
    Layout("content-div", layout_content_div, True),
    Layout("br", layout_br, True),
    Layout("table", layout_table, False),
    Layout("json-ld", layout_json_ld, False),
)


def page_title(repost: Repost) -> str:
    title = " ".join(markdown_to_lines(repost.title)) if repost.title else ""
    return title or f"新闻报道 {hashlib.md5(repost.path.encode()).hexdigest()[:6]}"


def render(repost: Repost, layout: Layout, seed: int, body: str | None = None,
           touch: Callable[[str], str] | None = None) -> str:
    """The original page of `repost` (or of another Markdown `body`), chrome drawn from `seed`."""
    fragment = body_html(repost.body if body is None else body, layout.hard_breaks)
    if touch is not None:
        fragment = touch(fragment)
    return layout.page(page_title(repost), fragment, random.Random(seed))


CONTENT_TYPE = "text/html; charset=utf-8"


def version_of(repost: Repost, page: str, previous: str | None) -> tuple[str, bool]:
    """What the crawl keeps of a page with `repost` as its witness: (the version's normalised
    text, whether it is a new version after `previous`), by the product path."""
    analyze.configure(analyze.CompareSettings(boilerplate(), MIN_CHANGE, FOLD))
    job = analyze.PageJob(page.encode("utf-8"), CONTENT_TYPE, "https://example.org/a/1.html", None, previous,
                          ((0, repost.body),))
    result = analyze.analyze(job)
    return result.normalized, result.new_version


def judge(repost: Repost, page: str, body: str | None = None) -> Fidelity:
    """The crawl's verdict on `repost` (or on another Markdown `body`) against `page`: the
    product path, `crawler.analyze.analyze` with the archive's comparison settings."""
    analyze.configure(analyze.CompareSettings(boilerplate(), MIN_CHANGE, FOLD))
    job = analyze.PageJob(page.encode("utf-8"), CONTENT_TYPE, "https://example.org/a/1.html", None, None,
                          ((0, repost.body if body is None else body),))
    result = analyze.analyze(job)
    if not result.has_article:
        # the crawl records no fidelity for a page without a body; as a verdict that is
        # everything the repost says, unmatched
        return compare(analyze.repost_lines(repost.body if body is None else body, FOLD), [],
                       min_change_chars=MIN_CHANGE, boilerplate=boilerplate())
    (fid,) = result.fidelity
    hunks = tuple(Hunk(h["op"], h["repost"], h["original"]) for h in fid.hunks)
    return Fidelity(fid.similarity, fid.faithful, hunks)


def layout_of(index: int) -> Layout:
    return LAYOUTS[index % len(LAYOUTS)]


# --------------------------------------------------------------------------- judging the sample


@cache
def untouched() -> dict[str, dict[str, Fidelity]]:
    """Each repost judged against its own original in every layout: path -> layout -> result."""
    return {r.path: {layout.name: judge(r, render(r, layout, seed=i)) for layout in LAYOUTS}
            for i, r in enumerate(sample())}


def faithful_paths() -> list[str]:
    return [path for path, results in untouched().items() if all(f.faithful for f in results.values())]


def _show(fid: Fidelity) -> str:
    return "; ".join(f"{h.op} R={h.repost[:60]!r} O={h.original[:60]!r}" for h in fid.hunks[:3])


def test_sample_and_boilerplate_are_the_real_ones():
    # The test is about the real archive: it must have found its reposts and its footers.
    assert len(sample()) >= 250
    assert "免责声明:本文内容仅代表作者个人观点,平台不承担任何法律风险。" in boilerplate()


def test_every_untouched_original_is_faithful():
    results = untouched()
    failing = {path: {name: f for name, f in by_layout.items() if not f.faithful}
               for path, by_layout in results.items()}
    failing = {path: bad for path, bad in failing.items() if bad}
    share = 1 - len(failing) / len(results)
    report = "\n".join(f"{p} [{', '.join(bad)}]: {_show(next(iter(bad.values())))}"
                       for p, bad in sorted(failing.items()))
    assert not failing, (f"{len(failing)}/{len(results)} reposts unfaithful to their own original "
                         f"(faithful share {share:.1%}):\n{report}")


# --------------------------------------------------------------------------- edits of the original


_PLAIN_LINE = re.compile(r"[^\[\]()*_`<>|#\\~!&]+")
_SENTENCE = re.compile(r"[^。！？]+[。！？]")
REPLACEMENT = "据悉该项计划因为资金短缺已经被无限期地搁置下来。"
INSERTION = "另据消息人士透露，有关部门将于下周召开新闻发布会说明详细情况。"


@dataclass(frozen=True)
class Spot:
    """A sentence of a repost's body that an edit of the original can change."""

    line: str
    sentence: str


def spot(repost: Repost) -> Spot | None:
    """A middle sentence of the first plain prose line holding three or more sentences."""
    for line in repost.body.split("\n"):
        text = line.strip()
        if not text or not _PLAIN_LINE.fullmatch(text) or text[0] in "-+>0123456789":
            continue
        sentences = _SENTENCE.findall(text)
        if len(sentences) < 3:
            continue
        sentence = sentences[len(sentences) // 2]
        if len(sentence.strip()) >= 15 and repost.body.count(sentence) == 1:
            return Spot(text, sentence)
    return None


def edit(repost: Repost, where: Spot, new: str) -> str:
    """The repost's body with `where.sentence` replaced by `new`."""
    return repost.body.replace(where.line, where.line.replace(where.sentence, new), 1)


@cache
def editable() -> tuple[tuple[int, Repost, Spot], ...]:
    """Reposts faithful to their original in every layout, with a sentence to edit."""
    ok = set(faithful_paths())
    return tuple((i, r, s) for i, r in enumerate(sample()) if r.path in ok and (s := spot(r)) is not None)


def _n(text: str) -> str:
    return "".join(normalize_lines([text], FOLD))


def _core(text: str) -> str:
    # An edit's hunk may start or end a character or two off when the diff can choose
    # between equal alignments; the middle of the sentence is always in it.
    n = _n(text)
    return n[3:-3]


def test_enough_reposts_to_edit():
    assert len(editable()) >= 20, len(editable())


@pytest.mark.parametrize("kind", ["replaced", "deleted", "inserted"])
def test_an_edited_sentence_is_one_hunk_with_its_text(kind):
    failures = []
    for i, repost, where in editable():
        new = {"replaced": REPLACEMENT, "deleted": "", "inserted": where.sentence + INSERTION}[kind]
        layout = layout_of(i)
        fid = judge(repost, render(repost, layout, seed=i, body=edit(repost, where, new)))
        hunks = fid.hunks
        if kind == "replaced":
            ok = (len(hunks) == 1 and hunks[0].op == "altered" and _core(where.sentence) in _n(hunks[0].repost)
                  and _core(REPLACEMENT) in _n(hunks[0].original))
        elif kind == "deleted":
            # Deleted from the original: the repost has text the original lacks.
            ok = len(hunks) == 1 and hunks[0].op == "added" and _core(where.sentence) in _n(hunks[0].repost) \
                and hunks[0].original == ""
        else:
            # Inserted into the original: the repost lacks it.
            ok = len(hunks) == 1 and hunks[0].op == "missing" and _core(INSERTION) in _n(hunks[0].original) \
                and hunks[0].repost == ""
        if not ok or fid.faithful:
            failures.append(f"{repost.path} ({layout.name}): {_show(fid) or 'no hunk'}")
    assert not failures, f"{len(failures)}/{len(editable())}:\n" + "\n".join(failures)


# --------------------------------------------------------------------------- differences of form


_S2T = opencc.OpenCC("s2t.json")
_TO_WIDE = {c: chr(ord(c) + 0xFEE0) for c in ",!?:;()%0123456789"}
_TO_NARROW = {v: k for k, v in _TO_WIDE.items()} | {"，": ",", "！": "!", "？": "?", "：": ":", "；": ";"}
_QUOTES = {"“": "「", "”": "」", "「": "“", "」": "”", "‘": "『", "’": "』"}
_INVISIBLES = ["\u200b", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202a", "\u202c", "\u2066", "\u2069", "\u2060"]
_SPACES = [" ", "  ", "\u00a0", "\u3000", "\n", "\t", " \u00a0 "]
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
_TAG_OR_ENTITY = re.compile(r"(<[^>]*>|&#?\w+;)")


def retype(fragment: str, seed: int) -> str:
    """The same article typed differently: traditional script, other punctuation widths and
    quote styles, other whitespace, invisible characters sprinkled in."""
    rng = random.Random(seed)
    out = []
    for k, piece in enumerate(_TAG_OR_ENTITY.split(fragment)):
        if k % 2:
            out.append(piece)
            continue
        piece = _S2T.convert(piece) if piece.strip() else piece
        chars = []
        prev = ""
        for ch in piece:
            r = rng.random()
            if ch in _TO_WIDE and r < 0.5:
                ch = _TO_WIDE[ch]
            elif ch in _TO_NARROW and r < 0.5:
                ch = _TO_NARROW[ch]
            elif ch in _QUOTES and r < 0.5:
                ch = _QUOTES[ch]
            elif ch == " ":
                ch = rng.choice(_SPACES)
            if _CJK.match(prev) and _CJK.match(ch) and rng.random() < 0.05:
                chars.append(rng.choice(["\u3000", " ", "\u00a0"]))
            if prev and rng.random() < 0.08:
                chars.append(rng.choice(_INVISIBLES))
            chars.append(ch)
            prev = ch
        out.append("".join(chars))
    return "".join(out)


def test_retyping_the_original_makes_no_difference():
    failures = []
    changed = 0
    ok = set(faithful_paths())
    for i, repost in enumerate(sample()):
        if repost.path not in ok:
            continue
        layout = layout_of(i)
        plain = render(repost, layout, seed=i)
        page = render(repost, layout, seed=i, touch=lambda f: retype(f, seed=i))
        # An image-only body has no text to retype.
        changed += page != plain or not analyze.repost_lines(repost.body, FOLD)
        fid = judge(repost, page)
        if not fid.faithful or fid.hunks:
            failures.append((repost.path, f"{repost.path} ({layout.name}): {_show(fid)}"))
    assert changed == len(ok) >= 20
    assert not failures, f"{len(failures)}/{len(ok)}:\n" + "\n".join(text for _, text in failures)


def test_retyping_changes_the_page_text():
    # The perturbation does what it says: it is not a no-op the test above passes by.
    fragment = "<p>这是第一句话，“引文”里有(括号)和100%的数字。</p>"
    typed = retype(fragment, seed=1)
    assert typed != fragment
    assert any(c in typed for c in _INVISIBLES)
    assert "這" in typed
    assert normalize_lines([plain_text(typed)], FOLD) == normalize_lines([plain_text(fragment)], FOLD)


# --------------------------------------------------------------------------- versions


def test_chrome_makes_no_version_and_an_edit_makes_one():
    failures = []
    for i, repost, where in editable():
        layout = layout_of(i)
        other = layout_of(i + 1)
        edited = edit(repost, where, REPLACEMENT)
        served = [
            render(repost, layout, seed=1000 + i),
            render(repost, layout, seed=2000 + i),          # the same article, other chrome
            render(repost, other, seed=3000 + i),           # the site's new template
            render(repost, other, seed=4000 + i, body=edited),  # the article is edited
            render(repost, other, seed=5000 + i, body=edited),  # and served again
        ]
        latest, _ = version_of(repost, served[0], None)
        new_at = []
        for k, page in enumerate(served[1:], 1):
            text, new = version_of(repost, page, latest)
            if new:
                latest = text
                new_at.append(k)
        # Other chrome on the same template must never make a version.
        assert 1 not in new_at, f"{repost.path} ({layout.name}): chrome made a version"
        if new_at != [3]:
            failures.append((repost.path, f"{repost.path} ({layout.name}->{other.name}): new versions at renders {new_at}"))
    assert not failures, f"{len(failures)}/{len(editable())}:\n" + "\n".join(text for _, text in failures)


# --------------------------------------------------------------------------- texts as published


def test_hunks_show_the_texts_as_published_and_a_replaced_sentence_whole():
    # The original is retyped (traditional script, other punctuation widths, quotes and
    # spaces) and one sentence replaced: each hunk's texts are slices of what the page and
    # the repost say, never the normalised form, and the replaced sentence is marked whole
    # on both sides (no crumbs of a common `的` or `，` left unmarked inside it).
    analyze.configure(analyze.CompareSettings(boilerplate(), MIN_CHANGE, FOLD))
    checked = retyped = 0
    failures = []
    for i, repost, where in editable():
        layout = layout_of(i)
        page = render(repost, layout, seed=i, body=edit(repost, where, REPLACEMENT),
                      touch=lambda f: retype(f, seed=i))
        job = analyze.PageJob(page.encode("utf-8"), CONTENT_TYPE, "https://example.org/a/1.html", None, None,
                              ((0, repost.body),))
        result = analyze.analyze(job)
        (fid,) = result.fidelity
        published_original = "\n".join(p.strip() for p in "\n".join(result.paragraphs).split("\n"))
        published_repost = "\n".join(markdown_to_lines(repost.body))
        altered = [h for h in fid.hunks if h["op"] == "altered"]
        if len(altered) != 1:
            failures.append(f"{repost.path}: {len(altered)} altered hunks")
            continue
        (hunk,) = altered
        checked += 1
        for h in fid.hunks:
            assert h["repost"] in published_repost, (repost.path, h["repost"])
            assert h["original"] in published_original, (repost.path, h["original"])
        retyped += _n(hunk["original"]) != hunk["original"]
        assert _n(REPLACEMENT) in _n(hunk["original"]) and _n(where.sentence) in _n(hunk["repost"]), repost.path
        marked_o = [hunk["original"][s:e] for s, e in hunk["original_marks"]]
        marked_r = [hunk["repost"][s:e] for s, e in hunk["repost_marks"]]
        if not (len(marked_o) == 1 and _core(REPLACEMENT) in _n(marked_o[0])
                and len(marked_r) == 1 and _core(where.sentence) in _n(marked_r[0])):
            failures.append(f"{repost.path} ({layout.name}): marked {marked_r} / {marked_o}")
    assert checked >= 20 and retyped >= checked // 2, (checked, retyped)
    assert not failures, "\n".join(failures)
