"""Headlines by evidence (``indexer.ingest.titles``): affixes go only where the page shows they
are not the headline, and a headline cut short is taken whole from where it is whole."""

from __future__ import annotations

import pytest

from indexer.ingest.titles import HeadlineStatements, headline

BBC = ["https://www.bbc.co.uk/news/business-1"]


@pytest.mark.parametrize(
    ("statements", "expected"),
    [
        (HeadlineStatements(title_element="Quay lights - The Coast Courier",
                            site_names=["The Coast Courier"]), "Quay lights"),
        (HeadlineStatements(title_element="Quay lights | Uusi Satama",
                            urls=["https://www.uusisatama.example/a"]), "Quay lights"),
        (HeadlineStatements(social=["やさしいニュース|港のクレーン"], h1s=["港のクレーン"]),
         "港のクレーン"),
        (HeadlineStatements(title_element="Hafenstreik | WN | 19.01.2020",
                            site_names=["WN.COM"]), "Hafenstreik"),
        (HeadlineStatements(linked_data="Ferry crews walk out as port authority leader…",
                            h1s=["Ferry crews walk out as port authority leader rejects pay"]),
         "Ferry crews walk out as port authority leader rejects pay"),
        (HeadlineStatements(title_element="Sluice gates - Salt Marsh Gazette",
                            h1s=["SALT MARSH GAZETTE Sluice gates"]), "Sluice gates"),
        # a domain's labels never cut words out of a headline
        (HeadlineStatements(title_element="UK inflation falls - BBC News",
                            h1s=["UK inflation falls"], urls=BBC), "UK inflation falls"),
        # without evidence a dash is part of the headline
        (HeadlineStatements(title_element="Up - and down the quay"), "Up - and down the quay"),
        (HeadlineStatements(title_element="Pêche : une saison record"),
         "Pêche : une saison record"),
        (HeadlineStatements(), ""),
    ],
)  # fmt: skip
def test_headline(statements: HeadlineStatements, expected: str) -> None:
    assert headline(statements) == expected
