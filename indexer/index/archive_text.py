"""What a rebuild learns from the archive's text with NLTK, besides the index itself: where its
sentences end (``sentences``: the teasers cut from bodies) and the phrases it uses
(``phrases``: what the search box completes a prefix to). Both are kept in the generation.

The steps are functions of the articles and their languages, so that a parallel rebuild can
run them side by side in its writing processes (``bulk_writer``); ``learn_archive_text`` runs
them one after the other.
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
    """The sentence models and phrases learned from a rebuild's articles."""

    sentences: SentenceModels
    suggestions: SuggestionTable

    def save(self, folder: Path) -> None:
        self.sentences.save(folder)
        self.suggestions.save(folder)


def learn_archive_text(
    articles: Sequence[ArticleRecord],
) -> tuple[ArchiveText, list[ArticleRecord]]:
    """Train the sentence models and mine the phrases of ``articles``, in this process; and
    ``articles`` as the index writes them (``ready_to_write``). A rebuild with several writing
    processes runs the same steps on them (``bulk_writer.write_index``)."""
    tags = identified_languages(articles)
    languages = [primary_language(tag) for tag in tags]
    sentences = train_sentences(articles, languages)
    learned = ArchiveText(sentences, SuggestionTable.of(archive_phrases(articles, languages)))
    return learned, ready_to_write(articles, tags, sentences)


def identified_languages(articles: Sequence[ArticleRecord]) -> list[str]:
    """The language of each article as the index tells it (a BCP 47 tag)."""
    return [article_language(article) for article in articles]


def train_sentences(articles: Sequence[ArticleRecord], languages: Sequence[str]) -> SentenceModels:
    """Punkt's models, trained on the openings of ``articles`` (``languages``: primary codes)."""
    openings: dict[str, list[str]] = defaultdict(list)
    for article, language in zip(articles, languages, strict=True):
        if article.body:
            openings[language].append(article.body[:TRAINING_OPENING_CHARS])
    return SentenceModels.train(openings)


def archive_phrases(articles: Sequence[ArticleRecord], languages: Sequence[str]) -> list[Phrase]:
    """The phrases and headline words of ``articles`` (``languages``: primary codes)."""
    return mine_phrases(language_texts(articles, languages))


def ready_to_write(
    articles: Sequence[ArticleRecord], tags: Sequence[str], sentences: SentenceModels
) -> list[ArticleRecord]:
    """``articles`` with the language identified (``tags``: identified once per run, as the
    writing and the learning read it) and the teaser ``sentences`` cut where none is given."""
    told = [replace(a, identified_language=tag) for a, tag in zip(articles, tags, strict=True)]
    return with_teasers(sentences, told, [primary_language(tag) for tag in tags])


def article_phrases(articles: Sequence[ArticleRecord]) -> list[Phrase]:
    """The phrases of ``articles`` alone (those an update adds)."""
    return mine_phrases(language_texts(articles, article_languages(articles)))


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
