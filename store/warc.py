"""The mirror: every HTTP exchange of a crawl as gzip-per-record WARC files (ISO 28500, WARC/1.0).

What is kept is what crossed the wire, as Heritrix and wget keep it: the request, and the
response's status line, headers and payload as received (de-chunked, still content-encoded,
so `WARC-Payload-Digest` is the digest every other archive's capture of the same bytes has).
Only `Transfer-Encoding` is renamed `X-Archive-Orig-Transfer-Encoding`: the chunk framing is
gone from the stored payload, and a replay tool that believed the header would de-chunk it
a second time.

A payload identical to the last full capture of the same URL is an identical-payload-digest
revisit; a 304 is a server-not-modified revisit of the capture it confirms. Both name that
capture exactly (`WARC-Refers-To` its record id, `WARC-Refers-To-Date` its `WARC-Date`, read
back from the mirror: a capture that cannot be read back is not referred to, the payload is
stored in full instead). A 304's revisit carries the confirmed response's status line and
headers, refreshed with the 304's own as a cache does (RFC 9111, 4.3.4), so that replay tools
serve the page it confirmed, not an empty 304; the profile and the request record say what
was asked and answered.

Durability: each request/response pair is compressed in memory and handed to the OS in
one write, then flushed and fsynced before `write` returns, so a check that the caller
records in SQLite afterwards never points to bytes that are not on disk. A killed process
can leave at most one torn gzip member at the end of a file; every file is opened with
exclusive create, so nothing is ever appended after such a tear, and readers seek straight
to an offset (or stop at the tear when scanning). File names carry the crawl's start, a
serial, the process id and the host name (as Heritrix's do), so writers on several
machines or in several processes never collide.
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
from typing import NamedTuple
from urllib.parse import urlsplit

from isal import isal_zlib
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from store.records import Exchange, WarcRef

SOFTWARE = "repost-mirror"
FILE_PREFIX = "repost-mirror-"
WARC_VERSION = "WARC/1.0"
IDENTICAL_PAYLOAD = "http://netpreserve.org/warc/1.0/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.0/revisit/server-not-modified"

# What a 304's headers never replace in the response it confirms (RFC 9111, 3.2): framing,
# and headers of the connection rather than of the resource.
_NOT_REFRESHED = {"content-length", "content-encoding", "transfer-encoding", "content-range", "connection",
                  "keep-alive", "te", "trailer", "upgrade", "proxy-connection", "proxy-authenticate"}
_FILE_RE = re.compile(r"^repost-mirror-(\d{8}T\d{6}Z)-(\d{5,})(?:-[^/]*)?\.warc(\.gz)?$")


class MirrorError(Exception):
    """A mirror record that cannot be read back as asked."""


def payload_digest(body: bytes) -> str:
    """The WARC payload digest: `sha1:` and the base32 SHA-1 of the payload bytes."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(value: str | float) -> str:
    """An ISO 8601 time (or a POSIX timestamp) in the WARC/1.0 form `YYYY-MM-DDThh:mm:ssZ`."""
    dt = datetime.fromtimestamp(value, timezone.utc) if isinstance(value, (int, float)) else _parse_time(value)
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
class CrawlInfo:
    """What the warcinfo record of every file says about the crawl that wrote it."""

    started_at: str
    user_agent: str
    respect_robots: bool = True

    @property
    def operator(self) -> str | None:
        """The contact the user agent gives site operators (`+URL` or an address), if any."""
        m = re.search(r"\(\+?([^()\s;]+@[^()\s;]+|\+[^()\s;]+)", self.user_agent)
        if m is None:
            return None
        return m.group(1).lstrip("+")

    def fields(self, hostname: str) -> dict[str, str]:
        info = {
            "software": f"{SOFTWARE}/{_version()}",
            "format": "WARC File Format 1.0",
            "conformsTo": "http://bibnum.bnf.fr/WARC/WARC_ISO_28500_version1_latestdraft.pdf",
            "isPartOf": f"{SOFTWARE}-{_stamp(self.started_at)}",
            "description": f"crawl started at {warc_date(self.started_at)}",
            "hostname": hostname,
            # Heritrix's words: "classic" obeys robots.txt, "ignore" does not.
            "robots": "classic" if self.respect_robots else "ignore",
            "http-header-user-agent": _clean(self.user_agent),
        }
        if self.operator:
            info["operator"] = _clean(self.operator)
        return info


@dataclass(frozen=True)
class WarcPair:
    """A response (or revisit) record and its request record, built and gzipped, not yet written."""

    url: str
    response: bytes
    request: bytes
    payload_digest: str
    record_id: str
    revisit: bool


@dataclass(frozen=True)
class Original:
    """The capture a revisit refers to, as read back from the mirror."""

    ref: WarcRef
    date: str  # its WARC-Date, exactly
    http_headers: StatusAndHeaders


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


