"""What OSM says about junctions: turn restrictions and traffic signals, read with the map and
applied by the router, on a made crossroads and on real extracts."""

from __future__ import annotations

import dataclasses
import itertools
import random
from pathlib import Path

import numpy as np
import pytest

from navigation.map_build import SIGNAL_PENALTY_S, build_graph, build_map, compile_graph
from navigation.osm_extract import TurnRestriction, at_way_ends
from navigation.roadmap import RoadMap, default_map_file, load_map
from navigation.router import Router

# A crossroads of four 200 m arms, each its own two-way way ending at the centre (node 1).
ARMS = {"north": (2, 60.0018, 24.0), "south": (3, 59.9982, 24.0),
        "east": (4, 60.0, 24.0036), "west": (5, 60.0, 23.9964)}
WAY = {"north": 10, "south": 11, "east": 12, "west": 13}


def relation(rid: int, tags: dict[str, str], members: list[tuple[str, int, str]]) -> str:
    body = "".join(f'<member type="{t}" ref="{ref}" role="{role}"/>' for t, ref, role in members)
    body += "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return f'<relation id="{rid}" version="1">{body}</relation>'


SIGNALS = ('<tag k="highway" v="traffic_signals"/><tag k="traffic_signals:direction" v="both"/>',
           '<tag k="highway" v="traffic_signals"/><tag k="traffic_signals:direction" v="forward"/>')


def crossroads(tmp_path: Path, driving_side: str = "") -> Path:
    """Signals at the centre, and halfway down the south arm for southbound traffic only; a
    boundary tagged with the `driving_side`, if one is given."""
    nodes = [f'<node id="1" version="1" lat="60.0" lon="24.0">{SIGNALS[0]}</node>',
             f'<node id="6" version="1" lat="59.9991" lon="24.0">{SIGNALS[1]}</node>'] + [
        f'<node id="{n}" version="1" lat="{lat}" lon="{lon}"/>' for n, lat, lon in ARMS.values()]
    middle = {"south": '<nd ref="6"/>'}
    ways = [f'<way id="{WAY[arm]}" version="1"><nd ref="1"/>{middle.get(arm, "")}'
            f'<nd ref="{n}"/><tag k="highway" v="residential"/><tag k="maxspeed" v="50"/>'
            f'<tag k="name" v="{arm.title()} Street"/></way>'
            for arm, (n, _, _) in ARMS.items()]
    turn = {"type": "restriction"}
    relations = [
        relation(20, {**turn, "restriction": "no_left_turn"},  # northbound, left = west
                 [("way", WAY["south"], "from"), ("node", 1, "via"), ("way", WAY["west"], "to")]),
        relation(21, {**turn, "restriction": "only_straight_on"},  # westbound
                 [("way", WAY["east"], "from"), ("node", 1, "via"), ("way", WAY["west"], "to")]),
        relation(22, {**turn, "restriction": "no_right_turn", "except": "motorcar"},
                 [("way", WAY["north"], "from"), ("node", 1, "via"), ("way", WAY["west"], "to")]),
        relation(23, {**turn, "restriction:bus": "no_left_turn"},  # eastbound, left = north
                 [("way", WAY["west"], "from"), ("node", 1, "via"), ("way", WAY["north"], "to")]),
        relation(24, {**turn, "restriction": "no_u_turn"},  # via a way: not applied
                 [("way", WAY["south"], "from"), ("way", WAY["north"], "via"),
                  ("way", WAY["south"], "to")]),
        relation(25, {**turn, "restriction": "no_left_turn"}, []),  # no members at all
        relation(26, {**turn, "restriction": "no_left_turn",  # a way that is not drivable
                      }, [("way", 99, "from"), ("node", 1, "via"), ("way", WAY["west"], "to")]),
        relation(27, {**turn, "restriction:conditional": "no_left_turn @ (Mo-Fr 07:00-09:00)"},
                 [("way", WAY["north"], "from"), ("node", 1, "via"), ("way", WAY["east"], "to")]),
    ]
    if driving_side:
        relations.append(relation(30, {"type": "boundary", "admin_level": "2",
                                       "driving_side": driving_side},
                                  [("way", WAY["north"], "outer")]))
    path = tmp_path / "crossroads.osm"
    path.write_text("<?xml version='1.0' encoding='UTF-8'?>\n<osm version='0.6'>"
                    + "".join(nodes + ways + relations) + "</osm>", encoding="utf-8")
    return path


def edge(roadmap: RoadMap, start: str, end: str) -> int:
    """The edge from one arm's end (or "centre") to another's."""
    def node(name: str) -> int:
        lat, lon = (60.0, 24.0) if name == "centre" else ARMS[name][1:]
        return roadmap.nearest_node(lat, lon)[0]

    a, b = node(start), node(end)
    return int(np.flatnonzero((roadmap.edge_u == a) & (roadmap.edge_v == b))[0])


def banned(roadmap: RoadMap) -> set[tuple[int, int]]:
    return {(int(a), int(b)) for a, b in roadmap.turn_bans}


@pytest.mark.parametrize("profile", ["car", "bus"])
def test_restrictions_of_the_profile_ban_their_turns(tmp_path: Path, profile: str) -> None:
    roadmap = build_map(crossroads(tmp_path), profile)
    into = {arm: edge(roadmap, arm, "centre") for arm in ARMS}
    out = {arm: edge(roadmap, "centre", arm) for arm in ARMS}
    expected = {(into["south"], out["west"])}  # no_left_turn
    expected |= {(into["east"], out[arm]) for arm in ("north", "south", "east")}  # only straight
    if profile == "bus":  # except=motorcar binds buses; restriction:bus binds only them
        expected |= {(into["north"], out["west"]), (into["west"], out["north"])}
    assert banned(roadmap) == expected


