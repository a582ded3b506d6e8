"""The ``indexer`` command: a thin shell over the library that formats results and exit codes."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import click

from indexer.config import Settings, load_settings
from indexer.errors import NewsindexError
from indexer.index.build import rebuild_index
from indexer.index.publish import PublishSummary, publish_index
from indexer.index.replica import answer_publisher
from indexer.index.status import check_index, index_stats, rollback_index, source_report
from indexer.index.update import delete_articles, update_index
from indexer.progress import ProgressBar
from indexer.run_metrics import RunRecord, write_run_metrics

if TYPE_CHECKING:
    from indexer.search.results import SearchResults


class _Summary(Protocol):
    """What a command's summary (rebuild, update) has that its warnings are printed from."""

    @property
    def warning_messages(self) -> list[str]: ...


SummaryT = TypeVar("SummaryT", bound=_Summary)

EXIT_CODES = """\b
Exit codes:
  0  done
  1  failed: bad source, --strict warnings, index check failed, disk trouble
     (the index in use is left as it was); publish: a replica failed
  2  usage error
  3  another indexer run is writing the index (cron runs overlapping)
  130  interrupted (Ctrl-C); the index in use is left as it was
"""
INTERRUPTED = 130
MAX_PRINTED_WARNINGS = 50


@click.group(epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Config file (default: $NEWSINDEX_CONFIG, else newsindex.toml of the project).",
)
@click.option(
    "--debug",
    is_flag=True,
    help="On an unexpected error (a bug), print its traceback instead of one line.",
)
@click.pass_context
def main(ctx: click.Context, config_file: str | None, debug: bool) -> None:
    """newsindex: build and query the full-text news index."""
    ctx.obj = {"config_file": config_file, "debug": debug}


@main.command(epilog=EXIT_CODES)
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("--strict", is_flag=True, help="Fail (and keep the old index) on any warning.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def rebuild(
    ctx: click.Context, sources: tuple[str, ...], strict: bool, quiet: bool, as_json: bool
) -> None:
    """Build a new index from SOURCES and switch to it atomically.

    SOURCES are files (.jsonl, .ndjson, .json, feeds .xml/.rss/.atom/.rdf, pages .html/.htm,
    text pages .txt; optionally .gz), folders read recursively, or http(s) URLs of feeds and
    pages; without any, the sources of the config file are read. The index in use keeps serving
    until the new one is complete and checked; the previous one is kept for `indexer rollback`.
    """
    with _recorded_run(ctx, "rebuild") as record, _error_boundary():
        settings = _settings(ctx)
        summary = _with_progress(
            quiet, as_json, lambda bar: rebuild_index(settings, sources, strict, bar)
        )
        record.articles, record.warnings = summary.indexed, summary.warnings
        if as_json:
            click.echo(json.dumps(summary.as_json()))
        elif not quiet:
            click.echo(
                f"indexed {summary.indexed:,} articles from {summary.files} file(s) "
                f"in {summary.seconds:.1f}s ({summary.skipped:,} skipped, "
                f"{summary.duplicates:,} duplicates, {summary.warnings:,} warnings); "
                f"now serving {summary.generation}"
            )


@main.command(epilog=EXIT_CODES)
@click.argument("sources", nargs=-1, type=click.Path())
@click.option("--strict", is_flag=True, help="Fail (and change nothing) on any warning.")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def update(
    ctx: click.Context, sources: tuple[str, ...], strict: bool, quiet: bool, as_json: bool
) -> None:
    """Add new and replace changed articles from SOURCES; leave the rest.

    Like rebuild, it switches to a new, checked generation atomically (rollback undoes it),
    takes the same lock, and reads the configured sources when given none. Feeds that answer
    304 Not Modified cost one request and are not read again.
    """
    with _recorded_run(ctx, "update") as record, _error_boundary():
        settings = _settings(ctx)
        summary = _with_progress(
            quiet, as_json, lambda bar: update_index(settings, sources, strict, bar)
        )
        record.articles, record.warnings = summary.added + summary.updated, summary.warnings
        if as_json:
            click.echo(json.dumps(summary.as_json()))
        elif not quiet:
            served = "now serving" if summary.changed else "nothing changed; still serving"
            click.echo(
                f"added {summary.added:,}, updated {summary.updated:,}, unchanged "
                f"{summary.unchanged:,} ({summary.unchanged_sources} source(s) not modified, "
                f"{summary.skipped:,} skipped, {summary.warnings:,} warnings) in "
                f"{summary.seconds:.1f}s; {served} {summary.generation}"
            )


