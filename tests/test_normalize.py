"""Markdown undone and form folded; snippets are taken from the repost sample."""

from __future__ import annotations

import pytest

from crawler.normalize import markdown_to_lines, normalize_lines, normalize_text


def md(text: str) -> list[str]:
    return markdown_to_lines(text)


# --- markdown_to_lines ------------------------------------------------------

def test_wiki_links_become_their_text():
    assert md("[[zh:4月6日]]《[[zh:路透社]]》报道，前[[zh:美国司法部]]律师") == ["4月6日《路透社》报道，前美国司法部律师"]
    assert md("\"[[精英俘获]]\"是一种技术、一个过程。[[Elon Musk]]买这个") == ["\"精英俘获\"是一种技术、一个过程。Elon Musk买这个"]


def test_wiki_link_inside_link_text_and_url():
    gettr = "视频连接：[发表於 6:27 早上 · [[zh:10月]] 7日, 2023](https://gettr.com/post/p2rzrhv3675)"
    assert md(gettr) == ["视频连接：发表於 6:27 早上 · 10月 7日, 2023"]
    white_paper = (
        "发布[《携手构建[[zh:人类命运共同体]]：[[zh:中国]]的倡议与行动》白皮书]"
        "(携手构建[[zh:人类命运共同体]]：[[zh:中国]]的倡议与行动)更是直接挑战"
    )
    assert md(white_paper) == ["发布《携手构建人类命运共同体：中国的倡议与行动》白皮书更是直接挑战"]
    assert md("[新闻[[zh:链]]接](新闻[[zh:链]]接)") == ["新闻链接"]


def test_images_are_dropped_with_their_alt_text():
    body = (
        "前文\n"
        "![This image has an empty alt attribute; its file name is Screen-Shot-2021-08-30-at-7.37.59-PM.png]"
        "(https://assets.gnews.org/wp-content/uploads/2021/08/Screen-Shot-2021-08-30-at-7.37.59-PM.png)\n"
        "![](ipfs://QmPvGA7W11gzFkUEBXvP3iTKfZ88koJxgM9zmUmSXPCw4K?.png)\n"
        "![img](https://media.gettr.com/group28/origin/2022/05/17/00/9911a915/a087b6f3588ae8139d8a4c4e8307606e.png)\n"
        '<img src="https://media.gettr.com/group5/getter/2023/04/02/15/3cb13488/out.jpg" width="506" height="284">\n'
        "后文"
    )
    assert md(body) == ["前文", "后文"]


def test_escaped_image_link_is_dropped():
    body = (
        "[!\\[\\](https://1.bp.blogspot.com/-_d7jlWRpMv4/W0ECQk_cy9I/AAAAAAAAAyE/kF7YoZZTVZ4DfB7zXWl0Ef2P4rRZ_3uNgCLcBGAs/s400/0706-1.PNG)]"
        "(https://1.bp.blogspot.com/-_d7jlWRpMv4/W0ECQk_cy9I/AAAAAAAAAyE/kF7YoZZTVZ4DfB7zXWl0Ef2P4rRZ_3uNgCLcBGAs/s1600/0706-1.PNG)\n"
        "**[!\\[\\](https://3.bp.blogspot.com/-8brzo7tYu5g/XpQdRObslCI/s400/20200409.jpg)](http://3.bp.blogspot.com/s1600/20200409.jpg)**文字"
    )
    assert md(body) == ["文字"]


def test_linked_image_leaves_nothing():
    assert md("[![logo](https://x.org/a.png)](https://x.org/)正文") == ["正文"]


