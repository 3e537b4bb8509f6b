"""The report: which sources it selects, its exact JSON and CSV, and the pages people read.

The HTML page is opened in a real headless Chromium: what a person sees is asserted
there, including that fetched markup stays text and that the page loads nothing.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from store.db import Store, iso
from store.records import CheckRecord, FidelityResult, RepostRecord, VersionText
from tests.conftest import run_cli
from tests.origin import Origin, Reply

DAY = 86400.0
NOW = time.time()
T_DEAD = iso(NOW - 2 * DAY)         # a.test/gone turned dead
T_CHANGED = iso(NOW - 20 * DAY)     # a.test/changed got its second version
T_UNFAITHFUL = iso(NOW - 10 * DAY)  # a.test/unfaithful was found unfaithful
T_ALIVE = iso(NOW - 1 * DAY)        # a.test/fine was last seen, alive and faithful

FIELDS = ["source_url", "reposts", "link_status", "dead", "http_status", "final_url", "last_checked_at",
          "last_alive_at", "first_dead_at", "versions", "changed_at", "fidelity", "faithful", "archived_copy",
          "title", "detail", "excerpt_only", "faithful_when_reposted", "witnessed"]


def _repost(path: str, url: str, body: str) -> RepostRecord:
    return RepostRecord(path=path, size=len(body), mtime_ns=1, file_hash=path, kind="repost",
                        source_url=url, linked_url=url, title="标题", body=body)


def _check(source_id: int, url: str, at: str, status: str, *, http: int | None, body: str | None = None,
           new: bool = False, dead: bool = False, fidelity: tuple[FidelityResult, ...] = (),
           archived: str | None = None, final_url: str | None = None) -> CheckRecord:
    text = VersionText(title="标题", text=body, normalized=body) if body is not None else None
    return CheckRecord(source_id=source_id, crawl_id=None, checked_at=at, url=url, final_url=final_url,
                       http_status=http, link_status=status, dead=dead, consecutive_failures=0, body=text,
                       new_version=new, fidelity=fidelity, archived_copy=archived)


@pytest.fixture
def report_db(tmp_path: Path) -> Path:
    """Four sources, each in trouble (or not) at a known time, recorded as the crawler records them."""
    db = tmp_path / "m.db"
    store = Store(db)
    store.save_reposts([
        _repost("gnews/gone.md", "https://a.test/gone", "第一段。"),
        _repost("gnews/gone-copy.md", "https://a.test/gone", "第一段。"),
        _repost("gnews/changed.md", "https://a.test/changed", "旧的正文。"),
        _repost("gnews/unfaithful.md", "https://a.test/unfaithful", "转载的正文。"),
        _repost("gnews/fine.md", "https://a.test/fine", "完好的正文。"),
    ], iso(NOW - 40 * DAY))
    ids = {url: sid for sid, url in store.db.execute("SELECT id, url FROM sources")}
    rid = {path: i for i, path in store.db.execute("SELECT id, path FROM reposts")}
    gone, changed = ids["https://a.test/gone"], ids["https://a.test/changed"]
    unfaithful, fine = ids["https://a.test/unfaithful"], ids["https://a.test/fine"]
    store.record_check(_check(gone, "https://a.test/gone", iso(NOW - 30 * DAY), "alive", http=200, body="第一段。"))
    store.record_check(_check(gone, "https://a.test/gone", T_DEAD, "gone", http=404, dead=True,
                              archived="https://web.archive.org/web/20240402160000/https://a.test/gone"))
    store.record_check(_check(changed, "https://a.test/changed", iso(NOW - 30 * DAY), "alive", http=200,
                              body="旧的正文。"))
    store.record_check(_check(changed, "https://a.test/changed", T_CHANGED, "redirected", http=200,
                              body="新的正文，多了一句话。", new=True, final_url="https://a.test/changed-new",
                              fidelity=(FidelityResult(rid["gnews/changed.md"], 0.5, True, ()),)))
    hunk = {"op": "altered", "repost": "转载的正文。", "original": "原文的正文与转载不同。"}
    store.record_check(_check(unfaithful, "https://a.test/unfaithful", T_UNFAITHFUL, "alive", http=200,
                              body="原文的正文与转载不同。",
                              fidelity=(FidelityResult(rid["gnews/unfaithful.md"], 0.6, False, (hunk,)),)))
    store.record_check(_check(fine, "https://a.test/fine", T_ALIVE, "alive", http=200, body="完好的正文。",
                              fidelity=(FidelityResult(rid["gnews/fine.md"], 1.0, True, ()),)))
    store.close()
    return db


def _report(db: Path, *args: str) -> dict:
    result = run_cli("report", "--db", str(db), *args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _urls(doc: dict) -> list[str]:
    return [s["source_url"] for s in doc["sources"]]


def test_default_lists_dead_changed_and_unfaithful_sources(report_db: Path) -> None:
    doc = _report(report_db)
    assert _urls(doc) == ["https://a.test/changed", "https://a.test/gone", "https://a.test/unfaithful"]
    assert doc["since"] is None
    assert doc["generated_at"].endswith("Z")


def test_all_lists_every_source(report_db: Path) -> None:
    assert _urls(_report(report_db, "--all")) == [
        "https://a.test/changed", "https://a.test/fine", "https://a.test/gone", "https://a.test/unfaithful"]


def test_since_a_duration(report_db: Path) -> None:
    doc = _report(report_db, "--since", "7d")
    assert _urls(doc) == ["https://a.test/gone"]
    since = datetime.fromisoformat(doc["since"].replace("Z", "+00:00")).timestamp()
    assert abs(since - (time.time() - 7 * DAY)) < 120


def test_since_a_date(report_db: Path) -> None:
    day = datetime.fromtimestamp(NOW - 15 * DAY, timezone.utc).strftime("%Y-%m-%d")
    doc = _report(report_db, "--since", day)
    # Turned dead 2 days ago and unfaithful 10 days ago: in; changed 20 days ago: out.
    assert _urls(doc) == ["https://a.test/gone", "https://a.test/unfaithful"]
    assert doc["since"] == f"{day}T00:00:00Z"


def test_since_a_datetime(report_db: Path) -> None:
    moment = datetime.fromtimestamp(NOW - 5 * DAY, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    assert _urls(_report(report_db, "--since", moment + "Z")) == ["https://a.test/gone"]
    assert _urls(_report(report_db, "--since", moment)) == ["https://a.test/gone"]


def test_since_garbage_is_a_usage_error(report_db: Path) -> None:
    result = run_cli("report", "--db", str(report_db), "--since", "last tuesday")
    assert result.returncode == 2
    assert "--since" in result.stderr


def test_json_fields_and_values_are_exact(report_db: Path) -> None:
    doc = _report(report_db)
    assert list(doc) == ["generated_at", "since", "site_events", "sources"]
    assert doc["site_events"] == []  # one dead source of a.test's four: no event
    by_url = {s["source_url"]: s for s in doc["sources"]}
    for source in doc["sources"]:
        assert list(source) == FIELDS
    assert by_url["https://a.test/gone"] == {
        "source_url": "https://a.test/gone",
        "reposts": ["gnews/gone-copy.md", "gnews/gone.md"],
        "link_status": "gone",
        "dead": True,
        "http_status": 404,
        "final_url": None,
        "last_checked_at": T_DEAD,
        "last_alive_at": iso(NOW - 30 * DAY),
        "first_dead_at": T_DEAD,
        "versions": 1,
        "changed_at": None,
        "fidelity": None,
        "faithful": None,
        "archived_copy": "https://web.archive.org/web/20240402160000/https://a.test/gone",
        "title": "标题",  # of the latest version
        "detail": None,
        "excerpt_only": None,
        "faithful_when_reposted": None,
        "witnessed": None,
    }
    changed = by_url["https://a.test/changed"]
    assert (changed["link_status"], changed["versions"], changed["changed_at"], changed["final_url"],
            changed["dead"], changed["fidelity"], changed["faithful"]) == (
        "redirected", 2, T_CHANGED, "https://a.test/changed-new", False, 0.5, True)
    assert changed["excerpt_only"] is False
    assert (by_url["https://a.test/unfaithful"]["fidelity"], by_url["https://a.test/unfaithful"]["faithful"]) == (
        0.6, False)


def test_csv_has_the_same_fields_one_row_per_source(report_db: Path) -> None:
    result = run_cli("report", "--db", str(report_db), "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == FIELDS
    by_url = {r[0]: dict(zip(FIELDS, r)) for r in rows[1:]}
    assert list(by_url) == ["https://a.test/changed", "https://a.test/gone", "https://a.test/unfaithful"]
    gone = by_url["https://a.test/gone"]
    assert gone == {
        "source_url": "https://a.test/gone", "reposts": "gnews/gone-copy.md;gnews/gone.md", "link_status": "gone",
        "dead": "true", "http_status": "404", "final_url": "", "last_checked_at": T_DEAD,
        "last_alive_at": iso(NOW - 30 * DAY), "first_dead_at": T_DEAD, "versions": "1", "changed_at": "",
        "fidelity": "", "faithful": "", "archived_copy": "https://web.archive.org/web/20240402160000/https://a.test/gone",
        "title": "标题", "detail": "", "excerpt_only": "", "faithful_when_reposted": "", "witnessed": "",
    }
    assert by_url["https://a.test/unfaithful"]["faithful"] == "false"


def test_markdown_shows_counts_then_sources_with_their_diffs(report_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    result = run_cli("report", "--db", str(report_db), "--format", "md", "--output", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    counts = text.index("## Counts")
    assert "| gone | 1 |" in text and "| alive | 2 |" in text and "| redirected | 1 |" in text
    assert "- dead: **1**" in text and "- unfaithful reposts: **1**" in text
    dead = text.index("## Dead sources (1)")
    assert counts < dead < text.index("## Changed sources (1)") < text.index("## Unfaithful reposts (1)")
    # Grouped by host; each source under its title, with its address.
    assert "### a.test (1)" in text and "#### 标题\n\n- source: <https://a.test/gone>" in text
    assert "archived copy: <https://web.archive.org/web/20240402160000/https://a.test/gone>" in text
    assert "final URL: <https://a.test/changed-new>" in text
    # The repost's diff, and the diff between the changed source's two versions.
    # Changed stretches are marked as wdiff marks them.
    assert "- original: [-原文-]的正文[-与转载不同-]。\n+ repost: {+转载+}的正文。" in text
    assert "- v1: [-旧-]的正文。\n+ v2: {+新+}的正文{+，多了一句话+}。" in text
    assert "a.test/fine" not in text


# --- the HTML page in a real browser, from a real crawl ---------------------------------------

PLANTED = "<script>alert(1)</script>"
PROSE = ("这是原文的第一段，讲述了一件事情的来龙去脉，内容相当详细，足以构成一篇完整的新闻报道。"
         "记者在现场采访了多位目击者，他们都证实了这一点。")
PROSE2 = ("第二段继续报道，补充了更多的细节和背景资料，使读者能够了解事件的全貌。"
          "有关方面表示将在近期公布调查结果，并欢迎社会各界监督。")


def _page(title: str, paragraphs: list[str]) -> str:
    import html

    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head><body>"
            "<nav><a href='/'>首页</a> <a href='/news'>新闻</a></nav>"
            f"<main><article><h1>{html.escape(title)}</h1><div class='entry-content'>{body}</div></article></main>"
            "<footer>版权所有</footer></body></html>")


def _repost_md(title: str, url: str, paragraphs: list[str]) -> str:
    return f"## {title}\n`4/2/2024 3:57 PM UTC 新闻站` [轉載自GNews]({url})\n\n" + "\n\n".join(paragraphs) + "\n"


@pytest.fixture
def crawled(tmp_path: Path):
    """An archive of three reposts crawled for real against an origin on 127.0.0.2."""
    with Origin("127.0.0.2") as origin:
        origin.route("/robots.txt", Reply(404, "none"))
        origin.route("/articles/1", Reply(200, _page("转载的好文章", [PROSE, PROSE2])))
        # The original has a paragraph the repost dropped, holding markup that must stay text.
        origin.route("/articles/2", Reply(200, _page("被删改的文章", [PROSE, f"原文多出的一段话：{PLANTED}，这句话转载里没有。", PROSE2])))
        archive = tmp_path / "archive"
        (archive / "gnews").mkdir(parents=True)
        (archive / "gnews" / "1.md").write_text(_repost_md("转载的好文章", origin.url("/articles/1"), [PROSE, PROSE2]),
                                                encoding="utf-8")
        (archive / "gnews" / "2.md").write_text(_repost_md("被删改的文章", origin.url("/articles/2"), [PROSE, PROSE2]),
                                                encoding="utf-8")
        (archive / "gnews" / "3.md").write_text(_repost_md("消失的文章", origin.url("/articles/3"), [PROSE]),
                                                encoding="utf-8")
        config = tmp_path / "config.toml"
        config.write_text(
            '[archive]\nroot = "archive"\n[store]\ndatabase = "m.db"\nmirror = "mirror"\n'
            "[crawl]\ndelay = 0\nretries = 0\ntimeout = 10\nallow_private_addresses = true\n"
            "[wayback]\nenabled = false\n", encoding="utf-8")
        result = run_cli("crawl", "--config", str(config), "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)["by_status"] == {"alive": 2, "gone": 1}
        yield config, origin


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def test_html_report_in_a_real_browser(crawled, browser, tmp_path: Path) -> None:
    config, origin = crawled
    fetched = len(origin.log)
    out = tmp_path / "report.html"
    result = run_cli("report", "--config", str(config), "--format", "html", "--output", str(out))
    assert result.returncode == 0, result.stderr
    source = out.read_text(encoding="utf-8")
    assert PLANTED not in source and "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    assert "Content-Security-Policy" in source

    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(out.as_uri())
    page.wait_for_load_state("load")
    text = page.inner_text("body")

    # Counts first: the dead and unfaithful cards, and the link status chart.
    assert text.index("Counts") < text.index("Dead sources (1)") < text.index("Unfaithful reposts (1)")
    cards = {page.inner_text(f".card:nth-child({i}) span"): page.inner_text(f".card:nth-child({i}) b")
             for i in range(1, 7)}
    assert cards["dead sources"] == "1" and cards["unfaithful reposts"] == "1" and cards["sources"] == "3"
    chart = page.locator("#counts svg")
    assert chart.count() == 1
    labels = chart.locator("text").all_text_contents()
    assert labels[labels.index("alive") + 1] == "2" and labels[labels.index("gone") + 1] == "1"
    # The dead source, with a working link to the original.
    dead_url = origin.url("/articles/3")
    assert page.locator(f'#dead a[href="{dead_url}"]').count() == 1
    # The diff: the dropped paragraph, planted markup shown as text, the changed characters marked.
    # The text as the page published it (full-width punctuation), not the normalised form.
    assert f"原文多出的一段话：{PLANTED}，这句话转载里没有。" in text
    assert page.locator("table.diff td.old.whole").filter(has_text=PLANTED).count() == 1
    assert page.locator("script").count() == 0
    assert dialogs == []
    # Nothing was loaded but the file itself: no fonts, images, styles or scripts from anywhere.
    assert requests == [out.as_uri()]
    # The report is built from the store: writing it fetched nothing from the origin.
    assert len(origin.log) == fetched


def test_html_marks_the_differing_characters_of_an_altered_hunk(report_db: Path, browser, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = run_cli("report", "--db", str(report_db), "--format", "html", "--output", str(out))
    assert result.returncode == 0, result.stderr
    page = browser.new_page()
    page.goto(out.as_uri())
    row = page.locator("#unfaithful table.diff tbody tr").first
    # Sections render only near the viewport (content-visibility: auto), and innerText of a
    # section not yet rendered is empty: look at the row as a reader would, scrolled to it.
    row.scroll_into_view_if_needed()
    assert row.locator("td.op").inner_text() == "altered"
    assert row.locator("td.old").inner_text() == "原文的正文与转载不同。"
    assert row.locator("td.new").inner_text() == "转载的正文。"
    # Only the differing characters are struck or inserted; the shared 的正文 and 。 are not.
    assert "".join(row.locator("td.old del").all_inner_texts()) == "原文与转载不同"
    assert "".join(row.locator("td.new ins").all_inner_texts()) == "转载"
    assert page.locator("#sources a[href='https://a.test/fine']").count() == 0
    # The changed source's archived copy and final URL are plain links, shown as their address.
    assert page.locator("a[href='https://web.archive.org/web/20240402160000/https://a.test/gone']").count() == 1
    assert page.locator("a[href='https://a.test/changed-new']").count() == 1


# --- site events ------------------------------------------------------------------------------

@pytest.fixture
def dying_host_db(tmp_path: Path) -> Path:
    """dying.test: 100 sources, 30 of them die in one crawl (its third); one more dies alone
    later; steady.test: 10 sources, 1 dead; half.test: 4 sources, 2 dead in two crawls."""
    db = tmp_path / "m.db"
    store = Store(db)
    urls = ([f"https://dying.test/a/{k}" for k in range(100)] + [f"https://steady.test/{k}" for k in range(10)]
            + [f"https://half.test/{k}" for k in range(4)])
    store.save_reposts([_repost(f"r/{k}.md", url, "正文。") for k, url in enumerate(urls)], iso(NOW - 40 * DAY))
    ids = {url: sid for sid, url in store.db.execute("SELECT id, url FROM sources")}
    crawls = [store.start_crawl(iso(NOW - (10 - k) * DAY)) for k in range(5)]
    dying = [f"https://dying.test/a/{k}" for k in range(30)]
    for url in dying:
        rec = _check(ids[url], url, iso(NOW - 8 * DAY + 60), "gone", http=404, dead=True)
        store.record_check(dataclasses.replace(rec, crawl_id=crawls[2]))
    for url, crawl in (("https://dying.test/a/99", 4), ("https://steady.test/3", 3),
                       ("https://half.test/0", 1), ("https://half.test/1", 4)):
        rec = _check(ids[url], url, iso(NOW - (10 - crawl) * DAY + 60), "gone", http=404, dead=True)
        store.record_check(dataclasses.replace(rec, crawl_id=crawls[crawl]))
    store.close()
    return db


def test_a_host_whose_sources_die_in_one_crawl_is_one_site_event(dying_host_db: Path, tmp_path: Path) -> None:
    doc = _report(dying_host_db)
    assert len(doc["sources"]) == 34  # json lists every dead source still
    assert doc["site_events"] == [
        {"host": "dying.test", "dead": 31, "of": 100, "since": iso(NOW - 8 * DAY + 60)},
        {"host": "half.test", "dead": 2, "of": 4, "since": iso(NOW - 9 * DAY + 60)},
    ]
    # md: one entry for the host, a few examples, the rest folded; the lone dead source of
    # steady.test is listed as usual.
    out = tmp_path / "r.md"
    assert run_cli("report", "--db", str(dying_host_db), "--format", "md", "--output", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "## Site events (2)" in text
    assert f"### dying.test: 31 of 100 sources dead since {iso(NOW - 8 * DAY + 60)}" in text
    assert "<summary>26 more</summary>" in text
    assert "## Dead sources (1)" in text and "- source: <https://steady.test/3>" in text


def test_site_event_min_is_a_config_key(dying_host_db: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[store]\ndatabase = "{dying_host_db}"\n[report]\nsite_event_min = 31\n', encoding="utf-8")
    result = run_cli("report", "--config", str(config))
    assert result.returncode == 0, result.stderr
    # 30 died together, fewer than 31, and not half of dying.test's 100: no event there now.
    assert [e["host"] for e in json.loads(result.stdout)["site_events"]] == ["half.test"]
    config.write_text('[report]\nsite_event_min = 0\n', encoding="utf-8")
    bad = run_cli("report", "--config", str(config))
    assert bad.returncode == 2 and "report.site_event_min" in bad.stderr


def test_site_events_fold_their_sources_in_html(dying_host_db: Path, browser, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    assert run_cli("report", "--db", str(dying_host_db), "--format", "html", "--output", str(out)).returncode == 0
    page = browser.new_page()
    page.goto(out.as_uri())
    event = page.locator("#events article.event").first
    assert "dying.test · 31 of 100 sources dead" in event.locator("h3").inner_text()
    assert event.locator("ul.compact").first.locator("li").count() == 5
    folded = event.locator("details")
    assert not folded.get_attribute("open") and folded.locator("li").count() == 26
    page.locator("#dead").scroll_into_view_if_needed()
    assert page.locator("#dead details.host summary").all_inner_texts() == ["steady.test (1)"]


# --- the report's own fields, and --diffs ------------------------------------------------------

def test_diffs_adds_each_reposts_hunks(report_db: Path) -> None:
    doc = _report(report_db, "--diffs")
    by_url = {s["source_url"]: s for s in doc["sources"]}
    assert by_url["https://a.test/unfaithful"]["reposts_detail"] == [{
        "path": "gnews/unfaithful.md", "fidelity": 0.6, "faithful": False,
        "hunks": [{"op": "altered", "repost": "转载的正文。", "original": "原文的正文与转载不同。"}],
    }]
    assert by_url["https://a.test/gone"]["reposts_detail"] == [
        {"path": "gnews/gone-copy.md", "fidelity": None, "faithful": None, "hunks": []},
        {"path": "gnews/gone.md", "fidelity": None, "faithful": None, "hunks": []},
    ]
    assert "reposts_detail" not in _report(report_db)["sources"][0]


# --- at the real archive's scale, in a real browser --------------------------------------------

@pytest.fixture(scope="module")
def archive_scale(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    from tests.synthetic_report import build

    db = tmp_path_factory.mktemp("scale") / "mirror.db"
    return db, build(db)


def test_html_at_the_real_archives_scale(archive_scale, browser, tmp_path: Path) -> None:
    from tests.synthetic_report import HOSTILE, SOURCES

    db, counts = archive_scale
    out = tmp_path / "report.html"
    result = run_cli("report", "--db", str(db), "--format", "html", "--output", str(out), timeout=300)
    assert result.returncode == 0, result.stderr
    source = out.read_text(encoding="utf-8")
    assert out.stat().st_size < 10_000_000
    for text in HOSTILE:
        assert text not in source  # never raw in the page, whatever element or attribute it lands in
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    start = time.perf_counter()
    page.goto(out.as_uri(), wait_until="load", timeout=120_000)
    loaded = time.perf_counter() - start
    # bench/report.py measures the load time against its 5 s target; here only a bound that
    # a loaded CI machine still meets, so that a page that does not open in time fails.
    assert loaded < 30, loaded
    assert page.locator("script, iframe, img, object, embed").count() == 0
    assert page.locator("style").count() == 1
    assert page.locator("svg").count() == 3  # link status, link rot, versions and stealth edits
    assert page.locator("[onload], [onerror], [href^='javascript']").count() == 0
    assert dialogs == [] and requests == [out.as_uri()]
    # The crafted titles, details and hunks are there, as text (folded ones too).
    body = page.text_content("body") or ""
    assert all(body.count(text) >= 2 for text in HOSTILE), [body.count(text) for text in HOSTILE]
    # Whole hosts died at once: site events, with every dead source folded under one of
    # them or listed under its host.
    events = page.locator("#events article.event")
    assert events.count() >= 20
    cards = {page.inner_text(f".card:nth-child({i}) span"): page.inner_text(f".card:nth-child({i}) b")
             for i in range(1, 7)}
    assert cards["sources"] == str(SOURCES) and cards["dead sources"] == str(counts["dead"])
    listed_dead = sum(int(n) for n in page.locator("#events h3 .n").all_inner_texts()
                      for n in [n.split(" of ")[0].strip("· ")])
    listed_dead += page.locator("#dead li, #dead article.src").count()
    assert listed_dead == counts["dead"]
    # The link-rot curve has one point per month of reposts, and it rises with age.
    points = page.locator("#rot circle title").all_text_contents()
    assert len(points) == 48
    first, last = (float(p.split("(")[1].rstrip("%)")) for p in (points[0], points[-1]))
    assert first > last
