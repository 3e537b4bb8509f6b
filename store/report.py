"""Reports of the sources that are dead, changed or unfaithful (SPEC section 10).

Rendering only: the report is built from what the store holds, never fetched.
`json` and `csv` are for scripts (fixed fields); `md` and `html` are for people:
counts first, then each dead, changed or unfaithful source with its diffs.

The HTML page is one self-contained file: inline CSS and SVG, no script, and a
Content-Security-Policy that forbids loading anything, because it shows text
fetched from pages we do not control. Every such text goes through html.escape.
"""

from __future__ import annotations

import csv
import difflib
import html
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from store.db import LINK_STATUSES, Store, utc_now
from store.marks import char_marks

FIELDS = ("source_url", "reposts", "link_status", "dead", "http_status", "final_url", "last_checked_at",
          "last_alive_at", "first_dead_at", "versions", "changed_at", "fidelity", "faithful", "archived_copy",
          "faithful_when_reposted", "witnessed")

# Bounds that keep a report of a huge archive readable and its rendering quick.
MAX_DETAILED_SOURCES = 1000   # sources shown with their diffs; the rest only in the table
MAX_HUNKS = 30                # per repost, and per version diff
MAX_HUNK_CHARS = 3000         # per side of a hunk
MAX_VERSION_CHARS = 200_000   # per version text fed to the version diff

GROUPS = (("dead", "Dead sources"), ("changed", "Changed sources"), ("unfaithful", "Unfaithful reposts"))


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
    # CRLF (RFC 4180) also makes the writer quote a cell holding a lone CR, which a reader
    # would otherwise take for the end of the row.
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(FIELDS)
    for source in report["sources"]:
        writer.writerow([_cell(source[name]) for name in FIELDS])
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


# What changed between two stored versions (rows with `text` and `normalized`), as hunks
# {"op", "repost": the newer text, "original": the older, "repost_marks", "original_marks"}:
# the crawler's comparison, which the store cannot make itself.
VersionDiffer = Callable[[dict[str, Any], dict[str, Any]], list[dict[str, Any]]]


def render(store: Store, report: dict[str, Any], fmt: str, diff_versions: VersionDiffer | None = None) -> str:
    """The report in `fmt` (json, csv, md, html)."""
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "md":
        return render_md(gather(store, report, diff_versions))
    if fmt == "html":
        return render_html(gather(store, report, diff_versions))
    raise ValueError(f"unknown report format {fmt!r} (use csv, json, md or html)")


# --- what people see: the report's sources with their diffs --------------------

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
    reposts: list[RepostView] = field(default_factory=list)
    version_diff: VersionDiff | None = None
    detailed: bool = True


@dataclass
class HumanReport:
    generated_at: str
    since: str | None
    counts: dict[str, Any]           # the whole database (Store.status_counts)
    sources: list[SourceView]
    group_counts: dict[str, int]     # of the sources in this report


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
    """Everything the md and html renderings show, read once from the store."""
    views: list[SourceView] = []
    for n, fields in enumerate(report["sources"]):
        groups = _groups(fields)
        view = SourceView(anchor=f"s{n + 1}", fields=fields, groups=groups)
        # Diffs only where there is trouble to explain, and only for the first sources of a huge report.
        view.detailed = bool(groups) and sum(v.detailed for v in views) < MAX_DETAILED_SOURCES
        if view.detailed:
            row = store.db.execute("SELECT id FROM sources WHERE url = ?", [fields["source_url"]]).fetchone()
            if row is not None:
                _fill(store, view, row[0], diff_versions)
        views.append(view)
    return HumanReport(
        generated_at=report["generated_at"], since=report.get("since"), counts=store.status_counts(),
        sources=views, group_counts={g: sum(g in v.groups for v in views) for g, _ in GROUPS},
    )


