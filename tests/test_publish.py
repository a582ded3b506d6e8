"""``indexer publish``: the current generation copied to replicas, each checked and switched
atomically; a local folder directly, ``host:/path`` through rsync and ``indexer receive`` over ssh
(here a stand-in ssh, tests/fixtures/fake_ssh, that runs the command on this machine)."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import SAMPLES, article, write_jsonl
from indexer.cli import main
from indexer.config import load_settings
from indexer.index.replica import answer_publisher, content_id
from indexer.index.store import IndexStore
from indexer.search.requests import SearchRequest
from indexer.search.service import SearchService

FAKE_SSH = Path(__file__).parent / "fixtures" / "fake_ssh"


@pytest.fixture
def ssh_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """host:/path destinations go through the stand-in ssh; what it ran is logged here."""
    log = tmp_path / "ssh.log"
    monkeypatch.setenv("NEWSINDEX_SSH", f"{FAKE_SSH} -o BatchMode=yes")
    monkeypatch.setenv("NEWSINDEX_REMOTE_INDEXER", f"{sys.executable} -m indexer")
    monkeypatch.setenv("FAKE_SSH_LOG", str(log))
    return log


@pytest.fixture
def replicas(tmp_path: Path, ssh_log: Path) -> tuple[Path, Path]:
    """Two replica folders: the first reached as a local path, the second as a host."""
    return tmp_path / "replica-local", tmp_path / "replica-remote"


def destinations(replicas: tuple[Path, Path]) -> list[str]:
    return [str(replicas[0]), f"web2.example:{replicas[1]}"]


def publish(indexer, *args: str):
    result = indexer("publish", "--json", *args)
    return result, json.loads(result.stdout) if result.stdout.startswith("{") else {}


def hits(index_dir: Path, q: str = "harbour") -> int:
    with SearchService(load_settings({"index_dir": index_dir}, environ={})) as service:
        return service.search(SearchRequest.from_params({"q": q})).total


def in_replica(replica: Path, *args: str):
    """``indexer ARGS`` run on a replica's folder, as an operator does on that machine."""
    env = {"NEWSINDEX_INDEX_DIR": str(replica)}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def fake_rsync(folder: Path, after: str) -> Path:
    """An rsync that runs the real one, then the shell line ``after`` ($target: the folder it
    wrote); put ``folder`` first on PATH to use it."""
    folder.mkdir(exist_ok=True)
    script = folder / "rsync"
    script.write_text(
        "#!/bin/sh\n"
        f'{shutil.which("rsync")} "$@" || exit $?\n'
        "for target; do :; done\ntarget=${target#*:}\n"
        f"{after}\n"
    )
    script.chmod(0o755)
    return folder


def test_each_replica_gets_the_generation_checked_and_switched(
    indexer, index_dir, replicas, ssh_log
) -> None:
    indexer("rebuild", str(SAMPLES))
    result, summary = publish(indexer, *destinations(replicas))
    assert result.exit_code == 0, result.stderr
    assert [r["state"] for r in summary["replicas"]] == ["switched", "switched"]
    assert summary["articles"] == 45 and summary["failed"] == []
    source = IndexStore(index_dir).current()
    for replica in replicas:
        served = IndexStore(replica).current()
        assert served.manifest["built_at"] == source.manifest["built_at"]
        assert served.manifest["source_generation"] == source.name
        assert content_id(served.path) == content_id(source.path)
        assert hits(replica) == hits(index_dir) > 0
        assert in_replica(replica, "check").exit_code == 0
        assert not list(replica.glob("build-*"))
    calls = ssh_log.read_text()
    assert f"receive --content-id {content_id(source.path)} {replicas[1]}" in calls
    assert "rsync --server" in calls  # the files went by rsync over "ssh"


def test_publishing_twice_changes_nothing(indexer, replicas) -> None:
    indexer("rebuild", str(SAMPLES))
    publish(indexer, *destinations(replicas))
    result = indexer("publish", *destinations(replicas))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("already serving gen-000001") == 2
    for replica in replicas:
        assert sorted(p.name for p in replica.glob("gen-*")) == ["gen-000001"]


def test_after_an_update_only_the_new_files_travel(indexer, tmp_path, replicas) -> None:
    indexer("rebuild", str(SAMPLES))
    publish(indexer, *destinations(replicas))
    news = write_jsonl(tmp_path / "news.jsonl", [article(n) for n in range(5)])
    indexer("update", str(news))
    result, summary = publish(indexer, *destinations(replicas))
    assert result.exit_code == 0, result.stderr
    for replica, outcome in zip(replicas, summary["replicas"], strict=True):
        new, old = replica / "gen-000002", replica / "gen-000001"
        kept = [p.name for p in old.iterdir() if (new / p.name).exists() and "." in p.name[1:]]
        kept = [name for name in kept if name not in ("manifest.json", "readers.lock")]
        assert kept, "the update kept no file of the generation before"
        for name in kept:  # the same file on disk, linked rather than sent
            assert (new / name).stat().st_ino == (old / name).stat().st_ino, name
        sent = [p for p in new.iterdir() if p.name not in [*kept, "readers.lock"]]
        assert outcome["files_sent"] == len(sent), sent  # the new segment, its TOC, manifest
        assert hits(replica) == hits(tmp_path / "index")
        # The previous generation stays there for rollback.
        assert in_replica(replica, "rollback").exit_code == 0
        assert hits(replica) == hits(tmp_path / "index") - 5


