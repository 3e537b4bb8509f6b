"""The mirror: every fetched response as gzip-per-record WARC files (ISO 28500, WARC/1.0).

The store keeps what it is given: the fetcher has already undone Content-Encoding and
Transfer-Encoding, so the HTTP headers are rewritten to describe the bytes actually kept
(the originals survive as `X-Archive-Orig-*`), which is what `warcio index`, pywb and
other replay tools expect of a response record.

Durability: each request/response pair is compressed in memory and handed to the OS in
one write, then flushed and fsynced before `write` returns, so a check that the caller
records in SQLite afterwards never points to bytes that are not on disk. A killed process
can leave at most one torn gzip member at the end of a file; every file is opened with
exclusive create, so nothing is ever appended after such a tear, and readers seek straight
to an offset (or stop at the tear when scanning).
"""

from __future__ import annotations

import base64
import hashlib
import http
import io
import os
import re
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from store.records import WarcRef

SOFTWARE = "repost-mirror"
FILE_PREFIX = "repost-mirror-"
WARC_VERSION = "WARC/1.0"
REVISIT_PROFILE = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"

# Headers that described the bytes on the wire, not the decoded body we keep.
_WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
_FILE_RE = re.compile(r"^repost-mirror-(\d{8}T\d{6}Z)-(\d{5,})\.warc(\.gz)?$")


class MirrorError(Exception):
    """A mirror record that cannot be read back as asked."""