def test_a_banned_left_turn_is_driven_around(tmp_path: Path) -> None:
    roadmap = build_map(crossroads(tmp_path), "car")
    south_end, west_end = (roadmap.nearest_node(*ARMS[arm][1:])[0] for arm in ("south", "west"))
    route = Router(roadmap).route(south_end, west_end)
    assert (edge(roadmap, "south", "centre"), edge(roadmap, "centre", "west")) not in set(
        itertools.pairwise(route.edges))
    assert route.length_m > 700  # on to a dead end, round and back, not 400 m straight across
    free = dataclasses.replace(roadmap, turn_bans=np.zeros((0, 2), dtype=np.int32))
    assert Router(free).route(south_end, west_end).length_m == pytest.approx(400, abs=5)


def test_traffic_signals_add_their_wait_where_they_face_the_driver(tmp_path: Path) -> None:
    roadmap = build_map(crossroads(tmp_path), "car")
    driving = roadmap.edge_length / (50 / 3.6)  # maxspeed 50
    waits = {(start, end): (roadmap.edge_time[edge(roadmap, start, end)]
                            - driving[edge(roadmap, start, end)]) / SIGNAL_PENALTY_S
             for arm in ARMS for start, end in ((arm, "centre"), ("centre", arm))}
    expected = {(arm, "centre"): 1 for arm in ARMS}  # the centre's signals face every approach
    expected |= {("centre", arm): 0 for arm in ARMS}
    expected["centre", "south"] = 1  # the south arm's own, for southbound traffic
    assert waits == pytest.approx(expected, abs=1e-6)


def turn_extra(router: Router, start: str, end: str) -> float:
    """Seconds a turn at the centre adds to the road before it, from one arm onto another."""
    m = router.map
    into, out = edge(m, start, "centre"), edge(m, "centre", end)
    return float(router.turn_graph[into, out] - m.edge_time[into])


@pytest.mark.parametrize("side", ["right", "left"])
def test_turning_across_the_oncoming_lane_costs_more(tmp_path: Path, side: str) -> None:
    roadmap = build_map(crossroads(tmp_path, "left" if side == "left" else ""), "car")
    assert roadmap.left_hand_traffic == (side == "left")
    roadmap.save(tmp_path / "map.npz")
    assert RoadMap.load(tmp_path / "map.npz").left_hand_traffic == roadmap.left_hand_traffic
    router = Router(roadmap)
    right, left = turn_extra(router, "north", "west"), turn_extra(router, "north", "east")
    across, kerb = (left, right) if side == "right" else (right, left)
    assert across == pytest.approx(5.39, abs=0.02) and kerb == pytest.approx(2.11, abs=0.02)


def test_driving_side_setting_overrides_a_file_without_its_boundary(tmp_path: Path) -> None:
    """A city extract is often cut without the country boundary that says driving_side=left:
    the setting puts the costly turn on the right; the cache keeps what the file says."""
    source, cache = crossroads(tmp_path, ""), tmp_path / "cache"
    for side, left_hand in (("left", True), ("right", False), ("auto", False), ("left", True)):
        roadmap = load_map(source, cache, "car", driving_side=side)
        assert roadmap.left_hand_traffic is left_hand
        router = Router(roadmap)
        right, left = turn_extra(router, "north", "west"), turn_extra(router, "north", "east")
        assert (right > left) is left_hand
    (cached,) = (cache / "maps").glob("*.npz")
    assert RoadMap.load(cached).left_hand_traffic is False


def test_unknown_driving_side_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="driving side must be one of auto, left, right, "
                                         "got 'middle'"):
        load_map(crossroads(tmp_path, ""), tmp_path / "cache", "car", driving_side="middle")


def test_only_restrictions_whose_ways_end_at_the_junction_are_kept() -> None:
    ways = {1: [10, 11, 12], 2: [12, 13], 3: [14, 12]}
    ending = TurnRestriction((1,), 12, (2,), only=False)
    through = TurnRestriction((1,), 11, (2,), only=False)  # way 1 runs on past node 11
    undrivable = TurnRestriction((9,), 12, (3,), only=True)
    assert at_way_ends([ending, through, undrivable], ways) == [ending]


def test_real_restrictions_are_never_driven(helsinki) -> None:
    bans = banned(helsinki)
    assert len(bans) >= 20  # central Helsinki maps dozens of them
    router = Router(helsinki)
    free = Router(dataclasses.replace(helsinki, turn_bans=np.zeros((0, 2), dtype=np.int32)))
    rng = random.Random(9)
    for _ in range(1000):
        a, b = rng.randrange(helsinki.node_count), rng.randrange(helsinki.node_count)
        assert not bans & set(itertools.pairwise(router.route(a, b).edges))
    detours = 0
    for e, f in bans:  # the banned turn itself, asked for: driven around, never taken
        a, b = int(helsinki.edge_u[e]), int(helsinki.edge_v[f])
        if a == b:
            continue
        taken, direct = router.route(a, b), free.route(a, b)
        assert (e, f) not in set(itertools.pairwise(taken.edges))
        assert taken.duration_s >= direct.duration_s - 1e-6
        detours += (e, f) in set(itertools.pairwise(direct.edges))
    assert detours >= 5  # without the restrictions those routes would take the banned turn


def test_real_signals_lengthen_the_roads_through_them() -> None:
    graph, places = build_graph(default_map_file())
    roadmap = compile_graph(graph, places)
    driving = np.maximum([t for _, _, t in graph.edges(data="travel_time")], 0.01)
    waits = (roadmap.edge_time - driving) / SIGNAL_PENALTY_S
    assert np.allclose(waits, np.round(waits)) and waits.min() == 0
    assert (waits > 0).sum() > 100  # central Helsinki has over a hundred signalled approaches
