"""Reports of the sources that are dead, changed or unfaithful (SPEC section 10).

Built from what the store holds, never fetched.  `json` and `csv` are for scripts (fixed
fields, every source); `md` and `html` are for people (`store.report_md`,
`store.report_html`): counts and pictures first, then site events (a host whose sources
died together is one entry), then the dead, changed and unfaithful sources grouped by
host, each with its title, addresses and diffs.  This module gathers what those show, in a
few queries over the whole store, so that a report of the real archive (125,000 sources)
takes seconds, not a query per source.
"""

from __future__ import annotations

import bisect
import csv
import difflib
import io
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from store.db import Store, utc_now
from store.marks import char_marks
from store.records import StatusCounts, StoredVersion
from store.words import HunkOp

FIELDS = ("source_url", "reposts", "link_status", "dead", "http_status", "final_url", "last_checked_at",
          "last_alive_at", "first_dead_at", "versions", "changed_at", "fidelity", "faithful", "archived_copy",
          "title", "detail", "excerpt_only", "faithful_when_reposted", "witnessed")

# Bounds that keep a report of a huge archive readable and its rendering quick.
MAX_DETAILED_SOURCES = 1000   # sources shown with their diffs; the rest as one line each
MAX_HUNKS = 30                # per repost, and per version diff
MAX_HUNK_CHARS = 3000         # per side of a hunk
MAX_VERSION_CHARS = 200_000   # per version text fed to the version diff
EVENT_EXAMPLES = 5            # sources named in a site event; the rest are folded under it

GROUPS = (("dead", "Dead sources"), ("changed", "Changed sources"), ("unfaithful", "Unfaithful reposts"))


def build_report(store: Store, *, since: str | None = None, everything: bool = False,
                 generated_at: str | None = None, diffs: bool = False,
                 site_event_min: int = 20) -> dict[str, Any]:
    """The json document (SPEC 10); `diffs` adds each source's `reposts_detail` with hunks."""
    summaries = store.report_sources(everything=everything, since=since)
    sources = []
    for s in summaries:
        fields = s.fields
        # In the order of FIELDS, whichever part of the product filled them in.
        ordered = {name: fields.pop(name) for name in FIELDS if name in fields}
        rest = dict(fields)
        fields.clear()
        fields.update(ordered, **rest)
        sources.append(fields)
    if diffs:
        details = _reposts_detail(store, [s.id for s in summaries])
        for s in summaries:
            s.fields["reposts_detail"] = details.get(s.id, [])
    events = site_events(store, summaries, site_event_min)
    return {
        "generated_at": generated_at or utc_now(),
        "since": since,
        "site_events": [{k: e[k] for k in ("host", "dead", "of", "since")} for e in events],
        "sources": sources,
        # Not part of the document (render_json leaves out keys starting with "_"): which
        # sources each event folds, and whether every source is listed (for md and html).
        "_events": events,
        "_everything": everything,
    }


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(_public(report), ensure_ascii=False, indent=2) + "\n"


def _public(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if not k.startswith("_")}


def render_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    # CRLF (RFC 4180) also makes the writer quote a cell holding a lone CR, which a reader
    # would otherwise take for the end of the row.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for source in report["sources"]:
        writer.writerow([_cell(source.get(name)) for name in FIELDS])
    return out.getvalue()


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): a
# repost named `=cmd|' /C calc'!A0.md`, an archived_copy from a hostile answer. OWASP's rule:
# such a cell gets a leading apostrophe, which spreadsheets show as text and do not display.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = ";".join(value) if isinstance(value, list) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# What changed between two stored versions, as hunks {"op", "repost": the newer text,
# "original": the older, "repost_marks", "original_marks"}: the crawler's comparison, which
# the store cannot make itself.
VersionDiffer = Callable[[StoredVersion, StoredVersion], list[dict[str, Any]]]


def render(store: Store, report: dict[str, Any], fmt: str, diff_versions: VersionDiffer | None = None) -> str:
    """The report in `fmt` (json, csv, md, html)."""
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "md":
        from store.report_md import render_md

        return render_md(gather(store, report, diff_versions))
    if fmt == "html":
        from store.report_html import render_html

        return render_html(gather(store, report, diff_versions))
    raise ValueError(f"unknown report format {fmt!r} (use csv, json, md or html)")


# --- reposts with their hunks (--diffs) ---------------------------------------------------

