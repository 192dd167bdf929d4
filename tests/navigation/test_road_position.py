"""Routes from where the vehicle is on the road, the way it faces, on real extracts."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components, dijkstra

from navigation.geocode import Location, distance_m
from navigation.guidance import Guidance
from navigation.road_position import RoadIndex, RoadPosition, points_from
from navigation.roadmap import RoadMap
from navigation.router import TURN_PENALTY_S, U_TURN_PENALTY_S, Router, u_turns


def opposite(roadmap: RoadMap, edge: int) -> int | None:
    onward = roadmap.edges_from(int(roadmap.edge_v[edge]))
    back = onward[u_turns(roadmap, np.full(len(onward), edge), onward)]
    return int(back[0]) if len(back) else None


def beside(roadmap: RoadMap, edge: int, along: float, metres: float) -> tuple[float, float]:
    """A point `metres` to the right of the edge, `along` metres from its start."""
    (lat, lon), (lat2, lon2) = points_from(roadmap, edge, along)[:2]
    heading = math.atan2((lon2 - lon) * math.cos(math.radians(lat)), lat2 - lat)
    right = heading + math.pi / 2
    return (lat + metres * math.cos(right) / 110_540.0,
            lon + metres * math.sin(right) / (111_320.0 * math.cos(math.radians(lat))))


def bearing(roadmap: RoadMap, edge: int, along: float) -> float:
    (lat, lon), (lat2, lon2) = points_from(roadmap, edge, along)[:2]
    return math.degrees(math.atan2((lon2 - lon) * math.cos(math.radians(lat)), lat2 - lat)) % 360


def two_way_edges(roadmap: RoadMap, longer_than: float) -> list[int]:
    return [e for e in range(roadmap.edge_count)
            if roadmap.edge_length[e] > longer_than and opposite(roadmap, e) is not None]


def distances_to_every_edge(roadmap: RoadMap, lat: float, lon: float) -> np.ndarray:
    """Brute force: the distance from the point to each edge's polyline, in metres."""
    p = roadmap.project(lat, lon)[0]
    xy = roadmap.project(roadmap.geom_lat, roadmap.geom_lon)
    a, b = xy[:-1], xy[1:]
    d = b - a
    t = np.clip(((p - a) * d).sum(1) / np.maximum((d * d).sum(1), 1e-12), 0, 1)
    off = np.hypot(*(a + d * t[:, None] - p).T)
    segment_edge = np.searchsorted(roadmap.geom_offsets, np.arange(len(a)), side="right") - 1
    inside = np.arange(len(a)) + 1 < roadmap.geom_offsets[segment_edge + 1]
    best = np.full(roadmap.edge_count, np.inf)
    np.minimum.at(best, segment_edge[inside], off[inside])
    return best


def test_a_fix_lands_on_the_nearest_road(helsinki) -> None:
    index = RoadIndex(helsinki)
    south, west, north, east = helsinki.bounds()
    rng = random.Random(5)
    for _ in range(300):
        lat, lon = rng.uniform(south, north), rng.uniform(west, east)
        on = index.locate(lat, lon)
        near = distances_to_every_edge(helsinki, lat, lon)
        assert on.off_m == pytest.approx(near.min(), abs=0.01)
        assert near[on.edge] == pytest.approx(near.min(), abs=0.01)


def test_each_two_way_road_is_sampled_once(helsinki) -> None:
    """The carriageways of a two-way road are one line: one is sampled, each brings the
    other along (the test above checks that no road is then missed)."""
    index = RoadIndex(helsinki)
    twin = index._twin
    paired = np.flatnonzero(twin >= 0)
    assert len(paired) > len(twin) / 2  # most of central Helsinki is two-way
    assert (twin[twin[paired]] == paired).all()
    assert np.allclose(index._a[paired], index._b[twin[paired]])
    sampled = np.zeros(len(twin), bool)
    sampled[index._sample_segment] = True
    assert (sampled[paired] != sampled[twin[paired]]).all()
    assert sampled[twin < 0].all()


def test_a_fix_beside_a_street_lands_on_the_carriageway_it_faces(helsinki) -> None:
    index = RoadIndex(helsinki)
    tried = 0
    for edge in two_way_edges(helsinki, 120.0):
        along = float(helsinki.edge_length[edge]) / 2
        lat, lon = beside(helsinki, edge, along, 6.0)
        near = distances_to_every_edge(helsinki, lat, lon)
        near[[edge, opposite(helsinki, edge)]] = np.inf
        if near.min() < 40.0:
            continue  # another road as near: which one the car is on is the heading's call
        tried += 1
        facing = bearing(helsinki, edge, along)
        on = index.locate(lat, lon, facing)
        assert on.edge == edge, helsinki.edge_street(edge)
        assert on.along_m == pytest.approx(along, abs=3.0)
        assert on.off_m == pytest.approx(6.0, abs=1.0)
        back = index.locate(lat, lon, (facing + 180) % 360)
        assert back.edge == opposite(helsinki, edge)
        assert back.along_m == pytest.approx(helsinki.edge_length[back.edge] - along, abs=3.0)
        assert index.locate(lat, lon).edge in (edge, back.edge)  # no heading: either way
    assert tried >= 10


