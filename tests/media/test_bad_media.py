"""Fifty-odd kinds of bad media files in one music folder: the scan finishes, every bad file is
indexed (when its content is real audio under a wrong name) or skipped with its name and a
reason, and the good tracks are all still there."""

from __future__ import annotations

import os
import random
import shutil
import struct
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile
from mutagen.id3 import APIC, TIT2
from mutagen.wave import WAVE

from media.library import MAX_TAG_CHARS, Library, shown_path

EXTENSIONS = (".mp3", ".flac", ".ogg", ".opus", ".m4a", ".wav", ".aac", ".oga")
SCAN_LIMIT_S = 300  # a hang guard only: the scan takes about a second


@pytest.fixture(scope="module")
def real(tmp_path_factory, song_files) -> dict[str, bytes]:
    """Real encoded audio of each container, to truncate and misname."""
    folder = tmp_path_factory.mktemp("real")
    tone = (np.sin(np.arange(22050) / 22050 * 2 * np.pi * 440) * 0.3).astype("float32")
    out = {"wav": (song_files / "a/one.wav").read_bytes()}
    for kind, fmt, subtype in (("flac", "FLAC", "PCM_16"), ("ogg", "OGG", "VORBIS"),
                               ("mp3", "MP3", "MPEG_LAYER_III")):
        path = folder / f"tone.{kind}"
        soundfile.write(path, tone, 22050, format=fmt, subtype=subtype)
        out[kind] = path.read_bytes()
    return out


def bad_files(real: dict[str, bytes]) -> dict[str, bytes]:
    """Name -> content of each bad file that is plain bytes."""
    rng = random.Random(17)
    files: dict[str, bytes] = {}
    for ext in EXTENSIONS:
        files[f"empty{ext}"] = b""
        files[f"noise{ext}"] = rng.randbytes(4096)
        files[f"text{ext}"] = b"shopping list: milk, bread\n" * 40
    for kind, cuts in (("wav", (12, 44, 100)), ("flac", (4, 42, 200)), ("ogg", (27, 100)),
                       ("mp3", (10, 200))):
        for cut in cuts:
            files[f"cut{cut}.{kind}"] = real[kind][:cut]
    fmt_rate0 = struct.pack("<HHIIHH", 1, 0, 0, 0, 0, 16)
    files.update({
        "id3-huge-size.mp3": b"ID3\x04\x00\x00\x7f\x7f\x7f\x7f" + rng.randbytes(500),
        "flac-garbage.flac": b"fLaC" + rng.randbytes(500),
        "ogg-garbage.ogg": b"OggS" + rng.randbytes(500),
        "wav-rate0.wav": b"RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00" + fmt_rate0
                         + b"data\xff\xff\xff\x7f" + bytes(64),
        "wav-no-frames.wav": real["wav"][:36] + b"data\x00\x00\x00\x00",
        "m4a-garbage.m4a": b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00" + rng.randbytes(500),
        "adts-garbage.aac": b"\xff\xf1" + rng.randbytes(500),
        "wav-huge-rate.wav": real["wav"][:24] + struct.pack("<I", 2**31 - 1) + real["wav"][28:],
        "wav-1mhz.wav": real["wav"][:24] + struct.pack("<I", 1_000_000) + real["wav"][28:],
    })
    # real audio under another container's extension: indexed if mutagen knows it, else skipped
    files.update({"wav-named.mp3": real["wav"], "flac-named.ogg": real["flac"],
                  "ogg-named.flac": real["ogg"], "mp3-named.wav": real["mp3"]})
    return files


def huge_tags(path: Path, wav: bytes, *, title: int = 0, cover: int = 0) -> None:
    path.write_bytes(wav)
    audio = WAVE(path)
    if title:
        audio.tags.add(TIT2(encoding=3, text="T" * title))
    if cover:
        audio.tags.delall("APIC")
        audio.tags.add(APIC(encoding=3, mime="image/png", type=3, desc="big",
                            data=b"\x89PNG" + bytes(cover)))
    audio.save()