@main.command(epilog=EXIT_CODES)
@click.argument("ids", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def delete(ctx: click.Context, ids: tuple[str, ...], as_json: bool) -> None:
    """Remove the articles with these IDS (ids not in the index are reported, not an error)."""
    with _recorded_run(ctx, "delete") as record, _error_boundary():
        summary = delete_articles(_settings(ctx), ids)
        record.articles = len(summary.deleted)
        if as_json:
            click.echo(json.dumps(summary.as_json()))
            return
        click.echo(f"deleted {len(summary.deleted)} article(s); serving {summary.generation}")
        if summary.not_found:
            click.echo(f"not in the index: {', '.join(summary.not_found)}", err=True)


@main.command("sources", epilog=EXIT_CODES)
@click.option("--json", "as_json", is_flag=True, help="Print the sources as JSON.")
@click.pass_context
def list_sources(ctx: click.Context, as_json: bool) -> None:
    """List the configured sources with the time and result of their last read."""
    with _error_boundary():
        rows = source_report(_settings(ctx))
        if as_json:
            click.echo(json.dumps(rows))
            return
        if not rows:
            click.echo("no sources configured ([[sources]] in the config file)")
        for row in rows:
            kind = row["type"] or "by suffix or Content-Type"
            click.echo(f"{row['name']}  {row['location']}  ({kind})")
            click.echo(f"    last read {row['checked_at'] or 'never'}: {row['result'] or '-'}")


@main.command(epilog=EXIT_CODES)
@click.argument("destinations", nargs=-1, metavar="[DEST]...")
@click.option("--quiet", "-q", is_flag=True, help="Print errors only.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def publish(ctx: click.Context, destinations: tuple[str, ...], quiet: bool, as_json: bool) -> None:
    """Copy the current generation to the replicas' index folders and switch each to it.

    A DEST is an index folder on this machine or [user@]host:/path on another one (reached with
    rsync over ssh; the `indexer` there checks what arrived and switches). Without DEST, the
    configured replicas ([publish] replicas). Files a replica already holds are not sent again.
    A replica that cannot be reached or fails its check is named, keeps what it served, and
    makes the exit code 1; the others still switch.
    """
    with _recorded_run(ctx, "publish") as record, _error_boundary():
        summary = publish_index(_settings(ctx), destinations)
        record.articles, record.warnings = summary.articles, len(summary.failed)
        _print_publish(summary, quiet, as_json)
        if summary.failed:
            sys.exit(1)


def _print_publish(summary: PublishSummary, quiet: bool, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(summary.as_json()))
    for replica in summary.replicas:
        if not replica.ok:
            message = f"indexer: publish to {replica.destination} failed: {replica.message}"
            click.echo(message, err=True)
        elif replica.state == "unchanged" and not (quiet or as_json):
            click.echo(f"{replica.destination}: already serving {replica.generation}")
        elif not (quiet or as_json):
            sent = f"{replica.files_sent} file(s), {(replica.bytes_sent or 0) / 1e6:,.1f} MB sent"
            click.echo(f"{replica.destination}: now serving {replica.generation} ({sent})")
    if not (quiet or as_json):
        reached = len(summary.replicas) - len(summary.failed)
        click.echo(
            f"published {summary.generation} ({summary.articles:,} articles) to {reached} of "
            f"{len(summary.replicas)} replica(s) in {summary.seconds:.1f}s"
        )


@main.command(hidden=True, epilog=EXIT_CODES)
@click.argument("index_dir", type=click.Path(file_okay=False))
@click.option("--content-id", required=True, help="The content id of the generation sent.")
def receive(index_dir: str, content_id: str) -> None:
    """The replica's side of `indexer publish` (which starts it over ssh): receive a generation
    into INDEX_DIR beside the one in use, check it, and switch to it. Talks JSON lines on
    stdin/stdout; not for people to run."""
    with _error_boundary():
        sys.exit(answer_publisher(Path(index_dir), content_id, sys.stdin, sys.stdout))


@main.command(epilog=EXIT_CODES)
@click.pass_context
def rollback(ctx: click.Context) -> None:
    """Switch back to the previous index generation (run again to switch forward)."""
    with _error_boundary():
        generation = rollback_index(_settings(ctx))
        click.echo(f"now serving {generation.name} (built {generation.manifest['built_at']})")


@main.command(epilog=EXIT_CODES)
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Show what the index holds: articles, stories, sections, dates, size, generation."""
    with _error_boundary():
        found = index_stats(_settings(ctx))
        if as_json:
            click.echo(json.dumps(found.as_json()))
            return
        click.echo(f"articles    {found.articles:,}")
        click.echo(
            f"stories     {found.stories:,} ({found.stories_of_several:,} of several articles,"
            f" the largest of {found.largest_story:,})"
        )
        click.echo(f"generation  {found.generation}, built {found.built_at}")
        click.echo(f"previous    {found.previous_generation or '-'}")
        click.echo(
            f"dates       {found.first_published or '-'} .. {found.last_published or '-'}"
            f" ({found.undated:,} undated)"
        )
        click.echo(f"size        {found.size_bytes / 1e6:,.1f} MB in {found.index_dir}")
        click.echo("sections")
        for section, count in found.sections.items():
            click.echo(f"  {count:>9,}  {section}")


@main.command(epilog=EXIT_CODES)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Check that the index opens and agrees with its recorded counts (exit 1 if not)."""
    with _error_boundary():
        report = check_index(_settings(ctx))
        if as_json:
            click.echo(json.dumps(report.as_json()))
        elif report.ok:
            click.echo(f"ok: {report.generation} holds {report.articles:,} articles as recorded")
        for problem in report.problems:
            click.echo(f"indexer: check failed: {problem}", err=True)
        if not report.ok:
            sys.exit(1)


@main.command(epilog=EXIT_CODES)
@click.argument("query")
@click.option("--section", multiple=True, help="Only this section (repeatable).")
@click.option("--language", multiple=True, help="Only this language, e.g. en or ja (repeatable).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance")
@click.option("--limit", "-n", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--every-article", is_flag=True, help="List every article, not one result per story.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.pass_context
def search(
    ctx: click.Context,
    query: str,
    section: tuple[str, ...],
    language: tuple[str, ...],
    sort: str,
    limit: int,
    every_article: bool,
    as_json: bool,
) -> None:
    """Search the index and print ranked results, one per story (for checking from a shell)."""
    from indexer.search.service import SearchRequest, SearchService

    with _error_boundary():
        params = {"q": query, "section": list(section), "sort": sort, "per_page": str(limit)}
        params["collapse"] = "0" if every_article else "1"
        # The words as typed: the shell says "did you mean" and leaves the choice to the user.
        params["autocorrect"] = "0"
        request = SearchRequest.from_params({**params, "language": list(language)})
        with SearchService(_settings(ctx)) as service:
            results = service.search(request)
        if as_json:
            click.echo(json.dumps(results.as_json()))
            return
        _print_results(results)


_SINGULAR = {"stories": "story", "articles": "article"}


def _print_results(results: SearchResults) -> None:
    note = (
        f" ({results.match}: {results.all_words_total:,} with every word)"
        if results.relaxed
        else ""
    )
    unit = results.counts if results.total != 1 else _SINGULAR[results.counts]
    click.echo(f"{results.total:,} {unit} in {results.took_ms:.0f} ms{note}")
    if results.suggestion:
        click.echo(f"did you mean: {results.suggestion}")
    for rank, hit in enumerate(results.hits, start=1):
        date = (hit.published or "")[:10] or "undated"
        section = f" [{hit.section}]" if hit.section else ""
        versions = f", {hit.versions} more version{'s' if hit.versions != 1 else ''}"
        click.echo(
            f"{rank:>3}. {date}{section} {hit.title}  ({hit.id}{versions if hit.versions else ''})"
        )
        click.echo(f"     {_terminal_text(hit.snippet_html)}")


def _terminal_text(snippet_html: str) -> str:
    import html

    bold, plain = ("\x1b[1m", "\x1b[0m") if sys.stdout.isatty() else ("*", "*")
    text = snippet_html.replace("<mark>", bold).replace("</mark>", plain)
    return html.unescape(text)


def _settings(ctx: click.Context) -> Settings:
    return load_settings({"config_file": ctx.obj["config_file"]} if ctx.obj["config_file"] else {})


@contextmanager
def _recorded_run(ctx: click.Context, command: str) -> Iterator[RunRecord]:
    """The run's record, written for node exporter's textfile collector as the run ends, with
    its exit code, when a textfile folder is configured (a failure to write it is a warning)."""
    record = RunRecord(command)
    started = time.perf_counter()
    try:
        yield record
    except SystemExit as exit:
        record.exit_code = exit.code if isinstance(exit.code, int) else 1
        raise
    finally:
        record.seconds = round(time.perf_counter() - started, 3)
        _write_run_record(ctx, record)


def _write_run_record(ctx: click.Context, record: RunRecord) -> None:
    try:
        directory = _settings(ctx).textfile_dir
    except NewsindexError:
        return  # the run itself said what is wrong with the configuration
    if directory is None:
        return
    try:
        write_run_metrics(directory, record)
    except OSError as exc:
        click.echo(f"warning: cannot write the run's metrics in {directory}: {exc}", err=True)


def _with_progress(
    quiet: bool, as_json: bool, run: Callable[[ProgressBar | None], SummaryT]
) -> SummaryT:
    """``run(progress)`` with a progress bar on a terminal, then its warnings on stderr (what
    cron mails) unless --quiet; returns its summary."""
    bar = ProgressBar() if sys.stderr.isatty() and not (quiet or as_json) else None
    try:
        summary = run(bar)
    finally:
        if bar:
            bar.finish()
    if not quiet:
        _print_warnings(summary.warning_messages)
    return summary


def _print_warnings(messages: list[str]) -> None:
    for message in messages[:MAX_PRINTED_WARNINGS]:
        click.echo(f"warning: {message}", err=True)
    if len(messages) > MAX_PRINTED_WARNINGS:
        click.echo(f"warning: ... and {len(messages) - MAX_PRINTED_WARNINGS} more", err=True)


@contextmanager
def _error_boundary() -> Iterator[None]:
    """Domain errors become a one-line message and their exit code (with --json, also the
    error's code and message as JSON on stdout, as the web API gives them); never a traceback."""
    try:
        yield
    except NewsindexError as exc:
        click.echo(f"indexer: error: {exc}", err=True)
        if _option("as_json"):
            click.echo(json.dumps({"error": {"code": exc.code, "message": str(exc)}}))
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("indexer: interrupted; the index in use was not changed", err=True)
        sys.exit(INTERRUPTED)
    except BrokenPipeError:  # whoever read the output stopped (`indexer search ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        sys.exit(0)
    except Exception as exc:  # a bug: say so in one line; the index in use is untouched
        if _debugging():
            traceback.print_exc()
        click.echo(
            f"indexer: internal error ({type(exc).__name__}: {exc}); please report it "
            "(`indexer --debug ...` prints where it happened)",
            err=True,
        )
        sys.exit(1)


def _debugging() -> bool:
    context = click.get_current_context(silent=True)
    return bool(context and context.find_root().obj and context.find_root().obj.get("debug"))


def _option(name: str) -> bool:
    """Whether the running command was given the flag ``name``."""
    context = click.get_current_context(silent=True)
    return bool(context and context.params.get(name))
