"""Did you mean: a differently spelled query that finds many more articles.

Suggestions come from the ``words`` field, which holds real words (accents folded, never stems) of
titles and teasers, so a suggestion is always something a reader could have typed.

Three cases, as readers know them from the big search engines:

- a word no article has (``electon``, or ``pirces`` in ``oil pirces``) is corrected whatever the
  other words found, if the corrected query finds something;
- a rare word that is one edit off a word FAR_MORE times as frequent (``goverment``: ten wire
  stories misspell it, thousands spell it right), or two edits for a word of TWO_EDITS_FROM
  letters or more (``tarrif``: ``tariff``), is corrected, unless the articles that have it
  write it with a capital letter (a name: ``Marr`` is not a misspelt ``mark``), if the corrected
  query finds MIN_GAIN times as many articles. A rare word is otherwise left alone: ``wool``
  (5 articles) is not a misspelt ``wood`` (88).

A word one edit away (a letter missing, extra, wrong, or two letters swapped: a transposition
is one edit, as NLTK's Damerau-Levenshtein ``edit_distance`` counts it) is found by trying every
such edit against the field's words, held in memory: a fraction of a millisecond. Only a word
that is in no article at all, or a long one with nothing one edit away, is then looked for two
edits away (``near_words``: Whoosh's corrector's answers, about ten times faster), its finds
compared by NLTK's distance; a short real but rare word is not second-guessed that far.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

from nltk.metrics.distance import edit_distance

from indexer.errors import QueryError
from indexer.index.whoosh_types import Searcher
from indexer.search.deadline import NO_DEADLINE, Deadline
from indexer.search.docsets import DocSet, matching_docs
from indexer.search.near_words import NearWords
from indexer.search.postings import TermPostings
from indexer.search.query_languages import word_terms
from indexer.search.query_parser import QueryReader

MIN_GAIN = 3  # a suggestion for a word some articles have must find this many times more
FAR_MORE = 25  # a word found in this many times more articles is the word a rare one misspells
RARE_SHARE = 0.002  # a word in at most this share of the articles (or 20 of them) is rare
NAME_SAMPLE = 10  # articles read to tell whether a rare word is written as a name
SEARCHED_FIELDS = ("title", "teaser", "body")
TWO_EDITS_FROM = 6  # letters: a word this long may be two edits off (``tarrif``: ``tariff``)
CANDIDATES = 10  # of Whoosh's within two edits, compared by NLTK's distance
_PLAIN_WORD = re.compile(r"[^\W\d_]{3,}")
_SENTENCE_END = re.compile(r"[.!?:\"'(\[]\s*$")


class SpellingWords:
    """The words of one generation's ``words`` field, read on first use."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self._words: frozenset[str] | None = None
        self._near: NearWords | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            lexicon = self.searcher.reader().lexicon("words")
            self._words = frozenset(term.decode("utf-8") for term in lexicon)
        return self._words

    @property
    def near(self) -> NearWords:
        if self._near is None:
            self._near = NearWords(self.words)
        return self._near

    def correct(self, word: str) -> str | None:
        """The most frequent word one edit away that starts with the same letter; failing
        that, for a word in no article, the closest of Whoosh's within two edits (a
        transposition counted as one), the most frequent of those."""
        close = self.close_words(word)
        frequency = self.searcher.frequency
        if close:
            return max(sorted(close), key=lambda w: frequency("words", w))
        if self._indexed(word):
            return None
        found = self._two_edit_candidates(word)
        return min(found, key=lambda w: (edits(word, w), -frequency("words", w)), default=None)

    def close_words(self, word: str) -> set[str]:
        """The words of the field one edit from ``word`` (a transposition is one) that start
        with its letter."""
        close = {w for w in one_edit_away(word) if w in self.words and w[0] == word[0]}
        close.discard(word)
        return close

    def two_edits_words(self, word: str) -> set[str]:
        """The words of the field two edits from ``word`` that start with its letter."""
        return {w for w in self._two_edit_candidates(word) if edits(word, w) == 2}

    def _two_edit_candidates(self, word: str) -> list[str]:
        """The CANDIDATES most frequent words of the field within two edits of ``word`` (a
        transposition is one), starting with its letter, as Whoosh's corrector finds them."""
        frequency = self.searcher.frequency
        found = self.near.suggest(word, lambda w: frequency("words", w), CANDIDATES)
        return [w for w in found if w != word]

    def _indexed(self, word: str) -> bool:
        """Whether a search for ``word`` finds anything (in any searched field)."""
        return self.article_count(word) > 0

    def article_count(self, word: str) -> int:
        """About how many articles a search for ``word`` finds: the most of any searched field."""
        return max((count for _field, _term, count in self._postings_of(word)), default=0)

    def misspelt(self, word: str) -> str | None:
        """For a rare word that is found in some articles: the word it misspells, when one an
        edit off (two for a long word) is found in FAR_MORE times as many articles and ``word``
        is no name."""
        count = self.article_count(word)
        if not 0 < count <= max(20, self.searcher.doc_count() * RARE_SHARE):
            return None
        frequent = self._far_more_frequent(self.close_words(word), count)
        if not frequent and len(word) >= TWO_EDITS_FROM:
            frequent = self._far_more_frequent(self.two_edits_words(word), count)
        if not frequent or self._written_as_name(word):
            return None
        return max(frequent, key=self.article_count)

    def _far_more_frequent(self, words: set[str], count: int) -> list[str]:
        return [w for w in sorted(words) if self.article_count(w) >= FAR_MORE * count]

    def _written_as_name(self, word: str) -> bool:
        """Whether the articles with ``word`` mostly write it with a capital letter where a
        sentence does not begin (titles left out: wire headlines capitalise every word)."""
        pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
        capitals = lower = 0
        for docnum in self._some_articles_with(word):
            stored = self.searcher.stored_fields(docnum)
            text = f"{stored.get('teaser', '')}\n{stored.get('body', '')}"
            for found in pattern.finditer(text):
                if _SENTENCE_END.search(text, max(0, found.start() - 3), found.start()):
                    continue
                if found.group()[0].isupper():
                    capitals += 1
                else:
                    lower += 1
        return capitals > lower

    def _some_articles_with(self, word: str) -> list[int]:
        for fieldname, term, count in self._postings_of(word):
            if count and fieldname != "title":
                ids = self.searcher.reader().postings(fieldname, term).all_ids()
                return [docnum for _n, docnum in zip(range(NAME_SAMPLE), ids, strict=False)]
        return []

    def _postings_of(self, word: str) -> Iterator[tuple[str, str, int]]:
        """(field, indexed term, articles with it) for ``word`` in each searched field, as it is
        analysed in each language of the index."""
        for fieldname in SEARCHED_FIELDS:
            for term in word_terms(self.searcher.reader(), fieldname, word):
                yield fieldname, term, self.searcher.doc_frequency(fieldname, term)


