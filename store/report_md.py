"""The report in Markdown, for people (SPEC 10): counts, site events, then the dead,
changed and unfaithful sources grouped by host, each with its title, addresses and diffs.

Text from fetched pages and reposts may hold Markdown or HTML: titles and details are
escaped, diffs sit in fenced blocks whose fence is longer than any run of backticks inside.
"""

from __future__ import annotations

import re
from typing import Any

from store.report import EVENT_EXAMPLES, GROUPS, HumanReport, SourceView, fmt_fidelity, http_url
from store.words import HunkOp, LinkStatus

BY_WORDS = {"original": "changed by the site since the repost (stealth edit)", "repost": "changed by the repost",
            "unknown": "who changed it is not known"}


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
    safe = http_url(url)
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
    if op == HunkOp.ALTERED:
        original = _md_marked(original, h["original_marks"], "[-", "-]")
        other = _md_marked(other, h["repost_marks"], "{+", "+}")
    out = [f"@@ {BY_WORDS.get(h['by'], h['by'])} @@"] if h.get("by") else []
    if op in (HunkOp.MISSING, HunkOp.ALTERED) and original:
        out += [f"- {labels[0]}: {line}" for line in original.split("\n")]
    if op in (HunkOp.ADDED, HunkOp.ALTERED) and other:
        out += [f"+ {labels[1]}: {line}" for line in other.split("\n")]
    return out


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&-])")


def md_text(value: Any) -> str:
    """Plain text for a Markdown line: one line, every character Markdown or HTML reads escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def render_md(rep: HumanReport) -> str:
    c = rep.counts
    out = ["# repost-mirror report", ""]
    out.append(f"Generated {rep.generated_at}" + (f", changes since {rep.since}" if rep.since else "") + ".")
    out += ["", "## Counts", "", "| link status | sources |", "| --- | ---: |"]
    out += [f"| {status} | {c.by_status.get(status, 0)} |" for status in LinkStatus]
    if c.unchecked:
        out.append(f"| never checked | {c.unchecked} |")
    out += ["", f"- dead: **{c.dead}**", f"- changed (more than one version): **{c.changed}**",
            f"- unfaithful reposts: **{c.unfaithful}**",
            f"- changed since the repost (the site edited an article after a faithful repost): "
            f"**{c.changed_since_repost}**",
            f"- sources: {c.sources}, reposts: {c.reposts}, problems: {c.problems}, versions: {c.versions}"]
    last = c.last_crawl
    if last:
        out.append(f"- last crawl: {last.started_at} .. {last.finished_at or '?'} ({last.outcome})")
    out += ["", f"This report lists {len(rep.sources)} source(s): "
            + ", ".join(f"{rep.group_counts[g]} {g}" for g, _ in GROUPS) + "."]
    if rep.events:
        out += ["", f"## Site events ({len(rep.events)})", "",
                "Hosts whose sources died together: one entry each, their dead sources folded under it."]
        for e in rep.events:
            out += ["", f"### {md_text(e.host)}: {e.dead} of {e.of} sources dead"
                    + (f" since {e.since}" if e.since else ""), ""]
            out += [_md_line(v) for v in e.sources[:EVENT_EXAMPLES]]
            if len(e.sources) > EVENT_EXAMPLES:
                out += ["", "<details><summary>" + f"{len(e.sources) - EVENT_EXAMPLES} more" + "</summary>", ""]
                out += [_md_line(v) for v in e.sources[EVENT_EXAMPLES:]]
                out += ["", "</details>"]
    shown: set[str] = set()
    for _group, title, hosts, total in rep.sections():
        out += ["", f"## {title} ({total})"]
        for h in hosts:
            out += ["", f"### {md_text(h.host or 'no host')} ({len(h.sources)})"]
            for view in h.sources:
                if view.anchor in shown or not view.detailed:
                    out += ["", _md_line(view) + (" (see above)" if view.anchor in shown else "")]
                    continue
                shown.add(view.anchor)
                out += _md_source(view)
    if rep.everything:
        others = [v for v in rep.sources if not v.groups]
        if others:
            out += ["", f"## Other sources ({len(others)})", "", "| source | title | status | HTTP | versions | fidelity |",
                    "| --- | --- | --- | ---: | ---: | ---: |"]
            for v in others:
                f = v.fields
                out.append(f"| {_md_link(f['source_url'])} | {md_text(f['title'] or '')} | "
                           f"{f['link_status'] or 'never checked'} | {f['http_status'] or ''} | {f['versions']} | "
                           f"{fmt_fidelity(f['fidelity'])} |")
    return "\n".join(out) + "\n"


def _md_line(view: SourceView) -> str:
    f = view.fields
    title = f"{md_text(f['title'])} " if f.get("title") else ""
    return f"- {title}{_md_link(f['source_url'])} ({f['link_status'] or 'never checked'})"


def _md_source(view: SourceView) -> list[str]:
    f = view.fields
    out = ["", f"#### {md_text(f['title']) if f.get('title') else _md_link(f['source_url'])}", "",
           f"- source: {_md_link(f['source_url'])}",
           f"- status: **{f['link_status'] or 'never checked'}**" + (" (dead)" if f["dead"] else "")
           + (f", HTTP {f['http_status']}" if f["http_status"] is not None else "")
           + f"; marked: {', '.join(view.groups)}",
           f"- final URL: {_md_link(f['final_url'])}" if f["final_url"] else "- final URL: —",
           f"- archived copy: {_md_link(f['archived_copy'])}" if f["archived_copy"] else "- archived copy: —",
           f"- last checked {f['last_checked_at'] or 'never'}, last alive {f['last_alive_at'] or 'never'}"
           + (f", dead since {f['first_dead_at']}" if f["first_dead_at"] else ""),
           f"- versions: {f['versions']}" + (f", changed {f['changed_at']}" if f["changed_at"] else "")]
    if f.get("detail"):
        out.append(f"- detail: {md_text(f['detail'])}")
    if f.get("faithful_when_reposted") is not None:
        out.append("- faithful when reposted: " + ("yes (the site changed the text since)"
                                                   if f["faithful_when_reposted"] else "no (a repost changed it)"))
    if f.get("excerpt_only"):
        out.append("- the page serves an excerpt only")
    if f.get("witnessed"):
        out.append("- witnessed: a Wayback Machine capture holds the bytes we hold")
    for r in view.reposts:
        if r.faithful is None:
            out += ["", f"Repost {_md_code(r.path)}: not compared (no version of the original is stored)"]
            continue
        verdict = "faithful" if r.faithful else "NOT faithful"
        out += ["", f"Repost {_md_code(r.path)}: fidelity {fmt_fidelity(r.fidelity)}, {verdict}"]
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
