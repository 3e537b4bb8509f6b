"""Reading a response body: decoded up to a size cap, and kept as received for the mirror.

The decoders are our own thin layers over zlib and brotli rather than httpx's: httpx
inflates a whole network chunk at once (64 KiB of a gzip bomb is 64 MiB), while here every
step is bounded by what is still allowed, so memory follows `max_bytes`. Reading with
`aiter_raw` also keeps the bytes as they came (still content-encoded), which is what the
WARC payload and its digest must be."""

from __future__ import annotations

import zlib

import brotlicffi
import httpx

# Brotli is decoded when a server sends it anyway (a CDN that ignores what was asked, as a
# browser's request always asks for it) but not asked for: gzip is what every server has.
ACCEPT_ENCODING = "gzip, deflate"


class _Inflater:
    """Incremental gzip/deflate decoder that never produces more than asked for.

    httpx's own decoder inflates a whole network chunk at once (64 KiB of a gzip bomb is
    64 MiB); here `max_length` bounds every step, so memory follows `max_bytes`.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._obj = zlib.decompressobj(47 if encoding in ("gzip", "x-gzip") else 15)
        self._started = False
        self._ended = False  # a whole stream (gzip member) was read
        self._past_end = False  # what came after it is no stream: it is ignored
        self.tail = b""  # compressed input not yet consumed

    def feed(self, data: bytes, room: int) -> bytes:
        if self._past_end:
            return b""
        data = self.tail + data if self.tail else data
        self.tail = b""
        out = []
        while data and room > 0:
            try:
                chunk = self._obj.decompress(data, room)
            except zlib.error:
                if self.encoding == "deflate" and not self._started:
                    # Some servers send raw deflate without the zlib wrapper.
                    self._obj = zlib.decompressobj(-15)
                    self._started = True
                    continue
                if self._ended:
                    # Bytes after the compressed body (padding, a stray newline, junk): browsers
                    # show the page and ignore them, and so does the crawl.
                    self._past_end = True
                    data = b""
                    break
                raise
            self._started = True
            out.append(chunk)
            room -= len(chunk)
            if self._obj.eof:
                self._ended = True
                # Concatenated gzip members are legal; start the next one.
                rest = self._obj.unused_data
                self._obj = zlib.decompressobj(47 if self.encoding != "deflate" else 15)
                data = rest
            else:
                data = self._obj.unconsumed_tail
        self.tail = data
        return b"".join(out)

    def flush(self, room: int) -> bytes:
        return self._obj.flush()[:room] if room > 0 and not self._past_end else b""


class _Unbrotli:
    """Incremental brotli decoder with the same bound as `_Inflater`: brotli's own output limit
    (brotlicffi >= 1.2), taken in steps, stops every call at what is still allowed, so a
    brotli bomb is cut as a gzip one is."""

    encoding = "br"
    tail = b""  # the decoder keeps its unread input itself
    STEP = 1 << 16  # brotlicffi allocates the whole limit for each step, zeroed

    def __init__(self) -> None:
        self._obj = brotlicffi.Decompressor()
        self._pending = b""  # input that came while the decoder still had output to give
        self._seen: list[bytes] = []  # the input fed so far, to decode again (see _rescued)
        self._given = 0  # bytes of output given so far

    def feed(self, data: bytes, room: int) -> bytes:
        if self._obj.is_finished():
            return b""  # bytes after the stream are ignored, as after a gzip body
        if not self._obj.can_accept_more_data():
            self._pending += data
            data = b""
        elif self._pending:
            data, self._pending = self._pending + data, b""
        try:
            out = self._run(self._obj, data, room)
        except brotlicffi.error as exc:
            if "trailing data" not in str(exc):
                raise zlib.error(f"brotli: {exc}") from exc
            out = self._rescued(data, room)
        self._seen.append(data)
        self._given += len(out)
        return out

    def flush(self, room: int) -> bytes:
        if room <= 0 or self._obj.is_finished():
            return b""
        data, self._pending = self._pending, b""
        return self.feed(data, room)

    def _run(self, obj: brotlicffi.Decompressor, data: bytes, room: int) -> bytes:
        out: list[bytes] = []
        while room > 0:
            got = obj.process(data, output_buffer_limit=min(room, self.STEP))
            data = b""
            out.append(got)
            room -= len(got)
            if obj.can_accept_more_data() or not got:
                break
        return b"".join(out)

    def _rescued(self, data: bytes, room: int) -> bytes:
        """The stream ended inside `data` with bytes after it (a stray newline, a second
        answer), which brotli refuses together with the output of that call: decode the input
        again, from its start, up to where the stream ends (the shortest prefix of `data`
        that finishes it). The output to decode again is bounded, by what was given plus
        `room`."""
        def decoded(prefix: bytes) -> tuple[bytes, bool]:
            obj = brotlicffi.Decompressor()
            out = self._run(obj, b"".join(self._seen) + prefix, self._given + room)
            return out, obj.is_finished()

        lo, hi = 0, len(data)
        while lo < hi:
            mid = (lo + hi) // 2
            try:
                ended = decoded(data[:mid])[1]
            except brotlicffi.error as exc:
                ended = "trailing data" in str(exc)  # it ended before the prefix's end
            if ended:
                hi = mid
            else:
                lo = mid + 1
        return decoded(data[:lo])[0][self._given:]


def _decoder_for(content_encoding: str | None) -> tuple[_Inflater | _Unbrotli | None, str]:
    if not content_encoding:
        return None, ""
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if not codings:
        return None, ""
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Inflater(codings[0]), ""
    if codings == ["br"]:
        return _Unbrotli(), ""
    return None, f"content-encoding {content_encoding!r} not decoded"


class RawBody:
    """The body as received (de-chunked, still content-encoded), kept up to `limit` bytes.

    Filled as the body arrives, so what came before a timeout or a broken connection is kept.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0
        self.cut = False
        self.encoded = False  # under a content-encoding: these bytes differ from the decoded body

    def add(self, data: bytes) -> None:
        room = self.limit - self.size
        if len(data) > room:
            data = data[:room]
            self.cut = True
        if data:
            self.parts.append(data)
            self.size += len(data)

    def value(self) -> bytes:
        return b"".join(self.parts)


