"""The repost reader, over every file of the real sample (tests/data/reposts) and over the odd cases
the README of that sample measured in the real archive."""

from __future__ import annotations

import codecs
import csv
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.archive import HEADER_AREA_LINES, NotRepost, Problem, Repost, parse_repost
from crawler.config import ArchiveConfig
from crawler.urls import is_placeholder, normalize_url
from tests.conftest import REPOSTS

SAMPLE = REPOSTS
CFG = ArchiveConfig()


def _manifest() -> list[dict[str, str]]:
    with open(SAMPLE / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


ROWS = _manifest()
ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z")


def parse(text: str | bytes, cfg: ArchiveConfig = CFG, path: str = "x.md") -> Repost | NotRepost | Problem:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return parse_repost(data, path, cfg)


def repost(text: str | bytes, cfg: ArchiveConfig = CFG) -> Repost:
    result = parse(text, cfg)
    assert isinstance(result, Repost), result
    return result


# --- the whole sample --------------------------------------------------------

def test_manifest_lists_every_sample_file() -> None:
    # The folder's own README.md describes the sample; every other file must be
    # checked below, so a file added without a manifest row fails here.
    on_disk = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.is_file()}
    on_disk -= {"README.md", "MANIFEST.tsv"}
    assert on_disk == {row["path"] for row in ROWS}
    assert len(ROWS) >= 300


@pytest.mark.parametrize("row", ROWS, ids=[row["path"] for row in ROWS])
def test_sample_file(row: dict[str, str]) -> None:
    path = row["path"]
    raw = (SAMPLE / path).read_bytes()
    result = parse_repost(raw, path, CFG)
    expected = row["source_url"]
    cases = set(row["cases"].split(","))

    if not expected:
        assert isinstance(result, NotRepost), result
        assert result.path == path and "no source link" in result.reason
        return
    if is_placeholder(expected, CFG.placeholder_sources):
        assert isinstance(result, Problem), result
        assert result.problem == f"no source: placeholder link {expected}"
        return

    assert isinstance(result, Repost), result
    assert result.path == path
    assert result.source_url == expected
    normalize_url(result.source_url)  # a usable URL, not only an equal string

    text = raw.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    body_lines = result.body.split("\n")
    assert "\r" not in result.body and "\r" not in result.title and "\r" not in result.header
    # Nav bar, title and header are not body.
    assert "[:house:" not in body_lines[0]
    for line in result.header.split("\n") if result.header else ():
        assert line.strip() and line not in body_lines
    assert f"]({expected})" not in body_lines[-1] or "原文" not in body_lines[-1]
    if result.title:
        assert f"## {result.title}" not in body_lines[:1] and f"# {result.title}" not in body_lines[:1]
    # Trailers are lifted out, and the body is a faithful subsequence of the file.
    for trailer in result.trailers:
        assert trailer not in body_lines
        assert re.search(CFG.trailer_patterns[0], trailer)
    assert not any(re.search(CFG.trailer_patterns[0], line) for line in body_lines)
    assert result.body in text or all(line in text for line in body_lines)
    # U+2028/U+2029 stay inside their lines.
    for sep in ("\u2028", "\u2029"):
        assert (result.body + result.title).count(sep) == text.count(sep)

    assert result.published_at is None or ISO.match(result.published_at)
    # Only /articles/N headers and gettr posts carry a timestamp (README, section 3).
    dated = "/articles/" in expected or "gettr.com/" in expected
    assert (result.published_at is not None) == dated
    if "title:empty" in cases:
        assert result.title == ""
    if "meta:empty-station" in cases:
        assert result.station is None
    if "body:empty" in cases:
        assert result.body == ""
    if "body:images-only" in cases:
        assert result.body.lstrip().startswith("![")
    if "form:gettr-reshare-line" in cases:
        assert result.header.startswith("**:arrows_clockwise:") and result.title == ""
        assert result.station and result.station.startswith("@")
    if row["layout"] == "gettr-flat":
        assert result.title == "" and result.header.endswith(f"[轉發自GETTR]({expected})")
    if row["family"] == "gnews-transcript-endlink":
        # The source is the final `[原文連接]` line, which is neither header nor body.
        assert result.header == "" and result.title
        assert "原文連接" not in body_lines[-1]
    if row["family"] == "gnews-threadview":
        assert result.header == f"[轉載自GNews]({expected})"
    if row["layout"] in ("gnews-slot", "gnews-flat"):
        assert result.header.endswith(f"[轉載自GNews]({expected})")