def edits(word: str, other: str) -> int:
    """The edits from ``word`` to ``other``: a letter added, dropped, changed, or two letters
    swapped (NLTK's Damerau-Levenshtein distance)."""
    return int(edit_distance(word, other, transpositions=True))


def one_edit_away(word: str) -> Iterator[str]:
    """Every string one deletion, transposition, substitution or insertion (a-z) from
    ``word``; some more than once, and ``word`` itself."""
    letters = string.ascii_lowercase
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right:
            yield left + right[1:]
            for letter in letters:
                yield left + letter + right[1:]
        if len(right) > 1:
            yield left + right[1] + right[0] + right[2:]
        for letter in letters:
            yield left + letter + right


def suggest_spelling(
    spelling: SpellingWords,
    reader: QueryReader,
    q: str,
    total: int,
    postings: TermPostings,
    every: DocSet,
    deadline: Deadline = NO_DEADLINE,
) -> str | None:
    """The corrected query text, or None when there is nothing better to suggest; ``total``:
    the articles ``q`` found; the suggestion's are matched in ``postings`` (``every``: the
    live documents)."""
    if not q.strip():
        return None
    words = q.split()
    unknown = False  # a word no article has was corrected
    for position, word in enumerate(words):
        if not _PLAIN_WORD.fullmatch(word):
            continue  # operators, fields, phrases, numbers: left as typed
        lowered = word.lower()
        if lowered in spelling.words:
            continue
        if spelling.article_count(lowered):
            found = spelling.misspelt(lowered)
        else:
            found = spelling.correct(lowered)
            unknown = unknown or found is not None
        if found:
            words[position] = found
    if words == q.split():
        return None
    suggestion = " ".join(words)
    try:
        parsed = reader.read(suggestion, spelling.searcher.reader())
    except QueryError:
        return None
    found_total = len(matching_docs(postings, parsed, every, deadline)) if parsed is not None else 0
    enough = 1 if unknown else max(1, total * MIN_GAIN)
    return suggestion if found_total >= enough else None
