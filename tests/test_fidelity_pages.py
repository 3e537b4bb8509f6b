"""Verdicts on real pages, hermetic: the 33 real article pages of tests/data/extraction/scrapinghub
(MIT, see the README there; 31 pass the filter of tests/real_pages.py) served as captured from
loopback hosts, each with three reposts made from its own ground truth (exact, one line
replaced, the last line of prose dropped), crawled by the real pipeline. The same shares as
bench/fidelity_real.py measures on the whole development set, with the same targets.
"""

from __future__ import annotations

from pathlib import Path

from crawler import analyze
from crawler.config import Config
from crawler.normalize import markdown_to_lines
from tests.origin import Origin, Reply
from tests.real_pages import KINDS, cases, is_prose_line, repost_body, write_repost
from tests.test_crawl import crawl, fields, make_config

PAGES = Path(__file__).parent / "data" / "extraction" / "scrapinghub"
# (page id prefix, kind): why the verdict is right although it is not the expected one.
EXCEPTIONS = {
    ("1f765c487806", "truncated"): "the line dropped as the last line of prose is the site's disclaimer ('The views "
                                   "and opinions expressed in the article do not necessarily reflect those of "
                                   "Sputnik.'), which this ground truth counts as article text: leaving it out is faithful",
}


def test_real_pages_are_alive_and_their_reposts_judged_right(tmp_path: Path) -> None:
    all_cases = cases(PAGES)
    assert len(all_cases) == 3 * 31
    archive = tmp_path / "archive"
    archive.mkdir()
    origins = {kind: Origin(f"127.0.0.{20 + i}", default=Reply(404, "<html><body>Not Found</body></html>"))
               for i, kind in enumerate(KINDS)}
    by_url = {}
    try:
        for origin in origins.values():
            origin.start()
            origin.route("/robots.txt", Reply(404))
        for n, case in enumerate(all_cases):
            origin = origins[case.kind]
            path = f"/articles/{case.page_id[:40]}.html"
            origin.route(path, Reply(200, case.html, content_type="text/html"))
            by_url[origin.url(path)] = case
            write_repost(archive / f"{case.kind}-{n}.md", origin.url(path), case.title, case.body)
        store, _ = crawl(make_config(tmp_path, delay=0, concurrency=16, timeout=20))
    finally:
        for origin in origins.values():
            origin.__exit__(None, None, None)
    got = fields(store)
    dead = [case.page_id[:12] for url, case in by_url.items() if got[url]["link_status"] != "alive"]
    assert not dead, f"live pages not alive: {dead}"
    wrong = {(case.page_id[:12], case.kind) for url, case in by_url.items()
             if got[url]["faithful"] is not (case.kind == "exact")}
    exact = sum(1 for c in all_cases if c.kind == "exact")
    edits = len(all_cases) - exact
    missed = sum(1 for _, kind in wrong if kind != "exact")
    shares = f"exact faithful {exact - (len(wrong) - missed)}/{exact}, edits caught {edits - missed}/{edits}"
    # Targets of issue 19: >= 98% of exact reposts faithful, >= 99% of edits caught; on 31
    # pages that is every one, but for the named exceptions.
    assert wrong - set(EXCEPTIONS) == set(), (shares, sorted(wrong - set(EXCEPTIONS)))
    assert set(EXCEPTIONS) <= wrong, ("an exception is judged as expected now: unlist it", shares)


# (page id prefix, line number of the exact repost): why a repost that drops that paragraph of
# prose is rightly judged faithful, or why it is not caught.
UNCAUGHT_DROPS = {
    ("1f765c487806", 18): "the site's disclaimer ('The views and opinions expressed in the article do not "
                          "necessarily reflect those of Sputnik.'), which this ground truth counts as article text",
    ("8380689f358c", 2): "the claim Snopes checks, in its 'Claim' box above the article: the page's furniture to the "
                         "extractor and the witness, the article's first line to this ground truth",
    ("8380689f358c", 12): "a sentence that shares its paragraph with an image, after it, as a caption does: read as one",
    ("b6fb53e9fb04", 4): "the headline of another article under 'Leggi anche' (read also), a link in an <h1>, which "
                         "this ground truth counts as article text",
}


def test_a_repost_that_drops_any_paragraph_of_prose_is_caught() -> None:
    """Each paragraph of prose of each exact repost judged faithful, dropped in turn (in
    process): the first, one in the middle, the last; but for the named exceptions."""
    compare = Config().compare
    analyze.configure(analyze.CompareSettings(frozenset(), compare.min_change_chars, compare.fold_chinese_script))

    def faithful(case, lines: tuple[str, ...]) -> bool:
        job = analyze.PageJob(case.html, "text/html", "http://127.0.0.1/a", None, None, ((1, repost_body(lines)),))
        got = analyze.analyze(job).fidelity
        return bool(got and got[0].faithful)

    uncaught, tried = set(), 0
    for case in cases(PAGES):
        if case.kind != "exact" or not faithful(case, case.body):
            continue
        for i, line in enumerate(case.body):
            if not is_prose_line(line) or case.body.count(line) > 1:
                continue
            tried += 1
            if faithful(case, case.body[:i] + case.body[i + 1:]):
                uncaught.add((case.page_id[:12], i + 1))
    assert tried >= 350, tried
    assert uncaught - set(UNCAUGHT_DROPS) == set(), sorted(uncaught - set(UNCAUGHT_DROPS))
    assert set(UNCAUGHT_DROPS) <= uncaught, "a drop is caught now: unlist it"


def test_a_reposts_markdown_reads_as_its_lines() -> None:
    # The reposts are Markdown: a line that opens like a list's item, a heading or a quote is
    # escaped so that it reads as the text it is ("6\." for an ordered item: "\6." reads "\6.").
    lines = ("6. This led to another drawing.", "1) Lego Star Wars", "# 1 in the charts", "- a dash",
             "> a sign", "2019. A year", "*stars* and [brackets] and a back\\slash")
    assert markdown_to_lines(repost_body(lines)) == list(lines)
