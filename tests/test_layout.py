"""The border of store/: it keeps things and never reaches for the crawler or the network.

store/ is what a report, datasette or another tool reads; importing crawler/, httpx or
selectolax from it would pull the whole fetching and parsing stack into each of them (and
the cycles that come with it)."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

FORBIDDEN = ("crawler", "httpx", "selectolax")


def imported_modules(source: str) -> set[str]:
    """Every module an `import X` or `from X import y` names (relative imports skipped: they stay inside)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def forbidden(names: set[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in FORBIDDEN)


def test_the_check_sees_every_form_of_import() -> None:
    source = (
        "import os\nimport httpx\nimport selectolax.lexbor as lx\nfrom crawler.fetch import Fetcher\n"
        "from . import records\nfrom store.db import Store\n"
        "def late():\n    import crawler.cli\n"
        "if False:\n    from selectolax import parser\n"
    )
    assert forbidden(imported_modules(source)) == [
        "crawler.cli", "crawler.fetch", "httpx", "selectolax", "selectolax.lexbor"]
    assert forbidden(imported_modules("import crawlers_elsewhere\nfrom storehouse import x\n")) == []


def test_store_imports_neither_the_crawler_nor_the_network_stack() -> None:
    files = sorted((ROOT / "store").rglob("*.py"))
    assert len(files) >= 10  # the check reads the real package, not an empty folder
    found = {str(path.relative_to(ROOT)): bad for path in files
             if (bad := forbidden(imported_modules(path.read_text(encoding="utf-8"))))}
    assert found == {}
