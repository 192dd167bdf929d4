"""Caches that heal: a map cache is used only once verified, and any cache that fails — empty,
truncated, crafted, another map's, half-written when the process was killed — is built again
from its source. Map files with broken coordinates or no speed tags still give a map."""

from __future__ import annotations

import gzip
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from kernel import topics
from kernel.event_bus import EventBus
from navigation import map_cache
from navigation.map_build import HIGHWAY_KMH
from navigation.map_cache import CacheError
from navigation.roadmap import BUILD_VERSION, RoadMap, load_map, source_digest

REPO = Path(__file__).resolve().parents[2]
BAD_NODE = 21911863  # the first node of monaco.osm.gz, on a road


@pytest.fixture(scope="module")
def monaco(shared_maps: Path, tmp_path_factory) -> tuple[Path, Path, RoadMap]:
    """The Monaco extract, its cache dir and its map, built once for the module."""
    cache = tmp_path_factory.mktemp("monaco-cache")
    return shared_maps / "monaco.osm.gz", cache, load_map(shared_maps / "monaco.osm.gz", cache)


def cache_file(cache_dir: Path, source: Path) -> Path:
    return next((cache_dir / "maps").glob(f"{source.name.split('.')[0]}-*.npz"))


def identity(source: Path) -> str:
    return f"{source_digest(source)}-car-v{BUILD_VERSION}"


def same_map(a: RoadMap, b: RoadMap) -> bool:
    return all(np.array_equal(getattr(a, n), getattr(b, n)) for n in map_cache.ARRAYS) \
        and a.names == b.names and a.places == b.places


def arrays_of(roadmap: RoadMap) -> dict[str, np.ndarray]:
    return {name: getattr(roadmap, name).copy() for name in map_cache.ARRAYS}


def meta_of(roadmap: RoadMap) -> dict:
    return {"names": roadmap.names, "source": roadmap.source, "invalid_nodes": [],
            "left_hand_traffic": roadmap.left_hand_traffic,
            "places": [{"name": p.name, "category": p.category, "lat": p.lat, "lon": p.lon,
                        "names": list(p.names)} for p in roadmap.places]}


def crafted(roadmap: RoadMap, change) -> tuple[dict, dict]:
    arrays, meta = arrays_of(roadmap), meta_of(roadmap)
    change(arrays, meta)
    return arrays, meta


def swap_dtype(path: Path, name: str, dtype: str) -> None:
    """Rewrite one array and the header's record of it as another dtype, checksum and all."""
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    import io
    import json

    array = np.load(io.BytesIO(members[f"{name}.npy"])).astype(dtype)
    buffer = io.BytesIO()
    np.save(buffer, array)
    members[f"{name}.npy"] = buffer.getvalue()
    header = json.loads(members["header.json"])
    header["arrays"][name] = [array.dtype.str, list(array.shape)]
    members["header.json"] = json.dumps(header).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)


CRAFTED = {
    "node index out of range": lambda a, m: a["edge_u"].__setitem__(0, 10**6),
    "negative node index": lambda a, m: a["edge_v"].__setitem__(3, -5),
    "NaN position": lambda a, m: a["node_lat"].__setitem__(0, np.nan),
    "zero edge time": lambda a, m: a["edge_time"].__setitem__(0, 0.0),
    "turn order not a permutation": lambda a, m: a["turn_order"].__setitem__(0, a["turn_order"][1]),
    "shorter edge array": lambda a, m: a.__setitem__("edge_time", a["edge_time"][:-1]),
    "geometry offsets past the end": lambda a, m: a["geom_offsets"].__setitem__(-1, 10**9),
    "street name index past the names": lambda a, m: m.__setitem__("names", []),
    "banned turn out of range": lambda a, m: a.__setitem__(
        "turn_bans", np.array([[0, 10**7]], dtype=np.int32)),
    "place names not strings": lambda a, m: m["places"][0].__setitem__("names", [1, 2]),
}


@pytest.mark.parametrize("damage", sorted(CRAFTED))
def test_crafted_caches_with_a_valid_checksum_are_refused(monaco, tmp_path: Path,
                                                          damage: str) -> None:
    source, _, roadmap = monaco
    path = tmp_path / "map.npz"
    arrays, meta = crafted(roadmap, CRAFTED[damage])
    map_cache.write(path, arrays, meta, identity(source))
    with pytest.raises(CacheError):
        RoadMap.load(path, identity(source))


@pytest.mark.parametrize("damage", ["zero bytes", "truncated", "garbage", "flipped byte",
                                    "float node indices", "object array", "old format"])
