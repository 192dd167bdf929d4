"""Audio files at the door: any sample format, rate and channel count is read as 16 kHz mono,
and a header no recording has is refused in one line naming the file and the field, before
anything large is allocated."""

from __future__ import annotations

import resource
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voice import audio


def wav_bytes(rate: int, channels: int = 1, bits: int = 16, fmt: int = 1,
              data: bytes = bytes(2000), claimed: int | None = None) -> bytes:
    """A RIFF/WAVE file with exactly the header fields given, true or not."""
    align = channels * bits // 8
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate & 0xFFFFFFFF,
                            (rate * align) & 0xFFFFFFFF, align & 0xFFFF, bits)
    length = len(data) if claimed is None else claimed
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk + b"data"
            + struct.pack("<I", length & 0xFFFFFFFF) + data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def tone(rate: int, seconds: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.mark.parametrize(("rate", "field"), [
    (0, "sample rate 0 Hz"), (2_147_483_647, "sample rate 2147483647 Hz"),
    (999_983, "sample rate 999983 Hz")])
def test_impossible_rates_are_refused_naming_the_field(tmp_path, rate, field):
    path = tmp_path / "odd.wav"
    path.write_bytes(wav_bytes(rate))
    with pytest.raises(audio.AudioError) as refused:
        audio.read_wav(path)
    message = str(refused.value)
    assert message.startswith(f"{path}: {field}") and "\n" not in message


@pytest.mark.parametrize(("subtype", "channels", "rate"), [
    ("PCM_24", 1, 44100), ("PCM_16", 6, 48000), ("FLOAT", 2, 22050), ("DOUBLE", 1, 8000),
    ("PCM_U8", 1, 11025), ("PCM_32", 3, 96000)])
def test_any_sample_format_and_channel_count_is_read(tmp_path, subtype, channels, rate):
    """24-bit, 6-channel and float WAVs (WAVE_FORMAT_EXTENSIBLE, 65534) included."""
    path = tmp_path / f"{subtype}.wav"
    soundfile.write(path, np.stack([tone(rate)] * channels, axis=1), rate, subtype=subtype)
    samples = audio.read_wav(path)
    assert samples.dtype == np.int16
    assert abs(len(samples) - audio.SAMPLE_RATE // 2) <= 2
    # The 440 Hz tone at half scale survives downmix and resampling.
    assert 15000 < np.abs(samples[1000:-1000]).max() < 17500
    spectrum = np.abs(np.fft.rfft(samples.astype(float)))
    assert abs(np.argmax(spectrum) * audio.SAMPLE_RATE / len(samples) - 440) < 5


def test_flac_is_read_too(tmp_path):
    path = tmp_path / "a.flac"
    soundfile.write(path, tone(32000), 32000)
    assert len(audio.read_audio(path)) == audio.SAMPLE_RATE // 2


@pytest.mark.parametrize(("make", "expected"), [
    (lambda p: p.mkdir(), "a directory, not an audio file"),
    (lambda p: p.write_text("not audio at all"), "not an audio file that can be read"),
    (lambda p: p.write_bytes(b""), "not an audio file that can be read"),
    (lambda p: p.write_bytes(wav_bytes(16000, channels=0)), "0 channels"),
    (lambda p: p.write_bytes(wav_bytes(16000, data=b"")), "holds no audio"),
    (lambda p: p.write_bytes(wav_bytes(16000, claimed=64000)), "truncated audio file"),
])
def test_what_is_not_audio_is_refused_in_one_line(tmp_path, make, expected):
    path = tmp_path / "given.wav"
    make(path)
    with pytest.raises(audio.AudioError) as refused:
        audio.read_wav(path)
    assert str(refused.value).startswith(f"{path}: ") and expected in str(refused.value)


def test_too_many_channels_and_too_long_are_refused_before_reading(tmp_path):
    many = tmp_path / "many.wav"
    soundfile.write(many, np.zeros((10, 40), np.float32), 16000, subtype="FLOAT")
    with pytest.raises(audio.AudioError, match="40 channels; expected 1 to 32"):
        audio.read_wav(many)
    long = tmp_path / "long.wav"
    soundfile.write(long, np.zeros(4000 * 301, np.int16), 4000)
    with pytest.raises(audio.AudioError, match="duration 301 s is longer than the 300 s"):
        audio.read_wav(long)
    raw = tmp_path / "long.raw"
    with raw.open("wb") as file:
        file.truncate(int(audio.MAX_SECONDS + 1) * audio.SAMPLE_RATE * 2)
    with pytest.raises(audio.AudioError, match="longer than the 300 s"):
        audio.read_raw(raw)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(rate=st.one_of(st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 3999, 4000, 384000,
                                                                   384001, 999_983])),
       channels=st.integers(0, 70), bits=st.sampled_from([0, 1, 8, 12, 16, 24, 32, 64]),
       fmt=st.sampled_from([0, 1, 2, 3, 6, 7, 0xFFFE, 0x55]),
       frames=st.integers(0, 3000), claimed=st.one_of(st.none(), st.integers(0, 2**32 - 1)))
def test_any_wav_header_is_read_or_refused_in_one_line(tmp_path_factory, rate, channels, bits,
                                                       fmt, frames, claimed):
    """Fuzzed headers: the result is 16 kHz audio no longer than the header allows, or one
    line naming the file; never another exception, never a large allocation."""
    path = tmp_path_factory.mktemp("wav") / "fuzz.wav"
    path.write_bytes(wav_bytes(rate, channels, bits, fmt, bytes(frames), claimed))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        samples = audio.read_wav(path)
    except audio.AudioError as exc:
        assert str(exc).startswith(f"{path}: ") and "\n" not in str(exc)
    else:
        assert samples.dtype == np.int16 and audio.MIN_RATE <= rate <= audio.MAX_RATE
        assert len(samples) <= frames * audio.SAMPLE_RATE / audio.MIN_RATE + 1
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB


def test_a_real_recording_reads_as_before(tmp_path):
    """pocketsphinx-testdata's WAV (16 kHz mono) comes back sample for sample."""
    source = Path("/usr/share/pocketsphinx/test/data/cards/001.wav")
    if not source.exists():
        pytest.skip("Debian's pocketsphinx-testdata is not installed")
    expected, rate = soundfile.read(source, dtype="int16")
    assert rate == audio.SAMPLE_RATE
    assert np.array_equal(audio.read_wav(source), expected)