def test_sample_totals_follow_the_manifest() -> None:
    counts = {"Repost": 0, "NotRepost": 0, "Problem": 0}
    for row in ROWS:
        counts[type(parse_repost((SAMPLE / row["path"]).read_bytes(), row["path"], CFG)).__name__] += 1
    not_reposts = sum(1 for row in ROWS if not row["source_url"])
    placeholders = sum(1 for row in ROWS if row["source_url"] and is_placeholder(row["source_url"], CFG.placeholder_sources))
    assert counts == {"Repost": len(ROWS) - not_reposts - placeholders, "NotRepost": not_reposts, "Problem": placeholders}
    assert counts["Problem"] > 0 and counts["NotRepost"] > 0


# --- layouts -------------------------------------------------------------------

GNEWS = (
    "###  [:house:返回](README.md)\r\n---\r\n\r\n\r\n"
    "## 【秘翻在线】瑞士央行促成瑞银收购瑞信\r\n"
    "`3/20/2023 1:23 AM UTC 秘密翻譯組G-Translators` [轉載自GNews](https://gnews.org/articles/1028464)\n\r\n"
    "图片来源：Sky News\n\n正文第一段。\r\n\r\n上传排版：某某\r\n"
)


def test_gnews_flat_layout() -> None:
    r = repost(GNEWS)
    assert r.title == "【秘翻在线】瑞士央行促成瑞银收购瑞信"
    assert r.header == "`3/20/2023 1:23 AM UTC 秘密翻譯組G-Translators` [轉載自GNews](https://gnews.org/articles/1028464)"
    assert r.published_at == "2023-03-20T01:23:00Z"
    assert r.station == "秘密翻譯組G-Translators"
    assert r.source_url == "https://gnews.org/articles/1028464"
    assert r.body == "图片来源：Sky News\n\n正文第一段。"
    assert r.trailers == ("上传排版：某某",)


def test_gnews_slot_layout_without_timestamp() -> None:
    r = repost(
        "###  [:house:返回首頁](https://github.com/ourhimalayas/txt)\n---\n\n\n"
        "## 阿富汗前所未有的粮食危机\n` Charlie` [轉載自GNews](https://gnews.org/zh-hans/1590914/)\n\n正文\n"
    )
    assert (r.title, r.station, r.published_at) == ("阿富汗前所未有的粮食危机", "Charlie", None)
    assert r.source_url == "https://gnews.org/zh-hans/1590914/" and r.body == "正文"


def test_gettr_reshare_layout() -> None:
    r = repost(
        "###  [:house:返回](README.md)\r\n---\r\n\r\n\r\n"
        "**:arrows_clockwise: p1a2o4sf2c7 已轉發**\r\n\r\n"
        "`@cornfieldsis 5/17/2022 12:30 AM UTC`\r\n\r\n"
        "[轉發自GETTR](https://gettr.com/post/p1a2o4sf2c7)\r\n\r\n"
        "## 不是标题\n\n亲爱的战友们\n\r\n![img](https://media.gettr.com/x.png)\r\n"
    )
    assert r.title == ""  # gettr posts have none; a heading after the link is body
    assert r.header.split("\n") == [
        "**:arrows_clockwise: p1a2o4sf2c7 已轉發**",
        "`@cornfieldsis 5/17/2022 12:30 AM UTC`",
        "[轉發自GETTR](https://gettr.com/post/p1a2o4sf2c7)",
    ]
    assert r.station == "@cornfieldsis" and r.published_at == "2022-05-17T00:30:00Z"
    assert r.body == "## 不是标题\n\n亲爱的战友们\n\n![img](https://media.gettr.com/x.png)"