def _fill(store: Store, view: SourceView, source_id: int, diff_versions: VersionDiffer | None) -> None:
    for repost in store.reposts_of(source_id):
        latest = store.latest_fidelity(repost["id"])
        hunks = list(latest["hunks"]) if latest else []
        view.reposts.append(RepostView(
            path=repost["path"],
            fidelity=None if latest is None else latest["fidelity"],
            faithful=None if latest is None else latest["faithful"],
            checked_at=None if latest is None else latest["checked_at"],
            hunks=[_bounded(h) for h in hunks[:MAX_HUNKS]], more_hunks=max(0, len(hunks) - MAX_HUNKS),
        ))
    if "changed" in view.groups:
        versions = store.versions_of(source_id)
        if len(versions) >= 2:
            old, new = versions[-2], versions[-1]
            # The line diff also when the comparison finds no change long enough to count (a
            # version made under other settings): a changed source always shows what changed.
            found = diff_versions(old, new) if diff_versions is not None else []
            hunks = [_bounded(h) for h in found or version_hunks(old["text"] or "", new["text"] or "")]
            view.version_diff = VersionDiff(
                old_number=old["number"], new_number=new["number"], old_seen=old["first_seen_at"],
                new_seen=new["first_seen_at"], new_from_archive=bool(new["from_archive"]),
                hunks=hunks[:MAX_HUNKS], more_hunks=max(0, len(hunks) - MAX_HUNKS),
            )


def _bounded(hunk: dict[str, Any]) -> dict[str, Any]:
    """A stored hunk, its texts cut to a readable length, with its changed stretches: those
    the comparison marked, else those of a character diff of the two texts."""
    op = str(hunk.get("op", ""))
    repost, original = str(hunk.get("repost") or ""), str(hunk.get("original") or "")
    if op != "altered":
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
        op = {"delete": "missing", "insert": "added", "replace": "altered"}[tag]
        out.append({"op": op, "original": "\n".join(a[i1:i2]), "repost": "\n".join(b[j1:j2])})
    return out


def _fmt_fidelity(value: float | None) -> str:
    return "not compared" if value is None else f"{value:.3f}"


def _http_url(url: Any) -> str | None:
    """`url` if it is an http(s) URL that is safe to put in an href, else None."""
    if not isinstance(url, str):
        return None
    stripped = url.strip()
    if not stripped.lower().startswith(("http://", "https://")):
        return None
    if any(ch in stripped for ch in "\"'<> \t\r\n") or any(ord(ch) < 32 for ch in stripped):
        return None
    return stripped


# --- Markdown ------------------------------------------------------------------

def _md_code(text: str) -> str:
    """Inline code that holds any text, even backticks: the fence is longer than any run inside."""
    text = text.replace("\n", " ")
    run, fence = 0, 1
    for ch in text:
        run = run + 1 if ch == "`" else 0
        fence = max(fence, run + 1)
    ticks = "`" * fence
    pad = " " if text.startswith("`") or text.endswith("`") or not text else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _md_fence(lines: list[str], lang: str = "") -> str:
    body = "\n".join(lines)
    longest, run = 0, 0
    for ch in body:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{body}\n{ticks}"


def _md_link(url: Any) -> str:
    safe = _http_url(url)
    if safe is None:
        return "—" if url is None else _md_code(str(url))
    return f"<{safe}>"


def _md_marked(text: str, marks: list[tuple[int, int]], opening: str, closing: str) -> str:
    out, at = [], 0
    for lo, hi in marks:
        out += [text[at:lo], opening, text[lo:hi], closing]
        at = hi
    out.append(text[at:])
    return "".join(out)


def _md_hunk_lines(h: dict[str, Any], labels: tuple[str, str]) -> list[str]:
    """A hunk as diff lines; in an altered one the changed stretches are marked as wdiff
    marks them, `[-dropped-]` and `{+added+}`."""
    op, original, other = h["op"], h["original"], h["repost"]
    if op == "altered":
        original = _md_marked(original, h["original_marks"], "[-", "-]")
        other = _md_marked(other, h["repost_marks"], "{+", "+}")
    out = []
    if op in ("missing", "altered") and original:
        out += [f"- {labels[0]}: {line}" for line in original.split("\n")]
    if op in ("added", "altered") and other:
        out += [f"+ {labels[1]}: {line}" for line in other.split("\n")]
    return out


