"""gunicorn's configuration, read by itself when started from the project folder:

    gunicorn 'webui:create_app()'

Search is CPU-bound pure Python, so one worker per core plus one (while another waits on disk)
serves best; each worker keeps its own searcher open and follows new index generations.
"""

import multiprocessing
import os

bind = os.environ.get("NEWSINDEX_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("NEWSINDEX_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 30  # a query is cut off by its own time limit long before this
graceful_timeout = 10
keepalive = 5
# Recycle workers now and then, spread out by a wide jitter: workers serving the same traffic
# reach the same count together, and a new worker spends a second loading a large index.
max_requests = 100_000
max_requests_jitter = 50_000
accesslog = "-"
errorlog = "-"
loglevel = "info"
proc_name = "newsindex"


def post_worker_init(worker):
    """A new worker (at start, after a recycle) loads the index before it takes requests."""
    from webui import warm_up

    try:
        if not warm_up(worker.wsgi):
            worker.log.warning("no usable index yet; searches will say so until one is built")
    except Exception:  # the worker serves anyway; its searches report what is wrong
        worker.log.exception("could not load the index")
