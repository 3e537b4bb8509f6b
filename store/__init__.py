"""What repost-mirror keeps: the SQLite database (db.py), the WARC mirror (warc.py) and the
reports read from them (report.py, report_md.py, report_html.py).

The crawler hands over frozen records (records.py) and the words they carry (words.py), and
the store's queries answer with records of the same module (or plain values); the store
never fetches, parses or extracts, and never imports `crawler`, httpx or selectolax
(tests/test_layout.py holds it to that).
"""
