"""Strict config: unknown keys, wrong types and bad values exit 2 naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import Config, ConfigError, load_config, parse_config, parse_duration
from tests.conftest import ROOT, run_cli


def test_shipped_config_matches_the_defaults() -> None:
    shipped = load_config(ROOT / "config.toml")
    default = Config()
    assert shipped.crawl == default.crawl
    assert shipped.compare == default.compare
    assert shipped.wayback == default.wayback
    assert shipped.sites == default.sites
    assert shipped.archive.root == ROOT / "examples/archive"
    assert shipped.archive.include == default.archive.include
    assert shipped.archive.placeholder_sources == default.archive.placeholder_sources


def test_shipped_config_documents_every_key() -> None:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    for section, table in {"archive": Config().archive, "store": Config().store, "crawl": Config().crawl,
                           "compare": Config().compare, "wayback": Config().wayback}.items():
        assert f"[{section}]" in text
        for key in table.__dataclass_fields__:
            line = next((ln for ln in text.splitlines() if ln.startswith(f"{key} =")), None)
            assert line is not None, f"{section}.{key} missing from config.toml"
            assert "#" in line, f"{section}.{key} has no comment"


@pytest.mark.parametrize("doc, key", [
    ({"crawl": {"delays": 1}}, "crawl.delays"),
    ({"crawling": {}}, "crawling"),
    ({"crawl": {"delay": -1}}, "crawl.delay"),
    ({"crawl": {"delay": "fast"}}, "crawl.delay"),
    ({"crawl": {"concurrency": 0}}, "crawl.concurrency"),
    ({"crawl": {"concurrency": 2.5}}, "crawl.concurrency"),
    ({"crawl": {"respect_robots": "yes"}}, "crawl.respect_robots"),
    ({"crawl": {"retries": True}}, "crawl.retries"),
    ({"crawl": {"revisit_alive": "7x"}}, "crawl.revisit_alive"),
    ({"archive": {"trailer_patterns": ["(unclosed"]}}, "archive.trailer_patterns[0]"),
    ({"archive": {"include": "**/*.md"}}, "archive.include"),
    ({"archive": {"placeholder_sources": ["ftp://x/"]}}, "archive.placeholder_sources[0]"),
    ({"compare": {"min_change_chars": 0}}, "compare.min_change_chars"),
    ({"wayback": {"availability_url": "archive.org"}}, "wayback.availability_url"),
    ({"sites": {"x.org": {"article_id": "^/(\\d+)$"}}}, 'sites."x.org".aliases'),
    ({"sites": {"x.org": {"article_id": "^/\\d+$", "aliases": ["https://x.org/{id}"]}}}, 'sites."x.org".article_id'),
    ({"sites": {"x.org": {"aliases": ["https://x.org/"], "article_id": "^/(\\d+)$"}}}, 'sites."x.org".aliases[0]'),
    ({"sites": {"x.org": {"selectors": []}}}, 'sites."x.org".selectors'),
    ({"sites": {"x.org": {"body": ["article", "div["]}}}, 'sites."x.org".body[1]'),
    ({"sites": {"x.org": {"drop": [".share, <<<"]}}}, 'sites."x.org".drop[0]'),
])
def test_bad_values_name_their_key(doc: dict, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(doc)
    assert err.value.key == key
    assert key in str(err.value)


@pytest.mark.parametrize("doc, said", [
    ({"crawl": {"retries": 1000000}}, "must be at most 20, got 1000000"),  # not "got 1e+06"
    ({"crawl": {"revisit_dead": "99999999999d"}}, "must be at most 36500d, got '99999999999d'"),  # not seconds
])
def test_a_bound_is_said_as_the_config_file_writes_it(doc: dict, said: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(doc)
    assert said in str(err.value)


def test_durations() -> None:
    assert parse_duration("7d") == 7 * 86400
    assert parse_duration("24h") == 86400
    assert parse_duration("90") == 90
    assert parse_duration("1.5m") == 90
    with pytest.raises(ValueError):
        parse_duration("7x")


def test_relative_paths_follow_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text('[store]\ndatabase = "data/m.db"\n', encoding="utf-8")
    cfg = load_config(tmp_path / "c.toml")
    assert cfg.store.database == tmp_path / "data/m.db"
    assert cfg.archive.root == tmp_path / "examples/archive"


def test_cli_exits_2_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[crawl]\ndelay = -2\n", encoding="utf-8")
    proc = run_cli("status", "--config", str(bad), "--db", str(tmp_path / "m.db"))
    assert proc.returncode == 2
    assert "crawl.delay" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_exits_2_on_broken_toml(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[crawl\ndelay = 1\n", encoding="utf-8")
    proc = run_cli("scan", "--config", str(bad))
    assert proc.returncode == 2
    assert "not valid TOML" in proc.stderr


def test_cli_exits_2_on_unknown_flag(tmp_path: Path) -> None:
    proc = run_cli("status", "--no-such-flag")
    assert proc.returncode == 2
    assert "--no-such-flag" in proc.stderr


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    # The built-in defaults: the archive in ./examples/archive, the database ./mirror.db.
    (tmp_path / "examples" / "archive").mkdir(parents=True)
    proc = run_cli("scan", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "mirror.db").exists()
    proc = run_cli("status", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
