"""Real tagged audio files, generated once per session (no third-party media)."""

from __future__ import annotations

from pathlib import Path

import pytest

from media.demo import write_track

# file name, title, artist, album, genre, root Hz
SONGS = (
    ("a/one.wav", "Harbour Lights", "Aino", "Coast", "Pop", 220.0),
    ("a/two.wav", "Tram Seven", "Aino", "Coast", "Pop", 247.0),
    ("b/three.wav", "Snow Road", "Boris", "Winter", "Jazz", 262.0),
)


@pytest.fixture(scope="session")
def song_files(tmp_path_factory) -> Path:
    """A folder of three real 2-second tagged WAVs with covers; copy it before changing it."""
    root = tmp_path_factory.mktemp("songs")
    for name, title, artist, album, genre, freq in SONGS:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_track(path, title, artist, album, genre, freq, 2.0)
    return root


@pytest.fixture
def music(song_files, tmp_path) -> Path:
    """A private copy of the songs that a test may change."""
    import shutil

    target = tmp_path / "music"
    shutil.copytree(song_files, target)
    return target
