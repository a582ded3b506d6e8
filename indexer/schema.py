"""The Whoosh schema: which fields the index has, how each is analysed, how an article fills them.

This module and ``indexer.analysis`` are the only places that define what is in the index. The
schema is versioned: an index records the version it was built with, and a reader refuses an index
of another version with a message to run ``indexer rebuild``.
"""

from __future__ import annotations

from typing import Any

from whoosh.analysis import IDAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from indexer.analysis import name_analyzer, text_analyzer, word_analyzer
from indexer.articles import ArticleRecord

SCHEMA_VERSION = 2

# The text fields a query searches, with their weights in BM25F ranking: a word in the headline
# says more about what a story is about than the same word deep in its body.
SEARCH_FIELD_BOOSTS = {"title": 3.0, "teaser": 2.0, "body": 1.0}


def build_schema(language: str = "english") -> Schema:
    text = text_analyzer(language)
    return Schema(
        id=ID(stored=True, unique=True),
        checksum=STORED(),
        url=STORED(),
        title=TEXT(analyzer=text, stored=True, multitoken_query="phrase"),
        teaser=TEXT(analyzer=text, stored=True, multitoken_query="phrase"),
        body=TEXT(analyzer=text, stored=True, multitoken_query="phrase"),
        author=TEXT(analyzer=name_analyzer(), stored=True, multitoken_query="phrase"),
        section=ID(analyzer=IDAnalyzer(lowercase=True), stored=True, sortable=True),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        published=DATETIME(stored=True, sortable=True),
        undated=NUMERIC(int, bits=8, signed=False, sortable=True, default=0),
        month=ID(sortable=True),
        language=ID(stored=True),
        words=TEXT(analyzer=word_analyzer(language), phrase=False),
    )


def document_fields(article: ArticleRecord) -> dict[str, Any]:
    """The keyword arguments for ``writer.add_document`` that index ``article``."""
    fields: dict[str, Any] = {
        "id": article.id,
        "checksum": article.checksum,
        "url": article.url,
        "title": article.title,
        "teaser": article.teaser,
        "_stored_teaser": article.display_teaser,
        "body": article.body,
        "words": f"{article.title}\n{article.teaser}",
    }
    if article.authors:
        fields["author"] = article.author
    if article.section:
        fields["section"] = article.section
    if article.tags:
        fields["tags"] = ",".join(tag.replace(",", " ") for tag in article.tags)
        fields["_stored_tags"] = list(article.tags)
    if article.published is not None:
        fields["published"] = article.published
        fields["month"] = article.published.strftime("%Y-%m")
    else:
        fields["undated"] = 1
    if article.language:
        fields["language"] = article.language
    return fields
