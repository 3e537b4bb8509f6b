"""`check` and `history` as library calls: the same verdicts the commands print, as records."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import load_config
from crawler.lookup import CheckReport, SourceHistory, TargetError, check_source, resolve_target, source_history
from store.db import Store
from tests.kit import PARAS, article_page, write_repost
from tests.origin import Origin, Reply

CONFIG = (
    '[archive]\nroot = "archive"\n[store]\ndatabase = "m.db"\nmirror = "mirror"\n'
    "[crawl]\ndelay = 0.05\nallow_private_addresses = true\nretries = 0\ntimeout = 5\n"
    "[wayback]\nenabled = false\n"
)


def test_check_and_history_without_the_cli(tmp_path: Path) -> None:
    state = {"paras": list(PARAS)}
    (tmp_path / "config.toml").write_text(CONFIG, encoding="utf-8")
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(404))
        o.route("/a/1", lambda req: Reply(200, article_page("瑞银收购瑞信", state["paras"])))
        write_repost(tmp_path / "archive", "one.md", o.url("/a/1"), PARAS)
        cfg = load_config(tmp_path / "config.toml")
        store = Store(cfg.store.database)
        try:
            source, only = resolve_target(cfg, store, "one.md")  # indexes the archive first
            assert (source.url, only) == (o.url("/a/1"), ["one.md"])
            with pytest.raises(TargetError, match="not a source of the archive"):
                resolve_target(cfg, store, "https://example.org/never")

            first = check_source(cfg, store, source, only)
            assert isinstance(first, CheckReport) and not first.unfaithful
            assert [(r.path, r.fidelity, r.faithful) for r in first.reposts] == [("one.md", 1.0, True)]
            assert first.version is not None and first.version.number == 1
            assert first.check is not None and first.check.found_by == "extractor"
            assert first.to_json()["reposts"][0]["repost_date_from"] == "header"

            state["paras"] = PARAS[:3]
            second = check_source(cfg, store, source, only)
            assert second.unfaithful and second.version is not None and second.version.number == 2
            assert [h["op"] for h in second.reposts[0].hunks] == ["added"]
            # Against the stored version, no request is sent.
            sent = len(o.log)
            stored = check_source(cfg, store, source, only, fetch=False)
            assert len(o.log) == sent and stored.check is None
            assert [h["op"] for h in stored.reposts[0].hunks] == ["added"]

            history = source_history(cfg, store, source)
            assert isinstance(history, SourceHistory) and history.source_url == o.url("/a/1")
            assert [v.number for v in history.versions] == [1, 2] and history.versions[0].hunks == []
            assert [h["op"] for h in history.versions[1].hunks] == ["missing"]
            assert history.versions[1].warc is not None and history.versions[1].warc.file.endswith(".warc.gz")
            assert [c.path for c in history.reposts] == ["one.md"]
            assert history.to_json()["versions"][1]["warc"]["file"] == history.versions[1].warc.file
        finally:
            store.close()
