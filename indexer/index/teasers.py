"""Teasers cut from bodies where the source gives none.

The teaser shown is the body's first sentence or sentences, up to ``TEASER_LENGTH``
characters, ending where a sentence ends as the archive's Punkt models tell (``sentences``); a
first sentence longer than that is cut at a word and marked "…". A rebuild cuts them with the
models it has just learned, an update with the rebuild's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from indexer.index.sentences import SentenceModels
from indexer.ingest.articles import TEASER_LENGTH, ArticleRecord, derive_teaser

LOOK_AHEAD = 80  # characters read past the limit: Punkt decides a boundary by the next word


def cut_teaser(
    models: SentenceModels, body: str, language: str, length: int = TEASER_LENGTH
) -> str:
    """The body's first paragraph when it is short; else its first sentences up to
    ``length`` characters; a longer first sentence cut at a word and marked "…"."""
    first = body.split("\n\n", 1)[0]
    if len(first) <= length:
        return first
    read = first[: length + LOOK_AHEAD]
    ends = models.sentence_ends(read, language)
    if ends and len(read) < len(first):
        ends = ends[:-1]  # the text was cut: its last sentence may go on past the cut
    whole = [end for end in ends if end <= length]
    if whole:
        return first[: whole[-1]].rstrip()
    return derive_teaser(first, length)


def with_teasers(
    models: SentenceModels, articles: Sequence[ArticleRecord], languages: Sequence[str]
) -> list[ArticleRecord]:
    """``articles``, each without a teaser of its own given the one cut here."""
    return [
        replace(article, derived_teaser=cut_teaser(models, article.body, language))
        if not article.teaser and article.body
        else article
        for article, language in zip(articles, languages, strict=True)
    ]
