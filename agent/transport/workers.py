"""``switchboard serve --workers N``: N container processes behind one port, a session always on one.

One Python event loop handles every session's audio frames in turn, so on a machine with
more cores than one a single process becomes the queue that sets the tail latency. Here
a small dispatcher process owns the port and N worker processes each run the ordinary
container. The dispatcher accepts a connection, peeks at its request line without
consuming it, and passes the socket itself (``SCM_RIGHTS``) to the worker chosen by a
stable hash of the session id. The worker then reads the request from the start as if it
had accepted the connection. Every connection of one session lands on the same worker,
so take-over (4000), resume and replay behave exactly as with one process, and the
dispatcher never touches a frame.

The session id routed on is ``FOUNDRY_AGENT_SESSION_ID`` if set, else the
``agent_session_id`` query parameter of the connection's first request line, read by the
same function as the container reads it (``protocol.session_id_in_query``); a connection
without one, or with the parameter repeated (which the worker refuses), goes to the next
worker in turn. An HTTP keep-alive connection
is routed once, on its first request: a text turn for a session that is live over
WebSocket must name it in the query (``POST /invocations?agent_session_id=...``) to
reach the worker that holds it.

SIGTERM/SIGINT on the dispatcher is passed to every worker, which persists its sessions
and closes them with 1001 as a single container does. A worker that dies is started
again; its sessions resume from the store on the new one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from agent.config import Settings
from agent.wire.protocol import session_id_in_query
from agent.transport.wsserver import MAX_REQUEST_LINE

log = logging.getLogger("switchboard.workers")

#: How long a new connection may take to send its request line before it is handed on unread.
PEEK_TIMEOUT_S = 5.0
#: The one byte sent with each passed socket, and the byte a worker sends once it is serving.
CONNECTION, READY = b"c", b"r"
#: Most sockets a worker takes from one read of its dispatcher link.
MAX_FDS_PER_READ = 64


# --- routing (pure) ---------------------------------------------------------------
def route_key(head: bytes, platform_session_id: str | None = None) -> str | None:
    """The session a connection belongs to, from the start of its first request (or None).

    ``head`` is whatever has arrived so far; only a complete request line is read.
    Anything malformed yields None: the worker it lands on answers the error itself.
    """
    if platform_session_id:
        return platform_session_id
    line, sep, _ = head.partition(b"\r\n")
    if not sep:
        return None
    parts = line.split(b" ")
    if len(parts) != 3:
        return None
    # Decoded as the container decodes it (Starlette: the raw query string as latin-1), and
    # read by the same function: a repeated parameter is refused there, so it routes nowhere in particular.
    session_id, _ = session_id_in_query(urlsplit(parts[1].decode("latin-1")).query)
    return session_id


def pick_worker(key: str | None, workers: int, turn: int) -> int:
    """A stable worker for ``key`` (the same in every dispatcher), else ``turn`` round-robin."""
    if key is None:
        return turn % workers
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % workers


# --- dispatcher -----------------------------------------------------------------
@dataclass
class _Worker:
    index: int
    link: socket.socket  # the dispatcher's end of the socketpair
    proc: asyncio.subprocess.Process


class Dispatcher:
    def __init__(self, settings: Settings, workers: int) -> None:
        if workers < 2:
            raise ValueError("a dispatcher needs at least 2 workers; run one container without it")
        self.settings = settings
        self.count = workers
        self.workers: list[_Worker | None] = [None] * workers
        self._turn = 0
        self._stopping = False
        self._routing: set[asyncio.Task[None]] = set()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        listener = socket.create_server((self.settings.host, self.settings.port), backlog=4096)
        listener.setblocking(False)
        await asyncio.gather(*(self._start_worker(i) for i in range(self.count)))
        log.info("switchboard listening on %s:%s with %d workers", self.settings.host, self.settings.port, self.count)
        accepting = asyncio.create_task(self._accept(listener))
        watching = [asyncio.create_task(self._watch(i)) for i in range(self.count)]
        await stop.wait()
        self._stopping = True
        accepting.cancel()
        listener.close()
        for w in self.workers:
            if w is not None and w.proc.returncode is None:
                w.proc.send_signal(signal.SIGTERM)  # each worker persists its sessions and closes them with 1001
        await asyncio.gather(*watching, return_exceptions=True)

    async def _start_worker(self, index: int) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "agent.cli", "serve", "--worker-fd", str(theirs.fileno()),
            pass_fds=[theirs.fileno()])
        theirs.close()
        mine.setblocking(False)
        # Accept nothing for this worker until it serves: its models may take seconds to load.
        ready = await asyncio.get_running_loop().sock_recv(mine, 1)
        if ready != READY:
            raise RuntimeError(f"worker {index} exited during start-up (exit code {await proc.wait()})")
        self.workers[index] = _Worker(index, mine, proc)

    async def _watch(self, index: int) -> None:
        """Start worker ``index`` again whenever it dies, until the dispatcher stops."""
        while True:
            w = self.workers[index]
            assert w is not None
            code = await w.proc.wait()
            w.link.close()
            if self._stopping:
                return
            log.error("worker %d exited with %s; starting it again", index, code)
            self.workers[index] = None
            await self._start_worker(index)

    async def _accept(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        while True:
            conn, _ = await loop.sock_accept(listener)
            task = asyncio.create_task(self._route(conn))
            self._routing.add(task)
            task.add_done_callback(self._routing.discard)

    async def _route(self, conn: socket.socket) -> None:
        with conn:  # the worker has its own descriptor once the socket is passed
            head = await _peek_request_line(conn)
            index = pick_worker(route_key(head, self.settings.platform_session_id), self.count, self._turn)
            self._turn += 1
            w = self.workers[index]
            while w is None:  # being restarted
                if self._stopping:
                    return
                await asyncio.sleep(0.05)
                w = self.workers[index]
            await _send_fd(w.link, conn.fileno())


async def _peek_request_line(conn: socket.socket) -> bytes:
    """What the client has sent so far, without consuming it, once it holds a line (or on timeout)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PEEK_TIMEOUT_S
    head = b""
    while b"\r\n" not in head and len(head) <= MAX_REQUEST_LINE and loop.time() < deadline:
        readable = loop.create_future()
        loop.add_reader(conn.fileno(), lambda: readable.done() or readable.set_result(None))
        try:
            await asyncio.wait_for(readable, deadline - loop.time())
        except asyncio.TimeoutError:
            break
        finally:
            loop.remove_reader(conn.fileno())
        try:
            more = conn.recv(MAX_REQUEST_LINE + 2, socket.MSG_PEEK)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            break
        if not more or more == head:
            if not more:
                break  # closed before a request: the worker sees the EOF
            await asyncio.sleep(0.002)  # readable because of bytes already seen: wait for the rest
        head = more
    return head


