"""ACS media frames: the exact shapes ACS sends and expects, and refusal of everything else."""

import base64
import json

import pytest

from bridge import media


def audio_frame(pcm: bytes, silent: bool = False) -> str:
    return json.dumps({"kind": "AudioData", "audioData": {
        "data": base64.b64encode(pcm).decode(), "timestamp": "2026-11-23T10:00:00.000Z",
        "participantRawID": "4:+14255550123", "silent": silent}})


def test_audio_data_decodes_to_pcm():
    pcm = bytes(range(256)) * 2 + b"\x01\x02"
    frame = media.parse(audio_frame(pcm, silent=True))
    assert frame == media.AudioIn(pcm, True)


def test_dtmf_and_metadata():
    dtmf = {"kind": "DtmfData", "dtmfData": {"data": "5", "timestamp": "t", "participantRawID": "4:+1"}}
    assert media.parse(json.dumps(dtmf)) == media.DtmfIn("5")
    meta = {"kind": "AudioMetadata", "audioMetadata": {"subscriptionId": "s", "encoding": "PCM",
                                                       "sampleRate": 24000, "channels": 1, "length": 960}}
    assert media.parse(json.dumps(meta)) == media.AudioMetadata(24000, 1, "PCM")


@pytest.mark.parametrize("text, why", [
    ("not json", "not JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"kind": "AudioData"}', "audioData must be an object"),
    ('{"kind": "AudioData", "audioData": {"data": "@@@"}}', "not valid base64"),
    ('{"kind": "AudioData", "audioData": {"data": "AAAA"}}', "odd byte count"),
    ('{"kind": "DtmfData", "dtmfData": {"data": "5; DROP TABLE calls"}}', "0-9"),
    ('{"kind": "AudioMetadata", "audioMetadata": {"sampleRate": 44100}}', "16000 or 24000"),
    ('{"kind": "Nope"}', "unknown"),
    ('{"kind": "AudioData", "audioData": {"data": "' + "A" * 1_000_000 + '"}}', "larger than"),
])
def test_malformed_frames_are_refused_with_a_reason(text, why):
    with pytest.raises(media.MediaError, match=why):
        media.parse(text)


def test_outgoing_shapes_match_acs():
    out = json.loads(media.encode_audio(b"\x01\x00" * 320))
    assert out == {"kind": "AudioData", "audioData": {"data": base64.b64encode(b"\x01\x00" * 320).decode()},
                   "stopAudio": None}
    assert json.loads(media.STOP_AUDIO) == {"kind": "StopAudio", "audioData": None, "stopAudio": {}}


@pytest.mark.parametrize("rate, size", [(16000, 640), (24000, 960)])
def test_packetizer_cuts_20ms_packets_and_pads_the_tail(rate, size):
    p = media.Packetizer(rate)
    chunk = bytes(range(200)) * 16  # 3200 bytes: the agent's 100 ms at 16 kHz
    packets = p.feed(chunk) + p.feed(b"\x07\x00" * 10) + p.flush()
    assert all(len(x) == size for x in packets)
    joined = b"".join(packets)
    assert joined[:3220] == chunk + b"\x07\x00" * 10 and set(joined[3220:]) <= {0}
    assert p.flush() == []


def test_packetizer_clear_drops_the_remainder():
    p = media.Packetizer(16000)
    p.feed(b"\x01" * 100)
    p.clear()
    assert p.flush() == []