def test_threadview_title_then_link() -> None:
    r = repost("## 郭文贵2017年8月7日直播\r\n[轉載自GNews](https://gnews.org/ThreadView/53483510)\n\r\n\r\n")
    assert r.title == "郭文贵2017年8月7日直播"
    assert r.header == "[轉載自GNews](https://gnews.org/ThreadView/53483510)"
    assert r.body == "" and r.station is None and r.published_at is None


def test_threadview_0_is_a_placeholder_problem() -> None:
    result = parse("## \r\n[轉載自GNews](https://gnews.org/ThreadView/0)\n\r\n\r\n")
    assert result == Problem("x.md", "no source: placeholder link https://gnews.org/ThreadView/0")


def test_blog_root_without_slash_matches_placeholder_with_slash() -> None:
    result = parse("# 郭文貴先生視頻的文字版\n轉載自[戰友之聲](http://littleantvoice.blogspot.com)\n\n正文")
    assert isinstance(result, Problem)
    assert result.problem == "no source: placeholder link http://littleantvoice.blogspot.com"
    # Another page of the same blog is a real source.
    r = repost("# 文字版\n轉載自[戰友之聲](http://littleantvoice.blogspot.com/2019/05/x.html)\n\n正文")
    assert r.header == "轉載自[戰友之聲](http://littleantvoice.blogspot.com/2019/05/x.html)"
    assert (r.title, r.body) == ("文字版", "正文")


def test_title_fused_with_source_link() -> None:
    r = repost(
        "###  [:house:返回首頁](https://github.com/ourhimalayas/txt)\n---\n\n"
        "# 郭文貴先生視頻的文字版轉載自[戰友之聲](https://example.blogspot.com/2020/05/x.html)**2020年4月28日直播**\n\n"
        "正文\n"
    )
    assert r.title == "郭文貴先生視頻的文字版"
    assert r.header == "轉載自[戰友之聲](https://example.blogspot.com/2020/05/x.html)"
    assert r.source_url == "https://example.blogspot.com/2020/05/x.html"
    assert r.body == "**2020年4月28日直播**\n\n正文"


def test_source_link_at_the_end() -> None:
    text = (
        "###  [:house:返回首頁](https://github.com/ourhimalayas/txt)\n---\n\n"
        "# 文字版2021年1月12日郭先生GTV直播\n** **\n正文\n\n+1\n\n[原文連接](https://gnews.org/zh-hans/769872/)"
    )
    r = repost(text)
    assert r.source_url == "https://gnews.org/zh-hans/769872/"
    assert (r.title, r.header) == ("文字版2021年1月12日郭先生GTV直播", "")
    assert r.body == "** **\n正文\n\n+1"
    assert repost(text + "\n\n") == r  # a trailing newline (or several) changes nothing
    # Short files put the end line inside the header area; it is still the end line.
    short = repost("正文一\n\n正文二\n\n[原文連接](https://gnews.org/zh-hans/5/)\n")
    assert (short.title, short.header, short.body) == ("", "", "正文一\n\n正文二")
    titled = repost("# 题\n正文\n[原文連接](https://gnews.org/zh-hans/5/)")
    assert (titled.title, titled.header, titled.body) == ("题", "", "正文")


def test_final_line_repeating_the_source_is_dropped_but_a_citation_stays() -> None:
    head = "## t\n` s` [轉載自GNews](https://gnews.org/zh-hans/1/)\n\n正文\n\n"
    assert repost(head + "[原文連接](https://gnews.org/zh-hans/1/)\n").body == "正文"
    cited = repost(head + "[原文链接](https://www.independent.co.uk/x.html)\n")
    assert cited.source_url == "https://gnews.org/zh-hans/1/"
    assert cited.body == "正文\n\n[原文链接](https://www.independent.co.uk/x.html)"


