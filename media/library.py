"""The music library: folders scanned with mutagen into an index of tracks and playlists.

A rescan re-reads only files whose mtime or size changed, so a large library is cheap to refresh
at every start. A file that cannot be used is kept in `skipped` with the reason, for the user
to see; it is never silently dropped and never stops the scan.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import mutagen
from mutagen import MutagenError

from kernel.topics import MediaLibrary, PlaylistInfo, SkippedFile, TrackInfo

AUDIO_EXTENSIONS = frozenset({".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".wav", ".aac"})
PLAYLIST_EXTENSIONS = frozenset({".m3u", ".m3u8"})


@dataclass(frozen=True, slots=True)
class Track:
    """One indexed file; `stamp` (mtime_ns, size) tells a rescan whether to read it again."""

    info: TrackInfo
    stamp: tuple[int, int]
    cover: str = ""


def _first(tags: object, *keys: str) -> str:
    if tags is None:
        return ""
    for key in keys:
        try:
            value = tags[key]  # type: ignore[index]
        except (KeyError, ValueError, TypeError):
            continue
        text = value.text if hasattr(value, "text") else value
        if isinstance(text, list | tuple):
            text = text[0] if text else ""
        if str(text).strip():
            return str(text).strip()
    return ""


def _cover_bytes(audio: object) -> bytes:
    pictures = getattr(audio, "pictures", None)  # FLAC
    if pictures:
        return pictures[0].data
    tags = getattr(audio, "tags", None)
    if tags is not None and hasattr(tags, "getall"):  # ID3 (MP3, WAV)
        apic = tags.getall("APIC")
        if apic:
            return apic[0].data
    return b""


def read_track(path: Path, cover_dir: Path | None = None) -> Track:
    """Read one file's tags; raises ValueError with a user-facing reason if it is unusable."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror or exc}") from exc
    if st.st_size == 0:
        raise ValueError("empty file (0 bytes)")
    if not os.access(path, os.R_OK):
        raise ValueError("permission denied")
    try:
        audio = mutagen.File(path)
    except PermissionError as exc:
        raise ValueError("permission denied") from exc
    except (MutagenError, OSError, ValueError, IndexError) as exc:
        raise ValueError(f"corrupt or not audio ({exc})") from exc
    if audio is None or audio.info is None:
        raise ValueError("not a recognised audio file")
    length = float(getattr(audio.info, "length", 0.0) or 0.0)
    if length <= 0:
        raise ValueError("no audio frames (duration 0)")
    tags = audio.tags
    info = TrackInfo(
        path=str(path),
        title=_first(tags, "title", "TIT2", "\xa9nam") or path.stem,
        artist=_first(tags, "artist", "TPE1", "\xa9ART"),
        album=_first(tags, "album", "TALB", "\xa9alb"),
        genre=_first(tags, "genre", "TCON", "\xa9gen"),
        duration_ms=int(length * 1000),
    )
    cover = ""
    if cover_dir is not None and (data := _cover_bytes(audio)):
        digest = hashlib.sha1(data).hexdigest()[:16]
        suffix = ".png" if data.startswith(b"\x89PNG") else ".jpg"
        target = cover_dir / f"{digest}{suffix}"
        if not target.exists():
            cover_dir.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        cover = str(target)
    return Track(info, (st.st_mtime_ns, st.st_size), cover)


def read_playlist(path: Path, known: dict[str, Track]) -> tuple[PlaylistInfo, list[SkippedFile]]:
    """An M3U/M3U8 playlist: entries relative to the playlist's folder or absolute; entries
    that are missing or not in the library are reported, the rest kept in order."""
    encoding = "utf-8" if path.suffix.lower() == ".m3u8" else "latin-1"
    paths: list[str] = []
    missing: list[SkippedFile] = []
    text = path.read_text(encoding=encoding, errors="replace")
    for line in text.splitlines():
        entry = line.strip().lstrip("\ufeff")
        if not entry or entry.startswith("#"):
            continue
        target = Path(entry)
        if not target.is_absolute():
            target = path.parent / target
        target = Path(os.path.normpath(target))
        if str(target) in known:
            paths.append(str(target))
        elif target.exists():
            missing.append(SkippedFile(f"{path}: {entry}", "playlist entry is not a usable track"))
        else:
            missing.append(SkippedFile(f"{path}: {entry}", "playlist entry: file not found"))
    return PlaylistInfo(path.stem, tuple(paths)), missing


@dataclass
class Library:
    """The index. `scan()` walks the folders; unchanged files keep their previous entry."""

    folders: list[Path]
    cover_dir: Path | None = None
    tracks: dict[str, Track] = field(default_factory=dict)
    playlists: list[PlaylistInfo] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    reads: int = 0  # files read (not reused) by the last scan

    def scan(self, cancel: threading.Event | None = None) -> bool:
        """Walk the folders; False (index unchanged) if `cancel` was set before the end."""
        found: dict[str, Track] = {}
        skipped: list[SkippedFile] = []
        playlist_files: list[Path] = []
        self.reads = 0
        for folder in self.folders:
            if not folder.is_dir():
                continue
            for root, dirs, files in os.walk(folder):
                dirs.sort()
                for name in sorted(files):
                    if cancel is not None and cancel.is_set():
                        return False
                    path = Path(root, name)
                    ext = path.suffix.lower()
                    if ext in PLAYLIST_EXTENSIONS:
                        playlist_files.append(path)
                    elif ext in AUDIO_EXTENSIONS:
                        self._scan_file(path, found, skipped)
        self.tracks = found
        self.playlists = []
        for path in playlist_files:
            try:
                playlist, missing = read_playlist(path, found)
            except OSError as exc:
                skipped.append(SkippedFile(str(path), f"playlist unreadable: {exc.strerror}"))
                continue
            self.playlists.append(playlist)
            skipped.extend(missing)
        self.skipped = skipped
        return True

    def _scan_file(self, path: Path, found: dict[str, Track], skipped: list[SkippedFile]) -> None:
        key = str(path)
        old = self.tracks.get(key)
        if old is not None:
            try:
                st = path.stat()
            except OSError:
                st = None
            if st is not None and (st.st_mtime_ns, st.st_size) == old.stamp:
                found[key] = old
                return
        self.reads += 1
        try:
            found[key] = read_track(path, self.cover_dir)
        except ValueError as exc:
            skipped.append(SkippedFile(key, str(exc)))

    def by(self, field_name: str) -> dict[str, list[TrackInfo]]:
        """Tracks grouped by title, artist, album or genre (the browse lists)."""
        groups: dict[str, list[TrackInfo]] = defaultdict(list)
        for track in self.tracks.values():
            groups[getattr(track.info, field_name)].append(track.info)
        return dict(groups)

    def cover(self, path: str) -> str:
        track = self.tracks.get(path)
        return track.cover if track else ""

    def snapshot(self) -> MediaLibrary:
        infos = tuple(t.info for t in self.tracks.values())
        return MediaLibrary(
            tracks=infos,
            playlists=tuple(self.playlists),
            skipped=tuple(self.skipped),
            titles=tuple(sorted({t.title for t in infos})),
            artists=tuple(sorted({t.artist for t in infos if t.artist})),
        )
