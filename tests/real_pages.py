"""Reposts made from the ground truth of real article pages (`<set>/html/<id>.html`,
`<set>/gt/<id>.txt`, `<set>/meta.jsonl`), for the verdicts-on-real-pages test and
`bench/fidelity_real.py`: for every page, three reposts in the archive's gnews-flat layout,
whose body is the ground truth, one paragraph per line:

* ``exact``: the ground truth as it is;
* ``replaced``: one line near the middle replaced by an unrelated sentence (Chinese for the
  Chinese pages, English otherwise; numbered, so that it is no boilerplate of the archive);
* ``truncated``: without its last line of prose (the last line of >= 60 letters, a Han
  character counting two, that holds a sentence mark, and that the ground truth says once).

Pages whose ground truth is mostly not in the page (``gt_in_page < 0.9``) or holds fewer
than 3 lines are left out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

KINDS = ("exact", "replaced", "truncated")
# Numbered, so that no replacement line is in 20 reposts: that would make it the archive's
# boilerplate, which a comparison leaves out.
REPLACEMENT = {
    "zh": "据悉第{n}号计划因为资金短缺已经被无限期地搁置下来，有关方面表示暂时不会重新启动。",
    "en": "Officials said on Tuesday that plan number {n} had been shelved indefinitely for lack of funding.",
}
_HAN = re.compile(r"[\u3400-\u9fff]")
_SENTENCE = re.compile(r"[。！？!?.;；]")
_LETTERS = re.compile(r"[\W_]+")
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|])")
_LEADING = re.compile(r"^(\s*)([#>+\-]|\d+(?=[.)]))")


@dataclass(frozen=True)
class Case:
    set: str
    page_id: str
    kind: str
    title: str
    html: bytes
    body: tuple[str, ...]  # the repost's lines
    lang: str


def _size(line: str) -> int:
    letters = _LETTERS.sub("", line)
    return len(letters) + len(_HAN.findall(letters))


def _escape(line: str) -> str:
    """A line of text as a Markdown line that reads as that text."""
    line = _MARKDOWN.sub(r"\\\1", line)
    # (a list's marker is escaped before its sign; an ordered one's number is no punctuation a
    # backslash escapes, so its delimiter is: "6\." reads as "6.", "\6." as "\6.")
    return _LEADING.sub(lambda m: m.group(1) + (m.group(2) + "\\" if m.group(2).isdigit() else "\\" + m.group(2)),
                        line)


def cases(base: Path, limit: int | None = None, first: int = 0) -> list[Case]:
    """The cases of one set (the folder `base`), three per page; `first` numbers the replacements."""
    out: list[Case] = []
    with open(base / "meta.jsonl", encoding="utf-8") as f:
        metas = [json.loads(line) for line in f if line.strip()]
    for meta in metas[:limit]:
        gt = [" ".join(x.split()) for x in (base / "gt" / f"{meta['id']}.txt").read_text(encoding="utf-8").splitlines()]
        gt = [x for x in gt if x]
        if meta.get("gt_in_page", 1.0) < 0.9 or len(gt) < 3:
            continue
        lang = "zh" if meta.get("script", "").startswith("zh") else "en"
        html = (base / "html" / f"{meta['id']}.html").read_bytes()
        title = meta.get("title") or "Article"
        # A line the ground truth says twice is no line a repost that drops one copy lacks.
        prose = [i for i, x in enumerate(gt) if is_prose_line(x) and gt.count(x) == 1]
        last = prose[-1] if prose else len(gt) - 1
        middle = len(gt) // 2
        bodies = {
            "exact": gt,
            "replaced": gt[:middle] + [REPLACEMENT[lang].format(n=first + len(out))] + gt[middle + 1:],
            "truncated": gt[:last] + gt[last + 1:],
        }
        for kind in KINDS:
            out.append(Case(base.name, meta["id"], kind, title, html, tuple(bodies[kind]), lang))
    return out


def is_prose_line(line: str) -> bool:
    """A line of prose, as the truncated repost's last line is chosen: >= 60 letters (a Han
    character counting two) and a sentence mark."""
    return _size(line) >= 60 and _SENTENCE.search(line) is not None


def repost_body(lines: tuple[str, ...]) -> str:
    """A repost's Markdown body that reads as `lines`, one paragraph each."""
    return "\n\n".join(_escape(x) for x in lines)


def write_repost(path: Path, url: str, title: str, lines: tuple[str, ...]) -> None:
    path.write_text(f"## {_escape(title)}\n`1/12/2012 1:23 AM UTC 秘密翻譯組` [轉載自GNews]({url})\n\n"
                    f"{repost_body(lines)}\n", encoding="utf-8")
