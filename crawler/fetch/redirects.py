"""Following redirects: where a Location leads, when to stop, and keeping an unusable
Location out of httpx's way so that the response that carried it is not lost."""

from __future__ import annotations

import re

import httpx

from crawler.urls import header_url, usable_host
from store.words import FetchError

# 300 too when it names a Location (its preferred choice), as browsers follow it.
REDIRECT_STATUSES = frozenset({300, 301, 302, 303, 307, 308})
MAX_REDIRECTS = 10
# Where _set_location_aside keeps the response headers as received.
RAW_HEADERS = "repost_mirror.raw_headers"


def redirect_target(current: httpx.URL, location: str | None) -> tuple[httpx.URL | None, FetchError | None, str]:
    """Resolve a Location header against `current`: (url, None, "") or (None, error, detail).

    Whatever the server sent (any string) ends here as a URL or as a `bad_redirect`."""
    if location is None or not location.strip():
        return None, FetchError.BAD_REDIRECT, "redirect without a Location header"
    location = _as_browsers_read(header_url(location).strip())
    shown = location[:200]
    if _NO_AUTHORITY.match(location):
        # "http://" alone: joined to the current URL it is that URL, and was called a loop.
        return None, FetchError.BAD_REDIRECT, f"redirect to a URL without a host: {shown!r}"
    try:
        target = current.join(location)
        if target.scheme not in ("http", "https"):
            return None, FetchError.BAD_REDIRECT, f"redirect to a non-http(s) URL: {shown!r}"
        host = target.raw_host.decode("ascii").lower()
        if not host:
            return None, FetchError.BAD_REDIRECT, f"redirect to a URL without a host: {shown!r}"
        if not usable_host(host):
            return None, FetchError.BAD_REDIRECT, f"redirect to an unusable host name: {shown!r}"
        if target.port is not None and not 0 < target.port < 65536:
            return None, FetchError.BAD_REDIRECT, f"redirect to a port that does not exist: {shown!r}"
        # Credentials in a redirect's URL are the server's idea, not the user's: never sent on
        # (httpx would send them as Basic auth), never shown in a report's final_url.
        target = target.copy_with(fragment=None, userinfo=b"")
        str(target)
    except (httpx.InvalidURL, ValueError) as exc:  # UnicodeError is a ValueError
        return None, FetchError.BAD_REDIRECT, f"unusable redirect target {shown!r}: {exc}"
    return target, None, ""


_PATH_PART = re.compile(r"^[^?#]*")
_NO_AUTHORITY = re.compile(r"^https?:[/\\]{2}(?:[?#/]|$)", re.I)


def _as_browsers_read(location: str) -> str:
    """A Location whose path is written with backslashes ("\\a\\1.html", a Windows server's
    habit): an http(s) URL's path separators in browsers (WHATWG URL), not letters that make
    another path, which 404s and made a live article `gone`."""
    if "\\" not in location:
        return location
    return _PATH_PART.sub(lambda m: m.group(0).replace("\\", "/"), location, count=1)


def redirect_decision(target: httpx.URL, seen: set[str], hops: int, max_redirects: int, *, state: str | None = None
                      ) -> tuple[FetchError | None, str]:
    """After `hops` redirects (this one included): may we follow to `target`? `state`: the
    target with what the request will carry (its cookies), which a loop repeats; `seen` holds
    the states visited (default: the target alone)."""
    if (str(target) if state is None else state) in seen:
        return FetchError.REDIRECT_LOOP, f"redirect loop back to {target}"
    if hops > max_redirects:
        return FetchError.TOO_MANY_REDIRECTS, f"more than {max_redirects} redirects"
    return None, ""


async def set_location_aside(response: httpx.Response) -> None:
    """httpx prepares the next request of a redirect even when it will not follow it, and
    raises on a Location it cannot parse (`javascript:`, `data:`, a bad port), losing the
    response. The headers are kept as received and the Location is taken out of httpx's
    view: the response arrives whole, and redirect_target judges the Location."""
    if "location" in response.headers:
        response.extensions[RAW_HEADERS] = list(response.headers.raw)
        del response.headers["location"]
