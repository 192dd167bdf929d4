"""Fastest routes by travel time with turn costs, on a customizable contraction hierarchy.

Turn costs need the edge-expanded graph: its vertices are road edges and its arcs are the
turns between them. An arc e -> f costs e's travel time plus the turn penalty, so the cost of
reaching the *start* of f is known; a query starts from every edge leaving the origin (at cost 0)
and ends at the cheapest edge entering the destination, adding that edge's own time. From a
point on an edge (a moving vehicle) it starts from that edge, less the part already driven, and
from the opposite carriageway with the cost of turning round.
The penalty is OSRM's car profile's: where more than two roads meet (or for a U-turn), a sigmoid
of the turn angle biased for the side of the road traffic keeps to (right-hand: about 0 s straight
on, 2.1 s for a right turn and 5.4 s for a left one at 90°, 7.5 s at 180°; mirrored where the map
says driving_side=left), plus 20 s for a U-turn; a bend where one road meets the next costs
nothing. A turn an OSM restriction forbids (no_left_turn, only_straight_on, ...) is no arc at
all (`RoadMap.turn_bans`).

Queries run on a perfectly customized contraction hierarchy (`navigation.hierarchy`) over that
graph, in the nested-dissection order the map computed when it was built (`RoadMap.turn_order`).
Its query takes exactly the sources and targets above, so no virtual vertices are needed, and
prunes with the straight line to the other end at the map's top speed. It sums integer weights,
so costs are kept in ticks of 10 µs; the returned duration is the float sum along the route.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from navigation.hierarchy import Hierarchy, Search, Terminals
from navigation.road_position import RoadPosition
from navigation.roadmap import RoadMap

TURN_PENALTY_S = 7.5
TURN_BIAS = 1.075  # for right-hand traffic; a map that says driving_side=left inverts it
U_TURN_PENALTY_S = 20.0
U_TURN_DEGREES = 170.0
TICKS_PER_S = 100_000
EARTH_RADIUS_M = 6_371_000.0


class NoRoute(ValueError):
    """The destination cannot be reached from the origin on this map."""


@dataclass(frozen=True)
class Route:
    edges: tuple[int, ...]
    duration_s: float  # travel time plus turn penalties
    length_m: float
    skip_m: float = 0.0  # of the first edge, behind the start
    turned_round: bool = False  # starts by turning round to the opposite carriageway
    cut_m: float = 0.0  # of the last edge, beyond the destination


@dataclass(frozen=True)
class End:
    """How a route can end on an edge: the seconds from entering it to the destination, the
    metres of it left beyond, and an edge still to take after it (or -1)."""

    exit_s: float
    cut_m: float
    then: int = -1


def turn_angles(roadmap: RoadMap, incoming: np.ndarray, outgoing: np.ndarray) -> np.ndarray:
    """Signed heading change in degrees (-180..180, positive = right) from edge to edge."""
    diff = roadmap.edge_bearing_in[outgoing] - roadmap.edge_bearing_out[incoming]
    return (diff + 180.0) % 360.0 - 180.0


def turn_penalty(angles: np.ndarray, left_hand: bool = False) -> np.ndarray:
    """Seconds for a turn by `angles` (positive = right): crossing the oncoming lane (to the
    left in right-hand traffic, to the right in left-hand) takes longer, by OSRM's bias."""
    bias = 1.0 / TURN_BIAS if left_hand else TURN_BIAS
    right = angles >= 0
    steep = np.where(right, 13.0 / bias, 13.0 * bias)
    shift = np.where(right, 6.5 * bias, 6.5 / bias)
    return TURN_PENALTY_S / (1.0 + np.exp(-(steep * np.abs(angles) / 180.0 - shift)))


