"""Polite fetching: the only part of the crawler that does network I/O, the fetch step of
the flow (schedule -> fetch -> classify; see ``crawler``).

Politeness rules (SPEC section 6), all enforced per host origin (scheme, host, port):

* robots.txt first, through the same gate as every other request;
* at most `per_host_concurrency` requests in flight per host, `concurrency` overall;
* at least max(delay, Crawl-delay) seconds between the *starts* of two requests to a host,
  counting robots.txt, redirect hops and retries; the start is taken when the request
  headers actually go out (httpcore trace), not when we decided to send;
* Retry-After on 429/503 holds back the next request to that host.

The modules, in the order a fetch passes through them:

* protocol.py: `Fetch`, the seam the checker, robots.txt and the Wayback client depend on;
* client.py: `Fetcher`, the one implementation, which drives the steps below;
* address.py: resolve the host, refuse private addresses, pin the one that was checked;
* robots.py: robots.txt per host (RFC 9309): a `RobotsPolicy` and its `RobotsState`;
* gate.py: the per-host politeness gate (slots, delays, shared turns, the crawl's deadline);
* retry.py: Retry-After and which failures are tried again;
* body.py: the body, decoded within `max_bytes` and kept as received for the mirror;
* errors.py: transport failures as error words;
* redirects.py: where a Location leads and when to stop;
* result.py: `FetchResult`, what a fetch gives back.

Everything that is a decision rather than I/O is a small pure function, testable without a
network.
"""

from crawler.fetch.address import choose_address, refused_address
from crawler.fetch.client import Fetcher
from crawler.fetch.errors import error_of
from crawler.fetch.gate import DeadlineReached
from crawler.fetch.protocol import Fetch
from crawler.fetch.redirects import MAX_REDIRECTS, redirect_decision, redirect_target
from crawler.fetch.result import FetchResult
from crawler.fetch.retry import parse_retry_after

__all__ = [
    "MAX_REDIRECTS",
    "DeadlineReached",
    "Fetch",
    "FetchResult",
    "Fetcher",
    "choose_address",
    "error_of",
    "parse_retry_after",
    "redirect_decision",
    "redirect_target",
    "refused_address",
]