def render_md(rep: HumanReport) -> str:
    c = rep.counts
    out = ["# repost-mirror report", ""]
    out.append(f"Generated {rep.generated_at}" + (f", changes since {rep.since}" if rep.since else "") + ".")
    out += ["", "## Counts", "", "| link status | sources |", "| --- | ---: |"]
    out += [f"| {status} | {c['by_status'].get(status, 0)} |" for status in LINK_STATUSES]
    if c.get("unchecked"):
        out.append(f"| never checked | {c['unchecked']} |")
    out += ["", f"- dead: **{c['dead']}**", f"- changed (more than one version): **{c['changed']}**",
            f"- unfaithful reposts: **{c['unfaithful']}**",
            f"- sources: {c['sources']}, reposts: {c['reposts']}, problems: {c['problems']}, versions: {c['versions']}"]
    last = c.get("last_crawl")
    if last:
        out.append(f"- last crawl: {last['started_at']} .. {last['finished_at'] or '?'} ({last['outcome']})")
    out += ["", f"This report lists {len(rep.sources)} source(s): "
            + ", ".join(f"{rep.group_counts[g]} {g}" for g, _ in GROUPS) + "."]
    shown: set[str] = set()
    for group, title in GROUPS:
        members = [v for v in rep.sources if group in v.groups]
        if not members:
            continue
        out += ["", f"## {title} ({len(members)})"]
        for view in members:
            if view.anchor in shown or not view.detailed:
                out += ["", f"- {_md_link(view.fields['source_url'])} ({view.fields['link_status']}; see above)"
                        if view.anchor in shown else f"- {_md_link(view.fields['source_url'])} ({view.fields['link_status']})"]
                continue
            shown.add(view.anchor)
            out += _md_source(view)
    others = [v for v in rep.sources if not v.groups]
    if others:
        out += ["", f"## Other sources ({len(others)})", "", "| source | status | HTTP | versions | fidelity |",
                "| --- | --- | ---: | ---: | ---: |"]
        for v in others:
            f = v.fields
            out.append(f"| {_md_link(f['source_url'])} | {f['link_status'] or 'never checked'} | "
                       f"{f['http_status'] or ''} | {f['versions']} | {_fmt_fidelity(f['fidelity'])} |")
    return "\n".join(out) + "\n"


def _md_source(view: SourceView) -> list[str]:
    f = view.fields
    out = ["", f"### {_md_link(f['source_url'])}", "",
           f"- status: **{f['link_status'] or 'never checked'}**" + (" (dead)" if f["dead"] else "")
           + (f", HTTP {f['http_status']}" if f["http_status"] is not None else "")
           + f"; marked: {', '.join(view.groups)}",
           f"- final URL: {_md_link(f['final_url'])}" if f["final_url"] else "- final URL: —",
           f"- archived copy: {_md_link(f['archived_copy'])}" if f["archived_copy"] else "- archived copy: —",
           f"- last checked {f['last_checked_at'] or 'never'}, last alive {f['last_alive_at'] or 'never'}"
           + (f", dead since {f['first_dead_at']}" if f["first_dead_at"] else ""),
           f"- versions: {f['versions']}" + (f", changed {f['changed_at']}" if f["changed_at"] else "")]
    for r in view.reposts:
        if r.faithful is None:
            out += ["", f"Repost {_md_code(r.path)}: not compared (no version of the original is stored)"]
            continue
        verdict = "faithful" if r.faithful else "NOT faithful"
        out += ["", f"Repost {_md_code(r.path)}: fidelity {_fmt_fidelity(r.fidelity)}, {verdict}"]
        if r.hunks:
            lines: list[str] = []
            for h in r.hunks:
                lines += _md_hunk_lines(h, ("original", "repost"))
            if r.more_hunks:
                lines.append(f"… and {r.more_hunks} more hunk(s)")
            out += ["", _md_fence(lines, "diff")]
    vd = view.version_diff
    if vd is not None:
        out += ["", f"Version {vd.old_number} ({vd.old_seen}) → version {vd.new_number} ({vd.new_seen})"
                + (", from the web archive" if vd.new_from_archive else "") + ":"]
        lines = []
        for h in vd.hunks:
            lines += _md_hunk_lines(h, (f"v{vd.old_number}", f"v{vd.new_number}"))
        if vd.more_hunks:
            lines.append(f"… and {vd.more_hunks} more hunk(s)")
        out += ["", _md_fence(lines or ["(the texts differ only in line breaks)"], "diff")]
    return out


# --- HTML ----------------------------------------------------------------------

def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


STATUS_COLORS = {
    "alive": "#2e7d32", "redirected": "#1565c0", "gone": "#c62828", "soft_404": "#ad1457",
    "server_error": "#ef6c00", "unreachable": "#6d4c41", "blocked": "#546e7a",
}

