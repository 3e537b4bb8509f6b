"""Inside the container: what is left out (link lists, flagged boxes, labels, duplicates)."""

from __future__ import annotations

import re

from crawler.extract.score import _PUNCT_RE, _SENT_END_RE, SENTENCE_ENDS_RE, without_closing_ellipsis
from crawler.extract.title import _squash
from crawler.extract.walk import _HEADINGS, _Page, describes_image

_ITEM_TAGS = frozenset(("li", "dt", "dd", "td", "th"))


_EDGE_WHEN = (r"\d{4}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}|\d{1,2}:\d{2}|"
              r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2},? \d{4}|"
              r"^(?:by|posted by|written by|published|updated)\b")
# words of a meta line or a button ("来源：", "【打印】【关闭】") that prose uses too ("工厂已关闭。")
_EDGE_WORDS = r"来源|來源|编辑|編輯|责编|責編|字号|字號|打印|关闭|關閉|位置：|关键词|關鍵詞"
_EDGE_META_RE = re.compile(_EDGE_WHEN + "|" + _EDGE_WORDS, re.I)
_EDGE_WHEN_RE = re.compile(_EDGE_WHEN, re.I)
_EDGE_WORDS_RE = re.compile(_EDGE_WORDS)
_ENDS_CJK_SENTENCE = re.compile(r"[。！？]\s*$")
_LEGAL_RE = re.compile(
    # (a notice's words: "版权所有", "Copyright © 2019"; an article may speak of copyright)
    r"版权所有|版權所有|版权(?:归|属|声明)|版權(?:歸|屬|聲明)|(?:版权|版權)[^。]{0,20}(?:本网|本網|本站|联系|聯系|聯係|聯繫)|"
    r"\bcopyright\b\s*(?:©|\(c\)|\d{4}|notice\b)|^\W*copyright\b|\bsubject to copyright\b|"
    r"\b(?:no part [^.]{0,40}|may not be )(?:re)?produced\b|"
    # (a notice opens with "Disclaimer:"; "his statements included disclaimer clauses" is prose)
    r"©|all rights reserved|^\W*(?:免责声明|免責聲明|disclaimer\b)|(?:免责声明|免責聲明|\bdisclaimer)\s*[:：]|"
    # "未经本网授权不得转载": not "未经授权使用我们的技术", words of an article
    r"(?:未经|未經).{0,30}(?:授权|授權).{0,10}(?:不得|禁止|严禁|嚴禁|请勿|請勿|任何|转载|轉載|复制|複製|刊登|摘编|摘編|使用本)|"
    r"不得转载|不得轉載|禁止转载|禁止轉載|严禁转载|嚴禁轉載|"
    # the site's word that an opinion or a comment is not its own
    r"\bdo(?:es)? not necessarily (?:reflect|represent)\b"
    r"|\b(?:views|opinions) expressed\b[^.]{0,60}\bare (?:those of the authors?\b|(?:the author'?s|their) own\b|solely)"
    r"|(?:不|并不|並不)(?:代表|表明|表示)本(?:网|網|站|报|報|刊)"
    # a platform's word that its users post what it shows and it only stores it (NetEase, Sohu)
    r"|(?:仅|僅)提供信息(?:存储|存儲)(?:空间|空間)?(?:服务|服務)|\bonly provides? information storage services?\b"
    r"|(?:观点|觀點)(?:仅|僅)代表作者",
    re.I,
)
# a web address, as text
_ADDRESS = re.compile(r"(?:https?://|www\.)\S+", re.I)
# a credit or a lead-in: "编辑：张三", "Photo: AP", "图片来源：网络", "更多资讯，请关注：" --
# a short label and a colon, then at most a short value that is not a sentence
_CREDIT_RE = re.compile(r"^[^:：。！？!?]{1,12}[:：][^。！？!?]{0,40}$")
# a labelled line that says no sentence ("截图来自：<url>", "Bildnachweis: X/Y")
_LABELLED_RE = re.compile(r"^[^:：。！？!?]{1,12}[:：][^。！？!?]*$")
_PROMO_RE = re.compile(
    r"\bsign up\b|\bsubscribe\b|\bnewsletters?\b|\bfollow (?:us|[^.]{0,60}\bon (?:twitter|facebook|instagram))"
    r"|\b(?:in|to|into|meet|hit) your inbox\b|\bget (?:breaking[- ]news |news |email |our )?alerts\b",
    re.I,
)
# The site asks for money, for its app on the reader's phone, for manners in its comments or
# for the typos its readers find, or says that it earns from its links (read in a line of a few
# sentences only: an article may report such words).
APPEAL_MAX_CHARS = 300
_APPEAL_RE = re.compile(
    r"\bsupport (?:independent|quality|local|our) journalism\b|\bdonate (?:today|now)\b"
    r"|\b(?:donation|contribution) of any (?:size|amount)\b|\bbecome a (?:member|subscriber|supporter) (?:today|now)\b"
    r"|\b(?:download|get) our (?:free )?app\b|\bcomments are (?:moderated|closed|reviewed)\b"
    r"|\b(?:read|follow|see|review) our community (?:guidelines|standards|rules)\b"
    r"|\byour comments? (?:may|will|must|should)\b"
    r"|\bplease (?:keep|be) (?:\w+ ){0,2}(?:civil|respectful|courteous|polite|on[- ]topic)\b"
    # a typo box: "select the text and press Ctrl+Enter", in any language
    r"|(?<![a-z])ctrl\s*\+\s*enter(?![a-z])|\breport (?:a|the) typo\b"
    r"|(?:发现|發現)(?:错别字|錯別字|错字|錯字)[^。！\n]{0,6}(?:请|請)"
    r"|(?:请|請|欢迎|歡迎|敬请|敬請|扫码|掃碼|长按|長按)[^。！]{0,10}(?:关注|關注)[^。！]{0,12}"
    r"(?:公众号|公眾號|微博|微信|头条号|頭條號)|网友评论仅供|網友評論僅供"
    # a button's label set in the text ("【点击投票】"), the site's app offered with a perk
    r"|【\s*(?:点击|點擊|点此|點此)[^】]{0,8}】"
    r"|(?:下载|下載)[^。！!，,\n]{0,8}(?:客户端|客戶端|app)[^。！!\n]{0,16}(?:福利|优惠|優惠|好礼|好禮|红包|紅包)"
    r"[^。！!\n]{0,6}(?:哦|噢|吧|呦|[~～])"  # (said to the reader: news of an app's offer says it otherwise)
    # ...or says that it earns from the links in it
    r"|\bwe (?:may )?(?:earn|receive|get) (?:a )?(?:small )?(?:commission|compensation)\b|\bas an amazon associate\b"
    # ...or says who pays for it: "depends on donations from readers like you"
    r"|\b(?:from|by|of) readers like you\b",
    re.I,
)


