"""Which documents a query of words matches: the match rule, by the length of the query.

- A *short* query (up to ``SHORT_QUERY_WORDS`` words and phrases: "oil prices") wants every word.
  When fewer than ``relax_below`` articles have them all, the articles with most of the words
  follow them, ordered by how many of the words they have (``MatchRule.ALL_FIRST``).
- A *long* query (a question, a pasted paragraph) matches the articles with any of its words;
  ranking puts first those with the most of them, the rarest and most often (``MatchRule.MOST``).
  Requiring a share of the words was measured and lost the relevant articles that put a question
  in other words: on the test collections, even a fifth of the words cost a quarter of MAP.

Required clauses (phrases of a short query, ``section:`` and other field terms, OR groups,
prefixes) and excluded ones (``-word``, ``NOT``) apply to every result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import numpy as np

from indexer.search.deadline import NO_DEADLINE, Deadline
from indexer.search.docsets import DocSet, difference, intersection, matching_docs, union
from indexer.search.postings import TermPostings
from indexer.search.query_words import QueryWords, Word


class MatchRule(StrEnum):
    """What the results of a query have: the API's ``match``."""

    ALL = "all words"  # every result has every word
    ALL_FIRST = "all words first"  # those with every word first, then those with most
    MOST = "most words"  # ranked by how many words and how rare (a long query)


@dataclass(frozen=True)
class WordMatch:
    """The documents a query of words matches, and which of them have every word."""

    docs: DocSet
    all_words: DocSet
    rule: MatchRule
    word_docs: tuple[DocSet, ...]  # each word's documents, in the order of the query's words

    @property
    def relaxed(self) -> bool:
        """Some results lack a word of the query."""
        return len(self.all_words) < len(self.docs)

    def words_present(self, docs: DocSet) -> np.ndarray:
        """How many of the query's words each of ``docs`` has."""
        counts = np.zeros(len(docs), dtype=np.int32)
        for found in self.word_docs:
            counts += np.isin(docs, found, assume_unique=True)
        return counts


def match_words(
    postings: TermPostings,
    words: QueryWords,
    every: DocSet,
    relax_below: int,
    deadline: Deadline = NO_DEADLINE,
) -> WordMatch:
    """The documents ``words`` matches (``every``: all live documents)."""
    # each word's documents (an article of a language where it is a stop word has it), and
    # those where it stands (what "most words" counts)
    word_docs = tuple(documents_with(postings, word, every) for word in words.words)
    standing = tuple(
        documents_with(postings, replace(word, stop_spaces=()), every) if word.stop_spaces else d
        for word, d in zip(words.words, word_docs, strict=True)
    )
    allowed = every
    for clause in words.required:
        allowed = intersection(allowed, matching_docs(postings, clause, every, deadline))
    for clause in words.excluded:
        allowed = difference(allowed, matching_docs(postings, clause, every, deadline))
    ordered = sorted(word_docs, key=len)
    all_words = ordered[0] if ordered and allowed is every else allowed
    for found in ordered:
        if found is not all_words:
            all_words = intersection(all_words, found)
    if not word_docs:
        return WordMatch(allowed, allowed, MatchRule.ALL, word_docs)
    if not words.long and (len(all_words) >= relax_below or len(word_docs) == 1):
        return WordMatch(all_words, all_words, MatchRule.ALL, word_docs)
    some_words = union([all_words, intersection(union(list(standing)), allowed)])
    if words.long:
        return WordMatch(some_words, all_words, MatchRule.MOST, word_docs)
    if len(some_words) == len(all_words):
        return WordMatch(all_words, all_words, MatchRule.ALL, word_docs)
    return WordMatch(some_words, all_words, MatchRule.ALL_FIRST, word_docs)


def documents_with(postings: TermPostings, word: Word, every: DocSet) -> DocSet:
    """The documents that have ``word`` in any of its fields, in any of its forms (or are in a
    language where it is a stop word)."""
    if word.spaced and not word.stop_spaces:
        terms = [terms[0] for terms, _boost in word.alternatives]
        return union([postings.docs(f, term) for f in word.fields for term in terms])
    return matching_docs(postings, word.as_query(), every)