def payload_digest(body: bytes) -> str:
    """The WARC payload digest: `sha1:` and the base32 SHA-1 of the payload bytes."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(value: str) -> str:
    """An ISO 8601 time in the WARC/1.0 form `YYYY-MM-DDThh:mm:ssZ` (UTC, whole seconds)."""
    dt = _parse_time(value)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_time(value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        try:
            dt = datetime.strptime(value.strip(), "%Y%m%dT%H%M%SZ")
        except ValueError:
            raise ValueError(f"not an ISO 8601 time: {value!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def _clean(value: str) -> str:
    # A CR or LF inside a header value would end the header block early and corrupt the record.
    return re.sub(r"[\r\n]+", " ", value)


@dataclass(frozen=True)
class WarcPair:
    """A response (or revisit) record and its request record, built and gzipped, not yet written.

    Building is the CPU-heavy part (digests, compression) and needs no file, so it can run
    anywhere; the crawl's worker processes build pairs and append them to files of their own.
    """

    url: str
    response: bytes
    request: bytes
    payload_digest: str
    record_id: str
    revisit: bool


_WRITER = WARCWriter(None, gzip=True, warc_version=WARC_VERSION)


# warcio compresses with zlib at level 9. ISA-L's level 2 (the same gzip format, any reader
# takes it) compresses a 30 KB page in a third of the time of zlib's fastest level, for files
# 4% larger than that level's: CPU is what limits a crawl, and revisit records already keep
# unchanged pages out of the mirror.
GZIP_LEVEL = 2


def _serialize(record) -> bytes:
    """One record as its own gzip member, as WARC readers expect of a .warc.gz file."""
    # A writer per record: pairs are built in several threads and processes at once.
    buf = io.BytesIO()
    WARCWriter(buf, gzip=False, warc_version=WARC_VERSION).write_record(record)
    gz = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, isal_zlib.MAX_WBITS | 16)
    return gz.compress(buf.getvalue()) + gz.flush()


def build_pair(*, url: str, fetched_at: str, status: int, reason: str, http_version: str,
               response_headers: list[tuple[str, str]], body: bytes,
               request_headers: list[tuple[str, str]], method: str = "GET",
               previous: tuple[str, str, str] | None = None, truncated: bool | str = False) -> WarcPair:
    """One response (a revisit when its payload digest equals `previous[0]`) and its request.

    `previous` is (payload digest, record id, date) of the last full response record of
    the same URL. `truncated` marks a body cut at the fetcher's size limit (True: "length"), or
    names why it ended early ("time", "disconnect").
    """
    date = warc_date(fetched_at)
    digest = payload_digest(body)
    revisit = previous is not None and bool(body) and previous[0] == digest
    http_headers = WarcMirror._response_headers(status, reason, http_version, response_headers, len(body))
    if revisit:
        assert previous is not None
        record = _WRITER.create_revisit_record(
            url, digest, url, warc_date(previous[2]), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date},
        )
        record.rec_headers.add_header("WARC-Refers-To", previous[1])
    else:
        record = _WRITER.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Payload-Digest": digest},
        )
        if truncated:
            record.rec_headers.add_header("WARC-Truncated", truncated if isinstance(truncated, str) else "length")
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    request = _WRITER.create_warc_record(
        url, "request", http_headers=WarcMirror._request_headers(url, method, http_version, request_headers),
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id},
    )
    return WarcPair(url, _serialize(record), _serialize(request), digest, record_id, revisit)


class WarcMirror:
    """Writes response (or revisit) and request records for one crawl.

    Files are `repost-mirror-<crawl start>-<serial>.warc.gz`; a file is created only
    when the first record needs it and is never reopened for appending. Several mirrors
    (one per worker process of a crawl) may write one folder: each takes the next free
    serial.
    """

    def __init__(self, folder: Path, *, crawl_started_at: str, max_file_bytes: int = 1_000_000_000):
        self.folder = Path(folder)
        self.crawl_started_at = crawl_started_at
        self.stamp = _parse_time(crawl_started_at).strftime("%Y%m%dT%H%M%SZ")
        self.max_file_bytes = max_file_bytes
        self._serial = 0
        self._fh: io.BufferedWriter | None = None
        self._name: str | None = None
        self._size = 0
        self._lock = threading.Lock()

    # --- files ------------------------------------------------------------------

    def _open_next(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            name = f"{FILE_PREFIX}{self.stamp}-{self._serial:05d}.warc.gz"
            try:
                # Exclusive create: a file left by an earlier (maybe killed) writer with the
                # same crawl start is skipped, never appended to after a possibly torn record.
                fh = open(self.folder / name, "xb")
            except FileExistsError:
                self._serial += 1
                continue
            break
        self._fh, self._name, self._size = fh, name, 0
        _fsync_dir(self.folder)
        info = {
            "software": f"{SOFTWARE}/{_version()}",
            "format": "WARC File Format 1.0",
            "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
            "isPartOf": f"{SOFTWARE}-{self.stamp}",
            "description": f"crawl started at {warc_date(self.crawl_started_at)}",
            "hostname": socket.gethostname(),
            "robots": "obey",
        }
        record = _WRITER.create_warcinfo_record(name, info)
        self._append([_serialize(record)])

    def _append(self, members: list[bytes]) -> int:
        assert self._fh is not None
        offset = self._size
        self._fh.write(b"".join(members))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._size += sum(len(m) for m in members)
        return offset

    def write(self, *, url: str, fetched_at: str, status: int, reason: str, http_version: str,
              response_headers: list[tuple[str, str]], body: bytes,
              request_headers: list[tuple[str, str]], method: str = "GET",
              previous: tuple[str, str, str] | None = None, truncated: bool | str = False) -> WarcRef:
        """Write one response (a revisit when its payload digest equals `previous[0]`) and its request.

        `previous` is (payload digest, record id, date) of the last full response record of
        the same URL. `truncated` marks a body cut at the fetcher's size limit (True: "length"), or
        names why it ended early ("time", "disconnect").
        """
        return self.append(build_pair(
            url=url, fetched_at=fetched_at, status=status, reason=reason, http_version=http_version,
            response_headers=response_headers, body=body, request_headers=request_headers, method=method,
            previous=previous, truncated=truncated,
        ))

    def append(self, pair: WarcPair) -> WarcRef:
        """Write a built pair and return once it is on disk."""
        with self._lock:
            if self._fh is None:
                self._open_next()
            assert self._name is not None
            offset = self._append([pair.response, pair.request])
            ref = WarcRef(
                file=self._name, offset=offset, length=len(pair.response),
                payload_digest=pair.payload_digest, record_id=pair.record_id, revisit=pair.revisit, url=pair.url,
            )
            if self._size >= self.max_file_bytes:
                self._close_file()
                self._serial += 1
        return ref

    @staticmethod
    def _response_headers(status: int, reason: str, http_version: str,
                          headers: list[tuple[str, str]], body_len: int) -> StatusAndHeaders:
        out: list[tuple[str, str]] = []
        for name, value in headers:
            if name.lower() in _WIRE_HEADERS:
                out.append((f"X-Archive-Orig-{name}", _clean(value)))
            else:
                out.append((_clean(name), _clean(value)))
        out.append(("Content-Length", str(body_len)))
        if not reason:
            try:
                reason = http.HTTPStatus(status).phrase
            except ValueError:
                reason = ""
        statusline = f"{status} {_clean(reason)}".rstrip()
        return StatusAndHeaders(statusline, out, protocol=_protocol(http_version))

    @staticmethod
    def _request_headers(url: str, method: str, http_version: str,
                         headers: list[tuple[str, str]]) -> StatusAndHeaders:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        out = [(_clean(n), _clean(v)) for n, v in headers]
        if not any(n.lower() == "host" for n, _ in out):
            out.insert(0, ("Host", parts.netloc))
        # warcio keeps a request line as protocol=verb, statusline="target version".
        return StatusAndHeaders(f"{method} {target} {_protocol(http_version)}", out, is_http_request=True)

    def _close_file(self) -> None:
        if self._fh is not None:
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def close(self) -> None:
        with self._lock:
            self._close_file()

    def __enter__(self) -> WarcMirror:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _protocol(http_version: str) -> str:
    v = (http_version or "HTTP/1.1").strip()
    return v if v.upper().startswith("HTTP/") else f"HTTP/{v}"


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("repost-mirror")
    except Exception:
        return "0"


def _fsync_dir(folder: Path) -> None:
    # The new file's directory entry must be durable too, or a power cut can lose the file.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# --- reading -------------------------------------------------------------------


def _read_record_at(path: Path, offset: int):
    """(WARC headers, HTTP headers, raw payload bytes) of the record at `offset`."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            it = ArchiveIterator(fh)
            record = next(iter(it), None)
            if record is None:
                raise MirrorError(f"{path.name}: no WARC record at offset {offset}")
            payload = record.raw_stream.read()
            return record.rec_headers, record.http_headers, payload
    except MirrorError:
        raise
    except FileNotFoundError:
        raise MirrorError(f"{path}: WARC file not found") from None
    except Exception as e:  # warcio raises several kinds on a bad offset or a torn record
        raise MirrorError(f"{path.name}: cannot read the WARC record at offset {offset}: {e}") from e