# A follow-us or newsletter promo is a sentence or two; a longer closing block is prose.
PROMO_MAX_CHARS = 200
_READER = re.compile(r"\b(?:[Yy]our?|[Oo]ur|[Ww]e|us)\b")  # the site speaks to its readers (not "the US")


def speaks_to_reader(line: str) -> bool:
    """Whether a line addresses the page's readers (you, your, our, we, us)."""
    return _READER.search(line) is not None


def promotes(line: str) -> bool:
    """A line in which the site calls its readers to sign up, subscribe or follow it: a call that
    opens the line ("Sign up for ...", "Follow @X on Twitter ..."), whatever its length, or a short
    line addressed to them ("Get it in your inbox"); not words of the article ("volunteers sign
    up each year", "the company continued to sign up subscribers")."""
    m = _PROMO_RE.search(line)
    if m is None:
        return False
    if not line[:m.start()].strip():
        return True
    return len(line) <= PROMO_MAX_CHARS and (speaks_to_reader(line) or SENTENCE_ENDS_RE.search(line[:m.start()]) is not None)


def appeals(line: str) -> bool:
    """A line of a few sentences in which the site asks its readers for something (money, its
    app, manners in the comments), or says that it earns from its links: the page's furniture,
    not the article's words."""
    return len(line) <= APPEAL_MAX_CHARS and _APPEAL_RE.search(line) is not None