Place = int | RoadPosition


def ways_on(roadmap: RoadMap, position: RoadPosition) -> dict[int, float]:
    """A point on the road as (edge -> fraction of it before the point), both carriageways."""
    done = position.along_m / roadmap.edge_length[position.edge]
    out = {position.edge: done}
    other = opposite(roadmap, position.edge)
    if other is not None:
        out[other] = 1.0 - done
    return out


def reference(router: Router, origin: Place, destination: Place, facing: bool) -> float:
    """Exact cost by brute force: one Dijkstra per start edge over the router's turn graph."""
    m, graph = router.map, router.turn_graph
    if isinstance(origin, int):
        starts = {int(e): (0.0, 0.0) for e in m.edges_from(origin)}
    else:
        starts = {e: (-done * m.edge_time[e], done) for e, done in ways_on(m, origin).items()}
        for e in starts:
            if e != origin.edge and facing:
                starts[e] = (starts[e][0] + U_TURN_PENALTY_S + TURN_PENALTY_S, starts[e][1])
    ends = ({int(e): 1.0 for e in m.edges_into(destination)} if isinstance(destination, int)
            else ways_on(m, destination))
    best = np.inf
    for start, (offset, done) in starts.items():
        dist = dijkstra(graph, indices=start)
        for end, reach in ends.items():
            to_end = dist[end]
            if end == start and reach < done:  # behind on the same edge: round a loop to it
                into = graph[:, [end]].tocoo()
                to_end = min((dist[y] + w for y, w in zip(into.row, into.data, strict=True)
                              if y != end), default=np.inf)
            best = min(best, offset + to_end + reach * m.edge_time[end])
    return best


def random_place(roadmap: RoadMap, rng: random.Random, near: int | None = None) -> Place:
    if rng.random() < 0.5 and near is None:
        return rng.randrange(roadmap.node_count)
    edge = rng.randrange(roadmap.edge_count) if near is None else near
    return RoadPosition(edge, rng.random() * float(roadmap.edge_length[edge]), 0.0)


@pytest.mark.parametrize("name", ["helsinki", "andorra.osm.pbf"])
def test_routes_between_road_positions_cost_what_dijkstra_says(name, helsinki, extract) -> None:
    roadmap = helsinki if name == "helsinki" else extract(name)
    router = Router(roadmap)
    rng = random.Random(11)
    for i in range(300):
        origin = random_place(roadmap, rng)
        same_edge = i % 5 == 0 and isinstance(origin, RoadPosition)  # ahead or just behind
        destination = random_place(roadmap, rng, origin.edge if same_edge else None)
        if origin == destination:
            continue
        facing = rng.random() < 0.7
        route = router.route(origin, destination, facing)
        assert route.duration_s == pytest.approx(reference(router, origin, destination,
                                                           facing), abs=1e-3)
        if isinstance(origin, RoadPosition):
            first = route.edges[0]
            assert first == origin.edge or (route.turned_round and first in ways_on(roadmap,
                                                                                     origin))
        last = route.edges[-1]
        if isinstance(destination, int):
            assert roadmap.edge_v[last] == destination and route.cut_m == 0
        else:
            assert last in ways_on(roadmap, destination)
        assert route.length_m >= 0 and route.length_m == pytest.approx(
            float(roadmap.edge_length[list(route.edges)].sum()) - route.skip_m - route.cut_m)
        assert all(b in roadmap.edges_from(int(roadmap.edge_v[a]))
                   for a, b in itertools.pairwise(route.edges))


def test_a_destination_just_behind_is_a_u_turn_announced_at_once(helsinki,
                                                                  helsinki_planner) -> None:
    edge = next(e for e in two_way_edges(helsinki, 150.0) if helsinki.edge_street(e))
    lat, lon = beside(helsinki, edge, 40.0, 0.0)
    tail = int(helsinki.edge_u[edge])
    here = Location("current position", lat, lon, "coordinates")
    goal = Location("just behind", float(helsinki.node_lat[tail]),
                    float(helsinki.node_lon[tail]), "coordinates")
    plan = helsinki_planner.plan(here, goal, 0.15, heading=bearing(helsinki, edge, 40.0))
    assert plan.route.turned_round and plan.route.length_m == pytest.approx(40.0, abs=1.0)
    assert distance_m(*plan.points[0], lat, lon) < 1.0
    assert [m.kind for m in plan.maneuvers] == ["depart", "uturn", "arrive"]
    guidance = Guidance(plan.points, plan.maneuvers, plan.route.duration_s, goal.name)
    prompts = guidance.fix(lat, lon, 0.0).prompts
    assert [p.text for p in prompts] == [
        f"Now, make a U-turn onto {helsinki.edge_street(edge)}"]


