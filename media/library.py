"""The music library: folders scanned with mutagen into an index of tracks and playlists.

A rescan re-reads only files whose mtime or size changed, so a large library is cheap to refresh
at every start. A file or folder that cannot be used is kept in `skipped` with the reason, for
the user to see; it is never silently dropped and never stops the scan. The walk is a loop, not
a recursion (a folder 1,100 levels deep is cut at MAX_DEPTH and reported), follows linked
folders once each (a link loop ends) and lists every folder it cannot open.
"""

from __future__ import annotations

import hashlib
import os
import stat
import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import mutagen
from mutagen import MutagenError
from mutagen.aiff import AIFF
from mutagen.wave import WAVE

from kernel.settings import write_atomically
from kernel.topics import MediaLibrary, PlaylistInfo, SkippedFile, TrackInfo

AUDIO_EXTENSIONS = frozenset({".mp3", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".wav", ".aac"})
PLAYLIST_EXTENSIONS = frozenset({".m3u", ".m3u8"})
MAX_DEPTH = 32  # folder levels below a music folder; Artist/Album/Disc needs 3
MAX_PLAYLIST_BYTES = 1_000_000  # 10,000 entries fit easily
MAX_SAMPLE_RATE = 768_000  # the highest rate audio hardware plays
MAX_TAG_CHARS = 300  # a tag longer than this is cut: it is shown on screen and sent on the bus


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
            return str(text).strip()[:MAX_TAG_CHARS]
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


class Unusable(ValueError):
    """A file mutagen read that holds no playable audio; the message is the reason."""


