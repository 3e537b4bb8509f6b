"""Link status from a fetch outcome (SPEC section 3), and the soft-404 helpers. Pure, no I/O."""

from __future__ import annotations

import difflib
import html
import itertools
import random
import re
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from crawler.fetch.redirects import REDIRECT_STATUSES
from crawler.fetch.retry import bot_check_header
from crawler.normalize import count_chars
from crawler.urls import normalize_component
from store.words import DEAD_STATUSES, FAILING_STATUSES, FetchError, LinkStatus

if TYPE_CHECKING:
    from crawler.fetch import FetchResult

# Returned for a 304 when the caller did not say what the source was before: a 304 repeats
# the previous status, which only the caller knows.
NOT_MODIFIED = "not_modified"
_STATUSES = frozenset(LinkStatus)

# Every error word has its status (a test holds this mapping complete).
ERROR_STATUS: dict[FetchError, LinkStatus] = {
    FetchError.DNS: LinkStatus.UNREACHABLE,
    FetchError.REFUSED: LinkStatus.UNREACHABLE,
    FetchError.RESET: LinkStatus.UNREACHABLE,
    FetchError.TLS: LinkStatus.UNREACHABLE,
    FetchError.TIMEOUT: LinkStatus.UNREACHABLE,
    FetchError.ROBOTS_UNREACHABLE: LinkStatus.UNREACHABLE,
    FetchError.ROBOTS_DISALLOWED: LinkStatus.BLOCKED,
    FetchError.ROBOTS_ERROR: LinkStatus.BLOCKED,
    FetchError.PRIVATE_ADDRESS: LinkStatus.BLOCKED,
    FetchError.REDIRECT_LOOP: LinkStatus.SERVER_ERROR,
    FetchError.TOO_MANY_REDIRECTS: LinkStatus.SERVER_ERROR,
    # A Location we cannot follow, or an answer that is not HTTP: the server is broken.
    FetchError.BAD_REDIRECT: LinkStatus.SERVER_ERROR,
    FetchError.PROTOCOL: LinkStatus.SERVER_ERROR,
    FetchError.INTERNAL: LinkStatus.SERVER_ERROR,
}


@overload
def link_status(result: FetchResult, *, soft404: str | None = None, previous: LinkStatus) -> LinkStatus: ...
@overload
def link_status(result: FetchResult, *, soft404: str | None = None, previous: str | None = None
                ) -> LinkStatus | str: ...
def link_status(result: FetchResult, *, soft404: str | None = None, previous: str | None = None
                ) -> LinkStatus | str:
    """One status word for a check.

    soft404: the positive evidence that a 2xx page is not the article (`soft404_evidence`);
    without it a 2xx page is alive, body or no body (SPEC 3).
    previous: the source's status before this check; a 304 repeats it (NOT_MODIFIED if None).
    """
    if result.error is not None:
        return ERROR_STATUS.get(result.error, LinkStatus.SERVER_ERROR)
    status = result.status
    if status is None:
        return LinkStatus.UNREACHABLE
    if status == 304:
        if not any(k.lower() in ("if-none-match", "if-modified-since") for k, _ in result.request_headers):
            # "Not modified" since nothing: an answer to a question not asked, no page.
            return LinkStatus.SERVER_ERROR
        return LinkStatus(previous) if previous in _STATUSES else NOT_MODIFIED
    if status in (401, 403, 407, 451):
        return LinkStatus.BLOCKED
    if status in (404, 410):
        return LinkStatus.GONE
    if status == 408:
        return LinkStatus.UNREACHABLE
    if status == 429 or 500 <= status < 600:
        # A bot check answers 503 (or 429) in the page's place: the article is hidden, not failing.
        return LinkStatus.BLOCKED if bot_check(result) else LinkStatus.SERVER_ERROR
    if 400 <= status < 500 or status >= 600:
        # Any other client error (400, 405, 406, 418: what firewalls answer the crawlers they
        # turn away) or a status HTTP does not define (999): the server refused this request,
        # which is no sign that the article is gone (only 404 and 410 are, SPEC 3).
        return LinkStatus.BLOCKED
    if not 200 <= status < 300:
        # A 1xx or a 3xx that could not be followed (e.g. 300 without Location).
        return LinkStatus.SERVER_ERROR
    if soft404:
        return LinkStatus.SOFT_404
    return answered_status(result)


def answered_status(result: FetchResult) -> LinkStatus:
    """A page that is the article: `redirected` when a redirect moved it, else `alive`."""
    moved = bool(result.redirects) and not same_url(result.url, result.final_url)
    return LinkStatus.REDIRECTED if moved else LinkStatus.ALIVE


def shown_as_page(result: FetchResult) -> bool:
    """Whether a browser shows the body of this answer, which is no 2xx, as the page: an error
    status's (a 404 or a 500 whose page a broken site fills all the same) or a 3xx without a
    Location, which a browser takes as the answer itself (Fetch: no Location, no redirect). Not
    a 304 (an answer to a question), nor a redirect that could not be followed (a loop, a
    Location that is no URL): a browser shows its own error then."""
    status = result.status
    if status is None or status < 300 or status == 304 or not result.body or result.broken is not None:
        return False
    if status in REDIRECT_STATUSES:
        return result.header("location") is None
    return result.error is None


