"""Benchmark crawler.history on a synthetic archive shaped like the real one.

    python bench/history.py [--commits 20000] [--runs 3] [--keep DIR] [--parse]

Builds (with `git fast-import`, in a temp folder unless --keep) a repository of 20,000
commits holding 100,000 repost versions: each commit rewrites 3 of 66 slot files
`content/gnews/<slot>/README.md` with new articles and adds 2 flat files
`content/gnews/<N>.md`, deleted 3-8 commits later; 2% of flat adds reuse a deleted number
for another article, 0.5% of commits re-add a deleted file unchanged (not a new version),
and a non-repost `data/state.json` changes every commit (filtered out by `include`).
Bodies are 1-3 KB of Chinese Markdown in the real slot format.  The pack is repacked
(depth 50) like a cloned repository, so blob reads pay for delta chains.

Then, each measured in a fresh child process (so git children and the build do not blur
the figures; RSS = ru_maxrss of that process, git's own processes reported apart):
  cold        iter_history(root, include) consuming every version (count + bytes)
  incremental after 100 more commits: renamed_since + iter_history(since=old HEAD)
  cold+parse  (--parse) the cold pass plus crawler.archive.parse_repost on every version
Prints the median of --runs runs of each and every run's figures.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SLOTS = 66
SLOT_WRITES = 3  # per commit
FLAT_ADDS = 2  # per commit
START = 1630454400  # 2021-09-01T00:00:00Z
STEP = 1800  # seconds between commits

_CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
    "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两"
    "体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线"
    "内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并"
    "提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见"
    "计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七"
    "海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清美再采转更单风切打白教速花带安场身"
    "车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石"
    "记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青"
)
_STATIONS = ["喜马拉雅农场新西兰站", "波士顿五月花农场", "", "MOSVIDEO", "喜马拉雅德国纽伦堡正义农场"]
_FOOTER = (
    "免责声明：本文内容仅代表作者个人观点，平台不承担任何法律风险。\n\n"
    "- [ROL Foundation](https://rolfoundation.org/)\n- [ROL Society](https://rolsociety.org/)\n"
    "- [Terms of use](https://gnews.org/terms-of-use/)\n- [Privacy Policy](https://gnews.org/privacy-policy/)\n"
)


class Articles:
    """Distinct 1-3 KB reposts, cheap to make: sentences drawn from a fixed pool."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pool = [
            "".join(rng.choices(_CJK, k=rng.randint(12, 40))) + rng.choice("，。；！？")
            for _ in range(4000)
        ]
        self.n = 1_000_000

    def make(self) -> bytes:
        self.n += 1
        rng = self.rng
        target = rng.randint(1024, 3072)
        paras: list[str] = []
        size = 0
        while size < target - 400:
            para = "".join(rng.choices(self.pool, k=rng.randint(2, 6)))
            paras.append(para)
            size += len(para.encode())
        title = "".join(rng.choices(_CJK, k=rng.randint(8, 24)))
        eol = "\r\n" if rng.random() < 0.4 else "\n"  # the real files mix CRLF and LF
        text = (
            "###  [:house:返回首頁](https://github.com/ourhimalayas/txt)\n---\n\n\n"
            f"## {title}\n` {rng.choice(_STATIONS)}` [轉載自GNews](https://gnews.org/zh-hans/{self.n}/)\n\n"
            + "\n\n".join(paras).replace("\n", eol)
            + f"\n\n发稿：{''.join(rng.choices(_CJK, k=3))}\n\n" + _FOOTER
        )
        return text.encode()


def _blob(path: str, data: bytes) -> bytes:
    return b"M 100644 inline " + path.encode() + b"\ndata %d\n" % len(data) + data + b"\n"