def read_track(path: Path, cover_dir: Path | None = None) -> Track:
    """Read one file's tags; raises ValueError with a user-facing reason if it is unusable."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ValueError(f"cannot read: {exc.strerror or exc}") from exc
    if not stat.S_ISREG(st.st_mode):  # a FIFO or a device would block or never end
        raise ValueError("not a regular file")
    if st.st_size == 0:
        raise ValueError("empty file (0 bytes)")
    if not os.access(path, os.R_OK):
        raise ValueError("permission denied")
    try:
        info, picture = _parse(path, st.st_size)
    except Unusable:
        raise
    except PermissionError as exc:
        raise ValueError("permission denied") from exc
    except (MutagenError, OSError, ValueError, IndexError) as exc:
        raise ValueError(f"corrupt or not audio ({exc})") from exc
    except Exception as exc:  # a crafted file can make a parser raise anything
        raise ValueError(f"corrupt or not audio ({type(exc).__name__}: {exc})") from exc
    cover = ""
    if cover_dir is not None and picture:
        digest = hashlib.sha1(picture).hexdigest()[:16]
        suffix = ".png" if picture.startswith(b"\x89PNG") else ".jpg"
        target = cover_dir / f"{digest}{suffix}"
        try:
            if not target.exists():  # named by its content, so it is whole or absent
                write_atomically(target, picture)
            cover = str(target)
        except OSError:
            cover = ""  # no cover shown; the track itself is fine
    return Track(info, (st.st_mtime_ns, st.st_size), cover)


def _parse(path: Path, size: int) -> tuple[TrackInfo, bytes]:
    """The tags and the cover picture of an audio file, through mutagen."""
    audio = mutagen.File(path)
    if audio is None or audio.info is None:
        raise Unusable("not a recognised audio file")
    length = float(getattr(audio.info, "length", 0.0) or 0.0)
    if not 0.001 <= length < 1e7:  # NaN, infinite and absurd durations too
        raise Unusable("no audio frames (duration 0)" if length < 0.001
                       else f"impossible duration ({length} s)")
    rate = getattr(audio.info, "sample_rate", 0) or 0  # 0: a container that does not say
    if rate > MAX_SAMPLE_RATE:
        raise Unusable(f"impossible sample rate ({rate} Hz)")
    if isinstance(audio, WAVE | AIFF):  # uncompressed: the header tells the size to expect
        expected = length * audio.info.bitrate / 8
        if size < expected / 2:
            raise Unusable(f"truncated: holds {size / expected:.0%} of its {length:.1f} s of audio")
    tags = audio.tags
    info = TrackInfo(
        path=str(path),
        title=_first(tags, "title", "TIT2", "\xa9nam") or path.stem[:MAX_TAG_CHARS],
        artist=_first(tags, "artist", "TPE1", "\xa9ART"),
        album=_first(tags, "album", "TALB", "\xa9alb"),
        genre=_first(tags, "genre", "TCON", "\xa9gen"),
        duration_ms=int(length * 1000),
    )
    return info, _cover_bytes(audio)


def read_playlist(path: Path, known: dict[str, Track]) -> tuple[PlaylistInfo, list[SkippedFile]]:
    """An M3U/M3U8 playlist: entries relative to the playlist's folder or absolute; entries
    that are missing or not in the library are reported, the rest kept in order."""
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise ValueError("playlist is not a regular file")
    if st.st_size > MAX_PLAYLIST_BYTES:
        raise ValueError(f"playlist larger than {MAX_PLAYLIST_BYTES} bytes")
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


def shown_path(path: str | bytes | os.PathLike[str]) -> str:
    """A path as text a screen and JSON can carry (bytes that are not UTF-8 become U+FFFD)."""
    return os.fsencode(path).decode("utf-8", "replace")


def _walk(top: Path, seen: set[tuple[int, int]], folder_problems: list[SkippedFile],
          skipped: list[SkippedFile]) -> Iterator[str]:
    """The files under `top` in name order, depth first, with a stack instead of recursion.

    Linked folders are followed once (`seen` holds every folder's device and inode, so a link
    loop ends); a folder that cannot be opened, lies deeper than MAX_DEPTH, or is seen again
    goes to `folder_problems`; a name that is not UTF-8 goes to `skipped`. Paths stay strings
    here: a rescan is mostly this loop and a stat per file."""
    stack = [(str(top), 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen:
                folder_problems.append(SkippedFile(folder, "folder already scanned "
                                                   "(a link back to it)"))
                continue
            seen.add((st.st_dev, st.st_ino))
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except FileNotFoundError:
            folder_problems.append(SkippedFile(folder, "music folder not found"))
            continue
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            reason = getattr(exc, "strerror", None) or str(exc)
            folder_problems.append(SkippedFile(shown_path(folder.replace("\0", "")),
                                               f"folder unreadable: {reason}"))
            continue
        subfolders = []
        for entry in entries:
            if not entry.name.isascii() and entry.name != shown_path(entry.name):
                skipped.append(SkippedFile(shown_path(entry.path), "name is not UTF-8 text: "
                                           "rename it to play it"))
                continue
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if not is_folder:
                yield entry.path
            elif depth < MAX_DEPTH:
                subfolders.append(entry.path)
            else:
                folder_problems.append(SkippedFile(entry.path, f"folder deeper than {MAX_DEPTH} "
                                                   "levels: not scanned"))
        stack.extend((sub, depth + 1) for sub in reversed(subfolders))


@dataclass
class Library:
    """The index. `scan()` walks the folders; unchanged files keep their previous entry."""

    folders: list[Path]
    cover_dir: Path | None = None
    tracks: dict[str, Track] = field(default_factory=dict)
    playlists: list[PlaylistInfo] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)  # folders first, then files
    skipped_folders: list[SkippedFile] = field(default_factory=list)  # not scanned, and why
    reads: int = 0  # files read (not reused) by the last scan

    def scan(self, cancel: threading.Event | None = None) -> bool:
        """Walk the folders; False (index unchanged) if `cancel` was set before the end."""
        found: dict[str, Track] = {}
        folder_problems: list[SkippedFile] = []
        skipped: list[SkippedFile] = []
        playlist_files: list[Path] = []
        self.reads = 0
        seen: set[tuple[int, int]] = set()
        for folder in self.folders:
            for path in _walk(folder, seen, folder_problems, skipped):
                if cancel is not None and cancel.is_set():
                    return False
                ext = os.path.splitext(path)[1].lower()
                if ext in PLAYLIST_EXTENSIONS:
                    playlist_files.append(Path(path))
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
            except ValueError as exc:
                skipped.append(SkippedFile(str(path), str(exc)))
                continue
            self.playlists.append(playlist)
            skipped.extend(missing)
        self.skipped_folders = folder_problems
        self.skipped = folder_problems + skipped
        return True

    def _scan_file(self, key: str, found: dict[str, Track], skipped: list[SkippedFile]) -> None:
        old = self.tracks.get(key)
        if old is not None:
            try:
                st = os.stat(key)
            except OSError:
                st = None
            if st is not None and (st.st_mtime_ns, st.st_size) == old.stamp:
                found[key] = old
                return
        self.reads += 1
        try:
            found[key] = read_track(Path(key), self.cover_dir)
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
