"""Who changed the text (SPEC 9): three-way attribution against the original as it was when
reposted, through the real crawl, against an origin and a fake Wayback Machine on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest

from crawler.config import WaybackConfig
from crawler.crawl import crawl_async
from crawler.scan import scan
from store.db import Store
from tests.kit import PARAS, SERVER_LAG, TEST_UA, article_page, write_repost
from tests.origin import Origin, Reply
from tests.test_crawl import make_config
from tests.wayback_fake import FakeWayback, cdx_digest

# write_repost's header line: `3/20/2023 1:23 AM UTC`
REPOST_STAMP = "20230320012300"
NEAR = "20230321000000"  # a capture the day after the repost
# The site rewrote its second paragraph after the repost was made (a stealth edit) ...
REWRITTEN = "政府后来修改了这一段的说法，称联邦政府只会提供有限的担保，具体数额尚未确定。"
# ... or the repost's editor rewrote it (a repost edit).
EDITED = "转载者自己改写了这一段，说政府将为这次收购提供无限担保，并且不会设定上限。"
ADDED = "这是转载者自己加上的一段评论文字，原文里从来没有这一段。"

TODAY_STEALTH = [PARAS[0], REWRITTEN, PARAS[2], PARAS[3]]


def config(tmp: Path, wb: FakeWayback, window: str | None = None, **crawl: object):
    kw: dict = dict(enabled=True, availability_url=wb.availability_url, cdx_url=wb.cdx_url)
    if window is not None:
        from crawler.config import parse_duration

        kw["attribution_window"] = parse_duration(window)
    return dataclasses.replace(make_config(tmp, **crawl), wayback=WaybackConfig(**kw))


def run(cfg, **kw):
    store = Store(cfg.store.database)
    scan(cfg, store)
    summary = asyncio.run(crawl_async(cfg, store, **kw))
    return store, summary


def latest(store: Store) -> dict:
    row = store.db.execute("SELECT id FROM reposts ORDER BY id LIMIT 1").fetchone()
    fid = store.db.execute("SELECT hunks, faithful, faithful_when_reposted, attribution FROM fidelity "
                           "WHERE repost_id = ? ORDER BY id DESC LIMIT 1", [row[0]]).fetchone()
    return {"hunks": json.loads(fid[0]), "faithful": bool(fid[1]),
            "faithful_when_reposted": None if fid[2] is None else bool(fid[2]),
            "attribution": json.loads(fid[3]) if fid[3] else None}


def site(origin: Origin, paragraphs: list[str]) -> str:
    origin.route("/robots.txt", Reply(404))
    origin.route("/a/1", Reply(200, article_page("瑞银收购瑞信", paragraphs)))
    return origin.url("/a/1")


def test_stealth_edit_is_the_sites(tmp_path: Path) -> None:
    with Origin("127.0.0.2") as a, FakeWayback("127.0.0.3") as wb:
        url = site(a, TODAY_STEALTH)
        wb.capture(url, NEAR, article_page("瑞银收购瑞信", PARAS, seed=7))
        write_repost(tmp_path / "archive", "1.md", url, PARAS)
        store, summary = run(config(tmp_path, wb))
        asks = wb.cdx_requests()
    fid = latest(store)
    assert fid["faithful"] is False
    assert [h["by"] for h in fid["hunks"]] == ["original"]
    assert fid["faithful_when_reposted"] is True
    assert fid["attribution"]["repost_date"] == "2023-03-20T01:23:00Z"
    assert fid["attribution"]["repost_date_from"] == "header"
    assert fid["attribution"]["compared_with"]["from_archive"] is True
    assert summary.changed_since_repost == 1 and summary.to_json()["changed_since_repost"] == 1
    assert store.status_counts()["changed_since_repost"] == 1
    assert store.status_counts()["changed_since_repost_sources"] == [url]
    fields = store.report_sources(everything=True)[0].fields
    assert fields["faithful_when_reposted"] is True
    # The capture is kept as a from_archive version, before today's in time and number.
    versions = store.versions_of(store.source_by_url(url).id)
    assert [(v["number"], bool(v["from_archive"]), v["captured_at"]) for v in versions] == [
        (1, True, "2023-03-21T00:00:00Z"), (2, False, None)]
    assert versions[0]["warc_file"] and versions[0]["archive_url"] == wb.url(f"/web/{NEAR}/{url}")
    # One CDX request, around the repost's date (30 days either side), for 200s, as JSON.
    assert asks == [{"url": [url], "from": ["20230218012300"], "to": ["20230419012300"],
                     "output": ["json"], "filter": ["statuscode:200"]}]