def test_damaged_cache_files_are_refused(monaco, tmp_path: Path, damage: str) -> None:
    source, cache_dir, roadmap = monaco
    path = tmp_path / "map.npz"
    shutil.copy(cache_file(cache_dir, source), path)
    data = path.read_bytes()
    if damage == "zero bytes":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(data[:len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"PK\x03\x04" + os.urandom(4000))
    elif damage == "flipped byte":  # a disk error inside the edge times
        with zipfile.ZipFile(path) as archive:
            start = archive.getinfo("edge_time.npy").header_offset
        at = data.index(b"edge_time.npy", start) + 200
        path.write_bytes(data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:])
    elif damage == "float node indices":
        swap_dtype(path, "edge_u", "<f8")
    elif damage == "object array":
        swap_dtype(path, "edge_name", "O")
    else:  # the .npz of the previous format, with no header
        np.savez(path, **arrays_of(roadmap))
    with pytest.raises(CacheError):
        RoadMap.load(path, identity(source))


@pytest.mark.parametrize("damage", ["zero bytes", "another map's cache", "crafted"])
def test_a_refused_cache_is_built_again_and_replaced(monaco, shared_maps: Path,
                                                     tmp_path: Path, damage: str) -> None:
    """The issue's cases end to end: `: > cache.npz`, a cache copied under another map's name,
    crafted arrays; each load gives the true map and leaves a good cache behind."""
    source, cache_dir, roadmap = monaco
    shutil.copytree(cache_dir, tmp_path, dirs_exist_ok=True)
    path = cache_file(tmp_path, source)
    if damage == "zero bytes":
        path.write_bytes(b"")
    elif damage == "another map's cache":
        other = load_map(shared_maps / "paris_bss.osm.pbf", tmp_path / "other")
        shutil.copy(cache_file(tmp_path / "other", shared_maps / "paris_bss.osm.pbf"), path)
        assert not same_map(other, roadmap)
    else:
        map_cache.write(path, *crafted(roadmap, CRAFTED["node index out of range"]),
                        identity(source))
    steps: list[str] = []
    again = load_map(source, tmp_path, progress=lambda f, t, *v: steps.append(t))
    assert same_map(again, roadmap)
    assert "Map cache of %1 unusable; building it again" in steps and steps[-1] == "Map %1 ready"
    assert same_map(RoadMap.load(path, identity(source)), roadmap)  # the cache is repaired


def test_same_file_gives_a_byte_identical_cache_under_any_hash_seed(monaco,
                                                                    tmp_path: Path) -> None:
    """osmnx merges a road's segment attributes through a set (hash-seed order) and then
    takes the first: a road's type, speed and name changed from one process to the next."""
    source, _, _ = monaco
    caches = []
    for seed in ("1", "2", "3"):
        target = tmp_path / seed
        subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                        "from navigation.roadmap import load_map; "
                        "load_map(Path(sys.argv[1]), Path(sys.argv[2]))", str(source),
                        str(target)], check=True, timeout=600, cwd=REPO,
                       env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)})
        caches.append(cache_file(target, source).read_bytes())
    assert caches[0] == caches[1] == caches[2]


WRITER = """
import sys
from pathlib import Path
from navigation.roadmap import RoadMap
roadmap = RoadMap.load(Path(sys.argv[1]))
target = Path(sys.argv[2])
print("writing", flush=True)
while True:
    roadmap.save(target, sys.argv[3])
"""


@pytest.mark.parametrize("delay_s", [0.0, 0.05, 0.2, 0.5])
def test_killed_while_writing_the_cache_leaves_a_whole_one(monaco, tmp_path: Path,
                                                           delay_s: float) -> None:
    """kill -9 at some moment of a process that rewrites the cache over and over: the next
    load finds the whole cache (old or new), never a half one, and needs no rebuild."""
    source, cache_dir, roadmap = monaco
    shutil.copytree(cache_dir, tmp_path, dirs_exist_ok=True)
    path = cache_file(tmp_path, source)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(path),
                               identity(source)], stdout=subprocess.PIPE, text=True, cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
    assert writer.stdout.readline().strip() == "writing"
    time.sleep(delay_s)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=60)
    writer.stdout.close()
    steps: list[str] = []
    again = load_map(source, tmp_path, progress=lambda f, t, *v: steps.append(t))
    assert steps == ["Map %1 loaded"] and same_map(again, roadmap)


def monaco_variant(shared_maps: Path, target: Path, edit) -> Path:
    text = gzip.decompress((shared_maps / "monaco.osm.gz").read_bytes()).decode()
    target.write_bytes(gzip.compress(edit(text).encode(), compresslevel=1))
    return target


