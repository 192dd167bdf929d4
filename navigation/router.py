"""Fastest routes by travel time with turn costs, on a customizable contraction hierarchy.

Turn costs need the edge-expanded graph: its vertices are road edges and its arcs are the
turns between them. An arc e -> f costs e's travel time plus the turn penalty, so the cost of
reaching the *start* of f is known; a query starts from every edge leaving the origin (at cost 0)
and ends at the cheapest edge entering the destination, adding that edge's own time. From a
point on an edge (a moving vehicle) it starts from that edge, less the part already driven, and
from the opposite carriageway with the cost of turning round.
The penalty is OSRM's car profile's: where more than two roads meet (or for a U-turn), a sigmoid
of the turn angle biased for right-hand traffic (about 0 s straight on, 2.1 s for a right turn and
5.4 s for a left one at 90°, 7.5 s at 180°), plus 20 s for a U-turn; a bend where one road meets
the next costs nothing. A turn an OSM restriction
forbids (no_left_turn, only_straight_on, ...) is no arc at all (`RoadMap.turn_bans`).

Queries run on RoutingKit's CCH (routingkit-cch) over that graph, in the nested-dissection
order the map computed when it was built (`RoadMap.turn_order`). Its multi-source/multi-target
query takes exactly the sources and targets above, so no virtual vertices are needed. It sums
integer weights, so costs are kept in ticks of 10 µs; the returned duration is the float sum
along the route found. A route the 31-bit weights cannot hold (over ~6 h) or no route at all
falls back to scipy's exact Dijkstra.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np
import routingkit_cch as rk
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from navigation.road_position import RoadPosition
from navigation.roadmap import RoadMap

TURN_PENALTY_S = 7.5
TURN_BIAS = 1.075  # right-hand traffic, as everywhere the shipped and test maps are
U_TURN_PENALTY_S = 20.0
U_TURN_DEGREES = 170.0
TICKS_PER_S = 100_000
INF_TICKS = 2**31 - 1  # RoutingKit's inf_weight: an arc this heavy is no arc


class NoRoute(ValueError):
    """The destination cannot be reached from the origin on this map."""


@dataclass(frozen=True)
class Route:
    edges: tuple[int, ...]
    duration_s: float  # travel time plus turn penalties
    length_m: float
    skip_m: float = 0.0  # of the first edge, behind the start
    turned_round: bool = False  # starts by turning round to the opposite carriageway


def turn_angles(roadmap: RoadMap, incoming: np.ndarray, outgoing: np.ndarray) -> np.ndarray:
    """Signed heading change in degrees (-180..180, positive = right) from edge to edge."""
    diff = roadmap.edge_bearing_in[outgoing] - roadmap.edge_bearing_out[incoming]
    return (diff + 180.0) % 360.0 - 180.0


def turn_penalty(angles: np.ndarray) -> np.ndarray:
    """Seconds for a turn by `angles` (positive = right): crossing the oncoming lane to turn
    left takes longer than turning right, by OSRM's bias for right-hand traffic."""
    right = angles >= 0
    steep = np.where(right, 13.0 / TURN_BIAS, 13.0 * TURN_BIAS)
    shift = np.where(right, 6.5 * TURN_BIAS, 6.5 / TURN_BIAS)
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
    return np.minimum(np.rint(seconds * TICKS_PER_S), INF_TICKS).astype(np.int64)


