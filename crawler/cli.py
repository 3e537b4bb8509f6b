"""The `repost-mirror` command line: parse, call the library, print.

Exit codes (SPEC section 4): 0 success, 1 `check` found the repost unfaithful,
2 usage or config error, 3 `check` could not fetch and has no stored version,
4 another crawl holds the lock, 5 any other fatal error.
"""

from __future__ import annotations

import functools
import json
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from crawler import __version__
from crawler.config import Config, ConfigError, load_config
from crawler.errors import LocalShortage, Terminated, raise_terminated
from store.db import LockedError, Store, StoreError
from store.words import HunkOp

EXIT_UNFAITHFUL, EXIT_USAGE, EXIT_UNFETCHABLE, EXIT_LOCKED, EXIT_FATAL = 1, 2, 3, 4, 5
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM  # as a shell reports them
STATUS_LIST_MAX = 20  # sources `status` names one by one; --json has them all


class Exit(Exception):
    """Stop with `code` after printing `message` to stderr."""

    def __init__(self, code: int, message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def common(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--config, --db and --debug on every subcommand, and one place that maps errors to exit codes."""

    @click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="config file (default: ./config.toml, else built-in defaults)")
    @click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="SQLite database (overrides store.database)")
    @click.option("--debug", is_flag=True, help="show full tracebacks")
    @functools.wraps(fn)
    def wrapper(config_path: Path | None, db_path: Path | None, debug: bool, **kwargs: Any) -> None:
        # SIGTERM (systemd, kill) stops any command as cleanly as Ctrl-C does; a crawl is
        # recorded as interrupted.
        signal.signal(signal.SIGTERM, raise_terminated)
        try:
            cfg = load_config(config_path)
            if db_path is not None:
                cfg = replace(cfg, store=replace(cfg.store, database=db_path))
            code = fn(cfg, **kwargs)
        except click.ClickException as exc:  # a bad flag value found after parsing: still a usage error
            exc.show()
            sys.exit(EXIT_USAGE if isinstance(exc, click.UsageError) else EXIT_FATAL)
        except Exit as exc:
            if exc.message:
                click.echo(f"repost-mirror: {exc.message}", err=True)
            sys.exit(exc.code)
        except ConfigError as exc:
            click.echo(f"repost-mirror: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        except LockedError as exc:
            click.echo(f"repost-mirror: {exc}; not starting a second one", err=True)
            sys.exit(EXIT_LOCKED)
        except BrokenPipeError:
            # The reader (e.g. `| head`) stopped reading: not an error of ours. Silence the
            # final flush so Python does not complain on exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except LocalShortage as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"repost-mirror: error: stopped, this machine ran short: {exc}", err=True)
            sys.exit(EXIT_FATAL)
        except Terminated:
            click.echo("repost-mirror: interrupted (SIGTERM)", err=True)
            sys.exit(EXIT_TERMINATED)
        except KeyboardInterrupt:
            click.echo("repost-mirror: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (StoreError, OSError, Exception) as exc:  # noqa: BLE001 - the CLI's last line of defence
            if debug:
                traceback.print_exc()
            click.echo(f"repost-mirror: error: {_one_line(exc)}", err=True)
            sys.exit(EXIT_FATAL)
        sys.exit(code or 0)

    return wrapper


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


# Terminal escape sequences (CSI, OSC, ...) and the other control characters a page or a file
# name may carry: printed raw they write the clipboard (OSC 52), retitle or clear the terminal.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]"
                      r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x9c)?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """`text` without escape sequences or control characters (newlines and tabs stay)."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


# Problems `scan` prints one per line; an archive with thousands (history mode on the real
# one) would bury the summary, so the rest are counted, and --json holds them all.
SHOWN_PROBLEMS = 50


def open_store(cfg: Config, *, create: bool = False, read_only_ok: bool = False) -> Store:
    """The database. Only the commands that index or crawl (`scan`, `crawl`) create one: the
    others say there is none, so a typo in --db or a run in the wrong folder leaves no file.
    `read_only_ok`: the command only reads, so a database it may not write is opened read-only."""
    path = cfg.store.database
    # (an empty file is no database either: opening it would write the schema into it)
    if not create and (not path.exists() or (path.is_file() and path.stat().st_size == 0)):
        raise Exit(EXIT_USAGE, f"no database at {path}: run `repost-mirror scan` or `crawl` first")
    return Store(path, read_only_ok=read_only_ok)


def emit_json(doc: Any) -> None:
    click.echo(json.dumps(doc, ensure_ascii=False, indent=2))


def is_tty() -> bool:
    return sys.stderr.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="repost-mirror")
def main() -> None:
    """Keep a repost archive honest: check every original, keep its versions, mirror it, report."""


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@common
def scan(cfg: Config, as_json: bool) -> int:
    """Index the archive: new, changed and removed reposts, and problems."""
    from crawler.progress import counter
    from crawler.scan import check_archive_root
    from crawler.scan import scan as run_scan

    check_archive_root(cfg)
    store = open_store(cfg, create=True)
    with counter("scanning", enabled=is_tty() and not as_json) as tick:
        result = run_scan(cfg, store, progress=tick)
    if as_json:
        emit_json(result.to_json())
        return 0
    # new/changed/removed count files of every kind, so the kinds are counted beside them.
    click.echo(
        f"{cfg.archive.root}: {result.reposts} reposts, {len(result.problems)} problems, {result.not_reposts} "
        f"other files ({len(result.new)} new, {len(result.changed)} changed, {len(result.removed)} removed "
        "since the last scan)"
    )
    for problem in result.problems[:SHOWN_PROBLEMS]:
        click.echo(printable(f"  problem: {problem['path']}: {problem['problem']}"))
    if len(result.problems) > SHOWN_PROBLEMS:
        click.echo(f"  ... and {len(result.problems) - SHOWN_PROBLEMS} more problems "
                   "(`repost-mirror scan --json` lists every one)")
    return 0


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@common
def status(cfg: Config, as_json: bool) -> int:
    """Counts per link status, dead sources, versions, unfaithful reposts, last crawl."""
    store = open_store(cfg, read_only_ok=True)
    counts = store.status_counts()
    if as_json:
        emit_json(counts.to_json())
        return 0
    click.echo(f"{counts.sources} sources, {counts.reposts} reposts ({counts.problems} problems), "
               f"{counts.unchecked} never checked")
    for word, n in counts.by_status.items():
        click.echo(f"  {word:<13}{n:>8}")
    click.echo(f"dead: {counts.dead}   versions: {counts.versions}   changed: {counts.changed}   "
               f"unfaithful reposts: {counts.unfaithful}   changed since the repost: {counts.changed_since_repost}")
    stealth = counts.changed_since_repost_sources
    for url in stealth[:STATUS_LIST_MAX]:
        click.echo(f"  changed since the repost (a stealth edit): {url}")
    if len(stealth) > STATUS_LIST_MAX:
        click.echo(f"  ... and {len(stealth) - STATUS_LIST_MAX} more (`status --json` lists them all)")
    last = counts.last_crawl
    if last is None:
        click.echo("last crawl: never")
    else:
        click.echo(f"last crawl: {last.started_at} .. {last.finished_at or '?'} ({last.outcome})")
    return 0


@main.command()
@click.argument("file", required=False)
@click.option("--url", help="the page's address, for site hints")
@click.option("--repost", "repost_path", type=click.Path(dir_okay=False, path_type=Path),
              help="a repost of the page: show what the witness finds for it (body, how found, verdict)")
@click.option("--json", "as_json", is_flag=True, help="print {title, text, paragraphs, charset} (and, with "
                                                    "--repost, found_by, faithful, excerpt_only, hunks)")
@common
def extract(cfg: Config, file: str | None, url: str | None, repost_path: Path | None, as_json: bool) -> int:
    """Print the title and body text extracted from one HTML page (FILE, or - or a pipe for stdin)."""
    from urllib.parse import urlsplit

    from crawler.archive import looks_binary
    from crawler.extract import extract as run_extract

    if file is None and sys.stdin.isatty():
        # Nothing given and nothing piped: waiting for a page typed by hand would look like a hang.
        click.echo(click.get_current_context().get_help(), err=True)
        raise Exit(EXIT_USAGE, "no page given: name an HTML file, or pipe one in")
    if file in (None, "-"):
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise Exit(EXIT_USAGE, f"cannot read {file}: {exc.strerror or exc}") from None
    if looks_binary(data):
        raise Exit(EXIT_USAGE, f"{'the input' if file in (None, '-') else file} is not an HTML page: "
                               f"binary data ({len(data)} bytes)")
    try:
        hints = cfg.site(urlsplit(url).hostname or "") if url else None
    except ValueError as exc:  # "http://[::1": the page's address is read again when it is judged
        raise Exit(EXIT_USAGE, f"--url {url!r} is not a usable URL: {exc}") from None
    if repost_path is not None:
        return _extract_with_witness(cfg, data, url, hints, repost_path, as_json)
    article = run_extract(data, url=url, hints=hints)
    if as_json:
        emit_json({"title": article.title, "text": article.text, "paragraphs": list(article.paragraphs),
                   "charset": article.charset})
        return 0
    title = printable(article.title)
    click.echo(title)
    click.echo("=" * min(80, max(10, len(title) * 2)))
    click.echo(printable(article.text) if article.paragraphs else "(no article body found)")
    return 0


def _extract_with_witness(cfg: Config, data: bytes, url: str | None, hints: Any, repost_path: Path,
                          as_json: bool) -> int:
    """`extract --repost`: the page judged as a crawl judges it, with that repost as its witness."""
    from crawler import analyze as cpu
    from crawler.archive import Repost, parse_repost

    try:
        raw = repost_path.read_bytes()
    except OSError as exc:
        raise Exit(EXIT_USAGE, f"cannot read {repost_path}: {exc.strerror or exc}") from None
    parsed = parse_repost(raw, repost_path.name, cfg.archive)
    if not isinstance(parsed, Repost):
        raise Exit(EXIT_USAGE, f"{repost_path} is not a repost: {getattr(parsed, 'problem', None) or 'no source link'}")
    # Without the archive's database there is no boilerplate to leave out: this page, this repost.
    cpu.configure(cpu.CompareSettings(frozenset(), cfg.compare.min_change_chars, cfg.compare.fold_chinese_script))
    result = cpu.analyze(cpu.PageJob(data, None, url or parsed.source_url or "", hints, None, ((0, parsed.body),)))
    if result.failure is not None:
        raise Exit(EXIT_USAGE, result.failure)
    verdict = result.fidelity[0] if result.fidelity else None
    if as_json:
        emit_json({"title": result.title, "text": result.text, "paragraphs": list(result.paragraphs),
                   "charset": result.charset, "found_by": result.found_by, "holds_repost": result.holds_repost,
                   "faithful": None if verdict is None else verdict.faithful,
                   "fidelity": None if verdict is None else verdict.similarity,
                   "excerpt_only": None if verdict is None else verdict.excerpt_only,
                   "hunks": [] if verdict is None else list(verdict.hunks)})
    else:
        title = printable(result.title)
        click.echo(title)
        click.echo("=" * min(80, max(10, len(title) * 2)))
        click.echo(printable(result.text) if result.paragraphs else "(no article body found)")
        how = {"extractor": "by the generic extractor", "page_text": "in the page's visible text",
               "embedded": "in the data the page carries for its scripts",
               "meta": "only in the page's description (an excerpt)"}.get(result.found_by or "", "nowhere")
        click.echo(f"\nbody found {how}" + ("; the page holds the repost's text" if result.holds_repost else
                                           f"; the repost's text is in {result.set_aside}, not in the article the "
                                           "page shows" if result.set_aside else "; the repost's text is not in the page"))
        if verdict is None:
            click.echo("verdict: none (no article text to compare with)")
        else:
            state = "faithful" if verdict.faithful else "NOT faithful"
            click.echo(f"verdict: fidelity {verdict.similarity:.3f}, {state}"
                       + (" to the excerpt the page serves" if verdict.excerpt_only else ""))
            _print_hunks(list(verdict.hunks), color=sys.stdout.isatty())
    return 0 if verdict is None or verdict.faithful else EXIT_UNFAITHFUL


def parse_when(text: str, now: float) -> str:
    """A date, a datetime, or a duration back from now (`7d`, `24h`) -> UTC ISO 8601 with Z."""
    from datetime import datetime, timezone

    from crawler.config import parse_duration
    from store.db import iso

    try:
        return iso(now - parse_duration(text))
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a date, a datetime or a duration like 7d",
                                 param_hint="--since") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return iso(moment.timestamp())


