"""gunicorn's configuration, read by itself when started from the project folder:

    gunicorn 'webui:create_app()'

Search is CPU-bound pure Python, so one worker per core plus one (while another waits on disk)
serves best; each worker keeps its own searcher open and follows new index generations. A worker
loads and warms the index before it takes requests (``post_worker_init``), after a start and after
a recycle alike, and a thread of it loads each new generation beside the one in use (see
``webui.warm_up``), so no request waits for an index load.
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path

bind = os.environ.get("NEWSINDEX_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("NEWSINDEX_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = 30  # a query is cut off by its own time limit long before this
graceful_timeout = 10
keepalive = 5
# Connections waiting for a free worker: few, so that an overloaded node refuses quickly (nginx
# then tries another node, or answers 503 with Retry-After) rather than queueing readers for
# seconds behind 2,048 (gunicorn's default). nginx's max_conns per node (deploy/) stays below it,
# so a direct /healthz or Prometheus' /metrics always finds room.
backlog = 64
# Recycle workers now and then, spread out by a wide jitter: workers serving the same traffic
# reach the same count together, and a new worker loads a large index for a second before it
# takes requests.
max_requests = 100_000
max_requests_jitter = 50_000
accesslog = "-"
errorlog = "-"
loglevel = "info"
proc_name = "newsindex"
# gunicorn 27's control socket is one path per user (~/.gunicorn/gunicorn.ctl), shared by every
# node started by that user on a machine; nothing here uses it.
control_socket_disable = True

# /metrics adds up the counts of all workers (prometheus_client's multiprocess mode): each worker
# writes them to files in PROMETHEUS_MULTIPROC_DIR. Without one given (the systemd unit gives
# /run/newsindex/metrics), gunicorn makes a folder of its own as it starts and removes it as it
# exits. (Set in on_starting, before any worker imports prometheus_client, and not when this file
# is read: reading it must change nothing.)
METRICS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
OWN_METRICS_DIR = "NEWSINDEX_GUNICORN_METRICS_DIR"  # the folder on_starting made, if it did


OWN_METRICS_PREFIX = "newsindex-metrics-"  # + the master's process id + "-"


def on_starting(server):
    """Counts start from zero with each start of gunicorn: the files of an earlier run go."""
    if not os.environ.get(METRICS_DIR_VARIABLE):
        remove_folders_of_dead_masters()
        prefix = f"{OWN_METRICS_PREFIX}{os.getpid()}-"
        os.environ[METRICS_DIR_VARIABLE] = tempfile.mkdtemp(prefix=prefix)
        os.environ[OWN_METRICS_DIR] = os.environ[METRICS_DIR_VARIABLE]
    metrics_dir = Path(os.environ[METRICS_DIR_VARIABLE])
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in metrics_dir.glob("*.db"):
        stale.unlink()


def post_worker_init(worker):
    """A new worker (at start, after a recycle) loads and warms the index before it takes
    requests, and follows new generations from a thread of its own."""
    from webui import warm_up

    try:
        if not warm_up(worker.wsgi):
            worker.log.warning("no usable index yet; searches will say so until one is built")
    except Exception:  # the worker serves anyway; its searches report what is wrong
        worker.log.exception("could not load the index")


def worker_exit(server, worker):
    """In the worker, as it ends: its thread that follows generations stops, the index closes."""
    from webui import stop

    app = getattr(worker, "wsgi", None)  # None when the app failed to load
    if app is not None:
        stop(app)


def child_exit(server, worker):
    """A worker that ended (recycled, killed) keeps its counts, but not its live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    own = os.environ.get(OWN_METRICS_DIR)
    if own and own == os.environ.get(METRICS_DIR_VARIABLE):
        shutil.rmtree(own, ignore_errors=True)


def remove_folders_of_dead_masters():
    """The metrics folders of gunicorns killed before they could remove their own."""
    for folder in Path(tempfile.gettempdir()).glob(f"{OWN_METRICS_PREFIX}*-*"):
        pid = folder.name.removeprefix(OWN_METRICS_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)
