"""The fast search path agrees with Whoosh's own answers: the same matching documents and
snippets marking the same words (ranking is no longer Whoosh's: ``test_ranking``)."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from whoosh import index as whoosh_index

from indexer.analysis.tokenizer import text_analyzer
from indexer.index.store import IndexStore
from indexer.search.docsets import docset, matching_docs, sorted_docs
from indexer.search.postings import TermPostings
from indexer.search.query_parser import QueryReader
from indexer.search.snippets import matched_spans

QUERIES = [
    "harbour",
    "election",
    "government budget",
    "oil prices",
    '"oil prices"',
    "oil -shipping",
    "telescope OR marathon",
    "section:sport",
    "section:business oil",
    "title:oil",
    "elect*",
    "gov*",
    "covid-19",
    "u.s. trade",
    '"central bank" rates',
    "NOT government",
    "café",
]


@pytest.fixture(scope="module")
def opened(sample_settings):
    generation = IndexStore(sample_settings.index_dir).current()
    index = whoosh_index.open_dir(str(generation.path))
    searcher = index.searcher()
    yield searcher, QueryReader(index.schema), TermPostings(searcher)
    searcher.close()


@pytest.mark.parametrize("text", QUERIES)
def test_matching_documents_are_whooshs(opened, text) -> None:
    searcher, reader, postings = opened
    parsed = reader.read(text, searcher.reader())
    every = docset(searcher.reader().all_doc_ids())
    found = matching_docs(postings, parsed, every)
    assert found.tolist() == sorted(searcher.docs_for_query(parsed))


@pytest.mark.parametrize("numbers", [[3, 1, 2], [1, 2, 2, 5]])
def test_numbers_out_of_order_or_repeated_are_not_made_a_document_set(numbers) -> None:
    with pytest.raises(ValueError, match="ascending without repeats"):
        sorted_docs(numbers)
    assert sorted_docs(sorted(set(numbers))).tolist() == sorted(set(numbers))


def test_the_fast_snippet_scan_finds_what_a_full_scan_finds() -> None:
    analyzer = text_analyzer()
    text = (
        "The U.S. elections and the elected council met on covid-19 rules in Covid19 times. "
        "Electoral officials said prices were rising; a 1.5bn plan and F-16 jets. "
        * 3
        + "ELECTIONS, _prices, unelected PRICES, f.16 and U-S: re-elected (Covid-19)."
    )
    terms = {"en:us", "en:elect", "en:covid", "19", "en:covid19", "en:price", "en:1.5bn", "en:f16"}
    full: list[tuple[int, int]] = []
    for term, start, end, _position in analyzer.spans(text):
        if term in terms:
            if full and start <= full[-1][1]:
                full[-1] = (full[-1][0], max(end, full[-1][1]))
            else:
                full.append((start, end))
    assert matched_spans(text, terms, analyzer) == full


def test_a_repeated_search_is_answered_from_the_generations_cache(
    settings, tmp_path, monkeypatch
) -> None:
    from conftest import SAMPLES, article, write_jsonl
    from indexer.index.build import rebuild_index
    from indexer.search import open_index
    from indexer.search.requests import SearchRequest
    from indexer.search.service import SearchService

    rebuild_index(settings, [str(SAMPLES)])
    request = SearchRequest.from_params({"q": "harbour", "section": "politics"})
    uncached = dataclasses.replace(settings, result_cache=0)
    with SearchService(settings) as cached, SearchService(uncached) as fresh:
        first, again = cached.search(request), cached.search(request)
        assert again.hits is first.hits  # the same results, not searched again
        fresh_first, fresh_again = fresh.search(request), fresh.search(request)
        assert fresh_again.hits is not fresh_first.hits  # result_cache = 0: every search runs
        assert [h.id for h in again.hits] == [h.id for h in fresh_first.hits]
        rebuild_index(settings, [str(write_jsonl(tmp_path / "a.jsonl", [article(1)]))])
        monkeypatch.setattr(open_index, "REFRESH_SECONDS", 0.0)
        assert cached.search(request).total == 0  # a new generation: nothing cached


def test_a_generation_stays_open_while_a_search_of_another_thread_uses_it(
    settings, tmp_path, monkeypatch
) -> None:
    """A worker's threads share one service: a new generation must not close the searcher a
    search started on another thread is still reading."""
    from conftest import SAMPLES, article, write_jsonl
    from indexer.index.build import rebuild_index
    from indexer.search import open_index, service
    from indexer.search.requests import SearchRequest
    from indexer.search.service import SearchService

    rebuild_index(settings, [str(SAMPLES)])
    monkeypatch.setattr(open_index, "REFRESH_SECONDS", 0.0)
    found_it, go_on, outcome = threading.Event(), threading.Event(), {}
    find = service.find

    def find_then_wait(*args):
        found = find(*args)
        found_it.set()
        go_on.wait(timeout=30)
        return found

    monkeypatch.setattr(service, "find", find_then_wait)
    with SearchService(dataclasses.replace(settings, result_cache=0)) as shared:
        first = threading.Thread(
            target=lambda: outcome.update(hits=shared.search(SearchRequest(q="harbour")).hits)
        )
        first.start()
        assert found_it.wait(timeout=30)
        monkeypatch.setattr(service, "find", find)
        rebuild_index(settings, [str(write_jsonl(tmp_path / "a.jsonl", [article(1)]))])
        assert shared.search(SearchRequest(q="harbour")).total == 1  # the new generation
        go_on.set()
        first.join(timeout=30)
    assert outcome["hits"], "the first search failed on a closed searcher"


def test_warm_up_opens_the_index_and_says_when_there_is_none(settings) -> None:
    from conftest import SAMPLES
    from indexer.index.build import rebuild_index
    from indexer.search.requests import SearchRequest
    from indexer.search.service import SearchService

    with SearchService(settings) as service:
        assert service.warm_up() is False
        rebuild_index(settings, [str(SAMPLES)])
        assert service.warm_up() is True
        assert service.search(SearchRequest(q="harbour")).total > 0


def test_opening_an_index_does_not_count_against_the_time_limit(settings, monkeypatch) -> None:
    """On a large index, reading the date table and the field lengths takes a while, once per
    worker and generation: the first search after a rebuild must not be refused for it."""
    import time

    from conftest import SAMPLES
    from indexer.index.build import rebuild_index
    from indexer.search import service as search_module
    from indexer.search.doctable import DocTable
    from indexer.search.requests import SearchRequest
    from indexer.search.service import SearchService

    rebuild_index(settings, [str(SAMPLES)])
    read_table = DocTable.of

    def slow_read(searcher):
        time.sleep(1.2)  # longer than the time limit below, which the search itself is far within
        return read_table(searcher)

    monkeypatch.setattr(DocTable, "of", slow_read)
    monkeypatch.setattr(search_module, "TIME_LIMIT_SECONDS", 1.0)
    with SearchService(dataclasses.replace(settings, result_cache=0)) as service:
        assert service.search(SearchRequest(q="harbour")).total > 0