@main.command()
@click.option("--since", "since_text", metavar="WHEN", help="only sources that turned so since WHEN (date, datetime or 7d/24h)")
@click.option("--all", "everything", is_flag=True, help="every source, not only dead, changed or unfaithful ones")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md", "html"]), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="write to FILE instead of stdout")
@click.option("--diffs", is_flag=True, help="json: each source's reposts with their hunks (reposts_detail)")
@common
def report(cfg: Config, since_text: str | None, everything: bool, fmt: str, output: Path | None, diffs: bool) -> int:
    """The sources that are dead, changed or unfaithful, as csv, json, md or html."""
    import time

    from crawler.analyze import version_differ
    from store import report as reports

    since = parse_when(since_text, time.time()) if since_text is not None else None
    store = open_store(cfg, read_only_ok=True)
    doc = reports.build_report(store, since=since, everything=everything, diffs=diffs,
                               site_event_min=cfg.report.site_event_min)
    text = reports.render(store, doc, fmt, diff_versions=version_differ(cfg))
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"report: {len(doc['sources'])} sources written to {output}", err=True)
    return 0


@main.command()
@click.option("--wacz", "wacz_path", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="the WACZ file to write")
@click.option("--since", "since_text", metavar="WHEN", help="only the captures since WHEN (date, datetime or 7d/24h)")
@common
def export(cfg: Config, wacz_path: Path, since_text: str | None) -> int:
    """Pack the mirror (or the captures since WHEN) as a WACZ file for ReplayWeb.page and pywb."""
    import time

    from crawler.export import ExportError, export_wacz

    since = parse_when(since_text, time.time()) if since_text is not None else None
    store = open_store(cfg, read_only_ok=True)
    try:
        done = export_wacz(store, cfg.store.mirror, wacz_path, since=since)
    except ExportError as exc:
        raise Exit(EXIT_USAGE, str(exc)) from None
    click.echo(f"export: {done.pages} pages, {done.records} WARC records from {done.warc_files} files "
               f"written to {done.path}", err=True)
    return 0


