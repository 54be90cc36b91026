"""The local container launcher used by the demo, the benchmarks and the tests."""

from __future__ import annotations

import socket

from agent.dev.localserver import LocalServer


def test_a_port_taken_before_the_server_binds_is_picked_again(tmp_path):
    server = LocalServer(tmp_path)
    taken = server.port
    with socket.socket() as blocker:
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        blocker.bind(("127.0.0.1", taken))
        blocker.listen()
        try:
            server.start()
            assert server.port != taken
        finally:
            server.stop()
    assert server.proc is not None and server.proc.returncode == 0  # SIGTERM is a clean exit
