"""Shared fixtures: where the tests' real data lives (tests/data, in the repository) and a way to
run the CLI as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Everything the tests read is in the repository: a clone has nothing beside it.
DATA = ROOT / "tests" / "data"
REPOSTS = DATA / "reposts"


def run_cli(*args: str, cwd: Path | None = None, input: bytes | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m crawler ARGS` in a subprocess, the way a user or cron would."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1", COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args], cwd=cwd, input=input.decode() if input else None,
        capture_output=True, text=True, timeout=timeout, env=env,
    )