def test_fifty_kinds_of_bad_files_are_skipped_by_name_and_the_scan_ends(music, real, tmp_path):
    bad = music / "bad"
    bad.mkdir()
    named = []
    for name, content in bad_files(real).items():
        (bad / name).write_bytes(content)
        named.append(str(bad / name))
    huge_tags(bad / "title-1mb.wav", real["wav"], title=1_000_000)
    huge_tags(bad / "cover-5mb.wav", real["wav"], cover=5_000_000)
    os.mkfifo(bad / "fifo.mp3")  # opening it would wait for a writer for ever
    (bad / "dangling.flac").symlink_to(bad / "nowhere.flac")
    (bad / "zero-device.wav").symlink_to("/dev/zero")
    (bad / "fifo.m3u").symlink_to(bad / "fifo.mp3")
    big_list = bad / "huge.m3u8"
    with open(big_list, "wb") as f:
        f.truncate(50_000_000)  # sparse: no disk used
    raw = os.fsencode(bad)
    with open(raw + b"/\xff\xfe latin.wav", "wb") as f:
        f.write(real["wav"])
    os.mkdir(raw + b"/dir\xe9")
    with open(raw + b"/dir\xe9/inside.wav", "wb") as f:
        f.write(real["wav"])
    (bad / "album.mp3").mkdir()  # a folder with an audio name is walked
    shutil.copy(music / "a/one.wav", bad / "album.mp3/good.wav")
    named += [str(bad / n) for n in ("title-1mb.wav", "cover-5mb.wav", "fifo.mp3",
                                     "dangling.flac", "zero-device.wav", "fifo.m3u",
                                     "huge.m3u8")]
    named += [shown_path(raw + b"/\xff\xfe latin.wav"), shown_path(raw + b"/dir\xe9")]
    assert len(named) >= 50

    library = Library([music], tmp_path / "covers")
    done = threading.Event()
    worker = threading.Thread(target=lambda: (library.scan(), done.set()), daemon=True)
    worker.start()
    worker.join(SCAN_LIMIT_S)
    assert done.is_set(), "the scan hung"

    skipped = {s.path: s.reason for s in library.skipped}
    for path in named:  # every bad file is accounted for: skipped with a reason, or a track
        assert (skipped.get(path) or path in library.tracks), path
    for name in ("empty.mp3", "noise.flac", "text.m4a", "cut44.wav", "cut100.wav", "cut42.flac",
                 "id3-huge-size.mp3", "wav-rate0.wav", "wav-no-frames.wav", "wav-huge-rate.wav",
                 "fifo.mp3",
                 "dangling.flac", "zero-device.wav", "fifo.m3u", "huge.m3u8"):
        assert skipped.get(str(bad / name)), name
    assert skipped[str(bad / "fifo.mp3")] == "not a regular file"
    assert skipped[str(bad / "zero-device.wav")] == "not a regular file"
    assert skipped[str(bad / "cut100.wav")] == "truncated: holds 0% of its 2.0 s of audio"
    assert skipped[str(bad / "wav-1mhz.wav")] == "impossible sample rate (1000000 Hz)"
    assert skipped[str(bad / "huge.m3u8")] == "playlist larger than 1000000 bytes"
    assert skipped[shown_path(raw + b"/\xff\xfe latin.wav")].startswith("name is not UTF-8")
    assert all(s.path.encode("utf-8") and "\n" not in s.reason for s in library.skipped)
    assert str(bad / "wav-named.mp3") in library.tracks  # real audio, only misnamed
    long_title = library.tracks[str(bad / "title-1mb.wav")].info.title
    assert long_title == "T" * MAX_TAG_CHARS
    assert Path(library.tracks[str(bad / "cover-5mb.wav")].cover).stat().st_size > 5_000_000
    good = {str(music / p) for p in ("a/one.wav", "a/two.wav", "b/three.wav")}
    assert good | {str(bad / "album.mp3/good.wav")} <= set(library.tracks)
    snapshot = library.snapshot()  # what goes on the bus carries only UTF-8 text
    assert all(t.path.encode("utf-8") for t in snapshot.tracks)