CSS = """
:root{--fg:#1d2329;--muted:#5f6b76;--line:#d9dee3;--bg:#f6f7f9;--card:#fff;--del:#fde2e1;--del-strong:#f4a9a5;
--ins:#dff3e3;--ins-strong:#97d5a5}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);line-height:1.7;font-size:15px;
font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans CJK SC","Noto Sans SC",
"Source Han Sans SC","PingFang SC","Hiragino Sans GB","Microsoft YaHei","WenQuanYi Micro Hei",
"Noto Sans CJK TC","PingFang TC","Microsoft JhengHei",sans-serif}
main{max-width:1160px;margin:0 auto;padding:24px 20px 64px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:26px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:16px;margin:0;word-break:break-all}h3 a{color:inherit}
.meta{color:var(--muted);font-size:13px}
.top{display:grid;grid-template-columns:minmax(0,5fr) minmax(0,7fr);gap:12px;margin:14px 0}
@media (max-width:820px){.top{grid-template-columns:1fr}}
.cards{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:10px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:8px 14px}
.card b{display:block;font-size:28px;line-height:1.2}.card span{color:var(--muted);font-size:13px}
.card.bad b{color:#c62828}.card.warn b{color:#ef6c00}
.chart{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px;display:flex;
align-items:center}
.chart svg{width:100%;height:auto;display:block}
table.list{width:100%;border-collapse:collapse;background:var(--card);font-size:13px}
table.list th,table.list td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
table.list td.url{word-break:break-all}
.src{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 16px;margin:10px 0}
.badge{display:inline-block;font-size:12px;line-height:1.6;padding:0 8px;border-radius:10px;color:#fff;margin-right:4px;
white-space:nowrap}
.tag{display:inline-block;font-size:12px;padding:0 8px;border-radius:10px;border:1px solid var(--line);margin-right:4px}
.tag.dead{border-color:#c62828;color:#c62828}.tag.changed{border-color:#ef6c00;color:#ef6c00}
.tag.unfaithful{border-color:#6a1b9a;color:#6a1b9a}
dl.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:0 18px;margin:6px 0 0;font-size:13px;line-height:1.6}
dl.facts div{display:flex;gap:10px;min-width:0}dl.facts div.wide{grid-column:1/-1}
dl.facts dt{color:var(--muted);white-space:nowrap;min-width:84px}dl.facts dd{margin:0;word-break:break-all}
.repost{margin-top:12px;border-top:1px dashed var(--line);padding-top:8px}
.repost .path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px;word-break:break-all}
table.diff{width:100%;border-collapse:collapse;table-layout:fixed;margin:8px 0;font-size:14px}
table.diff th{font-size:12px;color:var(--muted);text-align:left;font-weight:normal;padding:2px 8px}
table.diff td{vertical-align:top;padding:6px 8px;border:1px solid var(--line);white-space:pre-wrap;word-break:break-word}
table.diff th.op,table.diff td.op{width:96px;font-size:12px;color:var(--muted);white-space:normal}
td.old{background:#fffafa}td.new{background:#fafffb}td.empty{background:#f3f4f6}
del{background:var(--del-strong);text-decoration:line-through;text-decoration-color:#a33}
ins{background:var(--ins-strong);text-decoration:none}
td.old.whole{background:var(--del)}td.new.whole{background:var(--ins)}
.more{color:var(--muted);font-size:13px}
a{color:#1558b0}
"""


def render_html(rep: HumanReport) -> str:
    c = rep.counts
    parts = [
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src data:\">\n",
        "<meta name=\"referrer\" content=\"no-referrer\">\n",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
        f"<title>repost-mirror report {esc(rep.generated_at)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        "<h1>repost-mirror report</h1>\n",
        f"<p class=\"meta\">Generated {esc(rep.generated_at)}"
        + (f" · changes since {esc(rep.since)}" if rep.since else "")
        + f" · {len(rep.sources)} source(s) listed</p>\n",
    ]
    last = c.get("last_crawl")
    cards = [
        ("bad", c["dead"], "dead sources"), ("warn", c["changed"], "changed sources"),
        ("bad", c["unfaithful"], "unfaithful reposts"), ("", c["sources"], "sources"),
        ("", c["reposts"], "reposts"), ("", c["versions"], "versions"),
    ]
    parts.append("<section id=\"counts\">\n<h2>Counts</h2>\n<div class=\"top\">\n<div class=\"cards\">\n")
    for cls, n, label in cards:
        parts.append(f"<div class=\"card {cls}\"><b>{int(n)}</b><span>{esc(label)}</span></div>\n")
    parts.append("</div>\n")
    parts.append(f"<div class=\"chart\">{_bar_chart(c['by_status'], c.get('unchecked', 0))}</div>\n</div>\n")
    parts.append("<p class=\"meta\">In this report: "
                 + ", ".join(f"{rep.group_counts[g]} {esc(g)}" for g, _ in GROUPS)
                 + f" · problems in the archive: {int(c['problems'])}"
                 + (f" · last crawl {esc(last['started_at'])} .. {esc(last['finished_at'] or '?')} "
                    f"({esc(last['outcome'])})" if last else " · never crawled")
                 + "</p>\n</section>\n")
    shown: set[str] = set()
    for group, title in GROUPS:
        members = [v for v in rep.sources if group in v.groups]
        if not members:
            continue
        parts.append(f"<section id=\"{group}\">\n<h2>{esc(title)} ({len(members)})</h2>\n")
        for view in members:
            if view.anchor in shown or not view.detailed:
                note = "shown above" if view.anchor in shown else "details left out of this long report"
                parts.append(f"<p class=\"more\"><a href=\"#{view.anchor}\">{esc(view.fields['source_url'])}</a> "
                             f"— {esc(note)}</p>\n" if view.anchor in shown else
                             f"<p class=\"more\">{esc(view.fields['source_url'])} — {esc(note)}</p>\n")
                continue
            shown.add(view.anchor)
            parts.append(_html_source(view))
        parts.append("</section>\n")
    if rep.sources:
        parts.append(_html_table(rep.sources))
    else:
        parts.append("<p>No source is dead, changed or unfaithful in this selection.</p>\n")
    parts.append("</main>\n</body>\n</html>\n")
    return "".join(parts)


