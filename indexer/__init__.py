"""newsindex's indexer: articles in, a Whoosh index out, and the search API the web app uses.

Three rooms, each importing only downwards (ingest <- index <- search; the CLI on top), and the
text analysis all three share:

``analysis/`` what text is made of, for every room (imports none of them)
    ``scripts``        the writing system (script) of characters and text
    ``language_id``    each article's language: declared, else its script, else py3langid
    ``tokenizer``      words cut by script and normalised by language, as Whoosh analyzers
    ``word_forms``     each language's normal forms (stemmers, folding), stop words, namespaces
    ``unspaced``       CJK bigrams, and ICU's words for Thai, Lao, Khmer and Burmese
    ``word_lists``     the word lists shipped: ``stop_words/``, ``question_words/``

``ingest/`` reading sources into ``ArticleRecord`` (imports neither of the others)
    ``articles``       the article record; raw records -> articles
    ``records``        raw records as read, the invalid ones, and readers' warnings
    ``htmltext``       HTML to plain text
    ``charsets``       bytes decoded by what they are, whatever they declare
    ``sources``        files, folders and URLs of articles
    ``feeds``          RSS and Atom items -> articles (feedparser)
    ``feed_recovery``  a feed that is not well-formed, recovered by lxml or item by item
    ``webpages``       saved and fetched article pages -> articles
    ``page_metadata``  a page's headline, date, section and teaser
    ``titles``         the headline by evidence, without site names and other affixes
    ``dates``          dates as publishers write them (dateparser), and implausible ones
    ``page_dates``     a page's date of publication (htmldate, datelines)
    ``page_sections``  a page's section: its breadcrumb's leaf, or a label
    ``page_authors``   a page's authors: names from bylines in prose
    ``page_story``     a page's body and standfirst (trafilatura)
    ``boilerplate``    the lines around a story that are not the story
    ``fetch``          http(s) sources: conditional GET, the state of the sources

``index/`` writing and keeping the index (never imports ``search``)
    ``schema``           the Whoosh schema, versioned
    ``index_formats``    the byte formats the index stores (positions, lengths), packed here only
    ``documents``        how an article fills the schema's fields
    ``whoosh_internals`` every private Whoosh name the project uses, with its reason
    ``whoosh_types``     the public Whoosh API the project calls, as Protocols
    ``bulk_writer``      a rebuild's writer: postings in memory, a segment per process
    ``stories``          near-duplicate articles grouped into stories (MinHash LSH)
    ``story_table``      each generation's table of stories; an update's articles grouped
    ``archive_text``     what a rebuild learns from the text with NLTK: sentences, phrases
    ``sentences``        sentence ends learned by Punkt
    ``teasers``          the teasers cut at them where the source gives none
    ``phrases``          the archive's phrases (NLTK collocations) and headline words
    ``suggestion_table`` each generation's phrases to complete (``suggestions-<hash>.npz``)
    ``build``            rebuild: read, write a new generation, check it, switch
    ``update``           update and delete: a new generation derived from the current one
    ``store``            generations on disk, the atomic switch, the write lock
    ``status``           stats, check, rollback, the state of the sources
    ``publish``          publish: the current generation sent to replicas (rsync, ssh)
    ``replica``          a replica receiving a generation: checked, then switched to

``search/`` searching the index (never imports ``ingest``); ``SearchService`` is its door
    ``service``       the search API: ``SearchService``
    ``open_index``    the generation searches read, held open and followed as it changes
    ``requests``      the search request, checked and bounded
    ``results``       the plain data searches return
    ``query_parser``  the query language
    ``query_words``   a query read as words, phrases, required and excluded clauses
    ``finding``       what a search finds: the query read, matched, filtered by date and section
    ``word_match``    the match rule: every word for a short query, most words for a long one
    ``query_languages`` each query word looked for in every language of the index
    ``language_bm25`` each language's BM25F statistics; the language of every document
    ``docsets``       which documents match, as sorted arrays (``DocSet``)
    ``postings``      decoded postings and word positions, kept within a budget
    ``kept``          values kept by key within a budget, least recently used first out
    ``doctable``      section, month and date of every document: filters, facets, date order
    ``collapse``      one result per story: the story of every document, counts of stories
    ``ranking``       BM25F of whole words over the matching documents (numpy)
    ``feedback``      a long query's second pass with words of its best matches (RM3)
    ``proximity``     a short query's words close together
    ``related``       more like this
    ``snippets``      highlighting
    ``suggest``       did you mean
    ``near_words``    the words of the index two edits from a misspelt one
    ``completion``    a typed prefix completed to the archive's phrases
    ``deadline``      a search's time limit
    ``warm_up``       the searches that warm a generation before it is switched to

Top level: ``config`` (settings from defaults, newsindex.toml, ``NEWSINDEX_*`` variables),
``errors`` (the errors every interface reports), ``cli`` (the ``indexer`` command, a thin shell
over the rooms), ``progress`` (its progress bar), ``run_metrics`` (each run's summary for node
exporter's textfile collector) and ``forked`` (what every process a run forks does first: die
with the run, stay quiet).
"""

__version__ = "0.1.0"
