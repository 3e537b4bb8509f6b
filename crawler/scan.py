"""Index the archive into the store: new, changed and removed reposts, and problems.

Incremental: a file whose size and mtime are unchanged is not read again; one
whose bytes hash the same is not parsed again.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.archive import NotRepost, Problem, Repost, parse_repost
from crawler.config import Config, ConfigError
from crawler.urls import is_placeholder, normalize_url, source_identity
from store.db import Store, iso, utc_now
from store.records import RepostRecord

BATCH = 2000  # reposts per transaction: big enough to be fast, small enough to lose little on a kill


@dataclass
class ScanResult:
    reposts: int = 0
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    not_reposts: int = 0
    unchanged: int = 0

    def to_json(self) -> dict:
        return {
            "reposts": self.reposts,
            "new": len(self.new),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "problems": self.problems,
            "unchanged": self.unchanged,
            "not_reposts": self.not_reposts,
            "new_paths": self.new,
            "changed_paths": self.changed,
            "removed_paths": self.removed,
        }


def glob_matcher(include: Iterable[str], exclude: Iterable[str]) -> Callable[[str], bool]:
    """A predicate on '/'-separated relative paths; `**/` spans any number of folders."""
    inc = _glob_regex(include)
    exc = _glob_regex(exclude)
    return lambda path: bool(inc and inc.match(path)) and not (exc and exc.match(path))


def _glob_regex(patterns: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for pattern in patterns:
        out, i = [], 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
            elif pattern.startswith("**", i):
                out.append(".*")
                i += 2
            elif pattern[i] == "*":
                out.append("[^/]*")
                i += 1
            elif pattern[i] == "?":
                out.append("[^/]")
                i += 1
            else:
                out.append(re.escape(pattern[i]))
                i += 1
        parts.append("".join(out))
    return re.compile(r"\A(?:" + "|".join(parts) + r")\Z") if parts else None


class OutsideLink(OSError):
    """A symbolic link to a file outside the archive: never read (it would index, and print,
    whatever file of the machine it names)."""


def walk(root: Path, matches: Callable[[str], bool]) -> Iterator[tuple[str, os.stat_result | OSError]]:
    """(relative path, stat or the error) of every matching file below root, hidden folders
    skipped, and (`FOLDER/`, the error) of every folder that cannot be listed (`./` for root)."""
    inside = os.path.realpath(root) + os.sep
    stack = [root]
    while stack:
        folder = stack.pop()
        here = os.path.relpath(folder, root).replace(os.sep, "/") + "/"
        try:
            listing = os.scandir(folder)
        except OSError as exc:
            yield here, exc
            continue
        with listing:
            while True:
                # One entry at a time: a list of the real archive's flat folder (tens of
                # thousands of files) was the scan's largest allocation.
                try:
                    entry = next(listing, None)
                except OSError as exc:
                    # The rest of the folder is unseen: its reposts are kept, as below a
                    # folder that could not be listed at all.
                    yield here, exc
                    break
                if entry is None:
                    break
                if entry.name.startswith("."):
                    continue
                rel = os.path.relpath(entry.path, root).replace(os.sep, "/")
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                        continue
                except OSError as exc:
                    yield rel + "/", exc
                    continue
                if matches(rel):
                    if entry.is_symlink() and not os.path.realpath(entry.path).startswith(inside):
                        yield rel, OutsideLink()
                        continue
                    try:
                        yield rel, entry.stat()
                    except OSError as exc:
                        yield rel, exc


NOT_UTF8 = "file name is not UTF-8 (its bytes are shown as \\xNN): rename the file to index it"


def is_utf8(name: str) -> bool:
    """False for a name the file system gave with bytes that are not UTF-8 (held as surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def shown_name(name: str) -> str:
    """A file name as text that can be stored and printed: bytes that are not UTF-8 become \\xNN."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def distinct_lines(body: str) -> tuple[tuple[int, str], ...]:
    """Distinct non-blank body lines with their hashes: a line in many reposts is boilerplate."""
    seen = {line.strip() for line in body.split("\n")}
    seen.discard("")
    return tuple(
        (int.from_bytes(hashlib.blake2b(line.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                        "big", signed=True), line)
        for line in seen
    )


def to_record(path: str, data: bytes, size: int, mtime_ns: int, file_hash: str, cfg: Config,
              date: str | None = None) -> RepostRecord:
    """Parse one file into what the store keeps of it.  `date`: when the archive got the file
    (its first commit), the repost's date when its header names none; default its mtime."""
    if date is None and mtime_ns:
        date = iso(mtime_ns / 1e9)
    base: dict[str, Any] = {"path": path, "size": size, "mtime_ns": mtime_ns, "file_hash": file_hash}
    limit = cfg.archive.max_file_bytes
    if max(size, len(data)) > limit:
        return RepostRecord(kind="problem", problem=f"file too large: over {limit} bytes (archive.max_file_bytes)",
                            dated_at=date, **base)
    parsed = parse_repost(data, path, cfg.archive)
    if isinstance(parsed, NotRepost):
        return RepostRecord(kind="not_repost", problem=parsed.reason, dated_at=date, **base)
    if isinstance(parsed, Problem):
        return RepostRecord(kind="problem", problem=parsed.problem, dated_at=date, **base)
    assert isinstance(parsed, Repost)
    try:
        linked = normalize_url(parsed.source_url)
    except ValueError as exc:
        return RepostRecord(kind="problem", problem=f"bad source link {parsed.source_url!r}: {exc}", dated_at=date,
                            **base)
    if is_placeholder(linked, cfg.archive.placeholder_sources):
        return RepostRecord(kind="problem", problem=f"no source: placeholder link {parsed.source_url}",
                            dated_at=date, **base)
    identity = source_identity(linked, cfg.sites)
    return RepostRecord(
        kind="repost", source_url=identity.canonical_url, linked_url=linked, aliases=identity.aliases,
        title=parsed.title, header=parsed.header, published_at=parsed.published_at, station=parsed.station,
        body=parsed.body, lines=distinct_lines(parsed.body), dated_at=parsed.published_at or date, **base,
    )


def check_archive_root(cfg: Config) -> None:
    """A missing archive is a config error, found before the command creates anything."""
    if not cfg.archive.root.is_dir():
        raise ConfigError("archive.root", f"{cfg.archive.root} is not a folder")


def scan(cfg: Config, store: Store, progress: Callable[[int], None] | None = None) -> ScanResult:
    """Bring the store's index of the archive up to date with the files."""
    check_archive_root(cfg)
    root = cfg.archive.root
    matches = glob_matcher(cfg.archive.include, cfg.archive.exclude)
    said: list[dict[str, str]] = []
    if cfg.archive.history:
        from crawler import history

        why = history.why_no_history(root)
        if why is None:
            try:
                return history.index_history(cfg, store, matches, progress)
            except history.HistoryError as exc:
                # What was indexed before stays; the texts of the working tree still are.
                why = f"{str(exc).splitlines()[0]} (a damaged repository? see `git fsck`)"
        # Fewer reposts than asked for, each scan, until the cause is fixed: never silent.
        said.append({"path": "./", "problem": f"archive.history = true, but the history cannot be read: {why}; "
                                              "only the working tree is indexed"})
    return _scan_tree(cfg, store, matches, progress, said)


def _scan_tree(cfg: Config, store: Store, matches: Callable[[str], bool],
               progress: Callable[[int], None] | None, said: list[dict[str, str]]) -> ScanResult:
    root = cfg.archive.root
    known = store.known_files()
    result = ScanResult()
    now = utc_now()
    seen: set[str] = set()
    batch: list[RepostRecord] = []
    touched: list[tuple[str, int, int]] = []
    transient = list(said)
    unseen: list[str] = []  # folders (with their trailing /) that could not be listed
    for count, (rel, st) in enumerate(walk(root, matches), 1):
        if progress and count % 500 == 0:
            progress(count)
        if rel.endswith("/"):
            # What the scan cannot see is not gone: the reposts below stay as they were.
            unseen.append("" if rel == "./" else rel)
            transient.append({"path": shown_name(rel), "problem": f"unreadable folder: {getattr(st, 'strerror', None) or st}; "
                                                                  "its reposts are kept as last scanned"})
            continue
        seen.add(rel)
        if not is_utf8(rel):
            transient.append({"path": shown_name(rel), "problem": NOT_UTF8})
            continue
        if isinstance(st, OutsideLink):
            transient.append({"path": rel, "problem": "symbolic link to a file outside the archive: not read"})
            continue
        if isinstance(st, OSError):
            transient.append({"path": rel, "problem": f"unreadable: {st.strerror or st}"})
            continue
        if not stat.S_ISREG(st.st_mode):
            # A FIFO or device named *.md would block a read forever.
            transient.append({"path": rel, "problem": "not a regular file"})
            continue
        old = known.get(rel)
        if old is not None and not old[4] and old[1] == st.st_size and old[2] == st.st_mtime_ns:
            result.unchanged += 1
            continue
        try:
            with open(root / rel, "rb") as fh:
                # One byte past the cap tells a file that is too large; the rest is never read.
                data = fh.read(cfg.archive.max_file_bytes + 1)
        except OSError as exc:
            # Keep what we had: an unreadable file is a problem of this scan, not a loss.
            transient.append({"path": rel, "problem": f"unreadable: {exc.strerror or exc}"})
            continue
        digest = blob_id(data)
        if old is not None and not old[4] and old[3] == digest:
            touched.append((rel, st.st_size, st.st_mtime_ns))
            result.unchanged += 1
            continue
        batch.append(to_record(rel, data, st.st_size, st.st_mtime_ns, digest, cfg))
        (result.new if old is None or old[4] else result.changed).append(rel)
        if len(batch) >= BATCH:
            store.save_reposts(batch, now)
            batch.clear()
    store.save_reposts(batch, now)
    if touched:
        store.touch_files(touched)
    # Files of a history scan are named PATH@COMMIT; they are not in the tree and are not removed.
    gone = sorted(p for p, row in known.items()
                  if p not in seen and not row[4] and "@" not in p and not p.startswith(tuple(unseen)))
    store.mark_removed(gone, now)
    result.removed = gone
    if result.new or result.changed or gone:
        # Rows a history scan made now hold the working tree's texts: the next history scan
        # reads the history from its start, which gives every text it holds its row back.
        store.forget_meta("history_head")
    return finish(store, result, transient)


def blob_id(data: bytes) -> str:
    """The id git gives these bytes as a blob: a working-tree scan and a history scan know a
    text by one id, so that turning `archive.history` off and on keeps each text's row."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def finish(store: Store, result: ScanResult, transient: list[dict[str, str]]) -> ScanResult:
    counts = store.status_counts()
    result.reposts = counts.reposts
    result.problems = sorted(store.repost_problems() + transient, key=lambda p: p["path"])
    result.not_reposts = store.not_reposts()
    result.new.sort()
    result.changed.sort()
    return result
