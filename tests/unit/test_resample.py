"""soxr resampling between the session rates and the engines' rates."""

import numpy as np
import pytest

from agent.speech.resample import StreamResampler, resample


def tone(freq: float, rate: int, seconds: float = 1.0, amp: float = 10000) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.int16)


def peak_hz(pcm: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(pcm.astype(np.float64) * np.hanning(pcm.size)))
    return float(np.fft.rfftfreq(pcm.size, 1 / rate)[np.argmax(spectrum)])


def rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


@pytest.mark.parametrize("src,dst", [(8000, 16000), (16000, 8000), (24000, 16000), (16000, 24000),
                                     (22050, 8000), (22050, 16000), (22050, 24000)])
def test_tone_keeps_its_frequency_and_level(src, dst):
    out = resample(tone(1000, src), src, dst)
    assert abs(out.size - dst) <= 2
    assert abs(peak_hz(out, dst) - 1000) < 3
    assert rms(out) == pytest.approx(10000 / np.sqrt(2), rel=0.05)


def test_content_above_the_new_nyquist_is_filtered_not_aliased():
    # 6 kHz at 24 kHz -> 8 kHz: dropping samples would fold it to 2 kHz at full level.
    out = resample(tone(6000, 24000), 24000, 8000)
    dropped = tone(6000, 24000)[::3]
    assert rms(dropped) > 5000  # the naive way really does alias
    assert rms(out[100:-100]) < 100


def test_stream_matches_one_shot_across_odd_chunk_sizes():
    x = tone(440, 8000, 2.0)
    rs = StreamResampler(8000, 16000)
    pieces, i = [], 0
    for size in [1, 159, 160, 7, 333] * 100:
        if i >= x.size:
            break
        pieces.append(rs.process(x[i : i + size]))
        i += size
    pieces.append(rs.process(x[i:], last=True))
    streamed = np.concatenate(pieces)
    whole = resample(x, 8000, 16000)
    assert abs(streamed.size - whole.size) <= 2
    assert abs(peak_hz(streamed, 16000) - 440) < 2
    mid = slice(2000, 30000)
    assert np.max(np.abs(streamed[mid].astype(int) - whole[mid].astype(int))) < 200


def test_same_rate_is_a_copy_and_bad_rates_are_refused():
    x = tone(300, 16000, 0.1)
    assert np.array_equal(resample(x, 16000, 16000), x)
    assert np.array_equal(StreamResampler(16000, 16000).process(x), x)
    with pytest.raises(ValueError):
        resample(x, 0, 16000)
    with pytest.raises(ValueError):
        StreamResampler(16000, -8000)
    assert resample(np.zeros(0, dtype=np.int16), 8000, 16000).size == 0
