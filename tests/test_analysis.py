"""The analysis chain: what a word becomes, where it was, and that queries follow the same rules."""

from __future__ import annotations

import pickle

import pytest

from indexer.analysis.tokenizer import (
    LanguageText,
    fold_accents,
    name_analyzer,
    text_analyzer,
    word_analyzer,
)


def index_terms(text: str, language: str = "en") -> list[str]:
    return [t.text for t in text_analyzer()(LanguageText(text, language), mode="index")]


def query_terms(text: str, language: str = "en") -> list[str]:
    """The terms a query looks for in an article of ``language``: the query-mode analyzer gives
    the words as typed, each then analysed in that language (as ``search.query_languages`` does)."""
    analyzer = text_analyzer()
    words = [t.text for t in analyzer(text, mode="query")]
    return [term for word in words for term in analyzer.query_terms(word, language)]


@pytest.mark.parametrize(
    ("indexed", "queried"),
    [
        ("elections", "election"),
        ("elected", "elections"),
        ("governments", "government"),
        ("running", "runs"),
        ("café", "cafe"),
        ("CAFÉ", "Cafe"),
        ("naïve", "naive"),
        ("São Paulo", "sao paulo"),
        ("Straße", "strasse"),
        ("U.S.", "US"),
        ("u.s.", "U.S."),
        ("$1.5bn", "1.5bn"),
        ("1,000", "1000"),
        ("COVID-19", "covid-19"),
        ("covid-19", "covid19"),
        ("F-16", "f16"),
        ("O'Neill's", "oneill"),
    ],
)
def test_a_word_is_found_by_its_other_forms(indexed: str, queried: str) -> None:
    assert set(query_terms(queried)) <= set(index_terms(indexed))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("covid-19", ["en:covid", "19"]),  # a query for a compound is the phrase of its parts
        ("F-16 jets", ["en:f", "16", "en:jet"]),
        ("3.5% rise", ["3.5", "en:rise"]),  # numbers are the same in every language: no tag
        ("the bank of England", ["en:bank", "en:england"]),  # stop words left out
    ],
)
def test_query_mode_terms(text: str, expected: list[str]) -> None:
    assert query_terms(text) == expected


def test_compounds_are_indexed_as_parts_and_joined_word() -> None:
    tokens = text_analyzer()("new covid-19 rules", positions=True, mode="index")
    by_text = {t.text: t.pos for t in tokens}
    assert by_text == {"en:new": 0, "en:covid": 1, "en:covid19": 1, "19": 2, "en:rule": 3}


def test_a_compound_starting_with_a_stop_word_keeps_its_joined_word_in_place() -> None:
    tokens = text_analyzer()("An in-depth look", positions=True, mode="index")
    assert [(t.text, t.pos) for t in tokens] == [("en:indepth", 0), ("en:depth", 1), ("en:look", 2)]
    assert text_analyzer().term_positions("An in-depth look") == {
        "en:indepth": [0],
        "en:depth": [1],
        "en:look": [2],
    }


def test_only_the_listed_stop_words_are_left_out() -> None:
    assert index_terms("up make third news text") == [
        "en:up",
        "en:make",
        "en:third",
        "en:news",
        "en:text",
    ]


def test_the_fast_indexing_path_agrees_with_the_token_stream() -> None:
    text = "The U.S. said Covid-19 cost $1.5bn; O'Neill's café elections, in-depth and F-16s."
    streamed: dict[str, list[int]] = {}
    for token in text_analyzer()(text, positions=True, mode="index"):
        streamed.setdefault(token.text, []).append(token.pos)
    assert text_analyzer().term_positions(text) == streamed


def test_character_offsets_point_at_the_original_words() -> None:
    text = "The Café's U.S. branch spent $1.5bn on F-16 parts."
    spans = {
        t.text: text[t.startchar : t.endchar]
        for t in text_analyzer()(text, chars=True, mode="index")
    }
    assert spans["en:cafe"] == "Café's"
    assert spans["en:us"] == "U.S."
    assert spans["en:1.5bn"] == "1.5bn"
    assert spans["en:f16"] == "F-16"
    assert spans["16"] == "16"
    assert spans["en:part"] == "parts"


def test_offsets_respect_start_char() -> None:
    token = next(iter(text_analyzer()("oil", chars=True, start_char=100)))
    assert (token.startchar, token.endchar) == (100, 103)


def test_positions_skip_stop_words_so_phrases_still_line_up() -> None:
    tokens = text_analyzer()("Bank of England", positions=True)
    assert [(t.text, t.pos) for t in tokens] == [("en:bank", 0), ("en:england", 1)]


def test_names_and_spelling_words_are_not_stemmed() -> None:
    assert [t.text for t in name_analyzer()("Zoë Running")] == ["zoe", "running"]
    assert [t.text for t in word_analyzer()("Governments elected")] == ["governments", "elected"]


def test_emoji_and_punctuation_give_no_terms() -> None:
    assert index_terms("🎉 — !!! ... ???") == []


def test_fold_accents() -> None:
    assert fold_accents("Zoë Ærø Łódź") == "Zoe AEro Lodz"


def test_analyzer_survives_pickling_as_whoosh_stores_it() -> None:
    analyzer = text_analyzer()
    analyzer("warm the stem cache")
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    assert [t.text for t in restored("Elections")] == ["en:elect"]


def test_text_of_unknown_language_is_analysed_in_the_default_language() -> None:
    german = text_analyzer("de")
    assert [t.text for t in german("Wahlen")] == [t.text for t in german("Wahl")] == ["de:wahl"]
    undetermined = LanguageText("Wahlen", "und")
    assert [t.text for t in german(undetermined)] == ["de:wahl"]
    assert [t.text for t in text_analyzer("en")("Wahlen")] == ["en:wahlen"]