def soft404_evidence(result: FetchResult, *, error_said: str | None = None, probe_match: bool = False,
                     holds_repost: bool = False, refresh_to: str | None = None) -> str | None:
    """The positive evidence that a 2xx page is not the article, worded for the check's detail,
    or None (SPEC 3): a redirect to the site's home or a listing (by HTTP, or by the page's
    `<meta http-equiv="refresh">`: `refresh_to`, from `refresh_target`), a page that matches the
    host's answer for a URL that cannot exist, or a page that reads as an error page
    (`error_said`, from `error_phrase`). A page that holds a repost's text has none."""
    if holds_repost or result.status is None or not 200 <= result.status < 300:
        return None
    if result.redirects and not same_url(result.url, result.final_url):
        if is_listing_url(result.final_url):
            return f"soft-404: redirected to the site's home or a listing page ({result.final_url})"
        if is_error_url(result.final_url):
            return f"soft-404: redirected to an error page ({result.final_url})"
    if refresh_to and not same_url(result.final_url, refresh_to):
        if is_listing_url(refresh_to):
            return f"soft-404: the page sends its readers on to the site's home or a listing page ({refresh_to})"
        if is_error_url(refresh_to):
            return f"soft-404: the page sends its readers on to an error page ({refresh_to})"
    if probe_match:
        return "soft-404: the page is what the host serves for a URL that cannot exist (random-URL probe)"
    if error_said:
        return f"soft-404: the page reads as an error page ({error_said})"
    return None


# What an error page says, in English and Chinese (simplified and traditional). Each phrase
# names the page or its content as missing: words that an article may use about something
# else ("deleted", "不存在" alone) are not enough.
_ERROR_EN = (
    # "404" as an error's code, not a number in a headline ("Flight 404 lands safely")
    r"\b(?:error|http|code)\s*404\b|\b404\s*(?:error|not found|page)\b"
    r"|(?:^|[|\-–—:·_,(（]\s*)404\s*(?:$|[|\-–—:·_!.)）])|404\s*(?:页面|頁面|错误|錯誤)|(?:页面|頁面|错误|錯誤)\s*404",
    r"\b(?:page|article|post|story|content|file|video|document|thread|topic|item|url)s? (?:was |is )?not found\b",
    r"^\s*(?:user|account|profile)s? (?:was |is )?not found\s*[.!]?\s*$",
    r"^\s*not found\b",
    r"^\s*nothing (?:was )?found\s*[.!]?\s*$|\bnothing was found at this location\b",
    r"\b(?:page|article|post|story|content|video|thread|topic|item|link|account|profile|tweet|status)s?\b[^.!?\n]{0,40}?"
    r"(?:is |are )?(?:no longer available|unavailable"
    r"|(?:is|are)(?: currently)?(?:n't| not)(?: currently)? available(?= ?(?:right now|anymore|any longer|at the moment)?\s*[.!]?\s*$)"
    r"|(?:has|have) been (?:removed|deleted|taken down)|(?:was|were) (?:removed|deleted)|(?:does|do) not exist"
    r"|doesn't exist|could not be found|cannot be found|can't be found)\b",
    r"\b(?:sorry|oops|hmm)\b.{0,40}\b(?:(?:could not|couldn't|cannot|can't|unable to) (?:find|locate)"
    r"|not (?:be )?found|no longer (?:available|exists)|does not exist|doesn't exist)\b",
    r"\b(?:can't|cannot|could not|couldn't|unable to) find (?:the|this|that) (?:page|article|post|story|content)\b",
    r"\bno longer (?:available|exists)\b",
    r"^\s*(?:content|page|post|video|article) (?:is )?(?:not available|unavailable)\s*[.!]?\s*$",
    # (whole lines: "Trump's account suspended" is a headline)
    r"^\s*(?:this )?account (?:has been )?(?:suspended|terminated|deactivated)\s*[.!]?\s*$",
    # the page itself, right before what became of it ("This story has expired"): a headline's
    # noun is seldom the word just before ("The article 50 deadline has expired")
    r"\b(?:page|article|post|story|content|link)s?(?: you (?:requested|were looking for|are looking for))?"
    r" (?:has|have) (?:expired|gone missing)\b",
    r"\b(?:could not|couldn't|cannot|can't|unable to) find what you(?: are|'re| were) looking for\b",
    r"^\s*(?:error )?410:? gone\b",
)
# Chinese: a noun for the page or its content, then what became of it: gone, expired, deleted or
# hidden (by someone: "已被作者删除"; "已" or "被" is required, "文章删除" alone is a topic), or not
# to be seen ("因违规无法查看", what WeChat shows for a removed article).
_ERROR_ZH = (
    r"(?:页面|頁面|网页|網頁|文章|内容|內容|帖子|主题|主題|资源|資源|链接|鏈接|連結|信息|訊息|新闻|新聞|视频|視頻|影片|稿件|文件|檔案"
    r"|微博|动态|動態|此帖|该帖|該帖|帐号|帳號|账号|賬號|公众号|公眾號|作品|原文)"
    r"(?:已经|已經)?(?:不存在|不見了|不见了|未找到|找不到|找不回来了|找不回來了|(?:暂时|暫時)?(?:没有|沒有)找到|已失效"
    r"|已撤销|已撤銷|已撤回|已过期|已過期|已下线|已下線"
    r"|(?:(?:已经|已經|已)被?|被)(?:作者|发布者|發布者|发帖人|發帖人|用户|用戶|博主|版主|管理员|管理員)?"
    r"(?:删除|刪除|移除|撤下|下架|隐藏|隱藏|屏蔽|封禁)"
    r"|(?:因[^，。,.！!\n]{0,15}?)?(?:暂时|暫時)?(?:无法|無法)(?:访问|訪問|显示|顯示|查看|浏览|瀏覽))",
    r"(?:找不到|未找到|无法找到|無法找到)(?:该|該|您|你)?(?:要|所)?(?:访问|訪問|请求|請求|查看|浏览|瀏覽)?的?"
    r"(?:页面|頁面|网页|網頁|文章|内容|內容|帖子|主题|主題|资源|資源)",
    r"(?:出错了|出錯了|出错啦|出錯啦)",
    r"(?:无法|無法)(?:查看|访问|訪問|显示|顯示|浏览|瀏覽)(?:该|該|此)(?:内容|內容|页面|頁面|网页|網頁|文章|帖子)",
    # what became of it, after why ("该微博因被多人投诉，根据《微博社区公约》，已被删除")
    r"(?:内容|內容|微博|帖子|文章|作品|视频|視頻|动态|動態)因[^。！!\n]{0,30}?(?:已经|已經|已)被?(?:删除|刪除|屏蔽|下架|移除)",
    r"^\s*(?:该|該|此|这个|這個)?(?:用户|用戶|帐号|帳號|账号|賬號|账户|賬戶)(?:已经|已經)?已?(?:注销|註銷|停用|冻结|凍結|(?:被)?封禁|(?:被)?封号|(?:被)?封號)\s*[。！!.]?\s*$",
    r"(?:页面|頁面|网页|網頁|文章|内容|內容|帖子|链接|鏈接)(?:已经|已經)?(?:走丢了|走丟了|跑丢了|跑丟了|迷路了|飞走了|飛走了)",
)
_ERROR_RE = re.compile("|".join((*_ERROR_EN, *_ERROR_ZH)), re.I)
_ERROR_LINE_MAX = 120  # characters: an error message is one short line, not a paragraph of prose
_EDGES = " |-–—:·_,(（)）!."  # what a matched phrase is shown without


