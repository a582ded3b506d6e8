"""The README documents every command, setting, environment variable and exit code (docs that
tests check, so they cannot drift from the code)."""

from __future__ import annotations

import re

from indexer.cli import main
from indexer.config import ENVIRONMENT_VARIABLES, PROJECT_ROOT

README = (PROJECT_ROOT / "README.md").read_text("utf-8")


def test_every_command_is_in_the_readme() -> None:
    for name in main.commands:
        assert f"`indexer {name}" in README, name


def test_every_environment_variable_is_in_the_readme() -> None:
    for variable in ENVIRONMENT_VARIABLES.values():
        assert f"`{variable}`" in README, variable


def test_every_config_file_setting_is_in_the_readme() -> None:
    example = (PROJECT_ROOT / "newsindex.toml").read_text("utf-8")
    keys = set(re.findall(r"^(\w+) =", example, re.MULTILINE))
    for key in keys:
        assert re.search(rf"`\[\[?\w+\]\]?[^`]*\b{key}\b", README), key


def test_every_exit_code_is_in_the_readme_and_in_help() -> None:
    help_text = main.get_help(main.make_context("indexer", ["--help"], resilient_parsing=True))
    for code in ("0", "1", "2", "3"):
        assert f"| {code} |" in README
        assert f"  {code}  " in help_text


def test_the_readme_has_the_sections_a_newcomer_needs() -> None:
    for heading in ("## Install", "## Run", "## Rebuild", "## Test", "## Configuration"):
        assert heading in README
    assert "make run" in README and "make test" in README
