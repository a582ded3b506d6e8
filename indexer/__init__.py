"""newsindex's indexer: articles in, a Whoosh index out, and the search API the web app uses.

Three rooms, each importing only downwards (ingest <- index <- search; the CLI on top):

``ingest/`` reading sources into ``ArticleRecord`` (imports neither of the others)
    ``articles``       the article record; raw records -> articles
    ``records``        raw records as read, and the invalid ones
    ``htmltext``       HTML to plain text
    ``sources``        files, folders and URLs of articles
    ``feeds``          RSS and Atom items -> articles (feedparser)
    ``webpages``       saved and fetched article pages -> articles (trafilatura)
    ``page_metadata``  a page's headline, date, section and teaser
    ``fetch``          http(s) sources: conditional GET, the state of the sources
    ``language``       each article's language: declared, else its script, else py3langid

``index/`` writing and keeping the index (never imports ``search``)
    ``analysis``         words cut by script and normalised by language, as Whoosh analyzers
    ``languages``        each language's normal forms (stemmers, folding) and term namespaces
    ``unspaced``         CJK bigrams, and ICU's words for Thai, Lao, Khmer and Burmese
    ``schema``           the Whoosh schema, versioned
    ``documents``        how an article fills the schema's fields
    ``whoosh_internals`` every private Whoosh name the project uses, with its reason
    ``whoosh_types``     the public Whoosh API the project calls, as Protocols
    ``bulk_writer``      a rebuild's writer: postings in memory, a segment per process
    ``build``            rebuild: read, write a new generation, check it, switch
    ``update``           update and delete: a new generation derived from the current one
    ``store``            generations on disk, the atomic switch, the write lock
    ``status``           stats, check, rollback, the state of the sources

``search/`` searching the index (never imports ``ingest``); ``SearchService`` is its door
    ``service``       the search API: ``SearchService``
    ``open_index``    the generation searches read, held open and followed as it changes
    ``requests``      the search request, checked and bounded
    ``results``       the plain data searches return
    ``query_parser``  the query language
    ``languages``     each query word looked for in every language of the index
    ``language_stats`` each language's BM25F statistics; the language of every document
    ``docsets``       which documents match, as sorted arrays (``DocSet``)
    ``postings``      decoded postings and word positions, kept within a budget
    ``kept``          values kept by key within a budget, least recently used first out
    ``doctable``      section, month and date of every document: filters, facets, date order
    ``ranking``       BM25F over the matching documents (numpy)
    ``related``       more like this
    ``snippets``      highlighting
    ``suggest``       did you mean
    ``deadline``      a search's time limit

Top level: ``config`` (settings from defaults, newsindex.toml, ``NEWSINDEX_*`` variables),
``errors`` (the errors every interface reports), ``scripts`` (the writing system of text, for all
three rooms), ``cli`` (the ``indexer`` command, a thin shell over the rooms) and ``progress`` (its
progress bar).
"""

__version__ = "0.1.0"