# What a teaser says where its article stops: the rest is for those who sign in, subscribe or
# pay, or behind a "read the full text" link (SPEC 7, excerpts). Read only in a short line at
# the edge of a body, or right after the article's last line the page shows
# (`witness.withheld_after`): a listing's cards say "阅读全文" too, and an article may quote it.
_WITHHELD = re.compile(
    r"(?:登录|登錄|登入|注册|註冊|订阅|訂閱|付费|付費|购买|購買|开通|開通|加入|成为|成為|升级|升級)[^。，,.!！?？\n]{0,10}"
    r"(?:阅读|閱讀|查看|观看|觀看|浏览(?!器)|瀏覽(?!器)|解锁|解鎖|继续|繼續)"
    r"|(?:阅读|閱讀|查看|展开|展開|浏览|瀏覽)(?:全文|完整|剩余|剩餘|余下|餘下|全部)"
    r"|(?:剩余|剩餘|还剩|還剩|余下|餘下)[^。\n]{0,10}(?:未读|未讀|内容|內容|全文)"
    r"|(?:付费|付費|会员|會員|订阅|訂閱|VIP)(?:专享|專享|专属|專屬|独享|獨享)"
    r"|\b(?:subscribe|sign in|sign up|log ?in|register|join)\b.{0,30}\bto (?:read|view|access|unlock|see)"
    r" (?:the |this )?(?:full|rest|entire|whole|complete)\b"
    r"|\bto (?:continue|keep) reading\b|\bcontinue reading\b(?! below)|\bkeep reading\b"
    r"|\bread (?:the )?(?:full|whole|entire|rest of the|complete) (?:article|story|post|text|report)\b"
    r"|\b(?:article|story|content|post) is (?:only )?(?:available|reserved|exclusive) (?:to|for) (?:our )?"
    r"(?:paying )?(?:subscribers|members)\b|\b(?:subscribers?|members?)[- ]only\b|\balready a (?:subscriber|member)\b"
    r"|\b(?:subscribe|sign up|join)(?: now| today)? (?:for|to get|to gain) (?:unlimited|full|digital|premium)(?: digital)? access\b"
    r"|^\W*get (?:unlimited|full|premium) (?:digital )?access\b",
    re.I)
_WITHHELD_LINE_MAX = 120
_LOADING_ZH = "正在加载|正在載入|正在加載|加载中|加載中|載入中"
# A script still to write the rest in ("Loading the rest of the story…", "加载中").
_STILL_LOADING = re.compile(r"\bloading\b|" + _LOADING_ZH, re.I)
# A shell's placeholder until its script writes the article, the same for every URL of its site:
# a line that says only that the page is loading ("Loading, please wait...", "页面正在加载中，请
# 稍候"), or asks for JavaScript, a newer browser or consent to cookies. No article, and no
# message of an error.
_LOADING = re.compile(
    r"^[^\w\"“”'‘’「『]*(?:(?:the )?(?:page|content|article|story) is loading\b|loading\s*(?:[.…,]|$)|"
    r"please wait\s*(?:[.…,]|$|while\b)|one moment,? please\b|(?:页面|頁面)?(?:"
    + _LOADING_ZH + ")|请稍候|請稍候|请稍等|請稍等)", re.I)
_ASKS = re.compile(
    r"\b(?:requires?|needs?|enable|turn on|activate) javascript\b|\bjavascript (?:is )?(?:disabled|required|must be enabled)\b"
    r"|(?:启用|开启|開啟|啟用|打开|打開|支持|支援)\s*javascript|javascript\s*(?:已被?禁用|被禁用|未启用|未啟用)"
    r"|\byour browser is (?:out of date|outdated|not supported|no longer supported)\b|\b(?:update|upgrade) your browser\b"
    r"|(?:浏览器|瀏覽器)版本(?:过低|過低|太低)|(?:请|請)(?:升级|升級|更新)(?:您的)?(?:浏览器|瀏覽器)"
    r"|\bwe use cookies\b|\buse of cookies\b|\bcookie (?:policy|settings|preferences)\b|使用\s*cookie", re.I)
_NOT_LOADING = re.compile(r"fail|error|not found|失败|失敗|错误|錯誤|不存在", re.I)
_PLACEHOLDER_MAX = 200  # characters: a cookie notice runs to two sentences


