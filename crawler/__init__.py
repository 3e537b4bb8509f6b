"""repost-mirror: a polite crawler and mirror that keeps a repost archive honest.

Data flows one way; each step is a module (or package) of this one, and `store` keeps what
they find:

    archive -> scan -> schedule -> fetch -> classify -> extract -> compare -> store -> report

    archive   archive.py reads a repost file; history.py every text a git archive held
    scan      scan.py indexes the archive into the store (urls.py: a source's identity)
    schedule  crawl.py takes the sources that are due and drives the crawl
    fetch     fetch/, the only network I/O
    classify  classify.py: the link status of what the fetch got
    extract   extract/ guesses the article; witness.py finds the repost's text in the page
    compare   normalize.py, fidelity.py (analyze.py runs extract and compare in a pool)
    store     store/ (db.py, warc.py: the mirror)
    report    store/report.py (+ report_md.py, report_html.py)

lookup.py answers `check` and `history`; wayback.py, cdx.py and attribution.py find earlier
texts; export.py packs the mirror as a WACZ; demo.py and replica.py run it all offline;
config.py, errors.py and progress.py serve them all; cli.py only parses, calls and prints.
"""

__version__ = "0.1.0"
