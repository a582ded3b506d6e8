"""The archive's own phrases: what the search box completes a prefix to.

Mined at ``indexer rebuild`` from each article's headline and opening, one language at a time:

- phrases of two and three words that go together more often than their words' frequencies
  explain (NLTK's ``BigramCollocationFinder`` and ``TrigramCollocationFinder``, scored by
  pointwise mutual information, kept from ``MIN_PMI``), seen at least ``MIN_COUNT`` times (the
  floor that keeps PMI from favouring chance pairs of rare words), never starting or ending
  with a stop word or a function word ("have", "last"), a word as common as
  ``FREQUENT_SHARE`` of the text or a word headlines shun ("said it has" is no phrase), never
  across punctuation;
- the words of headlines seen at least ``MIN_COUNT`` times: the names and subjects of the news.

Text written without spaces (Chinese, Japanese) is mined as characters, so its phrases are the
runs of two and three characters that go together (its words).

The counting is numpy's (each n-gram a number, counted by sorting): NLTK's finders count
in Python at about a tenth of the speed; they are given the counts and score what passed the
frequency floor. A phrase's weight is how often the archive uses it. The words are split and
numbered ``CHUNK_TEXTS`` texts at a time, so that only the vocabulary and the numbers (int32)
stay in memory, not every word as a Python string (a gigabyte at 200,000 articles); the
headlines come first, so their words are the first of those numbers, not split again.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from nltk.collocations import BigramCollocationFinder, TrigramCollocationFinder
from nltk.metrics import BigramAssocMeasures, TrigramAssocMeasures
from nltk.probability import FreqDist

from indexer.analysis.scripts import CJK_CLASS
from indexer.analysis.word_lists import function_words

MIN_COUNT = 3  # the frequency floor of a phrase or headline word
MIN_PMI = 3.0  # bits: the words go together at least 8 times as often as chance explains
OPENING_CHARS = 400  # of each body, mined with its headline
FREQUENT_SHARE = 0.003  # a word this common ("said", "mln") starts or ends no phrase...
FREQUENT_FROM = 500  # ... once seen this often (a small archive's common words are its subjects)
SHUNNED_FROM = 50  # a word seen this often that headlines shun starts or ends no phrase
UNSPACED_LANGUAGES = frozenset({"zh", "ja", "yue", "wuu"})
BREAK = "|"  # stands where punctuation or another piece of text breaks the words
CHUNK_TEXTS = 2000  # texts split into words at a time (a few megabytes of strings)
_KEYS_END = 2**63  # an int64 key is below it
_NOT_WORD = re.compile(r"[^\w\s]+|\d+|_")
_NOT_UNSPACED = re.compile(f"[^{CJK_CLASS}]+")


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str  # lowercased, words joined by a space (none in text written without spaces)
    language: str  # primary language code
    count: int  # how often the archive's mined text uses it


@dataclass
class LanguageText:
    """The text of one language's articles that phrases are mined from."""

    titles: list[str]
    openings: list[str]


def mine_phrases(texts: dict[str, LanguageText]) -> list[Phrase]:
    """The phrases and headline words of each language's ``texts``."""
    phrases: list[Phrase] = []
    for language, text in sorted(texts.items()):
        phrases.extend(_language_phrases(language, text))
    return phrases


def _language_phrases(language: str, text: LanguageText) -> Iterable[Phrase]:
    unspaced = language in UNSPACED_LANGUAGES
    numbered = NumberedWords(unspaced)
    numbered.add(text.titles)
    title_length = numbered.length  # the headlines' words: numbered first, in their own order
    numbered.add(text.openings)
    if numbered.length < 3:
        return []
    counts = _NgramCounts(*numbered.words_and_ids())
    edge = counts.edge_words(function_words(language), unspaced)
    if unspaced:
        return [Phrase("".join(gram), language, n) for gram, n in counts.collocations(edge)]
    in_titles = counts.counts_of_first(title_length)
    edge |= counts.shunned_by(in_titles)
    found = [Phrase(" ".join(gram), language, n) for gram, n in counts.collocations(edge)]
    found += [
        Phrase(counts.words[number], language, int(counts.word_counts[number]))
        for number in np.flatnonzero((in_titles >= MIN_COUNT) & ~edge).tolist()
    ]
    return found