def test_later_citation_links_are_not_the_source() -> None:
    r = repost(
        "## t\n` 澳喜农场` [轉載自GNews](https://gnews.org/zh-hans/1670620/)\n\n作者：XO酱\n"
        "[原文链接：](https://gnews.org/1666152/)\n\n正文\n"
    )
    assert r.source_url == "https://gnews.org/zh-hans/1670620/"
    assert "[原文链接：](https://gnews.org/1666152/)" in r.body.split("\n")


def test_citation_inside_prose_of_the_header_area_is_not_a_source() -> None:
    # Without a header link, prose citations near the top must not make a repost.
    # Shaped like a repost (a title), they are a problem to fix: a repost that lost its link.
    result = parse("## t\n\n报道说疫苗有害。[原文链接](https://idahocapitalsun.com/x)\n\n正文结束。\n")
    assert result == Problem("x.md", "no source: a repost's title but no source link")
    also = parse("## t\n\n据《华盛顿时报》转载自（美联社）报道。\n")
    assert also == Problem("x.md", "no source: a repost's title but no source link")
    subheading = parse("## t\n\n#### [原文链接](https://external.example/a)\n\n正文\n")
    assert subheading == Problem("x.md", "no source: a repost's title but no source link")
    assert isinstance(parse("报道说疫苗有害。[原文链接](https://idahocapitalsun.com/x)\n"), NotRepost)


def test_header_area_is_limited() -> None:
    filler = "".join(f"段落{i}\n\n" for i in range(HEADER_AREA_LINES))
    late = f"## t\n{filler}[轉載自GNews](https://gnews.org/zh-hans/9/)\n\n正文\n"
    assert parse(late) == Problem("x.md", "no source: a repost's title but no source link")
    early = f"## t\n[轉載自GNews](https://gnews.org/zh-hans/9/)\n{filler}"
    assert repost(early).source_url == "https://gnews.org/zh-hans/9/"


# --- decoding ------------------------------------------------------------------

def test_crlf_lone_cr_and_mixed_line_ends() -> None:
    r = repost(b"## t\r\n` s` [\xe8\xbd\x89\xe8\xbc\x89\xe8\x87\xaaGNews](https://gnews.org/zh-hans/1/)\n\r\na\rb\r\n\r\nc\n")
    assert r.body == "a\nb\n\nc"
    assert r.title == "t" and r.station == "s"


def test_line_separators_stay_inside_lines() -> None:
    r = repost("## 标题\u2028续\n` s` [轉載自GNews](https://gnews.org/zh-hans/1/)\n\n第一句\u2028第二句\u2029第三段\n末行\n")
    assert r.title == "标题\u2028续"
    assert r.body.split("\n") == ["第一句\u2028第二句\u2029第三段", "末行"]


def test_byte_order_mark_is_stripped() -> None:
    r = repost("\ufeff## 标题\n` s` [轉載自GNews](https://gnews.org/zh-hans/1/)\n\n正文\n")
    assert r.title == "标题" and r.body == "正文"
    inner = repost("## t\n` s` [轉載自GNews](https://gnews.org/zh-hans/1/)\n\n正\ufeff文\n")
    assert inner.body == "正\ufeff文"  # only a leading BOM is an encoding mark


def test_index_pages_are_not_reposts() -> None:
    index = parse(
        "\ufeff###  [:newspaper:GNews](https://github.com/ourhimalayas/txt) | [:pray:關於](https://x/about)\n---\n\n"
        "推薦文章:point_down:\n\n[2020年6月4日新中国联邦宣言](https://github.com/x/README.md)\n"
    )
    assert index == NotRepost("x.md", "index page: no source link")
    pages = parse("## 頁面 3/42\n\n[標題](content/gnews/1.md)\n")
    assert isinstance(pages, NotRepost) and pages.reason.startswith("index page")
    assert parse(b"") == Problem("x.md", "empty file")