class _Decoding:
    """A body decoded as its bytes arrive, cut at `max_bytes`."""

    def __init__(self, content_encoding: str | None, max_bytes: int) -> None:
        self.decoder, self.note = _decoder_for(content_encoding)
        self.max_bytes = max_bytes
        self.parts: list[bytes] = []
        self.size = 0
        self.truncated = False

    def add(self, raw: bytes) -> bool:
        """Take the next bytes as received; True when the cap is reached (read no further).
        Raises zlib.error on bytes that do not decode."""
        room = self.max_bytes - self.size + 1  # one byte more tells "exactly max_bytes" from "more"
        decoder = self.decoder
        if decoder is not None:
            data = decoder.feed(raw, room)
            if decoder.tail and len(data) < room:
                data += decoder.feed(b"", room - len(data))
        else:
            data = raw[:room] if len(raw) >= room else raw
        if self.size + len(data) > self.max_bytes:
            self.parts.append(data[: self.max_bytes - self.size])
            self.size = self.max_bytes
            self.truncated = True
            return True
        self.parts.append(data)
        self.size += len(data)
        return False

    def end(self) -> bytes:
        """The decoded body, once every byte came (or the cap was reached)."""
        if self.decoder is not None and not self.truncated:
            rest = self.decoder.flush(self.max_bytes - self.size + 1)
            if self.size + len(rest) > self.max_bytes:
                rest = rest[: self.max_bytes - self.size]
                self.truncated = True
            self.parts.append(rest)
        return b"".join(self.parts)


async def read_body(response: httpx.Response, max_bytes: int, raw_body: RawBody | None = None
                    ) -> tuple[bytes, bool, str]:
    """(decoded body cut at max_bytes, truncated, note). Reads no further than needed.

    `raw_body`, when given, receives the bytes as they came, for the mirror (without an
    encoding it holds the same chunk objects as the decoded body: no second copy).
    """
    body = _Decoding(response.headers.get("content-encoding"), max_bytes)
    if raw_body is not None:
        raw_body.encoded = body.decoder is not None
    try:
        async for raw in response.aiter_raw():
            if raw_body is not None:
                raw_body.add(raw)
            if body.add(raw):
                break
        value = body.end()
    except zlib.error as exc:
        raise httpx.DecodingError(f"{body.decoder and body.decoder.encoding} body does not decode: {exc}") from exc
    return value, body.truncated, body.note


def decode_payload(payload: bytes, content_encoding: str | None, max_bytes: int) -> tuple[bytes, bool]:
    """(decoded body cut at max_bytes, truncated) of a body as received, as `read_body` decodes
    it: a stored response read again. Raises ValueError on bytes that do not decode."""
    body = _Decoding(content_encoding, max_bytes)
    try:
        body.add(payload)
        return body.end(), body.truncated
    except zlib.error as exc:
        raise ValueError(f"body does not decode: {exc}") from exc
