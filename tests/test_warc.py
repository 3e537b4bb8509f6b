"""The mirror must be readable by standard WARC tools and give back the exact bytes served."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import random
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from store.records import Exchange, WarcRef
from store.warc import (
    IDENTICAL_PAYLOAD,
    SERVER_NOT_MODIFIED,
    CrawlInfo,
    MirrorError,
    WarcMirror,
    payload_digest,
    read_payload,
    warc_date,
)

CRAWL = "2026-11-24T03:00:00Z"
UA = "repost-mirror/test (+https://example.org/contact)"
INFO = CrawlInfo(CRAWL, UA)
URL = "https://gnews.org/articles/2444750"
REQ = (("Host", "gnews.org"), ("User-Agent", UA), ("Accept", "*/*"))


def page(n: int, size: int = 2000) -> bytes:
    """About `size` bytes of Chinese HTML, different for each n, that gzip cannot shrink to nothing."""
    rng = random.Random(n)
    text = f"<html><head><meta charset=utf-8><title>第{n}篇</title></head><body>"
    while len(text.encode("utf-8")) < size:
        text += "<p>" + "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(60)) + "</p>"
    return (text + "</body></html>").encode("utf-8")


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def ts(at: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()


def exchange(url: str, body: bytes, at: str, **kw) -> Exchange:
    return Exchange(
        url=url, started_at=ts(at), request_headers=kw.pop("request_headers", REQ), status=kw.pop("status", 200),
        reason=kw.pop("reason", "OK"), http_version=kw.pop("http_version", "HTTP/1.1"),
        response_headers=tuple(kw.pop("response_headers", [("Content-Type", "text/html; charset=utf-8")])),
        payload=body, ip=kw.pop("ip", "93.184.216.34"), **kw,
    )


def write(m: WarcMirror, url: str, body: bytes, at: str, previous: WarcRef | None = None, **kw) -> WarcRef:
    return m.write(exchange(url, body, at, **kw), previous)


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
                    "warcinfo": h.get_header("WARC-Warcinfo-ID"), "ip": h.get_header("WARC-IP-Address"),
                    "truncated": h.get_header("WARC-Truncated"),
                    "http": rec.http_headers, "payload": payload,
                })
    return out


def test_response_and_request_round_trip(tmp_path: Path):
    body = page(1)
    wire = gzip.compress(body, mtime=0)
    served = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip"),
              ("Content-Length", str(len(wire))), ("ETag", '"abc"'), ("Transfer-Encoding", "chunked")]
    m = WarcMirror(tmp_path, INFO)
    ref = write(m, URL, wire, "2026-11-24T03:00:07Z", response_headers=served)
    m.close()

    assert ref.file == f"repost-mirror-20261124T030000Z-00000-{os.getpid()}-{socket.gethostname()}.warc.gz"
    # The payload as received: the gzip bytes, and their digest, as every other archive computes it.
    assert ref.payload_digest == sha1_b32(wire) and not ref.revisit
    status, headers, got, truncated = read_payload(tmp_path, ref.file, ref.offset)
    assert status == 200 and got == wire and gzip.decompress(got) == body and not truncated
    # Headers as served; only the chunk framing, gone from the stored payload, is not claimed.
    assert headers[:4] == served[:4]
    assert ("X-Archive-Orig-Transfer-Encoding", "chunked") in headers
    assert not any(n.lower() == "transfer-encoding" for n, _ in headers)

    recs = all_records(tmp_path)
    assert [r["type"] for r in recs] == ["warcinfo", "response", "request"]
    info, resp, req = recs
    assert resp["offset"] == ref.offset and resp["id"] == ref.record_id
    assert req["concurrent"] == resp["id"] and req["uri"] == URL
    assert resp["date"] == "2026-11-24T03:00:07Z" == req["date"]
    assert resp["warcinfo"] == req["warcinfo"] == info["id"]
    assert resp["ip"] == req["ip"] == "93.184.216.34"
    assert resp["truncated"] is None
    assert req["http"].protocol == "GET" and req["http"].statusline == "/articles/2444750 HTTP/1.1"
    assert req["http"].get_header("Host") == "gnews.org"
    assert req["http"].get_header("User-Agent") == UA
    # The WarcRef length covers exactly the response's gzip member: the request starts right after it.
    assert ref.offset + ref.length == req["offset"]


def warcinfo_fields(folder: Path) -> dict[str, str]:
    rec = [r for r in all_records(folder) if r["type"] == "warcinfo"][0]
    return dict(line.split(": ", 1) for line in rec["payload"].decode().splitlines() if ": " in line)


@pytest.mark.parametrize("respect_robots, word", [(True, "classic"), (False, "ignore")])
def test_warcinfo_tells_the_truth_about_the_crawl(tmp_path: Path, respect_robots: bool, word: str):
    m = WarcMirror(tmp_path, CrawlInfo(CRAWL, UA, respect_robots))
    write(m, URL, page(1), "2026-11-24T03:00:07Z")
    m.close()
    fields = warcinfo_fields(tmp_path)
    assert fields["robots"] == word
    assert fields["http-header-user-agent"] == UA
    assert fields["operator"] == "https://example.org/contact"
    assert fields["hostname"] == socket.gethostname()
    assert fields["software"].startswith("repost-mirror/")


def test_warcinfo_names_no_operator_the_user_agent_does_not_give(tmp_path: Path):
    m = WarcMirror(tmp_path, CrawlInfo(CRAWL, "plain-agent/1.0"))
    write(m, URL, page(1), "2026-11-24T03:00:07Z")
    m.close()
    assert "operator" not in warcinfo_fields(tmp_path)
    assert CrawlInfo(CRAWL, "bot/1 (archive@example.org)").operator == "archive@example.org"


def test_revisit_for_identical_payload_only(tmp_path: Path):
    body, changed = page(1), page(2)
    m = WarcMirror(tmp_path, INFO)
    first = write(m, URL, body, "2026-11-24T03:00:01Z")
    same = write(m, URL, body, "2026-11-25T03:00:01Z", previous=first,
                 response_headers=[("Content-Type", "text/html"), ("Date", "Wed, 25 Nov 2026 03:00:01 GMT")])
    other = write(m, URL, changed, "2026-11-26T03:00:01Z", previous=first)
    m.close()

    assert same.revisit and same.payload_digest == first.payload_digest
    assert not other.revisit and other.payload_digest == sha1_b32(changed)

    recs = {r["id"]: r for r in all_records(tmp_path)}
    rv = recs[same.record_id]
    assert rv["type"] == "revisit" and rv["profile"] == IDENTICAL_PAYLOAD
    # The original named exactly: its record id, its URI and its own WARC-Date.
    assert rv["refers_to"] == first.record_id
    assert rv["refers_uri"] == URL and rv["refers_date"] == recs[first.record_id]["date"] == "2026-11-24T03:00:01Z"
    assert rv["digest"] == first.payload_digest
    assert recs[other.record_id]["type"] == "response"
    # A revisit is much smaller than the copy it avoids.
    assert same.length < first.length / 2

    # The revisit reads back as its own status and headers with the original's bytes.
    status, headers, got, _ = read_payload(tmp_path, same.file, same.offset)
    assert status == 200 and got == body
    assert ("Date", "Wed, 25 Nov 2026 03:00:01 GMT") in headers
    assert read_payload(tmp_path, other.file, other.offset)[2] == changed


def test_a_304_is_a_server_not_modified_revisit_of_the_capture_it_confirms(tmp_path: Path):
    body = page(5)
    wire = gzip.compress(body, mtime=0)
    m = WarcMirror(tmp_path, INFO)
    first = write(m, URL, wire, "2026-11-24T03:00:01Z", response_headers=[
        ("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Content-Length", str(len(wire))),
        ("ETag", '"v1"'), ("Date", "Tue, 24 Nov 2026 03:00:01 GMT"), ("Cache-Control", "max-age=60")])
    again = write(m, URL, b"", "2026-11-25T03:00:09Z", previous=first, status=304, reason="Not Modified",
                  response_headers=[("ETag", '"v1"'), ("Date", "Wed, 25 Nov 2026 03:00:09 GMT"),
                                    ("Cache-Control", "max-age=120"), ("Content-Length", "0")])
    m.close()

    assert again.revisit and again.payload_digest == first.payload_digest
    recs = {r["id"]: r for r in all_records(tmp_path)}
    rv = recs[again.record_id]
    assert rv["type"] == "revisit" and rv["profile"] == SERVER_NOT_MODIFIED
    assert rv["refers_to"] == first.record_id and rv["refers_uri"] == URL
    assert rv["refers_date"] == "2026-11-24T03:00:01Z" and rv["date"] == "2026-11-25T03:00:09Z"
    assert rv["digest"] == first.payload_digest
    # The response the 304 confirmed, refreshed by it: never an empty 304 for replay tools to serve.
    http = rv["http"]
    assert http.get_statuscode() == "200"
    assert http.get_header("Date") == "Wed, 25 Nov 2026 03:00:09 GMT"
    assert http.get_header("Cache-Control") == "max-age=120"
    assert http.get_header("Content-Encoding") == "gzip" and http.get_header("Content-Length") == str(len(wire))
    # What was asked is in the request record.
    req = [r for r in recs.values() if r["concurrent"] == again.record_id][0]
    assert req["type"] == "request"
    status, _headers, got, _ = read_payload(tmp_path, again.file, again.offset)
    assert status == 200 and got == wire


def test_a_revisit_is_never_written_for_an_original_the_mirror_lost(tmp_path: Path):
    body = page(3)
    m1 = WarcMirror(tmp_path, CrawlInfo("2026-11-23T03:00:00Z", UA))
    first = write(m1, URL, body, "2026-11-23T03:10:00Z")
    m1.close()
    (tmp_path / first.file).unlink()
    m = WarcMirror(tmp_path, INFO)
    same = write(m, URL, body, "2026-11-24T03:10:00Z", previous=first)
    # A 304 whose original is gone is kept as what it is, a 304 response.
    nm = write(m, URL, b"", "2026-11-24T03:20:00Z", previous=first, status=304, reason="Not Modified")
    # A pointer at the wrong record (another id at that offset) is not trusted either.
    wrong = write(m, URL, body, "2026-11-24T03:30:00Z",
                  previous=WarcRef(same.file, same.offset, same.length, same.payload_digest, "<urn:uuid:0>", url=URL))
    m.close()
    assert not same.revisit and read_payload(tmp_path, same.file, same.offset)[2] == body
    assert not nm.revisit and read_payload(tmp_path, nm.file, nm.offset)[:1] == (304,)
    assert not wrong.revisit


def test_revisit_resolves_across_crawls(tmp_path: Path):
    body = page(7)
    m1 = WarcMirror(tmp_path, CrawlInfo("2026-11-23T03:00:00Z", UA))
    first = write(m1, URL, body, "2026-11-23T03:10:00Z")
    m1.close()
    m2 = WarcMirror(tmp_path, INFO)
    again = write(m2, URL, body, "2026-11-24T03:10:00Z", previous=first)
    m2.close()
    assert again.revisit and again.file != first.file
    assert read_payload(tmp_path, again.file, again.offset)[2] == body
    (tmp_path / first.file).unlink()
    with pytest.raises(MirrorError, match="original record not in"):
        read_payload(tmp_path, again.file, again.offset)


def test_truncated_payload_is_marked(tmp_path: Path):
    m = WarcMirror(tmp_path, INFO)
    ref = write(m, URL, page(1)[:500], "2026-11-24T03:00:01Z", truncated="length")
    again = write(m, URL, page(1)[:500], "2026-11-24T03:00:02Z", truncated="length", previous=ref)
    m.close()
    recs = {r["id"]: r for r in all_records(tmp_path)}
    assert recs[ref.record_id]["truncated"] == "length"
    assert read_payload(tmp_path, ref.file, ref.offset).truncated  # read again, it says it was cut
    # A cut payload says nothing about the whole one: never deduplicated.
    assert not again.revisit


def test_empty_and_error_bodies_are_stored_honestly(tmp_path: Path):
    m = WarcMirror(tmp_path, INFO)
    gone = write(m, URL + "?q=1", b"", "2026-11-24T03:00:01Z", status=404, reason="")
    # An empty payload is never a revisit: there is nothing to deduplicate.
    again = write(m, URL + "?q=1", b"", "2026-11-24T03:00:02Z", status=404, reason="", previous=gone)
    m.close()
    assert not again.revisit
    status, headers, got, _ = read_payload(tmp_path, gone.file, gone.offset)
    assert status == 404 and got == b""
    http = [r["http"] for r in all_records(tmp_path) if r["type"] == "response"][0]
    assert http.statusline == "404 Not Found"


def test_warc_date_of_a_timestamp():
    assert warc_date(ts("2026-11-24T03:00:07Z") + 0.9) == "2026-11-24T03:00:07Z"
    assert warc_date("2026-11-24T03:00:07.123456+00:00") == "2026-11-24T03:00:07Z"


def test_rotation_starts_new_files_each_with_warcinfo(tmp_path: Path):
    m = WarcMirror(tmp_path, INFO, max_file_bytes=3000)
    refs = [write(m, f"{URL}?n={i}", page(i, 4000), f"2026-11-24T03:00:{i:02d}Z") for i in range(6)]
    m.close()
    files = sorted(p.name for p in tmp_path.glob("*.warc.gz"))
    assert len(files) >= 3
    suffix = f"-{os.getpid()}-{socket.gethostname()}.warc.gz"
    assert files[:3] == [f"repost-mirror-20261124T030000Z-{i:05d}{suffix}" for i in range(3)]
    recs = all_records(tmp_path)
    for name in files:
        assert [r["type"] for r in recs if r["file"] == name][0] == "warcinfo"
    # Rotation happens only after a file passed the limit, so no file but the last is under it.
    for name in files[:-1]:
        assert (tmp_path / name).stat().st_size >= 3000
    for i, ref in enumerate(refs):
        assert read_payload(tmp_path, ref.file, ref.offset)[2] == page(i, 4000)


def test_torn_last_record_leaves_earlier_records_readable(tmp_path: Path):
    m = WarcMirror(tmp_path, INFO)
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
    m2 = WarcMirror(tmp_path, INFO)
    after = write(m2, URL, page(1), "2026-11-24T04:00:00Z", previous=good)
    m2.close()
    assert after.file == good.file.replace("-00000-", "-00001-")
    assert (tmp_path / good.file).stat().st_size == torn.offset + torn.length // 2
    # The revisit still finds its original in the torn file, before the tear.
    assert after.revisit and read_payload(tmp_path, after.file, after.offset)[2] == page(1)


def test_data_is_on_disk_before_write_returns(tmp_path: Path):
    m = WarcMirror(tmp_path, INFO)
    ref = write(m, URL, page(4), "2026-11-24T03:00:01Z")
    # Not closed: a reader (or the next process after a crash) must already see the whole pair.
    assert read_payload(tmp_path, ref.file, ref.offset)[2] == page(4)
    assert [r["type"] for r in all_records(tmp_path)] == ["warcinfo", "response", "request"]
    m.close()


@pytest.mark.parametrize("http_version", ["HTTP/1.1", "HTTP/2"])
def test_warcio_index_and_check_list_every_record(tmp_path: Path, http_version: str):
    m = WarcMirror(tmp_path, INFO)
    a = write(m, URL, page(1), "2026-11-24T03:00:01Z", http_version=http_version,
              response_headers=[("Content-Type", "text/html"), ("X-Note", "中文 value")])
    b = write(m, URL, page(1), "2026-11-24T03:00:02Z", http_version=http_version, previous=a)
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
    m = WarcMirror(tmp_path, INFO)
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

    m = WarcMirror(tmp_path, INFO, max_file_bytes=20_000)
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