ZH_REPOST = (
    "###  [:house:返回](README.md)\n---\n\n## 瑞銀收購瑞信\n`3/20/2023 1:23 AM UTC 秘密翻譯組` "
    "[轉載自GNews](https://gnews.org/articles/2190271)\n\n"
    "瑞士銀行同意以30億瑞士法郎的股票收購競爭對手瑞士信貸，瑞士銀行將同意承擔高達50億瑞士法郎的損失。\n\n"
    "政府表示，為了使瑞銀能夠接管瑞士信貸，聯邦政府將為投資組合中明確界定的一部分提供最多90億瑞士法郎的損失擔保。\n"
)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "utf-16", "utf-8-sig"])
def test_a_repost_in_another_encoding_is_decoded_and_indexed(encoding: str) -> None:
    text = ZH_REPOST if encoding.startswith("big5") or encoding.startswith("utf") else ZH_REPOST.translate(
        str.maketrans("銀購貸將擔億為護聯確資組損", "银购贷将担亿为护联确资组损"))
    r = repost(text.encode(encoding))
    assert r.source_url == "https://gnews.org/articles/2190271"
    assert r.title == text.split("\n## ")[1].split("\n")[0]
    assert r.body == "\n".join(text.rstrip("\n").split("\n")[-3:])
    assert r.published_at == "2023-03-20T01:23:00Z"


def test_broken_utf8_is_a_problem_not_a_guess() -> None:
    data = ZH_REPOST.encode("utf-8")
    cut = data.index("損失".encode()) + 1  # half a character
    result = parse(data[:cut] + data[cut + 1:])
    assert isinstance(result, Problem)
    assert result.problem == f"cannot decode: not UTF-8 (invalid byte at {cut - 1}), nor GBK or Big5"


def test_empty_binary_and_undecodable_files_are_problems() -> None:
    assert parse(b"") == Problem("x.md", "empty file")
    assert parse(b" \n\r\n\t\n") == Problem("x.md", "empty file")
    assert parse(codecs.BOM_UTF8 + b"\n") == Problem("x.md", "empty file")
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    assert parse(png) == Problem("x.md", "binary file, not text")
    assert parse(ZH_REPOST.encode() + b"\x00\x01") == Problem("x.md", "binary file, not text")
    assert parse(codecs.BOM_UTF16_LE + b"\x00\xd8") == Problem(
        "x.md", "cannot decode: utf-16 with a byte-order mark, broken at byte 2")
    latin = "## Über uns\n\nDer Verein wurde gegründet, um Nachrichten zu bewahren.\n".encode("latin-1")
    result = parse(latin)
    assert isinstance(result, Problem) and result.problem.startswith("cannot decode: not UTF-8")


def test_a_repost_shaped_file_without_a_source_link_is_a_problem() -> None:
    lost = ZH_REPOST.replace("[轉載自GNews](https://gnews.org/articles/2190271)", "")
    assert parse(lost) == Problem("x.md", "no source: a repost's header line with its time but no source link")
    gettr = parse("`@miles 5/6/2022 10:38 PM UTC`\n\n正文\n")
    assert gettr == Problem("x.md", "no source: a repost's header line with its time but no source link")
    titled = parse("###  [:house:返回](README.md)\n---\n\n# 瑞銀收購瑞信\n\n正文\n")
    assert titled == Problem("x.md", "no source: a repost's title but no source link")
    placeholder = parse(ZH_REPOST.replace("https://gnews.org/articles/2190271", "https://gnews.org/ThreadView/0"))
    assert placeholder == Problem("x.md", "no source: placeholder link https://gnews.org/ThreadView/0")


