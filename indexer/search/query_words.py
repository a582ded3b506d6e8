"""The words of a query, as the match rule and ranking read them.

The parser (``query_parser``) turns text into a Whoosh query; here that query is read as clauses
in the order written: *words* (one word looked for in every text field), *phrases*, and the rest
(``section:``/``author:``/``title:`` terms, ``OR`` groups, ``prefix*``), which are *required*,
and the *excluded* ones (``-word``, ``NOT``). A query of another shape (``+word``) gets None and
is searched as the parser reads it.

What this reading changes, and why (each measured with ``python -m bench relevance``):

- A word repeated in the query counts more (the parser drops repeats): in a pasted paragraph the
  words it keeps coming back to are what it is about.
- Question words are left out when other words remain: "what articles are there about price
  controls" searches for price controls. The list ships in
  ``indexer/analysis/question_words/<language>.txt``; a word written in capitals (IT, AM) is always
  kept.
- A *long* query (more than ``SHORT_QUERY_WORDS`` words and phrases) is read as text: its phrases
  count as their words, since quotes in a pasted paragraph are quotations.
- Past ``MAX_QUERY_WORDS`` words, the most telling ones are kept (the rarest in the index, a
  repeated word counting more) and the rest are named in the results, never refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache

from whoosh import query

from indexer.analysis.tokenizer import NewsAnalyzer
from indexer.analysis.word_forms import default_language_code, namespace_of_term
from indexer.analysis.word_lists import question_word_groups
from indexer.index.index_formats import term_text
from indexer.index.schema import SEARCH_FIELD_BOOSTS
from indexer.search.language_bm25 import NAMESPACES_FIELD

SHORT_QUERY_WORDS = 3  # up to this many words and phrases, a query wants every one of them
MAX_QUERY_WORDS = 60  # words a query is searched for; past that, the most telling ones
TEXT_FIELDS = tuple(SEARCH_FIELD_BOOSTS)
_NEXT_WORD = re.compile(r"[\s\"'(),;:.!?]*([^\W\d_][\w'’-]*)")


@dataclass(frozen=True)
class QuestionWords:
    """Words a question or request is made of, rather than what it asks about."""

    words: frozenset[str]  # left out wherever they stand
    asking_for: frozenset[str]  # left out just before a word of ``about`` ("articles on")
    about: frozenset[str]
    namespace: str = ""  # the namespace of the list's language ("en")

    def leaves_out(self, word: Word, next_word: str) -> bool:
        """Whether ``word`` only asks: it is in the list, and written in no other language of
        the index (German ``an`` and ``die`` are words there)."""
        written = word.written
        if written.isupper() and len(written) > 1:  # an acronym: IT, AM, WHO
            return False
        if any(namespace_of_term(terms[0]) != self.namespace for terms, _ in word.forms):
            return False
        text = written.lower().rstrip(".")
        return text in self.words or (text in self.asking_for and next_word.lower() in self.about)


@cache
def question_words(language: str) -> QuestionWords:
    """The question words shipped for ``language`` (none where no list ships)."""
    groups = question_word_groups(language)
    return QuestionWords(
        groups["words"], groups["asking for"], groups["about"], default_language_code(language)
    )


NO_QUESTION_WORDS = QuestionWords(frozenset(), frozenset(), frozenset())


Form = tuple[tuple[str, ...], float]  # a word's terms in one language (in sequence), its boost


@dataclass(frozen=True)
class Word:
    """A word of a query: its ``text`` (as typed, lowercased; a term, for words learned from
    documents), the text fields it is looked for in and how often the query has it. ``forms``
    are the terms it stands for in each language of the index where it exists (``languages``):
    one term for a spaced word, the sequence of bigrams for an unspaced one; a preferred
    language's with a boost. ``stop_spaces``: the namespaces where it is a stop word, which
    every article of that language counts as having."""

    text: str
    written: str
    count: int
    fields: tuple[str, ...]
    forms: tuple[Form, ...] = ()  # none: the word is its text, as a term
    stop_spaces: tuple[str, ...] = ()

    @property
    def alternatives(self) -> tuple[Form, ...]:
        return self.forms or (((self.text,), 1.0),)

    @property
    def key(self) -> tuple[tuple[Form, ...], tuple[str, ...]]:
        """What the word is looked for as: two written forms of one stem are one word."""
        return self.alternatives, self.stop_spaces

    @property
    def spaced(self) -> bool:
        """Every form of the word is one term (no bigram sequence)."""
        return all(len(terms) == 1 for terms, _boost in self.alternatives)

    def as_query(self) -> query.Query:
        parts: list[query.Query] = []
        for fieldname in self.fields:
            weight = SEARCH_FIELD_BOOSTS[fieldname]
            for terms, boost in self.alternatives:
                parts.append(
                    query.Term(fieldname, terms[0], boost=weight * boost)
                    if len(terms) == 1
                    else query.Phrase(fieldname, list(terms), boost=weight * boost)
                )
        parts += [query.Term(NAMESPACES_FIELD, space, boost=0.0) for space in self.stop_spaces]
        return query.Or(parts)


Localize = Callable[[Word], "Word | None"]  # a word as typed -> its forms; None: a stop word


@dataclass(frozen=True)
class QueryWords:
    """A query read as words, required clauses (phrases of a short query, fields, OR groups,
    prefixes) and excluded clauses; and the words it leaves out, as written."""

    words: tuple[Word, ...]
    required: tuple[query.Query, ...]
    excluded: tuple[query.Query, ...]
    long: bool  # more than SHORT_QUERY_WORDS words and phrases: read as text
    question_words: tuple[str, ...]
    over_limit: tuple[str, ...]

    def as_query(self) -> query.Query:
        """The whole query as Whoosh reads it, every word required (for marking words and for
        counting matches of spelling suggestions)."""
        parts = [word.as_query() for word in self.words] + list(self.required)
        positive: query.Query = query.And(parts) if len(parts) != 1 else parts[0]
        if self.excluded:
            return query.AndNot(positive, query.Or(list(self.excluded)))
        return positive


@dataclass
class _Clauses:
    localize: Localize
    words: list[tuple[Word, str]] = field(default_factory=list)  # with the word written after it
    phrases: list[query.Or] = field(default_factory=list)
    required: list[query.Query] = field(default_factory=list)
    excluded: list[query.Query] = field(default_factory=list)

    def add_word(self, word: Word, next_word: str) -> None:
        """A word as typed, looked for as its forms (a stop word wherever it could be found
        is left out)."""
        found = self.localize(word)
        if found is not None:
            self.words.append((found, next_word))


def read_query_words(
    parsed: query.Query,
    text: str,
    questions: QuestionWords,
    rarity: Callable[[Word], float],
    localize: Localize,
) -> QueryWords | None:
    """The words of ``parsed`` (the parser's query of ``text``, not normalized, so that repeated
    words are still there); ``rarity`` weighs a word by how telling it is in the index,
    ``localize`` gives a word as typed its forms in the index's languages. None for a query
    that is not of words, phrases and filters, or has none of them (only stop words, only
    excluded words)."""
    clauses = _Clauses(localize)
    if not _collect(parsed, text, clauses) or not (
        clauses.words or clauses.phrases or clauses.required
    ):
        return None
    return _read(clauses, questions, rarity)


def read_text_words(
    text: str,
    analyzer: NewsAnalyzer,
    questions: QuestionWords,
    rarity: Callable[[Word], float],
    localize: Localize,
) -> QueryWords:
    """The words of a text read as text, without the query language (a pasted paragraph)."""
    clauses = _Clauses(localize)
    for token in analyzer(text, chars=True, mode="query"):
        written = text[token.startchar : token.endchar]
        match = _NEXT_WORD.match(text, token.endchar)
        clauses.add_word(Word(token.text, written, 1, TEXT_FIELDS), match.group(1) if match else "")
    return _read(clauses, questions, rarity)


def _read(
    clauses: _Clauses, questions: QuestionWords, rarity: Callable[[Word], float]
) -> QueryWords:
    """The query's words counted, its question words and the words past the limit left out."""
    asked = [(w, questions.leaves_out(w, after)) for w, after in clauses.words]
    kept = [w for w, is_question in asked if not is_question]
    if kept or clauses.phrases or clauses.required:
        words = _counted(kept)
        left_out = list(dict.fromkeys(w.written for w, is_question in asked if is_question))
    else:  # nothing but question words: search for them after all
        words, left_out = _counted(w for w, _is_question in asked), []
    long = len(words) + len(clauses.phrases) > SHORT_QUERY_WORDS
    required = list(clauses.required)
    if long:  # read as text: phrases as their words, unspaced words as their bigrams
        phrase_words = [clauses.localize(w) for p in clauses.phrases for w in _phrase_words(p)]
        words = _counted(words + [w for w in phrase_words if w is not None])
        words = _counted(part for word in words for part in _as_text_words(word))
    else:
        required += clauses.phrases
    telling = sorted(words, key=lambda w: -rarity(w) * (1 + math.log(w.count)))
    kept_texts = {w.text for w in telling[:MAX_QUERY_WORDS]}
    return QueryWords(
        words=tuple(w for w in words if w.text in kept_texts),
        required=tuple(required),
        excluded=tuple(clauses.excluded),
        long=long,
        question_words=tuple(left_out),
        over_limit=tuple(w.written for w in words if w.text not in kept_texts),
    )


