"""Searching the index: the request, the query language, matching, ranking, facets, snippets,
suggestions and related articles, behind ``SearchService``.

Reads the index that ``indexer.index`` writes; never imports ``indexer.ingest``.
"""
