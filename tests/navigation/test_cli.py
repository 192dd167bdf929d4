"""`volant route` and `volant maps import` as a user runs them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from navigation.place_download import download_place
from navigation.roadmap import default_map_file, load_map


def volant(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_CACHE_HOME": str(home / "cache")}
    return subprocess.run([sys.executable, "-m", "app", *args], capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli-home")


def test_route_json(home: Path) -> None:
    done = volant("route", "Bulevardi", "Kaivokatu 1", "--json", home=home)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) >= {"distance_m", "duration_s", "energy_kwh", "maneuvers"}
    assert 300 < result["distance_m"] < 5000 and result["duration_s"] > 0
    assert result["energy_kwh"] > 0
    kinds = [m["kind"] for m in result["maneuvers"]]
    assert kinds[0] == "depart" and kinds[-1] == "arrive"


def test_route_text_in_french(home: Path) -> None:
    done = volant("route", "60.1650,24.9400", "nearest charging station", "--language", "fr",
                  home=home)
    assert done.returncode == 0, done.stderr
    assert "km" in done.stdout and "Vous êtes arrivé" in done.stdout


def test_route_text_in_korean(home: Path) -> None:
    done = volant("route", "Bulevardi", "Kaivokatu 1", "--language", "ko", home=home)
    assert done.returncode == 0, done.stderr
    assert "출발하세요" in done.stdout and "Kaivokatu 1에 도착했습니다" in done.stdout


def test_route_text_in_miles(home: Path) -> None:
    metric = volant("route", "Bulevardi", "Kaivokatu 1", "--json", home=home)
    done = volant("route", "Bulevardi", "Kaivokatu 1", "--units", "imperial", home=home)
    assert done.returncode == 0, done.stderr
    miles = json.loads(metric.stdout)["distance_m"] / 1609.344
    assert done.stdout.splitlines()[0].split(": ")[1].startswith(f"{miles:.2f} mi, ")
    assert " km" not in done.stdout


def test_driving_side_from_the_flag_or_the_settings(home: Path, tmp_path: Path) -> None:
    """Left-hand traffic makes right turns the costly ones: the same trip takes another time;
    the settings' driving_side does what the flag does."""
    trip = ("route", "Bulevardi", "Kaivokatu 1", "--json")
    right = json.loads(volant(*trip, home=home).stdout)["duration_s"]
    flag = volant(*trip, "--driving-side", "left", home=home)
    assert flag.returncode == 0, flag.stderr
    left = json.loads(flag.stdout)["duration_s"]
    assert left != pytest.approx(right, abs=0.01)
    (tmp_path / "config" / "volant").mkdir(parents=True)
    (tmp_path / "config" / "volant" / "settings.toml").write_text('driving_side = "left"\n')
    assert json.loads(volant(*trip, home=tmp_path).stdout)["duration_s"] == pytest.approx(left)
    wrong = volant(*trip, "--driving-side", "middle", home=home)
    assert wrong.returncode == 2 and "invalid choice: 'middle'" in wrong.stderr


def test_route_on_another_map_and_profile(home: Path, shared_maps: Path) -> None:
    done = volant("route", "43.7384,7.4246", "43.7311,7.4197", "--map",
                  str(shared_maps / "monaco.osm.gz"), "--profile", "bus", "--json", home=home)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["distance_m"] > 100


@pytest.mark.parametrize("args, reason", [
    (("Atlantis", "Kaivokatu 1"), "no place named 'Atlantis' on this map"),
    (("Bulevardi", "48.8566,2.3522"), "is off this map"),
])
def test_unplaceable_from_or_to_exits_non_zero_with_one_line(home: Path, args, reason) -> None:
    done = volant("route", *args, home=home)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0]


def test_a_destination_the_map_lacks_exits_1_naming_the_closest(home: Path) -> None:
    done = volant("route", "Kaivokatu 1", "Atlantis Street 999", home=home)
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert re.search(r"no place named 'Atlantis Street 999' on this map; did you mean "
                     r"[^(]+ \(\d+%\)", lines[0]) and "--accept-closest" in lines[0]


def test_accept_closest_takes_the_first_candidate_and_says_so(home: Path) -> None:
    done = volant("route", "Kaivokatu 1", "Kaivokadu 1", "--accept-closest", "--json",
                  home=home)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["to"]["name"] == "Kaivokatu 1" and 0.8 < result["to"]["confidence"] < 1
    assert "'Kaivokadu 1' is not on this map; taking the closest, Kaivokatu 1" in done.stderr
    exact = json.loads(volant("route", "Bulevardi", "Kaivokatu 1", "--json",
                              home=home).stdout)
    assert exact["to"]["confidence"] == 1.0


