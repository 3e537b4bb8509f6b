"""How faithfully a repost copies its original, and whether an original has changed.

Both sides arrive as normalised lines (`crawler.normalize.normalize_lines`).  The texts
are cut into sentences (and long runs without punctuation into pieces cut by content,
so that where the lines break does not matter), these units are aligned (an LCS over
whole units, so that an unchanged sentence costs one hash comparison however long it
is), and only the stretches where the units differ are diffed character by character,
which is what Chinese needs (there are no words to diff).  Differences separated by a few equal
characters are one change: an LCS of two unrelated Chinese sentences still matches a
scattered `的` or `,`, which must not cut a replaced sentence into harmless crumbs.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence, Set
from dataclasses import dataclass

from rapidfuzz.distance import Indel

__all__ = ["Hunk", "Fidelity", "compare", "differs"]

# A sentence ends at 。!?; or . (normalisation has folded the full-width forms), together
# with any closing quotes or brackets, or at a line end.
_SENTENCE_END = re.compile(r"[。!?;.]+[\"')\]》】]*\n?|\n")

# A character diff of two stretches costs about len(a) * len(b) / 64 machine words.  A
# stretch beyond this (two unrelated articles) is counted as wholly changed instead.
_BLOCK_CELLS = 25_000_000
_TOTAL_CELLS = 50_000_000
# Altered hunks are widened to their whole sentences when these stay this short,
# otherwise to this many characters of context on each side.
_SENTENCE_CONTEXT_MAX = 200
_CONTEXT_CHARS = 15


@dataclass(frozen=True)
class Hunk:
    op: str  # "missing" (in the original, not in the repost) | "added" (in the repost only) | "altered"
    repost: str
    original: str


@dataclass(frozen=True)
class Fidelity:
    similarity: float  # in [0, 1], 1 = identical after normalisation
    faithful: bool  # no inserted/deleted/replaced run of >= min_change_chars characters
    hunks: tuple[Hunk, ...]  # only the runs of >= min_change_chars characters


@dataclass
class _Group:
    """One change: spans in the repost (a) and the original (b), with character counts."""

    a0: int
    a1: int
    b0: int
    b1: int
    removed: int  # repost characters not in the original
    inserted: int  # original characters not in the repost


def _content(text: str, start: int, end: int) -> int:
    # Spaces and line breaks are layout: they count neither as text nor as a difference.
    return end - start - text.count("\n", start, end) - text.count(" ", start, end)


def _sentence_starts(text: str) -> list[int]:
    """Start offsets of the sentences of `text`; sentence i is text[starts[i]:starts[i+1]]."""
    starts = [0]
    for m in _SENTENCE_END.finditer(text):
        if m.end() < len(text):
            starts.append(m.end())
    return starts


# Alignment units do not depend on layout: the two sides may break lines in different
# places (a repost keeps the original's <br> lines, an original joins them into one
# paragraph; subtitles, poems, hard-wrapped text), and a unit cut at a line break on one
# side only would match nothing, leaving a whole long text as one stretch too large to
# diff.  So units end at sentence punctuation only, and a long run without any is cut
# where its content says (content-defined chunking): after one of a fixed eighth of the
# Han characters, once the unit holds _UNIT_MIN characters.  The same text is then cut
# the same way whatever its line breaks and spaces, and an edit disturbs only the units
# around it.
_UNIT_END = re.compile(r"[。!?;.]+[\"')\]》】]*")
_UNIT_MIN = 12
_CUT_HAN = re.compile("[" + "".join(chr(c) for c in range(0x4E00, 0xA000) if c % 8 == 0) + "]")


def _unit_starts(text: str) -> list[int]:
    """Start offsets of the alignment units of `text` (see above)."""
    ends = [m.end() for m in _UNIT_END.finditer(text)]
    cuts = []
    last = j = 0  # where the current unit started; ends[j:] lie beyond it
    pos = _UNIT_MIN - 1
    search = _CUT_HAN.search
    while (m := search(text, pos)) is not None:
        e = m.end()
        k = bisect.bisect_right(ends, e, j)
        if k > j:
            last, j = ends[k - 1], k
        if _content(text, last, e) >= _UNIT_MIN:
            cuts.append(e)
            last = e
        # A cut needs _UNIT_MIN characters after the unit's start: the cut characters in
        # between cannot qualify and are not even looked at (a unit's start only moves on).
        pos = max(e, last + _UNIT_MIN - 1)
    if cuts:
        ends = sorted(set(ends).union(cuts))
    starts = [0]
    n = len(text)
    for e in ends:
        # A unit starts at its first character, not at the spaces or line break before it.
        while e < n and text[e] in " \n":
            e += 1
        if starts[-1] < e < n:
            starts.append(e)
    return starts


def _keys(text: str, starts: list[int]) -> list[str]:
    bounds = starts[1:] + [len(text)]
    # Spaces and line breaks are layout: a unit is its other characters.
    return ["".join(text[s:e].split()) for s, e in zip(starts, bounds)]


class _Differ:
    def __init__(self, a: str, b: str, min_change: int) -> None:
        self.a, self.b, self.min_change = a, b, min_change
        self.gap = max(2, min_change // 2)
        self.matched = 0
        self.budget = _TOTAL_CELLS
        self.groups: list[_Group] = []

    def block(self, a0: int, a1: int, b0: int, b1: int) -> None:
        """Diff one stretch of differing sentences."""
        a, b = self.a, self.b
        cells = (a1 - a0) * (b1 - b0)
        if cells == 0 or cells > _BLOCK_CELLS or cells > self.budget:
            self.groups.append(_Group(a0, a1, b0, b1, _content(a, a0, a1), _content(b, b0, b1)))
            return
        self.budget -= cells
        current: _Group | None = None
        for op in Indel.opcodes(a[a0:a1], b[b0:b1]):
            sa, ea, sb, eb = op.src_start + a0, op.src_end + a0, op.dest_start + b0, op.dest_end + b0
            if op.tag == "equal":
                self.matched += _content(a, sa, ea)
                # A short equal run between two differences is coincidence, not context.
                if current is not None and _content(a, sa, ea) >= self.gap:
                    self.groups.append(current)
                    current = None
                continue
            removed, inserted = _content(a, sa, ea), _content(b, sb, eb)
            if current is None:
                current = _Group(sa, ea, sb, eb, removed, inserted)
            else:
                current.a1, current.b1 = ea, eb
                current.removed += removed
                current.inserted += inserted
        if current is not None:
            self.groups.append(current)


def _widen(text: str, starts: list[int], start: int, end: int) -> tuple[int, int]:
    """`start:end` widened to whole sentences if short, else to some context, for reading."""
    first = bisect.bisect_right(starts, start) - 1
    last = bisect.bisect_left(starts, end)  # index of the first sentence starting at or after end
    s0 = starts[first]
    s1 = starts[last] if last < len(starts) else len(text)
    if s1 - s0 <= _SENTENCE_CONTEXT_MAX:
        return s0, s1
    lo = max(s0, start - _CONTEXT_CHARS)
    hi = min(s1, end + _CONTEXT_CHARS)
    newline = text.rfind("\n", lo, start)
    lo = newline + 1 if newline >= 0 else lo
    newline = text.find("\n", end, hi)
    return lo, (newline if newline >= 0 else hi)


def _hunks(groups: list[_Group], a: str, b: str, a_starts: list[int], b_starts: list[int]) -> tuple[Hunk, ...]:
    spans: list[list[int]] = []  # [op code, a0, a1, b0, b1], merged when they overlap
    for g in groups:
        if g.inserted == 0:
            code, box = 1, (g.a0, g.a1, g.b0, g.b1)  # added
        elif g.removed == 0:
            code, box = 0, (g.a0, g.a1, g.b0, g.b1)  # missing
        else:
            code = 2  # altered: show the sentence around it
            box = _widen(a, a_starts, g.a0, g.a1) + _widen(b, b_starts, g.b0, g.b1)
        if spans and (box[0] < spans[-1][2] or box[2] < spans[-1][4]):
            last = spans[-1]
            last[0] = 2 if last[0] != code else code
            last[1], last[3] = min(last[1], box[0]), min(last[3], box[2])
            last[2], last[4] = max(last[2], box[1]), max(last[4], box[3])
        else:
            spans.append([code, *box])
    ops = ("missing", "added", "altered")
    return tuple(Hunk(ops[c], a[a0:a1].strip(), b[b0:b1].strip()) for c, a0, a1, b0, b1 in spans)


def compare(
    repost_lines: Sequence[str],
    original_lines: Sequence[str],
    *,
    min_change_chars: int = 8,
    boilerplate: Set[str] = frozenset(),
) -> Fidelity:
    """Compare a repost with its original; both are normalised lines.

    Lines in `boilerplate` are left out of both sides.  `similarity` is 2·M / (|R| + |O|),
    where |R| and |O| are the lengths of the two texts (spaces and line breaks not
    counted) and M is the number of characters the alignment matches: every character of
    an identical unit (a sentence, or a piece of a long run without punctuation; where
    the lines break does not matter), plus a longest common subsequence inside each
    stretch of differing units.  It equals rapidfuzz's normalised Indel similarity whenever that alignment
    is an LCS of the whole texts; a differing stretch too large to diff by character
    (more than 25 million character pairs, e.g. two unrelated long articles) counts as
    wholly unmatched, which keeps the cost linear.

    A change is a run of differing characters (spaces and line breaks not counted; runs
    separated by fewer than min_change_chars // 2 equal characters are one run; its size
    is the larger of what the repost lacks and what it adds) of at least
    `min_change_chars`.  `faithful` means there is none; `hunks` lists them in order:
    "missing" (text only in the original), "added" (only in the repost) or "altered"
    (both, widened to the whole sentence when it is short, for reading).
    """
    if boilerplate:
        repost_lines = [line for line in repost_lines if line not in boilerplate]
        original_lines = [line for line in original_lines if line not in boilerplate]
    a, b = "\n".join(repost_lines), "\n".join(original_lines)
    if a == b:
        return Fidelity(1.0, True, ())
    a_units, b_units = _unit_starts(a), _unit_starts(b)
    differ = _Differ(a, b, min_change_chars)
    pending: list[int] | None = None  # unit range [a0, a1, b0, b1] of the current stretch
    for op in Indel.opcodes(_keys(a, a_units), _keys(b, b_units)):
        if op.tag != "equal":
            # Indel lists a replaced sentence as a delete next to an insert: one stretch.
            if pending is None:
                pending = [op.src_start, op.src_end, op.dest_start, op.dest_end]
            else:
                pending[1], pending[3] = op.src_end, op.dest_end
            continue
        if pending is not None:
            differ.block(*_chars(pending, a, a_units, b, b_units))
            pending = None
        differ.matched += _content(a, a_units[op.src_start], _end(a, a_units, op.src_end))
    if pending is not None:
        differ.block(*_chars(pending, a, a_units, b, b_units))
    total = _content(a, 0, len(a)) + _content(b, 0, len(b))
    similarity = 1.0 if total == 0 else min(1.0, 2 * differ.matched / total)
    changes = [g for g in _merge_adjacent(differ.groups) if max(g.removed, g.inserted) >= min_change_chars]
    hunks = _hunks(changes, a, b, _sentence_starts(a), _sentence_starts(b))
    return Fidelity(similarity, not hunks, hunks)


def _end(text: str, starts: list[int], index: int) -> int:
    """Offset where sentence `index` starts, or the end of the text."""
    return starts[index] if index < len(starts) else len(text)


def _chars(sentences: list[int], a: str, a_starts: list[int], b: str, b_starts: list[int]) -> tuple[int, int, int, int]:
    s0, s1, d0, d1 = sentences
    return _end(a, a_starts, s0), _end(a, a_starts, s1), _end(b, b_starts, d0), _end(b, b_starts, d1)


def _merge_adjacent(groups: list[_Group]) -> list[_Group]:
    # Indel opcodes list a delete next to an insert as two blocks; they are one replacement.
    merged: list[_Group] = []
    for g in groups:
        if merged and merged[-1].a1 >= g.a0 and merged[-1].b1 >= g.b0:
            last = merged[-1]
            last.a1, last.b1 = max(last.a1, g.a1), max(last.b1, g.b1)
            last.removed += g.removed
            last.inserted += g.inserted
        else:
            merged.append(g)
    return merged


def differs(old_lines: Sequence[str], new_lines: Sequence[str], *, min_change_chars: int) -> bool:
    """Whether a newly extracted body is a new version: a change of >= min_change_chars."""
    if "\n".join(old_lines) == "\n".join(new_lines):
        return False
    return not compare(new_lines, old_lines, min_change_chars=min_change_chars).faithful
