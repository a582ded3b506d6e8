"""Queries in any language: each word looked for in every language of the index.

The language of a query is usually not known, and the index's terms are tagged with the
namespace of their language (``en:elect``, ``de:wahl``, ``ja:体罰``;
``indexer.analysis.word_forms``).
So each word of a text field's query is analysed as it would be in an article of each language
the index holds, and the query asks for any of the resulting terms that exist:

- ``elections`` becomes ``en:elect`` OR ``fr:elect`` OR ``de:election``... for the Latin-script
  languages of the index (and ``latn:elections`` for the English names in Japanese articles);
- ``人工智能`` becomes the phrase of its bigrams ``zh:人工 zh:工智 zh:智能`` (and the same in
  ``ja``); ``体罰`` is one bigram, ``犬`` one character;
- a stop word of one language (English ``the``) matches every article of that language, so a
  query keeps its meaning in each language; a word that is a stop word in every language of the
  index is left out, as before languages came;
- when the query's script or the browser's Accept-Language names a language, that language's
  terms weigh ``PREFERRED_BOOST`` times more (a preference, not a filter).

Snippets mark what matched: words by their terms, and an unspaced word only where its bigrams or
dictionary words follow one another as in the query (``highlight_terms``).
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import islice

from whoosh import query

from indexer.analysis.scripts import (
    SCRIPT_LANGUAGE,
    cutting_of,
    letter_scripts,
    word_script,
    writing_scripts,
)
from indexer.analysis.tokenizer import NewsAnalyzer, cutting_of_token
from indexer.analysis.word_forms import (
    UNDETERMINED,
    analysis_language,
    namespace,
    namespace_of_term,
    plain_form,
    tagged,
)
from indexer.index.index_formats import term_text
from indexer.index.whoosh_types import IndexReader
from indexer.search.language_bm25 import NAMESPACES_FIELD
from indexer.search.query_words import TEXT_FIELDS, Word
from indexer.search.results import LanguageCount

PREFERRED_BOOST = 10.0  # ranks the reader's language first in a mixed index (see README)
MAX_PREFERRED = 4  # languages of an Accept-Language header that are preferred
_ACCEPT_ITEM = re.compile(
    r"\s*([A-Za-z]{1,8})(?:-[A-Za-z0-9]{1,8})*\s*(?:;\s*q\s*=\s*([01](?:\.[0-9]{0,3})?))?\s*"
)

Highlight = str | tuple[str, ...]  # a term, or terms that must follow one another


@dataclass(frozen=True)
class IndexLanguages:
    """The analysis languages of an index's articles and the namespaces of its terms."""

    languages: tuple[str, ...]
    namespaces: frozenset[str]

    @classmethod
    def of(cls, reader: IndexReader) -> IndexLanguages:
        names = frozenset(term_text(t) for t in reader.lexicon(NAMESPACES_FIELD))
        return cls(tuple(sorted(n for n in names if len(n) < 4)), names)


_known: weakref.WeakKeyDictionary[IndexReader, IndexLanguages] = weakref.WeakKeyDictionary()
_known_lock = threading.Lock()


def index_languages(reader: IndexReader) -> IndexLanguages:
    """The languages of the index ``reader`` reads (read once per reader)."""
    with _known_lock:
        found = _known.get(reader)
        if found is None:
            found = _known[reader] = IndexLanguages.of(reader)
        return found


def localize(
    parsed: query.Query, reader: IndexReader, every_word: bool = True
) -> tuple[query.Query, int]:
    """``parsed`` with every word of a text field looked for in each language of the index, and
    how many different things (a word in a field, as analysed) it looks for. A word left out is
    a NullQuery, which ``normalize()`` takes out of its group. ``every_word``: the query needs
    all its words (a stop word then matches every article of a language where it is one)."""
    languages = index_languages(reader)
    looked_for: set[str] = set()  # two forms of one word (measure, measures) count once

    def localized(node: query.Query) -> query.Query:
        if isinstance(node, query.Term | query.Phrase) and node.fieldname in TEXT_FIELDS:
            words = (
                [term_text(node.text)]
                if isinstance(node, query.Term)
                else [*map(term_text, node.words)]
            )
            node = _alternatives(node, words, reader, languages, every_word)
            if node is not query.NullQuery:
                looked_for.add(repr(node))
        elif node.is_leaf():
            looked_for.add(repr(node))
        return node

    return parsed.accept(localized), len(looked_for)