@pytest.mark.parametrize("lat", ["1000", "95", "abc"])
def test_a_node_with_an_invalid_coordinate_is_left_out_and_named(shared_maps: Path,
                                                                  tmp_path: Path,
                                                                  lat: str) -> None:
    source = monaco_variant(shared_maps, tmp_path / "monaco-bad.osm.gz",
                            lambda t: t.replace('lat="43.7370125"', f'lat="{lat}"', 1))
    roadmap = load_map(source, tmp_path)
    assert roadmap.invalid_nodes == [BAD_NODE] and roadmap.edge_count > 100
    assert RoadMap.load(cache_file(tmp_path, source)).invalid_nodes == [BAD_NODE]


def test_service_names_the_invalid_node_and_routes(shared_maps: Path, tmp_path: Path) -> None:
    from navigation.service import NavigationService

    source = monaco_variant(shared_maps, tmp_path / "monaco-bad.osm.gz",
                            lambda t: t.replace('lat="43.7370125"', 'lat="1000"', 1))
    bus = EventBus()
    notices, routes = [], []
    routed = threading.Event()
    bus.subscribe(topics.UI_NOTICE, notices.append)
    bus.subscribe(topics.NAV_ROUTE, lambda m: (routes.append(m), routed.set()))
    nav = NavigationService(source, tmp_path)
    nav.start(bus)
    assert nav.ready.wait(300)
    bus.publish(topics.NAV_ROUTE_REQUEST,
                topics.RouteRequest("43.7311,7.4197", origin="43.7384,7.4246"))
    assert routed.wait(60)
    nav.stop()
    bus.close()
    warning = notices[0].payload
    assert warning.level == "warning" and "monaco-bad.osm.gz" in warning.values
    assert f"node {BAD_NODE}" in warning.values
    assert routes and routes[-1].payload.distance_m > 100


def test_a_map_without_any_maxspeed_gets_speeds_by_road_type(shared_maps: Path,
                                                              tmp_path: Path) -> None:
    source = monaco_variant(shared_maps, tmp_path / "monaco-nospeed.osm.gz",
                            lambda t: "\n".join(line for line in t.splitlines()
                                                if "maxspeed" not in line))
    assert b'k="maxspeed"' not in gzip.decompress(source.read_bytes())
    roadmap = load_map(source, tmp_path)
    assert roadmap.edge_count > 100 and (roadmap.edge_time > 0).all()
    assert set(np.unique(roadmap.edge_speed)) <= set(HIGHWAY_KMH.values())
    assert len(np.unique(roadmap.edge_speed)) > 2  # by type, not one speed for all


def test_every_failure_of_the_map_load_ends_in_a_notice(tmp_path: Path) -> None:
    """Not only a broken file: a favourite that is no string (settings that passed the TOML
    parser) raised AttributeError on the navigation thread, which died with "Loading…" shown."""
    from navigation.roadmap import default_map_file
    from navigation.service import NavigationService

    bus = EventBus()
    notices, steps = [], []
    done = threading.Event()
    bus.subscribe(topics.UI_NOTICE, notices.append)
    bus.subscribe(topics.APP_PROGRESS, lambda m: (steps.append(m), m.payload.fraction == 1.0
                                                  and done.set()))
    nav = NavigationService(default_map_file(), tmp_path, favourites={1: 2})
    nav.start(bus)
    assert done.wait(300)
    nav.stop()
    bus.close()
    assert notices and notices[-1].payload.level == "error"
    assert notices[-1].payload.template == "Map not loaded: %1"
    assert "AttributeError" in notices[-1].payload.values[0]
    assert (steps[-1].payload.fraction, steps[-1].payload.template) == (1.0, "Map failed")


def test_a_cache_of_the_previous_format_is_refused_by_its_format(monaco, tmp_path: Path) -> None:
    """Format 2 had no speed limits: under the current name it is refused, not half-read."""
    import json

    source, cache_dir, _ = monaco
    with zipfile.ZipFile(cache_file(cache_dir, source)) as archive:
        members = {i.filename: archive.read(i) for i in archive.infolist()
                   if i.filename != "geom_limit.npy"}
    header = json.loads(members["header.json"])
    header["format"] = 2
    header["arrays"].pop("geom_limit")
    members["header.json"] = json.dumps(header).encode()
    path = tmp_path / "map.npz"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    with pytest.raises(CacheError, match="format 2, expected"):
        RoadMap.load(path, identity(source))


def test_a_new_build_removes_the_caches_of_older_builds(monaco, tmp_path: Path) -> None:
    source, cache_dir, _ = monaco
    current = cache_file(cache_dir, source).name
    old = tmp_path / "maps" / current.replace(f"-v{BUILD_VERSION}.", f"-v{BUILD_VERSION - 1}.")
    other = tmp_path / "maps" / "andorra-0123456789abcdef0123-car-v7.npz"  # another map's
    old.parent.mkdir()
    for path in (old, other):
        shutil.copy(cache_file(cache_dir, source), path)
    load_map(source, tmp_path)
    assert not old.exists() and other.exists()
    assert (tmp_path / "maps" / current).is_file()
