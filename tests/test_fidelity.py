"""Fidelity diff: what counts as a change, and the hunks that report it."""

from __future__ import annotations

import random

from crawler.fidelity import Fidelity, Hunk, compare, differs
from crawler.normalize import markdown_to_lines, normalize_lines

# From content/gnews/1080403.md in the repost sample.
ARTICLE = [
    "作者：wangwenhaha",
    "4月6日《路透社》报道，前美国司法部律师周四告诉陪审团，他同时代表嘻哈艺术家普拉斯·米歇尔工作，"
    "作为非法外国影响运动的一部分，以说服川普政府将一名持不同政见者遣返中共国。",
    "乔治•海根巴瑟姆（George Higginbotham）作证说，他在司法部工作期间，通过向老朋友米歇尔提供法律建议来赚钱。"
    "他的职责包括为米歇尔与商人刘特佐的一些交易提供便利。检察官说，刘特佐从马来西亚主权财富基金1MDB中贪污了数十亿美元。",
    "海根巴瑟姆是在对米歇尔的刑事审判中为政府作证的最新证人，米歇尔被指控接受数百万美元，代表刘特佐进行三次不同的非法游说活动。",
    "“这可能会给我带来很多麻烦，”他告诉陪审团，他回忆起自己的想法，并补充说，他的行为“绝对超出了官方界限”。",
    "海根巴瑟姆补充说，不幸的是，情况显然并非如此。",
]
FOOTER = "免责声明：本文内容仅代表作者个人观点，平台不承担任何法律风险。"


def n(lines: list[str]) -> list[str]:
    return normalize_lines(lines)


def test_identical_texts():
    result = compare(n(ARTICLE), n(ARTICLE))
    assert result == Fidelity(1.0, True, ())


def test_differences_of_form_are_not_differences():
    repost = n(markdown_to_lines(
        "作者：wangwenhaha\n\n"
        "[[zh:4月6日]]《[[zh:路透社]]》报道，前[[zh:美国司法部]]律师周四告诉陪审团，他同时代表嘻哈[[zh:艺术家]]普拉斯·米歇尔工作，"
        "作为非法外国影响运动的一部分，以说服[[zh:川普政府]]将一名[[zh:持不同政见者]]遣返[[zh:中共国]]。\n\n"
        "乔治·海根巴瑟姆 (George Higginbotham) 作证说, 他在**司法部**工作期间，通过向老朋友米歇尔提供法律建议来赚錢。"
        "他的職責包括为米歇尔与商人刘特佐的一些交易提供便利。\u200b检察官说，刘特佐从马来西亚主权财富基金1MDB中贪污了数十亿美元。\n"
        "海根巴瑟姆是在对米歇尔的刑事审判中为政府作证的最新证人，米歇尔被指控接受数百万美元，代表刘特佐进行三次不同的非法游说活动。\n"
        "「这可能会给我带来很多麻烦，」他告诉陪审团，他回忆起自己的想法，并补充说，他的行为「绝对超出了官方界限」。\n"
        "海根巴瑟姆补充说，不幸的是，情况显然并非如此。"
    ))
    result = compare(repost, n(ARTICLE))
    assert result.hunks == ()
    assert result.faithful
    assert result.similarity == 1.0


def test_line_breaks_are_not_differences():
    joined = ["".join(n(ARTICLE))]
    result = compare(joined, n(ARTICLE))
    assert result.faithful
    assert result.similarity == 1.0


def test_replaced_sentence_is_altered():
    original = n(ARTICLE)
    repost = list(original)
    repost[5] = n(["海根巴瑟姆补充说，这个说法完全是捏造出来的谎言。"])[0]
    result = compare(repost, original)
    assert not result.faithful
    assert result.hunks == (
        Hunk("altered", "海根巴瑟姆补充说,这个说法完全是捏造出来的谎言。", "海根巴瑟姆补充说,不幸的是,情况显然并非如此。"),
    )
    assert 0.8 < result.similarity < 1.0


def test_replacement_sharing_common_characters_is_one_change():
    # An LCS of two unrelated sentences matches scattered 的/了/, which must not split it up.
    original = ["今天的天气很好,我们去了公园散步,看到了很多的花。"]
    repost = ["昨天的会议很长,他们讨论了预算问题,做出了新的决定。"]
    result = compare(repost, original)
    assert not result.faithful
    assert len(result.hunks) == 1
    assert result.hunks[0] == Hunk("altered", repost[0], original[0])