def test_a_replica_that_cannot_be_reached_or_is_busy_is_named_and_the_others_switch(
    indexer, tmp_path, replicas
) -> None:
    indexer("rebuild", str(SAMPLES))
    busy = tmp_path / "replica-busy"
    with IndexStore(busy).write_lock():  # an indexer run is writing that folder
        result, summary = publish(
            indexer, *destinations(replicas), "unreachable.example:/srv/index", str(busy)
        )
    assert result.exit_code == 1
    assert summary["failed"] == ["unreachable.example:/srv/index", str(busy)]
    assert "publish to unreachable.example:/srv/index failed: cannot reach" in result.stderr
    assert "Connection refused" in result.stderr
    assert f"publish to {busy} failed: another indexer run" in result.stderr
    assert [r["state"] for r in summary["replicas"][:2]] == ["switched", "switched"]
    assert not (busy / "CURRENT.json").exists()


@pytest.mark.parametrize(
    ("after_copy", "message"),
    [
        # The manifest counts one article fewer than the index holds: the rebuild's check.
        (
            f"{sys.executable} -c \"import json, sys; p = sys.argv[1] + '/manifest.json'; "
            "m = json.load(open(p)); m['articles'] -= 1; json.dump(m, open(p, 'w'))\" $target",
            "the new index holds 55 articles, but",
        ),
        # A segment file went missing on the way.
        ("rm -f $target/*.seg", "not those of the generation sent"),
        # The transfer broke off.
        ("exit 23", "rsync failed (exit 23)"),
    ],
)
def test_a_replica_whose_copy_is_bad_keeps_what_it_served(
    indexer, tmp_path, replicas, monkeypatch, after_copy, message
) -> None:
    indexer("rebuild", str(SAMPLES))
    publish(indexer, *destinations(replicas))
    news = write_jsonl(tmp_path / "news.jsonl", [article(n) for n in range(10)])
    indexer("rebuild", str(SAMPLES), str(news))
    bin_dir = fake_rsync(tmp_path / "bin", after_copy)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result, summary = publish(indexer, *destinations(replicas))
    assert result.exit_code == 1
    assert summary["failed"] == destinations(replicas)
    assert result.stderr.count(message) == 2, result.stderr
    for replica in replicas:
        assert IndexStore(replica).current().name == "gen-000001"
        assert hits(replica) == hits(tmp_path / "index") - 10
        assert not list(replica.glob("build-*"))


def test_the_receiving_side_gives_up_when_the_publisher_goes_away(tmp_path) -> None:
    replica = tmp_path / "replica"
    replies = io.StringIO()
    exit_code = answer_publisher(replica, "0123abcd", io.StringIO(""), replies)
    states = [json.loads(line)["state"] for line in replies.getvalue().splitlines()]
    assert exit_code == 1 and states == ["ready", "failed"]
    assert not list(replica.glob("build-*")) and not (replica / "CURRENT.json").exists()


def test_replicas_come_from_the_configuration(indexer, tmp_path, monkeypatch) -> None:
    result = indexer("publish")
    assert result.exit_code == 1 and "no replica given" in result.stderr
    indexer("rebuild", str(SAMPLES))
    config = tmp_path / "site.toml"
    config.write_text('[publish]\nreplicas = ["replicas/one", "web9.example:/srv/index"]\n')
    settings = load_settings(environ={"NEWSINDEX_CONFIG": str(config)})
    assert settings.replicas == (str(tmp_path / "replicas" / "one"), "web9.example:/srv/index")
    monkeypatch.setenv("NEWSINDEX_REPLICAS", f"{tmp_path}/r1 {tmp_path}/r2")
    result = indexer("publish")
    assert result.exit_code == 0, result.stderr
    assert hits(tmp_path / "r1") == hits(tmp_path / "r2") == hits(tmp_path / "index")


def test_publish_without_an_index_says_so(indexer, tmp_path) -> None:
    result = indexer("publish", str(tmp_path / "replica"))
    assert result.exit_code == 1 and "run `indexer rebuild`" in result.stderr


def test_rolling_back_everywhere_sends_only_a_manifest(indexer, tmp_path, replicas) -> None:
    indexer("rebuild", str(SAMPLES))
    publish(indexer, *destinations(replicas))
    news = write_jsonl(tmp_path / "news.jsonl", [article(n) for n in range(10)])
    indexer("rebuild", str(SAMPLES), str(news))
    publish(indexer, *destinations(replicas))
    assert indexer("rollback").exit_code == 0  # on the indexing machine, then publish that
    result, summary = publish(indexer, *destinations(replicas))
    assert result.exit_code == 0, result.stderr
    for replica, outcome in zip(replicas, summary["replicas"], strict=True):
        assert outcome["state"] == "switched" and outcome["files_sent"] == 1  # the manifest
        assert hits(replica) == hits(tmp_path / "index")