def _reposts_detail(store: Store, source_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each source's reposts with their latest fidelity and hunks."""
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for v in store.repost_verdicts(source_ids):
        out[v.source_id].append({"path": v.path, "fidelity": v.similarity, "faithful": v.faithful, "hunks": v.hunks})
    return out


# --- site events ---------------------------------------------------------------------

def site_events(store: Store, summaries: list[Any], minimum: int) -> list[dict[str, Any]]:
    """Hosts whose listed dead sources died together: at least `minimum` of them turned dead
    in one crawl, or they are at least half of the host's sources (and more than one).

    Each event: host, dead (its dead sources in this report), of (the host's sources),
    since (when the first of them turned dead), and `source_ids`, the sources it folds.
    """
    dead = [s for s in summaries if s.fields["dead"]]
    if not dead:
        return []
    starts = store.crawl_starts()
    by_host: dict[str, list[Any]] = defaultdict(list)
    for s in dead:
        by_host[s.host].append(s)
    totals = store.live_sources_by_host()
    events: list[dict[str, Any]] = []
    for host, members in by_host.items():
        of = max(int(totals.get(host, 0)), len(members))
        # The crawl in which each turned dead: the last one started at or before that moment.
        crawls = Counter(bisect.bisect_right(starts, s.fields["first_dead_at"] or "") for s in members)
        together = max(crawls.values())
        if together >= minimum or (len(members) > 1 and 2 * len(members) >= of):
            since = min((s.fields["first_dead_at"] for s in members if s.fields["first_dead_at"]), default=None)
            events.append({"host": host, "dead": len(members), "of": of, "since": since,
                           "source_ids": [s.id for s in members]})
    events.sort(key=lambda e: (-int(e["dead"]), e["host"]))
    return events


# --- what people see ---------------------------------------------------------------------

@dataclass
class RepostView:
    path: str
    fidelity: float | None
    faithful: bool | None
    checked_at: str | None
    hunks: list[dict[str, Any]]
    more_hunks: int = 0


@dataclass
class VersionDiff:
    old_number: int
    new_number: int
    old_seen: str
    new_seen: str
    new_from_archive: bool
    hunks: list[dict[str, Any]]  # as a repost's: "repost" is the newer text, "original" the older
    more_hunks: int = 0


@dataclass
class SourceView:
    anchor: str
    fields: dict[str, Any]
    groups: list[str]
    host: str = ""
    reposts: list[RepostView] = field(default_factory=list)
    version_diff: VersionDiff | None = None
    detailed: bool = False
    event: str | None = None  # the host of the site event that folds it, if one does


@dataclass
class SiteEvent:
    host: str
    dead: int
    of: int
    since: str | None
    sources: list[SourceView]  # the first EVENT_EXAMPLES are its examples


@dataclass
class HostGroup:
    host: str
    sources: list[SourceView]


@dataclass
class Pictures:
    """What the html page draws (SPEC 10), over the whole store."""

    by_status: dict[str, int]
    unchecked: int
    rot: list[tuple[str, int, int]]        # (month of the reposts, dead sources, sources)
    activity: list[tuple[str, int, int]]   # (month, new versions, stealth edits)


@dataclass
class HumanReport:
    generated_at: str
    since: str | None
    counts: StatusCounts             # the whole database
    sources: list[SourceView]        # every source of the report, in its order
    group_counts: dict[str, int]     # of the sources in this report
    events: list[SiteEvent] = field(default_factory=list)
    groups: dict[str, list[HostGroup]] = field(default_factory=dict)  # group -> hosts, most troubled first
    pictures: Pictures | None = None
    everything: bool = False         # --all: a compact table of every source too

    def sections(self) -> Iterator[tuple[str, str, list[HostGroup], int]]:
        """(group, title, its hosts, how many sources) of each group that lists any."""
        for group, title in GROUPS:
            hosts = self.groups.get(group, [])
            total = sum(len(h.sources) for h in hosts)
            if total:
                yield group, title, hosts, total


def _groups(fields: dict[str, Any]) -> list[str]:
    out = []
    if fields["dead"]:
        out.append("dead")
    if (fields["versions"] or 0) > 1:
        out.append("changed")
    if fields["faithful"] is False:
        out.append("unfaithful")
    return out


def gather(store: Store, report: dict[str, Any], diff_versions: VersionDiffer | None = None) -> HumanReport:
    """Everything the md and html renderings show, read from the store in a few queries."""
    keys = store.source_keys()
    views: list[SourceView] = []
    by_id: dict[int, SourceView] = {}
    for n, fields in enumerate(report["sources"]):
        key = keys.get(fields["source_url"])
        view = SourceView(anchor=f"s{n + 1}", fields=fields, groups=_groups(fields),
                          host=key.host if key is not None else "")
        views.append(view)
        if key is not None:
            by_id[key.id] = view
    events = []
    for e in report.get("_events", []):
        members = [by_id[i] for i in e["source_ids"] if i in by_id]
        for v in members:
            v.event = e["host"]
        events.append(SiteEvent(e["host"], e["dead"], e["of"], e["since"], members))
    groups: dict[str, list[HostGroup]] = {}
    for group, _ in GROUPS:
        # A dead source a site event folds is listed under the event, not again here.
        members = [v for v in views if group in v.groups and not (group == "dead" and v.event)]
        by_host: dict[str, list[SourceView]] = defaultdict(list)
        for v in members:
            by_host[v.host].append(v)
        groups[group] = [HostGroup(h, vs) for h, vs in sorted(by_host.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    # Diffs for the first sources that have something to explain: unfaithful and changed ones
    # first (they have diffs), then the dead that no event folds.
    budget = MAX_DETAILED_SOURCES
    for group in ("unfaithful", "changed", "dead"):
        for host_group in groups[group]:
            for v in host_group.sources:
                if budget and not v.detailed:
                    v.detailed = True
                    budget -= 1
    id_of = {v.anchor: i for i, v in by_id.items()}
    for v in views:
        if v.detailed and v.anchor in id_of:
            _fill(store, v, id_of[v.anchor], diff_versions)
    return HumanReport(
        generated_at=report["generated_at"], since=report.get("since"), counts=store.status_counts(),
        sources=views, group_counts={g: sum(g in v.groups for v in views) for g, _ in GROUPS},
        events=events, groups=groups, pictures=pictures(store), everything=report.get("_everything", False),
    )


def pictures(store: Store) -> Pictures:
    """Link status counts, the link-rot curve, and versions and stealth edits per month."""
    counts = store.status_counts()
    monthly = store.monthly_activity()
    versions, stealth = monthly.new_versions, monthly.stealth_edits
    months = sorted(m for m in set(versions) | set(stealth) if m)
    return Pictures(by_status=dict(counts.by_status), unchecked=counts.unchecked, rot=monthly.rot,
                    activity=[(m, int(versions.get(m, 0)), int(stealth.get(m, 0))) for m in months])


def _fill(store: Store, view: SourceView, source_id: int, diff_versions: VersionDiffer | None) -> None:
    for repost in store.reposts_of(source_id):
        latest = store.latest_fidelity(repost.id)
        hunks = list(latest.hunks) if latest else []
        view.reposts.append(RepostView(
            path=repost.path,
            fidelity=None if latest is None else latest.fidelity,
            faithful=None if latest is None else latest.faithful,
            checked_at=None if latest is None else latest.checked_at,
            hunks=[_bounded(h) for h in hunks[:MAX_HUNKS]], more_hunks=max(0, len(hunks) - MAX_HUNKS),
        ))
    if "changed" in view.groups:
        versions = store.versions_of(source_id)
        if len(versions) >= 2:
            old, new = versions[-2], versions[-1]
            # The line diff also when the comparison finds no change long enough to count (a
            # version made under other settings): a changed source always shows what changed.
            found = diff_versions(old, new) if diff_versions is not None else []
            hunks = [_bounded(h) for h in found or version_hunks(old.text or "", new.text or "")]
            view.version_diff = VersionDiff(
                old_number=old.number, new_number=new.number, old_seen=old.first_seen_at,
                new_seen=new.first_seen_at, new_from_archive=new.from_archive,
                hunks=hunks[:MAX_HUNKS], more_hunks=max(0, len(hunks) - MAX_HUNKS),
            )


def _bounded(hunk: dict[str, Any]) -> dict[str, Any]:
    """A stored hunk, its texts cut to a readable length, with its changed stretches: those
    the comparison marked, else those of a character diff of the two texts."""
    op = str(hunk.get("op", ""))
    repost, original = str(hunk.get("repost") or ""), str(hunk.get("original") or "")
    if op != HunkOp.ALTERED:
        r_marks, o_marks = [(0, len(repost))], [(0, len(original))]
    elif "repost_marks" in hunk and "original_marks" in hunk:
        r_marks, o_marks = _spans(hunk["repost_marks"], len(repost)), _spans(hunk["original_marks"], len(original))
    else:
        r_marks, o_marks = char_marks(repost, original)
    out: dict[str, Any] = {"op": op, "repost": _cut(repost), "original": _cut(original),
                           "repost_marks": _within(r_marks, MAX_HUNK_CHARS),
                           "original_marks": _within(o_marks, MAX_HUNK_CHARS)}
    if hunk.get("by") is not None:
        out["by"] = str(hunk["by"])
    return out


def _spans(value: Any, length: int) -> list[tuple[int, int]]:
    """Stored marks, trusted no further than they are well formed."""
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, list) and len(item) == 2 and all(isinstance(x, int) for x in item):
            lo, hi = max(0, item[0]), min(length, item[1])
            if lo < hi:
                out.append((lo, hi))
    return sorted(out)


def _within(spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    return [(lo, min(hi, limit)) for lo, hi in spans if lo < limit]


def _cut(text: str, limit: int = MAX_HUNK_CHARS) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def version_hunks(old: str, new: str) -> list[dict[str, str]]:
    """Line hunks between two stored texts (when no comparison is at hand): what the newer
    version dropped, added, altered; "repost" is the newer text, "original" the older."""
    a = old[:MAX_VERSION_CHARS].split("\n")
    b = new[:MAX_VERSION_CHARS].split("\n")
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        op = {"delete": HunkOp.MISSING, "insert": HunkOp.ADDED, "replace": HunkOp.ALTERED}[tag]
        out.append({"op": op, "original": "\n".join(a[i1:i2]), "repost": "\n".join(b[j1:j2])})
    return out


def fmt_fidelity(value: float | None) -> str:
    return "not compared" if value is None else f"{value:.3f}"


def http_url(url: Any) -> str | None:
    """`url` if it is an http(s) URL that is safe to put in an href, else None."""
    if not isinstance(url, str):
        return None
    stripped = url.strip()
    if not stripped.lower().startswith(("http://", "https://")):
        return None
    if any(ch in stripped for ch in "\"'<> \t\r\n") or any(ord(ch) < 32 for ch in stripped):
        return None
    return stripped