# After a wall's or a notice's words, a title may name the site: a few words at most ("| Cloudflare",
# "- Example News"), not a headline's clause ("Bad gateway: how a broken router took ...").
_SITE_NAME_AFTER = r"(?:\s*[-|_–—:·]\s*(?=.{0,60}$)\S+(?:\s+\S+){0,4})?$"


def _whole_title(words: str) -> re.Pattern[str]:
    """A title that is all `words` (alternatives), but for the site's name before or after."""
    return re.compile(r"^(?:.{0,60}?\s[-|_–—:·]\s*)?(?:" + words + r")[.…!！。]*" + _SITE_NAME_AFTER, re.I)


# What a page says when it stands in the article's place to keep readers or crawlers out: a bot
# check, a sign-in wall, an age gate. Such a page says nothing of the article (a host serves it
# for every URL, a random one included, so the soft-404 probe would match it): the source is
# `blocked`, never dead. A title counts when it is the wall's whole title (a site name aside);
# text counts only on a page without an article body, in short lines, as for error pages.
_WALL_TITLE = _whole_title(
    r"just a moment|attention required!?|access denied|security check(?:point)?"
    r"|pardon our interruption|access to this page has been denied|ddos-guard"
    r"|(?:human|robot|browser|captcha|security|age) (?:verification|check)|verify(?:ing)? (?:you are|you're) (?:a )?human"
    r"|are you (?:a )?(?:robot|human)\??|captcha|(?:sign|log) ?in(?: required)?|[请請]?(?:先)?登(?:录|錄|入)"
    r"|(?:用户|用戶|会员|會員)登(?:录|錄|入)|安全(?:验证|驗證|检查|檢查)|(?:人机|人機|访问|訪問|身份|滑动|滑動)(?:验证|驗證)"
    r"|(?:验证码|驗證碼)|(?:访问|訪問)(?:受限|被拒绝|被拒絕|过于频繁|過於頻繁)|(?:451:? )?unavailable for legal reasons"
    r"|subscribe(?: now| today)?|subscription required|(?:订阅|訂閱)(?:本站|会员|會員)?|付费阅读|付費閱讀")
_WALL_TEXT = re.compile(
    r"\bchecking (?:your|if the site connection is secure)|\bverify (?:that )?(?:you are|you're) (?:a )?human\b"
    r"|\benable javascript and cookies to continue\b|\bcomplete the security check\b|\bunusual traffic from your\b"
    r"|\bincapsula incident id\b|\bddos protection by\b|\bplease (?:turn|enable) javascript on and reload the page\b"
    r"|\bare you a robot\b|\byou have been blocked\b|\b(?:please )?(?:sign|log) ?in to (?:continue|read|view)\b"
    r"|\byou must be (?:1[89]|2[01])(?: years old)? or older\b"
    r"|\b(?:not |un)available in (?:your (?:country|region|location|area)|(?:most )?european countries|the (?:eu|eea)\b)"
    r"|(?:您|你)?所在(?:的)?(?:地区|地區|国家|國家)(?:(?:无法|無法|不能)(?:观看|觀看|访问|訪問|查看)|(?:暂|暫)?不可(?:用|观看|觀看))"
    r"|\bunavailable for legal reasons\b|\b(?:don't|do not) have permission to access\b"
    r"|请(?:先)?登(?:录|入)(?:后)?(?:继续|查看|访问|阅读|浏览)|請(?:先)?登(?:錄|入)(?:後)?(?:繼續|查看|訪問|閱讀|瀏覽)"
    r"|登(?:录|入)后(?:查看|继续|阅读|浏览)|登(?:錄|入)後(?:查看|繼續|閱讀|瀏覽)"
    r"|请(?:完成|进行)[^，。,.\n]{0,4}验证|請(?:完成|進行)[^，。,.\n]{0,4}驗證|请输入验证码|請輸入驗證碼"
    r"|(?:拖动|拖動|滑动|滑動)(?:滑块|滑塊)|(?:访问|訪問)(?:过于|過於)(?:频繁|頻繁)|(?:您的)?(?:访问|訪問)(?:已)?被(?:拒绝|拒絕|限制)",
    re.I)


# What a page says when its site is down for now (maintenance, an overload, a rate limit): it
# stands in the article's place as a 503 does and says nothing of the article, so the source is
# a `server_error`, dead only after `dead_after` such checks, never a soft-404 at once. Read as
# walls are: the whole title, or short lines of a page without the article.
_OUTAGE_TITLE = _whole_title(
    r"(?:site|website|scheduled|planned|down for|under) maintenance"
    r"|maintenance(?: mode| in progress)?|we(?:'ll| will| are|'re) be(?:ing)? back soon|service (?:temporarily )?unavailable"
    r"|temporarily unavailable|too many requests|rate limit(?:ed| exceeded)|bandwidth limit exceeded"
    r"|(?:(?:error )?5\d\d:? )?(?:bad gateway|gateway time-?out|web server is down|origin is unreachable|a timeout occurred)"
    r"|(?:error )?5\d\d:? connection timed out"
    r"|(?:系统|系統|网站|網站|站点|站點)?(?:升级|升級)?(?:维护|維護)(?:中|通知|公告)?|(?:服务器|伺服器|系统|系統)(?:繁忙|忙碌)")
