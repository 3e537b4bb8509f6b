"""What repost-mirror keeps, the last two steps of the flow (... -> compare -> store ->
report; see ``crawler``): the SQLite database (db.py; attribution.py the earlier texts and
web-archive lookups), the WARC mirror (warc.py), the per-host politeness slots that
processes sharing a database share (turns.py), and the reports read from them (report.py,
report_md.py, report_html.py; marks.py which stretches of two texts differ).

The crawler hands over frozen records (records.py) and the words they carry (words.py), and
the store's queries answer with records of the same module (or plain values); the store
never fetches, parses or extracts, and never imports `crawler`, httpx or selectolax
(tests/test_layout.py holds it to that).
"""
