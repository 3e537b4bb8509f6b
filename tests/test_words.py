"""The status and error words are one list each (store/words.py), and typing them changed no output."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from crawler.classify import ERROR_STATUS, is_dead, link_status
from crawler.fetch import FetchResult, error_of
from store.db import Store
from store.records import CheckRecord, RepostRecord
from store.words import DEAD_STATUSES, FAILING_STATUSES, FetchError, LinkStatus

# SPEC 3 and the `checks.error` column: the words as users, reports and SQL queries see them.
SPEC_STATUSES = ["alive", "redirected", "gone", "soft_404", "server_error", "unreachable", "blocked"]
ERROR_WORDS = {"dns", "refused", "reset", "tls", "timeout", "robots_disallowed", "robots_error",
               "robots_unreachable", "private_address", "redirect_loop", "too_many_redirects", "bad_redirect",
               "protocol", "internal"}


def test_the_words_are_the_documented_strings() -> None:
    assert [str(s) for s in LinkStatus] == SPEC_STATUSES
    assert {str(e) for e in FetchError} == ERROR_WORDS
    # A member is its string wherever it is written.
    assert json.dumps({LinkStatus.SOFT_404: FetchError.TIMEOUT}) == '{"soft_404": "timeout"}'
    assert f"{LinkStatus.SERVER_ERROR}" == "%s" % LinkStatus.SERVER_ERROR == "server_error"
    out = io.StringIO()
    csv.writer(out).writerow([LinkStatus.GONE, FetchError.DNS])
    assert out.getvalue() == "gone,dns\r\n"


def test_every_error_has_a_status_and_every_status_one_death_rule() -> None:
    assert set(ERROR_STATUS) == set(FetchError)
    for error, status in ERROR_STATUS.items():
        assert link_status(FetchResult(url="http://a.test/", final_url="http://a.test/", error=error)) == status
    assert DEAD_STATUSES.isdisjoint(FAILING_STATUSES)
    assert [s for s in LinkStatus if is_dead(s, 1, 1)] == ["gone", "soft_404", "server_error", "unreachable"]
    assert [s for s in LinkStatus if is_dead(s, 1, 2)] == ["gone", "soft_404"]


def test_a_mapped_transport_failure_is_a_member() -> None:
    error, _ = error_of(ConnectionRefusedError(111, "Connection refused"))
    assert error is FetchError.REFUSED and error == "refused"


def test_the_database_holds_plain_text_words(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    store.save_reposts([RepostRecord(path="a.md", size=1, mtime_ns=1, file_hash="h", kind="repost",
                                     source_url="https://a.test/1", linked_url="https://a.test/1", body="x")],
                       "2026-01-01T00:00:00Z")
    sid = store.source_by_url("https://a.test/1").id
    store.record_check(CheckRecord(source_id=sid, crawl_id=None, checked_at="2026-01-02T00:00:00Z",
                                   url="https://a.test/1", final_url=None, http_status=None,
                                   link_status=LinkStatus.UNREACHABLE, dead=False, consecutive_failures=1,
                                   error=FetchError.TIMEOUT))
    assert store.status_counts().by_status == {s: int(s == "unreachable") for s in SPEC_STATUSES}
    assert json.dumps(store.status_counts().by_status).startswith('{"alive": 0, "redirected": 0,')
    row = store.source_by_url("https://a.test/1")
    assert row.link_status is LinkStatus.UNREACHABLE
    store.close()
    with sqlite3.connect(tmp_path / "m.db") as conn:
        got = conn.execute("SELECT link_status, typeof(link_status), error, typeof(error) FROM checks").fetchall()
    assert got == [("unreachable", "text", "timeout", "text")]
