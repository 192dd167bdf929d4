"""Where a vehicle is on the road: the directed edge under a GPS fix, the way it is facing.

A route planned from the nearest junction can start behind the vehicle, or leave that junction
the way the vehicle is not going; on a reroute at speed the driver then hears a route they
cannot take. A route from the road position starts where the vehicle is, on the carriageway
it is driving, and only turns round if that is worth a U-turn.

Road segments are indexed by points at most SAMPLE_M apart along them, so a long straight road
is found from its middle; the candidates near the fix are then projected onto exactly. The two
carriageways of a two-way road share their geometry, so only one of them is sampled and a
candidate brings its twin along (half the points: 1M instead of 2M on the 100k grid).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from navigation.roadmap import RoadMap

SAMPLE_M = 20.0
HEADING_WEIGHT_M = 30.0  # driving against an edge's direction counts as being this much farther
STREET_REACH_M = 60.0


@dataclass(frozen=True)
class RoadPosition:
    edge: int
    along_m: float  # from the edge's start, in the units of RoadMap.edge_length
    off_m: float  # from the fix to the road
    point: int = -1  # the geometry point (RoadMap.geom_*) starting the segment under the fix

    def speed_limit_kmh(self, roadmap: RoadMap) -> float:
        """The posted limit where the vehicle is; 0 = the map does not say."""
        return float(roadmap.geom_limit[self.point]) if self.point >= 0 else 0.0


class RoadIndex:
    """Built once per map (a fraction of a second on a country extract)."""

    def __init__(self, roadmap: RoadMap) -> None:
        self.map = roadmap
        xy = roadmap.project(roadmap.geom_lat, roadmap.geom_lon)
        last = roadmap.geom_offsets[1:] - 1  # an edge's last point starts no segment
        starts = np.setdiff1d(np.arange(len(xy) - 1), last)
        self._start = starts
        self._a, self._b = xy[starts], xy[starts + 1]
        self._edge = np.searchsorted(roadmap.geom_offsets, starts, side="right") - 1
        span = np.hypot(*(self._b - self._a).T)
        # Where each segment starts along its edge, in xy metres, and the scale from those to
        # the edge's own length (osmnx measures on the sphere).
        before = np.cumsum(span) - span
        first = np.minimum(np.searchsorted(starts, roadmap.geom_offsets[:-1]), len(starts) - 1)
        self._before = before - before[first[self._edge]]
        poly = np.bincount(self._edge, weights=span, minlength=roadmap.edge_count)
        self._scale = np.divide(roadmap.edge_length, poly, out=np.ones_like(poly),
                                where=poly > 0)
        self._span = span
        self._twin = _twin_segments(roadmap, xy, starts)
        sampled = np.flatnonzero((self._twin < 0) | (self._twin > np.arange(len(span))))
        pieces = np.maximum(1, np.ceil(span[sampled] / SAMPLE_M)).astype(np.int64)
        self._sample_segment = np.repeat(sampled, pieces)
        within = np.arange(len(self._sample_segment)) - np.repeat(np.cumsum(pieces) - pieces,
                                                                   pieces)
        t = (within + 0.5) / np.repeat(pieces, pieces)
        a, b = self._a[self._sample_segment], self._b[self._sample_segment]
        self._tree = cKDTree(a + (b - a) * t[:, None])
        self._street = {name: i for i, name in enumerate(roadmap.names)}

    def locate(self, lat: float, lon: float, heading: float | None = None,
               street: str = "") -> RoadPosition:
        """The edge under the fix; with a heading (degrees from north), the carriageway
        going that way is preferred over the opposite one and a road crossed at right angles.
        With a `street` (an address's), that street is preferred within STREET_REACH_M of the
        nearest road: an address point in a courtyard is reached from its own street, not
        from the lane behind it."""
        p = self.map.project(lat, lon)[0]
        nearest, _ = self._tree.query(p)
        reach = nearest + SAMPLE_M / 2 + (HEADING_WEIGHT_M if heading is not None else 0.0) \
            + (STREET_REACH_M if street else 0.0)
        samples = self._tree.query_ball_point(p, reach)
        segs = np.unique(self._sample_segment[samples])
        segs = np.unique(np.concatenate([segs, self._twin[segs][self._twin[segs] >= 0]]))
        a, b = self._a[segs], self._b[segs]
        d = b - a
        span2 = np.einsum("ij,ij->i", d, d)
        t = np.clip(np.divide(np.einsum("ij,ij->i", p - a, d), span2,
                              out=np.zeros_like(span2), where=span2 > 0), 0.0, 1.0)
        off = np.hypot(*(a + d * t[:, None] - p).T)
        score = off.copy()
        if heading is not None:
            bearing = np.degrees(np.arctan2(d[:, 0], d[:, 1]))
            score += HEADING_WEIGHT_M * (1.0 - np.cos(np.radians(heading - bearing))) / 2.0
        if street in self._street:
            named = self.map.edge_name[self._edge[segs]] == self._street[street]
            if named.any():
                score[~named] = np.inf
        best = int(np.argmin(score))
        seg = int(segs[best])
        edge = int(self._edge[seg])
        along = (self._before[seg] + t[best] * self._span[seg]) * self._scale[edge]
        return RoadPosition(edge, float(min(along, self.map.edge_length[edge])),
                            float(off[best]), int(self._start[seg]))


def _twin_segments(roadmap: RoadMap, xy: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Per segment, the same segment of the opposite carriageway (-1 when there is none): an
    edge v -> u whose points are this edge's u -> v points in reverse."""
    m = roadmap
    offsets = m.geom_offsets
    count = np.diff(offsets)
    # The mean of an edge's points is the same either way along it: with the two ends and the
    # number of points it pairs the carriageways; the points are then compared one by one.
    mean = np.add.reduceat(xy, offsets[:-1]) / count[:, None]
    lo, hi = np.minimum(m.edge_u, m.edge_v), np.maximum(m.edge_u, m.edge_v)
    order = np.lexsort((m.edge_u > m.edge_v, np.round(mean[:, 1], 2), np.round(mean[:, 0], 2),
                        count, hi, lo))
    e, o = order[:-1], order[1:]
    pair = (lo[e] == lo[o]) & (hi[e] == hi[o]) & (count[e] == count[o]) \
        & (m.edge_u[e] == m.edge_v[o]) & (m.edge_v[e] == m.edge_u[o]) \
        & (np.abs(mean[e] - mean[o]) < 0.01).all(axis=1)
    e, o = e[pair], o[pair]
    within = np.arange(count[e].sum()) - np.repeat(np.cumsum(count[e]) - count[e], count[e])
    forward = np.repeat(offsets[e], count[e]) + within
    backward = np.repeat(offsets[o] + count[o] - 1, count[o]) - within
    same = np.logical_and.reduceat((np.abs(xy[forward] - xy[backward]) < 0.01).all(axis=1),
                                   np.cumsum(count[e]) - count[e])
    e, o = e[same], o[same]
    # Segment k of an edge of n segments is segment n - 1 - k of its twin.
    first = np.searchsorted(starts, offsets[:-1])
    twin = np.full(len(starts), -1)
    for a, b in ((e, o), (o, e)):
        n = count[a] - 1
        k = np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)
        twin[np.repeat(first[a], n) + k] = np.repeat(first[b] + n - 1, n) - k
    return twin


