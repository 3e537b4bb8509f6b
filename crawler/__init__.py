"""repost-mirror: a polite crawler and mirror that keeps a repost archive honest.

Data flows one way; each step is a module (or package) of this one, and `store` keeps what
they find:

    archive -> scan -> schedule -> fetch -> classify -> extract -> compare -> store -> report
    archive.py  scan.py  crawl.py   fetch/    classify.py  extract.py  fidelity.py   store/
    history.py (git)                                       witness.py  normalize.py
                                                           (analyze.py runs these in a pool)

crawl.py drives one crawl; lookup.py answers `check` and `history`; wayback.py, cdx.py and
attribution.py find earlier texts; cli.py only parses, calls and prints.
"""

__version__ = "0.1.0"