def test_links_become_their_text_and_bare_urls_stay():
    body = (
        "- [ROL Foundation](https://rolfoundation.org/)\n"
        "推特：[日本銀河系農場\\[email protected\\]推特](https://twitter.com/HJapanGalaxyII)；\n"
        "[https://www.youtube.com/watch?v=W3Pob0sqd\\_A&feature=push-sd&attr\\_tag=UKvP2RoWTi0RFQlo-6]"
        "(https://www.youtube.com/watch?v=W3Pob0sqd_A&amp;feature=push-sd&amp;attr_tag=UKvP2RoWTi0RFQlo-6)\n"
        "**【直播链接】<https://gettr.com/post/p1u0b725d51>**\n"
        "见 https://gnews.org/a_b_c/_x 原文"
    )
    assert md(body) == [
        "ROL Foundation",
        "推特：日本銀河系農場[email protected]推特；",
        "https://www.youtube.com/watch?v=W3Pob0sqd_A&feature=push-sd&attr_tag=UKvP2RoWTi0RFQlo-6",
        "【直播链接】https://gettr.com/post/p1u0b725d51",
        "见 https://gnews.org/a_b_c/_x 原文",
    ]


def test_reference_links_become_their_text_and_their_definitions_are_no_text():
    body = (
        "据[美国之音][voa]报道，![现场照片][img]警方已经介入调查，详情见[官方公告][]和[Reuters]。\n\n"
        "[VOA]: https://www.voanews.com/a/1.html \"美国之音\"\n"
        "[img]: <https://x.org/a.png>\n"
        "  [官方公告]: /notice/2023/1 'Notice'\n"
        "[reuters]: https://www.reuters.com/world/\n"
    )
    assert md(body) == ["据美国之音报道，警方已经介入调查，详情见官方公告和Reuters。"]
    # brackets that no definition names are text, and so is a line that only looks like one
    assert md("见[注1]和[甲][乙]。\n[注1]:参见本报前日报道") == ["见[注1]和[甲][乙]。", "[注1]:参见本报前日报道"]


def test_footnote_marks_and_hard_break_backslashes_are_no_text():
    # a footnote's mark is a small number a reader sees (or nothing); its note keeps its words
    body = "市议会投票通过。[^1] 结果很接近。[^note]\n\n[^1]: 来源：会议记录。\n[^note]: A second note."
    assert md(body) == ["市议会投票通过。 结果很接近。", "来源：会议记录。", "A second note."]
    # a mark that no line defines is text, as a renderer shows it
    assert md("see [^x] here") == ["see [^x] here"]
    # a backslash that ends a line breaks it (CommonMark); an escaped one stays
    assert md("Line one\\\nLine two") == ["Line one", "Line two"]
    assert md("C:\\\\\nnext") == ["C:\\", "next"]
    # the namespaced tags that text pasted from Word carries are markup
    assert md("<o:p></o:p>巴黎<st1:place>Paris</st1:place>") == ["巴黎Paris"]


def test_empty_link_target_keeps_text():
    assert md("[郭文贵先生直播精选]()") == ["郭文贵先生直播精选"]


def test_emphasis_is_undone():
    body = (
        "**摘要：**我们成功地让这些国家的运动员看清了中共。\n"
        "**广而告之：尊敬的战友****——**[**日本银河系农场****Discord****群**](https://discord.com/channels/8)\n"
        "*斜体*与_下划线_，snake_case 保留，5 * 3 保留\n"
        "** **\n"
        "~~删除线~~"
    )
    assert md(body) == [
        "摘要：我们成功地让这些国家的运动员看清了中共。",
        "广而告之：尊敬的战友——日本银河系农场Discord群",
        "斜体与下划线，snake_case 保留，5 * 3 保留",
        "删除线",
    ]


def test_headings_quotes_lists_rules():
    body = (
        "## 前司法部律师：与中共的人会面\n"
        "#### 作者：wangwenhaha ####\n"
        "#hashtag 不是标题\n"
        "> 中共和俄罗斯组成了邪恶轴心\n"
        "> \n"
        ">  [pic.twitter.com/YpXAksInAn](https://t.co/YpXAksInAn)\n"
        "---\n"
        "* * *\n"
        "1. 第一条\n"
        "  - 子项\n"
        "+ 加号项"
    )
    assert md(body) == [
        "前司法部律师：与中共的人会面",
        "作者：wangwenhaha",
        "#hashtag 不是标题",
        "中共和俄罗斯组成了邪恶轴心",
        "pic.twitter.com/YpXAksInAn",
        "第一条",
        "子项",
        "加号项",
    ]