def test_deleted_sentence_is_missing():
    original = n(ARTICLE)
    repost = [line.replace("他的职责包括为米歇尔与商人刘特佐的一些交易提供便利。", "") for line in original]
    result = compare(repost, original)
    assert result.hunks == (Hunk("missing", "", "他的职责包括为米歇尔与商人刘特佐的一些交易提供便利。"),)
    assert not result.faithful


def test_deleted_paragraph_is_missing():
    original = n(ARTICLE)
    repost = original[:3] + original[4:]
    result = compare(repost, original)
    assert result.hunks == (Hunk("missing", "", original[3]),)


def test_a_line_one_side_lacks_is_shown_whole_where_its_neighbour_differs_a_little():
    """Beside a line that differs by a mark ("* " a page shows as text), the alignment could put
    a missing line anywhere its text repeats: it took the full stop before it and left its own
    behind (".\n第二段..."), and the line no longer read as the line of prose it is."""
    for repost, original, op, line in (
        (["The council meets on Monday."], ["* The council meets on Monday.", "Keep your comments civil and on topic."],
         "missing", "Keep your comments civil and on topic."),
        (["* 第一段文字。", "第二段文字说了很多很多事情。", "第三段。"], ["第一段文字。", "第三段。"],
         "added", "第二段文字说了很多很多事情。"),
        (["* 第一段文字。", "第三段。"], ["第一段文字。", "第二段文字说了很多很多事情。", "第三段。"],
         "missing", "第二段文字说了很多很多事情。"),
    ):
        result = compare(repost, original)
        assert [(h.op, h.repost or h.original) for h in result.hunks] == [(op, line)], (repost, original)


def test_a_missing_line_that_ends_as_the_line_before_it_is_shown_whole():
    """A long run without full stops is cut into units anywhere (after "提" here), so a line the
    repost lacks, ending as the line before it does ("…提出意见。"), was found as the end of that
    line and itself cut short ("出意见。\\n2、登陆…”提"): no longer the line of prose it is."""
    first = ("1,登陆中国政府法制信息网(网址:http://www.chinalaw.gov.cn),通过网站首页左侧的\"部门规章草案意见"
             "征集系统\",对征求意见稿提出意见。")
    second = ("2,登陆国家质检总局网站(网址:http://www.aqsiq.gov.cn),进入主页草案意见征询栏点击\"《家用汽车产品修理,"
              "更换,退货责任规定(第二次征求意见稿)》\"提出意见。")
    result = compare([first], ["中国网china.com.cn时间: 2012-01-17发表评论>>", first, second])
    assert [h.original for h in result.hunks][-1] == second
    # the same for a line the repost adds
    result = compare(["中国网china.com.cn时间: 2012-01-17发表评论>>", first, second], [first])
    assert [h.repost for h in result.hunks][-1] == second


def test_inserted_sentence_is_added():
    original = n(ARTICLE)
    repost = original[:2] + ["转载者按:这是转载者自己加上的一句评论。"] + original[2:]
    result = compare(repost, original)
    assert result.hunks == (Hunk("added", "转载者按:这是转载者自己加上的一句评论。", ""),)
    assert not result.faithful


def test_hunks_are_in_order():
    original = n(ARTICLE)
    repost = original[:3] + original[4:] + ["文末新加的一段话,原文里并没有这段话。"]
    ops = [h.op for h in compare(repost, original).hunks]
    assert ops == ["missing", "added"]


def test_short_runs_are_not_changes():
    original = n(ARTICLE)
    repost = list(original)
    repost[1] = repost[1].replace("周四", "周五").replace("陪审团", "陪审员")  # two 1-char edits
    repost[4] = repost[4].replace("很多麻烦", "许多的麻烦")  # a 2-char edit
    result = compare(repost, original)
    assert result.faithful
    assert result.hunks == ()
    assert result.similarity < 1.0


def test_run_of_exactly_min_change_chars_is_a_change():
    original = ["他的职责包括为米歇尔与商人的一些交易提供便利。"]
    seven = ["他的职责包括为米歇尔与商人一二三四五六七的一些交易提供便利。"]
    eight = ["他的职责包括为米歇尔与商人一二三四五六七八的一些交易提供便利。"]
    assert compare(seven, original).faithful
    result = compare(eight, original)
    assert not result.faithful
    assert result.hunks[0].op == "added"
    assert result.hunks[0].repost == "一二三四五六七八"
    assert compare(seven, original, min_change_chars=4).hunks[0].repost == "一二三四五六七"


