"""What the processes a run forks (a rebuild's writing processes, its loading of the language
model) do to live no longer than the run, stay quiet, and hold no more memory than they use."""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # prctl option: a signal for this process when its parent dies


def setup_forked_process(parent: int) -> None:
    """In a process forked by the run ``parent``: be killed when that run dies (kill -9
    included), instead of living on; and write nothing on stderr (cron mails it): a failure
    reaches the parent, which reports it.

    ``parent`` is the run's pid as the run read it before forking. The child cannot read it
    itself: if the run died before the child asked to die with it, the child's parent is already
    someone else (init, or a subreaper) and the request would come too late, unnoticed. The
    executor forks its processes from the run's main thread (the "parent" that
    ``PR_SET_PDEATHSIG`` watches is the forking thread), which lives as long as the run.
    """
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (for the life of the process)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux
        return
    if os.getppid() != parent:  # the run died before the request took effect
        os._exit(1)


def give_back_memory() -> None:
    """In a forked process: free what is unreachable, and return the C allocator's free pages
    to the system (glibc keeps them for the process otherwise: an idle process that had learned
    the phrases held their memory while another learned the stories)."""
    gc.collect()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