def withholds_rest(line: str) -> bool:
    """Whether a short line of a page says that the rest of its article is withheld: for those
    who sign in, subscribe or pay, or behind a "read the full text" link. Such a line is the
    page's furniture, never the article's text."""
    return len(line) <= _WITHHELD_LINE_MAX and _WITHHELD.search(line.replace("\u2019", "'")) is not None


def placeholder_line(line: str) -> bool:
    """Whether a line of a page is only a shell's placeholder (loading, asking for JavaScript,
    a newer browser or consent to cookies)."""
    return len(line) <= _PLACEHOLDER_MAX and (_LOADING.search(line) is not None or _ASKS.search(line) is not None) \
        and _NOT_LOADING.search(line) is None


# An edge block shorter than this (weighted length: four CJK characters, a Latin word or
# two) is a label whatever it says.
LABEL_MIN_LEN = 12
# A dateline or credit pattern makes a label only of a line this short (characters): a
# longer one is a sentence that names a date or a source.
LABEL_MAX_CHARS = 60
# A legal notice runs to a few sentences; a longer block naming copyright is article text.
LEGAL_MAX_CHARS = 300
# A closing line this short that ends no sentence ("More news, follow us") closes nothing.
TRAILER_MAX_CHARS = 20
# A source line shorter than this (weighted length) without punctuation is a label (a name,
# a date, a heading): the bound under which an unpunctuated block weighs nothing.
LINE_LABEL_MAX_LEN = 60
# Only a line this long (characters, spaces dropped) is dropped as a copy: a shorter one may
# recur in a text (a name in a list of credits, a refrain).
COPY_MIN_CHARS = 30
# The JSON-LD body replaces the DOM's only when the DOM gave less than this share of it: a
# template that lost the body, not a body trimmed of its credits.
LD_MUCH_MORE_SHARE = 0.5
# The JSON-LD body counts as the page's when its opening this long (characters, spaces
# dropped) is on the page: long enough to be no coincidence, inside its first sentence.
LD_PROBE_CHARS = 60


_FIGURE_TAGS = frozenset(("figure", "figcaption"))