def _duration_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> float | None:
    from crawler.config import parse_duration

    if value is None:
        return None
    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.option("--all", "all_sources", is_flag=True, help="make every source due")
@click.option("--limit", type=click.IntRange(min=0), metavar="N", help="check at most N sources")
@click.option("--max-duration", callback=_duration_option, metavar="DUR",
              help="start no new fetch after DUR (e.g. 6h), then finish cleanly")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@common
def crawl(cfg: Config, all_sources: bool, limit: int | None, max_duration: float | None, as_json: bool) -> int:
    """The nightly job: scan, then check every due source politely and record what changed."""
    import asyncio
    import time

    from crawler.crawl import crawl_async
    from crawler.progress import bar
    from crawler.scan import check_archive_root
    from crawler.scan import scan as run_scan

    started = time.monotonic()
    check_archive_root(cfg)
    store = open_store(cfg, create=True)
    store.acquire_crawl_lock()
    scanned = run_scan(cfg, store)
    if max_duration is not None:
        # --max-duration bounds the whole command, the scan included.
        max_duration = max(0.0, max_duration - (time.monotonic() - started))
    total = {"n": 0}
    tty = is_tty() and not as_json
    with bar("crawl", 0, enabled=tty) as update:
        def on_done(summary: Any) -> None:
            info = " ".join(f"{k} {v}" for k, v in sorted(summary.by_status.items()))
            update(summary.checked, info, total=total["n"])

        def on_start(n: int) -> None:
            total["n"] = n
            update(0, "", total=n)

        summary = asyncio.run(crawl_async(cfg, store, all_sources=all_sources, limit=limit,
                                          max_duration=max_duration, on_start=on_start, on_done=on_done))
        store.index_new_versions()
    for name, what in summary.mirror_damage.items():
        click.echo(f"mirror: {name} is {what}: what it held is mirrored in full again as it is checked", err=True)
    doc = summary.to_json()
    doc["scan"] = {k: v for k, v in scanned.to_json().items() if not k.endswith("_paths")}
    if as_json:
        emit_json(doc)
        return 0
    counts = ", ".join(f"{k} {v}" for k, v in doc["by_status"].items()) \
        or ("none checked" if summary.due else "nothing due")
    click.echo(f"crawl {summary.started_at} .. {summary.finished_at}: checked {summary.checked} of {summary.due} "
               f"due sources ({counts})")
    click.echo(f"new versions: {summary.new_versions}   unfaithful reposts: {summary.unfaithful}   "
               f"changed since the repost: {summary.changed_since_repost}"
               + ("   stopped early (--max-duration)" if summary.stopped_early else ""))
    if scanned.problems:
        # (a nightly run's mail should say that some of the archive goes unchecked, and where to look)
        n = len(scanned.problems)
        click.echo(f"archive: {n} problem{'' if n == 1 else 's'}, not checked (`repost-mirror scan` lists them)")
    return 0