_OUTAGE_TEXT = re.compile(
    r"\b(?:site|website|page|server|service|system|platform)s? (?:is |are )?(?:currently |temporarily )?"
    r"(?:down for|under(?:going)?|in) (?:scheduled |planned |routine )?maintenance\b"
    r"|\bperforming (?:some |scheduled |planned |routine )?maintenance\b|\bwe(?:'ll| will) be back (?:soon|shortly|online)\b"
    r"|\btemporarily (?:unavailable|down|offline|overloaded)\b|\btoo many requests\b|\brate limit(?:ed| exceeded)\b"
    r"|\bbandwidth limit exceeded\b"
    r"|(?:系统|系統|网站|網站|服务器|伺服器|站点|站點|本站|平台)(?:正在)?(?:进行|進行)?[^，。,.\n]{0,6}?(?:维护|維護)"
    r"|(?:维护|維護)(?:中|期间|期間)|(?:暂停|暫停)(?:服务|服務)|(?:服务器|伺服器|系统|系統)(?:繁忙|忙碌)",
    re.I)


def outage_phrase(title: str, lines: Iterable[str] = ()) -> str | None:
    """Where a page says that its site is down for now (maintenance, an overload, a rate limit)
    in the article's place, and what it says, or None. `lines`: the text of a page without an
    article body, or of a notice set as its body."""
    return _said(_OUTAGE_TITLE, _OUTAGE_TEXT, title, lines, whole_title=True)


# A consent wall: the page asks the reader to choose what may be done with their data before it
# shows anything ("We value your privacy ... Accept all / Reject all"). It stands in the article's
# place as a bot check does. A phrase that asks for the choice, in a body that is mostly talk of
# cookies, consent and partners, long enough to explain itself: a banner of a line or two over a
# page a script fills is a placeholder (`placeholder_line`), and an article about consent rules
# runs longer than a wall and says other things.
_CONSENT_ASKS = re.compile(
    r"\bwe (?:value|care about|respect) your privacy\b|\byour privacy (?:choices|matters|is important to us)\b"
    r"|\b(?:accept|reject|refuse|decline) all(?: cookies)?\b|\bbefore you continue\b|\bclick to consent\b"
    r"|\b(?:manage|customi[sz]e|change|set) (?:your )?(?:cookie |privacy |consent )?(?:preferences|settings|options|choices)\b"
    r"|(?:我们|我們)(?:重视|重視|尊重)(?:您|你)的(?:隐私|隱私)|(?:接受|同意|拒绝|拒絕)(?:全部|所有)"
    r"|(?:管理|自定义|自訂|更改|修改)(?:您的)?(?:cookie)?\s*(?:偏好|设置|設定|选项|選項)|同意并继续|同意並繼續",
    re.I)
_CONSENT_TALK = re.compile(
    r"cookie|consent|privacy|personal (?:data|information)|partners|vendors|legitimate interest|preferences"
    r"|同意|隐私|隱私|个人(?:数据|信息)|個人(?:資料|數據|信息)|合作伙伴|合作夥伴|偏好", re.I)
# Sizes in UTF-8 bytes, a Chinese character weighing three letters.
_CONSENT_MIN = 300  # of consent talk: a wall explains itself, a banner says a line or two
_CONSENT_MAX = 5000  # of a body that may be a consent wall
_CONSENT_SHARE = 0.6  # of the body, in lines that talk of consent


def consent_wall(title: str, lines: Iterable[str]) -> str | None:
    """Where a page's body (`lines`: the article's, or the page's text when it has none) is a
    consent wall in the article's place, what it says that asks for consent, or None."""
    lines = [line.strip() for line in (title, *lines) if line.strip()]
    size = sum(len(line.encode()) for line in lines)
    if not lines or size > _CONSENT_MAX:
        return None
    talk = sum(len(line.encode()) for line in lines if _CONSENT_TALK.search(line) or _CONSENT_ASKS.search(line))
    if talk < _CONSENT_MIN or talk < _CONSENT_SHARE * size:
        return None
    asks = next((m for m in map(_CONSENT_ASKS.search, lines) if m), None)
    return None if asks is None else f"it asks for consent to cookies: {asks.group(0)!r}"


_TITLE = re.compile(rb"<title\b[^>]{0,200}>([^<]{0,300})</title", re.I)
_TITLE_BYTES = 65536  # an error page's title is in its head


def bot_check(result: FetchResult) -> str | None:
    """Where an answer that is no page (a 429 or 5xx) says it is a bot check, or None: by a
    bot-protection service's header, or a wall's whole title ("Just a moment...")."""
    said = bot_check_header(result.headers)
    if said is not None:
        return said
    m = _TITLE.search(result.body[:_TITLE_BYTES])
    title = " ".join(html.unescape(m.group(1).decode("utf-8", "replace")).split()) if m else ""
    return f"its title says {title!r}" if title and _WALL_TITLE.search(title) else None


def wall_phrase(title: str, lines: Iterable[str] = ()) -> str | None:
    """Where a page says it is a bot check, a sign-in wall or an age gate in the article's place,
    and what it says, or None. `lines`: the text of a page without an article body."""
    return _said(_WALL_TITLE, _WALL_TEXT, title, lines, whole_title=True)

# (Bounded: on a hostile page of "<meta <meta ..." an unbounded scan from each is quadratic.)
_META_TAG = re.compile(rb"<meta\b[^>]{0,1000}>", re.I)
_REFRESH_TAG = re.compile(rb"\bhttp-equiv\s*=\s*[\"']?refresh\b", re.I)
_REFRESH_CONTENT = re.compile(rb"\bcontent\s*=\s*[\"']?\s*(\d{1,9})(?:\.\d*)?\s*[;,]\s*(?:url\s*=\s*)?[\"']?([^\"'>\s]+)",
                              re.I)
