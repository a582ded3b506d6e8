"""A long query's second pass: words learned from its best matches (pseudo-relevance feedback).

A question or a pasted paragraph names its subject in its own words; the articles about it use
others as well. RM3 (Lavrenko and Croft's relevance model, as Anserini runs it): the first pass
ranks by the query's words; the best ``feedback_docs`` matches are read (title, lead and body,
the lead counted twice, analysed as the index analyses them); each word's share of a
document's words, weighted by the document's score, is summed over them, and the
``feedback_words`` heaviest words (question words and numbers left out) join the query with
``feedback_weight`` of its weight, the query's own words keeping the rest. The second pass
reorders the same matches: the learned words bring in no article that has none of the words
asked for.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Container, Sequence

from indexer.analysis.tokenizer import LanguageText
from indexer.analysis.word_forms import namespace_of_term
from indexer.index.whoosh_types import Searcher
from indexer.search.kept import KeptWithin
from indexer.search.query_words import TEXT_FIELDS, Word

DOCUMENT_WORDS_BUDGET = 2_000_000  # words of read documents kept: a few thousand articles
LEAD_CHARS = 240  # of a body's first paragraph: its lead, counted twice


class DocumentWords:
    """The indexed words of documents, with their counts, read from the stored text once and
    kept within a budget."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.analyzer = searcher.schema["body"].analyzer
        self._kept: KeptWithin[Counter[str]] = KeptWithin(
            DOCUMENT_WORDS_BUDGET, lambda counts: len(counts) + 1
        )

    def of(self, docnum: int) -> Counter[str]:
        return self._kept.get(docnum, lambda: self._read(docnum))

    def _read(self, docnum: int) -> Counter[str]:
        stored = self.searcher.stored_fields(docnum)
        title, teaser, body = (str(stored.get(name) or "") for name in ("title", "teaser", "body"))
        fields = _read_fields(title, teaser, body)
        text = LanguageText("\n".join(fields), stored.get("language", ""))
        return Counter(token.text for token in self.analyzer(text))


def _read_fields(title: str, teaser: str, body: str) -> tuple[str, ...]:
    """The text a document's words are counted in: its title, its lead and its body. The lead
    (the source's teaser, or else the body's first LEAD_CHARS characters to a word) counts
    twice, as a news story says first what it is about. A teaser cut from the body (at a
    sentence end) is stored for display only: the lead is the same for every article,
    however its teaser was cut."""
    opening = teaser.rstrip(" …")
    if opening and not body.startswith(opening):
        return (title, teaser, body)
    first = body.split("\n\n", 1)[0]
    lead = first if len(first) <= LEAD_CHARS else first[:LEAD_CHARS].rsplit(" ", 1)[0]
    return (title, lead, body)


def feedback_words(
    documents: DocumentWords,
    first_pass: Sequence[tuple[int, float]],
    count: int,
    unwanted: Container[str],
) -> list[tuple[Word, float]]:
    """The ``count`` heaviest words of the first pass's best documents (``(docnum, score)``),
    with weights that sum to 1; none of ``unwanted`` (the question words, as indexed)."""
    model: dict[str, float] = {}
    for docnum, score in first_pass:
        words = documents.of(docnum)
        length = sum(words.values()) or 1
        for text, frequency in words.items():
            if _is_telling(text) and text not in unwanted:
                model[text] = model.get(text, 0.0) + score * frequency / length
    heaviest = heapq.nlargest(count, model.items(), key=lambda item: item[1])
    total = sum(weight for _text, weight in heaviest) or 1.0
    return [(Word(text, text, 1, TEXT_FIELDS), weight / total) for text, weight in heaviest]


def _is_telling(term: str) -> bool:
    """A term worth learning: not one letter (initials) nor a number, in any language (the
    namespace of a term, ``en:``, is not part of its word)."""
    space = namespace_of_term(term)
    word = term[len(space) + 1 :] if space else term
    return len(word) > 1 and not word.isdigit()
