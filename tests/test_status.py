"""``indexer stats``, ``check`` and ``search`` on the terminal."""

from __future__ import annotations

import json

from conftest import SAMPLES, sample_records


def test_stats_reports_what_the_index_holds(indexer) -> None:
    indexer("rebuild", str(SAMPLES))
    found = json.loads(indexer("stats", "--json").stdout)
    records = sample_records()
    assert found["articles"] == len(records)
    sections = {}
    for record in records:
        sections[record["section"]] = sections.get(record["section"], 0) + 1
    assert found["sections"] == sections
    dates = sorted(record["published"] for record in records)
    assert found["first_published"][:10] == dates[0][:10]
    assert found["last_published"][:10] == dates[-1][:10]
    assert found["size_bytes"] > 10_000 and found["generation"] == "gen-000001"
    assert found["built_at"] and found["undated"] == 0
    text = indexer("stats").stdout
    assert "articles    45" in text and "Politics" in text


def test_stats_count_what_is_left_after_a_delete(indexer) -> None:
    """The counts come from the index, whose deleted documents stay in their segment."""
    indexer("rebuild", str(SAMPLES))
    records = sorted(sample_records(), key=lambda record: record["published"])
    newest, oldest = records[-1], records[0]
    assert indexer("delete", newest["id"], oldest["id"]).exit_code == 0
    found = json.loads(indexer("stats", "--json").stdout)
    assert found["articles"] == len(records) - 2
    assert found["first_published"][:10] == records[1]["published"][:10] > oldest["published"]
    assert found["last_published"][:10] == records[-2]["published"][:10] < newest["published"]
    sections = {}
    for record in records[1:-1]:
        sections[record["section"]] = sections.get(record["section"], 0) + 1
    assert found["sections"] == sections


def test_check_passes_on_a_sound_index_and_fails_on_a_tampered_one(indexer, index_dir) -> None:
    indexer("rebuild", str(SAMPLES))
    result = indexer("check", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["ok"] is True
    manifest_path = index_dir / "gen-000001" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["articles"] = 41
    manifest_path.write_text(json.dumps(manifest))
    result = indexer("check")
    assert result.exit_code == 1 and "holds 45 articles, manifest says 41" in result.stderr


def test_an_index_of_another_schema_version_is_refused(indexer, index_dir) -> None:
    indexer("rebuild", str(SAMPLES))
    manifest_path = index_dir / "gen-000001" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["schema_version"] = 0
    manifest_path.write_text(json.dumps(manifest))
    for command in (["check"], ["search", "oil"]):
        result = indexer(*command)
        assert result.exit_code == 1
        assert "schema version 0" in result.stderr and "indexer rebuild" in result.stderr


def test_search_prints_ranked_results_with_dates(indexer) -> None:
    indexer("rebuild", str(SAMPLES))
    result = indexer("search", "oil prices")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    # Four samples have both words, fewer than ten: those with one of them follow.
    assert lines[0].startswith("8 stories") and "(all words first: 4 with every word)" in lines[0]
    assert "  1. 2025-01-29 [Business] Oil prices push Halcyon Shipping" in lines[1]
    assert "*oil* *prices*" in lines[2]


def test_every_command_has_help(indexer) -> None:
    for command in ("rebuild", "rollback", "stats", "check", "search"):
        result = indexer(command, "--help")
        assert result.exit_code == 0 and "Exit codes" in result.stdout


def test_usage_errors_exit_2(indexer) -> None:
    assert indexer("rebuild", "--no-such-option").exit_code == 2
    assert indexer("search").exit_code == 2
