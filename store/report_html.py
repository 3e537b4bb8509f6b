"""The report as one self-contained HTML page, for people (SPEC 10).

Counts and pictures (inline SVG) first, then site events, then the dead, changed and
unfaithful sources grouped by host.  The page holds text fetched from pages we do not
control: every such text goes through `esc`, URLs become links only when they are plain
http(s) addresses, the page runs no script and its Content-Security-Policy forbids
loading anything.  At the real archive's scale (125,000 sources, thousands dead) it stays
small and quick: sources past the first MAX_DETAILED_SOURCES are one line each, a site
event folds its sources, and host groups past the first few start closed.
"""

from __future__ import annotations

import html
from typing import Any

from store.report import (
    EVENT_EXAMPLES,
    GROUPS,
    HostGroup,
    HumanReport,
    Pictures,
    SiteEvent,
    SourceView,
    fmt_fidelity,
    http_url,
)
from store.words import HunkOp, LinkStatus

OPEN_HOSTS = 30  # host groups shown open in each section; the rest start folded


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


STATUS_COLORS: dict[str, str] = {
    LinkStatus.ALIVE: "#2e7d32", LinkStatus.REDIRECTED: "#1565c0", LinkStatus.GONE: "#c62828",
    LinkStatus.SOFT_404: "#ad1457", LinkStatus.SERVER_ERROR: "#ef6c00", LinkStatus.UNREACHABLE: "#6d4c41",
    LinkStatus.BLOCKED: "#546e7a",
}
BY_WORDS = {"original": "stealth edit by the site", "repost": "edited by the repost", "unknown": "editor unknown"}

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
.pics{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px;margin:14px 0}
@media (max-width:820px){.pics{grid-template-columns:1fr}}
.pics figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.pics figcaption{font-size:13px;color:var(--muted)}.pics svg{width:100%;height:auto;display:block}
.event{background:#fff7f6;border:1px solid #f2c4c0;border-radius:8px;padding:10px 16px;margin:10px 0}
details.host{margin:8px 0}details.host>summary{cursor:pointer;font-weight:600;font-size:15px}
details.host>summary .n,.event .n{color:var(--muted);font-weight:normal}
section.group{content-visibility:auto;contain-intrinsic-size:auto 2000px}
ul.compact{list-style:none;margin:4px 0;padding:0 0 0 6px;font-size:13px;line-height:1.8}
ul.compact li{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.u{color:var(--muted);font-size:12px;margin-left:6px}
.st{display:inline-block;font-size:11px;line-height:1.5;padding:0 6px;border-radius:8px;color:#fff;margin-right:6px;
background:#9e9e9e}
.st.alive{background:#2e7d32}.st.redirected{background:#1565c0}.st.gone{background:#c62828}
.st.soft_404{background:#ad1457}.st.server_error{background:#ef6c00}.st.unreachable{background:#6d4c41}
.st.blocked{background:#546e7a}
.title{font-weight:600}
tr.by-original td.op{border-left:4px solid #ef6c00}tr.by-repost td.op{border-left:4px solid #6a1b9a}
.by{display:block;font-size:11px;line-height:1.4;margin-top:4px;color:#fff;border-radius:6px;padding:1px 6px}
.by.original{background:#ef6c00}.by.repost{background:#6a1b9a}.by.unknown{background:#9e9e9e}
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
    last = c.last_crawl
    cards = [
        ("bad", c.dead, "dead sources"), ("warn", c.changed, "changed sources"),
        ("bad", c.unfaithful, "unfaithful reposts"),
        ("warn", c.changed_since_repost, "changed since the repost"), ("", c.sources, "sources"),
        ("", c.reposts, "reposts"), ("", c.versions, "versions"),
    ]
    parts.append("<section id=\"counts\">\n<h2>Counts</h2>\n<div class=\"top\">\n<div class=\"cards\">\n")
    for cls, n, label in cards:
        parts.append(f"<div class=\"card {cls}\"><b>{int(n)}</b><span>{esc(label)}</span></div>\n")
    parts.append("</div>\n")
    parts.append(f"<div class=\"chart\">{_bar_chart(c.by_status, c.unchecked)}</div>\n</div>\n")
    parts.append("<p class=\"meta\">In this report: "
                 + ", ".join(f"{rep.group_counts[g]} {esc(g)}" for g, _ in GROUPS)
                 + (f" · {len(rep.events)} site event(s)" if rep.events else "")
                 + f" · problems in the archive: {int(c.problems)}"
                 + (f" · last crawl {esc(last.started_at)} .. {esc(last.finished_at or '?')} "
                    f"({esc(last.outcome)})" if last else " · never crawled")
                 + "</p>\n</section>\n")
    if rep.pictures is not None:
        parts.append(_pictures(rep.pictures))
    if rep.events:
        parts.append(f"<section id=\"events\">\n<h2>Site events ({len(rep.events)})</h2>\n"
                     "<p class=\"meta\">Hosts whose sources died together: one entry each, "
                     "their dead sources folded under it.</p>\n")
        parts += [_html_event(e) for e in rep.events]
        parts.append("</section>\n")
    shown: set[str] = set()
    for group, title, hosts, total in rep.sections():
        parts.append(f"<section id=\"{group}\" class=\"group\">\n<h2>{esc(title)} ({total})</h2>\n")
        for i, h in enumerate(hosts):
            parts.append(_html_host(h, shown, opened=i < OPEN_HOSTS))
        parts.append("</section>\n")
    if not rep.sources:
        parts.append("<p>No source is dead, changed or unfaithful in this selection.</p>\n")
    if rep.everything and rep.sources:
        parts.append(_html_table(rep.sources))
    parts.append("</main>\n</body>\n</html>\n")
    return "".join(parts)


def _html_host(group: HostGroup, shown: set[str], opened: bool) -> str:
    out = [f"<details class=\"host\"{' open' if opened else ''}><summary>{esc(group.host or 'no host')} "
           f"<span class=\"n\">({len(group.sources)})</span></summary>\n"]
    compact: list[str] = []
    for view in group.sources:
        if view.detailed and view.anchor not in shown:
            if compact:
                out.append("<ul class=\"compact\">" + "".join(compact) + "</ul>\n")
                compact = []
            shown.add(view.anchor)
            out.append(_html_source(view))
        else:
            compact.append(_line(view, see_above=view.anchor in shown))
    if compact:
        out.append("<ul class=\"compact\">" + "".join(compact) + "</ul>\n")
    out.append("</details>\n")
    return "".join(out)


def _line(view: SourceView, see_above: bool = False) -> str:
    """One source on one line: status, title (or address) linked, address."""
    f = view.fields
    url = f["source_url"]
    safe = http_url(url)
    label = esc(f.get("title") or url)
    if see_above:
        name = f"<a href=\"#{view.anchor}\">{label}</a>"
    elif safe is not None:
        name = f"<a href=\"{esc(safe)}\" rel=\"noreferrer noopener\">{label}</a>"
    else:
        name = label
    extra = f"<span class=\"u\">{esc(url)}</span>" if f.get("title") else ""
    return f"<li>{_st(f['link_status'])}{name}{extra}</li>"


def _st(status: str | None) -> str:
    word = status or "never checked"
    cls = word if word in STATUS_COLORS else "none"
    return f"<b class=\"st {cls}\">{esc(word)}</b>"


def _html_event(event: SiteEvent) -> str:
    out = [f"<article class=\"event\"><h3>{esc(event.host)} <span class=\"n\">· {int(event.dead)} of "
           f"{int(event.of)} sources dead" + (f" since {esc(event.since)}" if event.since else "") + "</span></h3>\n"
           "<ul class=\"compact\">" + "".join(_line(v) for v in event.sources[:EVENT_EXAMPLES]) + "</ul>\n"]
    rest = event.sources[EVENT_EXAMPLES:]
    if rest:
        out.append(f"<details><summary class=\"more\">{len(rest)} more dead source(s) of {esc(event.host)}</summary>"
                   "<ul class=\"compact\">" + "".join(_line(v) for v in rest) + "</ul></details>\n")
    out.append("</article>\n")
    return "".join(out)


# --- pictures -------------------------------------------------------------------------------

def _svg_open(width: int, height: int, label: str) -> str:
    return (f"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" role=\"img\" "
            f"aria-label=\"{esc(label)}\">")


def _bar_chart(by_status: dict[str, int], unchecked: int) -> str:
    rows: list[tuple[str, int]] = [(s, int(by_status.get(s, 0))) for s in LinkStatus]
    if unchecked:
        rows.append(("never checked", int(unchecked)))
    top = max([n for _, n in rows] + [1])
    label_w, bar_w, row_h, width = 104, 400, 24, 560
    height = row_h * len(rows) + 16
    out = [_svg_open(width, height, "sources per link status")]
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


_W, _H, _LEFT, _BOTTOM, _TOP = 560, 240, 44, 36, 14
_INNER_W, _INNER_H = _W - 8 - _LEFT, _H - _BOTTOM - _TOP


def _month_labels(months: list[str], x: Any) -> list[str]:
    """An x label at the first and last month and every January between, not crowded."""
    out, last_x = [], -100.0
    for i, m in enumerate(months):
        if i in (0, len(months) - 1) or m.endswith("-01"):
            px = x(i)
            if px - last_x < 50 and i != 0:
                continue
            last_x = px
            anchor = "start" if px < _LEFT + 30 else "end" if px > _W - 40 else "middle"
            out.append(f"<text x=\"{px:.1f}\" y=\"{_H - _BOTTOM + 16}\" text-anchor=\"{anchor}\" font-size=\"11\" "
                       f"fill=\"#5f6b76\">{esc(m)}</text>")
    return out


def _axes(top_label: str, middle_label: str, zero: str = "0") -> list[str]:
    base, middle = _H - _BOTTOM, (_H - _BOTTOM + _TOP) / 2
    out = [f"<line x1=\"{_LEFT}\" y1=\"{base}\" x2=\"{_W - 8}\" y2=\"{base}\" stroke=\"#d9dee3\"/>"]
    for y, label in ((_TOP, top_label), (middle, middle_label)):
        out.append(f"<line x1=\"{_LEFT}\" y1=\"{y}\" x2=\"{_W - 8}\" y2=\"{y}\" stroke=\"#eef0f2\"/>")
        out.append(f"<text x=\"{_LEFT - 6}\" y=\"{y + 4}\" text-anchor=\"end\" font-size=\"11\" fill=\"#5f6b76\">"
                   f"{esc(label)}</text>")
    out.append(f"<text x=\"{_LEFT - 6}\" y=\"{base + 4}\" text-anchor=\"end\" font-size=\"11\" "
               f"fill=\"#5f6b76\">{esc(zero)}</text>")
    return out


def _empty(label: str, message: str) -> str:
    return (_svg_open(_W, _H, label) + f"<text x=\"{_W // 2}\" y=\"{_H // 2}\" text-anchor=\"middle\" font-size=\"13\" "
            f"fill=\"#5f6b76\">{esc(message)}</text></svg>")


def rot_chart(rot: list[tuple[str, int, int]]) -> str:
    """The share of sources dead by the month of their reposts: a link-rot curve."""
    label = "share of sources dead by the month of their reposts"
    if not rot:
        return _empty(label, "no dated, checked source yet")
    months = [m for m, _, _ in rot]
    span = max(1, len(months) - 1)

    def x(i: int) -> float:
        return _LEFT + (_INNER_W * i / span if len(months) > 1 else _INNER_W / 2)

    def y(share: float) -> float:
        return _H - _BOTTOM - _INNER_H * share

    out = [_svg_open(_W, _H, label), *_axes("100%", "50%", "0%")]
    line_at = len(out)  # the curve goes under its points
    points = []
    for i, (m, dead, n) in enumerate(rot):
        share = dead / n if n else 0.0
        points.append(f"{x(i):.1f},{y(share):.1f}")
        out.append(f"<circle cx=\"{x(i):.1f}\" cy=\"{y(share):.1f}\" r=\"2.5\" fill=\"#c62828\"><title>"
                   f"{esc(m)}: {int(dead)} of {int(n)} sources dead ({share:.0%})</title></circle>")
    out.insert(line_at, f"<polyline points=\"{' '.join(points)}\" fill=\"none\" stroke=\"#c62828\" stroke-width=\"2\"/>")
    out += _month_labels(months, x)
    out.append("</svg>")
    return "".join(out)


def activity_chart(activity: list[tuple[str, int, int]]) -> str:
    """New versions and stealth edits per month, side by side."""
    label = "new versions and stealth edits per month"
    if not activity:
        return _empty(label, "no new version seen yet")
    months = [m for m, _, _ in activity]
    top = max(max(v, s) for _, v, s in activity) or 1
    slot = _INNER_W / len(months)
    bar = min(16.0, max(1.0, slot * 0.4))

    def x(i: int) -> float:
        return _LEFT + slot * (i + 0.5)

    out = [_svg_open(_W, _H, label), *_axes(str(top), f"{top / 2:g}")]
    for i, (m, versions, stealth) in enumerate(activity):
        for k, (n, color, word) in enumerate(((versions, "#ef6c00", "new versions"),
                                              (stealth, "#6a1b9a", "stealth edits"))):
            h = _INNER_H * n / top
            out.append(f"<rect x=\"{x(i) - bar + k * bar:.1f}\" y=\"{_H - _BOTTOM - h:.1f}\" width=\"{bar:.1f}\" "
                       f"height=\"{h:.1f}\" fill=\"{color}\"><title>{esc(m)}: {int(n)} {word}</title></rect>")
    out += _month_labels(months, x)
    out.append(f"<rect x=\"{_LEFT + 4}\" y=\"{_TOP + 4}\" width=\"10\" height=\"10\" fill=\"#ef6c00\"/>"
               f"<text x=\"{_LEFT + 18}\" y=\"{_TOP + 13}\" font-size=\"11\">new versions</text>"
               f"<rect x=\"{_LEFT + 104}\" y=\"{_TOP + 4}\" width=\"10\" height=\"10\" fill=\"#6a1b9a\"/>"
               f"<text x=\"{_LEFT + 118}\" y=\"{_TOP + 13}\" font-size=\"11\">stealth edits</text>")
    out.append("</svg>")
    return "".join(out)


def _pictures(p: Pictures) -> str:
    return ("<section id=\"pictures\">\n<h2>Pictures</h2>\n<div class=\"pics\">\n"
            f"<figure id=\"rot\">{rot_chart(p.rot)}<figcaption>Link rot: the share of sources dead, by the month "
            "they were reposted.</figcaption></figure>\n"
            f"<figure id=\"activity\">{activity_chart(p.activity)}<figcaption>New versions of originals, and stealth "
            "edits (a site changed an article after it was faithfully reposted), by month.</figcaption></figure>\n"
            "</div>\n</section>\n")


# --- sources --------------------------------------------------------------------------------

def _badge(status: str | None) -> str:
    word = status or "never checked"
    return f"<span class=\"badge\" style=\"background:{STATUS_COLORS.get(word, '#9e9e9e')}\">{esc(word)}</span>"


def _html_link(url: Any) -> str:
    safe = http_url(url)
    if safe is None:
        return "—" if url is None else esc(url)
    return f"<a href=\"{esc(safe)}\" rel=\"noreferrer noopener\">{esc(safe)}</a>"


def _html_table(views: list[SourceView]) -> str:
    """--all: every source of the report, one compact row each."""
    out = ["<section id=\"sources\" class=\"group\">\n<h2>All sources in this report</h2>\n<table class=\"list\">\n"
           "<thead><tr><th>source</th><th>status</th><th>HTTP</th><th>versions</th><th>fidelity</th><th>marked</th>"
           "</tr></thead>\n<tbody>\n"]
    for v in views:
        f = v.fields
        name = (f"<a href=\"#{v.anchor}\">{esc(f['source_url'])}</a>" if v.detailed else esc(f["source_url"]))
        out.append(f"<tr><td class=\"url\">{name}</td><td>{_st(f['link_status'])}</td>"
                   f"<td>{esc(f['http_status'] if f['http_status'] is not None else '')}</td>"
                   f"<td>{int(f['versions'] or 0)}</td><td>{esc(fmt_fidelity(f['fidelity']))}</td>"
                   f"<td>{' '.join(esc(g) for g in v.groups)}</td></tr>\n")
    out.append("</tbody>\n</table>\n</section>\n")
    return "".join(out)


def _tag(group: str) -> str:
    return f"<span class=\"tag {esc(group)}\">{esc(group)}</span>"


WIDE = ' class="wide"'


def _yes_no(value: Any, yes: str, no: str) -> str | None:
    return None if value is None else esc(yes if value else no)


def _html_source(view: SourceView) -> str:
    f = view.fields
    facts = [
        ("source", _html_link(f["source_url"])),
        ("final URL", _html_link(f["final_url"]) if f["final_url"] else None),
        ("archived copy", _html_link(f["archived_copy"]) if f["archived_copy"] else None),
        ("detail", esc(f.get("detail")) if f.get("detail") else None),
        ("HTTP status", esc(f["http_status"]) if f["http_status"] is not None else None),
        ("versions", esc(f["versions"])),
        ("changed", esc(f["changed_at"]) if f["changed_at"] else None),
        ("last checked", esc(f["last_checked_at"] or "never")),
        ("last alive", esc(f["last_alive_at"] or "never")),
        ("dead since", esc(f["first_dead_at"]) if f["first_dead_at"] else None),
        ("fidelity", esc(fmt_fidelity(f["fidelity"]))
         + ("" if f["faithful"] is None else (" · faithful" if f["faithful"] else " · not faithful"))),
        ("when reposted", _yes_no(f.get("faithful_when_reposted"), "faithful: the site changed the text since",
                                  "a repost changed the text")),
        ("excerpt only", _yes_no(f.get("excerpt_only"), "the page serves an excerpt", "no")),
        ("witnessed", _yes_no(f.get("witnessed"), "a Wayback capture holds our bytes", "no")),
    ]
    heading = (f"<span class=\"title\">{esc(f['title'])}</span>" if f.get("title")
               else esc(f["source_url"]))
    out = [f"<article class=\"src\" id=\"{view.anchor}\">\n<h3>{_badge(f['link_status'])} "
           f"{''.join(_tag(g) for g in view.groups)} {heading}</h3>\n<dl class=\"facts\">"]
    unjudged = [r.path for r in view.reposts if r.faithful is None]
    if unjudged:
        facts.append(("not compared", esc(", ".join(unjudged)) + " (no version of the original is stored)"))
    wide = ("source", "final URL", "archived copy", "detail", "not compared", "when reposted")
    out += [f"<div{WIDE if k in wide else ''}><dt>{esc(k)}</dt><dd>{v}</dd></div>"
            for k, v in facts if v is not None]
    out.append("</dl>\n")
    for r in view.reposts:
        if r.faithful is None:
            continue
        verdict = f"fidelity {fmt_fidelity(r.fidelity)} · {'faithful' if r.faithful else 'not faithful'}"
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
    changed stretches marked, and who changed each hunk when that is known."""
    out = [f"<table class=\"diff\"><thead><tr><th class=\"op\"></th><th>{esc(labels[0])}</th>"
           f"<th>{esc(labels[1])}</th></tr></thead><tbody>"]
    for h in hunks:
        op, left, right = h["op"], h["original"], h["repost"]
        if op == HunkOp.ALTERED and left and right:
            lcell = f"<td class=\"old\">{_marked(left, h['original_marks'], 'del')}</td>"
            rcell = f"<td class=\"new\">{_marked(right, h['repost_marks'], 'ins')}</td>"
        else:
            lcell = f"<td class=\"old whole\">{esc(left)}</td>" if left else "<td class=\"empty\"></td>"
            rcell = f"<td class=\"new whole\">{esc(right)}</td>" if right else "<td class=\"empty\"></td>"
        word = {HunkOp.MISSING: f"only in the {labels[0]}", HunkOp.ADDED: f"only in the {labels[1]}"}.get(op, op)
        by = h.get("by")
        row = f" class=\"by-{esc(by)}\"" if by in BY_WORDS else ""
        who = f"<span class=\"by {esc(by)}\">{esc(BY_WORDS[by])}</span>" if by in BY_WORDS else ""
        out.append(f"<tr{row}><td class=\"op\">{esc(word)}{who}</td>{lcell}{rcell}</tr>")
    out.append("</tbody></table>\n")
    return "".join(out)
