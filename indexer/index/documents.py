"""How an article fills the fields of the schema (``indexer.index.schema``)."""

from __future__ import annotations

from indexer.analysis.language_id import article_language, primary_language
from indexer.analysis.tokenizer import LanguageText
from indexer.ingest.articles import ArticleRecord

NAMESPACE_SAMPLE_CHARS = 4000  # of the text, read for the scripts it is written in


def document_fields(article: ArticleRecord, story: str) -> dict[str, object]:
    """The keyword arguments for ``writer.add_document`` that index ``article`` as a copy of
    the story with the id ``story`` (``indexer.index.stories``).

    The text fields get the article's language with their text (``LanguageText``), and store
    the plain text."""
    language = article.identified_language or article_language(article)
    fields: dict[str, object] = {
        "id": article.id,
        "checksum": article.checksum,
        "url": article.url,
        "title": LanguageText(article.title, language),
        "_stored_title": article.title,
        "teaser": LanguageText(article.teaser, language),
        "_stored_teaser": article.display_teaser,
        "body": LanguageText(article.body, language),
        "_stored_body": article.body,
        "words": f"{article.title}\n{article.teaser}",
        "language": language,
        "language_code": primary_language(language),
        "analyses": LanguageText(_namespace_sample(article), language),
        "story": story,
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
        published = article.published  # not strftime: glibc does not pad years before 1000
        fields["month"] = f"{published.year:04d}-{published.month:02d}"
    else:
        fields["undated"] = 1
    return fields


def _namespace_sample(article: ArticleRecord) -> str:
    text = f"{article.title}\n{article.teaser}\n{article.body}"
    return text[:NAMESPACE_SAMPLE_CHARS]