def build_pair(ex: Exchange, *, warcinfo_id: str, original: Original | None = None) -> WarcPair:
    """The response record of one exchange (a revisit of `original` when it is a 304 or
    repeats `original`'s payload) and its request record, gzipped."""
    date = warc_date(ex.started_at)
    digest = payload_digest(ex.payload)
    common = {"WARC-Date": date, "WARC-Warcinfo-ID": warcinfo_id}
    if ex.ip:
        common["WARC-IP-Address"] = ex.ip
    profile = None
    if original is not None:
        if ex.status == 304:
            profile = SERVER_NOT_MODIFIED
        elif ex.payload and original.ref.payload_digest == digest and ex.truncated is None:
            profile = IDENTICAL_PAYLOAD
    if profile is not None:
        assert original is not None
        if profile == SERVER_NOT_MODIFIED:
            http_headers = _refreshed(original.http_headers, ex.response_headers)
            digest = original.ref.payload_digest
        else:
            http_headers = _response_headers(ex)
        record = _WRITER.create_revisit_record(
            ex.url, digest, original.ref.url or ex.url, original.date, http_headers=http_headers,
            warc_headers_dict=common,
        )
        record.rec_headers.replace_header("WARC-Profile", profile)
        record.rec_headers.add_header("WARC-Refers-To", original.ref.record_id)
    else:
        record = _WRITER.create_warc_record(
            ex.url, "response", payload=io.BytesIO(ex.payload), length=len(ex.payload),
            http_headers=_response_headers(ex), warc_headers_dict={**common, "WARC-Payload-Digest": digest},
        )
        if ex.truncated:
            record.rec_headers.add_header("WARC-Truncated", ex.truncated)
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    request = _WRITER.create_warc_record(
        ex.url, "request", http_headers=_request_headers(ex),
        warc_headers_dict={**common, "WARC-Concurrent-To": record_id},
    )
    return WarcPair(ex.url, _serialize(record), _serialize(request), digest, record_id, profile is not None)


def _statusline(status: int, reason: str) -> str:
    if not reason:
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = ""
    return f"{status} {_clean(reason)}".rstrip()


def _response_headers(ex: Exchange) -> StatusAndHeaders:
    out = [
        (f"X-Archive-Orig-{n}" if n.lower() == "transfer-encoding" else _clean(n), _clean(v))
        for n, v in ex.response_headers
    ]
    return StatusAndHeaders(_statusline(ex.status, ex.reason), out, protocol=_protocol(ex.http_version))


def _refreshed(stored: StatusAndHeaders, fresh: tuple[tuple[str, str], ...]) -> StatusAndHeaders:
    """The stored response's headers updated with a 304's, as a cache updates them."""
    new = [(_clean(n), _clean(v)) for n, v in fresh if n.lower() not in _NOT_REFRESHED]
    replaced = {n.lower() for n, _ in new}
    kept = [(n, v) for n, v in stored.headers if n.lower() not in replaced]
    return StatusAndHeaders(stored.statusline, kept + new, protocol=stored.protocol)


def _request_headers(ex: Exchange) -> StatusAndHeaders:
    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    out = [(_clean(n), _clean(v)) for n, v in ex.request_headers]
    if not any(n.lower() == "host" for n, _ in out):
        out.insert(0, ("Host", parts.netloc))
    # warcio keeps a request line as protocol=verb, statusline="target version".
    return StatusAndHeaders(f"{ex.method} {target} {_protocol(ex.http_version)}", out, is_http_request=True)


def _stamp(started_at: str) -> str:
    return _parse_time(started_at).strftime("%Y%m%dT%H%M%SZ")


def _hostname() -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "-", socket.gethostname()) or "localhost"