def phrase_words(texts: list[str], unspaced: bool) -> list[str]:
    """The lowercased words of ``texts`` (characters, for text written without spaces), with
    BREAK between texts and wherever punctuation or a number stood."""
    return _words_of(f" {BREAK} ".join(texts), unspaced)


def _words_of(joined: str, unspaced: bool) -> list[str]:
    if unspaced:
        return list(_NOT_UNSPACED.sub(BREAK, joined.lower()))
    return _NOT_WORD.sub(f" {BREAK} ", joined.lower()).split()


class NumberedWords:
    """The words of a language's texts as numbers (in the order of first use; BREAK is 0),
    as ``phrase_words`` splits them all at once, but split ``chunk_texts`` at a time: only
    the vocabulary and the numbers stay (an archive's words as Python strings would take a
    gigabyte and more)."""

    def __init__(self, unspaced: bool, chunk_texts: int = CHUNK_TEXTS) -> None:
        self.unspaced = unspaced
        self.chunk_texts = chunk_texts
        new_number = itertools.count(1).__next__
        self.vocabulary: defaultdict[str, int] = defaultdict(new_number, {BREAK: 0})
        self.pieces: list[np.ndarray] = []
        self.length = 0  # of the numbers so far
        self.last = -1  # the last number so far
        self.texts = 0  # so far

    def add(self, texts: list[str]) -> None:
        for start in range(0, len(texts), self.chunk_texts):
            self._add_chunk(texts[start : start + self.chunk_texts])

    def _add_chunk(self, chunk: list[str]) -> None:
        """Number the words of ``chunk`` as if joined to the texts before it by a BREAK."""
        joined = f" {BREAK} ".join(chunk)
        words = _words_of(f" {BREAK} {joined}" if self.texts else joined, self.unspaced)
        if self.unspaced and self.last == 0 and words:
            words = words[1:]  # a run of characters besides CJK is one BREAK across chunks
        ids = np.fromiter(map(self.vocabulary.__getitem__, words), np.int32, len(words))
        self.pieces.append(ids)
        self.length += len(ids)
        self.last = int(ids[-1]) if len(ids) else self.last
        self.texts += len(chunk)

    def words_and_ids(self) -> tuple[list[str], np.ndarray]:
        """The words by number, and the numbers of the text's words in order."""
        self.vocabulary.default_factory = None
        ids = np.concatenate(self.pieces) if self.pieces else np.zeros(0, np.int32)
        self.pieces = []
        return list(self.vocabulary), ids