def _alternatives(
    node: query.Term | query.Phrase,
    words: list[str],
    reader: IndexReader,
    languages: IndexLanguages,
    every_word: bool,
) -> query.Query:
    """The node's words analysed in each language: the alternatives that exist in the index,
    any of which matches (a word that exists nowhere keeps one, which matches nothing)."""
    analyzer: NewsAnalyzer = reader.schema[node.fieldname].analyzer
    found: dict[tuple[str, ...], query.Query] = {}
    stop_namespaces = set()
    for language in languages.languages or (analyzer.default_language,):
        terms: list[str] = []
        for number, word in enumerate(words):
            terms += analyzer.query_terms(word, language, followed=number < len(words) - 1)
        if not terms:
            stop_namespaces.add(namespace(language, word_script(words[0])))
        elif tuple(terms) not in found:
            found[tuple(terms)] = _term_or_phrase(node, terms)
    existing = [
        q for terms, q in found.items() if all(reader.doc_frequency(q.fieldname, t) for t in terms)
    ]
    if not existing:  # a stop word wherever it could match is left out; else it matches nothing
        return query.NullQuery if stop_namespaces else next(iter(found.values()))
    if stop_namespaces and every_word:  # where it is a stop word, every article has it
        stops = [query.Term(NAMESPACES_FIELD, space, boost=0.0) for space in stop_namespaces]
        existing += sorted(stops, key=repr)
    return existing[0] if len(existing) == 1 else query.Or(existing)


def word_forms(reader: IndexReader, word: Word, preferred: Iterable[str] = ()) -> Word | None:
    """``word`` (as the query-mode analyzer gave it) with the terms it stands for in each
    language of the index where they exist, the ``preferred`` languages' weighing more, and the
    namespaces where it is a stop word; None for a stop word wherever it could match. (What
    ``localize`` does for a parsed query, for the word reading of ``query_words``.)"""
    languages = index_languages(reader)
    analyzer: NewsAnalyzer = reader.schema[word.fields[0]].analyzer
    default = analyzer.default_language
    forms: dict[tuple[str, ...], None] = {}
    stop_namespaces: set[str] = set()
    for language in sorted(languages.languages or (default,), key=lambda x: x != default):
        terms = tuple(analyzer.query_terms(word.text, language))
        if terms:
            forms.setdefault(terms)
        else:
            stop_namespaces.add(namespace(language, word_script(word.text)))
    existing = [t for t in forms if all(_in_fields(reader, word.fields, term) for term in t)]
    if not existing:  # a stop word wherever it could match is left out; else it matches
        if stop_namespaces or not forms:  # nothing: a word as the default language reads it,
            return None  # an unspaced run in every language (a long query reads its bigrams)
        spaced = all(len(terms) == 1 for terms in forms)
        existing, stop_namespaces = [next(iter(forms))] if spaced else list(forms), set()
    boosted = set(preferred) if len(languages.languages) > 1 else set()
    return replace(
        word,
        forms=tuple(
            (terms, PREFERRED_BOOST if namespace_of_term(terms[0]) in boosted else 1.0)
            for terms in existing
        ),
        stop_spaces=tuple(sorted(stop_namespaces)),
    )


def _in_fields(reader: IndexReader, fieldnames: Sequence[str], term: str) -> bool:
    return any(reader.doc_frequency(fieldname, term) for fieldname in fieldnames)


def _term_or_phrase(node: query.Term | query.Phrase, terms: list[str]) -> query.Query:
    if len(terms) == 1:
        return query.Term(node.fieldname, terms[0], boost=node.boost)
    slop = node.slop if isinstance(node, query.Phrase) else 1
    return query.Phrase(node.fieldname, terms, slop=slop, boost=node.boost)


def prefer(
    parsed: query.Query | None, preferred: Iterable[str], reader: IndexReader
) -> query.Query | None:
    """``parsed`` with the terms of the ``preferred`` languages weighing more; unchanged for an
    index of one language, where a preference would change every score alike."""
    wanted = set(preferred)
    if parsed is None or not wanted or len(index_languages(reader).languages) < 2:
        return parsed

    def boosted(node: query.Query) -> query.Query:
        if isinstance(node, query.Term | query.Phrase) and node.fieldname in TEXT_FIELDS:
            first = (
                term_text(node.text) if isinstance(node, query.Term) else term_text(node.words[0])
            )
            if namespace_of_term(first) in wanted:
                node.boost *= PREFERRED_BOOST
        return node

    return parsed.accept(boosted)


def preferred_languages(q: str, accept_language: Sequence[str], default: str) -> tuple[str, ...]:
    """The analysis languages a search prefers: the one its script names (kana: Japanese,
    Hangul: Korean, Thai...), else those of the browser's Accept-Language."""
    scripts = letter_scripts(q)
    if scripts["Hira"] or scripts["Kana"]:
        return ("ja",)
    named = {SCRIPT_LANGUAGE[s] for s in scripts if s in SCRIPT_LANGUAGE}
    if named:
        return tuple(sorted(named))
    return tuple(dict.fromkeys(analysis_language(tag, default) for tag in accept_language))