def _resolve_target(cfg: Config, store: Store, target: str) -> tuple[Any, list[str] | None]:
    from crawler.lookup import TargetError, resolve_target

    try:
        return resolve_target(cfg, store, target)
    except TargetError as exc:
        raise Exit(EXIT_USAGE, str(exc)) from None


_BY = {"repost": "changed by the repost", "original": "changed by the site after the repost",
       "unknown": "who changed it is unknown"}


def _print_attribution(item: dict[str, Any]) -> None:
    """Against what the repost's differences were attributed, and the verdict on the repost as made."""
    date, origin = item.get("repost_date"), item.get("repost_date_from")
    then = item.get("compared_with")
    if date:
        where = {"header": "its header line", "history": "the commit that brought it",
                 "mtime": "the file's modification time"}.get(origin or "", origin or "?")
        click.echo(f"  reposted {date} (from {where})")
    if then:
        what = (f"the web archive's capture of {then['seen_at']} ({then['archive_url']})" if then["from_archive"]
                else f"our version {then['version']}, first seen {then['seen_at']}")
        click.echo(f"  the original as it was then: {what}")
    elif date:
        click.echo("  the original as it was then: not found, so who changed the text is unknown")
    verdict = item.get("faithful_when_reposted")
    if verdict is True:
        click.echo("  faithful when reposted: the site changed its article since (a stealth edit)")
    elif verdict is False:
        click.echo("  not faithful when reposted: the repost changed the text")