class WarcMirror:
    """Writes the records of one crawl's exchanges, in the files of this process.

    Files are `repost-mirror-<crawl start>-<serial>-<pid>-<host>.warc.gz` (characters a data
    package name allows: a WACZ lists every file by name), each opened by a
    warcinfo record that every record of the file names (`WARC-Warcinfo-ID`); a file is
    created only when the first record needs it and is never reopened for appending.
    """

    def __init__(self, folder: Path, info: CrawlInfo, *, max_file_bytes: int = 1_000_000_000):
        self.folder = Path(folder)
        self.info = info
        self.stamp = _stamp(info.started_at)
        self.max_file_bytes = max_file_bytes
        self._serial = 0
        self._fh: io.BufferedWriter | None = None
        self._name: str | None = None
        self._warcinfo_id = ""
        self._size = 0
        self._lock = threading.Lock()

    # --- files ------------------------------------------------------------------

    def _open_next(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        host = _hostname()
        while True:
            name = f"{FILE_PREFIX}{self.stamp}-{self._serial:05d}-{os.getpid()}-{host}.warc.gz"
            try:
                # Exclusive create: a file left by an earlier (maybe killed) writer with the
                # same name is skipped, never appended to after a possibly torn record.
                fh = open(self.folder / name, "xb")
            except FileExistsError:
                self._serial += 1
                continue
            break
        self._fh, self._name, self._size = fh, name, 0
        _fsync_dir(self.folder)
        record = _WRITER.create_warcinfo_record(name, self.info.fields(socket.gethostname()))
        self._warcinfo_id = record.rec_headers.get_header("WARC-Record-ID")
        self._append([_serialize(record)])

    def _append(self, members: list[bytes]) -> int:
        assert self._fh is not None
        offset = self._size
        self._fh.write(b"".join(members))
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._size += sum(len(m) for m in members)
        return offset

    def write(self, ex: Exchange, previous: WarcRef | None = None) -> WarcRef:
        """Write one exchange and return once it is on disk.

        `previous` is the last full capture of the same URL: a 304, or the same payload,
        makes a revisit of it, when it can be read back from the mirror.
        """
        original = None
        if previous is not None and (ex.status == 304 or (
                ex.payload and ex.truncated is None and previous.payload_digest == payload_digest(ex.payload))):
            original = self.original(previous)
        with self._lock:
            # Built under the lock: the records name the warcinfo of the file they go to.
            if self._fh is None:
                self._open_next()
            assert self._name is not None
            pair = build_pair(ex, warcinfo_id=self._warcinfo_id, original=original)
            offset = self._append([pair.response, pair.request])
            ref = WarcRef(
                file=self._name, offset=offset, length=len(pair.response),
                payload_digest=pair.payload_digest, record_id=pair.record_id, revisit=pair.revisit, url=pair.url,
            )
            if self._size >= self.max_file_bytes:
                self._close_file()
                self._serial += 1
        return ref

    def original(self, ref: WarcRef) -> Original | None:
        """The full capture `ref` points at, if the mirror still holds it as recorded."""
        path = self.folder / ref.file
        try:
            # A file cut short (a bad copy, a full disk) may keep a record's head and lose its payload.
            if path.stat().st_size < ref.offset + ref.length:
                return None
            rec_headers, http_headers, _ = _read_record_at(path, ref.offset, payload=False)
        except (OSError, MirrorError):
            return None
        if (rec_headers.get_header("WARC-Type") != "response" or http_headers is None
                or rec_headers.get_header("WARC-Record-ID") != ref.record_id
                or rec_headers.get_header("WARC-Payload-Digest") != ref.payload_digest):
            return None
        return Original(ref, rec_headers.get_header("WARC-Date"), http_headers)

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


def _read_record_at(path: Path, offset: int, payload: bool = True):
    """(WARC headers, HTTP headers, raw payload bytes or None) of the record at `offset`."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            it = ArchiveIterator(fh)
            record = next(iter(it), None)
            if record is None:
                raise MirrorError(f"{path.name}: no WARC record at offset {offset}")
            return record.rec_headers, record.http_headers, record.raw_stream.read() if payload else None
    except MirrorError:
        raise
    except FileNotFoundError:
        raise MirrorError(f"{path}: WARC file not found") from None
    except Exception as e:  # warcio raises several kinds on a bad offset or a torn record
        raise MirrorError(f"{path.name}: cannot read the WARC record at offset {offset}: {e}") from e


def mirror_damage(folder: Path, extents: dict[str, int]) -> dict[str, str]:
    """The WARC files (of `extents`: file -> end of its last recorded record) that are missing
    or shorter than what was written to them, each with what is wrong."""
    damage = {}
    for name, end in sorted(extents.items()):
        try:
            size = (Path(folder) / name).stat().st_size
        except FileNotFoundError:
            damage[name] = "missing"
            continue
        if size < end:
            damage[name] = f"cut short: {size} of {end} bytes"
    return damage


class StoredResponse(NamedTuple):
    """A response as the mirror keeps it."""

    status: int
    headers: list[tuple[str, str]]  # as stored
    payload: bytes  # as received: content-encoded bytes stay encoded
    truncated: bool  # cut (WARC-Truncated): at the size cap, by a timeout or a dropped connection


def read_payload(folder: Path, ref_file: str, offset: int) -> StoredResponse:
    """Status, HTTP headers (as stored) and the payload as received (content-encoded bytes
    stay encoded) of the record at `offset`, and whether that payload was cut.

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
        original, _, payload = _read_record_at(folder / found[0], found[1])
        truncated = original.get_header("WARC-Truncated") is not None
    else:
        truncated = rec_headers.get_header("WARC-Truncated") is not None
    if expected and payload_digest(payload) != expected:
        raise MirrorError(f"{ref_file}@{offset}: payload does not match its digest {expected}")
    return StoredResponse(status, headers, payload, truncated)


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
