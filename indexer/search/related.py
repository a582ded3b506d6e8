"""Related articles (more like this): an article's key words searched across the index."""

from __future__ import annotations

from whoosh import query

from indexer.analysis.tokenizer import LanguageText
from indexer.index.whoosh_types import Searcher, StoredFields
from indexer.search.collapse import StoryColumn
from indexer.search.results import ArticleSummary, iso_utc

RELATED_ARTICLES = 5
KEY_TERMS = 12
_FIELD_WEIGHTS = (("title", 2.0), ("teaser", 1.5), ("body", 1.0))


def related_articles(
    searcher: Searcher, docnum: int, stored: StoredFields, stories: StoryColumn
) -> list[ArticleSummary]:
    """Articles sharing the most distinctive words of this one, best first: one of each story,
    and none of its own (its versions are listed apart)."""
    text = "\n".join(stored.get(name) or "" for name in ("title", "teaser", "body"))
    text = LanguageText(text, stored.get("language", ""))  # its words in its own language
    source_field = "body" if stored.get("body") else "teaser"
    try:
        keywords = searcher.key_terms_from_text(
            source_field, text, numterms=KEY_TERMS, normalize=True
        )
    except (ZeroDivisionError, ValueError):  # a field without documents has no statistics
        return []
    if not keywords:
        return []
    terms = [
        query.Term(name, word, boost=weight * boost)
        for word, weight in keywords
        for name, boost in _FIELD_WEIGHTS
    ]
    own = stories.members(stories.story_of(docnum)).tolist()
    results = searcher.search(query.Or(terms), limit=RELATED_ARTICLES * 3, mask={docnum, *own})
    ranked = stories.first_of_each([(hit.docnum, hit) for hit in results], RELATED_ARTICLES)
    return [
        ArticleSummary(
            id=hit["id"],
            url=hit.get("url", ""),
            title=hit["title"],
            section=hit.get("section", ""),
            published=iso_utc(hit.get("published")),
            teaser=hit.get("teaser", ""),
        )
        for _docnum, hit in ranked
    ]
