"""Noise suppression in front of the recogniser, per utterance (16 kHz int16 in and out).

Two suppressors from PyPI wheels, both measured by ``bench speech --wer --denoise``:

- ``webrtc``: WebRTC's noise suppressor (``webrtc-noise-gain``, Apache-2.0 wrapper around
  the BSD-licensed webrtc-audio-processing; manylinux abi3 wheel, no dependencies), 10 ms
  frames at 16 kHz, level 2 of 0-4, automatic gain off.
- ``rnnoise``: Xiph's RNNoise (BSD-3) from the ``pyrnnoise`` wheel (Apache-2.0). Only its
  shared library is loaded with ctypes: the package's Python side imports plotting and
  audio-file libraries the agent does not need (hence ``--no-deps``). RNNoise runs at 48 kHz
  in 10 ms frames, so the utterance is resampled up and back.

Each utterance gets a fresh suppressor state: it learns the noise from the utterance's own
pre-roll and first frames. ``off`` returns the audio untouched.
"""

from __future__ import annotations

import ctypes
import importlib.util
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from agent.speech.resample import resample

RATE = 16000
DENOISERS = ("off", "webrtc", "rnnoise")
WEBRTC_LEVEL = 2
_RNNOISE_RATE = 48000

Denoiser = Callable[[np.ndarray], np.ndarray]


def _webrtc(pcm: np.ndarray) -> np.ndarray:
    from webrtc_noise_gain import AudioProcessor

    proc = AudioProcessor(0, WEBRTC_LEVEL)
    n = RATE // 100
    x = np.concatenate([pcm, np.zeros((-pcm.size) % n, dtype=np.int16)])
    out = [np.frombuffer(proc.Process10ms(frame.tobytes()).audio, dtype=np.int16) for frame in x.reshape(-1, n)]
    return np.concatenate(out)[: pcm.size] if out else pcm


@lru_cache(maxsize=1)
def _rnnoise_lib() -> Any:
    spec = importlib.util.find_spec("pyrnnoise")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "librnnoise.so"
        if path.is_file():
            lib = ctypes.CDLL(str(path))
            lib.rnnoise_create.argtypes = [ctypes.c_void_p]
            lib.rnnoise_create.restype = ctypes.c_void_p
            lib.rnnoise_destroy.argtypes = [ctypes.c_void_p]
            lib.rnnoise_process_frame.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float),
                                                  ctypes.POINTER(ctypes.c_float)]
            lib.rnnoise_process_frame.restype = ctypes.c_float
            lib.rnnoise_get_frame_size.restype = ctypes.c_int
            return lib
    raise RuntimeError("SWITCHBOARD_STT_DENOISE=rnnoise needs the pyrnnoise wheel: "
                       "pip install --no-deps --require-hashes -r requirements/models.txt")


def _rnnoise(pcm: np.ndarray) -> np.ndarray:
    lib = _rnnoise_lib()
    n = lib.rnnoise_get_frame_size()
    up = resample(pcm, RATE, _RNNOISE_RATE).astype(np.float32)  # RNNoise works on int16-scaled floats
    x = np.concatenate([up, np.zeros((-up.size) % n, dtype=np.float32)]).reshape(-1, n)
    state = lib.rnnoise_create(None)
    try:
        for frame in x:  # rows of a C-contiguous array: processed in place
            ptr = frame.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            lib.rnnoise_process_frame(state, ptr, ptr)
    finally:
        lib.rnnoise_destroy(state)
    out = np.clip(x.reshape(-1)[: up.size], -32768, 32767).astype(np.int16)
    return resample(out, _RNNOISE_RATE, RATE)[: pcm.size]


def make_denoiser(name: str) -> Denoiser:
    """The suppressor called ``name`` (one of ``DENOISERS``), checked to load now rather than mid-call."""
    if name == "off":
        return lambda pcm: pcm
    if name == "webrtc":
        importlib.import_module("webrtc_noise_gain")
        return _webrtc
    if name == "rnnoise":
        _rnnoise_lib()
        return _rnnoise
    raise ValueError(f"noise suppression must be one of {', '.join(DENOISERS)}, got {name!r}")
