"""Reading what a user typed into a Whoosh query, within cost limits.

The language: words (how many are required: ``word_match``), ``"exact phrase"``, ``-excluded``,
``OR``, ``NOT``, ``section:``/``author:``/``title:``/``tags:`` fields, ``prefix*``. Every input has
a reading or a clear QueryError: lone operators and unbalanced quotes are read leniently, a bare
``*`` matches everything, text with no searchable word matches nothing, a question mark is
punctuation. Text longer than ``QUERY_LANGUAGE_CHARS`` is not read here but as plain text
(``query_words``), and text past ``MAX_TEXT_CHARS`` is not read at all.
"""

from __future__ import annotations

import re
from itertools import islice

from whoosh import qparser, query
from whoosh.fields import Schema

from indexer.errors import QueryError
from indexer.index.index_formats import term_text
from indexer.index.schema import SEARCH_FIELD_BOOSTS
from indexer.index.whoosh_types import IndexReader
from indexer.search.query_languages import localize, prefix_terms

QUERY_LANGUAGE_CHARS = 1000  # a longer text is read as plain text (``query_words``)
MAX_TEXT_CHARS = 50_000  # a longer text is read up to here
MAX_QUERY_TERMS = 60  # terms of a query the word reading does not take (``+word``)
MAX_PREFIX_TERMS = 50  # words one prefix* may stand for
_PREFIX_CANDIDATES = 2000
USER_FIELDS = ("title", "teaser", "body", "author", "section", "tags")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
# "-word" excludes only at the start of a word, so that covid-19 stays one word; a + or - before
# punctuation ("operators like *, +.") is punctuation too.
_MINUS_AT_WORD_START = r"(?<![^\s(])-(?=[\w\"(])"
_PLUS_AT_WORD_START = r"(?<![^\s(])\+(?=[\w\"(])"


class QueryReader:
    """Turns query text into a Whoosh query for one index's schema."""

    def __init__(self, schema: Schema) -> None:
        self._schema = schema
        self._all_words = _parser(schema, qparser.AndGroup)
        self._any_word = _parser(schema, qparser.OrGroup.factory(0.9))

    def read(self, text: str, reader: IndexReader, any_word: bool = False) -> query.Query | None:
        """The query for ``text``; None means "everything" (an empty query or a bare ``*``)."""
        text = clean_query_text(text)
        if text in ("", "*"):
            return None
        return self.searched(self.parse(text, any_word), reader, any_word)

    def searched(
        self, parsed: query.Query, reader: IndexReader, any_word: bool = False
    ) -> query.Query:
        """``parse``'s reading (of the same ``any_word``) as it is searched: its words looked for
        in each language of the index, at most MAX_QUERY_TERMS of them, its prefixes expanded."""
        localized, looked_for = localize(parsed.normalize(), reader, every_word=not any_word)
        if looked_for > MAX_QUERY_TERMS * len(SEARCH_FIELD_BOOSTS):  # stop words not counted
            raise QueryError(f"the query has too many words: at most {MAX_QUERY_TERMS}")
        return self._with_prefixes_expanded(localized, reader)

    def parse(self, text: str, any_word: bool = False) -> query.Query:
        """The parser's reading of cleaned ``text``, not yet normalized (repeated words are
        still there: ``query_words`` counts them) nor looked for in each language."""
        if len(text) > QUERY_LANGUAGE_CHARS:
            raise QueryError(
                f"the query language reads at most {QUERY_LANGUAGE_CHARS:,} characters"
            )
        parser = self._any_word if any_word else self._all_words
        try:  # a question mark ends a question: it is no one-letter wildcard here
            return parser.parse(text.replace("?", " "), normalize=False)
        except Exception as exc:  # Whoosh's parser is lenient; anything it still throws is a 400
            raise QueryError(f"cannot read the query: {exc}") from exc

    def bounded(
        self, clause: query.Query, reader: IndexReader, every_word: bool = True
    ) -> query.Query:
        """A clause of ``parse``'s query as it is searched: its words looked for in each
        language of the index (``every_word``: see ``languages.localize``), its prefixes
        expanded to at most MAX_PREFIX_TERMS terms."""
        localized, _looked_for = localize(clause.normalize(), reader, every_word=every_word)
        return self._with_prefixes_expanded(localized, reader)

    def _with_prefixes_expanded(self, localized: query.Query, reader: IndexReader) -> query.Query:
        # normalized again: words may have met in one term (structures, structural: structur)
        return localized.normalize().accept(lambda node: self._bounded(node, reader))

    def _bounded(self, node: query.Query, reader: IndexReader) -> query.Query:
        if isinstance(node, query.Prefix | query.Wildcard):
            return self._expanded(node, reader)
        return node

    def _expanded(self, node: query.Prefix | query.Wildcard, reader: IndexReader) -> query.Query:
        """A prefix* as an OR of at most MAX_PREFIX_TERMS indexed terms, the most frequent."""
        prefix = re.split(r"[*?]", node.text, maxsplit=1)[0]
        if not re.search(r"[^\W_]", node.text):  # a lone * among words ("like *, +"): any word
            return query.Every()
        if not prefix:
            raise QueryError("a wildcard needs at least one letter before the *")
        if node.fieldname in SEARCH_FIELD_BOOSTS:  # every language; the stems of real words
            terms = prefix_terms(reader, node.fieldname, prefix, _PREFIX_CANDIDATES)
        else:
            own = islice(reader.expand_prefix(node.fieldname, prefix), _PREFIX_CANDIDATES)
            terms = {term_text(term) for term in own}
        frequent = sorted(
            (t for t in terms if reader.doc_frequency(node.fieldname, t)),
            key=lambda t: -reader.doc_frequency(node.fieldname, t),
        )[:MAX_PREFIX_TERMS]
        if not frequent:
            return query.NullQuery
        # The boost goes on each term: Whoosh drops a compound's boost when it has one child.
        return ExpandedPrefix([query.Term(node.fieldname, t, boost=node.boost) for t in frequent])


class ExpandedPrefix(query.Or):
    """The terms a prefix* stands for: matched by preloading their postings into arrays, which is
    many times faster than Whoosh's tree of union matchers for dozens of terms."""

    matcher_type = query.Or.ARRAY_MATCHER


def clean_query_text(text: str) -> str:
    """Control characters out, whitespace collapsed, cut at MAX_TEXT_CHARS."""
    return " ".join(_CONTROLS.sub(" ", text[: MAX_TEXT_CHARS * 2]).split())[:MAX_TEXT_CHARS]


def _parser(schema: Schema, group: type) -> qparser.QueryParser:
    user_schema = Schema(**{name: schema[name] for name in USER_FIELDS})
    parser = qparser.MultifieldParser(
        list(SEARCH_FIELD_BOOSTS), user_schema, fieldboosts=SEARCH_FIELD_BOOSTS, group=group
    )
    for plugin in (qparser.RangePlugin, qparser.BoostPlugin, qparser.EveryPlugin):
        parser.remove_plugin_class(plugin)
    parser.add_plugin(qparser.PlusMinusPlugin(_PLUS_AT_WORD_START, _MINUS_AT_WORD_START))
    return parser
