"""Configuration flows one way: defaults, config file, environment, overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.config import PROJECT_ROOT, load_settings
from indexer.errors import ConfigError


def test_defaults_work_from_a_fresh_clone_whatever_the_current_directory(monkeypatch) -> None:
    monkeypatch.chdir("/")
    settings = load_settings(environ={})
    assert settings.index_dir == PROJECT_ROOT / "var" / "index"
    assert settings.language == "english"
    assert [s.location for s in settings.sources] == [
        str(PROJECT_ROOT / "samples" / "articles.jsonl")
    ]


def test_config_file_paths_are_relative_to_the_file(tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "conf" / "site.toml"
    config.parent.mkdir()
    config.write_text(
        '[index]\ndir = "../data/index"\nlanguage = "german"\n\n'
        '[[sources]]\nname = "wire"\nlocation = "exports/wire.jsonl"\n'
        '[[sources]]\nlocation = "https://example.org/feed.xml"\n',
        "utf-8",
    )
    monkeypatch.chdir("/")
    settings = load_settings(environ={"NEWSINDEX_CONFIG": str(config)})
    assert settings.index_dir == tmp_path / "data" / "index"
    assert settings.language == "german"
    assert [(s.name, s.location) for s in settings.sources] == [
        ("wire", str(tmp_path / "conf" / "exports" / "wire.jsonl")),
        ("feed.xml", "https://example.org/feed.xml"),
    ]


def test_environment_beats_file_and_overrides_beat_environment(tmp_path: Path) -> None:
    config = tmp_path / "a.toml"
    config.write_text('[index]\ndir = "from-file"\nlanguage = "french"\n', "utf-8")
    environ = {"NEWSINDEX_CONFIG": str(config), "NEWSINDEX_INDEX_DIR": str(tmp_path / "env")}
    settings = load_settings(environ=environ)
    assert settings.index_dir == tmp_path / "env" and settings.language == "french"
    settings = load_settings({"index_dir": tmp_path / "override"}, environ=environ)
    assert settings.index_dir == tmp_path / "override"
    sources = load_settings(
        environ={"NEWSINDEX_SOURCES": f"{tmp_path}/x.jsonl:{tmp_path}/y"}
    ).sources
    assert [s.location for s in sources] == [f"{tmp_path}/x.jsonl", f"{tmp_path}/y"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[index\n", "not valid TOML"),
        ('[index]\ndirectory = "x"\n', "unknown setting index.directory"),
        ("[index]\ndir = 5\n", "index.dir must be a non-empty string"),
        ('[index]\nlanguage = "klingon"\n', "unknown language 'klingon'"),
        ('[[sources]]\nname = "x"\n', "sources[1] has no 'location'"),
        ('sources = "x"\n', "array of tables"),
        ('[web]\nbase_url = "ftp://news.example.org"\n', "web.base_url must be an http(s) URL"),
        ('[web]\nbase_url = "https://x.example/?a=1"\n', "web.base_url must be an http(s) URL"),
        ("[web.section_names]\nacq = 3\n", "web.section_names must be a table of non-empty"),
        ('[web]\nhost = "x"\n', "unknown setting web.host"),
    ],
)
def test_bad_config_files_are_named_with_what_is_wrong(tmp_path: Path, text: str, message: str):
    config = tmp_path / "bad.toml"
    config.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(environ={"NEWSINDEX_CONFIG": str(config)})
    assert message in str(error.value)


def test_a_missing_config_file_is_an_error(tmp_path: Path, indexer, monkeypatch) -> None:
    monkeypatch.setenv("NEWSINDEX_CONFIG", str(tmp_path / "nope.toml"))
    result = indexer("stats")
    assert result.exit_code == 1 and "config file not found" in result.stderr


def test_the_public_address_and_section_names(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text(
        '[web]\nbase_url = "https://news.example.org/archive/"\n'
        '[web.section_names]\n"Money-FX" = "Currency markets"\n',
        "utf-8",
    )
    settings = load_settings(environ={"NEWSINDEX_CONFIG": str(config)})
    assert settings.base_url == "https://news.example.org/archive"
    assert settings.section_names == {"money-fx": "Currency markets"}
    environ = {"NEWSINDEX_CONFIG": str(config), "NEWSINDEX_BASE_URL": "http://127.0.0.1:8000"}
    assert load_settings(environ=environ).base_url == "http://127.0.0.1:8000"
    with pytest.raises(ConfigError, match="NEWSINDEX_BASE_URL must be an http"):
        load_settings(environ={"NEWSINDEX_BASE_URL": "news.example.org"})
