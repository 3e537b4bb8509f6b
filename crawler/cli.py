"""The `repost-mirror` command line: parse, call the library, print.

Exit codes (SPEC section 4): 0 success, 1 `check` found the repost unfaithful,
2 usage or config error, 3 `check` could not fetch and has no stored version,
4 another crawl holds the lock, 5 any other fatal error.
"""

from __future__ import annotations

import functools
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from crawler import __version__
from crawler.config import Config, ConfigError, load_config
from store.db import LockedError, Store, StoreError

EXIT_UNFAITHFUL, EXIT_USAGE, EXIT_UNFETCHABLE, EXIT_LOCKED, EXIT_FATAL = 1, 2, 3, 4, 5


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
        try:
            cfg = load_config(config_path)
            if db_path is not None:
                cfg = replace(cfg, store=replace(cfg.store, database=db_path))
            code = fn(cfg, **kwargs)
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
        except KeyboardInterrupt:
            click.echo("repost-mirror: interrupted", err=True)
            sys.exit(130)
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


def open_store(cfg: Config) -> Store:
    return Store(cfg.store.database)


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
    from crawler.scan import scan as run_scan

    store = open_store(cfg)
    with counter("scanning", enabled=is_tty() and not as_json) as tick:
        result = run_scan(cfg, store, progress=tick)
    if as_json:
        emit_json(result.to_json())
        return 0
    click.echo(
        f"{result.reposts} reposts in {cfg.archive.root}: {len(result.new)} new, {len(result.changed)} changed, "
        f"{len(result.removed)} removed, {len(result.problems)} problems"
    )
    for problem in result.problems:
        click.echo(f"  problem: {problem['path']}: {problem['problem']}")
    return 0


@main.command()
@click.option("--json", "as_json", is_flag=True, help="print one JSON document")
@common
def status(cfg: Config, as_json: bool) -> int:
    """Counts per link status, dead sources, versions, unfaithful reposts, last crawl."""
    store = open_store(cfg)
    counts = store.status_counts()
    if as_json:
        emit_json(counts)
        return 0
    click.echo(f"{counts['sources']} sources, {counts['reposts']} reposts ({counts['problems']} problems), "
               f"{counts['unchecked']} never checked")
    for word, n in counts["by_status"].items():
        click.echo(f"  {word:<13}{n:>8}")
    click.echo(f"dead: {counts['dead']}   versions: {counts['versions']}   changed: {counts['changed']}   "
               f"unfaithful reposts: {counts['unfaithful']}")
    last = counts["last_crawl"]
    if last is None:
        click.echo("last crawl: never")
    else:
        click.echo(f"last crawl: {last['started_at']} .. {last['finished_at'] or '?'} ({last['outcome']})")
    return 0


@main.command()
@click.argument("file", required=False, default="-")
@click.option("--url", help="the page's address, for site hints")
@click.option("--json", "as_json", is_flag=True, help="print {title, text, paragraphs, charset}")
@common
def extract(cfg: Config, file: str, url: str | None, as_json: bool) -> int:
    """Print the title and body text extracted from one HTML page (FILE or - for stdin)."""
    from crawler.extract import extract as run_extract
    from urllib.parse import urlsplit

    if file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise Exit(EXIT_USAGE, f"cannot read {file}: {exc.strerror or exc}") from None
    hints = cfg.site(urlsplit(url).hostname or "") if url else None
    article = run_extract(data, url=url, hints=hints)
    if as_json:
        emit_json({"title": article.title, "text": article.text, "paragraphs": list(article.paragraphs),
                   "charset": article.charset})
        return 0
    click.echo(article.title)
    click.echo("=" * min(80, max(10, len(article.title) * 2)))
    click.echo(article.text if article.paragraphs else "(no article body found)")
    return 0


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
        raise click.BadParameter(f"{text!r} is not a date, a datetime or a duration like 7d", param_hint="--since")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return iso(moment.timestamp())


@main.command()
@click.option("--since", "since_text", metavar="WHEN", help="only sources that turned so since WHEN (date, datetime or 7d/24h)")
@click.option("--all", "everything", is_flag=True, help="every source, not only dead, changed or unfaithful ones")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md", "html"]), default="json", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="write to FILE instead of stdout")
@common
def report(cfg: Config, since_text: str | None, everything: bool, fmt: str, output: Path | None) -> int:
    """The sources that are dead, changed or unfaithful, as csv, json, md or html."""
    import time

    from store import report as reports

    since = parse_when(since_text, time.time()) if since_text else None
    store = open_store(cfg)
    doc = reports.build_report(store, since=since, everything=everything)
    text = reports.render(store, doc, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(f"report: {len(doc['sources'])} sources written to {output}", err=True)
    return 0
