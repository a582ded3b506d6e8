"""The rebuild's own index writer: in parallel or not, the index searches as Whoosh's would."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from conftest import SAMPLES, article, write_jsonl
from indexer.index.build import rebuild_index
from indexer.index.bulk_writer import write_index
from indexer.index.documents import document_fields
from indexer.index.schema import build_schema
from indexer.index.store import IndexStore
from indexer.ingest.fetch import SourceStates
from indexer.ingest.sources import ReadReport, find_sources, read_articles
from indexer.search.docsets import docset, matching_docs
from indexer.search.postings import TermPostings
from indexer.search.query_parser import QueryReader
from indexer.search.requests import SearchRequest
from indexer.search.service import SearchService
from processes import Run, wait_until_gone

QUERIES = [
    "harbour",
    "inflation rates",
    '"port eddon"',
    "drought OR flood",
    "valdora -shipping",
    "elect*",
    "covid-19",
    "section:sport",
    "",
]


def sample_records() -> list[dict]:
    return [json.loads(line) for line in SAMPLES.read_text("utf-8").splitlines() if line]


def repeated_samples(path: Path, copies: int) -> Path:
    """The sample articles ``copies`` times, each copy with its own ids and year."""
    records = []
    for copy in range(copies):
        for record in sample_records():
            published = record.get("published") or ""
            records.append(
                {
                    **record,
                    "id": f"{record['id']}-{copy}",
                    "published": f"{1990 + copy % 30}{published[4:]}" if published else "",
                }
            )
    return write_jsonl(path, records)


def built_with(settings, processes: int, source: Path, folder: Path):
    settings = dataclasses.replace(settings, index_dir=folder, build_processes=processes)
    rebuild_index(settings, [str(source)])
    return settings


def test_a_parallel_rebuild_searches_exactly_as_a_one_process_rebuild(settings, tmp_path):
    source = repeated_samples(tmp_path / "articles.jsonl", 60)  # 2,520: enough to go parallel
    one = SearchService(built_with(settings, 1, source, tmp_path / "one"))
    two = SearchService(built_with(settings, 2, source, tmp_path / "two"))
    for q in QUERIES:
        for page in (1, 3):
            request = SearchRequest(q=q, page=page)
            expected, found = one.search(request), two.search(request)
            assert found.total == expected.total > 0, q
            assert [h.id for h in found.hits] == [h.id for h in expected.hits], q
            assert [h.score for h in found.hits] == pytest.approx([h.score for h in expected.hits])
            assert [h.snippet_html for h in found.hits] == [h.snippet_html for h in expected.hits]
            assert [h.teaser for h in found.hits] == [h.teaser for h in expected.hits], q
            assert [h.story for h in found.hits] == [h.story for h in expected.hits], q
            assert found.section_facets == expected.section_facets, q
            assert found.date_facets == expected.date_facets, q
    assert len(learned_files(one)) == 3
    assert learned_files(one) == learned_files(two)  # the same sentences, phrases and stories


def learned_files(service: SearchService) -> list[str]:
    """The names of what the rebuild learned, kept in the generation: named by their content."""
    folder = service.generation_served().path
    return sorted(p.name for pattern in ("sentences-*", "suggestions-*", "stories-*")
                  for p in folder.glob(pattern))  # fmt: skip


PHRASES = ['"port eddon"', '"interest rates"', '"covid-19"', '"valdoran league title"', "f-16"]


def test_phrases_match_what_whoosh_matches_across_segments(settings, tmp_path):
    source = repeated_samples(tmp_path / "articles.jsonl", 60)
    settings = built_with(settings, 2, source, tmp_path / "two")
    index = whoosh_index.open_dir(str(IndexStore(settings.index_dir).current().path))
    with index.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2  # one segment per process
        reader, postings = QueryReader(index.schema), TermPostings(searcher)
        every = docset(searcher.reader().all_doc_ids())
        for text in PHRASES:
            parsed = reader.read(text, searcher.reader())
            expected = sorted(searcher.docs_for_query(parsed))
            assert len(expected) >= 60, text
            assert matching_docs(postings, parsed, every).tolist() == expected, text


LANGUAGES = SAMPLES.parent.parent / "tests" / "fixtures" / "languages" / "articles.jsonl"


@pytest.mark.parametrize("copies", [1, 4, 0])  # 4: a frequent term's postings take two blocks
def test_the_index_holds_what_whooshs_own_writer_would_write(tmp_path, copies):
    """Every term, posting, position, length and stored field, for the sample articles (0:
    the articles in many languages and scripts of the language tests)."""
    source = {0: LANGUAGES, 1: SAMPLES}.get(copies) or repeated_samples(
        tmp_path / "a.jsonl", copies
    )
    sources, states = find_sources([str(source)], {}), SourceStates(tmp_path / "states")
    articles = list(read_articles(sources, ReadReport(), states))
    ours = tmp_path / "ours"
    ours.mkdir()
    write_index(ours, articles, "english")
    stock = tmp_path / "stock"
    stock.mkdir()
    index = whoosh_index.create_in(str(stock), build_schema("english"))
    writer = SegmentWriter(index)
    for record, story in zip(articles, written_stories(ours), strict=True):
        writer.add_document(**document_fields(record, story))
    writer.commit()
    assert index_content(ours) == index_content(stock)


def written_stories(path: Path) -> list[str]:
    """The story of each article as the rebuild wrote it, in the order written."""
    with whoosh_index.open_dir(str(path)).reader() as reader:
        column = reader.column_reader("story")
        return [column[docnum] for docnum in range(reader.doc_count_all())]


def _blocks(matcher) -> list[tuple]:
    """What a matcher knows of each posting block before reading it (for skipping blocks)."""
    matcher.reset()
    blocks = []
    while matcher.is_active():
        limits = (matcher.block_max_weight(), matcher.block_min_length())
        blocks.append((*limits, matcher.block_max_length(), matcher.block_max_id()))
        matcher.skip_to(matcher.block_max_id() + 1)
    return blocks


def index_content(path: Path) -> dict:
    with whoosh_index.open_dir(str(path)).reader() as reader:
        postings = {}
        for fieldname, text in reader.all_terms():
            matcher = reader.postings(fieldname, text)
            items = []
            while matcher.is_active():
                items.append((matcher.id(), matcher.weight(), matcher.value()))
                matcher.next()
            info = reader.term_info(fieldname, text)
            stats = (info.weight(), info.doc_frequency(), info.min_length(), info.max_length())
            postings[(fieldname, text)] = (stats, info.max_weight(), items, _blocks(matcher))
        lengths = {
            (name, docnum): reader.doc_field_length(docnum, name)
            for name in ("title", "teaser", "body", "author", "tags")
            for docnum in range(reader.doc_count_all())
        }
        stored = list(reader.all_stored_fields())
    assert postings and stored
    return {"postings": postings, "lengths": lengths, "stored": stored}


def test_a_writer_process_that_dies_fails_the_run_and_keeps_the_old_index(
    indexer, cli_env, tmp_path
):
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    source = repeated_samples(tmp_path / "articles.jsonl", 300)  # 12,600 articles
    command = [sys.executable, "-m", "indexer", "rebuild", str(source)]
    with Run(command, {**cli_env, "NEWSINDEX_BUILD_PROCESSES": "2"}) as run:
        kill_a_child(run, timeout=60)  # as the kernel's out-of-memory killer would
        assert run.wait(timeout=60) == 1
        assert wait_until_gone(run, 2) == [], "the other writer outlived the failed run"
        errors = run.output()[1]
    assert "a process writing the new index ended unexpectedly" in errors
    assert "Traceback" not in errors
    stats = json.loads(indexer("stats", "--json").stdout)
    assert stats["articles"] == 45
    assert not list(Path(cli_env["NEWSINDEX_INDEX_DIR"]).glob("build-*"))


def test_a_killed_language_model_process_leaves_the_rebuild_to_load_the_model(
    indexer, cli_env, tmp_path
):
    """The rebuild loads the language identifier's model in a process of its own while it reads
    (the articles declare no language); killed, the rebuild loads the model itself."""
    records = [
        article(n, title=f"{word} {n}", body=f"{text} {n}.")
        for n in range(3000)
        for word, text, _language in [UNDECLARED[n % len(UNDECLARED)]]
    ]
    source = write_jsonl(tmp_path / "articles.jsonl", records)
    command = [sys.executable, "-m", "indexer", "rebuild", str(source)]
    with Run(command, {**cli_env, "NEWSINDEX_BUILD_PROCESSES": "2"}) as run:
        loader = run.first_child(timeout=60)
        assert loader is not None, "the rebuild forked no process"
        os.kill(loader, signal.SIGKILL)  # it takes a third of a second to load the model
        assert run.wait(timeout=120) == 0, run.output()[1]
    for word, _text, language in UNDECLARED:  # identified by the model
        found = json.loads(
            indexer("search", "--json", "--every-article", "--language", language, word).stdout
        )
        assert found["total"] == 1000, (word, language)


UNDECLARED = [  # py3langid decides these: the cheaper English test does not
    ("Hafen", "Der Stadtrat hat am Dienstag über den neuen Hafen und die Fähre gesprochen", "de"),
    ("Port", "Le conseil municipal a parlé mardi du nouveau port et de la ligne de ferry", "fr"),
    ("Puerto", "El ayuntamiento habló el martes del nuevo puerto y de la línea del ferry", "es"),
]


def kill_a_child(run: Run, timeout: float) -> None:
    """Kill a process forked by the run that has worked a while (each of a rebuild's tasks has
    a process of its own, and the first ones end quickly)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        child = run.first_child(timeout)
        if child is None:
            break
        time.sleep(0.3)  # let it start its work
        try:
            os.kill(child, signal.SIGKILL)
            return
        except ProcessLookupError:  # it ended meanwhile: the next one
            continue
    raise AssertionError("the rebuild forked no process that lived long enough to be killed")