def test_plainly_not_a_repost_is_neither_repost_nor_problem() -> None:
    readme = "# 转载存档\n\n这个仓库保存新闻文章的转载副本，每天更新。\n\n## 目录\n\n- [GNews](content/gnews/README.md)\n"
    assert isinstance(parse(readme), NotRepost)
    listing = ("###  [:house:首页](/README.md) | [:pray:關於](/content/about.md)\n---\n\n"
               "#### [标题一](/content/gnews/1.md)\n摘要。 `4/2/2024 3:57 PM UTC`\n")
    assert isinstance(parse(listing), NotRepost)
    assert isinstance(parse("Follow @kumbo on [GETTR](https://gettr.com/user/kumbo)\n"), NotRepost)


def test_entities_and_markup_are_kept_in_title_station_is_unescaped() -> None:
    r = repost(
        "## Korea-Australia &#8220;2+2&#8221; talks **now**\n"
        "` G&#124;News TAIWAN` [轉載自GNews](https://gnews.org/1536292/)\n\nx &amp; y\n"
    )
    assert r.title == "Korea-Australia &#8220;2+2&#8221; talks **now**"
    assert r.station == "G|News TAIWAN"
    assert r.body == "x &amp; y"


def test_empty_title() -> None:
    r = repost("## \n` 英國倫敦喜莊園` [轉載自GNews](https://gnews.org/zh-hans/2074279/)\n\n**简评：**\n")
    assert r.title == "" and r.body == "**简评：**" and r.station == "英國倫敦喜莊園"


# --- header metadata -----------------------------------------------------------

@pytest.mark.parametrize(
    ("stamp", "iso"),
    [
        ("3/9/2024 12:08 PM UTC", "2024-03-09T12:08:00Z"),
        ("11/11/2023 12:02 AM UTC", "2023-11-11T00:02:00Z"),
        ("4/2/2024 3:57 PM UTC", "2024-04-02T15:57:00Z"),
        ("1/30/2024 5:29 AM UTC", "2024-01-30T05:29:00Z"),
        ("12/31/2023 11:59 PM UTC", "2023-12-31T23:59:00Z"),
        # time zones as written
        ("1/6/2024 8:09 AM", "2024-01-06T08:09:00Z"),
        ("1/6/2024 8:09 AM GMT", "2024-01-06T08:09:00Z"),
        ("1/6/2024 8:09 AM EST", "2024-01-06T13:09:00Z"),
        ("7/4/2024 8:09 PM EDT", "2024-07-05T00:09:00Z"),
        ("1/6/2024 8:09 AM HKT", "2024-01-06T00:09:00Z"),
        ("1/6/2024 8:09 AM UTC+8", "2024-01-06T00:09:00Z"),
        ("1/6/2024 8:09 AM +08:00", "2024-01-06T00:09:00Z"),
        ("1/6/2024 8:09 AM GMT-0530", "2024-01-06T13:39:00Z"),
        ("1/1/2024 1:00 AM JST", "2023-12-31T16:00:00Z"),
    ],
)
def test_twelve_hour_timestamps(stamp: str, iso: str) -> None:
    r = repost(f"## t\n`{stamp} 站` [轉載自GNews](https://gnews.org/articles/1)\n\nx\n")
    assert r.published_at == iso and r.station == "站"


def test_a_zone_is_not_taken_from_the_station_name() -> None:
    # Letters that only begin a word are the station's, and the time is UTC.
    r = repost("## t\n`1/6/2024 8:09 AM ESTONIA站` [轉載自GNews](https://gnews.org/articles/1)\n\nx\n")
    assert r.published_at == "2024-01-06T08:09:00Z" and r.station == "ESTONIA站"


def test_impossible_timestamp_is_not_invented() -> None:
    # 13 PM and February 30 name no time: no published_at, and the words are kept.
    r = repost("## t\n`2/30/2024 1:00 PM UTC 站` [轉載自GNews](https://gnews.org/articles/1)\n\nx\n")
    assert r.published_at is None and r.station == "2/30/2024 1:00 PM UTC 站"
    r = repost("## t\n`3/1/2024 13:00 PM UTC` [轉載自GNews](https://gnews.org/articles/1)\n\nx\n")
    assert r.published_at is None


