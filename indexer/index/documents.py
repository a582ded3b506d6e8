"""How an article fills the fields of the schema (``indexer.index.schema``)."""

from __future__ import annotations

from typing import Any

from indexer.ingest.articles import ArticleRecord


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
        published = article.published  # not strftime: glibc does not pad years before 1000
        fields["month"] = f"{published.year:04d}-{published.month:02d}"
    else:
        fields["undated"] = 1
    if article.language:
        fields["language"] = article.language
    return fields
