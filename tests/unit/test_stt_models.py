"""The recogniser's configuration: model choice, split-wheel assembly, noise suppression, language.

The tests marked slow load Whisper base (from its wheels) and check what it adds: the language
of a turn, with the old guards still in force.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from agent.brain import languages
from agent.config import ConfigError, Settings
from agent.dev.bench.speech_wer import add_noise, condition
from agent.dev.bench.wer import wer
from agent.speech import models
from agent.speech.denoise import make_denoiser
from tests.fixtures.speech import clip


@pytest.mark.parametrize("env, message", [
    ({"SWITCHBOARD_STT_MODEL": "large-v3"}, "SWITCHBOARD_STT_MODEL must be one of tiny.en, base"),
    ({"SWITCHBOARD_STT_BEAM_SIZE": "0"}, "SWITCHBOARD_STT_BEAM_SIZE must be 1"),
    ({"SWITCHBOARD_STT_BEAM_SIZE": "five"}, "SWITCHBOARD_STT_BEAM_SIZE must be a whole number"),
    ({"SWITCHBOARD_STT_DENOISE": "yes"}, "SWITCHBOARD_STT_DENOISE must be one of off, webrtc, rnnoise"),
    ({"SWITCHBOARD_STT_LANGUAGE_ID": "base"}, "SWITCHBOARD_STT_LANGUAGE_ID must be true or false"),
])
def test_a_bad_recogniser_setting_is_a_clear_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_recogniser_settings_are_read() -> None:
    s = Settings.from_env({"SWITCHBOARD_STT_MODEL": "tiny.en", "SWITCHBOARD_STT_BEAM_SIZE": "5",
                           "SWITCHBOARD_STT_DENOISE": "webrtc"})
    assert (s.stt_model, s.stt_beam_size, s.stt_denoise) == ("tiny.en", 5, "webrtc")


def _fake_split_model(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for package, files in (("fake_part_1", {"data/model.bin.part1": b"first-"}),
                           ("fake_part_2", {"data/model.bin.part2": b"second", "data/config.json": b"{}"})):
        for name, data in files.items():
            (root / package / name).parent.mkdir(parents=True, exist_ok=True)
            (root / package / name).write_bytes(data)
        (root / package / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setattr(sys, "prefix", str(root / "env"))
    monkeypatch.setitem(models.MODELS, "fake", models.WhisperModelSpec(
        "fake", True, parts=(("fake_part_1", "data/model.bin.part1"), ("fake_part_2", "data/model.bin.part2")),
        files=(("fake_part_2", "data/config.json"),)))


def test_a_split_model_is_joined_in_order_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_split_model(tmp_path, monkeypatch)
    folder = models.assemble("fake")
    assert (folder / "model.bin").read_bytes() == b"first-second"
    assert (folder / "config.json").read_bytes() == b"{}"
    assert not list(folder.glob("*.tmp"))
    made = (folder / "model.bin").stat().st_mtime_ns
    assert models.assemble("fake") == folder and (folder / "model.bin").stat().st_mtime_ns == made


def test_a_half_written_join_is_redone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_split_model(tmp_path, monkeypatch)
    folder = models.assemble("fake")
    (folder / "model.bin").write_bytes(b"first-")  # as if a copy had stopped half way
    assert (models.assemble("fake") / "model.bin").read_bytes() == b"first-second"


def test_a_model_whose_wheels_are_missing_names_the_install_step(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_split_model(tmp_path, monkeypatch)
    monkeypatch.setitem(models.MODELS, "fake", models.WhisperModelSpec(
        "fake", True, parts=(("not_installed_part", "data/model.bin.part1"),), files=()))
    with pytest.raises(models.ModelMissing, match="requirements/models.txt"):
        models.assemble("fake")
    with pytest.raises(ValueError, match="tiny.en, base"):
        models.model_dir("large-v3")


@pytest.mark.parametrize("name", ["webrtc", "rnnoise"])
def test_noise_suppression_lowers_noise_and_keeps_the_speech(name: str) -> None:
    rng = np.random.default_rng(3)
    speech = clip("My laptop will not connect to the VPN.")
    pad = np.zeros(16000, dtype=np.int16)  # a second of noise alone before the speech
    rms = float(np.sqrt(np.mean(speech.astype(np.float64) ** 2)))
    noisy = add_noise(np.concatenate([pad, speech]), rms, 10.0, "white", rng)
    out = make_denoiser(name)(noisy)
    assert out.dtype == np.int16 and out.size == noisy.size

    def level(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))

    noise_drop = level(noisy[8000:16000]) / max(level(out[8000:16000]), 1.0)
    speech_kept = level(out[16000:]) / level(noisy[16000:])
    assert noise_drop > 3.0, noise_drop  # > 10 dB less noise once the suppressor has heard some
    assert speech_kept > 0.5, speech_kept


def test_an_unknown_suppressor_is_refused() -> None:
    with pytest.raises(ValueError, match="off, webrtc, rnnoise"):
        make_denoiser("spectral")


def test_a_language_counts_only_on_the_first_turns_and_english_is_said_last() -> None:
    assert languages.foreign("es", 1) and languages.foreign("pl", languages.FIRST_TURNS)
    assert not languages.foreign("es", languages.FIRST_TURNS + 1)
    assert not languages.foreign("en", 1) and not languages.foreign(None, 1)
    said = languages.passing_on("de")
    assert [lang for _, lang in said] == ["de", "en"]
    assert languages.passing_on("th") == [(languages.PASSING_ON_ENGLISH, "en")]  # no Thai sentence: English only
    assert all(len(text.split()) <= 25 for text in languages.PASSING_ON.values())  # said before the caller speaks


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    from agent.speech.stt import WhisperRecognizer

    return WhisperRecognizer(model="base", workers=1)


@pytest.mark.slow
def test_base_hears_english_as_english(base) -> None:  # type: ignore[no-untyped-def]
    text = "The printer on the second floor is jammed again."
    for voice, channel in (("piper", "clean"), ("espeak", "phone")):
        result = base.transcribe(condition(clip(text, voice=voice), channel, np.random.default_rng(1)))
        assert result.language == "en", (voice, channel, result)
        if voice == "piper":
            assert wer([(text, result.text)]) <= 0.1, result.text


@pytest.mark.slow
@pytest.mark.parametrize("lang, text", [("es", "Buenos días, necesito ayuda con mi cuenta de correo."),
                                        ("de", "Guten Tag, die Pumpe in der Anlage ist kaputt.")])
def test_base_hears_another_language_as_not_english(base, lang: str, text: str) -> None:  # type: ignore[no-untyped-def]
    result = base.transcribe(condition(clip(text, voice=f"espeak:{lang}+m3:170:40"), "clean",
                                       np.random.default_rng(1)))
    assert result.language not in (None, "en"), result


@pytest.mark.slow
def test_base_keeps_the_guards_on_noise_alone(base) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    for audio in (np.zeros(32000), rng.normal(0, 1500, 32000)):
        assert base.transcribe(audio.astype(np.int16)).text == ""


@pytest.mark.slow
def test_a_sentence_in_another_language_is_spoken_with_that_languages_sounds() -> None:
    from agent.speech.tts import PiperSynth

    tts = PiperSynth()
    assert tts.synth(languages.PASSING_ON["es"], 16000, "es").size > 16000  # said, over a second

    def sounds(language: str) -> str:
        return "".join(p for sentence in tts._voice_for(language).phonemize("Por favor.") for p in sentence)

    assert "ɾ" in sounds("es") and "ɹ" not in sounds("es")  # Spanish tapped r, not English spelling rules
    assert "ɹ" in sounds("en")