def _bar_chart(by_status: dict[str, int], unchecked: int) -> str:
    rows = [(s, int(by_status.get(s, 0))) for s in LINK_STATUSES]
    if unchecked:
        rows.append(("never checked", int(unchecked)))
    top = max([n for _, n in rows] + [1])
    label_w, bar_w, row_h, width = 104, 400, 24, 560
    height = row_h * len(rows) + 16
    out = [f"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" "
           f"aria-label=\"sources per link status\">"]
    for i, (status, n) in enumerate(rows):
        y = 8 + i * row_h
        w = 0 if n == 0 else max(2, round(bar_w * n / top))
        color = STATUS_COLORS.get(status, "#9e9e9e")
        out.append(f"<text x=\"{label_w - 8}\" y=\"{y + 16}\" text-anchor=\"end\" font-size=\"13\" "
                   f"fill=\"#1d2329\">{esc(status)}</text>")
        out.append(f"<rect x=\"{label_w}\" y=\"{y + 4}\" width=\"{w}\" height=\"{row_h - 8}\" rx=\"3\" fill=\"{color}\"/>")
        out.append(f"<text x=\"{label_w + w + 6}\" y=\"{y + 16}\" font-size=\"13\" fill=\"#1d2329\">{n}</text>")
    out.append("</svg>")
    return "".join(out)


def _badge(status: str | None) -> str:
    word = status or "never checked"
    return f"<span class=\"badge\" style=\"background:{STATUS_COLORS.get(word, '#9e9e9e')}\">{esc(word)}</span>"


def _html_link(url: Any) -> str:
    safe = _http_url(url)
    if safe is None:
        return "—" if url is None else esc(url)
    return f"<a href=\"{esc(safe)}\" rel=\"noreferrer noopener\">{esc(safe)}</a>"


def _html_table(views: list[SourceView]) -> str:
    out = ["<section id=\"sources\">\n<h2>All sources in this report</h2>\n<table class=\"list\">\n<thead><tr>"
           "<th>source</th><th>status</th><th>HTTP</th><th>versions</th><th>fidelity</th><th>marked</th>"
           "</tr></thead>\n<tbody>\n"]
    for v in views:
        f = v.fields
        name = (f"<a href=\"#{v.anchor}\">{esc(f['source_url'])}</a>" if v.groups and v.detailed
                else esc(f["source_url"]))
        out.append(f"<tr><td class=\"url\">{name}</td><td>{_badge(f['link_status'])}</td>"
                   f"<td>{esc(f['http_status'] if f['http_status'] is not None else '')}</td>"
                   f"<td>{int(f['versions'] or 0)}</td><td>{esc(_fmt_fidelity(f['fidelity']))}</td>"
                   f"<td>{''.join(_tag(g) for g in v.groups)}</td></tr>\n")
    out.append("</tbody>\n</table>\n</section>\n")
    return "".join(out)


def _tag(group: str) -> str:
    return f"<span class=\"tag {esc(group)}\">{esc(group)}</span>"


WIDE = ' class="wide"'


