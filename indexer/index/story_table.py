"""The table of stories a generation keeps, and the stories of an update's articles.

``indexer rebuild`` groups its articles (``stories``) and writes every article's story and LSH
band keys to the generation's ``stories-<hash>.npz``; ``indexer update`` reads it to find a new
or changed article's candidates among the articles of the index it derives from, and writes the
changed table into the new generation (``IndexStories``); ``indexer delete`` leaves the deleted
articles out of it.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np

from indexer.errors import IndexCheckError
from indexer.index.index_formats import packed_texts, unpacked_texts
from indexer.index.stories import (
    BANDS,
    ROWS,
    SHINGLE_WORDS,
    StoryGrouper,
    StoryText,
    band_hashes,
)
from indexer.index.whoosh_types import Searcher
from indexer.ingest.articles import ArticleRecord

STORIES_FILES = "stories-*.npz"  # one per generation, named by its content
_SCHEME = [1, SHINGLE_WORDS, BANDS, ROWS]  # how band keys are made: an update must make the same


class StoryTable:
    """Every article of a generation with its story and band keys: what ``indexer update``
    finds candidates and story members in. Kept in the generation's ``stories-<hash>.npz``:
    article ids and story ids as UTF-8 texts joined by ``\\x1f``, band keys as a row of
    ``BANDS`` 64-bit numbers per article. Like Whoosh's files it is written once and named by
    its content, so a file of one name is the same in every generation (replicas link it)."""

    def __init__(self, ids: list[str], stories: list[str], keys: np.ndarray) -> None:
        self.ids = ids
        self.stories = stories
        self.keys = keys

    @classmethod
    def load(cls, folder: Path) -> StoryTable:
        try:
            (path,) = folder.glob(STORIES_FILES)
            with np.load(path, allow_pickle=False) as saved:
                ids, stories = unpacked_texts(saved["ids"]), unpacked_texts(saved["stories"])
                keys, scheme = saved["keys"], saved["scheme"].tolist()
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCheckError(
                f"the index in {folder} has no one readable {STORIES_FILES} ({exc}): run "
                "`indexer rebuild`"
            ) from exc
        if scheme != _SCHEME:
            raise IndexCheckError(
                f"{path} holds band keys of another kind ({scheme}, this newsindex makes "
                f"{_SCHEME}): run `indexer rebuild`"
            )
        if not len(ids) == len(stories) == len(keys):
            raise IndexCheckError(f"{path} is damaged: run `indexer rebuild`")
        return cls(ids, stories, keys.reshape(-1, BANDS))

    def save(self, folder: Path) -> None:
        content = io.BytesIO()
        np.savez(
            content,
            ids=packed_texts(self.ids),
            stories=packed_texts(self.stories),
            keys=self.keys,
            scheme=np.array(_SCHEME),
        )
        name = hashlib.blake2b(content.getbuffer(), digest_size=8).hexdigest()
        (folder / STORIES_FILES.replace("*", name)).write_bytes(content.getbuffer())

    def sharing_a_band(self, keys: np.ndarray) -> np.ndarray:
        """The rows of the articles that share a band key with ``keys``."""
        return np.flatnonzero((self.keys == keys).any(axis=1))

    def rows_of_story(self, story: str) -> list[int]:
        return [row for row, found in enumerate(self.stories) if found == story]

    def changed(self, gone: set[str], added: list[tuple[str, str, np.ndarray]]) -> StoryTable:
        """The table without the articles ``gone``, with the ``added`` (id, story, keys)."""
        kept = [row for row, article_id in enumerate(self.ids) if article_id not in gone]
        return StoryTable(
            [self.ids[row] for row in kept] + [article_id for article_id, _s, _k in added],
            [self.stories[row] for row in kept] + [story for _id, story, _k in added],
            np.concatenate([self.keys[kept], *(k.reshape(1, BANDS) for _i, _s, k in added)]),
        )


class IndexStories:
    """The stories of an index being changed (``indexer update``, ``delete``): each new or
    changed article joins a story of the index, or of the articles before it in the same
    update, or founds one. Its candidates in the index are found in the generation's
    ``StoryTable`` and compared as stored."""

    def __init__(self, searcher: Searcher, table: StoryTable) -> None:
        self.searcher = searcher
        self.table = table
        self.grouper = StoryGrouper(updating=True)
        self.added: list[tuple[str, str, np.ndarray]] = []  # (id, story, band keys)
        self.texts: list[StoryText] = []  # of the added
        self.gone: set[str] = set()

    def story(self, article: ArticleRecord) -> str:
        """The story of ``article`` (new, or replacing its previous version)."""
        text = StoryText.of_article(article)
        keys = band_hashes([text.shingles])[0]
        self.gone.add(article.id)
        candidates = self._indexed(keys)
        candidates += [
            (other, story)
            for (_id, story, row), other in zip(self.added, self.texts, strict=True)
            if (row == keys).any()
        ]
        story = self.grouper.assign(article, text, candidates)
        self.added.append((article.id, story, keys))
        self.texts.append(text)
        return story

    def delete(self, article_id: str) -> None:
        self.gone.add(article_id)

    def changed_table(self) -> StoryTable:
        return self.table.changed(self.gone, self.added)

    def _indexed(self, keys: np.ndarray) -> list[tuple[StoryText, str]]:
        table, candidates = self.table, []
        for row in self.table.sharing_a_band(keys).tolist():
            if table.ids[row] in self.gone:
                continue
            story = table.stories[row]
            if story not in self.grouper.members:
                members = [r for r in table.rows_of_story(story) if table.ids[r] not in self.gone]
                self.grouper.know(story, [self._text(table.ids[r]) for r in members])
            candidates.append((self._text(table.ids[row]), story))
        return candidates

    def _text(self, article_id: str) -> StoryText:
        docnum = self.searcher.document_number(id=article_id)
        stored = self.searcher.stored_fields(docnum) if docnum is not None else {}
        return StoryText.of(
            stored.get("title", ""),
            stored.get("teaser", ""),
            stored.get("body", ""),
            stored.get("published"),
        )
