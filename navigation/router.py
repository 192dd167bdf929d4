"""Fastest routes by travel time with turn costs, on a customizable contraction hierarchy.

Turn costs need the edge-expanded graph: its vertices are road edges and its arcs are the
turns between them. An arc e -> f costs e's travel time plus the turn penalty, so the cost of
reaching the *start* of f is known; a query starts from every edge leaving the origin (at cost 0)
and ends at the cheapest edge entering the destination, adding that edge's own time.
The penalty follows the shape of OSRM's car profile: a sigmoid of the turn angle (about 0 s
straight on, 3.75 s at 90°, 7.5 s at 180°) plus 20 s for a U-turn.

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

from navigation.roadmap import RoadMap

TURN_PENALTY_S = 7.5
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


def turn_angles(roadmap: RoadMap, incoming: np.ndarray, outgoing: np.ndarray) -> np.ndarray:
    """Signed heading change in degrees (-180..180, positive = right) from edge to edge."""
    diff = roadmap.edge_bearing_in[outgoing] - roadmap.edge_bearing_out[incoming]
    return (diff + 180.0) % 360.0 - 180.0


def turn_penalty(angles: np.ndarray) -> np.ndarray:
    return TURN_PENALTY_S / (1.0 + np.exp(-(13.0 * np.abs(angles) / 180.0 - 6.5)))


def ticks(seconds: np.ndarray) -> np.ndarray:
    return np.minimum(np.rint(seconds * TICKS_PER_S), INF_TICKS).astype(np.int64)


class Router:
    """Built once per map (the hierarchy takes ~0.1 s on a country extract); queries reuse it."""

    def __init__(self, roadmap: RoadMap, turn_costs: bool = True) -> None:
        self.map = roadmap
        self.turn_costs = turn_costs
        m = roadmap
        tails, heads = m.turns()
        self._cost = self._turn_cost(tails, heads)
        self.turn_graph = csr_matrix((self._cost, (tails, heads)),
                                     shape=(m.edge_count, m.edge_count))
        cch = rk.CCH(m.turn_order.tolist(), tails.tolist(), heads.tolist(), False)
        self._metric = rk.CCHMetric(cch, ticks(self._cost).tolist())
        self._exit_ticks = ticks(m.edge_time)
        self._local = threading.local()  # a CCHQuery may only be used by its own thread

    def _turn_cost(self, src: np.ndarray, dst: np.ndarray) -> np.ndarray:
        m = self.map
        cost = m.edge_time[src].copy()
        if self.turn_costs:
            angles = turn_angles(m, src, dst)
            cost += turn_penalty(angles)
            u_turn = (m.edge_v[dst] == m.edge_u[src]) & (np.abs(angles) >= U_TURN_DEGREES)
            cost[u_turn] += U_TURN_PENALTY_S
        return cost

    def _query(self) -> rk.CCHQuery:
        query = getattr(self._local, "query", None)
        if query is None:
            query = self._local.query = rk.CCHQuery(self._metric)
        return query

    def route(self, origin: int, destination: int) -> Route:
        """Fastest route between two nodes; raises NoRoute when there is none."""
        m = self.map
        if origin == destination:
            return Route((), 0.0, 0.0)
        sources = m.edges_from(origin)
        targets = m.edges_into(destination)
        if len(sources) == 0 or len(targets) == 0:
            raise NoRoute("the destination cannot be reached from here")
        result = self._query().run_multi(
            [(edge, 0) for edge in sources.tolist()],
            list(zip(targets.tolist(), self._exit_ticks[targets].tolist(), strict=True)))
        found, path, arcs = result.distance is not None, result.node_path, result.arc_path
        del result  # resets the query for the next run
        if not found:
            return self._dijkstra(sources, targets)
        duration = float(self._cost[arcs].sum() + m.edge_time[path[-1]])
        return Route(tuple(path), duration, float(m.edge_length[path].sum()))

    def _dijkstra(self, sources: np.ndarray, targets: np.ndarray) -> Route:
        """Exact one-to-all search: tells no route from one longer than the ticks can hold."""
        m = self.map
        dist, pred, _ = dijkstra(self.turn_graph, indices=sources, min_only=True,
                                 return_predecessors=True)
        totals = dist[targets] + m.edge_time[targets]
        best = int(np.argmin(totals))
        if not math.isfinite(totals[best]):
            raise NoRoute("the destination cannot be reached from here")
        edge = int(targets[best])
        path = [edge]
        while pred[edge] >= 0:
            edge = int(pred[edge])
            path.append(edge)
        path.reverse()
        return Route(tuple(path), float(totals[best]), float(m.edge_length[path].sum()))