def junctions(roadmap: RoadMap) -> np.ndarray:
    """Per node: whether more than two roads meet there (a bend between two is no turn)."""
    u, v = roadmap.edge_u.astype(np.int64), roadmap.edge_v.astype(np.int64)
    roads = np.unique(np.minimum(u, v) * roadmap.node_count + np.maximum(u, v))
    ends = np.concatenate([roads // roadmap.node_count, roads % roadmap.node_count])
    return np.bincount(ends, minlength=roadmap.node_count) > 2


def u_turns(roadmap: RoadMap, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Which turns go back to where the edge came from."""
    back = roadmap.edge_v[dst] == roadmap.edge_u[src]
    return back & (np.abs(turn_angles(roadmap, src, dst)) >= U_TURN_DEGREES)


def ticks(seconds: np.ndarray) -> np.ndarray:
    return np.rint(np.asarray(seconds) * TICKS_PER_S).astype(np.int64)


def node_positions(roadmap: RoadMap) -> np.ndarray:
    """(node, 3) metres on a sphere: the chord between two is never longer than a road."""
    lat, lon = np.radians(roadmap.node_lat), np.radians(roadmap.node_lon)
    return EARTH_RADIUS_M * np.column_stack(
        [np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def ticks_per_m(roadmap: RoadMap) -> float:
    """No route is cheaper per metre of straight line than the fastest road (a margin for
    the ticks' rounding); 0 where a road takes no time at all."""
    timed = roadmap.edge_time > 0
    if not timed.all() or not timed.any():
        return 0.0
    return 0.99 * TICKS_PER_S / float(np.max(roadmap.edge_length / roadmap.edge_time))


class Router:
    """Built once per map (the hierarchy takes ~0.01 s on a country extract, 20 s on the 100k
    grid); queries reuse it, from any number of threads."""

    def __init__(self, roadmap: RoadMap, turn_costs: bool = True) -> None:
        """`turn_costs=False`: the plain road graph as networkx sees it, with neither turn
        penalties nor turn restrictions."""
        self.map = roadmap
        self.turn_costs = turn_costs
        m = roadmap
        tails, heads = m.turns(restricted=turn_costs)
        self._heads = heads
        self._cost = self._turn_cost(tails, heads)
        self.turn_graph = csr_matrix((self._cost, (tails, heads)),
                                     shape=(m.edge_count, m.edge_count))
        self._positions = node_positions(m)
        self._hierarchy = Hierarchy.build(m.turn_order, tails, heads, ticks(self._cost),
                                          self._positions[m.edge_u], ticks_per_m(m))
        every, onto = m.turns(restricted=False)  # a no_u_turn sign does not make it one-way
        back = u_turns(m, every, onto)
        self._opposite = np.full(m.edge_count, -1)  # the other carriageway of a two-way road
        self._opposite[every[back]] = onto[back]
        self._local = threading.local()  # a Search is one thread's state

    def _turn_cost(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        m = self.map
        cost = m.edge_time[src].copy()
        if self.turn_costs:
            back = u_turns(m, src, dst)
            turning = back | junctions(m)[m.edge_v[src]]
            cost[turning] += turn_penalty(turn_angles(m, src[turning], dst[turning]),
                                          m.left_hand_traffic)
            cost[back] += U_TURN_PENALTY_S
        return cost

    def _query(self) -> Search:
        query = getattr(self._local, "query", None)
        if query is None:
            query = self._local.query = Search(self._hierarchy)
        return query

    def route(self, origin: int | RoadPosition, destination: int | RoadPosition,
              facing: bool = False) -> Route:
        """Fastest route between nodes or points on the road; raises NoRoute when there is
        none. From a point it goes on along the edge, or turns round onto the opposite
        carriageway, which costs a U-turn when the edge is the way the vehicle faces
        (`facing`) and nothing when its direction is unknown."""
        if isinstance(origin, int) and origin == destination:
            return Route((), 0.0, 0.0)
        starts = self._starts(origin, facing)
        ends = self._ends(destination, starts)
        path, duration = self._search(origin, starts, destination, ends)
        m, end = self.map, ends[path[-1]]
        edges = (*path, end.then) if end.then >= 0 else tuple(path)
        skip = starts[path[0]][1]
        length = float(m.edge_length[list(edges)].sum()) - skip - end.cut_m
        turned = isinstance(origin, RoadPosition) and path[0] != origin.edge
        return Route(edges, duration, length, skip, turned, end.cut_m)

    def _starts(self, origin: int | RoadPosition, facing: bool) -> dict[int, tuple[float, float]]:
        """Edge -> (seconds counted on entering it, negative for a part already driven;
        metres of it behind the start)."""
        m = self.map
        if isinstance(origin, int):
            return dict.fromkeys(m.edges_from(origin).tolist(), (0.0, 0.0))
        edge = origin.edge
        done = self._done(edge, origin.along_m)
        starts = {edge: (-done * float(m.edge_time[edge]), origin.along_m)}
        other = int(self._opposite[edge])
        if other >= 0:
            turn_round = U_TURN_PENALTY_S + TURN_PENALTY_S if facing and self.turn_costs else 0.0
            starts[other] = (turn_round - (1.0 - done) * float(m.edge_time[other]),
                             (1.0 - done) * float(m.edge_length[other]))
        return starts

    def _ends(self, destination: int | RoadPosition,
              starts: dict[int, tuple[float, float]]) -> dict[int, End]:
        m = self.map
        if isinstance(destination, int):
            return {f: End(float(m.edge_time[f]), 0.0) for f in m.edges_into(destination).tolist()}
        edge = destination.edge
        done = self._done(edge, destination.along_m)
        ends = {edge: (done, float(m.edge_length[edge]) - destination.along_m)}
        other = int(self._opposite[edge])
        if other >= 0:
            ends[other] = (1.0 - done, done * float(m.edge_length[other]))
        out: dict[int, End] = {}
        for x, (reach, cut) in ends.items():
            exit_s = reach * float(m.edge_time[x])
            behind = x in starts and starts[x][1] > float(m.edge_length[x]) - cut
            if not behind:
                out[x] = End(exit_s, cut)
                continue
            # Just behind the start on its own edge: round some loop and onto the edge again.
            into = self.turn_graph[:, [x]].tocoo()
            for y, turn_s in zip(into.row.tolist(), into.data.tolist(), strict=True):
                if y != x and (y not in out or out[y].exit_s > turn_s + exit_s):
                    out[y] = End(turn_s + exit_s, cut, x)
        return out

    def _done(self, edge: int, along_m: float) -> float:
        length = float(self.map.edge_length[edge])
        return min(1.0, along_m / length) if length > 0 else 1.0

    def _search(self, origin: int | RoadPosition, starts: dict[int, tuple[float, float]],
                destination: int | RoadPosition,
                ends: dict[int, End]) -> tuple[list[int], float]:
        """The cheapest path from a start edge to an end edge, and its seconds."""
        if not starts or not ends:
            raise NoRoute("the destination cannot be reached from here")
        shift = max(0.0, -min(offset for offset, _ in starts.values()))  # none below zero
        found = self._query().run(
            self._terminals(origin, list(starts), [offset + shift for offset, _ in
                                                   starts.values()]),
            self._terminals(destination, list(ends), [end.exit_s for end in ends.values()]))
        if found is None:
            raise NoRoute("the destination cannot be reached from here")
        _, source, arcs = found
        path = [source, *self._heads[arcs].tolist()]
        return path, starts[source][0] + float(self._cost[arcs].sum()) + ends[path[-1]].exit_s

    def _terminals(self, end: int | RoadPosition, edges: list[int],
                   seconds: list[float]) -> Terminals:
        """Edges with their ticks, measured from the node or from the start of the edge."""
        node = end if isinstance(end, int) else int(self.map.edge_u[end.edge])
        return Terminals(np.array(edges),  # a few each: quicker in Python than in numpy
                         np.array([round(t * TICKS_PER_S) for t in seconds], np.int64),
                         self._positions[node])