def points_from(roadmap: RoadMap, edge: int, from_m: float = 0.0,
                to_m: float | None = None) -> list[tuple[float, float]]:
    """The edge's geometry between `from_m` and `to_m` along it (default: its end), starting
    and ending with the points there."""
    points = roadmap.edge_points(edge)
    length = float(roadmap.edge_length[edge])
    to_m = length if to_m is None else to_m
    if (from_m <= 0.0 and to_m >= length) or len(points) < 2:
        return points
    lat, lon = np.array(points).T
    steps = np.hypot(*np.diff(roadmap.project(lat, lon), axis=0).T)
    at = np.concatenate([[0.0], np.cumsum(steps)]) * (length / max(float(steps.sum()), 1e-9))

    def point(m: float) -> tuple[float, float]:
        i = int(np.clip(np.searchsorted(at, m, side="right") - 1, 0, len(at) - 2))
        t = 0.0 if at[i + 1] == at[i] else min(1.0, max(0.0, (m - at[i]) / (at[i + 1] - at[i])))
        return (float(lat[i] + (lat[i + 1] - lat[i]) * t),
                float(lon[i] + (lon[i + 1] - lon[i]) * t))

    inside = [points[i] for i in range(len(points)) if from_m < at[i] < to_m]
    return [point(from_m), *inside, point(to_m)]
