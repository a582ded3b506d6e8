"""The phrases a generation completes a prefix to: its ``suggestions-<hash>.npz``.

``indexer rebuild`` mines them from the whole archive (``phrases``); ``indexer update`` adds the
phrases of its new articles to those of the generation it derives from and, where articles went
away (replaced or deleted), keeps a phrase only if the new generation still finds an article
with all its words, so that every suggestion finds something. Like the table of stories it is
written once and named by its content (replicas link an unchanged one).
"""

from __future__ import annotations

import hashlib
import io
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from whoosh.query import And, Term

from indexer.analysis.tokenizer import LanguageText
from indexer.errors import IndexCheckError
from indexer.index.index_formats import packed_texts, unpacked_texts
from indexer.index.phrases import OPENING_CHARS, UNSPACED_LANGUAGES, Phrase, phrase_words
from indexer.index.whoosh_types import Schema, Searcher

SUGGESTIONS_FILES = "suggestions-*.npz"  # one per generation, named by its content
_CHECKED_FIELDS = ("title", "body")  # where phrases are mined: a phrase is in one of them


class SuggestionTable:
    """Phrases sorted as text, with their languages and how often the archive uses them."""

    def __init__(self, phrases: list[str], languages: list[str], counts: np.ndarray) -> None:
        self.phrases = phrases
        self.languages = languages
        self.counts = counts

    @classmethod
    def of(cls, phrases: Iterable[Phrase]) -> SuggestionTable:
        """The table of ``phrases``; one written the same in several languages is one entry
        (of its most frequent language), its counts added up."""
        counts: dict[str, int] = defaultdict(int)
        language: dict[str, tuple[int, str]] = {}
        for phrase in phrases:
            counts[phrase.text] += phrase.count
            language[phrase.text] = max(
                language.get(phrase.text, (0, "")), (phrase.count, phrase.language)
            )
        texts = sorted(counts)
        return cls(
            texts,
            [language[text][1] for text in texts],
            np.array([counts[text] for text in texts], dtype=np.int64),
        )

    def entries(self) -> Iterable[Phrase]:
        for text, language, count in zip(
            self.phrases, self.languages, self.counts.tolist(), strict=True
        ):
            yield Phrase(text, language, count)

    @classmethod
    def load(cls, folder: Path) -> SuggestionTable:
        try:
            (path,) = folder.glob(SUGGESTIONS_FILES)
            with np.load(path, allow_pickle=False) as saved:
                phrases, languages = (
                    unpacked_texts(saved["phrases"]),
                    unpacked_texts(saved["languages"]),
                )
                counts = saved["counts"]
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCheckError(
                f"the index in {folder} has no one readable {SUGGESTIONS_FILES} ({exc}): run "
                "`indexer rebuild`"
            ) from exc
        if not len(phrases) == len(languages) == len(counts):
            raise IndexCheckError(f"{path} is damaged: run `indexer rebuild`")
        return cls(phrases, languages, counts)

    def save(self, folder: Path) -> None:
        content = io.BytesIO()
        np.savez(
            content,
            phrases=packed_texts(self.phrases),
            languages=packed_texts(self.languages),
            counts=self.counts,
        )
        name = hashlib.blake2b(content.getbuffer(), digest_size=8).hexdigest()
        (folder / SUGGESTIONS_FILES.replace("*", name)).write_bytes(content.getbuffer())

    def changed(
        self, added: list[Phrase], gone_words: set[str], searcher: Searcher, schema: Schema
    ) -> SuggestionTable:
        """The table with the phrases ``added``, without those that ``searcher`` no longer
        finds. Only a phrase all of whose words are among ``gone_words`` (the words of the
        articles that went away) can have been in those articles alone: only those are
        searched for."""
        kept = [
            phrase
            for phrase in self.entries()
            if not _words(phrase) <= gone_words or finds(searcher, schema, phrase)
        ]
        return SuggestionTable.of(kept + added)


def words_of_articles(searcher: Searcher, ids: Iterable[str]) -> set[str]:
    """The words phrases are mined from in the articles with ``ids`` (those of them that the
    index of ``searcher`` holds)."""
    texts = []
    for article_id in ids:
        docnum = searcher.document_number(id=article_id)
        if docnum is not None:
            stored = searcher.stored_fields(docnum)
            texts += [stored.get("title", ""), stored.get("body", "")[:OPENING_CHARS]]
    return set(phrase_words(texts, unspaced=False)) | set(phrase_words(texts, unspaced=True))


def _words(phrase: Phrase) -> set[str]:
    if phrase.language in UNSPACED_LANGUAGES:
        return set(phrase.text)
    return set(phrase.text.split())


def finds(searcher: Searcher, schema: Schema, phrase: Phrase) -> bool:
    """Whether an article has all the words of ``phrase`` in one of the fields mined."""
    for fieldname in _CHECKED_FIELDS:
        analyzer = schema[fieldname].analyzer
        text = LanguageText(phrase.text, phrase.language)
        terms = sorted({token.text for token in analyzer(text, mode="index")})
        query = And([Term(fieldname, term) for term in terms])
        if terms and not searcher.search(query, limit=1).is_empty():
            return True
    return False
