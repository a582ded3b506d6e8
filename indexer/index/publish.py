"""``indexer publish``: copy the current generation to the replicas the web nodes serve from.

A destination is an index folder on this machine or ``[user@]host:/path`` on another one. The
files are copied with the operator's rsync (over the operator's ssh for another machine) into a
``build-*`` folder beside the replica's generation in use; rsync hard-links the files the replica
already has in its current or previous generation instead of sending them (``--link-dest``), so
after an update only the new segment travels. The replica then checks what it received and
switches to it atomically (``replica.ReplicaFolder``); on another machine that side runs there, as
``indexer receive`` started over ssh. Replicas are published to in parallel; one that cannot be
reached or fails its check is reported and left as it was, and the others still switch.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from indexer.config import Settings, is_remote
from indexer.errors import ConfigError, NewsindexError
from indexer.index.replica import ACCEPT_COMMAND, ReplicaFolder, content_id
from indexer.index.store import READERS_LOCK_FILE, Generation, IndexStore

MAX_PARALLEL_REPLICAS = 8
RSYNC_FLAGS = [
    "--archive",
    "--stats",
    "--no-human-readable",  # --stats as plain digits
    "--modify-window=-1",  # compare times to the nanosecond when choosing files to link
    f"--exclude=/{READERS_LOCK_FILE}",  # each generation has its own readers' lock
    "--exclude=/*LOCK",  # Whoosh's lock files
]
SWITCHED, UNCHANGED, FAILED = "switched", "unchanged", "failed"

# A replica's JSON line: its state and what goes with it (``replica.answer_publisher``).
Reply = dict[str, Any]


@dataclass
class ReplicaOutcome:
    """What publishing did to one replica."""

    destination: str
    state: str  # "switched", "unchanged" (it already served the generation) or "failed"
    generation: str | None = None  # what the replica serves now, in its own numbering
    message: str = ""  # why it failed
    files_sent: int | None = None  # files rsync sent (the others were linked on the replica)
    bytes_sent: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.state != FAILED


@dataclass
class PublishSummary:
    """What ``indexer publish`` did: the generation sent, and each replica's outcome."""

    generation: str
    articles: int
    seconds: float
    replicas: list[ReplicaOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[ReplicaOutcome]:
        return [replica for replica in self.replicas if not replica.ok]

    def as_json(self) -> dict[str, object]:
        return {**asdict(self), "failed": [replica.destination for replica in self.failed]}


@dataclass(frozen=True)
class Transfer:
    """What rsync sent to a replica (the other files it linked there)."""

    files_sent: int | None
    bytes_sent: int | None


NOTHING_SENT = Transfer(None, None)


@dataclass(frozen=True)
class _Sending:
    """The generation being published and how to reach the replicas."""

    generation: Generation
    content_id: str
    ssh: str
    remote_indexer: str


def publish_index(settings: Settings, destinations: Sequence[str] = ()) -> PublishSummary:
    """Send the current generation to ``destinations`` (default: the configured replicas)."""
    started = time.perf_counter()
    destinations = list(dict.fromkeys(destinations or settings.replicas))
    if not destinations:
        raise ConfigError("no replica given, and none are configured ([publish] replicas)")
    store = IndexStore(settings.index_dir)
    lease = store.lease_current()  # the generation stays on disk while it is sent
    try:
        sending = _Sending(
            generation=lease.generation,
            content_id=content_id(lease.generation.path),
            ssh=settings.ssh,
            remote_indexer=settings.remote_indexer or _this_indexer(),
        )
        workers = min(MAX_PARALLEL_REPLICAS, len(destinations))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(lambda d: _publish_to(sending, d, store.root), destinations))
    finally:
        lease.release()
    return PublishSummary(
        generation=lease.generation.name,
        articles=lease.generation.manifest.get("articles", 0),
        seconds=round(time.perf_counter() - started, 3),
        replicas=outcomes,
    )


def _this_indexer() -> str:
    """This installation's ``indexer`` command: the default for the replicas, which are usually
    installed at the same path."""
    return shlex.quote(str(Path(sys.executable).with_name("indexer")))


def _publish_to(sending: _Sending, destination: str, own_root: Path) -> ReplicaOutcome:
    started = time.perf_counter()
    try:
        if is_remote(destination):
            outcome = _publish_remote(sending, destination)
        else:
            outcome = _publish_local(sending, destination, own_root)
    except NewsindexError as exc:
        outcome = ReplicaOutcome(destination, FAILED, message=str(exc))
    outcome.seconds = round(time.perf_counter() - started, 3)
    return outcome


