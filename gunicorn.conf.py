"""gunicorn's configuration, read by itself when started from the project folder:

    gunicorn 'webui:create_app()'

Search is CPU-bound pure Python, so one worker per core plus one (while another waits on disk)
serves best; each worker keeps its own searcher open and follows new index generations.
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
# reach the same count together, and a new worker spends a second loading a large index.
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