@pytest.mark.parametrize("span", ["`3/9/2024 12:08 PM UTC `", "` `", "``"])
def test_empty_station(span: str) -> None:
    r = repost(f"## t\n{span} [轉載自GNews](https://gnews.org/articles/1)\n\nx\n")
    assert r.station is None


# --- problems ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("[轉載自GNews]()", "empty link target"),
        ("[轉載自GNews]( )", "empty link target"),
        ("[轉載自GNews](ftp://gnews.org/1)", "not an http(s) link"),
        ("[轉載自GNews](javascript:alert(1))", "not an http(s) link"),
        ("[轉載自GNews](gnews.org/zh-hans/1/)", "not an http(s) link"),
        ("[轉載自GNews](https://)", "unusable link"),
        ("[轉載自GNews](https://gnews.org:99999/)", "unusable link"),
        # IPv4 in forms a browser reads and no client here does: a problem, not a source that fails
        ("[轉載自GNews](http://0177.0.0.1/a)", "unusable link"),
        ("[轉載自GNews](http://0x7f.1/a)", "unusable link"),
        ("[轉載自GNews](http://1.2.3/a)", "unusable link"),
        ("[轉載自GNews]", "without a URL"),
        ("轉載自[戰友之聲]()", "empty link target"),
    ],
)
def test_broken_source_links_are_problems(line: str, words: str) -> None:
    result = parse(f"## t\n` s` {line}\n\n正文\n")
    assert isinstance(result, Problem), result
    assert result.problem.startswith("no source:") and words in result.problem


def test_config_drives_link_words_trailers_and_placeholders() -> None:
    cfg = ArchiveConfig(
        source_link_text=("Source:",),
        trailer_patterns=(r"^\*?编辑[：:]", r"^\+\d+$"),
        placeholder_sources=("https://example.org/none",),
    )
    r = repost("# T\n[Source: Example](https://example.org/a)\n\n正文\n编辑：甲\n*编辑：乙\n+8\n", cfg)
    assert r.source_url == "https://example.org/a"
    assert r.body == "正文" and r.trailers == ("编辑：甲", "*编辑：乙", "+8")
    # The default words mean nothing to this config.
    assert parse("## t\n[轉載自GNews](https://gnews.org/zh-hans/1/)\n", cfg) == Problem("x.md", "no source: a repost's title but no source link")
    assert isinstance(parse("# T\n[Source: x](HTTPS://EXAMPLE.ORG/none#top)\n", cfg), Problem)


def test_link_target_with_title_or_angle_brackets() -> None:
    assert repost('## t\n[轉載自GNews](https://gnews.org/a_(b) "GNews")\n').source_url == "https://gnews.org/a_(b)"
    assert repost("## t\n[轉載自GNews](<https://gnews.org/zh-hans/1/>)\n").source_url == "https://gnews.org/zh-hans/1/"
    # a space a hand-typed link kept is the URL's, not the end of it (the page is another)
    # a host no server can have ("xn--" that is no punycode) is a problem of the scan, not a
    # source that fails every crawl and turns dead
    assert "unusable" in parse("## t\n[轉載自GNews](http://xn--/x)\n").problem
    spaced = repost("## t\n[轉載自GNews](https://example.com/news/breaking news.html)\n").source_url
    assert normalize_url(spaced) == "https://example.com/news/breaking%20news.html"
    assert repost("## t\n[轉載自GNews](https://example.com/a.html 'A')\n").source_url == "https://example.com/a.html"


# --- never raises ----------------------------------------------------------------

