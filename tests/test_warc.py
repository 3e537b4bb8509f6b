"""The mirror must be readable by standard WARC tools and give back the exact bytes served."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from store.records import WarcRef
from store.warc import MirrorError, WarcMirror, payload_digest, read_payload

CRAWL = "2026-11-24T03:00:00Z"
URL = "https://gnews.org/articles/2444750"
REQ = [("User-Agent", "repost-mirror/test (+https://example.org)"), ("Accept", "*/*")]


def page(n: int, size: int = 2000) -> bytes:
    """About `size` bytes of Chinese HTML, different for each n, that gzip cannot shrink to nothing."""
    rng = random.Random(n)
    text = f"<html><head><meta charset=utf-8><title>第{n}篇</title></head><body>"
    while len(text.encode("utf-8")) < size:
        text += "<p>" + "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(60)) + "</p>"
    return (text + "</body></html>").encode("utf-8")


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def write(m: WarcMirror, url: str, body: bytes, at: str, previous=None, **kw) -> WarcRef:
    return m.write(
        url=url, fetched_at=at, status=kw.pop("status", 200), reason=kw.pop("reason", "OK"),
        http_version=kw.pop("http_version", "HTTP/1.1"),
        response_headers=kw.pop("response_headers", [("Content-Type", "text/html; charset=utf-8")]),
        body=body, request_headers=REQ, previous=previous, **kw,
    )


def all_records(folder: Path) -> list[dict]:
    """Every record of every file, read with warcio, payload digests checked against the bytes read."""
    out = []
    for path in sorted(folder.glob("*.warc.gz")):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                payload = rec.raw_stream.read()
                h = rec.rec_headers
                digest = h.get_header("WARC-Payload-Digest")
                if rec.rec_type == "response":
                    assert digest == sha1_b32(payload), f"{path.name}: payload digest mismatch"
                    cl = rec.http_headers.get_header("Content-Length")
                    assert cl == str(len(payload)), "HTTP Content-Length must describe the stored body"
                if rec.rec_type == "revisit":
                    assert payload == b"", "a revisit holds no second copy of the payload"
                out.append({
                    "file": path.name, "offset": it.get_record_offset(), "type": rec.rec_type,
                    "id": h.get_header("WARC-Record-ID"), "uri": h.get_header("WARC-Target-URI"),
                    "digest": digest, "concurrent": h.get_header("WARC-Concurrent-To"),
                    "refers_to": h.get_header("WARC-Refers-To"),
                    "refers_uri": h.get_header("WARC-Refers-To-Target-URI"),
                    "refers_date": h.get_header("WARC-Refers-To-Date"),
                    "profile": h.get_header("WARC-Profile"), "date": h.get_header("WARC-Date"),
                    "http": rec.http_headers,
                })
    return out


def test_response_and_request_round_trip(tmp_path: Path):
    body = page(1)
    m = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    ref = write(m, URL, body, "2026-11-24T03:00:07Z", response_headers=[
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
        ("Content-Length", "321"), ("ETag", '"abc"'), ("Transfer-Encoding", "chunked"),
    ])
    m.close()

    assert ref.file == "repost-mirror-20261124T030000Z-00000.warc.gz"
    assert ref.payload_digest == sha1_b32(body) and not ref.revisit
    status, headers, got = read_payload(tmp_path, ref.file, ref.offset)
    assert status == 200 and got == body
    names = {n.lower(): v for n, v in headers}
    # The body kept is decoded: headers that described the wire bytes must not claim otherwise.
    assert "content-encoding" not in names and "transfer-encoding" not in names
    assert names["content-length"] == str(len(body))
    assert names["x-archive-orig-content-encoding"] == "gzip"
    assert names["etag"] == '"abc"'

    recs = all_records(tmp_path)
    assert [r["type"] for r in recs] == ["warcinfo", "response", "request"]
    resp, req = recs[1], recs[2]
    assert resp["offset"] == ref.offset and resp["id"] == ref.record_id
    assert req["concurrent"] == resp["id"] and req["uri"] == URL
    assert resp["date"] == "2026-11-24T03:00:07Z"
    assert req["http"].protocol == "GET" and req["http"].statusline == "/articles/2444750 HTTP/1.1"
    assert req["http"].get_header("Host") == "gnews.org"
    assert req["http"].get_header("User-Agent") == REQ[0][1]
    # The WarcRef length covers exactly the response's gzip member: the request starts right after it.
    assert ref.offset + ref.length == req["offset"]


def test_revisit_for_identical_payload_only(tmp_path: Path):
    body, changed = page(1), page(2)
    m = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    first = write(m, URL, body, "2026-11-24T03:00:01Z")
    prev = (first.payload_digest, first.record_id, "2026-11-24T03:00:01Z")
    same = write(m, URL, body, "2026-11-25T03:00:01Z", previous=prev,
                 response_headers=[("Content-Type", "text/html"), ("Date", "Wed, 25 Nov 2026 03:00:01 GMT")])
    other = write(m, URL, changed, "2026-11-26T03:00:01Z", previous=prev)
    m.close()

    assert same.revisit and same.payload_digest == first.payload_digest
    assert not other.revisit and other.payload_digest == sha1_b32(changed)

    recs = {r["id"]: r for r in all_records(tmp_path)}
    rv = recs[same.record_id]
    assert rv["type"] == "revisit"
    assert rv["profile"] == "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
    assert rv["refers_to"] == first.record_id
    assert rv["refers_uri"] == URL and rv["refers_date"] == "2026-11-24T03:00:01Z"
    assert rv["digest"] == first.payload_digest
    assert recs[other.record_id]["type"] == "response"
    # A revisit is much smaller than the copy it avoids.
    assert same.length < first.length / 2

    # The revisit reads back as its own status and headers with the original's bytes.
    status, headers, got = read_payload(tmp_path, same.file, same.offset)
    assert status == 200 and got == body
    assert ("Date", "Wed, 25 Nov 2026 03:00:01 GMT") in headers
    assert read_payload(tmp_path, other.file, other.offset)[2] == changed


def test_revisit_resolves_across_crawls_and_by_uri_date(tmp_path: Path):
    body = page(7)
    m1 = WarcMirror(tmp_path, crawl_started_at="2026-11-23T03:00:00Z")
    first = write(m1, URL, body, "2026-11-23T03:10:00Z")
    m1.close()
    m2 = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    # A record id the mirror never wrote: the reader must fall back to target URI + date.
    again = write(m2, URL, body, "2026-11-24T03:10:00Z",
                  previous=(first.payload_digest, "<urn:uuid:00000000-0000-0000-0000-000000000000>",
                            "2026-11-23T03:10:00.000000+00:00"))
    m2.close()
    assert again.revisit and again.file != first.file
    assert read_payload(tmp_path, again.file, again.offset)[2] == body


def test_revisit_whose_original_is_missing_is_an_error(tmp_path: Path):
    body = page(3)
    m = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    ref = write(m, URL, body, "2026-11-24T03:00:01Z",
                previous=(sha1_b32(body), "<urn:uuid:11111111-0000-0000-0000-000000000000>", "2026-01-01T00:00:00Z"))
    m.close()
    assert ref.revisit
    with pytest.raises(MirrorError, match="original record not in"):
        read_payload(tmp_path, ref.file, ref.offset)


def test_empty_and_error_bodies_are_stored_honestly(tmp_path: Path):
    m = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    gone = write(m, URL + "?q=1", b"", "2026-11-24T03:00:01Z", status=404, reason="")
    # An empty payload is never a revisit: there is nothing to deduplicate.
    again = write(m, URL + "?q=1", b"", "2026-11-24T03:00:02Z", status=404, reason="",
                  previous=(gone.payload_digest, gone.record_id, "2026-11-24T03:00:01Z"))
    m.close()
    assert not again.revisit
    status, headers, got = read_payload(tmp_path, gone.file, gone.offset)
    assert status == 404 and got == b""
    http = [r["http"] for r in all_records(tmp_path) if r["type"] == "response"][0]
    assert http.statusline == "404 Not Found"
    assert read_payload(tmp_path, gone.file, gone.offset)[0] == 404


def test_rotation_starts_new_files_each_with_warcinfo(tmp_path: Path):
    m = WarcMirror(tmp_path, crawl_started_at=CRAWL, max_file_bytes=3000)
    refs = [write(m, f"{URL}?n={i}", page(i, 4000), f"2026-11-24T03:00:{i:02d}Z") for i in range(6)]
    m.close()
    files = sorted(p.name for p in tmp_path.glob("*.warc.gz"))
    assert len(files) >= 3
    assert files[:3] == [f"repost-mirror-20261124T030000Z-{i:05d}.warc.gz" for i in range(3)]
    recs = all_records(tmp_path)
    for name in files:
        assert [r["type"] for r in recs if r["file"] == name][0] == "warcinfo"
    # Rotation happens only after a file passed the limit, so no file but the last is under it.
    for name in files[:-1]:
        assert (tmp_path / name).stat().st_size >= 3000
    for i, ref in enumerate(refs):
        assert read_payload(tmp_path, ref.file, ref.offset)[2] == page(i, 4000)


def test_torn_last_record_leaves_earlier_records_readable(tmp_path: Path):
    m = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    good = write(m, URL, page(1), "2026-11-24T03:00:01Z")
    torn = write(m, URL + "?b", page(2, 20000), "2026-11-24T03:00:02Z")
    m.close()
    path = tmp_path / good.file
    # A killed writer: the file ends in the middle of the last response's gzip member.
    with open(path, "r+b") as fh:
        fh.truncate(torn.offset + torn.length // 2)

    assert read_payload(tmp_path, good.file, good.offset)[2] == page(1)
    seen = []
    try:
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                seen.append((rec.rec_type, rec.raw_stream.read()))
    except Exception:
        pass  # warcio may raise at the tear or just stop; either way what came before is intact
    assert [t for t, _ in seen[:3]] == ["warcinfo", "response", "request"]
    assert seen[1][1] == page(1)
    assert ("response", page(2, 20000)) not in seen
    with pytest.raises(MirrorError):
        read_payload(tmp_path, torn.file, torn.offset)

    # The next writer with the same crawl start never appends after the tear.
    m2 = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    after = write(m2, URL, page(1), "2026-11-24T04:00:00Z",
                  previous=(good.payload_digest, good.record_id, "2026-11-24T03:00:01Z"))
    m2.close()
    assert after.file == "repost-mirror-20261124T030000Z-00001.warc.gz"
    assert (tmp_path / good.file).stat().st_size == torn.offset + torn.length // 2
    # The revisit still finds its original in the torn file, before the tear.
    assert after.revisit and read_payload(tmp_path, after.file, after.offset)[2] == page(1)


def test_data_is_on_disk_before_write_returns(tmp_path: Path):
    m = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    ref = write(m, URL, page(4), "2026-11-24T03:00:01Z")
    # Not closed: a reader (or the next process after a crash) must already see the whole pair.
    assert read_payload(tmp_path, ref.file, ref.offset)[2] == page(4)
    assert [r["type"] for r in all_records(tmp_path)] == ["warcinfo", "response", "request"]
    m.close()


@pytest.mark.parametrize("http_version", ["HTTP/1.1", "HTTP/2"])
def test_warcio_index_and_check_list_every_record(tmp_path: Path, http_version: str):
    m = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    a = write(m, URL, page(1), "2026-11-24T03:00:01Z", http_version=http_version,
              response_headers=[("Content-Type", "text/html"), ("X-Note", "中文 value")])
    b = write(m, URL, page(1), "2026-11-24T03:00:02Z", http_version=http_version,
              previous=(a.payload_digest, a.record_id, "2026-11-24T03:00:01Z"))
    m.close()
    exe = shutil.which("warcio")
    cmd = [exe] if exe else [sys.executable, "-m", "warcio.cli"]
    path = tmp_path / a.file
    out = subprocess.run(cmd + ["index", "-f", "warc-type,warc-target-uri,offset,http:status", str(path)],
                         capture_output=True, text=True, check=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["warc-type"] for r in rows] == ["warcinfo", "response", "request", "revisit", "request"]
    assert int(rows[1]["offset"]) == a.offset and int(rows[3]["offset"]) == b.offset
    assert rows[1]["http:status"] == "200" and rows[3]["http:status"] == "200"
    check = subprocess.run(cmd + ["check", "-v", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout


def test_payload_digest_helper_matches_warc_form():
    assert payload_digest(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
    assert payload_digest(b"abc") == sha1_b32(b"abc")


def test_bad_offset_is_a_clear_error(tmp_path: Path):
    m = WarcMirror(tmp_path, crawl_started_at=CRAWL)
    ref = write(m, URL, page(1), "2026-11-24T03:00:01Z")
    m.close()
    with pytest.raises(MirrorError, match="offset"):
        read_payload(tmp_path, ref.file, ref.offset + 5)
    with pytest.raises(MirrorError, match="not an HTTP response"):
        read_payload(tmp_path, ref.file, 0)
    with pytest.raises(MirrorError, match="not found"):
        read_payload(tmp_path, "nope.warc.gz", 0)


def test_writes_from_several_threads_never_interleave(tmp_path: Path):
    from concurrent.futures import ThreadPoolExecutor

    m = WarcMirror(tmp_path, crawl_started_at=CRAWL, max_file_bytes=20_000)
    with ThreadPoolExecutor(8) as pool:
        refs = list(pool.map(lambda i: write(m, f"{URL}?t={i}", page(i, 3000), "2026-11-24T03:00:01Z"), range(40)))
    m.close()
    for i, ref in enumerate(refs):
        assert read_payload(tmp_path, ref.file, ref.offset)[2] == page(i, 3000)
    recs = all_records(tmp_path)
    assert sum(r["type"] == "response" for r in recs) == 40
    # Each request record directly follows its own response.
    for a, b in zip(recs, recs[1:]):
        if a["type"] == "response":
            assert b["type"] == "request" and b["concurrent"] == a["id"]
