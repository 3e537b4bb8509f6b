"""Every repost text a git archive ever held (SPEC section 5, ``archive.history``).

Contract
--------
A repost is one distinct text: one git blob, indexed once however many paths and commits
held it.  Its name is ``PATH`` when HEAD's tree holds that blob at PATH now (the smallest
such PATH if several), else ``PATH@COMMIT12`` of its first appearance.  Every (path, blob)
pair is an *appearance* of the blob's repost, attributed to the first commit (oldest first,
parents before children) that put that blob at that path: an identical re-add is the same
appearance, a slot file that passes a text on to the next slot gives it another one.  The
first appearance is the one with the oldest commit (then the smallest path).

A scan remembers the HEAD it read (meta ``history_head``).  The next one reads only
``since..HEAD``: new texts become reposts, every (path, blob) of the range is added as an
appearance (a pair already known keeps its first commit), and the names that can change
(the texts of the paths whose blob differs between the two trees) are worked out again
from HEAD's tree and the stored first appearances.  That gives the same reposts, names and
appearances as a cold pass.  When the stored HEAD is no longer an ancestor (history
rewritten) the whole history is read again: stored reposts are matched to texts by blob
id, so their checks and fidelity results stay with them.

Reading is streamed: one ``git log --raw`` walk and one ``git cat-file --batch`` process for
the contents of texts met for the first time, pipelined (one blob in memory at a time).
Paths are relative to ``root``, which must be the top of a work tree.

Known limit: when two unmerged branches add the same blob, "first" is git's topological
order, which an incremental run (seeing S's history only) and a later cold run may order
differently; linear archives like the real one are unaffected.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import IO, TypeVar

from crawler.config import Config
from crawler.scan import (
    BATCH,
    NOT_UTF8,
    ScanResult,
    finish,
    is_utf8,
    shown_name,
    to_record,
)
from store.db import Store, iso, utc_now
from store.records import RepostRecord

__all__ = ["HistoryError", "head_commit", "index_history", "is_git_repo", "why_no_history"]

T = TypeVar("T")

# Regular files only: symlinks (120000) hold a target path and gitlinks (160000) a commit,
# neither is a repost.
_FILE_MODES = frozenset({"100644", "100755"})
_FILE_MODES_B = frozenset(m.encode() for m in _FILE_MODES)
# Outstanding cat-file requests: 1024 * 41 bytes stays below the 64 KiB pipe buffer, so
# writing requests can never block while cat-file waits for us to read (no deadlock).
_WINDOW = 1024
# git's output pipes are widened to this (Linux), so that git runs ahead of the parsing
# instead of stopping every ~20 blobs for the reader: on a busy machine each stop costs a
# trip through the scheduler.
_PIPE_BYTES = 1 << 20
_READ_CHUNK = 1 << 16


class HistoryError(RuntimeError):
    """git could not give the history (a damaged repository: a commit or tree that cannot be read)."""


def _cmd(root: Path, *args: str) -> list[str]:
    # Small pack windows: by default git mmaps up to 1 GiB of pack per process, which shows
    # up as RSS (230 MB on the 190 MB bench pack); 16 MiB windows cost no measurable time.
    return [
        "git", "-C", str(root),
        "-c", "core.packedGitWindowSize=16m", "-c", "core.packedGitLimit=64m",
        "-c", "core.deltaBaseCacheLimit=32m", *args,
    ]


def _env() -> dict[str, str]:
    # No pager, no prompts, no locale-dependent output; user config may still set things
    # like diff.renames, which every command below overrides explicitly.
    env = dict(os.environ)
    # GIT_LITERAL_PATHSPECS: a file named "a[1].md" is a path, not a glob.
    env.update(GIT_PAGER="cat", GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_LITERAL_PATHSPECS="1")
    return env


def _git(root: Path, *args: str, check: bool = True, stdin: bytes | None = None) -> bytes:
    proc = subprocess.run(
        _cmd(root, *args),
        input=stdin,
        capture_output=True,
        env=_env(),
        check=False,
    )
    if check and proc.returncode != 0:
        raise HistoryError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def _widen(pipe: IO[bytes]) -> None:
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        pass  # not Linux, or over /proc/sys/fs/pipe-max-size: the default pipe works, slower


def _decode_path(raw: bytes) -> str:
    # git paths are bytes; surrogateescape keeps a non-UTF-8 name round-trippable.
    return raw.decode("utf-8", "surrogateescape")


def _name(path: str, commit: str, at_head: bool) -> str:
    return path if at_head else f"{path}@{commit[:12]}"


def is_git_repo(root: Path) -> bool:
    """True when `root` is the top level of a git work tree (not merely inside one:
    a folder of reposts inside some other project's repository has no history of its own)."""
    return why_no_history(root) is None


def why_no_history(root: Path) -> str | None:
    """Why `root` has no git history of its own to read (None when it has one)."""
    root = Path(root)
    try:
        proc = subprocess.run(_cmd(root, "rev-parse", "--show-toplevel"), capture_output=True, env=_env(),
                              check=False)
    except OSError as exc:
        return f"git cannot be run: {exc.strerror or exc}"
    if proc.returncode != 0:
        return "not a git repository"
    top = Path(proc.stdout.decode("utf-8", "surrogateescape").strip())
    if top.resolve() != root.resolve():
        return f"not the top of its git repository ({top})"
    return None


def head_commit(root: Path) -> str | None:
    """Full id of HEAD, or None when there is no repository or no commit yet."""
    try:
        out = _git(Path(root), "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    except OSError:
        return None
    sha = out.decode().strip()
    return sha or None


def _log_changes(root: Path, rev: str) -> Iterator[tuple[str, str, str, str]]:
    """Stream (commit, committer epoch, path, new blob) for every added or modified regular
    file of `rev` (a commit or a range), oldest first (parents before children).

    --diff-merges=first-parent: every commit is walked (side branches too), and a merge is
    diffed against its first parent only.  A blob in a merge result is either in its first
    parent (seen earlier), or differs from it (shown here); diffing against other parents too
    (-m) would only list blobs already seen on the side branch, at a large cost.
    """
    args = _cmd(
        root, "log", "--raw", "-z", "--no-renames", "--no-abbrev",
        "--no-color", "--no-ext-diff", "--root", "--diff-merges=first-parent",
        "--topo-order", "--reverse", "--format=%x01%H %ct", rev, "--",
    )
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=_env())
    assert proc.stdout is not None and proc.stderr is not None
    _widen(proc.stdout)
    err: list[bytes] = []
    # Drain stderr in the background: a full stderr pipe would stall git.
    t_err = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    t_err.start()
    commit = epoch = ""
    meta: bytes | None = None
    rest = b""
    try:
        while True:
            chunk = proc.stdout.read(_READ_CHUNK)
            if not chunk:
                break
            tokens = (rest + chunk).split(b"\0")
            rest = tokens.pop()
            for tok in tokens:
                if meta is not None:  # this token is the path of the preceding raw line
                    fields = meta.split()
                    meta = None
                    # fields: :old_mode new_mode old_sha new_sha status
                    if fields[1] in _FILE_MODES_B and fields[4][:1] != b"D":
                        yield commit, epoch, _decode_path(tok), fields[3].decode()
                    continue
                tok = tok.lstrip(b"\n")
                if tok.startswith(b"\x01"):
                    commit, epoch = tok[1:].decode().split()
                elif tok.startswith(b":"):
                    meta = tok
                # else: empty token between commits without changes
    finally:
        # Stopped early (GeneratorExit): git dies of SIGPIPE and the check below is skipped.
        proc.stdout.close()
        rc = proc.wait()
        t_err.join()
    if rc != 0:
        raise HistoryError(f"git log: {b''.join(err).decode(errors='replace').strip()}")


def _tree(root: Path, rev: str) -> dict[str, str]:
    """path -> blob for every regular file in `rev`'s tree."""
    out = _git(root, "ls-tree", "-r", "-z", "--full-tree", rev)
    tree: dict[str, str] = {}
    for entry in out.split(b"\0"):
        if not entry:
            continue
        info, _, path = entry.partition(b"\t")
        mode, _type, sha = info.split()
        if mode.decode() in _FILE_MODES:
            tree[_decode_path(path)] = sha.decode()
    return tree


def _cat_file(root: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        _cmd(root, "cat-file", "--batch"),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    _widen(proc.stdout)
    return proc


def _send(proc: subprocess.Popen[bytes], requests: bytes, flush: bool) -> None:
    try:
        proc.stdin.write(requests)  # type: ignore[union-attr]
        if flush:
            proc.stdin.flush()  # type: ignore[union-attr]
    except BrokenPipeError:
        pass  # git died on an earlier blob: the read that finds that out asks a new git again


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        proc.stdin.close()  # type: ignore[union-attr]
    except BrokenPipeError:
        pass
    proc.stdout.close()  # type: ignore[union-attr]
    proc.wait()


def _read_blobs(root: Path, items: Iterable[tuple[str, T]]) -> Iterator[tuple[T, bytes | None]]:
    """(tag, content) for each (blob id, tag) of `items`, in order, through one pipelined
    `git cat-file --batch`, holding at most one blob's content at a time.  Content None: git
    cannot read that blob (missing or damaged), which is that text's problem, not the pass's."""
    proc = _cat_file(root)
    pending: deque[tuple[str, T]] = deque()
    it = iter(items)

    def read_one() -> tuple[T, bytes | None]:
        nonlocal proc
        blob, tag = pending.popleft()
        header = proc.stdout.readline()  # type: ignore[union-attr]
        parts = header.split()
        if len(parts) == 3 and parts[1] == b"blob":
            size = int(parts[2])
            data = proc.stdout.read(size)  # type: ignore[union-attr]
            proc.stdout.read(1)  # type: ignore[union-attr]  # the newline after each object
            if len(data) == size:
                return tag, data
        elif header == blob.encode() + b" missing\n":  # also a loose object that does not inflate
            return tag, None
        # git died on this blob (a damaged packed object is fatal to it, even mid-content): a
        # new git answers the requests the dead one left, fewer than _WINDOW (cannot block).
        _stop(proc)
        proc = _cat_file(root)
        _send(proc, b"".join(b.encode() + b"\n" for b, _ in pending), flush=True)
        return tag, None

    try:
        for blob, tag in it:
            _send(proc, blob.encode() + b"\n", flush=False)
            pending.append((blob, tag))
            if len(pending) >= _WINDOW:
                _send(proc, b"", flush=True)
                yield read_one()
        _send(proc, b"", flush=True)
        while pending:
            yield read_one()
    finally:
        # Also runs when the consumer stops early: don't leave git behind.
        close = getattr(it, "close", None)
        if close is not None:
            close()  # stops the git log feeding `items`
        _stop(proc)


def _changed_paths(root: Path, since: str, head: str) -> dict[str, tuple[str | None, str | None]]:
    """path -> (blob at `since`, blob at `head`), None for absent or not a regular file, for
    every path whose blob differs between the two trees."""
    changed: dict[str, tuple[str | None, str | None]] = {}
    out = _git(root, "diff-tree", "-r", "-z", "--no-renames", "--no-abbrev", since, head)
    tokens = out.split(b"\0")
    for meta, raw_path in zip(tokens[0::2], tokens[1::2]):
        if not meta.startswith(b":"):
            continue
        old_mode, new_mode, old_sha, new_sha = meta[1:].split()[:4]
        b_old = old_sha.decode() if old_mode in _FILE_MODES_B and old_sha.strip(b"0") else None
        b_new = new_sha.decode() if new_mode in _FILE_MODES_B and new_sha.strip(b"0") else None
        if b_old != b_new:
            changed[_decode_path(raw_path)] = (b_old, b_new)
    return changed


def _check_since(root: Path, since: str) -> str:
    """The full id of `since`; ValueError unless it is a commit HEAD descends from."""
    full = _git(root, "rev-parse", "--verify", "-q", f"{since}^{{commit}}", check=False).decode().strip()
    if not full:
        raise ValueError(f"since={since!r} is not a commit of {root}")
    anc = subprocess.run(
        _cmd(root, "merge-base", "--is-ancestor", full, "HEAD"),
        capture_output=True, env=_env(), check=False,
    )
    if anc.returncode != 0:
        raise ValueError(f"since={since} is not an ancestor of HEAD (history rewritten?): rescan cold")
    return full


# --------------------------------------------------------------------------- indexing


def index_history(cfg: Config, store: Store, include: Callable[[str], bool],
                  progress: Callable[[int], None] | None = None) -> ScanResult:
    """Bring the store's reposts and appearances up to date with the history at HEAD."""
    root = Path(cfg.archive.root)
    head = head_commit(root)
    boundary = _shallow_boundary(root)
    notes = ([_partial(boundary)] if boundary else []) + _uncommitted(root, include)
    since = store.get_meta("history_head")
    if since is not None and boundary != (store.get_meta("history_shallow") or ""):
        # The clone was deepened (or cut): the history it holds now is read from its start,
        # which reads none of the stored texts again.
        since = None
    if head is None or since == head:
        return finish(store, ScanResult(), notes)
    # A store that holds reposts changes in one transaction: a pass that fails or is killed
    # part-way (one over a rewritten history parks every repost and drops every appearance
    # first) leaves it as it was, and no reader ever sees it half done.  An empty store's
    # first pass commits batch by batch instead: a kill keeps the texts read so far, which
    # the next pass finds by blob id and does not read again.
    with store.transaction() if store.has_reposts() else nullcontext():
        result = _read_history(cfg, store, include, head, since, progress)
        store.set_meta("history_shallow", boundary)
        return finish(store, result, result.problems + notes)


def _shallow_boundary(root: Path) -> str:
    """The commits a shallow clone's history stops at (space-separated), "" for a whole one."""
    path = _git(root, "rev-parse", "--git-path", "shallow").decode().strip()
    try:
        return " ".join(sorted((root / path).read_text(encoding="ascii").split()))
    except FileNotFoundError:
        return ""


NOT_COMMITTED = ("not committed: archive.history = true indexes the texts the history holds; commit the file "
                 "to index it")


def _uncommitted(root: Path, include: Callable[[str], bool]) -> list[dict[str, str]]:
    """A problem for each file of the working tree that no commit holds as it is (new, or
    edited since): the history does not hold its text, so the scan cannot index it, and says so."""
    out = _git(root, "--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=all",
               "--no-renames", check=False)
    problems = []
    for entry in out.split(b"\0"):
        state, raw = entry[:2], entry[3:]
        if not raw or b"D" in state:  # a deleted file holds no text
            continue
        path = _decode_path(raw)
        if include(path) and (root / path).is_file():
            problems.append({"path": shown_name(path), "problem": NOT_COMMITTED})
    return problems


def _partial(boundary: str) -> dict[str, str]:
    return {"path": "./", "problem": f"shallow clone: the history before commit(s) {boundary} is not in the "
                                     "repository, so the texts it held are not indexed; `git fetch --unshallow` "
                                     "and scan again to index them"}


def _read_history(cfg: Config, store: Store, include: Callable[[str], bool], head: str, since: str | None,
                  progress: Callable[[int], None] | None) -> ScanResult:
    """index_history's pass from `since` (None: the whole history) to `head`; the problems it
    met in `problems`."""
    root = Path(cfg.archive.root)
    result = ScanResult()
    if since is not None:
        try:
            since = _check_since(root, since)
        except ValueError:
            since = None
    if since is None:
        store.park_reposts()
    # include() is the caller's glob matching: the same paths recur thousands of times
    # (66 slot files), so remember its answers.
    verdict: dict[str, bool] = {}
    problems: dict[str, dict[str, str]] = {}

    def wanted(path: str) -> bool:
        ok = verdict.get(path)
        if ok is None:
            ok = verdict[path] = bool(include(path))
            if ok and not is_utf8(path):
                # The store keeps text: such a file is listed (this scan) and not indexed.
                ok = verdict[path] = False
                problems[path] = {"path": shown_name(path), "problem": NOT_UTF8}
        return ok

    at_head: dict[str, str] = {}  # blob -> the smallest path HEAD holds it at
    for path, blob in sorted(_tree(root, head).items()):
        if wanted(path):
            at_head.setdefault(blob, path)
    # Which texts the store holds: all of them for a cold pass over a store that has reposts;
    # else looked up as met (a nightly range meets a few thousand).
    by_hash = _Known(store, preload=since is None and store.has_reposts())
    now = utc_now()
    if since is not None:
        store.rename_reposts(_new_names(store, _changed_paths(root, since, head), wanted, at_head, by_hash))

    state = _Pass(store, by_hash, at_head, cold=since is None)
    batch: list[RepostRecord] = []
    for count, ((name, blob, date), data) in enumerate(
            _read_blobs(root, state.texts(_log_changes(root, head if since is None else f"{since}..{head}"),
                                          wanted)), 1):
        if progress and count % 500 == 0:
            progress(count)
        batch.append(_unreadable(name, blob, date) if data is None
                     else to_record(name, data, len(data), 0, blob, cfg, date=date))
        result.new.append(name)
        if len(batch) >= BATCH:
            state.flush(batch, now)
            batch.clear()
    state.flush(batch, now)
    if since is None:
        result.removed = store.settle_parked(now)
    store.set_meta("history_head", head)
    result.problems = list(problems.values())
    return result


def _unreadable(name: str, blob: str, date: str) -> RepostRecord:
    """A text git cannot give back is kept as a problem: listed by every scan, its appearances
    recorded like any text's, and the rest of the history indexed."""
    return RepostRecord(path=name, size=0, mtime_ns=0, file_hash=blob, kind="problem", dated_at=date,
                        problem=f"git object {blob} cannot be read: missing or damaged (see `git fsck`)")


class _Known:
    """blob id -> repost id of the texts the store holds, and of those this pass adds."""

    def __init__(self, store: Store, preload: bool) -> None:
        self.store = store
        self.ids: dict[str, int | None] = dict(store.reposts_by_hash()) if preload else {}
        self.complete = preload or not store.has_reposts()

    def get(self, blob: str) -> int | None:
        if blob in self.ids or self.complete:
            return self.ids.get(blob)
        found = self.ids[blob] = self.store.repost_by_hash(blob)
        return found

    def __setitem__(self, blob: str, repost_id: int) -> None:
        self.ids[blob] = repost_id


def _new_names(store: Store, changed: dict[str, tuple[str | None, str | None]], wanted: Callable[[str], bool],
               at_head: dict[str, str], by_hash: _Known) -> dict[int, tuple[str, str | None]]:
    """repost id -> name now, for the stored texts of the paths whose blob changed."""
    names: dict[int, tuple[str, str | None]] = {}
    for path, pair in changed.items():
        if not wanted(path):
            continue
        for blob in pair:
            repost_id = by_hash.get(blob) if blob else None
            if repost_id is None or repost_id in names:
                continue
            name = at_head.get(blob)  # type: ignore[arg-type]
            if name is None:
                first = store.first_appearance(repost_id)
                if first is None:  # indexed before appearances were kept: left to a cold pass
                    continue
                name = _name(first.path, first.commit, False)
            names[repost_id] = (name, None)
    return names


class _Pass:
    """One walk of the log: which texts are new (read them), which are known (add the
    appearance), and the appearances of new texts until their reposts have ids."""

    def __init__(self, store: Store, by_hash: _Known, at_head: dict[str, str], cold: bool) -> None:
        self.store, self.by_hash, self.at_head, self.cold = store, by_hash, at_head, cold
        self.next_commit = store.last_commit_id()
        self.commit_ids: dict[str, int] = {}
        self.commits: list[tuple[int, str, str]] = []
        self.appearances: list[tuple[int, str, int]] = []
        self.waiting: dict[str, list[tuple[str, int]]] = {}  # blob -> appearances of a text being read
        self.met: set[int] = set()  # cold pass over a store that held reposts: those met again
        self.names: dict[int, tuple[str, str | None]] = {}

    def texts(self, changes: Iterable[tuple[str, str, str, str]], wanted: Callable[[str], bool]
              ) -> Iterator[tuple[str, tuple[str, str, str]]]:
        """(blob, (name, blob, date)) for each text met for the first time."""
        for commit, epoch, path, blob in changes:
            if not wanted(path):
                continue
            commit_id = self.commit_ids.get(commit)
            if commit_id is None:
                self.next_commit += 1
                commit_id = self.commit_ids[commit] = self.next_commit
                self.commits.append((commit_id, commit, iso(int(epoch))))
            repost_id = self.by_hash.get(blob)
            if repost_id is not None:
                if self.cold and repost_id not in self.met:  # a stored repost, met again
                    self.met.add(repost_id)
                    self.names[repost_id] = (self.at_head.get(blob) or _name(path, commit, False), iso(int(epoch)))
                self.appearances.append((repost_id, path, commit_id))
            elif blob in self.waiting:
                self.waiting[blob].append((path, commit_id))
            else:
                self.waiting[blob] = [(path, commit_id)]
                yield blob, (self.at_head.get(blob) or _name(path, commit, False), blob, iso(int(epoch)))

    def flush(self, batch: list[RepostRecord], now: str) -> None:
        self.store.rename_reposts(self.names)
        self.names.clear()
        for rec, repost_id in zip(batch, self.store.save_reposts(batch, now)):
            self.by_hash[rec.file_hash] = repost_id
            self.met.add(repost_id)
            self.appearances.extend((repost_id, path, c) for path, c in self.waiting.pop(rec.file_hash))
        self.store.add_appearances(self.commits, self.appearances)
        self.commits.clear()
        self.appearances.clear()


def commit_time(root: Path, path: str, commit: str | None = None) -> str | None:
    """When the commit that brought a file was made (UTC ISO 8601 with Z): `commit` when its
    name gives it (`PATH@COMMIT12`), else the last commit of HEAD that touched `path`."""
    args = ["show", "-s", "--format=%ct", commit] if commit else ["log", "-1", "--format=%ct", "HEAD", "--", path]
    try:
        out = _git(Path(root), *args, check=False).decode().strip()
    except OSError:
        return None
    return iso(int(out)) if out.isdigit() else None