class Router:
    """Built once per map (the hierarchy takes ~0.1 s on a country extract); queries reuse it."""

    def __init__(self, roadmap: RoadMap, turn_costs: bool = True) -> None:
        """`turn_costs=False`: the plain road graph as networkx sees it, with neither turn
        penalties nor turn restrictions."""
        self.map = roadmap
        self.turn_costs = turn_costs
        m = roadmap
        tails, heads = m.turns(restricted=turn_costs)
        self._cost = self._turn_cost(tails, heads)
        self.turn_graph = csr_matrix((self._cost, (tails, heads)),
                                     shape=(m.edge_count, m.edge_count))
        cch = rk.CCH(m.turn_order.tolist(), tails.tolist(), heads.tolist(), False)
        self._metric = rk.CCHMetric(cch, ticks(self._cost).tolist())
        self._exit_ticks = ticks(m.edge_time)
        every, onto = m.turns(restricted=False)  # a no_u_turn sign does not make it one-way
        back = u_turns(m, every, onto)
        self._opposite = np.full(m.edge_count, -1)  # the other carriageway of a two-way road
        self._opposite[every[back]] = onto[back]
        self._local = threading.local()  # a CCHQuery may only be used by its own thread

    def _turn_cost(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        m = self.map
        cost = m.edge_time[src].copy()
        if self.turn_costs:
            back = u_turns(m, src, dst)
            turning = back | junctions(m)[m.edge_v[src]]
            cost[turning] += turn_penalty(turn_angles(m, src[turning], dst[turning]))
            cost[back] += U_TURN_PENALTY_S
        return cost

    def _query(self) -> rk.CCHQuery:
        query = getattr(self._local, "query", None)
        if query is None:
            query = self._local.query = rk.CCHQuery(self._metric)
        return query

    def route(self, origin: int, destination: int) -> Route:
        """Fastest route between two nodes; raises NoRoute when there is none."""
        if origin == destination:
            return Route((), 0.0, 0.0)
        return self._search(dict.fromkeys(self.map.edges_from(origin).tolist(), 0.0),
                            destination)

    def route_from(self, position: RoadPosition, destination: int, facing: bool) -> Route:
        """Fastest route from a point on an edge: on along it, or turned round onto the
        opposite carriageway, which costs a U-turn when the edge is the way the vehicle
        faces (`facing`) and nothing when its direction is unknown."""
        m, edge = self.map, position.edge
        done = min(1.0, position.along_m / m.edge_length[edge]) if m.edge_length[edge] else 1.0
        starts = {edge: -done * float(m.edge_time[edge])}
        other = int(self._opposite[edge])
        if other >= 0:
            turn_round = U_TURN_PENALTY_S + TURN_PENALTY_S if facing and self.turn_costs else 0.0
            starts[other] = turn_round - (1.0 - done) * float(m.edge_time[other])
        route = self._search(starts, destination)
        first = route.edges[0]
        skip = float(position.along_m if first == edge else (1.0 - done) * m.edge_length[first])
        return Route(route.edges, route.duration_s, route.length_m - skip, skip, first != edge)

    def _search(self, starts: dict[int, float], destination: int) -> Route:
        """From any of `starts` (edge -> seconds already counted when entering it, negative
        for a part already driven) to any edge into `destination`."""
        m = self.map
        targets = m.edges_into(destination)
        if not starts or len(targets) == 0:
            raise NoRoute("the destination cannot be reached from here")
        shift = max(0.0, -min(starts.values()))  # the hierarchy takes no negative start
        result = self._query().run_multi(
            [(edge, round((s + shift) * TICKS_PER_S)) for edge, s in starts.items()],
            list(zip(targets.tolist(), self._exit_ticks[targets].tolist(), strict=True)))
        found, path, arcs = result.distance is not None, result.node_path, result.arc_path
        del result  # resets the query for the next run
        if not found:
            return self._dijkstra(starts, targets)
        duration = starts[path[0]] + float(self._cost[arcs].sum() + m.edge_time[path[-1]])
        return Route(tuple(path), duration, float(m.edge_length[path].sum()))

    def _dijkstra(self, starts: dict[int, float], targets: np.ndarray) -> Route:
        """Exact one-to-all search: tells no route from one longer than the ticks can hold.
        Starts with the same offset share one search (a node origin has one offset)."""
        m = self.map
        best: tuple[float, int, np.ndarray] = (math.inf, -1, np.empty(0))
        for offset in set(starts.values()):
            sources = [edge for edge, s in starts.items() if s == offset]
            dist, pred, _ = dijkstra(self.turn_graph, indices=sources, min_only=True,
                                     return_predecessors=True)
            totals = offset + dist[targets] + m.edge_time[targets]
            i = int(np.argmin(totals))
            if totals[i] < best[0]:
                best = (float(totals[i]), int(targets[i]), pred)
        total, edge, pred = best
        if not math.isfinite(total):
            raise NoRoute("the destination cannot be reached from here")
        path = [edge]
        while pred[edge] >= 0:
            edge = int(pred[edge])
            path.append(edge)
        path.reverse()
        return Route(tuple(path), total, float(m.edge_length[path].sum()))
