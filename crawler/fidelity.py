"""How faithfully a repost copies its original, and whether an original has changed.

Both sides arrive as normalised lines (`crawler.normalize.normalize_lines`).  The texts
are cut into sentences (and long runs without punctuation into pieces cut by content,
so that where the lines break does not matter), these units are aligned (an LCS over
whole units, so that an unchanged sentence costs one hash comparison however long it
is), and only the stretches where the units differ are diffed character by character,
which is what Chinese needs (there are no words to diff).  Differences separated by a few equal
characters are one change: an LCS of two unrelated Chinese sentences still matches a
scattered `的` or `,`, which must not cut a replaced sentence into harmless crumbs.

Hunks show the texts as published (SPEC 7): each side may come with the lines it was
normalised from, and a hunk's span in the normalised text is mapped back to them
(per line, by a Levenshtein alignment of the normalised line with its published form:
normalisation changes characters in place, drops spaces and invisible characters, and
folds runs of dashes or dots).  Inside an altered hunk, the changed stretches are marked
by diff-match-patch with its semantic clean-up, which folds equalities too short to mean
anything into the change around them: a replaced sentence is marked whole on both sides.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Sequence, Set
from dataclasses import dataclass

from rapidfuzz.distance import Indel, Levenshtein

from crawler.normalize import FULL_STOPS, fold_char
from store.marks import char_marks
from store.records import Hunk, Span
from store.words import HunkOp

__all__ = ["Hunk", "Fidelity", "compare", "differs"]

# A sentence ends at 。!?; or . or another script's full stop (normalisation has folded the
# full-width forms), together with any closing quotes or brackets, or at a line end.
_SENTENCE_END = re.compile(f"[。!?;.{FULL_STOPS}]+" + r"[\"')\]》】]*\n?|\n")

# A character diff of two stretches costs about len(a) * len(b) / 64 machine words.  A
# stretch beyond this (two unrelated articles) is counted as wholly changed instead.
_BLOCK_CELLS = 25_000_000
_TOTAL_CELLS = 50_000_000
# Altered hunks are widened to their whole sentences when these stay this short,
# otherwise to this many characters of context on each side.
_SENTENCE_CONTEXT_MAX = 200
_CONTEXT_CHARS = 15


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
_UNIT_END = re.compile(f"[。!?;.{FULL_STOPS}]+" + r"[\"')\]》】]*")
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
        for tag, sa, ea, sb, eb in _slid([(op.tag, op.src_start + a0, op.src_end + a0, op.dest_start + b0,
                                           op.dest_end + b0) for op in Indel.opcodes(a[a0:a1], b[b0:b1])], a, b):
            if tag == "equal":
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


_CharOp = tuple[str, int, int, int, int]  # (tag, a0, a1, b0, b1)


def _slid(ops: list[_CharOp], a: str, b: str) -> list[_CharOp]:
    """The alignment with each run that only one side has slid, where its equal neighbours
    allow, to where it starts and ends at a line's or a word's edge. An alignment may put a
    missing line anywhere its text repeats: after "corridas." a missing "\nATENÇÃO: ... moderador."
    came out as ".\nATENÇÃO: ... moderador", a line without its full stop, which no longer read
    as the line of prose it is."""
    out = list(ops)
    for i in range(1, len(out) - 1):
        tag, sa, ea, sb, eb = out[i]
        if tag not in ("insert", "delete") or out[i - 1][0] != "equal" or out[i + 1][0] != "equal":
            continue
        text, s, e = (b, sb, eb) if tag == "insert" else (a, sa, ea)
        back = out[i - 1][2] - out[i - 1][1]
        ahead = out[i + 1][2] - out[i + 1][1]
        left = 0
        while left < back and text[s - 1 - left] == text[e - 1 - left]:
            left += 1
        right = 0
        while right < ahead and text[s + right] == text[e + right]:
            right += 1
        if not left and not right:
            continue
        shift = max(range(-left, right + 1), key=lambda d: (_edges(text, s + d, e + d), -abs(d)))
        if not shift:
            continue
        pt, pa0, pa1, pb0, pb1 = out[i - 1]
        nt, na0, na1, nb0, nb1 = out[i + 1]
        out[i - 1] = (pt, pa0, pa1 + shift, pb0, pb1 + shift)
        out[i] = (tag, sa + shift, ea + shift, sb + shift, eb + shift)
        out[i + 1] = (nt, na0 + shift, na1, nb0 + shift, nb1)
    return [op for op in out if op[0] != "equal" or op[2] > op[1]]


def _slid_gap(span: tuple[int, int, int, int], a: str, b: str, floor: tuple[int, int],
              ceiling: tuple[int, int]) -> tuple[int, int, int, int]:
    """A stretch of units that only one side has, slid as `_slid` slides a run inside a
    stretch, within the equal text around it (`floor` and `ceiling`: where it starts and ends,
    in a and in b). A long run without punctuation is cut into units anywhere, so a missing
    line could come out as the end of the line before it and the line cut short of its last
    words ("出意见。\n2、登陆…”提"), which no longer read as the line of prose it is."""
    a0, a1, b0, b1 = span
    if (a0 == a1) == (b0 == b1):
        return span
    if a0 == a1:
        text, s, e, lo, hi, other, o, other_lo, other_hi = b, b0, b1, floor[1], ceiling[1], a, a0, floor[0], ceiling[0]
    else:
        text, s, e, lo, hi, other, o, other_lo, other_hi = a, a0, a1, floor[0], ceiling[0], b, b0, floor[1], ceiling[1]
    left = 0
    while s - left > lo and o - left > other_lo and text[s - 1 - left] == text[e - 1 - left] == other[o - 1 - left]:
        left += 1
    right = 0
    while e + right < hi and o + right < other_hi and text[s + right] == text[e + right] == other[o + right]:
        right += 1
    shift = max(range(-left, right + 1), key=lambda d: (_edges(text, s + d, e + d), -abs(d)))
    return a0 + shift, a1 + shift, b0 + shift, b1 + shift


def _edges(text: str, start: int, end: int) -> int:
    """How well `text[start:end]` keeps to edges: a line's (worth most), then a word's."""
    score = 0
    if start == 0 or text[start - 1] == "\n" or text[start] == "\n":
        score += 2
    elif text[start - 1].isspace() or text[start].isspace():
        score += 1
    if end == len(text) or text[end] == "\n" or text[end - 1] == "\n":
        score += 2
    elif text[end].isspace() or text[end - 1].isspace():
        score += 1
    return score


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


def _hunks(groups: list[_Group], a_shown: _Published, b_shown: _Published) -> tuple[Hunk, ...]:
    a, b = a_shown.normalized, b_shown.normalized
    a_starts, b_starts = _sentence_starts(a), _sentence_starts(b)
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
    return tuple(_hunk(c, a0, a1, b0, b1, a_shown, b_shown) for c, a0, a1, b0, b1 in spans)


_OPS = (HunkOp.MISSING, HunkOp.ADDED, HunkOp.ALTERED)


def _hunk(code: int, a0: int, a1: int, b0: int, b1: int, a: _Published, b: _Published) -> Hunk:
    repost, r_at = a.shown(a0, a1)
    original, o_at = b.shown(b0, b1)
    if code != 2:
        return Hunk(_OPS[code], repost, original)
    r_marks, o_marks = char_marks(a.normalized[a0:a1], b.normalized[b0:b1])
    return Hunk(HunkOp.ALTERED, repost, original,
                a.marks(r_marks, a0, r_at, len(repost)), b.marks(o_marks, b0, o_at, len(original)))


class _Published:
    """One side's normalised lines with the lines they were normalised from, as a reader saw
    them; offsets into the normalised text map to offsets into the published one."""

    def __init__(self, lines: Sequence[str], published: Sequence[str] | None) -> None:
        self.lines = lines
        self.normalized = "\n".join(lines)
        # An empty side has nothing to map: its published lines, if any, were all left out.
        self.published = lines if published is None or not lines else published
        self.text = "\n".join(self.published)
        self.starts = _line_starts(lines)
        self.published_starts = _line_starts(self.published)
        self._maps: dict[int, tuple[array[int], array[int]]] = {}

    def offset(self, pos: int, end: bool = False) -> int:
        """Where normalised offset `pos` lies in the published text: the published start of
        the character there, or with `end` the published end of the character before it
        (so that a span leaves out the spaces and invisible characters around it)."""
        if self.published is self.lines:
            return pos
        i = bisect.bisect_right(self.starts, pos) - 1
        within = pos - self.starts[i]
        starts, ends = self._map(i)
        base = self.published_starts[i]
        if end:
            return base + (ends[within - 1] if within > 0 else 0)
        return base + (starts[within] if within < len(starts) else len(self.published[i]))

    def _map(self, i: int) -> tuple[array[int], array[int]]:
        """For each character of normalised line i: where it starts and ends in the published line.

        The two lines are aligned by one-character keys (`fold_char`), so a character and
        its published form (another script, width or quote) are equal, and the spaces and
        invisible characters normalisation dropped are left out of the alignment. (Arrays, not
        lists: a line may be a page's millions of characters, and a list took 36 bytes each.)"""
        found = self._maps.get(i)
        if found is not None:
            return found
        norm, pub = self.lines[i], self.published[i]
        # Each distinct character folded once, the lines keyed in C: a line may be a page's
        # megabytes of one paragraph.
        fold = {c: fold_char(c) for c in {*norm, *pub}}
        table = {ord(c): key for c, key in fold.items() if key != c}
        keys_n, keys_p = norm.translate(table), pub.translate(table)
        n_at = range(len(norm)) if len(keys_n) == len(norm) else [k for k, c in enumerate(norm) if fold[c]]
        p_at = range(len(pub)) if len(keys_p) == len(pub) else [k for k, c in enumerate(pub) if fold[c]]
        if keys_n == keys_p and isinstance(n_at, range):
            # (as a rule: the published line differs by its spaces alone, one character for one)
            return self._maps.setdefault(i, (array("i", p_at), array("i", map((1).__add__, p_at))))
        starts = array("i", [-1]) * len(norm)  # -1: not aligned (a space of the normalised line)
        ends = array("i", [-1]) * len(norm)
        if keys_n == keys_p:
            for at, to in zip(n_at, p_at):
                starts[at], ends[at] = to, to + 1
        else:
            for op in _opcodes(keys_n, keys_p):
                n, m = op.src_end - op.src_start, op.dest_end - op.dest_start
                for k in range(n):  # a published character normalisation dropped ("insert") maps to nothing
                    lo = op.dest_start + k * m // n
                    hi = op.dest_start + (k + 1) * m // n
                    at = n_at[op.src_start + k]
                    starts[at] = p_at[lo] if lo < len(p_at) else len(pub)
                    ends[at] = p_at[hi - 1] + 1 if hi > lo else starts[at]
        # A normalised space starts where the next character starts, ends where the last one ended.
        nxt = len(pub)
        for k in range(len(norm) - 1, -1, -1):
            nxt = starts[k] = nxt if starts[k] < 0 else starts[k]
        last = 0
        for k in range(len(norm)):
            last = ends[k] = last if ends[k] < 0 else ends[k]
        found = self._maps[i] = (starts, ends)
        return found

    def shown(self, start: int, end: int) -> tuple[str, int]:
        """The published text of normalised `start:end`, ends stripped, and where it starts."""
        p0, p1 = self.offset(start), max(self.offset(start), self.offset(end, end=True))
        raw = self.text[p0:p1]
        text = raw.strip()
        return text, p0 + len(raw) - len(raw.lstrip())

    def marks(self, spans: list[Span], base: int, at: int, length: int) -> tuple[Span, ...]:
        """`spans` (offsets from normalised `base`) as offsets into the shown text starting at `at`."""
        out: list[Span] = []
        for s, e in spans:
            lo = min(max(self.offset(base + s) - at, 0), length)
            hi = min(max(self.offset(base + e, end=True) - at, 0), length)
            if hi <= lo:
                continue
            if out and lo <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], hi))
            else:
                out.append((lo, hi))
        return tuple(out)


