"""Reports of the sources that are dead, changed or unfaithful (SPEC section 10).

Rendering only: the report is built from what the store holds, never fetched.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from store.db import Store, utc_now

FIELDS = ("source_url", "reposts", "link_status", "dead", "http_status", "final_url", "last_checked_at",
          "last_alive_at", "first_dead_at", "versions", "changed_at", "fidelity", "faithful", "archived_copy")


def build_report(store: Store, *, since: str | None = None, everything: bool = False,
                 generated_at: str | None = None) -> dict[str, Any]:
    sources = store.report_sources(everything=everything, since=since)
    return {
        "generated_at": generated_at or utc_now(),
        "since": since,
        "sources": [s.fields for s in sources],
    }


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


def render_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for source in report["sources"]:
        writer.writerow([_cell(source[name]) for name in FIELDS])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def render(store: Store, report: dict[str, Any], fmt: str) -> str:
    """The report in `fmt` (json, csv, md, html)."""
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    raise ValueError(f"report format {fmt!r} is not available yet")
