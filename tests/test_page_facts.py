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
    env = {"NEWSINDEX_INDEX_DIR": str(index_dir), "NEWSINDEX_CONFIG": None,
           "NEWSINDEX_SOURCES": None, "NEWSINDEX_LANGUAGE": None}  # fmt: skip
    result = CliRunner().invoke(main, ["rebuild", str(FACTS_FOLDER), "--json"], env=env)
    assert result.exit_code == 0, result.output
    application = app_for(index_dir)
    try:
        yield json.loads(result.stdout), application.test_client()
    finally:
        close_app(application)


def api_article(client: Any, url: str) -> dict[str, Any]:
    response = client.get(f"/api/articles/{stable_id('url', url)}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("page", FACTS, ids=[page["file"] for page in FACTS])
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
