"""The type checking keeps its bar (issue 20): mypy's strict flags on for the package and the web
app (the search code and the web app at least), as pyproject.toml configures mypy, and ``Any``
rare in them."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from indexer.config import PROJECT_ROOT

MAX_ANY = 100  # lines naming Any in indexer/ and webui/
# The packages held to mypy --strict: all of the code (issue 20 asks for search/ and webui/).
STRICT_PACKAGES = ("indexer", "webui")
# What `mypy --strict` sets that an override can set (warn_redundant_casts is global only).
STRICT_FLAGS = (
    "disallow_any_generics",
    "disallow_subclassing_any",
    "disallow_untyped_calls",
    "disallow_untyped_defs",
    "disallow_incomplete_defs",
    "check_untyped_defs",
    "disallow_untyped_decorators",
    "warn_unused_ignores",
    "warn_return_any",
    "no_implicit_reexport",
    "strict_equality",
    "extra_checks",
)
_ANY = re.compile(r"\bAny\b")


def mypy_config() -> dict[str, object]:
    text = (PROJECT_ROOT / "pyproject.toml").read_text("utf-8")
    config: dict[str, object] = tomllib.loads(text)["tool"]["mypy"]
    return config


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def strict_modules() -> list[str]:
    return [
        module_name(path)
        for package in STRICT_PACKAGES
        for path in sorted((PROJECT_ROOT / package).rglob("*.py"))
    ]


def _specificity(pattern: str, module: str) -> tuple[int, int] | None:
    """How closely an override's module pattern names ``module`` (None: not at all), ordered
    as mypy orders them: a module's own name first, then the longest ``a.b.*``."""
    if pattern == module:
        return (1, pattern.count("."))
    if pattern.endswith(".*") and (module + ".").startswith(pattern[:-1]):
        return (0, pattern.count("."))
    return None


def setting(config: dict[str, object], module: str, flag: str) -> object:
    """The value of ``flag`` mypy uses for ``module``: the override that names it most closely
    (of equals, the last), else the global setting."""
    found: tuple[tuple[int, int], object] | None = None
    overrides = config.get("overrides", [])
    assert isinstance(overrides, list)
    for override in overrides:
        patterns = override["module"]
        for pattern in [patterns] if isinstance(patterns, str) else patterns:
            rank = _specificity(pattern, module)
            if rank is not None and flag in override and (found is None or rank >= found[0]):
                found = (rank, override[flag])
    return found[1] if found is not None else config.get(flag, False)


def subclasses_whoosh(module: str) -> bool:
    """Whether the module defines a class on a class it imports from Whoosh."""
    path = PROJECT_ROOT / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text("utf-8"))
    from_whoosh = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh")
        for alias in node.names
    }
    bases = [
        base for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for base in node.bases
    ]
    return any(ast.unparse(base).split(".")[0] in from_whoosh for base in bases)


@pytest.mark.parametrize("module", strict_modules())
def test_the_code_is_checked_strictly(module: str) -> None:
    config = mypy_config()
    files = config["files"]
    assert isinstance(files, list) and {"indexer", "webui"} <= set(files)
    assert config.get("warn_redundant_casts") is True
    assert setting(config, module, "ignore_errors") is False
    lax = [flag for flag in STRICT_FLAGS if setting(config, module, flag) is not True]
    if lax == ["disallow_subclassing_any"] and subclasses_whoosh(module):
        lax = []  # mypy sees Whoosh's classes as Any: Whoosh has no type information
    assert not lax, f"{module} is not checked with mypy's strict flags {lax}"


def test_any_is_rare() -> None:
    lines = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}"
        for folder in ("indexer", "webui")
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if _ANY.search(line)
    ]
    assert len(lines) <= MAX_ANY, f"{len(lines)} lines name Any (at most {MAX_ANY})"