def test_maps_import_and_broken_file(home: Path, shared_maps: Path, tmp_path: Path) -> None:
    done = volant("maps", "import", str(shared_maps / "paris_bss.osm.pbf"), home=home)
    assert done.returncode == 0, done.stderr
    assert "nodes" in done.stdout and list((home / "cache" / "volant" / "maps").glob("paris*"))
    assert re.search(r"\d+ places, \d+ banned turns, right-hand traffic;", done.stdout)
    helsinki = volant("maps", "import", str(default_map_file()), home=home)
    banned = int(re.search(r"(\d+) banned turns", helsinki.stdout)[1])
    assert banned == len(load_map(None, home / "cache" / "volant").turn_bans) > 0
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    done = volant("maps", "import", str(empty), home=home)
    assert done.returncode == 1 and "the map file is empty" in done.stderr


@pytest.fixture()
def overpass_from(monkeypatch, tmp_path: Path):
    """No network here: osmnx's place downloads read the same data from a real extract (the
    osmnx calls that parse it are the real ones), or fail as a lookup would."""
    import gzip

    import osmnx as ox

    def use(extract: Path | None) -> None:
        if extract is None:
            def lost(place, **_):
                raise ox._errors.InsufficientResponseError(f"Nominatim found no {place!r}")
            monkeypatch.setattr(ox, "graph_from_place", lost)
            return
        xml = tmp_path / "overpass.osm"
        xml.write_bytes(gzip.decompress(extract.read_bytes()))
        monkeypatch.setattr(ox, "graph_from_place", lambda place, **kw: ox.graph_from_xml(
            xml, simplify=kw["simplify"], retain_all=kw["retain_all"]))
        monkeypatch.setattr(ox, "features_from_place",
                            lambda place, tags, **_: ox.features_from_xml(xml, tags=tags))

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return use


def directed_roads(roadmap) -> set[tuple[float, ...]]:
    m = roadmap
    return {(round(float(m.node_lat[u]), 6), round(float(m.node_lon[u]), 6),
             round(float(m.node_lat[v]), 6), round(float(m.node_lon[v]), 6))
            for u, v in zip(m.edge_u, m.edge_v, strict=True)}


def test_maps_import_place_gives_a_map_file_to_route_on(overpass_from, shared_maps: Path,
                                                        tmp_path: Path, capsys) -> None:
    from app.cli import main

    overpass_from(shared_maps / "monaco.osm.gz")
    assert main(["maps", "import", "--place", "Monaco, Monaco"]) == 0
    saved = tmp_path / "data" / "volant" / "maps" / "Monaco_Monaco.osm.gz"
    said = capsys.readouterr().out
    assert f"saved as {saved}" in said
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]  # no part left behind
    assert "places, 0 banned turns, right-hand traffic" in said  # osmnx fetches no relations
    downloaded = load_map(saved, tmp_path / "cache")
    extract = load_map(shared_maps / "monaco.osm.gz", tmp_path / "cache")
    # The same roads, each one-way street driven the same way (oneway=-1 ones included).
    assert directed_roads(downloaded) == directed_roads(extract)
    kinds = {p.category for p in downloaded.places}
    assert {"street", "address", "bus_stop", "hotel"} <= kinds
    assert main(["route", "Monte-Carlo", "Boulevard Albert 1er", "--map", str(saved),
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["distance_m"] > 100
    steps: list[tuple[float, str]] = []
    download_place("Monaco", tmp_path / "again.osm.gz", lambda f, t, *v: steps.append((f, t)))
    assert steps == [(0.0, "Downloading the roads of %1"), (0.5, "Downloading the places of %1"),
                     (1.0, "Downloaded %1")]


def test_maps_import_of_a_place_that_is_not_there(overpass_from, capsys,
                                                  tmp_path: Path) -> None:
    from app.cli import main

    overpass_from(None)
    assert main(["maps", "import", "--place", "Atlantis"]) == 1
    assert "could not download 'Atlantis' (Nominatim found no 'Atlantis')" in \
        capsys.readouterr().err
    assert not list((tmp_path / "data").rglob("*.osm*"))