def test_boilerplate_is_left_out_of_both_sides():
    original = n(ARTICLE + [FOOTER, "ROL Foundation"])
    repost = n(["上传者的网站声明:未经许可不得转载。"] + ARTICLE)
    boilerplate = frozenset(n([FOOTER, "ROL Foundation", "上传者的网站声明:未经许可不得转载。"]))
    assert not compare(repost, original).faithful
    result = compare(repost, original, boilerplate=boilerplate)
    assert result == Fidelity(1.0, True, ())


def test_similarity_is_symmetric_and_bounded():
    original = n(ARTICLE)
    repost = original[:2] + original[3:]
    forward, backward = compare(repost, original), compare(original, repost)
    assert forward.similarity == backward.similarity
    assert 0.0 < forward.similarity < 1.0
    assert [h.op for h in forward.hunks] == ["missing"]
    assert [h.op for h in backward.hunks] == ["added"]


def test_empty_sides():
    assert compare([], []) == Fidelity(1.0, True, ())
    result = compare([], n(ARTICLE))
    assert result.similarity == 0.0
    assert [h.op for h in result.hunks] == ["missing"]


def _unrelated(seed: int, size: int) -> list[str]:
    rng = random.Random(seed)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    text = "".join(rng.choice(chars) + ("。" if rng.random() < 0.04 else "") for _ in range(size))[:size]
    return [text[i : i + 250] for i in range(0, size, 250)]


def test_two_unrelated_long_texts():
    a, b = _unrelated(1, 50_000), _unrelated(2, 50_000)
    result = compare(a, b)
    assert not result.faithful
    assert result.similarity < 0.2
    assert {h.op for h in result.hunks} <= {"altered", "missing", "added"}
    assert sum(len(h.repost) for h in result.hunks) > 40_000
    assert sum(len(h.original) for h in result.hunks) > 40_000


def test_differs():
    old = n(ARTICLE)
    assert not differs(old, list(old), min_change_chars=8)
    assert not differs(old, n(["".join(ARTICLE)]), min_change_chars=8)  # only line breaks
    small = [line.replace("周四", "周五") for line in old]
    assert not differs(old, small, min_change_chars=8)
    assert differs(old, old + ["编者更新:本文于次日补充了一段新的内容。"], min_change_chars=8)
    assert differs(old, old[:-1], min_change_chars=8)
    assert not differs(old, old[:-1], min_change_chars=100)


def _poem(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    han = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳云腾致雨露结为霜金生丽水玉出昆冈"
    return ["".join(rng.choice(han) for _ in range(rng.randint(4, 12))) for _ in range(n)]


def test_line_breaks_in_other_places_do_not_matter_in_a_long_text():
    # A long text without sentence punctuation (subtitles, poems), its lines kept by the
    # repost and joined into paragraphs by the original: no unit may depend on where the
    # lines break, or the whole text becomes one stretch too large to diff.
    lines = _poem(1, 3000)
    joined = ["".join(lines[k:k + 7]) for k in range(0, len(lines), 7)]
    result = compare(lines, joined)
    assert result.faithful and result.hunks == ()
    assert result.similarity == 1.0
    edited = list(joined)
    edited[200] = edited[200][:5] + "这是原文里新加进来的一段话" + edited[200][5:]
    result = compare(lines, edited)
    assert [h.op for h in result.hunks] == ["missing"]
    assert result.hunks[0].original == "这是原文里新加进来的一段话"
    assert result.similarity > 0.99


def test_spaces_are_not_counted_in_similarity():
    result = compare(["Hello world, this is a test."], ["Hello   world,  this is a  test."])
    assert result.faithful and result.similarity == 1.0


def _units_by_definition(text: str) -> list[int]:
    """Unit starts as `fidelity` defines them, one candidate cut at a time (slow, plain)."""
    from crawler.fidelity import _CUT_HAN, _UNIT_END, _UNIT_MIN, _content

    ends = [m.end() for m in _UNIT_END.finditer(text)]
    cuts, last, j = [], 0, 0
    for m in _CUT_HAN.finditer(text):
        while j < len(ends) and ends[j] <= m.end():
            last, j = ends[j], j + 1
        if _content(text, last, m.end()) >= _UNIT_MIN:
            cuts.append(m.end())
            last = m.end()
    starts = [0]
    for e in sorted(set(ends).union(cuts)):
        while e < len(text) and text[e] in " \n":
            e += 1
        if starts[-1] < e < len(text):
            starts.append(e)
    return starts


def test_alignment_units_skip_no_cut_the_definition_makes():
    # The unit cutter skips candidate cuts that cannot qualify; it must cut exactly where
    # looking at every candidate would.
    from crawler.fidelity import _unit_starts

    rng = random.Random(5)
    alphabet = "天地玄黄宇宙洪荒日月盈昃辰宿列张一丁七万丈三上下不与丐丑专且 \n。.!?;\"'》ab"
    texts = ["\n".join(n(ARTICLE)), "\n".join(_poem(2, 300))]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 300))) for _ in range(3000)]
    for text in texts:
        assert _unit_starts(text) == _units_by_definition(text), text


