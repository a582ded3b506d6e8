"""Writing and keeping the index: analysis, the schema, rebuilds, updates, generations on disk.

Reads articles from ``indexer.ingest``; never imports ``indexer.search``.
"""