def _clean(page: _Page, idx: list[int], ws, lens, puncts, avoid, flagged):
    """Blocks of the body (indexes), the labels trimmed at its edges (indexes), and the
    label lines split off the source of the edge blocks (texts; the rest of such a block
    is then in ``page.override``)."""
    keep: list[int] = []
    for i in idx:
        if flagged[page.owner[i]]:
            continue
        if page.linky[i]:
            continue
        if ws[i] <= 0 and page.etag[page.owner[i]] in _FIGURE_TAGS:
            # a picture's credit or short caption, wherever it stands ("Courtesy of Zillow")
            continue
        keep.append(i)
    # title repeated in the body
    avoid_set = set(avoid)
    if avoid_set:
        top = max(map(len, avoid_set))  # (see _title_element)
        texts, nchars = page.texts, page.nchars
        keep = [i for i in keep if nchars[i] > top or _squash(texts[i]).lower() not in avoid_set]
    if page.alts:
        # an image's caption shown apart from it (a gallery's slide): what its alt says
        keep = [i for i in keep if not describes_image(page.texts[i], page.alts)]
    # labels, datelines, source / editor credits, legal notices, follow-us promos at the
    # edges of the body
    texts_, nchars_ = page.texts, page.nchars

    credits = True  # off for a body made of "label: value" lines (a schedule, a fact box)

    def is_label(i: int) -> bool:
        if lens[i] < LABEL_MIN_LEN or (ws[i] <= 0 and page.kinds[i] not in _HEADINGS):
            return True
        t = texts_[i]
        if nchars_[i] <= LABEL_MAX_CHARS and (_edge_meta(t) or (credits and _CREDIT_RE.match(t))):
            return True
        return nchars_[i] <= LEGAL_MAX_CHARS and _LEGAL_RE.search(t) is not None

    def is_trailer(i: int) -> bool:
        # a short line that ends no sentence ("More news, follow us") closes nothing, nor does a
        # name and its web address ("Twitter https://twitter.com/x"); a line that leads in to
        # what follows may (it introduces an embedded post: "Twitter seemed confused:")
        t = texts_[i]
        return is_label(i) or listed(i) or promotes(t) or appeals(t) or (
            nchars_[i] <= TRAILER_MAX_CHARS and not _SENT_END_RE.search(t)) or withholds_rest(t) or (
            nchars_[i] <= LABEL_MAX_CHARS and _addressed(t))

    def listed(i: int) -> bool:
        # a run of other stories' cards where the body ends: the article stops before it
        return bool(page.listed) and page.listed[page.owner[i]]

    override = page.override

    def split(i: int, first: bool) -> bool:
        """Split label lines of its source off the edge of block i; True if none is left."""
        raw = page.raw.get(i)
        if raw is None:
            return False
        lines = [" ".join(x.split()) for x in raw.split("\n")]
        lines = [x for x in lines if x]
        order = lines if first else lines[::-1]
        k = 0
        while k < len(order) and _label_text(order[k], credits, order[k + 1] if k + 1 < len(order) else ""):
            k += 1
        if not k:
            return False
        cut = order[:k] if first else order[:k][::-1]
        edge_texts.extend(cut)
        if k > 1:  # the source may break one line where a space was
            edge_texts.append(" ".join(cut))
        rest = lines[k:] if first else lines[: len(lines) - k]
        if rest:
            override[i] = " ".join(rest)
        return not rest

    def trim(keep: list[int]) -> tuple[list[int], list[int]]:
        keep = keep[:]
        edge: list[int] = []
        del edge_texts[:]
        override.clear()
        while keep:
            if is_label(keep[0]):
                edge.append(keep.pop(0))
            elif split(keep[0], True):
                keep.pop(0)
            else:
                break
        while keep:
            if is_trailer(keep[-1]):
                edge.append(keep.pop())
            elif split(keep[-1], False):
                keep.pop()
            else:
                break
        return keep, edge

    edge_texts: list[str] = []
    body, edge = trim(keep)
    if not body:
        credits = False
        body, edge = trim(keep)
    # no body left: all were labels (the caller decides what that means)
    return body, edge, edge_texts, (keep if not body else [])


def _addressed(t: str) -> bool:
    """A line that is mostly a web address: a name and its address, no sentence."""
    at = _ADDRESS.search(t)
    return at is not None and 2 * len(at.group(0)) >= len(t.strip())


def _edge_meta(t: str) -> bool:
    """A meta line at a body's edge: a date or a time, a byline, or "来源", "打印", "关闭" in a
    line that ends no sentence ("来源：新华网", "【打印】【关闭】"); a short paragraph that
    ends one ("工厂已于周一关闭。", "据消息来源透露，……。") is the article's."""
    return _EDGE_WHEN_RE.search(t) is not None or (
        _EDGE_WORDS_RE.search(t) is not None and _ENDS_CJK_SENTENCE.search(t) is None)


def _spaced(c: str) -> bool:
    """A letter or digit of a script that puts spaces between words (not Han or kana)."""
    return c.isalnum() and not ("\u3040" <= c <= "\u30ff" or "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")


def _label_text(t: str, credits: bool, beyond: str) -> bool:
    """A line of a block's source that is a label: short and unpunctuated, a credit, a
    dateline, a legal notice (the tests of ``_clean`` on a line of text).  ``beyond`` is
    the line on the other side of the break ("" at the block's end): a break next to a
    letter or digit of a spaced script (Latin, Hangul, digits) may be a mere space of the
    source, so only a credit ("label: value") is then set apart."""
    n = len(t) - t.count(" ")
    L = n if t.isascii() else len(t.encode()) - t.count(" ")
    loose = beyond and (_spaced(t[-1]) or _spaced(t[0]) or _spaced(beyond[0]) or _spaced(beyond[-1]))
    if L < LINE_LABEL_MAX_LEN and not loose and not _PUNCT_RE.search(t):
        return True
    if n <= LABEL_MAX_CHARS and ((not loose and _edge_meta(t)) or (credits and _CREDIT_RE.match(t))):
        return True
    return n <= LEGAL_MAX_CHARS and _LEGAL_RE.search(t) is not None


