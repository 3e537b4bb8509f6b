"""The crawler's own shortages, told apart from a source's failures.

A socket that cannot be opened because this process has no descriptor left, a buffer or
memory that cannot be had, a disk that is full: none of these says anything about the
source being checked. They stop the crawl (exit 5) instead of being recorded as a
source's status, which would call live pages dead.
"""

from __future__ import annotations

import errno
import sqlite3

SHORTAGE_ERRNOS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM, errno.ENOSPC, errno.EDQUOT})


class Terminated(KeyboardInterrupt):
    """SIGTERM (what `systemctl stop` and `kill` send): a clean stop, as on Ctrl-C."""


def raise_terminated(_signum: int, _frame: object) -> None:
    raise Terminated()


class LocalShortage(Exception):
    """This process ran out of a resource of its own; the crawl cannot go on honestly."""


def shortage_of(exc: BaseException) -> str | None:
    """A one-line cause when `exc` (or what caused it) is a local shortage, else None."""
    seen = 0
    e: BaseException | None = exc
    while e is not None and seen < 10:
        if isinstance(e, LocalShortage):
            return str(e)
        if isinstance(e, MemoryError):
            return "out of memory"
        if isinstance(e, OSError) and e.errno in SHORTAGE_ERRNOS:
            return f"{e.strerror or errno.errorcode.get(e.errno or 0, 'OSError')} ({errno.errorcode.get(e.errno or 0, '')})"
        if isinstance(e, sqlite3.OperationalError) and "full" in str(e):
            return f"database: {e}"
        e = e.__cause__ or e.__context__
        seen += 1
    return None
