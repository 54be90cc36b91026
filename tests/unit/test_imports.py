"""The import graph of agent/ and bridge/, read from the source (ast): every import counts,
including those inside functions, because a late import only hides a dependency.

- The bridge is deployed on its own: it may use only the wire protocol, the client codec,
  the shared transport pieces and a few standard-library-only helpers, and those may not
  pull in anything else of the agent.
- The speech layer does not import the brain (nor the call core above it).
- No module imports itself back through others (a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("agent", "bridge")

#: What bridge/ may import from agent/ (deploy/bridge ships these files with it).
BRIDGE_MAY_USE = {
    "agent.wire.protocol",  # the wire contract
    "agent.wire.client",  # the client codec
    "agent.transport.wsclient", "agent.transport.wsframes", "agent.transport.wsserver",  # shared WebSocket transport
    "agent.envparse",  # typed environment variables
    "agent.transport.peers",  # the rate limiter and the real client address (trusted proxies)
    "agent.sqlite_async",  # the call store's SQLite access
    "agent.observability.logs", "agent.privacy.redact",  # JSON log lines with personal data redacted
    "agent.privacy.names", "agent.privacy.numbers",  # the redactor's name grammar and spoken numbers
    "agent.observability.telemetry",  # OpenTelemetry export; the bridge's call and agent-connection spans and metrics
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


def _imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Project modules ``path`` imports anywhere in its body (``from pkg import mod`` names ``pkg.mod``)."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:  # ``import a.b.c`` of a package path: the deepest module we have
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    known = _modules()
    return {name: _imports(path, known) for name, path in known.items()}


def _packages_of(module: str) -> set[str]:
    parts = module.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts))}


def test_the_bridge_imports_only_the_protocol_and_shared_transport_from_the_agent():
    g = graph()
    allowed = BRIDGE_MAY_USE | {p for m in BRIDGE_MAY_USE for p in _packages_of(m)}
    wrong = sorted(f"{m} imports {t}" for m, targets in g.items() if m.startswith("bridge")
                   for t in targets if t.startswith("agent") and t not in allowed)
    assert not wrong, "bridge/ depends on the agent beyond the protocol and transport:\n" + "\n".join(wrong)


def test_what_the_bridge_uses_of_the_agent_needs_nothing_more_of_it():
    g = graph()
    allowed = BRIDGE_MAY_USE | {p for m in BRIDGE_MAY_USE for p in _packages_of(m)}
    wrong = sorted(f"{m} imports {t}" for m in allowed for t in g[m] if t not in allowed)
    assert not wrong, "a module the bridge ships with pulls in more of the agent:\n" + "\n".join(wrong)


#: The speech layer hears and speaks; what is said and done is the brain's, reached only through
#: interfaces the speech side defines (``agent/realtime/voicelive_tools.py``) and the app wires.
SPEECH_MUST_NOT_USE = ("agent.contracts.brain", "agent.brain", "agent.routing", "agent.handoff", "agent.mcp_servers",
                       "agent.call.session", "agent.call.conversation", "agent.app")


def test_the_speech_layer_does_not_import_the_brain():
    g = graph()
    wrong = sorted(f"{m} imports {t}" for m, targets in g.items() if m.startswith("agent.speech")
                   for t in targets if t.startswith(SPEECH_MUST_NOT_USE))
    assert not wrong, "\n".join(wrong)


def _cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(g.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_cycles():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_there_are_no_import_cycles():
    cycles = _cycles(graph())
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def _bridge_image_files() -> list[str]:
    """The source files the Dockerfile's ``bridge`` stage copies (``COPY a b ... dest/``)."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stage = text[text.index("AS bridge"):]
    stage = stage[: stage.index("\nFROM ")] if "\nFROM " in stage else stage
    files: list[str] = []
    for line in stage.splitlines():
        words = line.split()
        if words[:1] == ["COPY"] and not words[1].startswith("--"):
            files += words[1:-1]
    return files


def test_the_bridge_image_copies_what_the_bridge_imports(tmp_path):
    import shutil
    import subprocess
    import sys

    files = _bridge_image_files()
    assert "bridge/" in files
    for name in files:
        src = ROOT / name
        if name.endswith("/"):
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, tmp_path / name)
    modules = sorted(m for m in _modules() if m.startswith("bridge") and m != "bridge.__main__") + sorted(BRIDGE_MAY_USE)
    # The copied tree first on the path, and every project module must come from it: as in the image.
    code = ("import os, sys; sys.path.insert(0, os.getcwd()); " + "; ".join(f"import {m}" for m in modules)
            + "; outside = [n for n, m in sys.modules.items() if n.split('.')[0] in ('agent', 'bridge')"
            " and not (getattr(m, '__file__', None) or '').startswith(os.getcwd())]; "
            "assert not outside, f'not in the image: {outside}'")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert run.returncode == 0, run.stderr[-2000:]
    run = subprocess.run([sys.executable, "-m", "bridge", "serve", "--help"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert run.returncode == 0 and "--port" in run.stdout, run.stderr[-2000:]
