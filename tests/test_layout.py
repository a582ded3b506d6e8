"""The layout is what the package docstring and the README say: three rooms importing one way,
the web app behind the search API, Whoosh's internals behind one door."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import indexer
from indexer.config import PROJECT_ROOT
from indexer.index import whoosh_internals

PACKAGE = PROJECT_ROOT / "indexer"
WEBUI = PROJECT_ROOT / "webui"
DOOR = PACKAGE / "index" / "whoosh_internals.py"
ROOMS = ("analysis", "ingest", "index", "search")
# What the web app may import of the indexer: the search API, its types, settings and errors.
WEBUI_MAY_IMPORT = {
    "indexer.search",
    "indexer.search.service",
    "indexer.search.requests",
    "indexer.search.results",
    "indexer.config",
    "indexer.errors",
}


def modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def imported(path: Path) -> set[str]:
    """Every module ``path`` imports (``from a import b`` counts as ``a`` and ``a.b``)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def room_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "indexer" and parts[1] in ROOMS else None


@pytest.mark.parametrize(
    ("room", "forbidden"),
    [
        ("analysis", {"ingest", "index", "search"}),
        ("ingest", {"index", "search"}),
        ("search", {"ingest"}),
    ],
)
def test_rooms_import_one_way(room: str, forbidden: set[str]) -> None:
    for path in modules(PACKAGE / room):
        crossing = {name for name in imported(path) if room_of(name) in forbidden}
        assert not crossing, f"{path.relative_to(PROJECT_ROOT)} imports {sorted(crossing)}"


def test_a_web_worker_loads_no_ingest_code() -> None:
    """Transitively: importing the web app and the search API loads nothing of ``ingest``."""
    code = (
        "import sys, webui, webui.pages, webui.api, webui.feeds, indexer.search.service; "
        "print(sorted(m for m in sys.modules if m.startswith('indexer.ingest')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"


def test_the_web_app_uses_only_the_search_api_and_never_whoosh() -> None:
    for path in modules(WEBUI):
        names = imported(path)
        assert not {n for n in names if n.split(".")[0] == "whoosh"}, path.name
        used = {n for n in names if n.startswith("indexer.")}
        outside = {
            n for n in used if not any(n == ok or n.startswith(ok + ".") for ok in WEBUI_MAY_IMPORT)
        }
        assert not outside, f"webui/{path.name} imports {sorted(outside)}"


def test_private_whoosh_names_live_in_one_module() -> None:
    private = {i.name for i in whoosh_internals.INTERNALS} | {
        name
        for group in (
            whoosh_internals.WRITER_ATTRIBUTES,
            whoosh_internals.FIELD_WRITER_ATTRIBUTES,
            whoosh_internals.CODEC_ATTRIBUTES,
            whoosh_internals.MATCHER_ATTRIBUTES,
            whoosh_internals.SEGMENT_READER_ATTRIBUTES,
            whoosh_internals.BM25F_ATTRIBUTES,
        )
        for name in group
    }
    uses = re.compile(r"\.(" + "|".join(sorted(private)) + r")\b|whoosh\.(codec|filedb)|_lk\b")
    for path in modules(PACKAGE) + modules(WEBUI):
        if path == DOOR:
            continue
        found = uses.findall(path.read_text("utf-8"))
        assert not found, f"{path.relative_to(PROJECT_ROOT)} uses private Whoosh names {found}"


def test_every_module_is_in_the_package_map_and_the_readme_layout() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text("utf-8")
    layout = readme.split("## Layout", 1)[1].split("\n## ", 1)[0]
    for path in modules(PACKAGE):
        if path.name in ("__init__.py", "__main__.py"):
            continue
        assert f"``{path.stem}``" in (indexer.__doc__ or ""), f"{path.stem} not in the package map"
        assert re.search(rf"\b{path.stem}(\.py)?\b", layout), f"{path.stem} not in README Layout"
    for room in ROOMS:
        assert f"{room}/" in layout and f"``{room}/``" in (indexer.__doc__ or ""), room


def test_only_the_docsets_module_makes_a_document_set_unchecked() -> None:
    """``DocSet`` is a NewType: calling it asserts "ascending, no repeats" without a check, so
    only ``docsets`` (whose makers guarantee it) may; the rest use its makers."""
    maker = re.compile(r"\bDocSet\(")
    for path in modules(PACKAGE) + modules(WEBUI):
        if path.name != "docsets.py":
            found = maker.findall(path.read_text("utf-8"))
            assert not found, f"{path.relative_to(PROJECT_ROOT)} makes a DocSet unchecked"
