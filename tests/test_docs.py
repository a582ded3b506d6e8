"""The README documents every command, setting, environment variable and exit code (docs that
tests check, so they cannot drift from the code)."""

from __future__ import annotations

import re

from indexer import cli
from indexer.cli import main
from indexer.config import ENVIRONMENT_VARIABLES, PROJECT_ROOT
from indexer.errors import NewsindexError

README = (PROJECT_ROOT / "README.md").read_text("utf-8")


def test_every_environment_variable_is_in_the_readme() -> None:
    for variable in ENVIRONMENT_VARIABLES.values():
        assert f"`{variable}`" in README, variable


def test_every_config_file_setting_is_in_the_readme() -> None:
    example = (PROJECT_ROOT / "newsindex.toml").read_text("utf-8")
    keys = set(re.findall(r"^(\w+) =", example, re.MULTILINE))
    for key in keys:
        assert re.search(rf"`\[\[?\w+\]\]?[^`]*\b{key}\b", README), key


def test_every_command_has_help_and_is_in_the_readme(indexer) -> None:
    for name, command in main.commands.items():
        result = indexer(name, "--help")
        assert result.exit_code == 0, (name, result.output)
        assert re.match(rf"Usage: \w+ {name} ", result.stdout), name
        flowing = " ".join(result.stdout.split())
        assert command.help and " ".join(command.help.split("\n\n")[0].split()) in flowing, name
        assert "Exit codes:" in result.stdout, name
        assert f"`indexer {name}" in README, name


def readme_section(heading: str) -> str:
    """The README's text under ``heading`` up to the next heading."""
    start = README.index(f"\n{heading}\n")
    following = re.search(r"^#", README[start + len(heading) + 2 :], re.MULTILINE)
    return README[start : start + len(heading) + 2 + (following.start() if following else 0)]


def test_the_exit_code_table_lists_every_exit_code_and_so_does_help() -> None:
    """The codes of the README's Exit codes table are exactly those of ``--help`` and those the
    CLI returns: 0 done, 2 click's usage error, and each error's ``exit_code``."""
    table = readme_section("### Exit codes")
    documented = set(re.findall(r"^\| (\d+) \| \w", table, re.MULTILINE))
    help_text = main.get_help(main.make_context("indexer", ["--help"], resilient_parsing=True))
    in_help = set(re.findall(r"^ +(\d+) +\w", help_text.split("Exit codes:")[1], re.MULTILINE))
    errors = [NewsindexError, *all_subclasses(NewsindexError)]
    returned = {"0", "2", str(cli.INTERRUPTED)} | {str(error.exit_code) for error in errors}
    assert documented == in_help == returned, (documented, in_help, returned)


def all_subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *all_subclasses(direct))]


def test_the_readme_has_the_sections_a_newcomer_needs() -> None:
    for heading in ("## Install", "## Run", "## Rebuild", "## Test", "## Configuration"):
        assert heading in README
    assert "make run" in README and "make test" in README
