"""The facts of a page as readers see them, through ``indexer rebuild`` of a folder and
``/api/articles/<id>`` (issue 24): headline, date, section, author, teaser and the start of the
body. Each page of ``fixtures/facts/`` shows one kind of miss found on real pages and feeds;
``fixtures/facts.json`` says what a person reads off it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import app_for, close_app
from indexer.cli import main
from indexer.ingest.articles import stable_id

FACTS_FOLDER = Path(__file__).parent / "fixtures" / "facts"
FACTS = json.loads(FACTS_FOLDER.with_suffix(".json").read_text("utf-8"))


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Any]]:
    """``indexer rebuild`` of the facts folder (its JSON summary), and an API client over it."""
    index_dir = tmp_path_factory.mktemp("facts") / "index"
    result = rebuild(index_dir, str(FACTS_FOLDER))
    assert result.exit_code == 0, result.output
    application = app_for(index_dir)
    try:
        yield json.loads(result.stdout), application.test_client()
    finally:
        close_app(application)


def rebuild(index_dir: Path, *arguments: str) -> Any:
    """``indexer rebuild ARGUMENTS --json`` into ``index_dir``, as the CLI runs it."""
    env = {"NEWSINDEX_INDEX_DIR": str(index_dir), "NEWSINDEX_CONFIG": None,
           "NEWSINDEX_SOURCES": None, "NEWSINDEX_LANGUAGE": None}  # fmt: skip
    return CliRunner().invoke(main, ["rebuild", *arguments, "--json"], env=env)


def api_article(client: Any, url: str) -> dict[str, Any]:
    response = client.get(f"/api/articles/{stable_id('url', url)}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("page", FACTS, ids=[f"{page['file']}:{page['url']}" for page in FACTS])
def test_each_page_is_read_as_a_person_reads_it(rebuilt, page: dict[str, Any]) -> None:
    _summary, client = rebuilt
    article = api_article(client, page["url"])
    assert article["title"] == page["title"]
    assert article["published"] == page["published"]
    assert article["body"].startswith(page["body_start"]), article["body"][:200]
    for field in ("section", "author"):
        assert article[field] == page.get(field, article[field])
    assert article["teaser"].startswith(page.get("teaser_start", ""))
    for not_the_story in page.get("not_in_body", []):
        assert not_the_story not in article["body"]


def test_the_broken_feed_is_the_one_warning_and_names_its_file(rebuilt) -> None:
    summary, _client = rebuilt
    files = [path for path in FACTS_FOLDER.iterdir() if path.is_file()]
    assert (summary["files"], summary["indexed"]) == (len(files), len(files) + 2)
    [warning] = summary["warning_messages"]
    assert "quay-notes-mistyped-end-tag.rss:feed: not well-formed XML" in warning


def test_strict_still_fails_on_the_broken_feed(tmp_path: Path) -> None:
    feed = str(FACTS_FOLDER / "quay-notes-mistyped-end-tag.rss")
    env = {"NEWSINDEX_INDEX_DIR": str(tmp_path / "index"), "NEWSINDEX_CONFIG": None}
    result = CliRunner().invoke(main, ["rebuild", feed, "--strict"], env=env)
    assert result.exit_code == 1
    assert "--strict" in result.output