# --- texts as published, changes marked whole ----------------------------------------------

def _published(lines: list[str]) -> tuple[list[str], list[str]]:
    from crawler.normalize import normalize_pairs

    pairs = normalize_pairs(lines)
    return [p[0] for p in pairs], [p[1] for p in pairs]


def test_hunks_show_each_side_as_published_not_normalised():
    # The original in traditional script with full-width punctuation, brackets and an
    # invisible mark; the repost in simplified script with ASCII commas: each hunk holds
    # each side's own text, and the change is marked where the texts really differ.
    original = ["【更新】據最新消息，相關方面\u200b已經確認：會議將在下週舉行。", "这是第二段，内容保持不变。"]
    repost = ["【更新】据最新消息, 相关方面已经确认: 会议将在明年三月于上海国际会展中心举行。", "这是第二段，内容保持不变。"]
    (r_norm, r_pub), (o_norm, o_pub) = _published(repost), _published(original)
    assert o_norm[0] != original[0]  # normalisation did fold something
    result = compare(r_norm, o_norm, repost_published=r_pub, original_published=o_pub)
    (hunk,) = result.hunks
    assert hunk.op == "altered"
    assert hunk.original == original[0]
    assert hunk.repost == repost[0]
    assert [hunk.original[s:e] for s, e in hunk.original_marks] == ["下週"]
    assert [hunk.repost[s:e] for s, e in hunk.repost_marks] == ["明年三月于上海国际会展中心"]


def test_a_replaced_sentence_is_marked_whole_on_both_sides():
    # Two unrelated sentences share a scattered 记, 后, ， and 。: no crumbs of them stay
    # unmarked inside the change; the sentences around are unmarked context.
    before = "会议于周一上午在市政厅举行。"
    old = "记者在现场看到，人群后来逐渐散去了，秩序良好。"
    new = "据悉该项计划因为资金短缺已被搁置，记录显示此后再无进展。"
    after = "下一次会议的时间尚未确定。"
    result = compare(n([before + new + after]), n([before + old + after]),
                     repost_published=[before + new + after], original_published=[before + old + after])
    (hunk,) = result.hunks
    assert hunk.op == "altered"
    marked_o = [hunk.original[s:e] for s, e in hunk.original_marks]
    marked_r = [hunk.repost[s:e] for s, e in hunk.repost_marks]
    assert len(marked_o) == 1 and len(marked_r) == 1
    assert marked_o[0].rstrip("。") == old.rstrip("。") and marked_r[0].rstrip("。") == new.rstrip("。")
    assert before not in marked_o[0] and after not in marked_r[0]


def test_an_empty_side_with_published_lines_compares_as_without_them() -> None:
    # Boilerplate can leave a side with no lines while its published lines were given.
    got = compare(["全部是转载的正文，没有别的内容。"], [], repost_published=["全部是转载的正文,没有别的内容。"],
                  original_published=[])
    assert not got.faithful and got.hunks[0].op == "added"
    assert got.hunks[0].repost == "全部是转载的正文,没有别的内容。"


def test_a_long_paragraph_shows_its_published_text_without_aligning_every_pair_of_characters() -> None:
    # the alignment of a line with its published form cost the product of their lengths (a
    # paragraph of 400,000 characters: minutes); it now aligns the common head and tail first
    from crawler.fidelity import _opcodes

    rng = random.Random(7)
    for _ in range(200):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 12)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 12)))
        ops = _opcodes(a, b)
        # the ops cover both strings, in order, without a gap
        assert [o.src_start for o in ops[1:]] == [o.src_end for o in ops[:-1]]
        assert [o.dest_start for o in ops[1:]] == [o.dest_end for o in ops[:-1]]
        assert (ops[0].src_start, ops[-1].src_end) == (0, len(a)) if ops else a == b == ""
        assert (ops[0].dest_start, ops[-1].dest_end) == (0, len(b)) if ops else True
    long = "第一段正文内容。" * 50_000
    fid = compare([long[:-4] + "另一个结尾"], [long], min_change_chars=4,
                  original_published=[long.replace("。", "。 ")])
    assert not fid.faithful and fid.hunks[0].original.endswith("。")