_REFRESH_HEADER = re.compile(r"^\s*(\d{1,9})(?:\.\d*)?\s*[;,]\s*(?:url\s*=\s*)?[\"']?([^\"'>\s]+)", re.I)
# Seconds: a page that sends its readers on sooner is a redirect; a longer delay reloads a live
# page (a portal's front page after idle, a live blog).
_REFRESH_MAX = 10
_HEAD_BYTES = 262144  # a refresh is declared in the head


def refresh_target(html: bytes, base: str) -> str | None:
    """Where a page sends its readers within a few seconds by `<meta http-equiv="refresh"
    content="N; url=...">`, as an absolute URL, or None."""
    tag = next((m.group(0) for m in _META_TAG.finditer(html, 0, _HEAD_BYTES) if _REFRESH_TAG.search(m.group(0))), None)
    content = _REFRESH_CONTENT.search(tag) if tag else None
    if content is None or int(content.group(1)) > _REFRESH_MAX:
        return None
    return urljoin(base, content.group(2).decode("utf-8", "replace"))


_FRAMESET = re.compile(rb"<frameset\b([^>]{0,1000})>", re.I)
_FRAME = re.compile(rb"<frame\b([^>]{0,2000})>", re.I)
_IFRAME = re.compile(rb"<iframe\b([^>]{0,2000})>", re.I)
_ATTR_VALUE = r"\s*=\s*[\"']?([^\"'>\s]{1,1000})"
_SRC = re.compile(rb"\bsrc" + _ATTR_VALUE.encode(), re.I)
_SIZES = re.compile(rb"\b(?:rows|cols)" + _ATTR_VALUE.encode(), re.I)
_FULL_SIZE = re.compile(rb"\b(?:width|height)\s*=\s*[\"']?100%", re.I)


def frame_target(html: bytes, base: str) -> str | None:
    """The page a reader sees in a page built of frames, as an absolute URL: a frameset's main
    frame (the one its rows or columns give the rest of the window, "*"), or an `<iframe>` that
    fills the page, of the same host. None for any other page."""
    frameset = _FRAMESET.search(html)
    if frameset is not None:
        frames = [src.group(1) for f in _FRAME.finditer(html, frameset.end()) if (src := _SRC.search(f.group(1)))]
        if not frames:
            return None
        sizes = _SIZES.search(frameset.group(1))
        parts = sizes.group(1).split(b",") if sizes else []
        main = next((i for i, part in enumerate(parts) if part.strip().startswith(b"*")), len(frames) - 1)
        return urljoin(base, frames[min(main, len(frames) - 1)].decode("utf-8", "replace"))
    iframes = _IFRAME.findall(html)
    if len(iframes) != 1 or not _FULL_SIZE.search(iframes[0]) or (src := _SRC.search(iframes[0])) is None:
        return None
    target = urljoin(base, src.group(1).decode("utf-8", "replace"))
    return target if urlsplit(target).hostname == urlsplit(base).hostname else None


def refresh_header_target(value: str | None, base: str) -> str | None:
    """The same for a `Refresh: N; url=...` HTTP header, which browsers obey as they obey the tag."""
    said = _REFRESH_HEADER.search(value) if value else None
    if said is None or int(said.group(1)) > _REFRESH_MAX:
        return None
    return urljoin(base, said.group(2))



# What a page without an article says by script: an alert() its readers see as a dialog
# ("该文章不存在"), a location change that sends them on (to the home page, often right after
# the alert). An article's scripts are not read (they send phones to a mobile site and say
# anything in their alerts), nor a change to another host (a mobile site's home).
_ALERT = re.compile(r"\balert\s*\(\s*([\"'])(.{1,200}?)\1\s*\)", re.S)
_LOCATION = re.compile(r"\blocation(?:\.href)?\s*=\s*([\"'])([^\"'\s<>]{1,500})\1"
                       r"|\blocation\.(?:replace|assign)\s*\(\s*([\"'])([^\"'\s<>]{1,500})\3")
_JS_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SCRIPT_CHARS = 262144
_SCRIPT_LOOKED_AT = 20  # alerts and location changes read per page


def script_says(html: str, base: str) -> tuple[list[str], str | None]:
    """(the alerts a page's scripts show, where they send its readers on this host or None),
    for a page without an article body."""
    head = html[:_SCRIPT_CHARS]
    alerts = [_JS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), m.group(2)).strip()
              for m in itertools.islice(_ALERT.finditer(head), _SCRIPT_LOOKED_AT)]
    host = _url_key(base)[0]
    for m in itertools.islice(_LOCATION.finditer(head), _SCRIPT_LOOKED_AT):
        target = urljoin(base, m.group(2) or m.group(4))
        if urlsplit(target).scheme in ("http", "https") and _url_key(target)[0] == host:
            return alerts, target
    return alerts, None