def test_a_route_from_the_road_starts_under_the_vehicle(helsinki, helsinki_planner) -> None:
    edge = next(e for e in two_way_edges(helsinki, 150.0) if helsinki.edge_street(e))
    lat, lon = beside(helsinki, edge, 60.0, 8.0)
    here = Location("current position", lat, lon, "coordinates")
    goal = helsinki_planner.locate("Kaivokatu 1", (lat, lon))
    facing = bearing(helsinki, edge, 60.0)
    plan = helsinki_planner.plan(here, goal, 0.15, heading=facing)
    assert distance_m(*plan.points[0], lat, lon) == pytest.approx(8.0, abs=1.0)
    if not plan.route.turned_round:  # sets off the way the vehicle faces
        assert plan.route.edges[0] == edge and plan.route.skip_m == pytest.approx(60.0, abs=3.0)
    along = sum(distance_m(*a, *b) for a, b in zip(plan.points, plan.points[1:], strict=False))
    assert along == pytest.approx(plan.route.length_m, rel=0.01)
    turn = next(m for m in plan.maneuvers if m.kind not in ("depart", "uturn"))
    lengths = helsinki.edge_length[list(plan.route.edges)]
    assert np.abs(np.cumsum(lengths) - plan.route.skip_m - turn.at_m).min() < 0.1


def test_a_route_ends_beside_the_destination_and_says_which_side(helsinki,
                                                                   helsinki_planner) -> None:
    edge = next(e for e in two_way_edges(helsinki, 150.0) if helsinki.edge_street(e))
    lat, lon = beside(helsinki, edge, 70.0, 12.0)  # 12 m right of the edge, 70 m along it
    goal = Location("the shop", lat, lon, "coordinates")
    start = helsinki_planner.locate("Kaivokatu 1", None)
    plan = helsinki_planner.plan(start, goal, 0.15)
    road = helsinki_planner.roads.locate(lat, lon)
    assert distance_m(*plan.points[-1], lat, lon) == pytest.approx(road.off_m, abs=1.0)
    arrive = plan.maneuvers[-1]
    assert arrive.kind == "arrive" and arrive.at_m == pytest.approx(plan.route.length_m, abs=0.5)
    assert (arrive.lat, arrive.lon) == pytest.approx(plan.points[-1], abs=1e-6)
    along_it = plan.route.edges[-1] == edge  # else on the opposite carriageway
    assert arrive.side == ("right" if along_it else "left")
    said = arrive.instruction("en", "the shop")
    assert said == f"You have arrived at the shop, on the {arrive.side}"


def test_a_road_restrictions_leave_no_way_onto_still_gets_a_route(helsinki,
                                                                 helsinki_planner) -> None:
    """Where a clipped map's turn restrictions leave a road unreachable, the route goes to
    the nearest junction instead of failing."""
    graph = helsinki_planner.router.turn_graph
    _, label = connected_components(graph, directed=True, connection="strong")
    stranded = np.flatnonzero(label != np.argmax(np.bincount(label)))
    assert len(stranded)  # central Helsinki has a few such roads
    for edge in stranded.tolist():
        lat, lon = beside(helsinki, edge, float(helsinki.edge_length[edge]) / 2, 0.0)
        goal = Location("stranded", lat, lon, "coordinates")
        start = helsinki_planner.locate("Kaivokatu 1", None)
        plan = helsinki_planner.plan(start, goal, 0.15)
        assert plan.route.edges and plan.route.cut_m == 0


def test_an_address_is_reached_from_its_own_street(helsinki, helsinki_planner) -> None:
    goal = helsinki_planner.locate("Bulevardi 10", None)
    assert goal.kind == "address" and goal.street == "Bulevardi"
    nearest = helsinki_planner.roads.locate(goal.lat, goal.lon)
    assert helsinki.edge_street(nearest.edge) != "Bulevardi"  # a lane behind it is nearer
    plan = helsinki_planner.plan(helsinki_planner.locate("Kaivokatu 1", None), goal, 0.15)
    assert helsinki.edge_street(plan.route.edges[-1]) == "Bulevardi"
    assert plan.maneuvers[-1].street == "Bulevardi"
