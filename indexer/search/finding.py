"""What a search finds: its query read, the documents it matches, then those within the request's
dates and sections.

A query is read as words (``query_words``), each looked for in every language of the index
(``languages.word_forms``), and matched by the match rule (``word_match``); a text longer than
the query language's ``QUERY_LANGUAGE_CHARS`` is read as plain text. A query the
word reading does not take (``+word``) is matched as the parser reads it: every word required,
and any word when no article has them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from datetime import time as day_time

from whoosh import query

from indexer.search.deadline import Deadline
from indexer.search.docsets import EMPTY, DocSet, intersection, matching_docs
from indexer.search.language_bm25 import language_column
from indexer.search.open_index import OpenIndex
from indexer.search.query_languages import prefer, preferred_languages, word_forms
from indexer.search.query_parser import QUERY_LANGUAGE_CHARS, clean_query_text
from indexer.search.query_words import QueryWords, Word, read_query_words, read_text_words
from indexer.search.requests import SearchRequest
from indexer.search.word_match import MatchRule, WordMatch, match_words


@dataclass
class Found:
    """The documents a search found, before they are turned into a page of hits."""

    parsed: query.Query | None  # as Whoosh reads it (for marking words); None: every article
    words: QueryWords | None  # as words, when the word reading takes the query
    match: WordMatch | None
    in_dates: DocSet  # what the query matched within the request's dates (and languages)
    final: DocSet  # ... and within its sections
    relaxed: bool  # some results lack a word of the query
    in_sections: DocSet  # what the query matched within its dates and sections, any language

    @property
    def rule(self) -> MatchRule:
        if self.match is not None:
            return self.match.rule
        return MatchRule.MOST if self.relaxed else MatchRule.ALL

    @property
    def with_all_words(self) -> DocSet:
        """The results that have every word of the query."""
        if self.match is not None and self.match.rule is not MatchRule.ALL:
            return intersection(self.final, self.match.all_words)
        if self.match is not None:  # every match has every word
            return self.final
        return EMPTY if self.relaxed else self.final


def find(opened: OpenIndex, request: SearchRequest, deadline: Deadline) -> Found:
    """The documents the request's query matches, then within its dates, then its languages
    and sections."""
    table = opened.table
    text = clean_query_text(request.q)
    preferred = _preferred(opened, request)
    words, match = None, None
    if text in ("", "*"):
        parsed, matched, relaxed = None, table.every, False
    else:
        as_typed = opened.reader.parse(text) if len(text) <= QUERY_LANGUAGE_CHARS else None
        words = read_words(opened, text, preferred, as_typed)
        if words is not None:
            ranking = opened.ranking
            if not ranking.any_word_when_long:  # every word; any word only when none has all
                words = replace(words, long=False)
            relax_below = ranking.relax_below if ranking.any_word_when_long else 1
            match = match_words(opened.postings, words, table.every, relax_below, deadline)
            parsed, matched, relaxed = words.as_query(), match.docs, match.relaxed
        else:
            assert as_typed is not None  # the word reading takes every longer text
            parsed, matched, relaxed = _as_parsed(opened, text, as_typed, preferred, deadline)
    if request.story:
        matched = table.stories.members(request.story, matched)
    in_dates = matched
    if request.date_from or request.date_to:
        start = datetime.combine(request.date_from, day_time.min) if request.date_from else None
        end = datetime.combine(request.date_to, day_time.max) if request.date_to else None
        in_dates = table.published_between(matched, start, end)
    in_sections = table.in_sections(in_dates, request.sections) if request.sections else in_dates
    if request.languages:  # sections are counted within the languages, and languages within
        languages = language_column(opened.searcher).docs_of(request.languages)
        in_dates = intersection(in_dates, languages)
    final = table.in_sections(in_dates, request.sections) if request.sections else in_dates
    return Found(parsed, words, match, in_dates, final, relaxed, in_sections)


def _preferred(opened: OpenIndex, request: SearchRequest) -> tuple[str, ...]:
    """The languages whose articles a search prefers (``languages.preferred_languages``)."""
    default = opened.searcher.schema["body"].analyzer.default_language
    return preferred_languages(request.q, request.accept_languages, default)


def read_words(
    opened: OpenIndex,
    text: str,
    preferred: Sequence[str] = (),
    as_typed: query.Query | None = None,
) -> QueryWords | None:
    """The words of cleaned, non-empty ``text``, each with its forms in the index's languages;
    None when the word reading does not take it. ``as_typed``: the parser's reading of ``text``
    (``QueryReader.parse``), when the caller has read it already."""
    index_reader = opened.searcher.reader()

    def localize(word: Word) -> Word | None:
        return word_forms(index_reader, word, preferred)

    if len(text) > QUERY_LANGUAGE_CHARS:
        analyzer = opened.searcher.schema["body"].analyzer
        return read_text_words(text, analyzer, opened.questions, opened.rarity, localize)
    parsed = opened.reader.parse(text) if as_typed is None else as_typed
    words = read_query_words(parsed, text, opened.questions, opened.rarity, localize)
    if words is None:
        return None
    return replace(
        words,
        required=tuple(
            prefer(opened.reader.bounded(c, index_reader), preferred, index_reader)
            for c in words.required
        ),
        excluded=tuple(
            opened.reader.bounded(c, index_reader, every_word=False) for c in words.excluded
        ),
    )


def _as_parsed(
    opened: OpenIndex,
    text: str,
    as_typed: query.Query,
    preferred: Sequence[str],
    deadline: Deadline,
) -> tuple[query.Query, DocSet, bool]:
    """Every word required as the parser read the query (``as_typed``, of cleaned ``text``);
    any word (the parser's other reading) when none has them all."""
    reader, index_reader, every = opened.reader, opened.searcher.reader(), opened.table.every
    parsed = prefer(reader.searched(as_typed, index_reader), preferred, index_reader)
    matched = matching_docs(opened.postings, parsed, every, deadline)
    if not len(matched) and len(text.split()) > 1:
        any_word = reader.searched(reader.parse(text, any_word=True), index_reader, any_word=True)
        any_word = prefer(any_word, preferred, index_reader)
        any_matched = matching_docs(opened.postings, any_word, every, deadline)
        if len(any_matched):
            return any_word, any_matched, True
    return parsed, matched, False
