"""Crawl throughput, CPU per check, politeness timing and memory, on a local origin.

The origin is a separate process (a lean asyncio HTTP/1.1 server, keep-alive, no framework)
listening on one port of each of 200 loopback addresses 127.0.1.1 .. 127.0.1.200, plus
127.0.2.1 for the politeness run, so its CPU is never counted as the crawler's. It serves
realistic Chinese article pages of 15-40 KB (head with CSS/JS, nav, article with title,
meta line, paragraphs with bold, links and images, share box, sidebar of latest news,
related list, footer), distinct per URL and generated from the URL on each request;
`/news/<n>/<token>.html` exists only when the token matches n, so the soft-404 probe
and every unknown URL get a real 404. Half of the hosts answer robots.txt with a small
allow-all file, the others with 404. It logs the arrival time of every request.

Databases are built directly through `Store.save_reposts` (one repost per source, its body
the article's Markdown with the GNews footer on most, a few edited so the diff has work),
then copied for each run. Every crawl runs `crawl_async` in a fresh subprocess whose CPU
(RUSAGE_SELF + RUSAGE_CHILDREN: the event loop, its threads and the process-pool workers,
imports excluded) and peak RSS (VmHWM of the crawler process; ru_maxrss of the largest pool
worker, which counts the pages it shares with the crawler it was forked from) are measured
there; the server is not counted.

1. throughput: 20,000 sources (100 per host), delay 0, concurrency 32, per_host 1,
   robots respected, private addresses allowed: checks/s over the whole crawl_async call
   and CPU ms per check. Median of 3. Then, timed apart, what the `crawl` command does after
   crawl_async: the new versions into the full-text (trigram) search index, ms per version
   (the peak RSS of each run is given for the crawl alone and with that index batch).
2. politeness: one host, delay 0.2 s, 50 sources: the achieved request rate as a share of
   the 5 requests/s limit, from the server's log of request arrival times (robots.txt, the
   soft-404 probe and every page), i.e. 0.2 * (requests - 1) / (last - first). Median of 3.
3. memory: a database of 130,000 sources (650 per host) of which 2,000 are due (the rest
   marked checked an hour ago by a direct UPDATE): peak RSS of the crawler process (the
   search index of the new versions included, as the `crawl` command runs it) and of its
   largest pool worker. Median of 3. Then the same database with every source due, as on the
   first crawl of an archive, crawled for 20 s (`max_duration`): peak RSS of the crawler
   process. Median of 3.
4. recheck: 5,000 sources (25 per host) crawled once, then all again: every page sent an ETag
   and answers the second crawl's conditional request with 304, so each repost is judged
   again on the page as last served (read back from the mirror). Rechecks/s and CPU ms per
   recheck of the second crawl. Median of 3.

    python bench/crawl.py [--sources 20000] [--runs 3] [--parts 1,2,3,4] [--recheck-sources 5000]
    BENCH_PROFILE=/tmp/crawl.prof python bench/crawl.py --parts 1 --runs 1   # cProfile of the crawler process
    python bench/crawl.py --parts 1 --no-fsync   # diagnostic: the same without fsync (not production)

Targets: >= 300 checks/s; >= 95% of the per-host limit; <= 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.prose import CHARS  # noqa: E402

TARGET_RATE, TARGET_SHARE, TARGET_RSS_MB = 300.0, 0.95, 250.0
FIRST_CRAWL_SECONDS = 20.0
HOSTS = [f"127.0.1.{i}" for i in range(1, 201)]
POLITE_HOST = "127.0.2.1"

# --- content, shared by the server and the database builder ----------------------------------

PUNCT = "，，，。、；：「」“”！？"
_POOL: str | None = None
DISCLAIMER = "免责声明：本文内容仅代表作者个人观点，平台不承担任何法律风险。"
FOOTER = (
    f"\n\n{DISCLAIMER}\n\n"
    "- [ROL Foundation](https://rolfoundation.org/)\n- [ROL Society](https://rolsociety.org/)\n"
    "- [Terms of use](https://gnews.org/terms-of-use-3/)\n- [Privacy Policy](https://gnews.org/privacy-policy/)"
)


def pool() -> str:
    global _POOL
    if _POOL is None:
        rng = random.Random(7)
        out = []
        for _ in range(300_000):
            out.append(rng.choice(CHARS))
            if rng.random() < 0.06:
                out.append(rng.choice(PUNCT))
        _POOL = "".join(out)
    return _POOL


def token(host: str, n: int) -> str:
    return hashlib.blake2b(f"{host}/{n}".encode(), digest_size=6).hexdigest()


def page_path(host: str, n: int) -> str:
    return f"/news/{n}/{token(host, n)}.html"


def article(host: str, n: int) -> tuple[str, list[str], random.Random]:
    """(title, paragraphs, rng for the page's chrome) of article n of host."""
    p = pool()
    rng = random.Random(f"{host}/{n}")
    def chunk(k: int) -> str:
        s = rng.randrange(0, len(p) - k)
        return p[s:s + k]
    title = chunk(rng.randint(10, 28))
    text_bytes = rng.randint(3000, 11000)
    paras, size = [], 0
    while size < text_bytes:
        para = chunk(rng.randint(50, 260)) + "。"
        paras.append(para)
        size += len(para) * 3
    return title, paras, rng


HEAD_CSS = "".join(f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i * 2654435761 % 0xFFFFFF:06x}}}" for i in range(60))
HEAD_JS = "".join(f"window.dataLayer=window.dataLayer||[];function g{i}(){{dataLayer.push(arguments)}};" for i in range(25))
NAV = "".join(f"<li class='menu-item c{i}'><a href='/category/{i}/'>栏目{i}·{CHARS[i * 7 % len(CHARS)]}{CHARS[i * 11 % len(CHARS)]}</a></li>"
              for i in range(30))


