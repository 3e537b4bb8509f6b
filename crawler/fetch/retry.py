"""When a failed request is tried again, and how long a Retry-After holds a host back."""

from __future__ import annotations

import email.utils
import time

from store.words import RETRY_ERRORS, FetchError

# A Retry-After longer than this is not waited for inside one fetch.
MAX_RETRY_AFTER = 600.0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


# Headers with which a bot-protection service says its answer is a check in the page's place
# (Cloudflare's documented `cf-mitigated: challenge`, AWS WAF's `x-amzn-waf-action`): asking
# again only meets the check again.
_BOT_CHECK_HEADERS = {"cf-mitigated": ("challenge",), "x-amzn-waf-action": ("challenge", "captcha")}


def bot_check_header(headers: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> str | None:
    """The header by which an answer says it is a bot check (`name: value`), or None."""
    for name, value in headers:
        kinds = _BOT_CHECK_HEADERS.get(name.lower())
        if kinds and value.strip().lower() in kinds:
            return f"{name.lower()}: {value.strip().lower()}"
    return None


def is_retryable(status: int | None, error: FetchError | None) -> bool:
    if error is not None:
        return error in RETRY_ERRORS
    return status is not None and (status == 429 or status >= 500)
