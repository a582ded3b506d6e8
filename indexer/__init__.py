"""newsindex's indexer: articles in, a Whoosh index out, and the search API the web app uses.

Layout, one stage per module:

- ``config``    settings from defaults, the TOML file and ``NEWSINDEX_*`` variables
- ``articles``  the article record and how raw records become one; ``htmltext`` HTML to text
- ``sources``   reading files and folders of articles
- ``analysis``  words cut by script and stemmed by language (Whoosh analyzers); ``schema``
- ``build``     rebuilding the index; ``store`` generations on disk and the atomic switch
- ``status``    stats, check, rollback; ``search`` the search API; ``cli`` the command line
- ``errors``    the errors every interface reports
"""

__version__ = "0.1.0"
