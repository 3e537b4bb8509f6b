"""`repost-mirror export --wacz`: the mirror packed as a WACZ file (WARCs, a CDXJ index,
pages.jsonl, datapackage.json) that ReplayWeb.page and pywb open.

The packing and indexing are the `wacz` package's (which indexes with `cdxj-indexer`);
this module chooses what goes in. With `since`, the WACZ holds the captures made since
then, with what they need to replay: the original record each revisit refers to, the
request record of each response, and the warcinfo record of each file. Records are copied
byte for byte (each is its own gzip member), under their files' names.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from warcio.archiveiterator import ArchiveIterator

from store.db import Store
from store.warc import warc_date


class ExportError(Exception):
    """Nothing to export, or a mirror that cannot be packed."""


@dataclass(frozen=True)
class _Record:
    file: Path
    offset: int
    length: int
    type: str
    id: str
    uri: str | None
    date: str
    refers_to: str | None
    concurrent_to: str | None
    warcinfo_id: str | None


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    warc_files: int
    records: int
    pages: int


def mirror_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).glob("*.warc*") if p.name.endswith((".warc", ".warc.gz")))


def _records(path: Path) -> Iterator[_Record]:
    with path.open("rb") as fh:
        it = ArchiveIterator(fh)
        try:
            for rec in it:
                h = rec.rec_headers
                it.read_to_end(rec)
                yield _Record(path, it.get_record_offset(), it.get_record_length(), rec.rec_type,
                              h.get_header("WARC-Record-ID"), h.get_header("WARC-Target-URI"),
                              h.get_header("WARC-Date") or "", h.get_header("WARC-Refers-To"),
                              h.get_header("WARC-Concurrent-To"), h.get_header("WARC-Warcinfo-ID"))
        except Exception:  # noqa: BLE001 - a torn last record (a killed crawl): what came before is whole
            pass


def _since(records: list[_Record], since: str) -> list[_Record]:
    """The records dated `since` or later, and the records they need to replay."""
    start = warc_date(since)
    by_id = {r.id: r for r in records}
    keep = {r.id for r in records if r.type != "warcinfo" and r.date >= start}
    keep |= {r.refers_to for r in records if r.id in keep and r.refers_to in by_id}
    keep |= {r.id for r in records if r.type == "request" and r.concurrent_to in keep}
    keep |= {r.warcinfo_id for r in records if r.id in keep and r.warcinfo_id in by_id}
    return [r for r in records if r.id in keep]


def _copy(records: list[_Record], folder: Path) -> list[Path]:
    """The records, byte for byte, in files of the same names under `folder`."""
    out: dict[Path, Path] = {}
    handles: dict[Path, tuple[io.BufferedReader, io.BufferedWriter]] = {}
    try:
        for r in records:
            if r.file not in handles:
                out[r.file] = folder / r.file.name
                handles[r.file] = (r.file.open("rb"), out[r.file].open("xb"))
            src, dst = handles[r.file]
            src.seek(r.offset)
            dst.write(src.read(r.length))
    finally:
        for src, dst in handles.values():
            src.close()
            dst.close()
    return list(out.values())


def _fetched_form(url: str) -> str:
    # The form the fetcher requests, and the WARC records carry, of a source URL.
    try:
        return str(httpx.URL(url).copy_with(fragment=None))
    except (httpx.InvalidURL, ValueError):
        return url


def _latest_captures(records: Iterable[_Record]) -> tuple[int, dict[str, str]]:
    """How many records there are, and the time of the latest capture of each URL."""
    count, latest = 0, dict[str, str]()
    for r in records:
        count += 1
        if r.type in ("response", "revisit") and r.uri and r.date > latest.get(r.uri, ""):
            latest[r.uri] = r.date
    return count, latest


def _pages(store: Store, latest: dict[str, str]) -> list[dict[str, str]]:
    """One page per source captured: its URL, the time of its latest capture, its title."""
    pages = []
    for url, title in store.source_titles():
        form = _fetched_form(url)
        if form in latest:
            page = {"url": form, "ts": latest[form]}
            if title:
                page["title"] = title
            pages.append(page)
    return pages


def export_wacz(store: Store, mirror: Path, output: Path, *, since: str | None = None,
                title: str = "repost-mirror") -> ExportSummary:
    """Write the mirror (or the captures since `since`) to `output` as a WACZ file."""
    files = mirror_files(mirror)
    if not files:
        raise ExportError(f"no WARC files in {mirror}: nothing to export (crawl first)")
    # The whole mirror is packed from its files as they are: its records are counted as they
    # are read, never held (a first crawl of the real archive writes half a million of them).
    chosen = _since([r for f in files for r in _records(f)], since) if since else None
    count, latest = _latest_captures(chosen if chosen is not None else (r for f in files for r in _records(f)))
    if not latest:
        raise ExportError(f"no captures in {mirror}" + (f" since {since}" if since else ""))
    pages = _pages(store, latest)
    output = output.resolve()
    if output.exists() and not output.is_file():
        # The file is packed beside the target and moved over it: a device or a pipe would be
        # replaced by a plain file (/dev/null, as root).
        raise ExportError(f"--wacz {output} is not a regular file")
    try:
        return _pack(chosen, count, files, pages, output, title)
    except OSError as exc:
        raise ExportError(f"cannot write --wacz {output}: {exc.strerror or exc}") from None


def _pack(chosen: list[_Record] | None, count: int, files: list[Path], pages: list[dict[str, str]], output: Path,
          title: str) -> ExportSummary:
    from wacz.main import main as wacz_main

    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".export-", dir=output.parent) as tmp:
        work = Path(tmp)
        inputs = files if chosen is None else _copy(chosen, work)
        pages_file = work / "pages.jsonl"
        lines = [{"format": "json-pages-1.0", "id": "pages", "title": "Sources"}, *pages]
        pages_file.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in lines), encoding="utf-8")
        packed = work / "out.wacz"
        args = ["create", "-o", str(packed), "-p", str(pages_file), "--title", title,
                "--desc", "The originals of a repost archive, as repost-mirror fetched them",
                *map(str, inputs)]
        # The wacz package reports its progress with print(): kept off our stdout.
        with contextlib.redirect_stdout(io.StringIO()) as said:
            code = wacz_main(args)
        if code not in (0, None) or not packed.exists():
            raise ExportError(f"wacz create failed: {said.getvalue().strip()[-300:]}")
        os.replace(packed, output)
    return ExportSummary(output, len(inputs), count, len(pages))