_ITEMS: tuple[list[str], list[int]] | None = None


def _items(rng: random.Random, count: int, nbytes: int) -> str:
    """`count` list items (or enough for `nbytes`) of links to other articles, sliced from a
    precomputed list at a random place: the server builds a page in well under a millisecond."""
    global _ITEMS
    if _ITEMS is None:
        r = random.Random(11)
        p = pool()
        items, offsets, total = [], [0], 0
        for _ in range(4000):
            s = r.randrange(0, len(p) - 40)
            item = (f"<li><a href='/news/{r.randint(1, 10**6)}/x.html'>{p[s:s + r.randint(12, 30)]}</a>"
                    f"<span class='date'>2023-0{r.randint(1, 9)}-{r.randint(10, 28)}</span></li>")
            items.append(item)
            total += len(item.encode())
            offsets.append(total)
        _ITEMS = (items, offsets)
    items, offsets = _ITEMS
    start = rng.randrange(0, len(items) // 2)
    if count:
        return "".join(items[start:start + count])
    end = bisect.bisect_left(offsets, offsets[start] + nbytes, start)
    return "".join(items[start:end])


def page_html(host: str, n: int) -> bytes:
    title, paras, rng = article(host, n)
    p = pool()
    def chunk(k: int) -> str:
        s = rng.randrange(0, len(p) - k)
        return p[s:s + k]
    target = rng.randint(15_000, 40_000)
    body = []
    for i, para in enumerate(paras):
        if i % 5 == 3:
            body.append(f"<p><strong>{para}</strong></p>")
        elif i % 7 == 2:
            cut = len(para) // 2
            body.append(f"<p>{para[:cut]}<a href='https://gnews.org/zh-hans/{rng.randint(10**5, 10**6)}/'>"
                        f"{para[cut:cut + 6]}</a>{para[cut + 6:]}</p>")
        elif i % 9 == 4:
            body.append(f"<figure><img src='/wp-content/uploads/2023/{rng.randint(1, 12):02d}/{rng.getrandbits(48):012x}.jpg' "
                        f"alt='{chunk(8)}' width='800' height='450'><figcaption>图片来源：{chunk(6)}</figcaption></figure>"
                        f"<p>{para}</p>")
        else:
            body.append(f"<p>{para}</p>")
    latest = _items(rng, 10, 0)
    head = (f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{title} - 新闻网</title>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<meta property='og:title' content='{title}'><style>{HEAD_CSS}</style><script>{HEAD_JS}</script></head>"
            f"<body class='single post-{n}'><header id='masthead'><div class='logo'><a href='/'>新闻网</a></div>"
            f"<nav id='site-navigation'><ul class='menu'>{NAV}</ul></nav></header>"
            f"<div id='content' class='site-content'><main id='main'><article id='post-{n}' class='post'>"
            f"<header class='entry-header'><h1 class='entry-title'>{title}</h1><div class='entry-meta'>"
            f"<span class='posted-on'>2023-03-{rng.randint(10, 28)}</span> <span class='byline'>作者：{chunk(3)}</span>"
            f" <span class='views'>阅读 {rng.randint(100, 99999)}</span></div></header>"
            f"<div class='entry-content'>")
    tail_open = (f"</div><div class='share'>分享到：<a href='#'>推特</a> <a href='#'>脸书</a> <a href='#'>GETTR</a></div>"
                 f"</article></main><aside id='secondary' class='widget-area'><section class='widget'>"
                 f"<h3 class='widget-title'>最新新闻</h3><ul>{latest}</ul></section>")
    tail_close = ("</aside></div><footer id='colophon'><div class='site-info'>© 2023 新闻网 版权所有 · "
                  "<a href='/about/'>关于我们</a> · <a href='/privacy/'>隐私政策</a></div></footer></body></html>")
    html = head + "".join(body) + tail_open
    size = len(html.encode()) + len(tail_close.encode())
    if size < target:
        html += "<section class='widget related-posts'><h3>相关文章</h3><ul>" + _items(rng, 0, target - size) + "</ul></section>"
    return (html + tail_close).encode()


def repost_body(host: str, n: int) -> tuple[str, str]:
    """(title, Markdown body) of the repost of article n: its paragraphs, bold every fifth,
    the GNews footer on 80%, one paragraph dropped or altered on 10%."""
    title, paras, _ = article(host, n)
    rng = random.Random(f"repost/{host}/{n}")
    paras = [f"**{p}**" if i % 5 == 3 else p for i, p in enumerate(paras)]
    r = rng.random()
    if r < 0.05 and len(paras) > 3:
        del paras[rng.randrange(len(paras))]
    elif r < 0.10:
        i = rng.randrange(len(paras))
        paras[i] = paras[i][:10] + "（编者注：此处有改动）" + paras[i][10:]
    body = "\n\n".join(paras)
    if rng.random() < 0.8:
        body += FOOTER
    return title, body


# --- the origin server (its own process) -------------------------------------------------------

NOT_FOUND = (b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>404 Not Found - \xe6\x96\xb0\xe9\x97\xbb\xe7\xbd\x91"
             b"</title></head><body><h1>404</h1><p>Page not found</p></body></html>")
ROBOTS = b"User-agent: *\nAllow: /\n"


class _Http(asyncio.Protocol):
    def __init__(self, server: "_Server") -> None:
        self.server = server
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.host = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.host = transport.get_extra_info("sockname")[0]

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buf = self.buf[:end], self.buf[end + 4:]
            line = head.split(b"\r\n", 1)[0]
            parts = line.split(b" ")
            path = parts[1].decode("latin-1") if len(parts) > 1 else "/"
            self.server.log.append((time.time(), self.host, path))
            status, body, ctype = self.server.answer(self.host, path)
            etag = b""
            if status == 200 and ctype.startswith(b"text/html"):
                # A strong validator per page: a recheck that sends it back gets a 304.
                etag = b'"%s"' % hashlib.sha1(body).hexdigest()[:16].encode()
                if b"\r\nif-none-match: " + etag in head.lower():
                    status, body = 304, b""
            reason = {200: b"OK", 304: b"Not Modified"}.get(status, b"Not Found")
            self.transport.write(
                b"HTTP/1.1 %d %s\r\nServer: bench\r\nContent-Type: %s\r\nContent-Length: %d\r\n%s\r\n"
                % (status, reason, ctype, len(body), b"ETag: %s\r\n" % etag if etag else b"") + body
            )


class _Server:
    def __init__(self) -> None:
        self.log: list[tuple[float, str, str]] = []

    def answer(self, host: str, path: str) -> tuple[int, bytes, bytes]:
        if path == "/robots.txt":
            if int(host.rsplit(".", 1)[1]) % 2 or host == POLITE_HOST:
                return 200, ROBOTS, b"text/plain"
            return 404, NOT_FOUND, b"text/html; charset=utf-8"
        parts = path.split("/")
        # /news/<n>/<token>.html
        if len(parts) == 4 and parts[1] == "news" and parts[2].isdigit() and parts[3] == token(host, int(parts[2])) + ".html":
            return 200, page_html(host, int(parts[2])), b"text/html; charset=utf-8"
        return 404, NOT_FOUND, b"text/html; charset=utf-8"


async def _serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    srv = _Server()
    pool()
    servers = []
    for addr in [*HOSTS, POLITE_HOST]:
        servers.append(await loop.create_server(lambda: _Http(srv), addr, port, backlog=1024, reuse_address=True))
    print(f"READY {port}", flush=True)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = (await reader.readline()).decode().strip()
        if not line or line == "quit":
            break
        cmd, _, arg = line.partition(" ")
        if cmd == "dump":  # write the log to a file and start a new one
            Path(arg).write_text(json.dumps(srv.log))
            srv.log = []
            print("OK", flush=True)
    for s in servers:
        s.close()


def free_port() -> int:
    for _ in range(50):
        port = random.randint(20000, 60000)
        socks = []
        try:
            for addr in [*HOSTS, POLITE_HOST]:
                s = socket.socket()
                socks.append(s)
                s.bind((addr, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port on every loopback address")


class Origin:
    def __init__(self) -> None:
        port = free_port()
        self.proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("READY"):
            raise RuntimeError(f"origin did not start: {line!r}")
        self.port = port

    def url(self, host: str, n: int) -> str:
        return f"http://{host}:{self.port}{page_path(host, n)}"

    def dump(self, path: Path) -> list[tuple[float, str, str]]:
        self.proc.stdin.write(f"dump {path}\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "OK"
        return [tuple(e) for e in json.loads(path.read_text())]

    def close(self) -> None:
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()


# --- databases ----------------------------------------------------------------------------------

def build_db(db: Path, sources: list[tuple[str, int]], origin: Origin, *, with_body: bool = True) -> float:
    """One repost per (host, n) source; returns seconds taken."""
    from crawler.config import Config
    from crawler.scan import distinct_lines
    from crawler.urls import normalize_url, source_identity
    from store.db import Store, utc_now
    from store.records import RepostRecord

    t0 = time.perf_counter()
    cfg = Config()
    store = Store(db)
    now = utc_now()
    batch = []
    for host, n in sources:
        url = normalize_url(origin.url(host, n))
        identity = source_identity(url, cfg.sites)
        if with_body:
            title, body = repost_body(host, n)
        else:  # the memory run: short bodies, same footer, so the database builds fast
            title, paras, _ = article(host, n)
            body = "\n\n".join(paras[:2]) + FOOTER
        batch.append(RepostRecord(
            path=f"content/{host}/{n}.md", size=len(body) * 3, mtime_ns=0, file_hash=hashlib.md5(body.encode()).hexdigest(),
            kind="repost", source_url=identity.canonical_url, linked_url=url, aliases=identity.aliases, title=title,
            header=f"`3/20/2023 1:23 AM UTC 新闻网` [轉載自GNews]({url})", body=body, lines=distinct_lines(body),
        ))
        if len(batch) >= 2000:
            store.save_reposts(batch, now)
            batch.clear()
    store.save_reposts(batch, now)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return time.perf_counter() - t0


def copy_db(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".lock"):
        p = Path(str(dst) + suffix)
        if p.exists():
            p.unlink()
    shutil.copyfile(src, dst)


# --- one measured crawl, in its own process ------------------------------------------------------

def fresh(base: Path, tmp: Path, name: str) -> tuple[Path, Path]:
    """A run's own copy of the database built for it, and an empty work folder."""
    db = tmp / f"{name}.db"
    copy_db(base, db)
    shutil.rmtree(tmp / f"{name}-work", ignore_errors=True)
    return db, tmp / f"{name}-work"


def peak_rss_mb() -> float:
    """Peak RSS of this process image: VmHWM. (ru_maxrss survives execve on Linux, so the child
    would report the bench parent's peak, which holds the database builder, if that were larger.)"""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def crawl_child(db: Path, work: Path, delay: float, again: bool = False, seconds: float | None = None) -> None:
    from crawler.config import ArchiveConfig, Config, CrawlConfig, StoreConfig, WaybackConfig
    from crawler.crawl import crawl_async
    from store.db import Store

    (work / "archive").mkdir(parents=True, exist_ok=True)
    cfg = Config(
        archive=ArchiveConfig(root=work / "archive"),
        store=StoreConfig(database=db, mirror=work / "mirror"),
        crawl=CrawlConfig(delay=delay, concurrency=32, per_host_concurrency=1, allow_private_addresses=True,
                          respect_robots=True, user_agent="repost-mirror-bench/1 (+http://127.0.0.1/)"),
        wayback=WaybackConfig(enabled=False),
    )
    if os.environ.get("BENCH_NO_FSYNC"):
        # Diagnostic only (--no-fsync): what the mirror's fsync per record pair costs the crawl.
        os.fsync = lambda fd: None
    store = Store(db)
    store.acquire_crawl_lock()
    before = resource.getrusage(resource.RUSAGE_SELF)
    rss_before = peak_rss_mb()
    profile = os.environ.get("BENCH_PROFILE")  # a file for cProfile stats of the crawler process
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
    summary = asyncio.run(crawl_async(cfg, store, all_sources=again, max_duration=seconds))
    elapsed = time.perf_counter() - t0
    if profile:
        prof.disable()
        prof.dump_stats(profile)
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_crawl = peak_rss_mb()  # the crawl's own peak, before the index batch below adds its own
    # What the `crawl` command does next: the new versions into the full-text index, in one batch.
    t1 = time.perf_counter()
    store.index_new_versions()
    indexed = time.perf_counter() - t1
    store.close()
    print(json.dumps({
        "elapsed": elapsed, "checked": summary.checked, "due": summary.due, "by_status": dict(summary.by_status),
        "new_versions": summary.new_versions, "unfaithful": summary.unfaithful, "index_s": indexed,
        "cpu_self": (me.ru_utime - before.ru_utime) + (me.ru_stime - before.ru_stime),
        "cpu_children": kids.ru_utime + kids.ru_stime,
        "rss_before_mb": rss_before, "maxrss_crawl_mb": rss_crawl, "maxrss_mb": peak_rss_mb(),
        "children_maxrss_mb": kids.ru_maxrss / 1024,
    }))


def run_crawl(db: Path, work: Path, delay: float, again: bool = False, seconds: float | None = None) -> dict:
    out = subprocess.run([sys.executable, __file__, "--crawl-child", str(db), str(work), str(delay),
                          *(["--again"] if again else []), *(["--for", str(seconds)] if seconds else [])],
                         capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise RuntimeError(f"crawl child failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def med(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float], fmt: str = ",.1f") -> str:
    return f"median {med(values):{fmt}} (min {min(values):{fmt}}, max {max(values):{fmt}})"


# --- the three parts ------------------------------------------------------------------------------

def part_throughput(origin: Origin, tmp: Path, n_sources: int, runs: int) -> None:
    per_host = max(1, n_sources // len(HOSTS))
    # Interleaved ids so every host has its own articles.
    sources = [(host, 1000 + k) for k in range(per_host) for host in HOSTS]
    base = tmp / "t-base.db"
    took = build_db(base, sources, origin)
    print(f"[1] throughput: {len(sources):,} sources on {len(HOSTS)} hosts ({per_host} each), database built in "
          f"{took:.1f} s; delay 0, concurrency 32, per_host 1, robots respected (half 404, half allow-all)")
    rates, cpu_ms, index_ms, results = [], [], [], []
    for i in range(runs):
        db, work = fresh(base, tmp, "t")
        origin.dump(tmp / "log.json")  # clear
        r = run_crawl(db, work, 0.0)
        log = origin.dump(tmp / "log.json")
        rate = r["checked"] / r["elapsed"]
        ms = 1000 * (r["cpu_self"] + r["cpu_children"]) / r["checked"]
        rates.append(rate)
        cpu_ms.append(ms)
        results.append(r)
        print(f"    run {i + 1}: {r['checked']:,} checks in {r['elapsed']:.1f} s = {rate:,.0f} checks/s; CPU "
              f"{r['cpu_self']:.1f} s crawler + {r['cpu_children']:.1f} s pool = {ms:.2f} ms/check; "
              f"{len(log):,} requests served; statuses {r['by_status']}; unfaithful {r['unfaithful']}; "
              f"peak RSS {r['maxrss_crawl_mb']:.0f} MB (+ worker {r['children_maxrss_mb']:.0f} MB); then the "
              f"search index of {r['new_versions']:,} new versions in {r['index_s']:.1f} s "
              f"({1000 * r['index_s'] / max(1, r['new_versions']):.2f} ms each; peak RSS then {r['maxrss_mb']:.0f} MB)")
        index_ms.append(1000 * r["index_s"] / max(1, r["new_versions"]))
    ok = med(rates) >= TARGET_RATE
    print(f"    => checks/s {spread(rates, ',.0f')}  target >= {TARGET_RATE:.0f}: {'met' if ok else 'MISSED'}")
    print(f"    => CPU ms per check {spread(cpu_ms, '.2f')} (crawler process + pool workers; server excluded)")
    print(f"    => search index after the crawl, ms per new version {spread(index_ms, '.2f')} (the `crawl` "
          f"command's last step, outside the checks/s above)")
    return None


def part_politeness(origin: Origin, tmp: Path, runs: int, n_sources: int = 50, delay: float = 0.2) -> None:
    sources = [(POLITE_HOST, 5000 + k) for k in range(n_sources)]
    base = tmp / "p-base.db"
    build_db(base, sources, origin)
    print(f"\n[2] politeness: one host {POLITE_HOST}, {n_sources} sources, delay {delay} s (limit {1 / delay:g} "
          f"requests/s); share = {delay} * (requests - 1) / (last arrival - first arrival), from the server's log")
    shares = []
    for i in range(runs):
        db, work = fresh(base, tmp, "p")
        origin.dump(tmp / "log.json")
        r = run_crawl(db, work, delay)
        log = sorted(e for e in origin.dump(tmp / "log.json") if e[1] == POLITE_HOST)
        times = [e[0] for e in log]
        gaps = [b - a for a, b in zip(times, times[1:])]
        share = delay * (len(times) - 1) / (times[-1] - times[0])
        shares.append(share)
        short = sum(1 for g in gaps if g < delay - 0.002)
        worst = max(range(len(gaps)), key=lambda j: gaps[j])
        print(f"    run {i + 1}: {r['checked']} checks, {len(times)} requests ({log[0][2]}, {log[1][2][:24]}..., pages) "
              f"over {times[-1] - times[0]:.2f} s = {share:.1%} of the limit; gaps min {min(gaps) * 1000:.1f} ms, "
              f"median {med(gaps) * 1000:.1f} ms, max {gaps[worst] * 1000:.1f} ms (before request {worst + 2}: "
              f"{log[worst + 1][2][:30]}); {short} gaps shorter than {delay * 1000:.0f} ms")
    ok = med(shares) >= TARGET_SHARE
    print(f"    => share of the per-host limit {spread([s * 100 for s in shares], '.1f')} %  target >= "
          f"{TARGET_SHARE:.0%}: {'met' if ok else 'MISSED'}")


def part_memory(origin: Origin, tmp: Path, runs: int, total: int = 130_000, due: int = 2_000) -> None:
    per_host = total // len(HOSTS)
    sources = [(host, 100_000 + k) for k in range(per_host) for host in HOSTS]
    base = tmp / "m-base.db"
    took = build_db(base, sources, origin, with_body=False)
    import sqlite3

    from store.db import iso

    first = tmp / "m-first.db"
    copy_db(base, first)  # every source due, as on the first crawl of an archive
    conn = sqlite3.connect(base)
    step = len(sources) // due
    now = time.time() - 3600
    conn.execute(f"UPDATE sources SET last_checked_ts = ?, last_checked_at = ?, link_status = 'alive' "
                 f"WHERE id % {step} != 0", [now, iso(now)])
    conn.commit()
    n_due = conn.execute("SELECT count(*) FROM sources WHERE last_checked_ts IS NULL").fetchone()[0]
    conn.execute("VACUUM")
    conn.close()
    print(f"\n[3] memory: {len(sources):,} sources ({per_host} per host), {n_due:,} due, database "
          f"{base.stat().st_size / 2**20:.0f} MiB built in {took:.1f} s; same crawl settings as [1]")
    rss, kid_rss = [], []
    for i in range(runs):
        db, work = fresh(base, tmp, "m")
        r = run_crawl(db, work, 0.0)
        rss.append(r["maxrss_mb"])
        kid_rss.append(r["children_maxrss_mb"])
        print(f"    run {i + 1}: {r['checked']:,} checks of {r['due']:,} due in {r['elapsed']:.1f} s; peak RSS crawler "
              f"{r['maxrss_mb']:.0f} MB, the search index of its new versions included (the crawl alone: "
              f"{r['maxrss_crawl_mb']:.0f} MB; after imports, before the crawl: {r['rss_before_mb']:.0f} MB), "
              f"largest pool worker {r['children_maxrss_mb']:.0f} MB")
    ok = med(rss) <= TARGET_RSS_MB
    print(f"    => peak RSS of the crawler process {spread(rss, '.0f')} MB  target <= {TARGET_RSS_MB:.0f}: "
          f"{'met' if ok else 'MISSED'}; each of the {os.cpu_count()} pool workers {spread(kid_rss, '.0f')} MB")
    # The first crawl of an archive has every source due; its list of them is held all along.
    rss = []
    for i in range(runs):
        db, work = fresh(first, tmp, "m")
        r = run_crawl(db, work, 0.0, seconds=FIRST_CRAWL_SECONDS)
        rss.append(r["maxrss_mb"])
        print(f"    first crawl, run {i + 1}: {r['due']:,} due, {r['checked']:,} checked when --max-duration "
              f"stopped it after {FIRST_CRAWL_SECONDS:.0f} s; peak RSS crawler {r['maxrss_mb']:.0f} MB (after imports, "
              f"before the crawl: {r['rss_before_mb']:.0f} MB), largest pool worker {r['children_maxrss_mb']:.0f} MB")
    print(f"    => first crawl: peak RSS of the crawler process {spread(rss, '.0f')} MB  target <= {TARGET_RSS_MB:.0f}: "
          f"{'met' if med(rss) <= TARGET_RSS_MB else 'MISSED'}")


def part_recheck(origin: Origin, tmp: Path, n_sources: int, runs: int) -> None:
    per_host = max(1, n_sources // len(HOSTS))
    sources = [(host, 1000 + k) for k in range(per_host) for host in HOSTS]
    base = tmp / "r-base.db"
    build_db(base, sources, origin)
    print(f"[4] recheck: {len(sources):,} sources crawled once, then all of them again; every page sends an "
          f"ETag the first time and answers the second crawl's conditional request with 304 (each reposts' "
          f"verdicts are judged again on the page as last served, read back from the mirror)")
    rates, cpu_ms = [], []
    for i in range(runs):
        db, work = fresh(base, tmp, "r")
        run_crawl(db, work, 0.0)
        origin.dump(tmp / "log.json")  # clear
        r = run_crawl(db, work, 0.0, again=True)
        rate = r["checked"] / r["elapsed"]
        ms = 1000 * (r["cpu_self"] + r["cpu_children"]) / r["checked"]
        rates.append(rate)
        cpu_ms.append(ms)
        print(f"    run {i + 1}: {r['checked']:,} rechecks in {r['elapsed']:.1f} s = {rate:,.0f} checks/s; CPU "
              f"{ms:.2f} ms/check; statuses {r['by_status']}; unfaithful {r['unfaithful']}")
    print(f"    => rechecks/s {spread(rates, ',.0f')}; CPU ms per recheck {spread(cpu_ms, '.2f')}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--parts", default="1,2,3,4")
    ap.add_argument("--recheck-sources", type=int, default=5_000)
    ap.add_argument("--no-fsync", action="store_true",
                    help="diagnostic: no fsync in the crawl or its workers (not how production runs)")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--crawl-child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--again", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--for", type=float, dest="seconds", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        asyncio.run(_serve(args.serve))
        return
    if args.crawl_child:
        db, work, delay = args.crawl_child
        crawl_child(Path(db), Path(work), float(delay), args.again, args.seconds)
        return

    parts = {int(p) for p in args.parts.split(",")}
    if args.no_fsync:
        os.environ["BENCH_NO_FSYNC"] = "1"
        print("DIAGNOSTIC RUN: os.fsync is a no-op in the crawl and its workers (the WARC mirror's per-pair fsync)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    origin = Origin()
    print(f"origin: pid {origin.proc.pid}, port {origin.port} on {len(HOSTS)} + 1 loopback addresses; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} cores; {args.runs} runs each\n")
    try:
        if 1 in parts:
            part_throughput(origin, tmp, args.sources, args.runs)
        if 2 in parts:
            part_politeness(origin, tmp, args.runs)
        if 3 in parts:
            part_memory(origin, tmp, args.runs)
        if 4 in parts:
            part_recheck(origin, tmp, args.recheck_sources, args.runs)
    finally:
        origin.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
