"""Charset labels on real Chinese pages: right, and swapped between GBK and Big5.

Data: ``<shared>/data/extraction/daniel_zh_dev/html`` (192 Chinese news pages, simplified and
traditional), where ``<shared>`` is ``REPOST_MIRROR_SHARED``, else ``../shared`` beside the
repository. The pages are stored as UTF-8; each is written out as GBK and as Big5 (characters
the encoding lacks are left out; a page that loses more than 60% of its bytes so is skipped),
its own ``<meta charset>`` taken out, and decoded by ``crawler.extract.decode_html`` under a
``Content-Type`` header that says the right encoding, and the other one (a server's wrong
default or a mislabelled mirror). Counted: the readings that name the encoding the bytes are in
(GB18030 for GBK, Big5-HKSCS for Big5), and the time per decoding (median of all).

    python bench/charsets.py

Target: every reading right.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crawler.extract import decode_html  # noqa: E402

_CHARSET = re.compile(r"charset\s*=\s*['\"]?[\w-]+", re.I)
# (the bytes' encoding, the label the header gives, the codec a right reading names)
CASES = (("gbk", "gbk", "gb18030"), ("big5", "big5", "big5hkscs"),
         ("big5", "gbk", "big5hkscs"), ("gbk", "big5", "gb18030"))


def main() -> int:
    env = os.environ.get("REPOST_MIRROR_SHARED")
    folder = (Path(env) if env else ROOT.parent / "shared") / "data" / "extraction" / "daniel_zh_dev" / "html"
    if not folder.is_dir():
        print(f"no pages at {folder} (set REPOST_MIRROR_SHARED to the folder holding data/extraction)",
              file=sys.stderr)
        return 2
    right: dict[tuple[str, str], int] = {(enc, label): 0 for enc, label, _ in CASES}
    asked = dict.fromkeys(right, 0)
    wrong: list[str] = []
    took: list[float] = []
    for path in sorted(folder.glob("*.html")):
        text = _CHARSET.sub("charset=x", path.read_bytes().decode("utf-8", errors="replace"))
        for enc, label, codec in CASES:
            data = text.encode(enc, errors="ignore")
            if len(data) < 0.4 * len(text.encode("utf-8")):
                continue
            started = time.perf_counter()
            _, got = decode_html(data, f"text/html; charset={label}")
            took.append(time.perf_counter() - started)
            asked[enc, label] += 1
            if got == codec:
                right[enc, label] += 1
            else:
                wrong.append(f"{path.name[:40]}: {enc} bytes under a {label} label read as {got}")
    print(f"data: {folder}; {len(took)} decodings, median {statistics.median(took) * 1000:.2f} ms")
    for (enc, label), n in asked.items():
        print(f"  {enc} bytes, {label} label: {right[enc, label]}/{n} read as {enc}")
    for line in wrong:
        print("  wrong: " + line)
    print(f"target (every reading right): {'met' if not wrong else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
