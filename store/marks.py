"""Which stretches of two texts differ, for a reader: marked whole, not as crumbs."""

from __future__ import annotations

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]
from rapidfuzz.distance import Indel

__all__ = ["char_marks"]

# Past this many character pairs (about len(a) * len(b) / 64 machine words of work) two
# texts are not diffed: each is marked whole.
_MAX_CELLS = 25_000_000
_DMP = diff_match_patch()
# Texts whose character diff matches less than this share of their characters are unrelated.
_UNRELATED = 0.3
_MAX_DIFFS = 2000


def char_marks(a: str, b: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(start, end) stretches of `a` and of `b` that differ.

    The character diff is rapidfuzz's (an LCS in C; diff-match-patch's own diff is pure
    Python and takes its whole time-out on two unrelated paragraphs); diff-match-patch's
    semantic clean-up then folds equalities too short to mean anything into the change
    around them, so that a replaced sentence is one stretch on each side, not crumbs
    around the odd `的` or `，` the two sentences happen to share.
    """
    if not a or not b or len(a) * len(b) > _MAX_CELLS:
        return ([(0, len(a))] if a else []), ([(0, len(b))] if b else [])
    codes = {"equal": _DMP.DIFF_EQUAL, "delete": _DMP.DIFF_DELETE, "insert": _DMP.DIFF_INSERT}
    diffs = []
    equal = 0
    for op in Indel.opcodes(a, b):
        if op.tag == "delete":
            diffs.append((codes["delete"], a[op.src_start:op.src_end]))
        else:
            diffs.append((codes[op.tag], b[op.dest_start:op.dest_end]))
            if op.tag == "equal":
                equal += op.dest_end - op.dest_start
    # Two texts that share little more than scattered characters are a replacement, whole:
    # the clean-up would say so too, at a cost that grows with the square of the crumbs.
    if 2 * equal < _UNRELATED * (len(a) + len(b)) or len(diffs) > _MAX_DIFFS:
        return [(0, len(a))], [(0, len(b))]
    _DMP.diff_cleanupSemantic(diffs)
    in_a: list[tuple[int, int]] = []
    in_b: list[tuple[int, int]] = []
    i = j = 0
    for op, text in diffs:
        n = len(text)
        if op == _DMP.DIFF_DELETE:
            in_a.append((i, i + n))
            i += n
        elif op == _DMP.DIFF_INSERT:
            in_b.append((j, j + n))
            j += n
        else:
            i += n
            j += n
    return in_a, in_b