def _line_starts(lines: Sequence[str]) -> list[int]:
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    return starts or [0]


def compare(
    repost_lines: Sequence[str],
    original_lines: Sequence[str],
    *,
    min_change_chars: int = 8,
    boilerplate: Set[str] = frozenset(),
    repost_published: Sequence[str] | None = None,
    original_published: Sequence[str] | None = None,
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

    `repost_published` and `original_published`, when given, are the lines each side was
    normalised from (one for each normalised line, `crawler.normalize.normalize_pairs`):
    the hunks then show those texts, as published, and mark what changed in them.
    """
    if boilerplate:
        repost_lines, repost_published = _without(boilerplate, repost_lines, repost_published)
        original_lines, original_published = _without(boilerplate, original_lines, original_published)
    a, b = "\n".join(repost_lines), "\n".join(original_lines)
    if a == b:
        return Fidelity(1.0, True, ())
    a_units, b_units = _unit_starts(a), _unit_starts(b)
    differ = _Differ(a, b, min_change_chars)
    pending: list[int] | None = None  # unit range [a0, a1, b0, b1] of the current stretch
    floor = (0, 0)  # where the equal units before the pending stretch start, in a and in b
    for op in Indel.opcodes(_keys(a, a_units), _keys(b, b_units)):
        if op.tag != "equal":
            # Indel lists a replaced sentence as a delete next to an insert: one stretch.
            if pending is None:
                pending = [op.src_start, op.src_end, op.dest_start, op.dest_end]
            else:
                pending[1], pending[3] = op.src_end, op.dest_end
            continue
        if pending is not None:
            ceiling = (_end(a, a_units, op.src_end), _end(b, b_units, op.dest_end))
            differ.block(*_slid_gap(_chars(pending, a, a_units, b, b_units), a, b, floor, ceiling))
            pending = None
        floor = (a_units[op.src_start], b_units[op.dest_start])
        differ.matched += _content(a, a_units[op.src_start], _end(a, a_units, op.src_end))
    if pending is not None:
        differ.block(*_slid_gap(_chars(pending, a, a_units, b, b_units), a, b, floor, (len(a), len(b))))
    total = _content(a, 0, len(a)) + _content(b, 0, len(b))
    similarity = 1.0 if total == 0 else min(1.0, 2 * differ.matched / total)
    changes = [g for g in _merge_adjacent(differ.groups) if max(g.removed, g.inserted) >= min_change_chars]
    if not changes:
        return Fidelity(similarity, True, ())
    hunks = _hunks(changes, _Published(repost_lines, repost_published),
                   _Published(original_lines, original_published))
    return Fidelity(similarity, False, hunks)


def _without(drop: Set[str], lines: Sequence[str], published: Sequence[str] | None
             ) -> tuple[Sequence[str], Sequence[str] | None]:
    keep = [i for i, line in enumerate(lines) if line not in drop]
    if len(keep) == len(lines):
        return lines, published
    return [lines[i] for i in keep], None if published is None else [published[i] for i in keep]


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


# Characters squared: above this, a line is aligned with its published form proportionally
# (a paragraph of 30,000 characters by 30,000, some 0.1 s).
_ALIGN_MAX = 30_000 * 30_000


@dataclass(frozen=True)
class _Op:
    src_start: int
    src_end: int
    dest_start: int
    dest_end: int


def _opcodes(a: str, b: str) -> list[_Op]:
    """Levenshtein's alignment of `a` with `b`, the common head and tail aligned first. The
    alignment costs the product of the lengths (hours for a paragraph of a million characters):
    keys of equal length are aligned one to one (a fold that changed a character into another),
    and a long stretch between the head and the tail proportionally (its hunks' edges may then
    be shown a few characters off)."""
    if len(a) == len(b):
        return [_Op(0, len(a), 0, len(b))]
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    ops = [_Op(0, head, 0, head)] if head else []
    mid_a, mid_b = a[head:len(a) - tail], b[head:len(b) - tail]
    if len(mid_a) * len(mid_b) > _ALIGN_MAX:
        ops.append(_Op(head, head + len(mid_a), head, head + len(mid_b)))
    else:
        ops += [_Op(head + op.src_start, head + op.src_end, head + op.dest_start, head + op.dest_end)
                for op in Levenshtein.opcodes(mid_a, mid_b)]
    if tail:
        ops.append(_Op(len(a) - tail, len(a), len(b) - tail, len(b)))
    return ops
