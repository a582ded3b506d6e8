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

The counting is numpy's (each n-gram a number, counted by ``np.unique``): NLTK's finders count
in Python at about a tenth of the speed; they are given the counts and score what passed the
frequency floor. A phrase's weight is how often the archive uses it.
"""

from __future__ import annotations

import re
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
    words = phrase_words(text.titles + text.openings, unspaced)
    if len(words) < 3:
        return []
    counts = _NgramCounts(words)
    edge = counts.edge_words(function_words(language), unspaced)
    if unspaced:
        return [Phrase("".join(gram), language, n) for gram, n in counts.collocations(edge)]
    title_words = _NgramCounts(phrase_words(text.titles, False))
    edge |= counts.shunned_by(title_words)
    found = [Phrase(" ".join(gram), language, n) for gram, n in counts.collocations(edge)]
    found += [
        Phrase(word, language, counts.word_count(word))
        for word in title_words.frequent_words(counts.words_where(edge))
    ]
    return found


def phrase_words(texts: list[str], unspaced: bool) -> list[str]:
    """The lowercased words of ``texts`` (characters, for text written without spaces), with
    BREAK between texts and wherever punctuation or a number stood."""
    joined = f" {BREAK} ".join(texts).lower()
    if unspaced:
        return list(_NOT_UNSPACED.sub(BREAK, joined))
    return _NOT_WORD.sub(f" {BREAK} ", joined).split()


class _NgramCounts:
    """The words of a text as numbers, and its n-grams counted (numpy)."""

    def __init__(self, words: list[str]) -> None:
        self.words = list(dict.fromkeys([BREAK, *words]))  # BREAK is number 0
        vocabulary = {word: number for number, word in enumerate(self.words)}
        self.ids = np.fromiter(map(vocabulary.__getitem__, words), np.int64, len(words))
        self.vocabulary = vocabulary
        self.word_counts = np.bincount(self.ids, minlength=len(self.words))
        self.word_fd = FreqDist(dict(zip(self.words, self.word_counts.tolist(), strict=True)))

    def word_count(self, word: str) -> int:
        found = self.vocabulary.get(word)
        return int(self.word_counts[found]) if found is not None else 0

    def edge_words(self, listed: frozenset[str], unspaced: bool) -> np.ndarray:
        """Whether each word may not start or end a phrase: a break, a stop word, a word
        as common as FREQUENT_SHARE of the words, a single letter of a spaced language."""
        edge = np.array([word in listed or word == BREAK for word in self.words])
        if not unspaced:
            edge |= np.array([len(word) < 2 for word in self.words])
        total = self.word_counts.sum()
        edge |= self.word_counts >= max(FREQUENT_FROM, FREQUENT_SHARE * total)
        return edge

    def shunned_by(self, titles: _NgramCounts) -> np.ndarray:
        """Whether each word is one headlines shun (at a tenth of their rate of words or less:
        "said", "which", "would"), seen SHUNNED_FROM times or more."""
        in_titles = np.array([titles.word_count(word) for word in self.words])
        rate = in_titles.sum() / max(1, self.word_counts.sum())
        shunned: np.ndarray = (self.word_counts >= SHUNNED_FROM) & (
            in_titles < 0.1 * rate * self.word_counts
        )
        return shunned

    def words_where(self, chosen: np.ndarray) -> frozenset[str]:
        return frozenset(self.words[number] for number in np.flatnonzero(chosen).tolist())

    def frequent_words(self, excluded: frozenset[str]) -> list[str]:
        """The words seen at least MIN_COUNT times, but for the ``excluded``."""
        frequent = np.flatnonzero(self.word_counts >= MIN_COUNT).tolist()
        return [self.words[n] for n in frequent if self.words[n] not in excluded]

    def collocations(self, edge: np.ndarray) -> list[tuple[tuple[str, ...], int]]:
        """Bigrams and trigrams above the floor and MIN_PMI, with their counts."""
        bigrams, bigram_counts = self._counted(self._keys((0, 1)), 2)
        trigrams, trigram_counts = self._counted(self._keys((0, 1, 2)), 3)
        wildcards, wildcard_counts = self._counted(self._keys((0, 2)), 2)
        inside = ~edge[bigrams[0]] & ~edge[bigrams[1]]
        bigram_finder = BigramCollocationFinder(
            self.word_fd, self._fd(bigrams, bigram_counts, inside)
        )
        inside = ~edge[trigrams[0]] & ~edge[trigrams[2]]
        first, middle, last = (column[inside] for column in trigrams)
        size = len(self.words)
        pairs = bigrams[0] * size + bigrams[1]  # the scoring of the trigrams reads these only:
        needed = np.isin(pairs, np.concatenate([first * size + middle, middle * size + last]))
        apart = np.isin(wildcards[0] * size + wildcards[1], first * size + last)
        trigram_finder = TrigramCollocationFinder(
            self.word_fd,
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

    def _keys(self, offsets: tuple[int, ...]) -> np.ndarray:
        """Each n-gram of words at ``offsets`` from a start as one number."""
        size = len(self.words)
        span = offsets[-1]
        keys = np.zeros(len(self.ids) - span, dtype=np.int64)
        for offset in offsets:
            keys = keys * size + self.ids[offset : len(self.ids) - span + offset]
        return keys

    def _counted(self, keys: np.ndarray, width: int) -> tuple[list[np.ndarray], np.ndarray]:
        """The distinct n-grams seen at least MIN_COUNT times, as columns of word numbers,
        none with a break in it, and their counts."""
        distinct, counts = np.unique(keys, return_counts=True)
        distinct, counts = distinct[counts >= MIN_COUNT], counts[counts >= MIN_COUNT]
        size = len(self.words)
        columns = []
        for _ in range(width):
            columns.append(distinct % size)
            distinct = distinct // size
        columns.reverse()
        whole = np.ones(len(counts), dtype=bool)
        for column in columns:
            whole &= column != 0
        return [column[whole] for column in columns], counts[whole]

    def _fd(self, columns: list[np.ndarray], counts: np.ndarray, keep: np.ndarray) -> FreqDist:
        rows = zip(*(column[keep].tolist() for column in columns), strict=True)
        grams = [tuple(self.words[number] for number in row) for row in rows]
        return FreqDist(dict(zip(grams, counts[keep].tolist(), strict=True)))
