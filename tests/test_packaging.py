"""The demo ships with the package: a wheel, installed away from the checkout, runs `demo`
from any folder (as `pip install .` and pipx install it: not editable)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import ROOT

# What a build reads: the project's files, none of the checkout's caches or build leftovers.
SOURCES = ("pyproject.toml", "README.md", "crawler", "store", "examples")


def _run(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def test_a_wheel_installed_elsewhere_runs_the_demo_from_any_folder(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)

    # Offline: the build backend is the one the test environment has (setuptools, a test extra).
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                 "-w", tmp_path / "dist", src, cwd=tmp_path)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("repost_mirror-*.whl")
    examples = sorted(p.relative_to(ROOT / "examples").as_posix() for p in (ROOT / "examples" / "archive").rglob("*.md"))
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
    packed = sorted(n.removeprefix("crawler/example/") for n in names if n.startswith("crawler/example/archive/"))
    assert packed == examples and len(examples) >= 30
    # PEP 561 markers: a type checker reads the hints of the installed packages.
    assert {"crawler/py.typed", "store/py.typed"} <= set(names)

    site = tmp_path / "site"
    installed = _run(sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", site, wheel,
                     cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]

    # Another folder, nothing of the checkout on the path: the installed copy only (its
    # dependencies come from this environment's site-packages).
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "REPOST_MIRROR_SHARED")}
    env.update(PYTHONPATH=str(site), NO_COLOR="1")
    where = _run(sys.executable, "-c", "import crawler, store; print(crawler.__file__); print(store.__file__)",
                 cwd=elsewhere, env=env)
    assert all(Path(line).is_relative_to(site) for line in where.stdout.split()), where.stdout + where.stderr

    demo = _run(sys.executable, site / "bin" / "repost-mirror", "demo", cwd=elsewhere, env=env)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert "example archive is missing" not in demo.stdout + demo.stderr
    work = elsewhere / "demo-output"
    copied = sorted(p.relative_to(work).as_posix() for p in (work / "archive").rglob("*.md"))
    assert copied == examples
    doc = json.loads((work / "report.json").read_text(encoding="utf-8"))
    assert {"alive", "gone", "redirected", "soft_404"} <= {s["link_status"] for s in doc["sources"]}
    assert f"report:       {work / 'report.html'}" in demo.stdout
