"""Transport exceptions mapped to the error words a check records."""

from __future__ import annotations

import socket
import ssl

import httpx

from store.words import FetchError


def error_of(exc: BaseException) -> tuple[FetchError, str]:
    """Map a transport exception to one of the error words, with a readable cause."""
    chain: list[BaseException] = []
    e: BaseException | None = exc
    while e is not None and len(chain) < 8:
        chain.append(e)
        e = e.__cause__ or e.__context__
    # httpx re-raises the transport's exception as its own: one cause, said once
    said: dict[str, str] = {}
    for x in chain:
        if str(x):
            said.setdefault(str(x), f"{type(x).__name__}: {x}")
    text = "; ".join(said.values())[:300] or type(exc).__name__
    if any(isinstance(x, (TimeoutError, httpx.TimeoutException)) for x in chain):
        return FetchError.TIMEOUT, text
    if any(isinstance(x, ssl.SSLError) for x in chain) or "SSL" in text or "certificate" in text:
        return FetchError.TLS, text
    if any(isinstance(x, socket.gaierror) for x in chain):
        return FetchError.DNS, text
    if any(isinstance(x, ConnectionRefusedError) for x in chain):
        return FetchError.REFUSED, text
    if any(isinstance(x, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)) for x in chain):
        return FetchError.RESET, text
    if isinstance(exc, httpx.ConnectError):
        return FetchError.REFUSED, text
    if isinstance(exc, httpx.RemoteProtocolError):
        # A peer that hangs up mid-exchange is a reset, not a malformed answer.
        if "without sending" in text or "peer closed" in text or "incomplete" in text.lower():
            return FetchError.RESET, text
        if "Receive buffer too long" in text:
            # h11's words for headers past its bound (httpcore's 100 KiB): say what was too long.
            return FetchError.PROTOCOL, f"response headers longer than 100 KiB ({text})"
        return FetchError.PROTOCOL, text
    if isinstance(exc, (httpx.ReadError, httpx.WriteError, httpx.NetworkError)):
        return FetchError.RESET, text
    if isinstance(exc, OSError):
        return FetchError.REFUSED, text
    return FetchError.PROTOCOL, text