def fast_import(repo: Path, commits: int, first: int, rng: random.Random, arts: Articles,
                state: dict) -> int:
    """Append `commits` commits to refs/heads/main; returns the number of new versions."""
    proc = subprocess.Popen(["git", "-C", str(repo), "fast-import", "--quiet"],
                            stdin=subprocess.PIPE)
    assert proc.stdin is not None
    out = proc.stdin
    versions = 0
    live: dict[str, bytes] = state["live"]  # flat path -> content
    deletions: dict[int, list[str]] = state["deletions"]
    deleted: list[tuple[str, bytes]] = state["deleted"]  # recent, for reuse and re-adds
    for i in range(first, first + commits):
        ops: list[bytes] = []
        for k in range(SLOT_WRITES):
            slot = (i * SLOT_WRITES + k) % SLOTS + 1
            ops.append(_blob(f"content/gnews/{slot}/README.md", arts.make()))
            versions += 1
        for _ in range(FLAT_ADDS):
            if deleted and rng.random() < 0.02:  # a number reused for another article
                path = deleted.pop(rng.randrange(len(deleted)))[0]
            else:
                state["next_id"] += 1
                path = f"content/gnews/{state['next_id']}.md"
            data = arts.make()
            live[path] = data
            ops.append(_blob(path, data))
            deletions.setdefault(i + rng.randint(3, 8), []).append(path)
            versions += 1
        if deleted and rng.random() < 0.005:  # re-added unchanged: not a new version
            path, data = deleted.pop(rng.randrange(len(deleted)))
            if not data:  # deleted before this run began: content unknown, reuse instead
                data = arts.make()
                versions += 1
            live[path] = data
            ops.append(_blob(path, data))
            deletions.setdefault(i + rng.randint(3, 8), []).append(path)
        for path in deletions.pop(i, []):
            ops.append(b"D " + path.encode() + b"\n")
            deleted.append((path, live.pop(path)))
        del deleted[:-500]
        ops.append(_blob("data/state.json", b'{"update": %d}\n' % i))
        msg = b"update %d\n" % i
        ts = START + i * STEP
        out.write(b"commit refs/heads/main\ncommitter Bench <b@example.org> %d +0800\n" % ts)
        out.write(b"data %d\n" % len(msg) + msg)
        if i == first and first > 0:
            out.write(b"from refs/heads/main^0\n")
        out.write(b"".join(ops) + b"\n")
    out.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    return versions


def include(path: str) -> bool:
    # What the scanner's default `include = ["**/*.md"]` amounts to.
    return path.endswith(".md")


def measure(mode: str, repo: Path, since: str | None) -> dict:
    """Runs in a child process: time one pass and report this process's peak RSS."""
    from crawler import history

    parse = None
    if mode == "cold+parse":  # also the scanner's parser, to see git's share of a scan
        from crawler.archive import parse_repost
        from crawler.config import ArchiveConfig

        archive_cfg = ArchiveConfig()

        def parse(v: history.FileVersion) -> object:
            return parse_repost(v.data, v.name, archive_cfg)
    t0 = time.perf_counter()
    renames = 0
    if mode == "incremental":
        assert since is not None
        renames = len(history.renamed_since(repo, since, include))
    count = size = 0
    for v in history.iter_history(repo, include, since=since if mode == "incremental" else None):
        count += 1
        size += len(v.data)
        if parse is not None:
            parse(v)
    seconds = time.perf_counter() - t0
    return {
        "mode": mode, "seconds": round(seconds, 3), "versions": count, "bytes": size,
        "renames": renames,
        "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "git_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
    }


