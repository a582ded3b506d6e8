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
  controls" searches for price controls. The list ships in ``wordlists/<language>.txt``; a word
  written in capitals (IT, AM) is always kept.
- A *long* query (more than ``SHORT_QUERY_WORDS`` words and phrases) is read as text: its phrases
  count as their words, since quotes in a pasted paragraph are quotations.
- Past ``MAX_QUERY_WORDS`` words, the most telling ones are kept (the rarest in the index, a
  repeated word counting more) and the rest are named in the results, never refused.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from whoosh import query

from indexer.index.schema import SEARCH_FIELD_BOOSTS

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

    def leaves_out(self, written: str, next_word: str) -> bool:
        if written.isupper() and len(written) > 1:  # an acronym: IT, AM, WHO
            return False
        word = written.lower().rstrip(".")
        return word in self.words or (word in self.asking_for and next_word.lower() in self.about)


@cache
def question_words(language: str) -> QuestionWords:
    """The question words shipped for ``language`` (none where no list ships)."""
    groups: dict[str, set[str]] = {"words": set(), "asking for": set(), "about": set()}
    try:
        text = resources.files("indexer.search.wordlists").joinpath(f"{language}.txt")
        lines = text.read_text("utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    group = groups["words"]
    for line in (line.split("#", 1)[0].strip() for line in lines):
        if line.startswith("[") and line.endswith("]"):
            group = groups[line[1:-1]]
        else:
            group.update(line.lower().split())
    return QuestionWords(*(frozenset(groups[name]) for name in ("words", "asking for", "about")))


NO_QUESTION_WORDS = QuestionWords(frozenset(), frozenset(), frozenset())


@dataclass(frozen=True)
class Word:
    """A word of a query as the index holds it (``text``: the stem), the text fields it is
    looked for in, and how often the query has it."""

    text: str
    written: str
    count: int
    fields: tuple[str, ...]

    def as_query(self) -> query.Query:
        return query.Or(
            [query.Term(f, self.text, boost=SEARCH_FIELD_BOOSTS[f]) for f in self.fields]
        )


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
    words: list[tuple[Word, str]]  # each word with the word written after it
    phrases: list[query.Or]
    required: list[query.Query]
    excluded: list[query.Query]


def read_query_words(
    parsed: query.Query,
    text: str,
    questions: QuestionWords,
    rarity: Callable[[str], float],
) -> QueryWords | None:
    """The words of ``parsed`` (the parser's query of ``text``, not normalized, so that repeated
    words are still there); ``rarity`` weighs a word's text by how telling it is in the index.
    None for a query that is not of words, phrases and filters, or has none of them (only
    stop words, only excluded words)."""
    clauses = _Clauses([], [], [], [])
    if not _collect(parsed, text, clauses) or not (
        clauses.words or clauses.phrases or clauses.required
    ):
        return None
    return _read(clauses, questions, rarity)


def read_text_words(
    text: str, analyzer: Any, questions: QuestionWords, rarity: Callable[[str], float]
) -> QueryWords:
    """The words of a text read as text, without the query language (a pasted paragraph)."""
    clauses = _Clauses([], [], [], [])
    for token in analyzer(text, chars=True):
        written = text[token.startchar : token.endchar]
        match = _NEXT_WORD.match(text, token.endchar)
        word = Word(token.text, written, 1, TEXT_FIELDS)
        clauses.words.append((word, match.group(1) if match else ""))
    return _read(clauses, questions, rarity)


def _read(
    clauses: _Clauses, questions: QuestionWords, rarity: Callable[[str], float]
) -> QueryWords:
    """The query's words counted, its question words and the words past the limit left out."""
    asked = [(w, questions.leaves_out(w.written, after)) for w, after in clauses.words]
    kept = [w for w, is_question in asked if not is_question]
    if kept or clauses.phrases or clauses.required:
        words = _counted(kept)
        left_out = list(dict.fromkeys(w.written for w, is_question in asked if is_question))
    else:  # nothing but question words: search for them after all
        words, left_out = _counted(w for w, _is_question in asked), []
    long = len(words) + len(clauses.phrases) > SHORT_QUERY_WORDS
    required = list(clauses.required)
    if long:
        words = _counted(words + [w for p in clauses.phrases for w in _phrase_words(p)])
    else:
        required += clauses.phrases
    telling = sorted(words, key=lambda w: -rarity(w.text) * (1 + math.log(w.count)))
    kept_texts = {w.text for w in telling[:MAX_QUERY_WORDS]}
    return QueryWords(
        words=tuple(w for w in words if w.text in kept_texts),
        required=tuple(required),
        excluded=tuple(clauses.excluded),
        long=long,
        question_words=tuple(left_out),
        over_limit=tuple(w.written for w in words if w.text not in kept_texts),
    )


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
        clauses.words.append((word, match.group(1) if match else ""))
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
    return Word(_text(terms[0].text), written, 1, fields)


def _same_phrase(children: list[query.Query]) -> bool:
    return all(
        type(c) is query.Phrase and c.fieldname in SEARCH_FIELD_BOOSTS for c in children
    ) and (len({tuple(c.words) for c in children}) == 1)


def _phrase_words(phrase: query.Or) -> list[Word]:
    first = phrase.subqueries[0]
    fields = tuple(p.fieldname for p in phrase.subqueries)
    return [Word(_text(w), _text(w), 1, fields) for w in first.words]


def _counted(words: Iterable[Word]) -> list[Word]:
    """Repeated words as one, with their count (in the order each first appears)."""
    counted: dict[str, Word] = {}
    for word in words:
        seen = counted.get(word.text)
        counted[word.text] = (
            word
            if seen is None
            else Word(seen.text, seen.written, seen.count + word.count, seen.fields)
        )
    return list(counted.values())


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
