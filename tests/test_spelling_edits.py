"""How far off a misspelling may be (issue 23): a transposition is one edit, and a word of six
letters or more may be two edits off the word it misspells (``tarrif``: ``tariff``); issue 12's
rule still holds: a rare word written as a name, or a short word, is not second-guessed."""

from __future__ import annotations

import pytest

from conftest import article, client_for_records


def records(rare_body: str) -> list[dict]:
    common = [
        article(n, title=f"Steel tariff worries the world {n}", body=f"The tariff rose {n}.")
        for n in range(40)
    ]
    return [*common, article(99, title="Port report", body=rare_body)]


@pytest.fixture
def spelling(tmp_path):
    def run(rare_body: str, query: str) -> tuple[str | None, int]:
        with client_for_records(tmp_path, records(rare_body)) as client:
            body = client.get("/api/search", query_string={"q": query}).json
        return body["suggestion"], body["total"]

    return run


def test_a_long_rare_word_two_edits_off_a_frequent_one_is_corrected(spelling) -> None:
    suggested, total = spelling("A new tarrif on steel was set at the port.", "tarrif")
    assert total == 1 and suggested == "tariff"


def test_a_transposition_is_one_edit_in_a_short_word(spelling) -> None:
    suggested, total = spelling("The wrold watched the port.", "wrold")
    assert total == 1 and suggested == "world"


def test_a_rare_name_two_edits_off_is_left_alone(spelling) -> None:
    body = "The port chief, Tarrif, met the board. Officials said Tarrif would stay."
    suggested, total = spelling(body, "tarrif")
    assert total == 1 and suggested is None


def test_a_short_word_is_not_second_guessed_two_edits_off(spelling) -> None:
    suggested, total = spelling("The wlrod watched the port.", "wlrod")  # two swaps off
    assert total == 1 and suggested is None


def test_a_word_in_no_article_two_edits_off_counting_a_transposition_as_one(spelling) -> None:
    # tairfg: "ri" swapped and "f" changed; three edits if a swap counts as two
    suggested, _total = spelling("The port was quiet.", "tairfg")
    assert suggested == "tariff"