def test_table_pipes_and_br_in_cells():
    body = (
        "| 日期 | 买方 | 金额 |\n"
        "| --- | --- | --- |\n"
        "| 2012 年 7 月 16 日 | TPG | Par 股东将获得现金。<br>Par 是一家制药公司。 |"
    )
    # a cell a line, as a page shows a table: each cell a block of its own
    lines = md(body)
    assert [line.split() for line in lines] == [["日期"], ["买方"], ["金额"], ["2012", "年", "7", "月", "16", "日"],
                                                ["TPG"], ["Par", "股东将获得现金。"], ["Par", "是一家制药公司。"]]
    assert not any("|" in line or "---" in line for line in lines)


def test_code_fence_keeps_content():
    body = "```\n习近平可能面临来自共产党内部对其领导力的挑战\n```\n\n```\n中国国家主席打压亿万富翁\n```"
    assert md(body) == ["习近平可能面临来自共产党内部对其领导力的挑战", "中国国家主席打压亿万富翁"]


def test_br_splits_and_tags_are_dropped():
    assert md("0-15<br>风满楼") == ["0-15", "风满楼"]
    assert md("甲<br/>乙<BR />丙") == ["甲", "乙", "丙"]
    assert md("<span style=\"color:red\">红字</span><!-- note -->") == ["红字"]
    assert md("a < b 且 c>d") == ["a < b 且 c>d"]


def test_angle_brackets_around_words_that_name_no_html_element_are_text():
    # Titles set in angle brackets (Korean and English pages write <Title> where Chinese
    # ones write 《》) are words a reader sees; only a real element's markup is syntax.
    assert md("Jeongdong Theater prepared <The Palace: Tale of Jang Noksu>!") == [
        "Jeongdong Theater prepared <The Palace: Tale of Jang Noksu>!"]
    assert md("It's because <The Palace: Tale of Jang\nNoksu> was part of it") == [
        "It's because <The Palace: Tale of Jang", "Noksu> was part of it"]
    assert md("<Parasite> won <Best Picture>") == ["<Parasite> won <Best Picture>"]
    # element names in any case, custom elements, and a tag spread over lines are markup
    assert md('<P ALIGN="center">甲</P><my-widget data-x="1">乙</my-widget>丙') == ["甲", "乙丙"]
    assert md('<span\nstyle="color:red">红字</span>') == ["红字"]


def test_a_block_elements_tags_break_the_line_as_a_browser_draws_it():
    # paragraphs pasted as HTML on one line are paragraphs, not one run of words
    assert md("<p>第一段。</p><p>第二段。</p>") == ["第一段。", "第二段。"]
    assert md("<ul><li>one</li><li>two</li></ul><details><summary>More</summary>Hidden</details>") == [
        "one", "two", "More", "Hidden"]
    assert md("文字<span>内联</span>继续<b>加粗</b>") == ["文字内联继续加粗"]


def test_a_task_lists_boxes_are_no_text():
    assert md("- [x] 已完成\n- [ ] 未完成\n1. [X] done") == ["已完成", "未完成", "done"]
    assert md("[x] is a variable") == ["[x] is a variable"]


def test_entities_are_undone_after_tags():
    assert md("01:21:15,520<br>--&gt; 01:21:21,664") == ["01:21:15,520", "--> 01:21:21,664"]
    assert md("国防部 &#124; 政治 &#124; 三立新闻网") == ["国防部 | 政治 | 三立新闻网"]
    assert md("It&#39;s &quot;ok&quot; &lt;b&gt;") == ["It's \"ok\" <b>"]
    assert md("AT&amp;amp;T") == ["AT&T"]


def test_escapes_are_undone():
    assert md("价格 \\*100\\* 元 \\_x\\_ 1\\. 不是列表 \\# 不是标题") == ["价格 *100* 元 _x_ 1. 不是列表 # 不是标题"]


def test_blank_lines_dropped():
    assert md("甲\n\n  \n\u00a0\n\u3000\n乙\r\n丙") == ["甲", "乙", "丙"]
    assert md("") == []


# --- normalize_text ---------------------------------------------------------