def _as_text_words(word: Word) -> list[Word]:
    """A word of a long query as it counts there: without its stop namespaces (an article
    needs some of the words, not a stop word), and an unspaced word as its bigrams, each a word
    of its own (a pasted text's runs of Chinese are no phrases to find as they stand)."""
    if word.spaced:
        return [replace(word, stop_spaces=())]
    parts: dict[str, list[Form]] = {}  # each bigram in every language it stands in
    for terms, boost in word.alternatives:
        for term in terms:
            parts.setdefault(term.split(":", 1)[-1], []).append(((term,), boost))
    return [
        Word(plain, plain, word.count, word.fields, tuple(dict.fromkeys(forms)))
        for plain, forms in parts.items()
    ]


def _collect(node: query.Query, text: str, clauses: _Clauses) -> bool:
    """Sort the clauses of ``node`` into ``clauses``; False for a shape this reading does not
    take (``+word``)."""
    kind = type(node)
    if kind is query.And:
        return all(_collect(child, text, clauses) for child in node.subqueries)
    if kind is query.AndNot:
        clauses.excluded.append(node.b)
        return _collect(node.a, text, clauses)
    if kind is query.Not:
        clauses.excluded.append(node.query)
        return True
    if kind is query.AndMaybe:
        return False
    if kind is query.Or and not node.subqueries:  # a stop word
        return True
    word = _as_word(node, text)
    if word is not None:
        match = _NEXT_WORD.match(text, getattr(node.subqueries[0], "endchar", None) or len(text))
        clauses.add_word(word, match.group(1) if match else "")
    elif kind is query.Or and _same_phrase(node.subqueries):
        clauses.phrases.append(node)
    else:
        clauses.required.append(node)
    return True


