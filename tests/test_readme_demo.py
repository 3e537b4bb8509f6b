"""The README's examples that run against the demo's output work as written: every
`$ repost-mirror ... demo-output/...` line of its console blocks is run after `demo`, and
prints what the README shows (numbers, times and ports aside) with the exit code it shows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.conftest import ROOT, run_cli

_NUMBERS = re.compile(r"\d+")
_WARC_FILE = re.compile(r"\[[^\]\s]+\.warc\.gz @ ")  # named after the machine that wrote it


def _shape(line: str) -> str:
    return _NUMBERS.sub("N", _WARC_FILE.sub("[FILE @ ", line))


def _examples() -> list[tuple[list[str], list[str], int | None]]:
    """(arguments, the output lines shown, the exit code shown by `echo $?`) of each example."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    out: list[tuple[list[str], list[str], int | None]] = []
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if not (line.startswith("$ repost-mirror ") and "demo-output/" in line):
                continue
            end = i + 1
            while end < len(lines) and not lines[end].startswith("$ "):
                end += 1
            code = int(lines[end + 1]) if lines[end:end + 1] == ["$ echo $?"] else None
            out.append((shlex.split(line[2:])[1:], lines[i + 1:end], code))
    return out


def test_readme_examples_run_as_written_on_the_demo_output(tmp_path: Path) -> None:
    examples = _examples()
    commands = {args[0] for args, _, _ in examples}
    assert {"check", "history", "status"} <= commands, commands
    demo = run_cli("demo", cwd=tmp_path, timeout=180)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    for args, shown, code in examples:
        proc = run_cli(*args, cwd=tmp_path)
        assert proc.returncode in ((code,) if code is not None else (0, 1)), (args, proc.stdout, proc.stderr)
        if shown:
            got = [_shape(line) for line in proc.stdout.splitlines()]
            assert got == [_shape(line) for line in shown], (args, proc.stdout)