@pytest.mark.parametrize(
    "a, b",
    [
        ("他说，“你好！”（笑）：好；吗？", '他说,"你好!"(笑):好;吗?'),
        ("习近平晚上跟美国总统拜登「通电话」", "习近平晚上跟美国总统拜登“通电话”"),
        ("『普世价值』", "‘普世价值’"),
        ("It’s fine", "It's fine"),
        ("最后——他扭身就走了", "最后—他扭身就走了"),
        ("最后——他扭身就走了", "最后-他扭身就走了"),
        ("可以知道……郭文贵", "可以知道…郭文贵"),
        ("可以知道……郭文贵", "可以知道...郭文贵"),
        ("交通、能源、公共卫生", "交通,能源,公共卫生"),
        ("乔治•海根巴瑟姆", "乔治·海根巴瑟姆"),
        ("ＡＢＣ１２３", "ABC123"),
    ],
)
def test_punctuation_width_and_style_are_not_differences(a, b):
    assert normalize_text(a) == normalize_text(b)


@pytest.mark.parametrize(
    "a, b",
    [
        ("2010 年 11 月 7 日", "2010年11月7日"),
        ("但史蒂夫, 我必须纠正你", "但史蒂夫，我必须纠正你"),
        ("使用 Hpay 支付", "使用Hpay支付"),
        ("基金组织 (IMF)的亚投行", "基金组织(IMF)的亚投行"),
        ("中国\u3000\u3000人民", "中国人民"),
        ("中国\u00a0人民", "中国人民"),
        ("中国\u2028人民", "中国人民"),
        ("  首尾  ", "首尾"),
    ],
)
def test_whitespace_is_not_a_difference(a, b):
    assert normalize_text(a) == normalize_text(b)


def test_latin_words_keep_one_space():
    assert normalize_text("Hello \t  world\u2029again") == "Hello world again"


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066",
     "\u2069", "\ue000", "\uf8ff", "\U000f0001"],
)
def test_invisible_characters_are_dropped(invisible):
    assert normalize_text(f"中{invisible}共{invisible}国") == "中共国"
    assert normalize_text(f"soft{invisible}ware") == "software"


def test_traditional_folds_to_simplified():
    assert normalize_text("郭文貴先生視頻的文字版") == normalize_text("郭文贵先生视频的文字版")
    assert normalize_text("國防部：上午起10架次共機越中線") == "国防部:上午起10架次共机越中线"


def test_script_folding_can_be_turned_off():
    assert normalize_text("郭文貴", fold_script=False) == "郭文貴"
    assert normalize_text("郭文貴", fold_script=False) != normalize_text("郭文贵", fold_script=False)


def test_normalize_lines_matches_normalize_text_and_drops_empty():
    lines = ["郭文貴先生：", "\u200b\u3000", "“这可能会给我带来很多麻烦，”他告诉陪审团", "", "Hello  world"]
    assert normalize_lines(lines) == [normalize_text(line) for line in lines if normalize_text(line)]
    assert normalize_lines(lines) == ["郭文贵先生:", '"这可能会给我带来很多麻烦,"他告诉陪审团', "Hello world"]


def test_full_width_shortcut_equals_nfkc() -> None:
    # The translate shortcut before NFKC must never change a result.
    import unicodedata

    from crawler.normalize import _WIDE_TO_ASCII

    for code, ascii_code in _WIDE_TO_ASCII.items():
        assert unicodedata.normalize("NFKC", chr(code)) == chr(ascii_code)
    mixed = "（注）ＡＢＣ１２３，全角　空格！ﬁ①"
    assert normalize_text(mixed) == normalize_text(unicodedata.normalize("NFKC", mixed))


@pytest.mark.parametrize("distinct", [0, 1, 7, 16, 17, 95])
def test_narrowing_by_replace_equals_translate(distinct: int) -> None:
    # One replace per distinct wide form, or one translate when there are many: same text.
    from crawler.normalize import _WIDE_TO_ASCII, _narrow

    wide = [chr(c) for c in range(0xFF01, 0xFF5F)][:distinct]
    text = "".join(f"中{w}文{w}" for w in wide) + "　全角，" * 3 + "ａ"
    assert _narrow(text) == text.translate(_WIDE_TO_ASCII)
    assert not any(0xFF01 <= ord(c) <= 0xFF5E or c == "\u3000" for c in _narrow(text))