def _print_appearances(appearances: list[dict[str, str]], limit: int = 10) -> None:
    """Where a history repost's text stood (a slot text passes through several slot files)."""
    if len(appearances) < 2:
        return
    click.echo(f"  appeared at {len(appearances)} places:")
    for a in appearances[:limit]:
        click.echo(f"    {a['path']} @ {a['commit'][:12]} ({a['committed_at']})")
    if len(appearances) > limit:
        click.echo(f"    ... and {len(appearances) - limit} more")


def _print_hunks(hunks: list[dict[str, str]], color: bool) -> None:
    labels: dict[str, tuple[str, str]] = {HunkOp.MISSING: ("- original only", "red"), HunkOp.ADDED: ("+ repost only", "green"),
              HunkOp.ALTERED: ("~ altered", "yellow")}
    for hunk in hunks:
        label, colour = labels.get(hunk["op"], (hunk["op"], "white"))
        if hunk.get("by"):
            label += f" ({_BY.get(hunk['by'], hunk['by'])})"
        click.echo(click.style(f"  {label}", fg=colour if color else None, bold=color))
        if hunk["original"]:
            click.echo(click.style(f"    original: {printable(hunk['original'])}", fg="red" if color else None))
        if hunk["repost"]:
            click.echo(click.style(f"    repost:   {printable(hunk['repost'])}", fg="green" if color else None))


