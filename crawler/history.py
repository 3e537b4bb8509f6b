"""Every version of every repost ever committed to a git archive (SPEC §5, ``archive.history``).

Contract
--------
A *version* is a distinct ``(path, blob)`` pair reachable from HEAD.  It is reported once,
attributed to the first commit (oldest first, parents before children) that put that blob
at that path; an identical re-add later is the same version, not a new one.

Its ``name`` is ``PATH`` when HEAD's tree holds that blob at PATH now, else
``PATH@COMMIT12``.  A deleted file's last version is therefore ``PATH@COMMIT12`` too.

Incremental runs: ``iter_history(root, include, since=S)`` yields only versions that are
new in ``S..HEAD`` (pairs not reachable from S), named as of HEAD.  Versions already
reported by the run at S keep their (path, blob, commit); only their name can change, and
``renamed_since(root, S, include)`` lists exactly those changes (old name -> new name):
``PATH -> PATH@C`` when the blob S held at PATH was replaced or deleted since, and
``PATH@C -> PATH`` when HEAD brought an older blob back (a revert).  Applying
``renamed_since`` and then storing ``iter_history(since=S)`` gives the same set as a cold
run at HEAD.  S must be an ancestor of HEAD (else ValueError: do a cold run).

Reading is batched: one ``git log --raw`` walk for the file list and one
``git cat-file --batch`` process for all contents, pipelined and streamed (one blob in
memory at a time).  An incremental run adds a short walk of since..HEAD and one walk of
the history before S limited to the paths that range touched (to recognise re-adds and
find first commits), shared by renamed_since and iter_history.  Paths are relative to
``root``, which must be the top of a work tree.

Known limit: when two unmerged branches add the same blob at the same path, "first" is
git's topological order, which an incremental run (seeing S's history only) and a later
cold run may order differently; linear archives like the real one are unaffected.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

__all__ = ["FileVersion", "is_git_repo", "head_commit", "iter_history", "renamed_since"]

# Regular files only: symlinks (120000) hold a target path and gitlinks (160000) a commit,
# neither is a repost.
_FILE_MODES = frozenset({"100644", "100755"})
_FILE_MODES_B = frozenset(m.encode() for m in _FILE_MODES)
# Outstanding cat-file requests: 256 * 41 bytes stays far below the 64 KiB pipe buffer, so
# writing requests can never block while cat-file waits for us to read (no deadlock).
_WINDOW = 256
_READ_CHUNK = 1 << 16
# More exact pathspecs than this make git's per-entry matching the cost (500 paths: 7 s on
# 20,000 commits); above it, walk their folders instead and filter here.
_MAX_PATHSPECS = 32


def _cmd(root: Path, *args: str) -> list[str]:
    # Small pack windows: by default git mmaps up to 1 GiB of pack per process, which shows
    # up as RSS (230 MB on the 190 MB bench pack); 16 MiB windows cost no measurable time.
    return [
        "git", "-C", str(root),
        "-c", "core.packedGitWindowSize=16m", "-c", "core.packedGitLimit=64m",
        "-c", "core.deltaBaseCacheLimit=32m", *args,
    ]


@dataclass(frozen=True)
class FileVersion:
    name: str  # "PATH" if HEAD holds this blob at PATH, else "PATH@COMMIT12"
    path: str  # relative to the repo root
    commit: str  # full id of the commit where this blob first appeared at this path
    blob: str  # blob id
    committed_at: str  # committer time of `commit`, UTC ISO 8601 with Z
    data: bytes


# --------------------------------------------------------------------------- plumbing


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
        raise RuntimeError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


def _decode_path(raw: bytes) -> str:
    # git paths are bytes; surrogateescape keeps a non-UTF-8 name round-trippable.
    return raw.decode("utf-8", "surrogateescape")


def _iso(epoch: str) -> str:
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _name(path: str, commit: str, at_head: bool) -> str:
    return path if at_head else f"{path}@{commit[:12]}"


def is_git_repo(root: Path) -> bool:
    """True when `root` is the top level of a git work tree (not merely inside one:
    a folder of reposts inside some other project's repository has no history of its own)."""
    root = Path(root)
    if not root.is_dir():
        return False
    try:
        out = _git(root, "rev-parse", "--show-toplevel", check=True)
    except (RuntimeError, OSError):
        return False
    return Path(out.decode("utf-8", "surrogateescape").strip()).resolve() == root.resolve()


def head_commit(root: Path) -> str | None:
    """Full id of HEAD, or None when there is no repository or no commit yet."""
    try:
        out = _git(Path(root), "rev-parse", "--verify", "-q", "HEAD^{commit}", check=False)
    except OSError:
        return None
    sha = out.decode().strip()
    return sha or None


# --------------------------------------------------------------------------- git log


def _log_changes(
    root: Path,
    revs: list[str],
    paths: Iterable[str] | None = None,
    deletions: bool = False,
    only: frozenset[str] | None = None,
) -> Iterator[tuple[str, str, str, str]]:
    """Stream (commit, committer epoch, path, new blob) for every added or modified regular
    file, oldest first (parents before children); with `deletions`, also (..., path, "")
    for a file deleted (or turned into a non-file).  `only`: report these paths alone
    (checked before any decoding: most of a folder walk's lines are for other files).

    --diff-merges=first-parent: every commit is walked (side branches too), and a merge is
    diffed against its first parent only.  A blob in a merge result is either in its first
    parent (seen earlier), or differs from it (shown here); diffing against other parents too
    (-m) would only list blobs already seen on the mainline, at a large cost.
    `paths` limits the walk (fed through --stdin, so no argv limit); --full-history keeps
    side branches that history simplification would otherwise drop.
    """
    args = _cmd(
        root, "log", "--raw", "-z", "--no-renames", "--no-abbrev",
        "--no-color", "--no-ext-diff", "--root", "--diff-merges=first-parent",
        "--topo-order", "--reverse", "--format=%x01%H %ct",
    )
    if paths is not None:
        args += ["--full-history", "--stdin"]  # pathspecs follow "--" on stdin
    args += [*revs, "--"]
    proc = subprocess.Popen(
        args, stdin=subprocess.PIPE if paths is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    err: list[bytes] = []
    # Drain stderr in the background: a full stderr pipe would stall git.
    t_err = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)  # type: ignore[union-attr]
    t_err.start()
    if paths is not None:
        assert proc.stdin is not None
        feed = b"--\n" + b"".join(os.fsencode(p) + b"\n" for p in paths)
        # Pathspecs are read before git writes anything, so writing them all first is safe.
        proc.stdin.write(feed)
        proc.stdin.close()
    commit = epoch = ""
    meta: bytes | None = None
    rest = b""
    only_b = None if only is None else frozenset(os.fsencode(p) for p in only)
    try:
        while True:
            chunk = proc.stdout.read(_READ_CHUNK)
            if not chunk:
                break
            tokens = (rest + chunk).split(b"\0")
            rest = tokens.pop()
            for tok in tokens:
                if meta is not None:  # this token is the path of the preceding raw line
                    if only_b is not None and tok not in only_b:
                        meta = None
                        continue
                    fields = meta.split()
                    meta = None
                    # fields: :old_mode new_mode old_sha new_sha status
                    if fields[1] in _FILE_MODES_B and fields[4][:1] != b"D":
                        yield commit, epoch, _decode_path(tok), fields[3].decode()
                    elif deletions:
                        yield commit, epoch, _decode_path(tok), ""
                    continue
                tok = tok.lstrip(b"\n")
                if tok.startswith(b"\x01"):
                    commit, epoch = tok[1:].decode().split()
                elif tok.startswith(b":"):
                    meta = tok
                # else: empty token between commits without changes
    finally:
        proc.stdout.close()
        rc = proc.wait()
        t_err.join()
    if rc != 0:
        raise RuntimeError(f"git log: {b''.join(err).decode(errors='replace').strip()}")


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


def _pathspecs(paths: set[str]) -> list[str] | None:
    """Few pathspecs covering `paths`: the paths themselves, or their folders (walked up
    until few enough); None when only the whole tree covers them."""
    specs = set(paths)
    while len(specs) > _MAX_PATHSPECS:
        specs = {s.rpartition("/")[0] for s in specs}
        if "" in specs:
            return None
        # drop folders inside another one in the set
        specs = {s for s in specs if not any(s.startswith(o + "/") for o in specs if o != s)}
    return sorted(specs)


# One entry: (root, since, head, paths) -> first-seen map.  renamed_since and
# iter_history(since=...) are called back to back on the same update and need the same
# walk; history is immutable, so a hit on the same (since, head) can never be stale.
_pre_cache: list[tuple[tuple[str, str, str, frozenset[str]], dict[tuple[str, str], str]]] = []


def _first_seen(root: Path, since: str, head: str, paths: frozenset[str]) -> dict[tuple[str, str], str]:
    """(path, blob) -> first commit, for every version of `paths` reachable from `since`.
    One walk limited to `paths` (or their folders): cheap next to a cold pass."""
    key = (str(root.resolve()), since, head, paths)
    if _pre_cache and _pre_cache[0][0] == key:
        return _pre_cache[0][1]
    first: dict[tuple[str, str], str] = {}
    if paths:
        # A folder pathspec matches more files: `only` keeps the asked-for ones.
        for commit, _epoch, path, blob in _log_changes(
            root, [since], paths=_pathspecs(set(paths)), only=paths
        ):
            first.setdefault((path, blob), commit)
    _pre_cache[:] = [(key, first)]
    return first


def _range(
    root: Path, since: str, head: str, wanted: Callable[[str], bool]
) -> tuple[dict[tuple[str, str], tuple[str, str]], frozenset[str]]:
    """Versions added in since..head ((path, blob) -> (commit, epoch) of first appearance,
    in history order) and every wanted path the range touched, deletions included."""
    new: dict[tuple[str, str], tuple[str, str]] = {}
    touched: set[str] = set()
    for commit, epoch, path, blob in _log_changes(root, [f"{since}..{head}"], deletions=True):
        if path in touched or wanted(path):
            touched.add(path)
            if blob:
                new.setdefault((path, blob), (commit, epoch))
    return new, frozenset(touched)


def _check_since(root: Path, since: str) -> str:
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


# --------------------------------------------------------------------------- cat-file


def _with_contents(
    root: Path, items: Iterable[tuple[str, FileVersion]]
) -> Iterator[FileVersion]:
    """Fill in `data` for (blob, version-without-data) items through one pipelined
    `git cat-file --batch`, in order, holding at most one blob's content at a time."""
    proc = subprocess.Popen(
        _cmd(root, "cat-file", "--batch"),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    pending: deque[FileVersion] = deque()
    it = iter(items)

    def read_one() -> FileVersion:
        fv = pending.popleft()
        header = proc.stdout.readline()  # type: ignore[union-attr]
        parts = header.split()
        if len(parts) != 3 or parts[1] != b"blob":
            raise RuntimeError(f"git cat-file: unexpected reply {header!r} for {fv.blob} ({fv.path})")
        size = int(parts[2])
        data = proc.stdout.read(size)  # type: ignore[union-attr]
        proc.stdout.read(1)  # type: ignore[union-attr]  # the newline after each object
        if len(data) != size:
            raise RuntimeError("git cat-file: short read")
        return FileVersion(fv.name, fv.path, fv.commit, fv.blob, fv.committed_at, data)

    try:
        for blob, fv in it:
            proc.stdin.write(blob.encode() + b"\n")
            pending.append(fv)
            if len(pending) >= _WINDOW:
                proc.stdin.flush()
                yield read_one()
        proc.stdin.flush()
        while pending:
            yield read_one()
    finally:
        # Also runs when the consumer stops early: don't leave git behind.
        close = getattr(it, "close", None)
        if close is not None:
            close()  # stops the git log feeding `items`
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass
        proc.stdout.close()
        proc.wait()


# --------------------------------------------------------------------------- public


def iter_history(
    root: Path, include: Callable[[str], bool], since: str | None = None
) -> Iterator[FileVersion]:
    """Yield every version (see module doc) of every file `include(path)` accepts, oldest
    first; with `since`, only the versions new in since..HEAD."""
    root = Path(root)
    head = head_commit(root)
    if head is None:
        return
    if since is not None:
        since = _check_since(root, since)
        if since == head:
            return
    yield from _with_contents(root, _versions(root, include, head, since))


def _versions(
    root: Path, include: Callable[[str], bool], head: str, since: str | None
) -> Iterator[tuple[str, FileVersion]]:
    """(blob, FileVersion with empty data) for each new version, in history order."""
    # include() is the caller's glob matching: the same paths recur thousands of times
    # (66 slot files), so remember its answers.
    verdict: dict[str, bool] = {}

    def wanted(path: str) -> bool:
        ok = verdict.get(path)
        if ok is None:
            ok = verdict[path] = bool(include(path))
        return ok

    # What HEAD holds decides PATH vs PATH@C; only looked up for wanted paths.
    at_head = _tree(root, head)

    def version(commit: str, epoch: str, path: str, blob: str) -> tuple[str, FileVersion]:
        name = _name(path, commit, at_head.get(path) == blob)
        return blob, FileVersion(name, path, commit, blob, _iso(epoch), b"")

    if since is None:
        # Cold: stream straight from the log.  `seen` is the only state that grows with
        # history (one short string per version).
        seen: set[str] = set()
        for commit, epoch, path, blob in _log_changes(root, [head]):
            key = f"{path}\0{blob}"
            if key in seen or not wanted(path):
                continue
            seen.add(key)
            yield version(commit, epoch, path, blob)
        return

    # Incremental: the range is small, so collect it, then drop pairs that already existed
    # before `since` (identical re-adds of older versions) with one path-limited walk.
    new, touched = _range(root, since, head, wanted)
    old = _first_seen(root, since, head, touched)
    for (path, blob), (commit, epoch) in new.items():
        if (path, blob) not in old:
            yield version(commit, epoch, path, blob)


def renamed_since(root: Path, since: str, include: Callable[[str], bool]) -> dict[str, str]:
    """Old name -> new name for versions reported by a run at `since` whose name differs at
    HEAD.  Ordered so that applying the renames one by one never collides: every
    ``PATH -> PATH@C`` comes before any ``PATH@C' -> PATH`` that takes its place."""
    root = Path(root)
    since = _check_since(root, since)
    head = head_commit(root)
    assert head is not None  # since is an ancestor of it
    # Paths whose blob differs between the two trees: the only names that can change.
    changed: dict[str, tuple[str | None, str | None]] = {}
    out = _git(root, "diff-tree", "-r", "-z", "--no-renames", "--no-abbrev", since, head)
    tokens = out.split(b"\0")
    for meta, raw_path in zip(tokens[0::2], tokens[1::2]):
        if not meta.startswith(b":"):
            continue
        old_mode, new_mode, old_sha, new_sha = meta[1:].split()[:4]
        path = _decode_path(raw_path)
        if not include(path):
            continue
        b_old = old_sha.decode() if old_mode.decode() in _FILE_MODES else None
        b_new = new_sha.decode() if new_mode.decode() in _FILE_MODES else None
        if b_old is not None and not b_old.strip("0"):  # all zeros: absent
            b_old = None
        if b_new is not None and not b_new.strip("0"):
            b_new = None
        if b_old != b_new:
            changed[path] = (b_old, b_new)
    # Walk the paths the range touched (a superset of `changed`): the same walk
    # iter_history(since=...) needs, so the second of the two calls gets it from the cache.
    # (Union with `changed`: a merge can undo a change of `since`'s branch without any
    # commit of the range touching the path relative to its first parent.)
    _new, touched = _range(root, since, head, include)
    first = _first_seen(root, since, head, touched | frozenset(changed))
    to_old: dict[str, str] = {}
    to_plain: dict[str, str] = {}
    for path, (b_old, b_new) in sorted(changed.items()):
        if b_old is not None:  # was at HEAD at `since`, replaced or deleted now
            to_old[path] = _name(path, first[(path, b_old)], False)
        if b_new is not None and (path, b_new) in first:  # an older version is back
            to_plain[_name(path, first[(path, b_new)], False)] = path
    return {**to_old, **to_plain}


def commit_time(root: Path, path: str, commit: str | None = None) -> str | None:
    """When the commit that brought a repost was made (UTC ISO 8601 with Z): `commit` when its
    name gives it (`PATH@COMMIT12`), else the last commit of HEAD that touched `path`."""
    args = ["show", "-s", "--format=%ct", commit] if commit else ["log", "-1", "--format=%ct", "HEAD", "--", path]
    try:
        out = _git(Path(root), *args, check=False).decode().strip()
    except OSError:
        return None
    return _iso(out) if out.isdigit() else None
