"""Mirror and Wayback fallback through the real crawl: exact bytes back from WARC, archived copies."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import json
import os
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.config import WaybackConfig
from crawler.crawl import crawl_async
from crawler.scan import scan
from store.db import Store
from store.warc import payload_digest, read_payload
from tests.kit import PARAS, article_page, write_repost
from tests.origin import Origin, Reply
from tests.test_crawl import make_config
from tests.wayback_fake import FakeWayback


def test_versions_point_to_the_exact_bytes_served(tmp_path: Path) -> None:
    page = article_page("标题", PARAS).encode()
    wire = gzip.compress(page, mtime=0)  # as a server that compresses ahead of time sends it
    with Origin("127.0.0.2") as a:
        a.route("/robots.txt", Reply(404))
        a.route("/a/1", Reply(200, wire, headers={"Content-Encoding": "gzip"}))
        write_repost(tmp_path / "archive", "1.md", a.url("/a/1"), PARAS)
        cfg = make_config(tmp_path)
        store = Store(cfg.store.database)
        scan(cfg, store)
        asyncio.run(crawl_async(cfg, store))
        asyncio.run(crawl_async(cfg, store, all_sources=True))  # unchanged: a revisit record
    version = store.versions_of(store.source_by_url(a.url("/a/1")).id)[0]
    status, _headers, body, _ = read_payload(cfg.store.mirror, version.warc_file, version.warc_offset)
    assert status == 200 and body == wire and gzip.decompress(body) == page
    assert version.payload_digest == payload_digest(wire)
    types = []
    for warc in sorted(cfg.store.mirror.glob("*.warc.gz")):
        with warc.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit") and record.rec_headers.get_header(
                        "WARC-Target-URI") == a.url("/a/1"):
                    types.append(record.rec_type)
    assert types == ["response", "revisit"]
    revisit = store.db.execute("SELECT revisit FROM checks ORDER BY id").fetchall()
    assert [r[0] for r in revisit] == [0, 1]


def test_dead_source_gets_its_wayback_copy_once(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with Origin("127.0.0.2") as a, Origin("127.0.0.3") as wb:
        a.route("/robots.txt", Reply(404))
        a.route("/a/gone", Reply(404))
        a.route("/a/never", Reply(410))
        snapshot = wb.url(f"/web/20230321000000/{a.url('/a/gone')}")

        def availability(req):
            asked = req.target
            if "a%2Fgone" in asked or "/a/gone" in asked:
                doc = {"archived_snapshots": {"closest": {"available": True, "url": snapshot,
                                                          "timestamp": "20230321000000", "status": "200"}}}
            else:
                doc = {"archived_snapshots": {}}
            return Reply(200, json.dumps(doc), content_type="application/json")

        wb.route("/robots.txt", Reply(404))
        wb.route("/wayback/available", availability)
        edited = PARAS[:3]  # the archived copy lacks the last paragraph
        wb.route(f"/web/20230321000000id_/{a.url('/a/gone')}", Reply(200, article_page("标题", edited)))
        write_repost(archive, "gone.md", a.url("/a/gone"), PARAS)
        write_repost(archive, "never.md", a.url("/a/never"), PARAS)
        cfg = dataclasses.replace(make_config(tmp_path),
                                  wayback=WaybackConfig(enabled=True, availability_url=wb.url("/wayback/available"),
                                                                cdx_url=wb.url("/cdx/search/cdx")))
        store = Store(cfg.store.database)
        scan(cfg, store)
        asyncio.run(crawl_async(cfg, store))
        report = {s.fields["source_url"]: s.fields for s in store.report_sources(everything=True)}
        gone = report[a.url("/a/gone")]
        assert gone["link_status"] == "gone" and gone["dead"] is True
        assert gone["archived_copy"] == snapshot
        assert gone["versions"] == 1 and gone["faithful"] is False  # the repost has a paragraph the copy lacks
        version = store.versions_of(store.source_by_url(a.url("/a/gone")).id)[0]
        assert version.from_archive is True and version.archive_url == snapshot
        assert report[a.url("/a/never")]["archived_copy"] is None
        # The timestamp asked for is the repost's date (3/20/2023 1:23 AM UTC).
        asks = wb.requests("/wayback/available")
        assert len(asks) == 2 and all("timestamp=20230320012300" in e.target for e in asks)
        # Checked again: the lookups (and the "no snapshot" answer) are cached, not asked every night.
        asyncio.run(crawl_async(cfg, store, all_sources=True))
        assert len(wb.requests("/wayback/available")) == 2
        assert store.versions_of(store.source_by_url(a.url("/a/gone")).id)[0].number == 1
        assert len(store.versions_of(store.source_by_url(a.url("/a/gone")).id)) == 1


def test_an_archived_error_page_or_wall_is_no_copy_of_the_article(tmp_path: Path) -> None:
    # The closest snapshot of a dead source is the site's error page (its body a list of other
    # articles' summaries) or a bot check: it made a version of the error page and judged the
    # repost "not faithful" to it. It is no archived copy: no version, no verdict, and the detail
    # says what the snapshot shows.
    archive = tmp_path / "archive"
    error = ("<html><head><title>提示信息 - 新闻网</title></head><body><div class='main'><h2>抱歉，该文章已被删除</h2>"
             "<h3>推荐阅读</h3>" + "".join(f"<p>推荐文章第{i}篇：这是另一篇与本文无关的新闻报道的摘要，讲述某地发生的事情，"
                                          "供读者参考。</p>" for i in range(5)) + "</div></body></html>")
    wall = ("<html><head><title>Just a moment...</title></head><body><h1>Checking your browser before accessing "
            "the site.</h1><p>This process is automatic. Your browser will redirect to your requested content "
            "shortly.</p></body></html>")
    # and a capture listed as a 200 that the archive replays as the 404 it was, a page of
    # other articles' summaries without an error's words
    listing = error.replace("<h2>抱歉，该文章已被删除</h2>", "")
    pages = {"error": error, "wall": wall, "listing": listing}
    with Origin("127.0.0.2") as a, FakeWayback("127.0.0.3") as wb:
        a.route("/robots.txt", Reply(404))
        for name, html in pages.items():
            a.route(f"/a/{name}", Reply(404))
            wb.capture(a.url(f"/a/{name}"), "20230321000000", html)
            write_repost(archive, f"{name}.md", a.url(f"/a/{name}"), PARAS)
        wb.route(f"/web/20230321000000id_/{a.url('/a/listing')}", Reply(404, listing))
        cfg = dataclasses.replace(make_config(tmp_path), wayback=WaybackConfig(
            enabled=True, availability_url=wb.availability_url, cdx_url=wb.cdx_url))
        store = Store(cfg.store.database)
        scan(cfg, store)
        asyncio.run(crawl_async(cfg, store))
        assert len(wb.requests("/wayback/available")) == 3
    report = {s.fields["source_url"]: s.fields for s in store.report_sources(everything=True)}
    got = report[a.url("/a/listing")]
    assert got["versions"] == 0 and got["faithful"] is None, got
    for name, said in (("error", "文章已被删除"), ("wall", "Just a moment")):
        got = report[a.url(f"/a/{name}")]
        assert got["link_status"] == "gone" and got["versions"] == 0 and got["faithful"] is None, (name, got)
        assert got["archived_copy"] is None, got
        detail = store.db.execute("SELECT c.detail FROM checks c JOIN sources s ON s.id = c.source_id WHERE s.url = ?",
                                  [a.url(f"/a/{name}")]).fetchone()[0]
        assert "holds no article" in detail and said in detail, detail


def test_malformed_wayback_answer_does_not_stop_the_crawl(tmp_path: Path) -> None:
    with Origin("127.0.0.2") as a, Origin("127.0.0.3") as wb:
        a.route("/robots.txt", Reply(404))
        a.route("/a/gone", Reply(404))
        wb.route("/robots.txt", Reply(404))
        wb.route("/wayback/available", Reply(200, "<html>not json</html>"))
        write_repost(tmp_path / "archive", "gone.md", a.url("/a/gone"), PARAS)
        cfg = dataclasses.replace(make_config(tmp_path),
                                  wayback=WaybackConfig(enabled=True, availability_url=wb.url("/wayback/available"),
                                                                cdx_url=wb.url("/cdx/search/cdx")))
        store = Store(cfg.store.database)
        scan(cfg, store)
        summary = asyncio.run(crawl_async(cfg, store))
    assert summary.checked == 1 and summary.outcome == "completed"
    detail = store.db.execute("SELECT detail FROM checks").fetchone()[0]
    assert "wayback" in detail and "json" in detail.lower()


def test_check_asks_the_archive_when_the_source_cannot_be_fetched(tmp_path: Path) -> None:
    from crawler.crawl import check_now

    with Origin("127.0.0.3") as wb:
        down = "http://127.0.0.9:9/a/1"  # nothing listens there: unreachable, not yet dead
        snapshot = wb.url(f"/web/20230321000000/{down}")
        wb.route("/robots.txt", Reply(404))
        wb.route("/wayback/available", Reply(200, json.dumps({"archived_snapshots": {"closest": {
            "available": True, "url": snapshot, "timestamp": "20230321000000", "status": "200"}}}),
            content_type="application/json"))
        wb.route(f"/web/20230321000000id_/{down}", Reply(200, article_page("标题", PARAS)))
        write_repost(tmp_path / "archive", "1.md", down, PARAS)
        cfg = dataclasses.replace(make_config(tmp_path),
                                  wayback=WaybackConfig(enabled=True, availability_url=wb.url("/wayback/available"),
                                                                cdx_url=wb.url("/cdx/search/cdx")))
        store = Store(cfg.store.database)
        scan(cfg, store)
        outcome = asyncio.run(check_now(cfg, store, [store.source_by_url(down)]))[0]
    assert outcome.record.link_status == "unreachable" and outcome.record.dead is False
    assert outcome.record.archived_copy == snapshot
    assert outcome.record.body is not None and outcome.record.body.from_archive
    assert [f.faithful for f in outcome.record.fidelity] == [True]


def test_a_pooled_crawl_mirrors_every_check_and_revisits_resolve_across_worker_files(tmp_path: Path) -> None:
    # Enough sources for a process pool, whose workers each append to a WARC file of their own:
    # every check reads back through warcio (checked against its payload digest), and the
    # second crawl's revisit records find their originals, whichever worker wrote them.
    from tests.kit import serve_numbered

    n = 80
    with Origin("127.0.0.2") as a:
        serve_numbered(a, tmp_path / "archive", n)
        cfg = make_config(tmp_path, delay=0)
        store = Store(cfg.store.database)
        scan(cfg, store)
        asyncio.run(crawl_async(cfg, store))
        asyncio.run(crawl_async(cfg, store, all_sources=True))
    rows = store.db.execute("SELECT source_id, crawl_id, revisit, warc_file, warc_offset FROM checks").fetchall()
    assert len(rows) == 2 * n
    bodies: dict[int, set[bytes]] = {}
    for source_id, crawl_id, revisit, file, offset in rows:
        status, _headers, body, _ = read_payload(cfg.store.mirror, file, offset)
        assert status == 200 and body
        bodies.setdefault(source_id, set()).add(body)
        assert revisit == (crawl_id != rows[0][1])
    assert len(bodies) == n and all(len(b) == 1 for b in bodies.values())
    workers = os.cpu_count() or 1  # the crawl's pool size; one core runs no pool
    assert len({r[3] for r in rows}) >= min(2, workers), "a pool's workers write files of their own"
