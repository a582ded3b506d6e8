"""Reading sources: files, folders, feeds and pages become ``ArticleRecord``s.

Imports neither ``indexer.index`` nor ``indexer.search``.
"""
