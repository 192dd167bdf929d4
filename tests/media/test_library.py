"""The library scan on real tagged files, incremental rescans, playlists and broken input."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from media.demo import TRACKS, ensure_demo_tracks
from media.library import Library


def scan(folder: Path, covers: Path | None = None) -> Library:
    library = Library([folder], covers)
    library.scan()
    return library


def reasons(library: Library) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in library.skipped}


def test_scan_reads_tags_cover_and_indexes(music, tmp_path):
    library = scan(music, tmp_path / "covers")
    titles = {t.info.title for t in library.tracks.values()}
    assert titles == {"Harbour Lights", "Tram Seven", "Snow Road"}
    assert sorted(t.title for t in library.by("artist")["Aino"]) == ["Harbour Lights",
                                                                      "Tram Seven"]
    assert [t.title for t in library.by("album")["Winter"]] == ["Snow Road"]
    assert set(library.by("genre")) == {"Pop", "Jazz"}
    track = library.tracks[str(music / "b/three.wav")]
    assert 1900 <= track.info.duration_ms <= 2100
    assert Path(track.cover).read_bytes().startswith(b"\x89PNG")
    snap = library.snapshot()
    assert snap.artists == ("Aino", "Boris")
    assert "Snow Road" in snap.titles and snap.skipped == ()


def test_rescan_reads_only_changed_files(music):
    library = scan(music)
    assert library.reads == 3
    library.scan()
    assert library.reads == 0 and len(library.tracks) == 3
    changed = music / "a/two.wav"
    changed.write_bytes(changed.read_bytes() + b"\0\0")
    (music / "b/three.wav").unlink()
    library.scan()
    assert library.reads == 1
    assert sorted(Path(p).name for p in library.tracks) == ["one.wav", "two.wav"]


def test_broken_files_are_listed_with_a_reason_and_skipped(music):
    (music / "bad").mkdir()
    (music / "bad/corrupt.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x10" + os.urandom(3000))
    (music / "bad/corrupt.flac").write_bytes(b"fLaC" + b"\x00\x00\x00\x22" + os.urandom(200))
    (music / "bad/empty.ogg").write_bytes(b"")
    (music / "bad/notes.mp3").write_text("shopping list: milk, bread\n" * 40)
    library = scan(music)
    why = reasons(library)
    assert why["empty.ogg"] == "empty file (0 bytes)"
    for name in ("corrupt.mp3", "corrupt.flac", "notes.mp3"):
        assert why[name].startswith(("corrupt or not audio", "not a recognised audio file")), why
    assert len(library.tracks) == 3  # the good files are all still there


def test_unreadable_file_is_skipped_as_permission_denied(song_files):
    """Root reads any file, so under root the scan runs in a child process as `nobody`, where
    mode 000 really denies the read; otherwise it runs here."""
    folder = Path(tempfile.mkdtemp(prefix="volant-perm-"))
    try:
        os.chmod(folder, 0o755)
        good = folder / "good.wav"
        good.write_bytes((song_files / "a/one.wav").read_bytes())
        locked = folder / "locked.wav"
        locked.write_bytes(good.read_bytes())
        os.chmod(good, 0o644)
        os.chmod(locked, 0o000)
        drop = ""
        if os.geteuid() == 0:  # imports (and mutagen's format modules) load as root first
            nobody = pwd.getpwnam("nobody")
            drop = (f"mutagen.File(sys.argv[2]); os.setgid({nobody.pw_gid}); "
                    f"os.setuid({nobody.pw_uid}); ")
        code = ("import json, os, sys; from pathlib import Path; import mutagen; "
                "from media.library import Library; " + drop +
                "l = Library([Path(sys.argv[1])]); l.scan(); "
                "print(json.dumps({'tracks': list(l.tracks), "
                "'skipped': {s.path: s.reason for s in l.skipped}}))")
        out = subprocess.run([sys.executable, "-c", code, str(folder), str(good)],
                             capture_output=True, text=True, check=True,
                             cwd=Path(__file__).resolve().parents[2])
        result = json.loads(out.stdout)
        assert result["skipped"] == {str(locked): "permission denied"}
        assert result["tracks"] == [str(good)]
    finally:
        os.chmod(folder / "locked.wav", 0o644)
        for f in folder.iterdir():
            f.unlink()
        folder.rmdir()


def test_playlists_with_relative_absolute_and_missing_entries(music):
    (music / "lists").mkdir()
    (music / "lists/trip.m3u8").write_text(
        "#EXTM3U\n#EXTINF:2,Aino - Tram Seven\n../a/two.wav\n"
        f"{music / 'b/three.wav'}\n../a/gone.wav\n", encoding="utf-8")
    library = scan(music)
    [playlist] = library.playlists
    assert playlist.name == "trip"
    assert playlist.paths == (str(music / "a/two.wav"), str(music / "b/three.wav"))
    assert [(s.path, s.reason) for s in library.skipped] == [
        (f"{music / 'lists/trip.m3u8'}: ../a/gone.wav", "playlist entry: file not found")]


def test_demo_tracks_are_generated_tagged_once(tmp_path):
    paths = ensure_demo_tracks(tmp_path / "demo", seconds=1.0)
    stamps = [p.stat().st_mtime_ns for p in paths]
    library = scan(tmp_path / "demo", tmp_path / "covers")
    assert sorted(t.info.title for t in library.tracks.values()) == sorted(t[0] for t in TRACKS)
    assert all(t.cover and t.info.artist == "Volant Synth" for t in library.tracks.values())
    assert [p.stat().st_mtime_ns for p in ensure_demo_tracks(tmp_path / "demo")] == stamps


def test_a_cancelled_scan_keeps_the_previous_index(music):
    import threading

    library = scan(music)
    (music / "b/three.wav").unlink()
    cancel = threading.Event()
    cancel.set()
    assert library.scan(cancel) is False
    assert len(library.tracks) == 3  # unchanged until a scan completes
    assert library.scan() is True and len(library.tracks) == 2


def _deep_chain(top: Path, levels: int) -> Path:
    """`levels` nested folders made one by one (os.makedirs itself recurses per level)."""
    top.mkdir()
    folder = top
    for _ in range(levels):
        folder = folder / "d"
        folder.mkdir()
    return folder


def _remove_chain(top: Path, levels: int) -> None:
    """Remove a deep chain bottom-up (shutil.rmtree recurses per level too)."""
    folder = top / "/".join(["d"] * levels)
    while True:
        for child in folder.iterdir():
            if not child.is_dir():
                child.unlink()
        folder.rmdir()
        if folder == top:
            return
        folder = folder.parent


def test_a_folder_1100_levels_deep_is_cut_at_the_limit_and_reported(music, song_files):
    from media.library import MAX_DEPTH

    deepest = _deep_chain(music / "deep", 1100)
    try:
        (deepest / "lost.wav").write_bytes((song_files / "a/one.wav").read_bytes())
        shallow = music / "deep" / "/".join(["d"] * 5)
        (shallow / "near.wav").write_bytes((song_files / "a/one.wav").read_bytes())
        library = scan(music)
        assert str(shallow / "near.wav") in library.tracks
        assert str(deepest / "lost.wav") not in library.tracks
        cut = music / "deep" / "/".join(["d"] * MAX_DEPTH)  # "deep" is level 1
        assert [(s.path, s.reason) for s in library.skipped_folders] == [
            (str(cut), f"folder deeper than {MAX_DEPTH} levels: not scanned")]
        assert library.skipped[0] == library.skipped_folders[0]  # shown first on the screen
    finally:
        _remove_chain(music / "deep", 1100)


def test_link_loops_end_and_linked_folders_are_read_once(music, tmp_path):
    (music / "a" / "loop").symlink_to(music)  # a link back to the top
    (music / "b" / "self").symlink_to(".")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "four.wav").write_bytes((music / "a/one.wav").read_bytes())
    (music / "linked").symlink_to(elsewhere)
    library = scan(music)
    assert sorted(Path(p).name for p in library.tracks) == ["four.wav", "one.wav",
                                                            "three.wav", "two.wav"]
    assert {(Path(s.path).name, s.reason) for s in library.skipped_folders} == {
        ("loop", "folder already scanned (a link back to it)"),
        ("self", "folder already scanned (a link back to it)")}


def test_a_missing_music_folder_is_listed(tmp_path):
    library = scan(tmp_path / "no-such-music")
    assert [(s.path, s.reason) for s in library.skipped_folders] == [
        (str(tmp_path / "no-such-music"), "music folder not found")]


def test_an_unreadable_subfolder_is_listed_not_silently_skipped(song_files):
    """Root opens any folder, so under root the scan runs in a child process as `nobody`."""
    folder = Path(tempfile.mkdtemp(prefix="volant-music-"))
    try:
        os.chmod(folder, 0o755)
        (folder / "good.wav").write_bytes((song_files / "a/one.wav").read_bytes())
        locked = folder / "locked"
        locked.mkdir()
        (locked / "hidden.wav").write_bytes((song_files / "a/one.wav").read_bytes())
        os.chmod(folder / "good.wav", 0o644)
        os.chmod(locked, 0o000)
        drop = ""
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            drop = (f"mutagen.File(sys.argv[2]); os.setgid({nobody.pw_gid}); "
                    f"os.setuid({nobody.pw_uid}); ")
        code = ("import json, os, sys; from pathlib import Path; import mutagen; "
                "from media.library import Library; " + drop +
                "l = Library([Path(sys.argv[1])]); l.scan(); "
                "print(json.dumps({'tracks': list(l.tracks), "
                "'folders': [[s.path, s.reason] for s in l.skipped_folders]}))")
        out = subprocess.run([sys.executable, "-c", code, str(folder), str(folder / "good.wav")],
                             capture_output=True, text=True, check=True,
                             cwd=Path(__file__).resolve().parents[2])
        result = json.loads(out.stdout)
        assert result["folders"] == [[str(locked), "folder unreadable: Permission denied"]]
        assert result["tracks"] == [str(folder / "good.wav")]
    finally:
        os.chmod(folder / "locked", 0o755)
        shutil.rmtree(folder)


def test_a_folder_name_with_a_nul_byte_is_listed(tmp_path):
    library = scan(tmp_path / "bad\0name")
    assert [(s.path, s.reason) for s in library.skipped_folders] == [
        (str(tmp_path / "badname"), "folder unreadable: embedded null byte")]