def _html_source(view: SourceView) -> str:
    f = view.fields
    facts = [
        ("final URL", _html_link(f["final_url"]) if f["final_url"] else None),
        ("archived copy", _html_link(f["archived_copy"]) if f["archived_copy"] else None),
        ("HTTP status", esc(f["http_status"]) if f["http_status"] is not None else None),
        ("versions", esc(f["versions"])),
        ("changed", esc(f["changed_at"]) if f["changed_at"] else None),
        ("last checked", esc(f["last_checked_at"] or "never")),
        ("last alive", esc(f["last_alive_at"] or "never")),
        ("dead since", esc(f["first_dead_at"]) if f["first_dead_at"] else None),
        ("fidelity", esc(_fmt_fidelity(f["fidelity"]))
         + ("" if f["faithful"] is None else (" · faithful" if f["faithful"] else " · not faithful"))),
    ]
    out = [f"<article class=\"src\" id=\"{view.anchor}\">\n<h3>{_badge(f['link_status'])} "
           f"{''.join(_tag(g) for g in view.groups)} {_html_link(f['source_url'])}</h3>\n<dl class=\"facts\">"]
    unjudged = [r.path for r in view.reposts if r.faithful is None]
    if unjudged:
        facts.append(("not compared", esc(", ".join(unjudged)) + " (no version of the original is stored)"))
    wide = ("final URL", "archived copy", "not compared")  # long values get a line of their own
    out += [f"<div{WIDE if k in wide else ''}><dt>{esc(k)}</dt><dd>{v}</dd></div>"
            for k, v in facts if v is not None]
    out.append("</dl>\n")
    for r in view.reposts:
        if r.faithful is None:
            continue
        verdict = f"fidelity {_fmt_fidelity(r.fidelity)} · {'faithful' if r.faithful else 'not faithful'}"
        out.append(f"<div class=\"repost\"><div>repost <span class=\"path\">{esc(r.path)}</span> · "
                   f"{esc(verdict)}</div>\n")
        if r.hunks:
            out.append(_diff_table(r.hunks, ("original", "repost")))
        if r.more_hunks:
            out.append(f"<p class=\"more\">… and {r.more_hunks} more hunk(s)</p>\n")
        out.append("</div>\n")
    vd = view.version_diff
    if vd is not None:
        out.append(f"<div class=\"repost\"><div>version {vd.old_number} (first seen {esc(vd.old_seen)}) → "
                   f"version {vd.new_number} (first seen {esc(vd.new_seen)})"
                   + (" · from the web archive" if vd.new_from_archive else "") + "</div>\n")
        if vd.hunks:
            out.append(_diff_table(vd.hunks, (f"version {vd.old_number}", f"version {vd.new_number}")))
        else:
            out.append("<p class=\"more\">The texts differ only in line breaks.</p>\n")
        if vd.more_hunks:
            out.append(f"<p class=\"more\">… and {vd.more_hunks} more hunk(s)</p>\n")
        out.append("</div>\n")
    out.append("</article>\n")
    return "".join(out)


def _marked(text: str, marks: list[tuple[int, int]], tag: str) -> str:
    """`text` escaped, its changed stretches inside `<tag>`."""
    out, at = [], 0
    for lo, hi in marks:
        out.append(esc(text[at:lo]))
        out.append(f"<{tag}>{esc(text[lo:hi])}</{tag}>")
        at = hi
    out.append(esc(text[at:]))
    return "".join(out)


def _diff_table(hunks: list[dict[str, Any]], labels: tuple[str, str]) -> str:
    """Side by side: left = the original (or older version), right = the repost (or newer),
    changed stretches marked."""
    out = [f"<table class=\"diff\"><thead><tr><th class=\"op\"></th><th>{esc(labels[0])}</th>"
           f"<th>{esc(labels[1])}</th></tr></thead><tbody>"]
    for h in hunks:
        op, left, right = h["op"], h["original"], h["repost"]
        if op == "altered" and left and right:
            lcell = f"<td class=\"old\">{_marked(left, h['original_marks'], 'del')}</td>"
            rcell = f"<td class=\"new\">{_marked(right, h['repost_marks'], 'ins')}</td>"
        else:
            lcell = f"<td class=\"old whole\">{esc(left)}</td>" if left else "<td class=\"empty\"></td>"
            rcell = f"<td class=\"new whole\">{esc(right)}</td>" if right else "<td class=\"empty\"></td>"
        word = {"missing": f"only in the {labels[0]}", "added": f"only in the {labels[1]}"}.get(op, op)
        out.append(f"<tr><td class=\"op\">{esc(word)}</td>{lcell}{rcell}</tr>")
    out.append("</tbody></table>\n")
    return "".join(out)
