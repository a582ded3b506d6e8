"""What text is made of, for every room: scripts, languages, words and their normal forms.

Reading (``ingest``) identifies each article's language here, writing (``index``) cuts and
normalises its words here, and searching (``search``) analyses a query's words the same way, so
the three cannot disagree. This room imports none of them.
"""