# A link to the article's next page, by its words ("下一页", "Next page"; "下一篇", the next
# article, is not one, nor a bare "next ›", which pages through comments as often), by its
# `rel="next"` (an <a> or a <link> in the head: what WordPress and most CMSs print on a post's
# pages), or the article's own words that it goes on ("(接下一頁)").
# The words of the link, found first (a linear scan), then the <a> tag they close in: a scan
# from every "<a" of a hostile page would be quadratic.
_NEXT_WORDS = re.compile(r">\s{0,40}(?:下一?页|下一?頁|后页|後頁|next\s+page)\s{0,40}(?:[»›>]|&gt;|&raquo;){0,3}\s{0,40}<", re.I)
_LINK_OPEN = re.compile(r"<a\b[^<>]{0,1000}>(?:\s{0,40}<(?!/?a\b)[^<>]{0,200}>){0,3}\s{0,40}$", re.I)
_REL_NEXT = re.compile(r"""\brel\s*=\s*["']?(?:[\w-]+\s+){0,3}next(?![\w-])""", re.I)
_LINK_TAG = re.compile(r"<(?:a|link)\b", re.I)
_TAG_MAX = 1000  # characters of a tag around its rel="next"
_NEXT_LOOKED_AT = 50  # links named "next" weighed per page
_HREF = re.compile(r"""\bhref\s*=\s*["']?([^"'\s>]+)""", re.I)
_GOES_ON = re.compile(r"[(（]\s*(?:接|转|轉|未完)[^()（）]{0,6}(?:下一?页|下一?頁|次页|次頁)\s*[)）]|continued on (?:the )?next page", re.I)
# The page number in an article's address: "123_2.html", "123-2.shtml", ".../slug/2/", "?page=2".
_PAGE_SUFFIX = re.compile(r"(?:[_-](\d{1,3}))?(?:\.\w{1,5})?$|(?<=[^/])/(\d{1,3})/?$")
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|p|pg|pn|pageno)=(\d{1,3})(?:&|$)", re.I)


def continues_on_next_page(html: str, url: str) -> bool:
    """Whether a page says its article goes on on a next page: a link to another page of the
    same article (its address with a greater page number), named "next page" or marked
    `rel="next"`, or words in the text that say so."""
    return _GOES_ON.search(html) is not None or next_page_url(html, url) is not None


def _next_links(html: str) -> Iterator[str]:
    """The addresses of the links a page names "next page", then of those it marks `rel="next"`."""
    for m in itertools.islice(_NEXT_WORDS.finditer(html), _NEXT_LOOKED_AT):
        link = _LINK_OPEN.search(html, max(0, m.start() - 1800), m.start() + 1)
        href = _HREF.search(link.group(0)) if link else None
        if href is not None:
            yield href.group(1)
    for m in itertools.islice(_REL_NEXT.finditer(html), _NEXT_LOOKED_AT):
        start = html.rfind("<", max(0, m.start() - _TAG_MAX), m.start())
        end = html.find(">", m.end(), m.end() + _TAG_MAX)
        if start < 0 or end < 0 or html.find(">", start, m.start()) >= 0 or not _LINK_TAG.match(html, start):
            continue  # the words "rel=next" outside a link's tag
        href = _HREF.search(html, start, end)
        if href is not None:
            yield href.group(1)


def _page_number(path: str, query: str) -> tuple[str, int]:
    """An address's path without its page number and extension, and the page number (0 for none)."""
    m = _PAGE_SUFFIX.search(path)
    in_path = m and (m.group(1) or m.group(2))
    in_query = _PAGE_QUERY.search(query)
    number = int(in_path) if in_path else int(in_query.group(1)) if in_query else 0
    return (path[:m.start()] if m else path).rstrip("/"), number


def next_page_url(html: str, url: str) -> str | None:
    """The address of the next page of the same article, where a link named "next page" or
    marked `rel="next"` leads to one (its address with a greater page number), or None."""
    here = urlsplit(url)
    stem, number = _page_number(here.path, here.query)
    for href in _next_links(html):
        there = urlsplit(urljoin(url, href.replace("&amp;", "&")))
        if there.netloc != here.netloc or (there.path, there.query) == (here.path, here.query):
            continue
        there_stem, there_number = _page_number(there.path, there.query)
        if there_number <= number:
            continue  # a page before this one, or the first
        if (stem and there_stem == stem and there.path != here.path) \
                or (there.path == here.path and _PAGE_QUERY.search(there.query)):
            return urlunsplit(there._replace(fragment=""))
    return None


def error_phrase(title: str, lines: Iterable[str] = (), *, headline: bool = False) -> str | None:
    """Where a page says it is an error page and what it says ("title: 页面不存在"), or None.

    The title counts whole; of the main text, only short lines (`lines`: the text of a page
    without an article body), since an article may quote such a phrase in its prose.
    `headline`: the title heads an article the page shows, and nothing tells that article from
    the one linked (no repost text to look for): it counts only when it is the error message,
    a site's name and a word of apology aside ("抱歉，您访问的页面不存在 - 新浪网"), not a
    headline that names a removal ("内容已被移除的背后：平台审查机制揭秘")."""
    return _said(_ERROR_RE, _ERROR_RE, title, lines, headline=headline)


# A title's parts: the page's own name and the site's ("Page not found | The Hill").
_TITLE_PARTS = re.compile(r"\s[-|–—·:]\s|[|｜_]")
_WORD = re.compile(r"[^\W\d_\u3400-\u9fff]+|\d+")
_HAN = re.compile(r"[\u3400-\u9fff]")
# Beside an error message, its part of a title has at most a word of apology ("Sorry, the",
# "抱歉，您访问的"): a Han character counts one, another word two, these none.
_BESIDE_MESSAGE = 6
_APOLOGY = frozenset("sorry oops hmm oh we re our you your the this that a an requested".split())


def _the_message(title: str, m: re.Match[str]) -> bool:
    """Whether the match `m` in `title` is most of its part of the title."""
    start = 0
    for part in [*_TITLE_PARTS.finditer(title), None]:
        end = part.start() if part else len(title)
        if start <= m.start() and m.end() <= end:
            after = title[m.end():end]
            if after.lstrip().startswith(("?", "？")):
                return False  # a headline that asks ("该视频已被删除？")
            rest = title[start:m.start()] + " " + after
            words = [w for w in _WORD.findall(rest) if w.lower() not in _APOLOGY]
            return count_chars(_HAN, rest) + 2 * len(words) <= _BESIDE_MESSAGE
        start = part.end() if part else start
    return False