def read_payload(folder: Path, ref_file: str, offset: int) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, HTTP headers (as stored) and the exact body bytes of the record at `offset`.

    For a revisit record the status and headers are its own and the body is the original
    record's, found by `WARC-Refers-To` (record id), else by target URI and date.
    The body is checked against the record's payload digest.
    """
    folder = Path(folder)
    rec_headers, http_headers, payload = _read_record_at(folder / ref_file, offset)
    rtype = rec_headers.get_header("WARC-Type")
    if rtype is None:
        # warcio reads bytes from the middle of a record leniently, as a record with no type.
        raise MirrorError(f"{ref_file}: no WARC record at offset {offset}")
    if rtype not in ("response", "revisit") or http_headers is None:
        raise MirrorError(f"{ref_file}@{offset}: a {rtype} record, not an HTTP response")
    status = int(http_headers.get_statuscode() or 0)
    headers = list(http_headers.headers)
    expected = rec_headers.get_header("WARC-Payload-Digest")
    if rtype == "revisit":
        found = _find_original(
            folder, rec_headers.get_header("WARC-Refers-To"),
            rec_headers.get_header("WARC-Refers-To-Target-URI"),
            rec_headers.get_header("WARC-Refers-To-Date"),
        )
        if found is None:
            raise MirrorError(
                f"{ref_file}@{offset}: revisit of {rec_headers.get_header('WARC-Refers-To-Target-URI')} "
                f"({rec_headers.get_header('WARC-Refers-To-Date')}): original record not in {folder}"
            )
        _, _, payload = _read_record_at(folder / found[0], found[1])
    if expected and payload_digest(payload) != expected:
        raise MirrorError(f"{ref_file}@{offset}: payload does not match its digest {expected}")
    return status, headers, payload


# Per-file index of response records, kept while the file is unchanged (size, mtime).
_INDEX: dict[Path, tuple[tuple[int, int], dict[str, int], dict[tuple[str, str], int]]] = {}
_INDEX_LOCK = threading.Lock()


def _index_file(path: Path) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    st = path.stat()
    key = (st.st_size, st.st_mtime_ns)
    with _INDEX_LOCK:
        hit = _INDEX.get(path)
        if hit is not None and hit[0] == key:
            return hit[1], hit[2]
    by_id: dict[str, int] = {}
    by_uri_date: dict[tuple[str, str], int] = {}
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        try:
            for record in it:
                if record.rec_type == "response":
                    off = it.get_record_offset()
                    h = record.rec_headers
                    by_id[h.get_header("WARC-Record-ID")] = off
                    by_uri_date[(h.get_header("WARC-Target-URI"), h.get_header("WARC-Date"))] = off
        except Exception:
            # A torn record at the end (a killed writer): everything before it stays usable.
            pass
    with _INDEX_LOCK:
        _INDEX[path] = (key, by_id, by_uri_date)
    return by_id, by_uri_date


def _find_original(folder: Path, record_id: str | None, uri: str | None, date: str | None) -> tuple[str, int] | None:
    files = sorted(p for p in folder.glob("*.warc*") if p.name.endswith((".warc", ".warc.gz")))
    if date:
        # A record is never older than its crawl's start, which names the file: skip later crawls.
        try:
            limit = _parse_time(date).strftime("%Y%m%dT%H%M%SZ")
        except ValueError:
            limit = None
        if limit is not None:
            files = [p for p in files if (m := _FILE_RE.match(p.name)) is None or m.group(1) <= limit]
    for path in reversed(files):
        by_id, by_uri_date = _index_file(path)
        if record_id and record_id in by_id:
            return path.name, by_id[record_id]
    if uri and date:
        for path in reversed(files):
            _, by_uri_date = _index_file(path)
            if (uri, date) in by_uri_date:
                return path.name, by_uri_date[(uri, date)]
    return None
