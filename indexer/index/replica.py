"""A replica's side of ``indexer publish``: receiving a generation, checking it, switching to it.

A replica is an index folder that web nodes serve from, filled by ``indexer publish`` on the
machine that builds the index. The files of a generation arrive in a ``build-*`` folder beside the
one in use (rsync hard-links the write-once files the replica already holds in its current or
previous generation, and sends the rest), are checked the way a rebuild checks its own new index,
and only then become the current generation, by the same atomic switch. The previous generation
stays for ``indexer rollback``. The whole reception runs under the replica's write lock, so a
publish and a rebuild, update or another publish never write one folder at once.

A generation is known by its *content id*: a digest of the names and sizes of its index files.
Whoosh names every segment with a random id and never rewrites a file, so two generations with
the same content id hold the same index; publishing a generation a replica already serves does
nothing.

For a replica on another machine, ``indexer receive`` (started by the publisher over ssh) runs
``answer_publisher``: it reports where the files go, waits while rsync sends them, then checks and
switches, each step one JSON line on its standard output.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from whoosh import index as whoosh_index

from indexer.errors import IndexCheckError, NewsindexError
from indexer.index.build import verify_index
from indexer.index.schema import require_schema_version
from indexer.index.status import index_facts, manifest_disagreements
from indexer.index.store import (
    MANIFEST_FILE,
    READERS_LOCK_FILE,
    Generation,
    IndexStore,
    Manifest,
    translate_os_errors,
)
from indexer.ingest.articles import ArticleRecord

ACCEPT_COMMAND = "accept"
NOT_SENT_SUFFIX = "LOCK"  # Whoosh's own lock files: never part of a generation's content


def content_id(path: Path) -> str:
    """The digest of the names and sizes of the index files in ``path`` (see the module text)."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.iterdir() if _is_index_file(p)):
        digest.update(f"{file.name}\0{file.stat().st_size}\n".encode())
    return digest.hexdigest()[:32]


def _is_index_file(path: Path) -> bool:
    name = path.name
    return (
        path.is_file()
        and name not in (MANIFEST_FILE, READERS_LOCK_FILE)
        and not name.endswith(NOT_SENT_SUFFIX)
        and not name.startswith(".")  # rsync's partial files
    )


@dataclass(frozen=True)
class Reception:
    """Where the files of a generation go on a replica, or that it already serves them."""

    build_dir: Path | None  # None: the replica already serves this generation
    serving: str | None  # the generation the replica serves now
    link_dests: list[str] = field(default_factory=list)  # generations rsync may hard-link from


class ReplicaFolder:
    """An index folder that receives generations from ``indexer publish``."""

    def __init__(self, root: Path) -> None:
        self.store = IndexStore(root)

    @contextmanager
    def receiving(self, incoming_id: str) -> Iterator[Reception]:
        """Hold the replica's write lock and a fresh ``build-*`` folder for the files of the
        generation ``incoming_id``; the folder is removed unless ``accept`` made it current."""
        store = self.store
        with store.write_lock():
            store.prune()
            pointer = store.pointer()
            current = pointer.get("current")
            if current and _content_id_or_none(store.root / current) == incoming_id:
                yield Reception(build_dir=None, serving=current)
                return
            kept = [name for name in (current, pointer.get("previous")) if name]
            build_dir = store.new_build_dir()
            try:
                yield Reception(build_dir=build_dir, serving=current, link_dests=kept)
            finally:
                shutil.rmtree(build_dir, ignore_errors=True)  # gone already once accepted

    def accept(self, reception: Reception, incoming_id: str) -> Generation:
        """Check the generation received in ``reception.build_dir`` and switch to it."""
        if reception.build_dir is None:
            raise NewsindexError("nothing was received")
        build_dir = reception.build_dir
        with translate_os_errors(self.store.root, "read the generation received"):
            received_id = content_id(build_dir)
        if received_id != incoming_id:
            raise IndexCheckError(
                "the files received are not those of the generation sent (an incomplete "
                "transfer?); it was not used"
            )
        manifest = _received_manifest(build_dir)
        check_received_index(build_dir, manifest)
        received_at = datetime.now(UTC).isoformat(timespec="seconds")
        published = {**manifest, "source_generation": manifest["generation"]}
        return self.store.publish(build_dir, {**published, "received_at": received_at})


def check_received_index(path: Path, manifest: Manifest) -> None:
    """A rebuild's check of its new index, for an index built elsewhere: of this schema version,
    it opens, holds the articles its manifest records, finds some of them by their own titles,
    and its sections and dates agree with the manifest. IndexCheckError if not."""
    require_schema_version(Generation(manifest["generation"], path, manifest))
    verify_index(path, manifest["articles"], _probe_articles(path))
    problems = manifest_disagreements(index_facts(path), manifest)
    if problems:
        raise IndexCheckError(f"the generation received is not sound: {'; '.join(problems)}")


def _probe_articles(path: Path) -> list[ArticleRecord]:
    """The first, middle and last articles of the index, as the rebuild's check probes them."""
    index = whoosh_index.open_dir(str(path))
    with index.searcher() as searcher:
        docnums = list(searcher.reader().all_doc_ids())
        picks = sorted({0, len(docnums) // 2, len(docnums) - 1}) if docnums else []
        stored = [searcher.stored_fields(docnums[i]) for i in picks]
    return [ArticleRecord(id=fields["id"], title=fields["title"]) for fields in stored]


def _received_manifest(build_dir: Path) -> Manifest:
    try:
        manifest = json.loads((build_dir / MANIFEST_FILE).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCheckError(f"the generation received has no readable manifest ({exc})") from exc
    if not isinstance(manifest, dict) or not {"generation", "articles"} <= manifest.keys():
        raise IndexCheckError("the generation received has an incomplete manifest")
    return manifest


def _content_id_or_none(path: Path) -> str | None:
    try:
        return content_id(path)
    except OSError:
        return None


# ``indexer receive``: the same steps, driven by a publisher over ssh ---------------------------


def answer_publisher(root: Path, incoming_id: str, commands: TextIO, replies: TextIO) -> int:
    """Receive the generation ``incoming_id`` into the index folder ``root`` for a publisher on
    another machine; returns the exit code.

    Replies, one JSON line each: ``{"state": "unchanged", "generation"}`` (nothing to do), or
    ``{"state": "ready", "build", "link_dests"}``; then, once the publisher has sent the files
    into ``build`` and written ``accept``, ``{"state": "switched", "generation"}``. Any failure is
    ``{"state": "failed", "message"}``; a publisher that goes away leaves the replica as it was.
    """
    folder = ReplicaFolder(root)
    try:
        with folder.receiving(incoming_id) as reception:
            if reception.build_dir is None:
                return _reply(replies, "unchanged", generation=reception.serving)
            _reply(
                replies,
                "ready",
                build=reception.build_dir.name,
                link_dests=reception.link_dests,
            )
            if commands.readline().strip() != ACCEPT_COMMAND:
                message = "the publisher stopped before the files were sent; nothing changed"
                return _reply(replies, "failed", exit_code=1, message=message)
            generation = folder.accept(reception, incoming_id)
            return _reply(replies, "switched", generation=generation.name)
    except NewsindexError as exc:
        return _reply(replies, "failed", exit_code=exc.exit_code, message=str(exc))


def _reply(replies: TextIO, state: str, exit_code: int = 0, **fields: object) -> int:
    replies.write(json.dumps({"state": state, **fields}) + "\n")
    replies.flush()
    return exit_code
