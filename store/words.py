"""The words a check is recorded with: its link status and, when the fetch failed, its error.

The crawler writes them and the store keeps, counts and reports them; both import them from
here (store/ never imports crawler/), so a new word is one edit. They are StrEnums: a member
equals its string, so the words go into SQLite, JSON, CSV and f-strings exactly as before, and
a string read back from the database compares equal to its member.
"""

from __future__ import annotations

from enum import StrEnum


class LinkStatus(StrEnum):
    """A source's link status (SPEC 3), in the order reports list them."""

    ALIVE = "alive"
    REDIRECTED = "redirected"
    GONE = "gone"
    SOFT_404 = "soft_404"
    SERVER_ERROR = "server_error"
    UNREACHABLE = "unreachable"
    BLOCKED = "blocked"


# Dead at the first check that finds them (SPEC 3).
DEAD_STATUSES = frozenset({LinkStatus.GONE, LinkStatus.SOFT_404})
# Dead only after `dead_after` of them in a row: a server can be down for a night.
FAILING_STATUSES = frozenset({LinkStatus.UNREACHABLE, LinkStatus.SERVER_ERROR})
# The page answered as a page: its text is the article's (or says it has none).
ANSWERED_STATUSES = frozenset({LinkStatus.ALIVE, LinkStatus.REDIRECTED})


class FetchError(StrEnum):
    """Why a check got no usable HTTP answer (`checks.error`, `check --json`'s `error`)."""

    DNS = "dns"
    REFUSED = "refused"
    RESET = "reset"
    TLS = "tls"
    TIMEOUT = "timeout"
    ROBOTS_DISALLOWED = "robots_disallowed"
    ROBOTS_ERROR = "robots_error"
    ROBOTS_UNREACHABLE = "robots_unreachable"
    PRIVATE_ADDRESS = "private_address"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BAD_REDIRECT = "bad_redirect"
    PROTOCOL = "protocol"
    # Not the fetcher's: analysing or recording the answer raised (the check's detail says what).
    INTERNAL = "internal"


# The host could not be reached at all (a robots.txt that fails so leaves the host unreachable).
CONNECTION_ERRORS = frozenset({FetchError.DNS, FetchError.REFUSED, FetchError.RESET, FetchError.TLS,
                               FetchError.TIMEOUT})
# Transient failures worth another attempt (with backoff).
RETRY_ERRORS = frozenset({FetchError.TIMEOUT, FetchError.REFUSED, FetchError.RESET})


class HunkOp(StrEnum):
    """What a diff hunk records (SPEC 7), read from the repost's side: a comparison's hunks
    and a version diff's ("repost" = the newer version, "original" = the older) alike."""

    MISSING = "missing"  # in the original (the older version) only
    ADDED = "added"  # in the repost (the newer version) only
    ALTERED = "altered"  # in both, changed