FRAGMENTS = [
    "## ", "# ", "###  [:house:返回](README.md)", "---", "`", "` ", "`3/20/2023 1:23 AM UTC 站` ",
    "`@u 5/6/2022 10:38 PM UTC`", "**:arrows_clockwise: p1 已轉發**", "[轉載自GNews](", "[轉發自GETTR]",
    "轉載自[戰友之聲](", "[原文連接](", "原文链接", "https://gnews.org/zh-hans/1/", "https://gnews.org/ThreadView/0",
    "http://littleantvoice.blogspot.com", "http://[::1", "https://xn--/", "https://例子.测试/", "ftp://x", ")", "(",
    "]", "[", "](", "\n", "\r", "\r\n", "\u2028", "\u2029", "\ufeff", "\x00", "上传排版：甲", "## 頁面 1/2", "&amp;",
    "\\", "*", "<", ">", " ", "\t", "%", "%zz", ":", "12:99 PM", "99/99/9999 1:00 AM UTC",
]
markdownish = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=60).map("".join)


def _check_never_raises(data: bytes) -> None:
    result = parse_repost(data, "p.md", CFG)
    assert type(result) in (Repost, NotRepost, Problem)
    if isinstance(result, Problem):
        assert not result.problem.startswith("internal error"), result.problem
    if isinstance(result, Repost):
        assert "\r" not in result.body
        normalize_url(result.source_url)
        assert result.source_url in data.decode("utf-8", "replace")
        assert result.published_at is None or ISO.match(result.published_at)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _check_never_raises(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdownish, st.sampled_from(["utf-8", "utf-8-sig"]))
def test_markdownish_text_never_raises(text: str, encoding: str) -> None:
    _check_never_raises(text.encode(encoding, "surrogatepass"))


def test_a_megabyte_line_beside_the_source_link_is_read_at_once_and_in_bounded_memory() -> None:
    # A file may be 5 MB of few lines. Two runs of blanks side by side made a line before the link,
    # or the start of its own line, take hours to look at (quadratic: 4 s for 80,000 characters), as
    # did a line of keywords after one `[` (each read the line on to its end: 45 s for 150,000),
    # and a link whose address never closes kept a note for each of its characters (180 MB for 2 MB).
    import tracemalloc

    head = "###  [:house:返回首頁](https://github.com/ourhimalayas/txt)\n---\n# 标题\n"
    blanks = " \t" * 1_000_000 + "x\n"
    tracemalloc.start()
    try:
        got = repost(head + blanks + "轉載自[新闻网](https://example.com/a/1.html)\n\n正文第一段。\n")
        unclosed = parse(head + "轉載自[新闻网](https://example.com/a/" + "字" * 1_000_000 + "\n\n正文第一段。\n")
        cited = parse(head + " " * 2_000_000 + "x轉載自[新闻网](https://example.com/a/1.html)\n\n正文第一段。\n")
        keys = parse(head + "[" + "轉載自" * 1_000_000 + "\n\n正文第一段。\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got.source_url == "https://example.com/a/1.html"
    for result in (unclosed, cited, keys):  # (a link after prose on its line is a citation, no source)
        assert isinstance(result, Problem) and result.problem.startswith("no source"), result
    assert peak < 60_000_000


def test_a_title_or_header_of_megabytes_is_cut_where_it_is_read() -> None:
    # A title is shown in every report that names its source: a file's heading of megabytes would
    # be in each of them.
    from crawler.archive import SHOWN_MAX_CHARS

    got = repost("# " + "标题" * 1_000_000 + "\n`3/20/2023 1:23 AM UTC " + "站" * 1_000_000 +
                 "` [轉載自GNews](https://gnews.org/zh-hans/1/)\n\n正文第一段。\n")
    assert got.title == ("标题" * 1_000_000)[:SHOWN_MAX_CHARS]
    assert got.header.startswith("`3/20/2023 1:23 AM UTC 站站") and len(got.header) == SHOWN_MAX_CHARS
    assert got.source_url == "https://gnews.org/zh-hans/1/" and got.published_at == "2023-03-20T01:23:00Z"
    assert repost("# 短标题\n" + "[轉載自GNews](https://gnews.org/zh-hans/1/)\n\n正文。\n").title == "短标题"
