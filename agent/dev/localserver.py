"""A local container as a subprocess: started, awaited until ready, stopped.

Used by the benchmarks, the demo and the tests, so that all of them exercise the
real ``switchboard serve`` process rather than an in-process imitation.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalServer:
    """A ``switchboard serve`` process on 127.0.0.1 (placeholder brain and no speech unless ``env`` says).

    ``cpus``: the CPUs the server may run on (as ``taskset -c``), set in the child before it
    starts, so every thread and subprocess it makes inherits it; ``None``: wherever we may run.
    """

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, port: int | None = None,
                 cpus: set[int] | None = None) -> None:
        self._port_was_picked = port is None
        if cpus is not None and not (cpus and cpus <= os.sched_getaffinity(0)):
            raise ValueError(f"CPUs {sorted(cpus)} are not a subset of those here ({sorted(os.sched_getaffinity(0))})")
        self.cpus = set(cpus) if cpus is not None else None
        self.port = port or free_port()
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "PORT": str(self.port),
            "SWITCHBOARD_HOST": "127.0.0.1",
            "SWITCHBOARD_DATA_DIR": str(data_dir),
            "SWITCHBOARD_SPEECH": "none",
            "SWITCHBOARD_BRAIN": "placeholder",
            **(env or {}),
        }
        self.log_path = data_dir / f"server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/invocations_ws"

    def start(self, timeout: float = 120.0) -> "LocalServer":
        """Start and wait for ``/readiness``; a port taken meanwhile by another process is re-picked."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen([sys.executable, "-m", "agent.cli", "serve"], cwd=REPO, env=self.env,
                                             stdout=log, stderr=subprocess.STDOUT,
                                             preexec_fn=self._pin if self.cpus is not None else None)
            if self._wait_ready(timeout):
                return self
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                attempt_log = f.read().decode(errors="replace")
            if not (self._port_was_picked and "address already in use" in attempt_log.lower()):
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            self.port = free_port()  # free_port() races with anything else binding port 0
            self.env["PORT"] = str(self.port)
        raise RuntimeError(f"no free port after 3 tries:\n{self.log()}")

    def _pin(self) -> None:
        """In the child, before ``exec``: the affinity every thread and process of the server inherits."""
        if self.cpus is not None:
            os.sched_setaffinity(0, self.cpus)

    def _wait_ready(self, timeout: float) -> bool:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.http}/readiness", timeout=1) as r:
                    # Check the body too: another server on a recycled port must not pass for ours.
                    if r.status == 200 and b"healthy" in r.read():
                        return True
            except OSError:
                time.sleep(0.1)
        self.stop(9)
        raise RuntimeError(f"server did not become ready in {timeout}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path.exists() else ""

    def stop(self, sig: int = 15, timeout: float = 15.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()