def _as_word(node: query.Query, text: str) -> Word | None:
    """One word looked for in the text fields (the parser's Or of one term per field)."""
    if type(node) is not query.Or or not node.subqueries:
        return None
    terms = node.subqueries
    if not all(type(t) is query.Term and t.fieldname in SEARCH_FIELD_BOOSTS for t in terms):
        return None
    if len({t.text for t in terms}) != 1:
        return None
    start, end = getattr(terms[0], "startchar", None), getattr(terms[0], "endchar", None)
    written = text[start:end] if start is not None and end is not None else str(terms[0].text)
    fields = tuple(t.fieldname for t in terms)
    return Word(term_text(terms[0].text), written, 1, fields)


def _same_phrase(children: list[query.Query]) -> bool:
    return all(
        type(c) is query.Phrase and c.fieldname in SEARCH_FIELD_BOOSTS for c in children
    ) and (len({tuple(c.words) for c in children}) == 1)


def _phrase_words(phrase: query.Or) -> list[Word]:
    first = phrase.subqueries[0]
    fields = tuple(p.fieldname for p in phrase.subqueries)
    return [Word(term_text(w), term_text(w), 1, fields) for w in first.words]


def _counted(words: Iterable[Word]) -> list[Word]:
    """Repeated words as one, with their count (in the order each first appears): two written
    forms of one stem (price, prices) are one word."""
    counted: dict[tuple[tuple[Form, ...], tuple[str, ...]], Word] = {}
    for word in words:
        seen = counted.get(word.key)
        counted[word.key] = word if seen is None else replace(seen, count=seen.count + word.count)
    return list(counted.values())
