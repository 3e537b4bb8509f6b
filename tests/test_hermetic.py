"""A clone of the repository is the whole product: its tests need nothing beside it.

The clone goes into an empty temporary folder (no `../shared`, no REPOST_MIRROR_SHARED), the
way a user gets it; the whole suite must collect there, and the tests that read real data
must find that data in the clone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def _clone(into: Path) -> Path:
    into.mkdir()
    repo = into / "repost-mirror"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(repo)], check=True, capture_output=True, timeout=120)
    return repo


def _pytest(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "REPOST_MIRROR_SHARED" and not k.startswith("PYTEST")}
    env["PYTHONPATH"] = str(repo)  # the clone's own code, not the checkout this test runs from
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=repo, env=env, capture_output=True, text=True, timeout=300, check=False,
    )


def test_a_clone_with_nothing_beside_it_collects_the_whole_suite(tmp_path: Path) -> None:
    repo = _clone(tmp_path / "empty")
    assert sorted(p.name for p in repo.parent.iterdir()) == ["repost-mirror"]
    assert not (repo.parent.parent / "shared").exists()

    there = _pytest(repo, "--collect-only", "-q")
    assert there.returncode == 0, there.stdout[-3000:] + there.stderr[-3000:]
    count = [line for line in there.stdout.splitlines() if line.endswith(" tests collected")
             or " tests collected in " in line]
    assert count and "error" not in count[0], there.stdout[-500:]
    assert int(count[0].split()[0]) > 700, count[0]

    # The tests that read real data read it from the clone.
    ran = _pytest(repo, "-q", "-x", "tests/test_archive.py::test_manifest_lists_every_sample_file",
                  "tests/test_extract.py::test_every_real_page_extracts_without_error")
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert "2 passed" in ran.stdout
