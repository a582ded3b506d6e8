"""``indexer rebuild`` through its command line: sources, bad input, output, exit codes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from conftest import SAMPLES, article, write_jsonl


def stats(indexer) -> dict:
    result = indexer("stats", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_rebuild_indexes_the_sample_articles(indexer) -> None:
    result = indexer("rebuild", str(SAMPLES))
    assert result.exit_code == 0, result.output
    assert "indexed 45 articles" in result.stdout
    assert stats(indexer)["articles"] == 45


def test_rebuild_reads_folders_recursively_by_file_type(indexer, tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    (folder / "2024" / "march").mkdir(parents=True)
    write_jsonl(folder / "a.jsonl", [article(1)])
    write_jsonl(folder / "2024" / "b.ndjson", [article(2)])
    with gzip.open(folder / "2024" / "march" / "c.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(article(3)) + "\n")
    (folder / "2024" / "d.json").write_text(json.dumps([article(4), article(5)]), "utf-8")
    (folder / "e.json").write_text(json.dumps(article(6)), "utf-8")
    (folder / "notes.txt.bak").write_text("not an article", "utf-8")
    (folder / ".hidden.jsonl").write_text(json.dumps(article(7)) + "\n", "utf-8")
    result = indexer("rebuild", str(folder), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["indexed"], summary["files"], summary["warnings"]) == (6, 5, 0)


def test_bad_lines_are_skipped_and_reported_by_file_and_line(indexer, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "mixed.jsonl",
        [article(1)],
        raw_lines=[
            '{"title": "broken", ',  # line 2: malformed JSON
            json.dumps({"body": "no title"}),  # line 3
            json.dumps(article(4, published="sometime")),  # line 4: bad date, kept
            json.dumps(article(5, section=["wrong"])),  # line 5: wrong type, kept
            "[1, 2]",  # line 6: not an object
            json.dumps(article(7)),
        ],
    )
    with source.open("ab") as handle:
        handle.write(b'{"title": "bad \xff bytes"}\n')  # line 8: invalid UTF-8
    result = indexer("rebuild", str(source), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["indexed"], summary["skipped"], summary["warnings"]) == (4, 4, 6)
    for line, words in [
        (2, "not valid JSON"),
        (3, "no title"),
        (4, "published"),
        (5, "section"),
        (6, "expected a JSON object"),
        (8, "UTF-8"),
    ]:
        assert f"{source}:line {line}: " in result.stderr
        assert any(f":line {line}: " in w and words in w for w in summary["warning_messages"])
    assert "Traceback" not in result.output


def test_strict_turns_warnings_into_a_failed_run_and_keeps_the_old_index(
    indexer, tmp_path: Path
) -> None:
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    bad = write_jsonl(tmp_path / "bad.jsonl", [article(1)], raw_lines=["{nope"])
    result = indexer("rebuild", "--strict", str(bad))
    assert result.exit_code == 1
    assert "--strict" in result.stderr and "not changed" in result.stderr
    assert stats(indexer)["articles"] == 45


def test_duplicate_ids_last_one_wins_and_are_counted(indexer, tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "dups.jsonl",
        [article(1, title="First version"), article(2), article(1, title="Second version")],
    )
    result = indexer("rebuild", str(source), "--json")
    summary = json.loads(result.stdout)
    assert (summary["indexed"], summary["duplicates"]) == (2, 1)
    found = json.loads(indexer("search", "version", "--json").stdout)
    assert [hit["title"] for hit in found["results"]] == ["Second version"]


def test_missing_or_unreadable_source_fails_and_keeps_the_old_index(
    indexer, tmp_path: Path
) -> None:
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    missing = indexer("rebuild", str(tmp_path / "nowhere.jsonl"))
    assert missing.exit_code == 1
    assert "nowhere.jsonl: no such file or folder" in missing.stderr
    corrupt = tmp_path / "corrupt.jsonl.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00garbage-not-gzip")
    result = indexer("rebuild", str(corrupt))
    assert result.exit_code == 1 and "cannot be read" in result.stderr
    unknown = tmp_path / "articles.csv"
    unknown.write_text("id,title\n", "utf-8")
    result = indexer("rebuild", str(unknown))
    assert result.exit_code == 1 and "unknown file type" in result.stderr
    assert stats(indexer)["articles"] == 45
    assert "Traceback" not in missing.output + result.output


def test_sources_with_no_usable_article_do_not_replace_the_index(indexer, tmp_path: Path) -> None:
    assert indexer("rebuild", str(SAMPLES)).exit_code == 0
    empty = write_jsonl(tmp_path / "empty.jsonl", [], raw_lines=['{"body": "untitled"}'])
    result = indexer("rebuild", str(empty))
    assert result.exit_code == 1 and "no usable article" in result.stderr
    assert stats(indexer)["articles"] == 45


def test_without_sources_the_configured_ones_are_read(indexer, tmp_path, monkeypatch) -> None:
    source = write_jsonl(tmp_path / "configured.jsonl", [article(1), article(2)])
    config = tmp_path / "newsindex.toml"
    config.write_text(f'[[sources]]\nlocation = "{source.name}"\n', "utf-8")
    monkeypatch.setenv("NEWSINDEX_CONFIG", str(config))
    result = indexer("rebuild", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["indexed"] == 2


def test_not_on_a_terminal_it_prints_warnings_and_one_summary_line(indexer, tmp_path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", [article(1)], raw_lines=["{bad"])
    result = indexer("rebuild", str(source))
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("indexed 1 articles")
    assert result.stderr.startswith("warning: ") and "\r" not in result.stderr


def test_quiet_prints_nothing_on_success(indexer, tmp_path) -> None:
    source = write_jsonl(tmp_path / "a.jsonl", [article(1)], raw_lines=["{bad"])
    result = indexer("rebuild", "--quiet", str(source))
    assert result.exit_code == 0 and result.output == ""


def test_json_summary_has_the_documented_fields(indexer) -> None:
    summary = json.loads(indexer("rebuild", "--json", str(SAMPLES)).stdout)
    assert {"indexed", "skipped", "warnings", "duplicates", "seconds"} <= set(summary)
    assert summary["indexed"] == 45 and summary["seconds"] > 0