def _publish_local(sending: _Sending, destination: str, own_root: Path) -> ReplicaOutcome:
    root = Path(destination).expanduser().resolve()
    if root == own_root.resolve():
        raise NewsindexError("this is the index folder being published from")
    folder = ReplicaFolder(root)
    with folder.receiving(sending.content_id) as reception:
        if reception.build_dir is None:
            return ReplicaOutcome(destination, UNCHANGED, generation=reception.serving)
        sent = _rsync(sending.generation.path, str(reception.build_dir), reception.link_dests)
        generation = folder.accept(reception, sending.content_id)
    return _outcome_of(destination, {"state": SWITCHED, "generation": generation.name}, sent)


def _publish_remote(sending: _Sending, destination: str) -> ReplicaOutcome:
    """Over ssh: ``indexer receive`` on the replica holds its lock and a build folder while
    rsync sends the files there, then checks them and switches (``replica.answer_publisher``)."""
    host, _colon, path = destination.partition(":")
    with (
        tempfile.TemporaryFile("w+") as errors,
        _start_receiver(sending, host, path, errors) as receiver,
    ):
        assert receiver.stdin is not None and receiver.stdout is not None
        try:
            reply = _next_reply(receiver.stdout, errors, host)
            if reply["state"] != "ready":
                return _outcome_of(destination, reply)
            sent = _rsync(
                sending.generation.path,
                f"{host}:{path.rstrip('/')}/{reply['build']}",
                reply.get("link_dests", []),
                ssh=sending.ssh,
            )
            receiver.stdin.write(f"{ACCEPT_COMMAND}\n")
            receiver.stdin.flush()
            return _outcome_of(destination, _next_reply(receiver.stdout, errors, host), sent)
        finally:
            receiver.stdin.close()  # a receiver still waiting gives up and removes its folder


def _start_receiver(
    sending: _Sending, host: str, path: str, errors: IO[str]
) -> subprocess.Popen[str]:
    """``indexer receive`` for the folder ``path`` on ``host``, started over ssh."""
    if host.startswith("-"):  # ssh would read it as an option
        raise NewsindexError(f"{host!r} is not a host name")
    receive = f"{sending.remote_indexer} receive --content-id {sending.content_id}"
    try:
        return subprocess.Popen(
            [*shlex.split(sending.ssh), host, f"{receive} {shlex.quote(path)}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    except (OSError, ValueError) as exc:  # not installed; not a command line
        raise NewsindexError(f"cannot run the ssh command {sending.ssh!r}: {exc}") from exc


def _next_reply(replies: IO[str], errors: IO[str], host: str) -> Reply:
    """The receiver's next JSON line (lines a login shell may print before it are skipped)."""
    for line in replies:
        if line.startswith("{"):
            try:
                reply = json.loads(line)
            except ValueError:
                continue
            if isinstance(reply, dict) and "state" in reply:
                return reply
    errors.seek(0)
    said = " ".join(errors.read().split())[-500:] or "no answer"
    raise NewsindexError(f"cannot reach the replica on {host}: {said}")


def _outcome_of(destination: str, reply: Reply, sent: Transfer = NOTHING_SENT) -> ReplicaOutcome:
    state = reply["state"] if reply["state"] in (SWITCHED, UNCHANGED) else FAILED
    return ReplicaOutcome(
        destination,
        state,
        generation=reply.get("generation"),
        message="" if state != FAILED else str(reply.get("message") or reply),
        files_sent=sent.files_sent,
        bytes_sent=sent.bytes_sent,
    )


def _rsync(
    source: Path, target: str, link_dests: Sequence[str], ssh: str | None = None
) -> Transfer:
    """Copy the generation in ``source`` into ``target`` (a local path or host:path) with rsync,
    hard-linking unchanged files from the replica's generations ``link_dests``; the numbers of
    files and bytes sent."""
    command = ["rsync", *RSYNC_FLAGS, *(f"--link-dest=../{name}" for name in link_dests)]
    if ssh:
        command += ["--rsh", ssh]
    command += [f"{source}/", f"{target}/"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise NewsindexError(
            "rsync is not installed on this machine (apt-get install rsync)"
        ) from None
    if done.returncode != 0:
        said = " ".join(done.stderr.split())[-500:]
        raise NewsindexError(f"rsync failed (exit {done.returncode}): {said}")
    return Transfer(
        files_sent=_stat(done.stdout, r"Number of regular files transferred: (\d+)"),
        bytes_sent=_stat(done.stdout, r"Total transferred file size: (\d+)"),
    )


def _stat(report: str, pattern: str) -> int | None:
    found = re.search(pattern, report)
    return int(found.group(1)) if found else None
