"""Builders for test archives and the original pages they link to."""

from __future__ import annotations

import random
from pathlib import Path

PARAS = [
    "瑞士银行同意以30亿瑞士法郎的股票收购竞争对手瑞士信贷，瑞士银行将同意承担高达50亿瑞士法郎的损失。",
    "政府表示，为了使瑞银能够接管瑞士信贷，联邦政府将为投资组合中明确界定的一部分提供最多90亿瑞士法郎的损失担保。",
    "拥有167年历史的瑞士信贷是受美国贷款机构硅谷银行和Signature银行倒闭影响最大的机构。",
    "瑞士中央银行说，随着瑞银对瑞士信贷的收购，已经找到了一个解决方案，可以确保金融稳定并保护瑞士经济。",
]


DISCLAIMER = "免责声明：本文内容仅代表作者个人观点，平台不承担任何法律风险。"


def write_repost(root: Path, name: str, url: str, paragraphs: list[str], title: str = "瑞银收购瑞信",
                 footer: bool = False) -> Path:
    """A repost in the real archive's gnews-flat layout; `footer` adds the site disclaimer it copies."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(paragraphs)
    path.write_text(
        f"###  [:house:返回](README.md)\n---\n\n\n## {title}\n`3/20/2023 1:23 AM UTC 秘密翻譯組` [轉載自GNews]({url})\n\n"
        f"{body}\n" + (f"\n{DISCLAIMER}\n" if footer else ""),
        encoding="utf-8",
    )
    return path


def article_page(title: str, paragraphs: list[str], seed: int = 0) -> str:
    """An original page with chrome (menu, sidebar, counters, dates) that differs with `seed`."""
    rng = random.Random(seed)
    latest = "".join(f"<li><a href='/news/{rng.randint(1, 10**6)}'>最新新闻标题第{rng.randint(1, 999)}条：某地发生某事</a></li>"
                     for _ in range(6))
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title} - 新闻网</title></head><body>"
        f"<header><nav><a href='/'>首页</a> <a href='/c/world'>国际</a> <a href='/c/china'>中国</a></nav></header>"
        f"<main><article><h1>{title}</h1><div class='meta'>发布于 2023-03-{rng.randint(10, 28)} · "
        f"阅读 {rng.randint(100, 99999)} 次 · 评论 {rng.randint(0, 500)}</div>{body}"
        f"<div class='share'>分享到：<a href='#'>推特</a> <a href='#'>脸书</a></div></article>"
        f"<aside><h3>最新新闻</h3><ul>{latest}</ul></aside></main>"
        f"<footer>© 2023 新闻网 版权所有 · 广告 {rng.randint(1, 99)}</footer></body></html>"
    )


def listing_page(n: int = 30) -> str:
    items = "".join(f"<li><a href='/a/{i}'>文章标题第{i}篇：这是一个列表页里的链接文字</a></li>" for i in range(n))
    return f"<!doctype html><html><head><title>新闻网</title></head><body><ul>{items}</ul></body></html>"


# The articles of a numbered site differ only in their numbers, which is what a site's error
# pages do too: the soft-404 probe, a URL of the same shape with random letters and digits,
# must never land on one, so the path's word is long.
NUMBERED_PATH = "/articles/"


def numbered_url(origin, i: int) -> str:
    return origin.url(f"{NUMBERED_PATH}{i}")


def numbered_site(n: int, paragraphs: list[str] = PARAS):
    """A handler for NUMBERED_PATH + i (i < n): a distinct article each, and a real 404 for anything else."""
    from tests.origin import Reply

    def handler(req):
        path = req.target.split("?", 1)[0]
        head, _, tail = path.rpartition("/")
        if head + "/" == NUMBERED_PATH and tail.isdigit() and int(tail) < n:
            return Reply(200, article_page(f"第{tail}篇", [f"这是第{tail}篇文章的开头，内容各不相同。", *paragraphs]))
        return Reply(404, "<html><body>Not found</body></html>")

    return handler


def numbered_repost(root: Path, i: int, url: str) -> Path:
    return write_repost(root, f"{i}.md", url, [f"这是第{i}篇文章的开头，内容各不相同。", *PARAS])


def serve_numbered(origin, archive: Path, n: int) -> None:
    """`origin` serves n distinct articles (no robots.txt, 404 elsewhere); `archive` reposts each."""
    from tests.origin import Reply

    origin.route("/robots.txt", Reply(404))
    origin.default = numbered_site(n)
    for i in range(n):
        numbered_repost(archive, i, numbered_url(origin, i))


TEST_UA = "repost-mirror-test/1.0 (+http://example.invalid/contact)"

# How much earlier than the delay a gap between two request starts may look in a test
# origin's log. The origin reads requests on a thread of the test process, which shares the
# GIL with the crawler under test: under load, its reading of the first request on a new
# connection was seen to lag 17 ms behind the request going out, so the next gap looked that
# much shorter, and twice in a day of full runs more than 25 ms; once, with robots.txt and the
# probe on connections of their own (more new connections), 63 ms. Every delay a test asserts
# is at least twice this, so a crawler that kept no delay (gaps of a millisecond) still fails.
# bench/crawl.py measures the gaps on an origin in its own process.
SERVER_LAG = 0.08


def crawl_config(**kw: object):
    """A CrawlConfig for tests: loopback allowed, no delay, no retries, short timeouts."""
    from crawler.config import CrawlConfig

    base: dict[str, object] = dict(user_agent=TEST_UA, delay=0.0, timeout=2.0, retries=0, allow_private_addresses=True)
    base.update(kw)
    return CrawlConfig(**base)


def fetch_all(cfg, urls: list[str], *, concurrent: bool = False, **kw: object) -> list:
    """Fetch `urls` with one Fetcher (short backoff), in order or all at once."""
    import asyncio

    from crawler.fetch import Fetcher

    kw.setdefault("backoff", 0.01)
    kw.setdefault("backoff_max", 0.05)

    async def go() -> list:
        async with Fetcher(cfg, **kw) as f:
            if concurrent:
                return list(await asyncio.gather(*(f.fetch(u) for u in urls)))
            return [await f.fetch(u) for u in urls]

    return asyncio.run(go())