@main.command()
@click.argument("target", metavar="PATH_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@click.option("--no-fetch", is_flag=True, help="use the latest stored version instead of fetching")
@common
def check(cfg: Config, target: str, as_json: bool, no_fetch: bool) -> int:
    """Fidelity of one repost (a path) or of every repost of one source (a URL), fetched now."""
    from crawler.lookup import check_source, is_url, repost_name

    # Checking a file of the archive indexes the archive first, so it may create the
    # database; a URL, a missing file or --no-fetch need one that is already there.
    in_archive = not no_fetch and not is_url(target) \
        and (cfg.archive.root / repost_name(cfg, target)).is_file()
    store = open_store(cfg, create=in_archive, read_only_ok=no_fetch)
    source, only = _resolve_target(cfg, store, target)
    report = check_source(cfg, store, source, only, fetch=not no_fetch)
    doc = report.to_json()
    results, version = doc["reposts"], report.version
    if as_json:
        emit_json(doc)
    else:
        f = report.source
        answer = f"HTTP {f['http_status']}" if f["http_status"] is not None else "no response"
        click.echo(f"{f['source_url']}: {f['link_status'] or 'not checked yet'} ({answer})"
                   + (f" -> {f['final_url']}" if f["final_url"] else "")
                   + (" [dead]" if f["dead"] else ""))
        if report.check is not None and report.check.detail:
            detail = " ".join(report.check.detail.split())
            click.echo(f"  {detail[:197] + '...' if len(detail) > 200 else detail}")
        if f["archived_copy"]:
            click.echo(f"  archived copy: {f['archived_copy']}")
        if version is None:
            click.echo("  no version of the original is stored: nothing to compare")
        for item in results:
            verdict = "faithful" if item["faithful"] else "NOT faithful"
            verdict += " to the excerpt the page serves" if item["excerpt_only"] else ""
            click.echo(f"{item['path']}: fidelity {item['fidelity']:.3f}, {verdict}")
            _print_appearances(item["appearances"])
            if not item["faithful"]:
                _print_attribution(item)
            _print_hunks(item["hunks"], color=sys.stdout.isatty())
        for path in doc["without_text"]:
            click.echo(f"{path}: not judged: its body has no text to compare (empty, or only images)")
        for path in doc["not_judged"]:
            click.echo(f"{path}: not judged: the page did not show its text (see the detail above)")
    if version is None:
        if not as_json:
            click.echo("the source cannot be fetched and no version is stored", err=True)
        return EXIT_UNFETCHABLE
    return EXIT_UNFAITHFUL if report.unfaithful else 0


@main.command()
@click.argument("target", metavar="PATH_OR_URL")
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@common
def history(cfg: Config, target: str, as_json: bool) -> int:
    """The versions of a source, each with its time, and what changed between consecutive ones."""
    from crawler.lookup import source_history

    store = open_store(cfg, read_only_ok=True)
    source, _only = _resolve_target(cfg, store, target)
    doc = source_history(cfg, store, source).to_json()
    out, copies = doc["versions"], doc["reposts"]
    if as_json:
        emit_json(doc)
        return 0
    click.echo(f"{source.url}: {len(out)} version(s)")
    for copy in copies:
        click.echo(f"repost {copy['path']}" + (f" (dated {copy['dated_at']})" if copy["dated_at"] else ""))
        _print_appearances(copy["appearances"])
    for v in out:
        where = f"  [{v['warc']['file']} @ {v['warc']['offset']}]" if v["warc"] else ""
        origin = f" from the archive {v['archive_url']}" if v["from_archive"] else ""
        if v["captured_at"]:
            # An earlier text found for attribution: the web archive's capture, at the time it was taken.
            click.echo(f"version {v['number']}: captured {v['captured_at']} by the web archive ({v['archive_url']}){where}")
        else:
            click.echo(f"version {v['number']}: {v['first_seen_at']} .. {v['last_seen_at']}{origin}{where}")
        for hunk in v["hunks"]:
            label = {HunkOp.MISSING: "- dropped", HunkOp.ADDED: "+ added",
                     HunkOp.ALTERED: "~ altered"}.get(hunk["op"], hunk["op"])
            click.echo(f"  {label}: {hunk['original'] or ''}" + (f" -> {hunk['repost']}" if hunk["op"] == HunkOp.ALTERED
                                                                  else (hunk["repost"] or "")))
    return 0


@main.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"),
              show_default=True, help="folder for the demo's archive copy, database, mirror and report")
@common
def demo(cfg: Config, workdir: Path) -> int:
    """Run the whole product offline on the bundled example: serve, crawl, report."""
    from crawler.demo import run_demo

    return run_demo(workdir, click.echo)