def accept_languages(header: str) -> tuple[str, ...]:
    """The languages an Accept-Language header ranks first (its highest q), as primary
    subtags: ``de-DE,de;q=0.9,en;q=0.8`` -> ``("de",)``."""
    ranked: list[tuple[float, str]] = []
    for item in header.split(",")[:20]:
        match = _ACCEPT_ITEM.fullmatch(item)
        if not match:
            continue
        weight = float(match.group(2)) if match.group(2) else 1.0
        if weight > 0:
            ranked.append((weight, match.group(1).lower()))
    if not ranked:
        return ()
    best = max(weight for weight, _ in ranked)
    return tuple(dict.fromkeys(lang for w, lang in ranked if w == best))[:MAX_PREFERRED]


def highlight_terms(parsed: query.Query | None) -> dict[str, set[Highlight]]:
    """What to mark in each text field: the terms a query looks for (not the excluded ones),
    and the terms of each unspaced word as a sequence."""
    found: dict[str, set[Highlight]] = {name: set() for name in TEXT_FIELDS}
    for fieldname, target in _highlights(parsed):
        if fieldname in found:
            found[fieldname].add(target)
    return found


def _highlights(parsed: query.Query | None) -> Iterable[tuple[str, Highlight]]:
    if parsed is None or parsed is query.NullQuery or isinstance(parsed, query.Not):
        return
    if isinstance(parsed, query.Term):
        yield parsed.fieldname, term_text(parsed.text)
    elif isinstance(parsed, query.Phrase):
        words = tuple(term_text(w) for w in parsed.words)
        if all(is_unspaced(namespace_of_term(w)) for w in words):
            yield parsed.fieldname, words
        else:
            yield from ((parsed.fieldname, word) for word in words)
    elif isinstance(parsed, query.AndNot):
        yield from _highlights(parsed.a)
    elif isinstance(parsed, query.CompoundQuery):
        for child in parsed.subqueries:
            yield from _highlights(child)
    elif isinstance(parsed, query.AndMaybe):
        yield from _highlights(parsed.a)
        yield from _highlights(parsed.b)
    else:
        yield from ((f, term_text(t)) for f, t in parsed.iter_all_terms())


def is_unspaced(space: str | None) -> bool:
    """Whether a namespace holds text written without spaces (CJK, Thai...)."""
    if not space:
        return False
    scripts = {space.title()} if len(space) == 4 else writing_scripts(space)
    if space == "hani":
        return True
    return any(cutting_of(s) != "WORDS" for s in scripts)


def prefix_terms(reader: IndexReader, fieldname: str, prefix: str, limit: int) -> set[str]:
    """The terms of a text field that a ``prefix*`` may stand for, in every language: terms
    starting with the prefix, and the terms of real words (``words``) starting with it."""
    languages = index_languages(reader).languages
    analyzer: NewsAnalyzer = reader.schema[fieldname].analyzer
    if cutting_of_token(prefix) != "WORDS":
        return set()
    script = word_script(prefix)
    found: set[str] = set()
    for space in {namespace(language, script) for language in languages}:
        start = tagged(space, plain_form(prefix, script))
        found.update(term_text(t) for t in islice(reader.expand_prefix(fieldname, start), limit))
    words = islice(reader.expand_prefix("words", plain_form(prefix, script)), limit)
    for word in map(term_text, words):
        for language in languages:
            terms = analyzer.query_terms(word, language)
            if len(terms) == 1:
                found.add(terms[0])
    return found


def word_terms(reader: IndexReader, fieldname: str, word: str) -> list[str]:
    """The terms a one-word query looks for in a text field, in each language of the index (a
    word that is several terms, such as a compound, is left out: it is no spelling word)."""
    analyzer: NewsAnalyzer = reader.schema[fieldname].analyzer
    surface = [token.text for token in analyzer(word, mode="query")]
    if len(surface) != 1:
        return []
    found = (analyzer.query_terms(surface[0], lang) for lang in index_languages(reader).languages)
    return list(dict.fromkeys(terms[0] for terms in found if len(terms) == 1))


def language_facets(counts: Iterable[tuple[str, int]]) -> list[LanguageCount]:
    """Language facets with each language's name."""
    return [LanguageCount(code, count, language_name(code)) for code, count in counts]


def language_name(code: str) -> str:
    """A language's name in English (ICU's), or its code where ICU has none."""
    if code == UNDETERMINED:
        return "Undetermined"
    try:
        import icu
    except ImportError:
        return code
    name = icu.Locale(code).getDisplayLanguage(icu.Locale("en"))
    return name if name and name != code else code