def _quoted(page: _Page, e: int) -> bool:
    """Element e is inside a <blockquote>."""
    etag, eparent = page.etag, page.eparent
    while e > 0:
        if etag[e] == "blockquote":
            return True
        e = eparent[e]
    return False


def _finish(page: _Page, keep: list[int], extra: list[int], cut: list[str]) -> tuple[list[str], list[str]]:
    """Paragraphs of the kept blocks, and the extra lines of the other blocks given."""
    # cells of one table row make one paragraph
    etag, eparent = page.etag, page.eparent
    texts: list[str] = []
    owners: list[int] = []
    last_row = -1
    override = page.override
    for i in keep:
        o = page.owner[i]
        t = override.get(i) or page.texts[i]
        row = eparent[o] if etag[o] in ("td", "th") and etag[eparent[o]] == "tr" else -1
        if row >= 0 and row == last_row:
            texts[-1] += " | " + t
        else:
            texts.append(t)
            owners.append(o)
        last_row = row
    # exact duplicates (summary boxes repeating the lead, mobile/desktop copies); a short
    # line may recur in a text (a name in a list of credits, a refrain), so may a
    # labelled credit (a picture credit under each picture), and a quotation
    # repeats what it quotes (an embedded post after the text that introduced it)
    # -- and a line recurs on its own among other lines (a refrain, a slogan repeated in
    # a transcript): a copy repeats its neighbours too, or follows what it copies
    out: list[str] = []
    seen: set[str] = set()
    sqs = [_squash(t) for t in texts]
    first: dict[str, int] = {}
    n = len(sqs)
    for k, (t, o) in enumerate(zip(texts, owners)):
        sq = sqs[k]
        j = first.get(sq)
        if j is None:
            first[sq] = k
        elif len(sq) >= COPY_MIN_CHARS and not _quoted(page, o) and not _LABELLED_RE.match(t) and (
                k - j == 1 or (j > 0 and sqs[k - 1] == sqs[j - 1])
                or (k + 1 < n and sqs[k + 1] == sqs[j + 1])):
            continue
        seen.add(sq)
        out.append(t)
    extras: list[str] = []
    lines = []
    for i in sorted(set(extra)):
        lines.append(page.texts[i])
        raw = page.raw.get(i)
        if raw is not None:
            # a copy may keep the lines of its source apart ("参考链接：", then each link)
            lines.extend(x for x in (" ".join(y.split()) for y in raw.split("\n")) if x)
    for t in cut + lines:
        sq = _squash(t)
        if sq not in seen:
            seen.add(sq)
            extras.append(t)
    return out, extras


def _maybe_json_ld(paragraphs: list[str], extras: list[str], ld_body: str, page: _Page,
                   paywalled: bool = False) -> list[str]:
    """Use JSON-LD articleBody when the DOM gave much less, the page says that it shows a part
    of its article, and the page confirms the articleBody.

    What the DOM gave is its body and the extras beside it: an articleBody that also
    holds the credits and link lines of the article is not "much more". Only a page that says
    it shows a part (its JSON-LD says the article is not free; a line says the rest is
    withheld or still loading; its text stops on an ellipsis) is a teaser of its JSON-LD: on
    another, what the page shows is the article, and an articleBody left as the article was
    before a site cut it would hide the cut.
    """
    got = sum(len(p) for p in paragraphs) + sum(len(e) for e in extras)
    if got >= LD_MUCH_MORE_SHARE * len(ld_body):
        return paragraphs
    shown = [*paragraphs, *extras]
    if not (paywalled or (shown and without_closing_ellipsis(shown[-1]) != shown[-1])
            or any(n <= _WITHHELD_LINE_MAX and (withholds_rest(t) or _STILL_LOADING.search(t))
                   for t, n in zip(page.texts, page.nchars))):
        return paragraphs
    key = _squash("".join(page.texts))
    parts = [" ".join(p.split()) for p in re.split(r"\n+", ld_body)]
    parts = [p for p in parts if p]
    # consistent with the page: its opening sentence is on the page
    probe = _squash(parts[0])[:LD_PROBE_CHARS] if parts else ""
    if probe and probe in key:
        return parts
    return paragraphs
