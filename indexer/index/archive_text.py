"""What a rebuild learns from the archive's text with NLTK, besides the index itself: where its
sentences end (``sentences``: the teasers cut from bodies) and the phrases it uses
(``phrases``: what the search box completes a prefix to). Both are kept in the generation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.analysis.language_id import article_language, primary_language
from indexer.index.phrases import OPENING_CHARS, LanguageText, Phrase, mine_phrases
from indexer.index.sentences import OPENING_CHARS as TRAINING_OPENING_CHARS
from indexer.index.sentences import SentenceModels
from indexer.index.suggestion_table import SuggestionTable
from indexer.index.teasers import with_teasers
from indexer.ingest.articles import ArticleRecord


@dataclass
class ArchiveText:
    """The sentence models and phrases learned from a rebuild's articles, and the articles with
    the teasers those models cut."""

    sentences: SentenceModels
    suggestions: SuggestionTable
    articles: list[ArticleRecord]

    def save(self, folder: Path) -> None:
        self.sentences.save(folder)
        self.suggestions.save(folder)


def learn_archive_text(articles: Sequence[ArticleRecord]) -> ArchiveText:
    """Train the sentence models and mine the phrases of ``articles``."""
    articles = with_languages(articles)
    languages = article_languages(articles)
    openings: dict[str, list[str]] = defaultdict(list)
    for article, language in zip(articles, languages, strict=True):
        if article.body:
            openings[language].append(article.body[:TRAINING_OPENING_CHARS])
    sentences = SentenceModels.train(openings)
    phrases = mine_phrases(language_texts(articles, languages))
    return ArchiveText(
        sentences, SuggestionTable.of(phrases), with_teasers(sentences, articles, languages)
    )


def article_phrases(articles: Sequence[ArticleRecord]) -> list[Phrase]:
    """The phrases of ``articles`` alone (those an update adds)."""
    return mine_phrases(language_texts(articles, article_languages(articles)))


def with_languages(articles: Sequence[ArticleRecord]) -> list[ArticleRecord]:
    """``articles``, each with the language the index tells it in (identified here once: the
    learning, the teasers, the phrases and the writing processes all read it)."""
    return [replace(a, identified_language=article_language(a)) for a in articles]


def article_languages(articles: Sequence[ArticleRecord]) -> list[str]:
    """Each article's primary language code, as the index tells it."""
    return [
        primary_language(article.identified_language or article_language(article))
        for article in articles
    ]


def language_texts(
    articles: Sequence[ArticleRecord], languages: Sequence[str]
) -> dict[str, LanguageText]:
    texts: dict[str, LanguageText] = {}
    for article, language in zip(articles, languages, strict=True):
        text = texts.setdefault(language, LanguageText([], []))
        text.titles.append(article.title)
        text.openings.append(article.body[:OPENING_CHARS] or article.teaser)
    return texts