async def _send_fd(link: socket.socket, fd: int) -> None:
    loop = asyncio.get_running_loop()
    while True:
        try:
            socket.send_fds(link, [CONNECTION], [fd])
            return
        except BlockingIOError:
            writable = loop.create_future()
            loop.add_writer(link.fileno(), lambda: writable.done() or writable.set_result(None))
            try:
                await writable
            finally:
                loop.remove_writer(link.fileno())


# --- worker side ------------------------------------------------------------------
async def take_connections(server: object, link_fd: int) -> None:
    """In a worker: serve every socket the dispatcher passes over ``link_fd`` with ``server``'s protocol.

    ``server`` is the worker's started ``uvicorn.Server``; connections join its state, so
    its shutdown closes them like any it accepted itself. Returns when the dispatcher is gone.
    """
    import uvicorn

    assert isinstance(server, uvicorn.Server)
    loop = asyncio.get_running_loop()
    config = server.config
    link = socket.socket(fileno=link_fd)
    link.setblocking(False)

    def protocol() -> asyncio.Protocol:
        return config.http_protocol_class(  # type: ignore[call-arg]
            config=config, server_state=server.server_state, app_state=server.lifespan.state, _loop=loop)

    await loop.sock_sendall(link, READY)
    readable = asyncio.Event()
    loop.add_reader(link.fileno(), readable.set)
    try:
        while True:
            await readable.wait()
            readable.clear()
            while True:
                try:
                    data, fds, _, _ = socket.recv_fds(link, MAX_FDS_PER_READ, MAX_FDS_PER_READ)
                except BlockingIOError:
                    break
                if not data:
                    return  # the dispatcher has gone
                for fd in fds:
                    conn = socket.socket(fileno=fd)
                    conn.setblocking(False)
                    with contextlib.suppress(OSError):  # the client may have gone already
                        await loop.connect_accepted_socket(protocol, conn)
    finally:
        loop.remove_reader(link.fileno())
        link.close()


def run_dispatcher(settings: Settings, workers: int) -> None:
    import uvloop

    os.environ.pop("SWITCHBOARD_WORKERS", None)  # the workers are single containers
    uvloop.run(Dispatcher(settings, workers).run())