class _NgramCounts:
    """The words of a text as numbers, and its n-grams counted (numpy)."""

    def __init__(self, words: list[str], ids: np.ndarray) -> None:
        self.words = words  # by number: BREAK is number 0
        self.ids = ids
        self.word_counts = np.bincount(self.ids, minlength=len(self.words))

    def counts_of_first(self, length: int) -> np.ndarray:
        """How often each word is used in the text's first ``length`` words."""
        return np.bincount(self.ids[:length], minlength=len(self.words))

    def edge_words(self, listed: frozenset[str], unspaced: bool) -> np.ndarray:
        """Whether each word may not start or end a phrase: a break, a stop word, a word
        as common as FREQUENT_SHARE of the words, a single letter of a spaced language."""
        edge = np.array([word in listed or word == BREAK for word in self.words])
        if not unspaced:
            edge |= np.array([len(word) < 2 for word in self.words])
        total = self.word_counts.sum()
        edge |= self.word_counts >= max(FREQUENT_FROM, FREQUENT_SHARE * total)
        return edge

    def shunned_by(self, in_titles: np.ndarray) -> np.ndarray:
        """Whether each word is one headlines shun (at a tenth of their rate of words or less:
        "said", "which", "would"), seen SHUNNED_FROM times or more; ``in_titles``: how often
        the headlines use each word."""
        rate = in_titles.sum() / max(1, self.word_counts.sum())
        shunned: np.ndarray = (self.word_counts >= SHUNNED_FROM) & (
            in_titles < 0.1 * rate * self.word_counts
        )
        return shunned

    def collocations(self, edge: np.ndarray) -> list[tuple[tuple[str, ...], int]]:
        """Bigrams and trigrams above the floor and MIN_PMI, with their counts."""
        bigrams, bigram_counts = self._counted((0, 1))
        trigrams, trigram_counts = self._counted((0, 1, 2))
        wildcards, wildcard_counts = self._counted((0, 2))
        word_fd = FreqDist(dict(zip(self.words, self.word_counts.tolist(), strict=True)))
        inside = ~edge[bigrams[0]] & ~edge[bigrams[1]]
        bigram_finder = BigramCollocationFinder(word_fd, self._fd(bigrams, bigram_counts, inside))
        inside = ~edge[trigrams[0]] & ~edge[trigrams[2]]
        first, middle, last = (column[inside] for column in trigrams)
        size = len(self.words)
        pairs = bigrams[0] * size + bigrams[1]  # the scoring of the trigrams reads these only:
        needed = np.isin(pairs, np.concatenate([first * size + middle, middle * size + last]))
        apart = np.isin(wildcards[0] * size + wildcards[1], first * size + last)
        trigram_finder = TrigramCollocationFinder(
            word_fd,
            self._fd(bigrams, bigram_counts, needed),
            self._fd(wildcards, wildcard_counts, apart),
            self._fd(trigrams, trigram_counts, inside),
        )
        found = []
        for finder, measure in (
            (bigram_finder, BigramAssocMeasures.pmi),
            (trigram_finder, TrigramAssocMeasures.pmi),
        ):
            for gram, score in finder.score_ngrams(measure):
                if score >= MIN_PMI:
                    found.append((gram, finder.ngram_fd[gram]))
        return found

    def _counted(self, offsets: tuple[int, ...]) -> tuple[list[np.ndarray], np.ndarray]:
        """The distinct n-grams of words at ``offsets`` from a start seen at least MIN_COUNT
        times, as columns of word numbers, none with a break in it, and their counts."""
        span = offsets[-1]
        starts = len(self.ids) - span
        grams = [self.ids[offset : starts + offset] for offset in offsets]
        columns, counts = distinct_rows(grams, len(self.words), MIN_COUNT)
        whole = np.ones(len(counts), dtype=bool)
        for column in columns:
            whole &= column != 0
        return [column[whole] for column in columns], counts[whole]

    def _fd(self, columns: list[np.ndarray], counts: np.ndarray, keep: np.ndarray) -> FreqDist:
        rows = zip(*(column[keep].tolist() for column in columns), strict=True)
        grams = [tuple(self.words[number] for number in row) for row in rows]
        return FreqDist(dict(zip(grams, counts[keep].tolist(), strict=True)))


def distinct_rows(
    columns: list[np.ndarray], size: int, least: int
) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of ``columns`` (numbers from 0 to ``size`` - 1) seen at least ``least``
    times, in order, as columns (int64), and how often each is seen.

    Each row is counted as one int64 key, its numbers the digits of base ``size`` (sorting
    those takes a tenth of the time of sorting the rows: lexsort, np.unique(axis=0)). Where the
    next digit would take the keys past int64 (three columns of a vocabulary over 2**21
    words), the keys so far are first replaced by their ranks among them: that keeps their
    order and bounds them by the rows' number, so no key overflows."""
    keys = columns[0].astype(np.int64)
    bound = size  # every key is below it
    ranked: list[np.ndarray | None] = []  # per further column: what the keys' ranks stand for
    for column in columns[1:]:
        prefixes = None
        if bound * size > _KEYS_END:
            prefixes, keys = np.unique(keys, return_inverse=True)
            bound = len(prefixes)
            if bound * size > _KEYS_END:
                raise OverflowError(f"{bound} distinct keys of {size} numbers pass int64")
        ranked.append(prefixes)
        keys *= size
        keys += column
        bound *= size
    distinct, counts = _counted_keys(keys)
    distinct, counts = distinct[counts >= least], counts[counts >= least]
    found = []
    for prefixes in reversed(ranked):
        found.append(distinct % size)
        distinct //= size
        if prefixes is not None:
            distinct = prefixes[distinct]
    found.append(distinct)
    found.reverse()
    return found, counts


def _counted_keys(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``keys`` in order and how often each is seen: np.unique's, but sorting
    ``keys`` in place (np.unique sorts a copy: at 200,000 articles, another 95 MB)."""
    keys.sort()
    starts_run = np.empty(len(keys), dtype=bool)
    starts_run[:1] = True
    starts_run[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(starts_run)
    counts = np.diff(np.append(starts, len(keys)))
    return keys[starts], counts