def _said(in_title: re.Pattern[str], in_text: re.Pattern[str], title: str, lines: Iterable[str],
          whole_title: bool = False, headline: bool = False) -> str | None:
    """What a page's title, else one of its short lines, says that a pattern finds, for a detail.
    Typographic apostrophes read as plain ones ("can’t", "doesn’t")."""
    title = (title or "").strip().replace("\u2019", "'")
    m = in_title.search(title)
    if m and (not headline or _the_message(title, m)):
        return f"its title says {(title[:80] if whole_title else m.group(0).strip(_EDGES))!r}"
    for line in lines:
        if len(line) <= _ERROR_LINE_MAX:
            m = in_text.search(line.replace("\u2019", "'"))
            if m:
                return f"its text says {m.group(0).strip(_EDGES)!r}"
    return None


def _url_key(url: str) -> tuple[str, str, str]:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    netloc = host if port in (None, default) else f"{host}:{port}"
    # One URL however it is escaped: "/新闻/1" is sent as "/%E6%96%B0%E9%97%BB/1", and a
    # server's redirect that only adds a slash to that is the same URL; "%7e" is "~".
    path = normalize_component(parts.path).rstrip("/") or "/"
    return netloc, path, normalize_component(parts.query)


def same_url(requested: str, final: str) -> bool:
    """True when `final` differs from `requested` only by http->https, `www.`, a trailing slash."""
    a, b = urlsplit(requested.strip()), urlsplit(final.strip())
    sa, sb = a.scheme.lower(), b.scheme.lower()
    if sa != sb and not (sa == "http" and sb == "https"):
        return False
    return _url_key(requested) == _url_key(final)


# Path segments that name a collection of articles rather than one.
_LISTING_WORDS = frozenset(
    "category categories cat tag tags topic topics search page archive archives author authors "
    "section sections list lists label labels channel channels column columns feed index".split()
)
_COLLECTION_WORDS = frozenset("articles posts news blog blogs stories videos home latest all".split())
_HOME_FILES = re.compile(r"^(index|default|home)\.(html?|php|aspx?|jsp)$", re.I)
_LANGUAGE = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2,4})?$", re.I)
# A query key that names one item ("p=123", "id=5", "aid=", "newsid=", "article_id="), not a category
_ITEM_QUERY = re.compile(r"(?:^|&)(?!cat)(?:p|[a-z_]*id)=[^&]*\d", re.I)
_SEARCH_QUERY = re.compile(r"(?:^|&)(?:s|q|query|search|keyword|keywords|tag|cat|category|paged?)=", re.I)


def _article_like(segment: str) -> bool:
    seg = unquote(segment)
    if not seg or seg.lower() in _LISTING_WORDS or seg.lower() in _COLLECTION_WORDS or _HOME_FILES.match(seg):
        return False
    stem = re.sub(r"\.(s?html?|php|aspx?|jsp)$", "", seg, flags=re.I)
    if re.search(r"\d{3,}", stem):
        return True
    if stem.count("-") + stem.count("_") >= 2:
        return True
    if stem != seg:  # some-page.html
        return True
    # Non-ASCII slugs (Chinese titles) of some length are article titles.
    return sum(1 for ch in stem if ord(ch) > 127) >= 4


def is_listing_url(url: str) -> bool:
    """A site's home page or a listing (category, tag, search, pagination), judged by URL shape."""
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if _SEARCH_QUERY.search(parts.query or ""):
        return True
    if not segments or len(segments) == 1 and (_HOME_FILES.match(segments[0]) or _LANGUAGE.match(segments[0])):
        # "/", "/index.html", "/zh-hans/", "/en"; but a query that names an item is an article's
        # address ("/?p=123", "/index.php?id=5", "/index.php?option=com_content&id=5")
        return not _ITEM_QUERY.search(parts.query or "")
    last = segments[-1]
    lowered = [unquote(s).lower() for s in segments]
    # "/page/3", "/category/x/page/2": pagination never names an article.
    if len(segments) >= 2 and lowered[-2] in ("page", "paged") and last.isdigit():
        return True
    if lowered[-1] in _COLLECTION_WORDS or lowered[-1] in _LISTING_WORDS:
        return True
    if any(s in _LISTING_WORDS for s in lowered[:-1]) and not _article_like(last):
        return True
    return False



# The address of an error page ("/404.html", "/error/notfound", "?code=404"): where a site
# sends the readers of a page it no longer has.
_ERROR_SEGMENTS = frozenset(
    "404 410 error errors notfound not-found not_found pagenotfound page-not-found page_not_found error404 "
    "error-404 error_404 404error 404-error nopage no-page".split()
)
_ERROR_QUERY = re.compile(r"(?:^|&)(?:error|err|code|status|errcode|errorcode)=(?:404|410)(?:&|$)", re.I)


def is_error_url(url: str) -> bool:
    """A site's error page, judged by URL shape."""
    parts = urlsplit(url)
    stems = [re.sub(r"\.\w{1,5}$", "", unquote(s)).lower() for s in parts.path.split("/") if s]
    # A bare number counts at the root or under an error word ("/404.html", "/error/404"):
    # elsewhere, "/articles/404.html" may be article number 404.
    return any(stem in _ERROR_SEGMENTS and (not stem.isdigit() or i == 0 or stems[i - 1] in _ERROR_SEGMENTS)
               for i, stem in enumerate(stems)) or bool(_ERROR_QUERY.search(parts.query or ""))

# --- per-host soft-404 probe -----------------------------------------------------------------

_LOWER = "abcdefghijklmnopqrstuvwxyz"
_UPPER = _LOWER.upper()


