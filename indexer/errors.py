"""The small vocabulary of errors newsindex reports.

Every error a user can cause or meet is one of these. Each interface has one error boundary that
turns them into its own form: the CLI into a message and an exit code, the web app into a JSON
error or a friendly page. Anything else escaping is a bug.
"""


class NewsindexError(Exception):
    """Base class: a problem to report to the user, never a traceback."""

    exit_code = 1
    code = "error"


class ConfigError(NewsindexError):
    """The configuration file or an environment variable is invalid."""

    code = "bad_config"


class SourceError(NewsindexError):
    """A source of articles is missing or cannot be read."""

    code = "bad_source"


class StrictModeError(NewsindexError):
    """--strict was given and the sources had warnings."""

    code = "strict"


class IndexMissingError(NewsindexError):
    """No index has been built yet (or the index folder holds no current generation)."""

    code = "no_index"


class SchemaMismatchError(NewsindexError):
    """The index on disk was built with a different schema version."""

    code = "schema_mismatch"


class DiskError(NewsindexError):
    """The index folder cannot be written: no space left, read-only, no permission."""

    code = "disk"


class WriterDiedError(NewsindexError):
    """A process writing the new index ended unexpectedly (killed, or out of memory)."""

    code = "writer_died"


class IndexCheckError(NewsindexError):
    """An index failed its checks: it does not open, or disagrees with its recorded counts."""

    code = "index_check_failed"


class IndexBusyError(NewsindexError):
    """Another indexer run holds the write lock."""

    exit_code = 3
    code = "busy"


class QueryError(NewsindexError):
    """A search request cannot be read (bad parameter or unreadable query)."""

    code = "bad_query"


class SearchTimeoutError(NewsindexError):
    """A search ran past its time limit: the query is readable, but too costly as asked (a
    script should try more specific words, not fix its syntax)."""

    code = "search_timeout"


class ArticleNotFoundError(NewsindexError):
    """No article has the requested id."""

    code = "not_found"
