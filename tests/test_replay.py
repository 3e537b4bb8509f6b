"""The mirror as the web-archive tools read it: warcio checks every file, pywb replays what a
reader of the archive looks up (a redirected source URL, a page confirmed by a 304, an
unchanged page's revisit, a gzip-encoded page), from the mirror and from the WACZ export."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.crawl import crawl_async
from crawler.scan import scan
from store.db import Store, utc_now
from tests.conftest import run_cli
from tests.kit import PARAS, article_page, write_repost
from tests.origin import Origin, Reply
from tests.test_crawl import make_config

ROBOTS = "User-agent: *\nDisallow: /private/\n"


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def tool(name: str) -> list[str]:
    """A console script of the environment the tests run in."""
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    assert found, f"{name} is not installed (pip install -e '.[test]')"
    return [found]


def records(folder: Path) -> list[dict]:
    out = []
    for path in sorted(folder.glob("*.warc.gz")):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                h = rec.rec_headers
                out.append({
                    "file": path.name, "type": rec.rec_type, "id": h.get_header("WARC-Record-ID"),
                    "uri": h.get_header("WARC-Target-URI"), "date": h.get_header("WARC-Date"),
                    "digest": h.get_header("WARC-Payload-Digest"), "profile": h.get_header("WARC-Profile"),
                    "refers_to": h.get_header("WARC-Refers-To"), "refers_date": h.get_header("WARC-Refers-To-Date"),
                    "concurrent": h.get_header("WARC-Concurrent-To"), "ip": h.get_header("WARC-IP-Address"),
                    "warcinfo": h.get_header("WARC-Warcinfo-ID"),
                    "status": rec.http_headers.get_statuscode() if rec.http_headers and rec.rec_type != "request"
                    else None,
                    "location": rec.http_headers.get_header("Location") if rec.http_headers else None,
                    "payload": rec.content_stream().read() if rec.rec_type == "warcinfo" else rec.raw_stream.read(),
                })
    return out


def pywb(root: Path, *paths: str) -> dict[str, dict]:
    """Ask pywb (in its own process) for each path; status, headers (a dict) and body of each."""
    out = root / "replay.json"
    proc = subprocess.run([sys.executable, str(Path(__file__).with_name("pywb_replay.py")), str(root), str(out), *paths],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(out.read_text())
    return {p: {"status": r["status"], "headers": dict(r["headers"]), "body": base64.b64decode(r["body"])}
            for p, r in got.items()}


def memento(warc_date: str) -> str:
    return format_datetime(datetime.fromisoformat(warc_date.replace("Z", "+00:00")), usegmt=True)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """Two crawls of four sources: one answering with a redirect, one with validators (a 304
    the second time), one unchanged without validators, one gzip-encoded."""
    tmp = tmp_path_factory.mktemp("replay")
    pages = {name: article_page(f"标题{name}", PARAS, seed=i).encode() for i, name in enumerate("ABCD")}
    wire = gzip.compress(pages["D"], mtime=0)  # compressed ahead of time: the same bytes each time
    with Origin("127.0.0.2") as o:
        o.route("/robots.txt", Reply(200, ROBOTS, content_type="text/plain"))
        o.route("/articles/1304962", Reply(301, headers={"Location": "/articles/1304962-moved"}))
        o.route("/articles/1304962-moved", Reply(200, pages["A"]))

        def validated(req):
            if req.header("if-none-match") == '"v1"':
                return Reply(304, headers={"ETag": '"v1"'})
            return Reply(200, pages["B"], headers={"ETag": '"v1"'})

        o.route("/articles/etag", validated)
        o.route("/articles/same", Reply(200, pages["C"]))
        o.route("/articles/gz", Reply(200, wire, headers={"Content-Encoding": "gzip"}))
        urls = {k: o.url(p) for k, p in [("moved", "/articles/1304962"), ("target", "/articles/1304962-moved"),
                                           ("etag", "/articles/etag"), ("same", "/articles/same"),
                                           ("gz", "/articles/gz")]}
        for name in ("moved", "etag", "same", "gz"):
            write_repost(tmp / "archive", f"{name}.md", urls[name], PARAS)
        cfg = make_config(tmp)
        store = Store(cfg.store.database)
        scan(cfg, store)
        asyncio.run(crawl_async(cfg, store))
        time.sleep(1.1)  # WARC dates are whole seconds: the second crawl's captures come later
        between = utc_now()
        asyncio.run(crawl_async(cfg, store, all_sources=True))
        asked = [(e.path, e.header("if-none-match")) for e in o.requests()]
    return {"tmp": tmp, "cfg": cfg, "store": store, "pages": pages, "wire": wire, "urls": urls, "asked": asked,
            "records": records(cfg.store.mirror), "origin": o.origin, "between": between}


def test_every_request_to_the_origin_is_archived(crawled):
    recs, urls = crawled["records"], crawled["urls"]
    responses = [r for r in recs if r["type"] in ("response", "revisit")]
    requests = {r["concurrent"]: r for r in recs if r["type"] == "request"}
    # One request/response pair per request the origin saw: robots.txt, probes, hops, pages.
    assert len(responses) == len(crawled["asked"]) == len(requests)
    assert all(r["id"] in requests and requests[r["id"]]["uri"] == r["uri"] for r in responses)
    by_uri: dict[str, list[dict]] = {}
    for r in responses:
        by_uri.setdefault(r["uri"], []).append(r)
    robots = by_uri[crawled["origin"] + "/robots.txt"]
    assert [r["status"] for r in robots] == ["200", "200"] and robots[0]["payload"] == ROBOTS.encode()
    hops = by_uri[urls["moved"]]
    assert [r["status"] for r in hops] == ["301", "301"]
    assert all(r["location"] == "/articles/1304962-moved" for r in hops)
    probes = [u for u in by_uri if u not in urls.values() and not u.endswith("/robots.txt")]
    assert probes and all(by_uri[u][0]["status"] == "404" for u in probes)
    # Every record names its file's warcinfo and the address the request went to.
    infos = {r["file"]: r["id"] for r in recs if r["type"] == "warcinfo"}
    assert all(r["warcinfo"] == infos[r["file"]] for r in recs if r["type"] != "warcinfo")
    assert all(r["ip"] == "127.0.0.2" for r in recs if r["type"] != "warcinfo")
    info = [r for r in recs if r["type"] == "warcinfo"][0]["payload"].decode()
    assert "robots: classic" in info and "http-header-user-agent: " in info


def test_revisits_name_the_capture_they_stand_for(crawled):
    recs, urls = crawled["records"], crawled["urls"]
    ids = {r["id"]: r for r in recs}
    # The second check of the validated page was conditional, and the 304 is a revisit.
    assert (("/articles/etag", '"v1"')) in crawled["asked"]
    etag = [r for r in recs if r["uri"] == urls["etag"] and r["type"] in ("response", "revisit")]
    assert [r["type"] for r in etag] == ["response", "revisit"]
    assert etag[1]["profile"].endswith("/revisit/server-not-modified")
    same = [r for r in recs if r["uri"] == urls["same"] and r["type"] in ("response", "revisit")]
    assert [r["type"] for r in same] == ["response", "revisit"]
    assert same[1]["profile"].endswith("/revisit/identical-payload-digest")
    for first, revisit in (etag, same):
        assert ids[revisit["refers_to"]] is first
        assert revisit["refers_date"] == first["date"] and revisit["date"] > first["date"]
        assert revisit["digest"] == first["digest"]


def test_gzip_payload_is_kept_as_served(crawled):
    recs, urls = crawled["records"], crawled["urls"]
    first = [r for r in recs if r["uri"] == urls["gz"] and r["type"] == "response"][0]
    assert first["payload"] == crawled["wire"] and first["digest"] == sha1_b32(crawled["wire"])
    store = crawled["store"]
    version = store.versions_of(store.source_by_url(urls["gz"]).id)[0]
    assert version.payload_digest == sha1_b32(crawled["wire"])


def test_warcio_checks_every_file(crawled):
    files = sorted(crawled["cfg"].store.mirror.glob("*.warc.gz"))
    assert len(files) >= 2
    proc = subprocess.run(tool("warcio") + ["check", "-v", *map(str, files)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "digest pass" in proc.stdout and "fail" not in proc.stdout


def replay_checks(root: Path, coll: str, crawled) -> None:
    urls, pages, recs = crawled["urls"], crawled["pages"], crawled["records"]
    same_revisit = [r for r in recs if r["uri"] == urls["same"] and r["type"] == "revisit"][0]
    etag_revisit = [r for r in recs if r["uri"] == urls["etag"] and r["type"] == "revisit"][0]
    ts = same_revisit["date"].replace("-", "").replace(":", "").replace("T", "").rstrip("Z")
    got = pywb(root, f"/{coll}/id_/{urls['moved']}", f"/{coll}/id_/{urls['target']}", f"/{coll}/id_/{urls['etag']}",
               f"/{coll}/{ts}id_/{urls['same']}", f"/{coll}/id_/{urls['gz']}")
    moved, target, etag, same, gz = got.values()
    # The URL the repost links: its 301, then the page it points to.
    assert moved["status"] == 301 and moved["headers"]["Location"].endswith("/articles/1304962-moved")
    assert target["status"] == 200 and target["body"] == pages["A"]
    # The latest capture of a page confirmed by a 304 is the full page.
    assert etag["status"] == 200 and etag["body"] == pages["B"]
    assert etag["headers"]["Memento-Datetime"] == memento(etag_revisit["date"])
    # An unchanged page's revisit resolves to the original's bytes.
    assert same["status"] == 200 and same["body"] == pages["C"]
    assert same["headers"]["Memento-Datetime"] == memento(same_revisit["date"])
    # The gzip-encoded page replays byte for byte.
    assert gz["status"] == 200 and gz["body"] == pages["D"]


def test_pywb_replays_the_mirror(crawled, tmp_path):
    files = sorted(map(str, crawled["cfg"].store.mirror.glob("*.warc.gz")))
    subprocess.run(tool("wb-manager") + ["init", "mirror"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run(tool("wb-manager") + ["add", "mirror", *files], cwd=tmp_path, check=True, capture_output=True)
    replay_checks(tmp_path, "mirror", crawled)


def export(crawled, tmp: Path, *args: str) -> Path:
    """`repost-mirror export --wacz` as a user runs it, and `wacz validate` on what it wrote."""
    cfg = crawled["cfg"]
    config = tmp / "config.toml"
    config.write_text(f'[archive]\nroot = "{cfg.archive.root}"\n[store]\ndatabase = "{cfg.store.database}"\n'
                      f'mirror = "{cfg.store.mirror}"\n', encoding="utf-8")
    out = tmp / "out" / "mirror.wacz"
    proc = run_cli("export", "--config", str(config), "--wacz", str(out), *args, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and "written to" in proc.stderr
    check = subprocess.run(tool("wacz") + ["validate", "-f", str(out)], capture_output=True, text=True, timeout=300)
    assert check.returncode == 0 and "is valid" in check.stdout, check.stdout + check.stderr
    # The summary counts the records the WACZ holds (the whole mirror's are counted as read, never held).
    with zipfile.ZipFile(out) as z:
        packed = sum(1 for n in z.namelist() if n.startswith("archive/")
                     for _ in ArchiveIterator(io.BytesIO(z.read(n))))
    assert f" {packed} WARC records " in proc.stderr, proc.stderr
    return out


def open_in_pywb(wacz: Path, root: Path) -> None:
    subprocess.run(tool("wb-manager") + ["init", "wacz"], cwd=root, check=True, capture_output=True)
    subprocess.run(tool("wb-manager") + ["add", "--unpack-wacz", "wacz", str(wacz)], cwd=root, check=True,
                   capture_output=True)


def test_export_wacz_holds_the_mirror_and_replays(crawled, tmp_path):
    wacz = export(crawled, tmp_path)
    with zipfile.ZipFile(wacz) as z:
        names = set(z.namelist())
        assert {"datapackage.json", "pages/pages.jsonl", "indexes/index.cdx.gz", "indexes/index.idx"} <= names
        archived = {n.removeprefix("archive/") for n in names if n.startswith("archive/")}
        assert archived == {p.name for p in crawled["cfg"].store.mirror.glob("*.warc.gz")}
        lines = [json.loads(line) for line in z.read("pages/pages.jsonl").decode().splitlines()]
        package = json.loads(z.read("datapackage.json"))
    assert {r["path"] for r in package["resources"]} == names - {"datapackage.json", "datapackage-digest.json"}
    pages = {p["url"]: p for p in lines[1:]}
    urls = crawled["urls"]
    # One page per source, at its latest capture, with its title.
    assert set(pages) == {urls[k] for k in ("moved", "etag", "same", "gz")}
    assert pages[urls["same"]]["title"] == "标题C"
    assert pages[urls["moved"]]["title"] == "标题A"
    open_in_pywb(wacz, tmp_path)
    replay_checks(tmp_path, "wacz", crawled)


def test_export_since_keeps_what_the_recent_captures_need(crawled, tmp_path):
    wacz = export(crawled, tmp_path, "--since", crawled["between"])
    with zipfile.ZipFile(wacz) as z:
        warcs = [z.read(n) for n in z.namelist() if n.startswith("archive/")]
    kept = []
    for data in warcs:
        for rec in ArchiveIterator(io.BytesIO(data)):
            kept.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"),
                         rec.rec_headers.get_header("WARC-Date")))
    recent = [k for k in kept if k[0] != "warcinfo" and k[2] >= crawled["between"]]
    older = [k for k in kept if k[0] != "warcinfo" and k[2] < crawled["between"]]
    assert len(recent) == sum(1 for r in crawled["records"] if r["type"] != "warcinfo" and r["date"] >= crawled["between"])
    # Of the first crawl, only the originals the revisits refer to (with their requests).
    revisits = sum(1 for r in crawled["records"] if r["type"] == "revisit" and r["date"] >= crawled["between"])
    assert revisits >= 3 and len(older) == 2 * revisits
    assert all(t in ("response", "request") for t, _, _ in older)
    open_in_pywb(wacz, tmp_path)
    replay_checks(tmp_path, "wacz", crawled)


def test_export_says_why_when_there_is_nothing_to_pack(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[store]\ndatabase = "m.db"\nmirror = "mirror"\n', encoding="utf-8")
    out = tmp_path / "x.wacz"
    nodb = run_cli("export", "--config", str(config), "--wacz", str(out))
    assert nodb.returncode == 2 and "no database" in nodb.stderr and "Traceback" not in nodb.stderr
    Store(tmp_path / "m.db").close()  # a database, and no WARC file yet
    empty = run_cli("export", "--config", str(config), "--wacz", str(out))
    assert empty.returncode == 2 and "no WARC files" in empty.stderr and "Traceback" not in empty.stderr
    bad = run_cli("export", "--config", str(config), "--wacz", str(out), "--since", "yesterday-ish")
    assert bad.returncode == 2 and "--since" in bad.stderr
    assert not out.exists()


def test_export_replaces_no_device_or_pipe_and_names_the_flag_when_it_cannot_write(crawled, tmp_path):
    cfg = crawled["cfg"]
    config = tmp_path / "config.toml"
    config.write_text(f'[archive]\nroot = "{cfg.archive.root}"\n[store]\ndatabase = "{cfg.store.database}"\n'
                      f'mirror = "{cfg.store.mirror}"\n', encoding="utf-8")
    # the file is packed beside the target and moved over it: a pipe (or /dev/null) would become a file
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    proc = run_cli("export", "--config", str(config), "--wacz", str(pipe))
    assert proc.returncode == 2 and "--wacz" in proc.stderr and "not a regular file" in proc.stderr
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    # a folder it cannot write in (a file where the folder should be): one line naming --wacz
    (tmp_path / "blocker").write_text("x", encoding="utf-8")
    proc = run_cli("export", "--config", str(config), "--wacz", str(tmp_path / "blocker" / "m.wacz"))
    assert proc.returncode == 2 and "--wacz" in proc.stderr and "Traceback" not in proc.stderr
