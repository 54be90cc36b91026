"""Child processes die with their parent.

``serve --workers`` forks container processes, and each container spawns its MCP tool
servers. A parent killed outright (SIGKILL, OOM) runs no clean-up, so without this its
children would keep running as orphans, holding ports, files and memory. On Linux the
kernel sends a chosen signal to a process when the thread that forked it exits
(``PR_SET_PDEATHSIG``); elsewhere this is a no-op and the pipes that link each child to
its parent (the worker's dispatcher socket, an MCP server's stdin) are the only lifeline.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGTERM) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies; False where unsupported.

    SIGTERM, not SIGKILL: a container persists its sessions on SIGTERM. A parent that died
    while this was being set up is caught by the second look at the parent id; one that died
    before this process got here is caught by the pipe to it (a worker's dispatcher link, an
    MCP server's stdin), which every child also watches.
    """
    if not sys.platform.startswith("linux"):
        return False
    parent = os.getppid()
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
        return False
    if parent == 1 or os.getppid() != parent:
        os.kill(os.getpid(), sig)
    return True