def test_a_line_without_a_letter_or_digit_is_no_text():
    # Separators drawn in characters: one side may draw them where the other has an <hr>.
    lines = ["第一段。", "______________________________", "* * *", "☆☆☆☆☆☆", "……", "＝＝＝＝", "1.", "第二段。"]
    assert normalize_lines(lines) == ["第一段。", "1.", "第二段。"]


def test_counts_of_a_long_text_are_those_of_its_matches_without_a_list_of_them() -> None:
    # A page's paragraph may be millions of characters; a list of its matches took hundreds of MB.
    import re

    from crawler.normalize import count_chars, count_matches

    han, stop = re.compile(r"[\u3400-\u9fff]"), re.compile("[。]")
    for text in ("短文。", "字a。" * 40_000):  # one under the length counted with a list, one over it
        assert count_chars(han, text) == len(han.findall(text))
        assert count_matches(stop, text, 3) == min(3, len(stop.findall(text)))
        assert count_matches(stop, text, 10**9) == len(stop.findall(text))


def _normalized_with_peak(text: str) -> tuple[list[str], int]:
    """The normalised lines of `text`, and the peak of the memory that took (tracemalloc)."""
    import tracemalloc

    tracemalloc.start()
    try:
        return normalize_lines(markdown_to_lines(text)), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("line, more", [
    ("[[" + "字" * 1_000_000, ""),                   # a wiki link that never closes
    ("[a](" + "字" * 1_000_000, ""),                 # a link's address that never closes
    ("[" + "\\x" * 500_000 + "](x", ""),            # a link text of escapes whose address never closes
    ("!\\[" + "字" * 1_000_000, ""),                 # a blog copy's escaped image that never closes
    ("[b][" + "字" * 1_000_000, "[a]: http://x.test/"),  # a reference that never closes
])
def test_a_megabyte_of_markup_that_never_closes_is_read_as_text_in_bounded_memory(line: str, more: str) -> None:
    # A repost file may be 5 MB of one line. A loop that could give back what it matched kept a
    # note for each character: 75-230 MB for these lines of 2 MB.
    out, peak = _normalized_with_peak(f"第一段。\n\n{line}\n\n第二段。\n\n{more}")
    assert out == ["第一段。", line.replace("\\[", "["), "第二段。"]  # (an escape is its character)
    assert peak < 40_000_000


@pytest.mark.parametrize("text, lines", [
    ("> " * 1_000_000 + "引文。", ["引文。"]),  # quote marks
    ("*" * 1_000_000, []),                     # a rule
    ("- " * 500_000, []),
])
def test_a_megabyte_of_marks_is_read_in_bounded_memory(text: str, lines: list[str]) -> None:
    out, peak = _normalized_with_peak(f"第一段。\n\n{text}\n\n第二段。")
    assert out == ["第一段。", *lines, "第二段。"]
    assert peak < 40_000_000


@pytest.mark.parametrize("line", [
    *(opening * (2_000_000 // len(opening)) + " x" for opening in ("<!--", "<img ", "<http://")),
    "|" + " " * 1_000_000 + "x",  # a table row's end was looked for from each blank
])
def test_a_megabyte_of_openings_that_never_close_is_read_at_once(line: str) -> None:
    # From each opening the search read on to the end of the text for its close: a line of 40,000
    # `<!--` took 4 s, and a file's line of 5 MB would have taken hours.
    out = normalize_lines(markdown_to_lines(f"第一段。\n\n{line}\n\n第二段。"))
    assert out[0] == "第一段。" and out[-1] == "第二段。" and len(out) <= 3
    assert normalize_lines(markdown_to_lines("甲<!-- 注释 -->乙<img src='a.jpg' alt='图'>丙<http://x.test/a>丁")) == \
        ["甲乙丙http://x.test/a丁"]
    assert normalize_lines(markdown_to_lines("| 甲 | 乙 |  \n|--|--|\n| 丙 || 丁 |")) == ["甲", "乙", "丙", "丁"]