def run_child(mode: str, repo: Path, since: str | None) -> dict:
    cmd = [sys.executable, __file__, "--measure", mode, "--repo", str(repo)]
    if since:
        cmd += ["--since", since]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--commits", type=int, default=20_000)
    ap.add_argument("--more", type=int, default=100, help="commits added for the incremental run")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build here and leave it (reused if present)")
    ap.add_argument("--no-repack", action="store_true")
    ap.add_argument("--parse", action="store_true",
                    help="also time a cold pass that runs crawler.archive.parse_repost on each")
    ap.add_argument("--measure", choices=["cold", "cold+parse", "incremental"], help=argparse.SUPPRESS)
    ap.add_argument("--repo", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--since", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.measure:
        print(json.dumps(measure(a.measure, a.repo, a.since)))
        return

    tmp = None
    if a.keep:
        base = a.keep
        base.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.mkdtemp(prefix="bench-history-")
        base = Path(tmp)
    try:
        repo = base / "archive"
        rng = random.Random(20210901)
        arts = Articles(rng)
        state: dict = {"live": {}, "deletions": {}, "deleted": [], "next_id": 2_000_000}
        if not (repo / ".git").exists():
            repo.mkdir()
            subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
            t0 = time.perf_counter()
            n = fast_import(repo, a.commits, 0, rng, arts, state)
            t1 = time.perf_counter()
            if not a.no_repack:
                subprocess.run(["git", "-C", str(repo), "repack", "-a", "-d", "-f", "-q",
                                "--depth=50", "--window=10"], check=True)
            t2 = time.perf_counter()
            print(f"built {a.commits} commits, {n} repost versions: fast-import {t1 - t0:.1f} s, "
                  f"repack {t2 - t1:.1f} s")
            base_head = subprocess.run(["git", "-C", str(repo), "rev-parse", "refs/heads/main"],
                                       check=True, capture_output=True, text=True).stdout.strip()
            (base / "state.json").write_text(json.dumps({"commits": a.commits, "head": base_head}))
        else:
            saved = json.loads((base / "state.json").read_text())
            base_head, a.commits = saved["head"], saved["commits"]
            subprocess.run(["git", "-C", str(repo), "update-ref", "refs/heads/main", base_head],
                           check=True)
            print(f"reusing {repo} ({a.commits} commits, HEAD {base_head[:12]})")
        pack = sum(p.stat().st_size for p in (repo / ".git/objects").rglob("*") if p.is_file())
        print(f"objects: {pack / 2**20:.0f} MB")

        cold = [run_child("cold", repo, None) for _ in range(a.runs)]
        parsed = [run_child("cold+parse", repo, None) for _ in range(a.runs)] if a.parse else []

        # 100 more commits on top, continuing the same pattern; measured against base_head.
        # (With --keep the extra commits are rebuilt from the base each time.)
        subprocess.run(["git", "-C", str(repo), "update-ref", "refs/heads/main", base_head],
                       check=True)
        rng2 = random.Random(7)
        state2: dict = {"live": {}, "deletions": {}, "deleted": [], "next_id": 9_000_000}
        # Delete some files live at base_head too, so renamed_since has work.
        ls = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", base_head,
                             "content/gnews"], check=True, capture_output=True, text=True).stdout
        flat = [p for p in ls.split("\n") if p.endswith(".md") and "/README" not in p]
        for j, p in enumerate(flat):
            state2["deletions"].setdefault(a.commits + j % 5, []).append(p)
            state2["live"][p] = b""
        m = fast_import(repo, a.more, a.commits, rng2, Articles(rng2), state2)
        inc = [run_child("incremental", repo, base_head) for _ in range(a.runs)]
        subprocess.run(["git", "-C", str(repo), "update-ref", "refs/heads/main", base_head],
                       check=True)

        def show(label: str, runs: list[dict]) -> None:
            med = statistics.median(r["seconds"] for r in runs)
            rss = max(r["rss_mb"] for r in runs)
            print(f"{label}: median {med:.2f} s over {len(runs)} runs; "
                  f"{runs[0]['versions']} versions, {runs[0]['bytes'] / 2**20:.0f} MB of content; "
                  f"peak RSS {rss:.0f} MB (python), git children peak "
                  f"{max(r['git_rss_mb'] for r in runs):.0f} MB")
            for r in runs:
                print("   ", json.dumps(r))

        show("cold", cold)
        if parsed:
            show("cold+parse_repost", parsed)
        print(f"(incremental: {a.more} commits, {m} new versions written after base)")
        show("incremental", inc)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
