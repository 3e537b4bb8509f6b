"""One politeness budget per host for every process that uses one database.

A crawl and a `check` run beside it are two processes with their own fetchers; each keeps
the delay between its own requests to a host, but nothing in memory stops the `check` from
starting a request 1 ms after the crawl's. This small file beside the database holds, per
host, the wall-clock time before which no request to it may start. A process reads and
writes a host's slot under a POSIX lock of those 8 bytes, so a request starts only after
every process's previous one to that host plus the delay. Hosts share a slot only when
their names hash alike, which merely spaces those hosts' requests a little more.
"""

from __future__ import annotations

import fcntl
import os
import struct
import zlib
from pathlib import Path

SLOTS = 1 << 16
_SLOT = struct.Struct("<d")


def turns_path(database: Path) -> Path:
    """The turns file of a database: beside it, like its lock."""
    return database.with_name(database.name + ".hosts")


class HostTurns:
    """The shared next-start time of every host, in a file of SLOTS 8-byte slots."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)

    @staticmethod
    def _offset(host: str) -> int:
        return zlib.crc32(host.encode("utf-8", "surrogatepass")) % SLOTS * _SLOT.size

    def take(self, host: str, delay: float, now: float) -> float:
        """0 when a request to `host` may start at `now` (its turn is then taken until
        now + delay); else the seconds to wait before asking again."""
        if self._fd is None:
            return 0.0
        offset = self._offset(host)
        try:
            fcntl.lockf(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB, _SLOT.size, offset)
        except OSError:
            return 0.005  # another process is taking its turn right now
        try:
            raw = os.pread(self._fd, _SLOT.size, offset)
            next_start = _SLOT.unpack(raw)[0] if len(raw) == _SLOT.size else 0.0
            if next_start > now:
                # Never more than one delay: a slot written under a clock since set back, or
                # by a process with a longer delay, cannot stall this one for longer.
                return min(next_start - now, max(delay, 0.005))
            os.pwrite(self._fd, _SLOT.pack(now + delay), offset)
            return 0.0
        finally:
            fcntl.lockf(self._fd, fcntl.LOCK_UN, _SLOT.size, offset)

    def mark(self, host: str, next_start: float) -> None:
        """The request whose turn this process holds really started: the next may start at `next_start`."""
        if self._fd is not None:
            os.pwrite(self._fd, _SLOT.pack(next_start), self._offset(host))

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