def _scramble(text: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        if "0" <= ch <= "9":
            out.append(rng.choice("0123456789"))
        elif "a" <= ch <= "z":
            out.append(rng.choice(_LOWER))
        elif "A" <= ch <= "Z":
            out.append(rng.choice(_UPPER))
        elif ord(ch) >= 0x4E00 and ord(ch) <= 0x9FFF:
            out.append(chr(rng.randint(0x4E00, 0x9FA5)))
        elif ord(ch) > 127 and ch.isalpha():
            out.append(rng.choice(_LOWER))
        else:
            out.append(ch)
    return "".join(out)


def _scramble_segment(segment: str, rng: random.Random) -> str:
    decoded = unquote(segment)
    # Keep a file extension: "/123.html" should stay an .html page of the same kind.
    stem, dot, ext = decoded.rpartition(".")
    if dot and stem and ext.isalnum() and len(ext) <= 5 and not ext.isdigit():
        decoded_new = _scramble(stem, rng) + "." + ext
    else:
        decoded_new = _scramble(decoded, rng)
    return quote(decoded_new, safe="-._~!$&'()*+,;=:@")


def probe_url(url: str, rng: random.Random) -> str:
    """A URL of the same shape on the same host that cannot exist: same depth, digits and letters
    replaced by random ones of the same count (file extensions and separators kept)."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    for _ in range(8):
        new_path = "/".join(_scramble_segment(s, rng) if s else s for s in segments)
        if not any(segments) or new_path == parts.path:
            # Nothing to scramble ("/"): ask for a random page at depth one.
            new_path = "/" + "".join(rng.choice(_LOWER) for _ in range(12))
        query = "&".join(
            (k + "=" + _scramble_segment(v, rng)) if sep else k
            for k, sep, v in (p.partition("=") for p in parts.query.split("&"))
        ) if parts.query else ""
        candidate = urlunsplit((parts.scheme, parts.netloc, new_path, query, ""))
        if candidate != urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, "")):
            return candidate
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/" + "x" * 24, "", ""))


@dataclass(frozen=True)
class PageSignature:
    """What a page looks like, stable across a site's error pages: title and paragraph hashes,
    with digits masked so "no article 8812" and "no article 1207" look the same."""

    title: str
    paragraphs: frozenset[int]
    length: int
    short_text: str | None = None   # the whole normalised text, kept only for short pages
    sizes: tuple[tuple[int, int], ...] = ()  # (paragraph hash, its length, a Han character counting two)
    media: frozenset[str] = frozenset()  # the videos and frames it embeds (host and path, digits masked)


# Error pages often echo the URL asked for; that must not make two of them differ.
_URLISH = re.compile(r"(?:https?://|www\.)\S+|(?<![\w/])/\S*")
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_SHORT = 3000
_FEW_WORDS = 16  # characters of normalised text: a loader's word or two, not an error page's message


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = _URLISH.sub("/", text)
    return _SPACE.sub(" ", _DIGITS.sub("0", text)).strip()


def _weight(text: str) -> int:
    return len(text) + count_chars(_HAN, text)  # a Han character says as much as a word's letters


def _media_key(src: str) -> str:
    parts = urlsplit(src.strip())
    return _DIGITS.sub("0", f"{(parts.hostname or '').lower()}{parts.path}")


def page_signature(title: str, text: str, media: Iterable[str] = ()) -> PageSignature:
    """`media`: the sources of the videos and frames the page embeds (`embedded_media`)."""
    paragraphs = [_norm(p) for p in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    sizes = {zlib.crc32(p.encode("utf-8")): _weight(p) for p in paragraphs}
    length = sum(len(p) for p in paragraphs)
    short = "\n".join(paragraphs) if length <= _SHORT else None
    return PageSignature(_norm(title or ""), frozenset(sizes), length, short, tuple(sizes.items()),
                         frozenset(map(_media_key, media)))


def matches_probe(page: PageSignature, probe: PageSignature) -> bool:
    """True when `page` looks like what the host serves for a URL that cannot exist."""
    if page.length < _FEW_WORDS or probe.length < _FEW_WORDS:
        # A page without a word, or with only its loader's ("加载中...", "Loading, please wait"): a
        # script-rendered shell, served for every URL of its site, its articles' included, is
        # no error page, whatever its title: no evidence.
        return False
    shortest, longest = sorted((page.length, probe.length))
    if longest and shortest / longest < 0.6:
        return False
    # A page that shows a video or a frame, or words (a video's caption), that the host's answer
    # for a URL that cannot exist does not show is no copy of that answer, whatever it shares.
    if page.media - probe.media:
        return False
    matcher = None
    extra = sum(n for h, n in page.sizes if h not in probe.paragraphs)
    if extra >= _FEW_WORDS and page.short_text is not None and probe.short_text is not None:
        # (Lines that differ by a word, a search box's echo: only the characters that differ count.)
        matcher = difflib.SequenceMatcher(None, probe.short_text, page.short_text, autojunk=False)
        extra = sum(_weight(page.short_text[j1:j2]) for op, _, _, j1, j2 in matcher.get_opcodes() if op != "equal")
    if extra >= _FEW_WORDS:
        return False
    common = len(page.paragraphs & probe.paragraphs)
    jaccard = common / len(page.paragraphs | probe.paragraphs)
    if jaccard >= 0.8:
        return True
    if page.title == probe.title and jaccard >= 0.5:
        return True
    if page.short_text is None or probe.short_text is None:
        return False
    # Short error pages that differ by a word or two (a search box echo, a counter).
    if matcher is None:
        matcher = difflib.SequenceMatcher(None, probe.short_text, page.short_text, autojunk=False)
    return matcher.ratio() >= 0.9


_EMBED = re.compile(r"<(?:iframe|video|embed|source|object)\b[^>]{0,1000}?\b(?:src|data)\s*=\s*[\"']?([^\"'\s>]{1,500})", re.I)
_EMBEDS_MAX = 50


def embedded_media(html: str) -> tuple[str, ...]:
    """The sources of the videos and frames a page embeds (the first few), for `page_signature`."""
    return tuple(itertools.islice((m.group(1) for m in _EMBED.finditer(html)), _EMBEDS_MAX))


def is_dead(status: str, consecutive_failures: int, dead_after: int) -> bool:
    """Dead per SPEC section 3. `consecutive_failures` counts the consecutive checks, this one
    included, that ended `unreachable` or `server_error`."""
    if status in DEAD_STATUSES:
        return True
    if status in FAILING_STATUSES:
        return consecutive_failures >= dead_after
    return False
