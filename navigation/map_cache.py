"""The compiled map's cache file: written whole or not at all, read back only once verified.

A cache is a zip of .npy arrays (numpy's .npz layout, stored uncompressed for fast loading)
with two JSON entries: a header (format version, the identity of what it was built from, each
array's dtype and shape, a checksum over all the rest) and the map's metadata (street names,
places). Every way a cache can go wrong — a zero-byte or truncated file after a power cut,
another map's cache copied under this one's name, arrays crafted to crash the router — ends in
CacheError, and the caller builds the map again from its source.

Written to a temporary file in the same folder, flushed to disk and renamed over the old one,
so a crash at any moment leaves the old cache or the new one, never half of one. The zip's
timestamps are fixed, so the same map gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from pathlib import Path

import msgspec
import numpy as np

from navigation.speed_limits import MAX_KMH

CACHE_FORMAT = 3  # 3: posted speed limits; 2: one verified file (header, metadata, arrays)
MAX_JSON_BYTES = 256 << 20
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# name -> (dtype, dimensions); sizes: N nodes, E edges, G geometry points, B banned turns
ARRAYS: dict[str, tuple[str, tuple[str, ...]]] = {
    "node_lat": ("<f8", ("N",)), "node_lon": ("<f8", ("N",)),
    "edge_u": ("<i4", ("E",)), "edge_v": ("<i4", ("E",)),
    "edge_length": ("<f8", ("E",)), "edge_time": ("<f8", ("E",)), "edge_speed": ("<f8", ("E",)),
    "edge_name": ("<i4", ("E",)), "edge_roundabout": ("|b1", ("E",)),
    "edge_bearing_in": ("<f8", ("E",)), "edge_bearing_out": ("<f8", ("E",)),
    "geom_offsets": ("<i8", ("E+1",)), "geom_lat": ("<f8", ("G",)), "geom_lon": ("<f8", ("G",)),
    "geom_limit": ("<f4", ("G",)),
    "turn_order": ("<i4", ("E",)), "turn_bans": ("<i4", ("B", "2")),
}


class CacheError(ValueError):
    """A cache file that must not be used; the message says why."""


class PlaceRecord(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    category: str
    lat: float
    lon: float
    names: list[str]


class Meta(msgspec.Struct, forbid_unknown_fields=True):
    names: list[str]
    places: list[PlaceRecord]
    source: str
    left_hand_traffic: bool
    invalid_nodes: list[int]


class Header(msgspec.Struct, forbid_unknown_fields=True):
    format: int
    identity: str
    checksum: str
    arrays: dict[str, tuple[str, list[int]]]


def _checksum(meta: bytes, arrays: dict[str, np.ndarray]) -> str:
    digest = hashlib.blake2b(meta, digest_size=32)
    for name in ARRAYS:
        array = arrays[name]
        digest.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).reshape(-1).view(np.uint8))
    return digest.hexdigest()


def write(path: Path, arrays: dict[str, np.ndarray], meta: dict, identity: str) -> None:
    """Write the cache atomically: temp file beside it, fsync, rename, fsync the folder."""
    arrays = {name: np.ascontiguousarray(arrays[name], dtype=np.dtype(dtype))
              for name, (dtype, _) in ARRAYS.items()}
    meta_bytes = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode()
    header = {"format": CACHE_FORMAT, "identity": identity,
              "checksum": _checksum(meta_bytes, arrays),
              "arrays": {n: [a.dtype.str, list(a.shape)] for n, a in arrays.items()}}
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f"{path.name}.*.tmp"):  # left by a crash mid-write
        stale.unlink(missing_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            with zipfile.ZipFile(handle, "w", zipfile.ZIP_STORED) as archive:
                _entry(archive, "header.json", json.dumps(header, sort_keys=True).encode())
                _entry(archive, "meta.json", meta_bytes)
                for name, array in arrays.items():
                    buffer = io.BytesIO()
                    np.lib.format.write_array(buffer, array, allow_pickle=False)
                    _entry(archive, f"{name}.npy", buffer.getvalue())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def read(path: Path, identity: str | None) -> tuple[dict[str, np.ndarray], Meta]:
    """The verified arrays and metadata of a cache; `identity` (None: any) must be the one it
    was written with. Raises CacheError for anything else."""
    try:
        with zipfile.ZipFile(path) as archive:
            header = msgspec.json.decode(_member(archive, "header.json"), type=Header)
            if header.format != CACHE_FORMAT:
                raise CacheError(f"format {header.format}, expected {CACHE_FORMAT}")
            if identity is not None and header.identity != identity:
                raise CacheError("built from another map file, profile or build version")
            if set(header.arrays) != set(ARRAYS):
                raise CacheError("not the arrays of a map")
            meta_bytes = _member(archive, "meta.json")
            meta = msgspec.json.decode(meta_bytes, type=Meta)
            arrays = {name: _array(archive, name, header) for name in ARRAYS}
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, KeyError,
            msgspec.MsgspecError, UnicodeDecodeError) as exc:
        raise CacheError(f"unreadable ({type(exc).__name__}: {exc})") from None
    except ValueError as exc:  # numpy's malformed .npy headers; CacheError itself
        raise CacheError(str(exc)) from None
    if _checksum(meta_bytes, arrays) != header.checksum:
        raise CacheError("checksum mismatch")
    check(arrays, meta)
    return arrays, meta


def _member(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_JSON_BYTES:
        raise CacheError(f"{name} is {info.file_size} bytes")
    return archive.read(info)


def _array(archive: zipfile.ZipFile, name: str, header: Header) -> np.ndarray:
    """An array whose dtype and shape are the header's and the format's, checked before any
    memory is allocated for it."""
    dtype, dims = ARRAYS[name]
    stored_dtype, shape = header.arrays[name]
    if stored_dtype != dtype or len(shape) != len(dims) or any(s < 0 for s in shape):
        raise CacheError(f"{name}: {stored_dtype} {shape}, expected {dtype} {dims}")
    info = archive.getinfo(f"{name}.npy")
    with archive.open(info) as handle:
        version = np.lib.format.read_magic(handle)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        npy_shape, fortran, npy_dtype = read_header(handle)
        if npy_dtype.str != dtype or list(npy_shape) != list(shape) or fortran:
            raise CacheError(f"{name}: stored as {npy_dtype.str} {npy_shape}, header says "
                             f"{stored_dtype} {shape}")
        if int(np.prod(shape)) * npy_dtype.itemsize > info.file_size:
            raise CacheError(f"{name}: truncated")
        count = int(np.prod(shape))
        data = handle.read(count * npy_dtype.itemsize)
    if len(data) != count * npy_dtype.itemsize:
        raise CacheError(f"{name}: truncated")
    return np.frombuffer(data, dtype=npy_dtype).reshape(shape).copy()


def check(arrays: dict[str, np.ndarray], meta: Meta) -> None:
    """What the router and the screens rely on: sizes that agree, indices in range, finite
    positions and positive times, a contraction order that is an order of the edges."""
    nodes, edges = len(arrays["node_lat"]), len(arrays["edge_u"])
    points = len(arrays["geom_lat"])
    sizes = {"N": nodes, "E": edges, "E+1": edges + 1, "G": points,
             "B": len(arrays["turn_bans"]), "2": 2}
    for name, (_, dims) in ARRAYS.items():
        if list(arrays[name].shape) != [sizes[d] for d in dims]:
            raise CacheError(f"{name}: shape {arrays[name].shape} does not fit the map")
    if nodes == 0 or edges == 0:
        raise CacheError("no roads")

    def bad(condition: np.ndarray | bool, what: str) -> None:
        if np.any(condition):
            raise CacheError(what)

    lat, lon = arrays["node_lat"], arrays["node_lon"]
    bad(~np.isfinite(lat) | ~np.isfinite(lon) | (np.abs(lat) > 90) | (np.abs(lon) > 180),
        "node positions out of range")
    geom_lat, geom_lon = arrays["geom_lat"], arrays["geom_lon"]
    bad(~np.isfinite(geom_lat) | ~np.isfinite(geom_lon) | (np.abs(geom_lat) > 90)
        | (np.abs(geom_lon) > 180), "road geometry out of range")
    for name in ("edge_u", "edge_v"):
        bad((arrays[name] < 0) | (arrays[name] >= nodes), f"{name}: node index out of range")
    bad(~(arrays["edge_time"] > 0) | ~np.isfinite(arrays["edge_time"]), "edge times not > 0")
    for name in ("edge_length", "edge_speed", "edge_bearing_in", "edge_bearing_out"):
        bad(~np.isfinite(arrays[name]) | (arrays[name] < 0), f"{name}: not finite and >= 0")
    bad((arrays["edge_name"] < -1) | (arrays["edge_name"] >= len(meta.names)),
        "street name index out of range")
    offsets = arrays["geom_offsets"]
    bad(offsets[0] != 0 or offsets[-1] != points, "road geometry offsets do not fit")
    bad(np.diff(offsets) < 2, "a road with fewer than 2 points")
    limit = arrays["geom_limit"]
    bad(~np.isfinite(limit) | (limit < 0) | (limit > MAX_KMH), "speed limits not in 0..300")
    order = arrays["turn_order"]
    bad((order < 0) | (order >= edges), "turn order index out of range")
    bad(np.bincount(order, minlength=edges) != 1, "turn order is not an order of the edges")
    bad((arrays["turn_bans"] < 0) | (arrays["turn_bans"] >= edges), "banned turn out of range")
    for place in meta.places:
        if not (abs(place.lat) <= 90 and abs(place.lon) <= 180):
            raise CacheError(f"place {place.name!r} out of range")
