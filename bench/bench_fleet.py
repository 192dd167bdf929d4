"""The fleet link under load, through a real Mosquitto, beside a peer measured in the same run.

1. The outbox alone: appends/s and acks/s (synchronous FULL and NORMAL), bytes on disk per
   1,000 telemetry messages, and how fast a 20,000-message backlog drains.
2. Load A: 1,000 vehicles (a FleetLink each: campaign, outbox, its own MQTT connection and
   identity) at 1 message/s to one subscriber; the broker is stopped for `--outage` s mid-run
   and restarted. Messages/s, latency p50/p99 (sample time to receipt), CPU per vehicle, lost
   and duplicates after de-duplication by seq.
3. Load B: 100 vehicles with 10 signals changing at 10 Hz, sampled by a 100 ms campaign.
4. Peers: the same two loads from plain paho clients publishing QoS 1 from memory (no outbox,
   no campaign): what the store-and-forward costs.

Processes: the vehicles run in `--processes` worker processes, each polling its links from one
thread (`FleetLink.poll`, woken by epoll and by the campaigns' due times), as a fleet simulator
would; the subscriber (the operator) is a process of its own; so are the broker and this
orchestrator. "CPU per vehicle" is the workers' CPU; subscriber and broker are reported apart.
The vehicles keep producing after the run while the bench waits until every message made
during the run has reached the subscriber (or `--drain` s pass).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import heapq
import json
import math
import multiprocessing as mp
import os
import random
import resource
import select
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt

from fleet.campaigns import load_campaigns
from fleet.config import FleetConfig
from fleet.link import FleetLink
from fleet.mosquitto import MosquittoBroker
from fleet.outbox import Outbox
from kernel import topics
from kernel.event_bus import EventBus
from kernel.topics import VssFloat

print = functools.partial(print, flush=True)  # progress visible in a pipe
CTX = mp.get_context("fork")  # workers start from this process's imports, without its threads
SIGNALS10 = [topics.SPEED, topics.SOC, topics.RANGE, topics.PACK_TEMPERATURE,
             topics.BATTERY_POWER, topics.MOTOR_POWER, topics.LATITUDE, topics.LONGITUDE,
             topics.HEADING, topics.AIR_TEMPERATURE]
HOUSEKEEPING_S = 1.0  # keepalive, reconnects and link state for every vehicle


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100)[q - 1] * 1e3


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- 1. the outbox alone ----------------------------------------------------------------------
def outbox_alone(workdir: Path, n: int) -> None:
    fields = {"ts": 1.0, "campaign": "position", "signals": {
        "Vehicle.CurrentLocation.Latitude": 60.1699123, "Vehicle.CurrentLocation.Longitude":
        24.9384123, "Vehicle.CurrentLocation.Heading": 123.4, "Vehicle.Speed": 42.5}}
    for sync, count in (("FULL", n // 10), ("NORMAL", n)):  # FULL: an fsync per message
        path = workdir / f"outbox-{sync}.sqlite"
        box = Outbox(path, "bench-car", synchronous=sync)
        t0 = time.perf_counter()
        for _ in range(count):
            box.append("volant/bench-car/telemetry", fields, priority=4)
        appends = count / (time.perf_counter() - t0)
        box._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(p.stat().st_size for p in workdir.glob(f"outbox-{sync}.sqlite*"))
        box.mark_connected()  # all of it is now backlog
        t0 = time.perf_counter()
        for pending in box.next_batch(count // 2, release_held=True):
            box.acknowledge(pending.id)
        acks = count // 2 / (time.perf_counter() - t0)
        t0, drained = time.perf_counter(), 0
        while batch := box.next_batch(32, release_held=True):  # the link's window
            box.acknowledge(*(p.id for p in batch))
            drained += len(batch)
        drain = drained / (time.perf_counter() - t0)
        box.close()
        print(f"outbox {sync:6}: {appends:6.0f} appends/s  {acks:6.0f} acks/s (one by one)  "
              f"backlog of {drained:,} drained at {drain:6.0f} msgs/s (windows of 32)  "
              f"{size / (count / 1000) / 1024:4.0f} KiB on disk per 1,000 messages")


# -- the subscriber (the operator), a process of its own -----------------------------------------
def subscriber_process(conn, port: int, client_id: str) -> None:
    """Records (vehicle, seq, sample ts, receipt time) of each message and a digest per seq;
    answers the orchestrator's questions over `conn`."""
    records: list[tuple[str, int, float, float]] = []
    digests: dict[tuple[str, int], bytes] = {}
    got: dict[str, set[int]] = {}
    counts = {"raw_duplicates": 0, "seq_reused": 0}

    def on_message(_c, _u, msg) -> None:
        now = time.time()
        body = json.loads(msg.payload)
        key = (body["vehicle"], body["seq"])
        digest = hashlib.blake2b(msg.payload, digest_size=8).digest()
        if key in digests:
            counts["raw_duplicates"] += 1  # redelivered (QoS 1 resends): fine
            counts["seq_reused"] += digests[key] != digest  # another message, same seq: not
        else:
            digests[key] = digest
            got.setdefault(key[0], set()).add(key[1])
        records.append((key[0], key[1], body["ts"], now))

    subscribed = threading.Event()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                         clean_session=False)  # its queue survives its own and the broker's outage
    client.on_connect = lambda c, *_: c.subscribe("volant/+/telemetry", qos=1)
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_message = on_message
    client.reconnect_delay_set(0.1, 1)
    client.connect("127.0.0.1", port)
    client.loop_start()
    subscribed.wait(30)
    conn.send(cpu_self())
    while True:
        request, arg = conn.recv()
        if request == "missing":  # arg: {vehicle: last seq made}
            conn.send(sum(len(set(range(1, last + 1)) - got.get(v, set()))
                          for v, last in arg.items()))
        elif request == "result":
            conn.send(analyse(records, got, counts, **arg) | {"cpu": cpu_self()})
        else:
            break
    client.disconnect()
    client.loop_stop()


def analyse(records: list, got: dict[str, set[int]], counts: dict[str, int], *,
            made: dict[str, int], stored: dict[str, set[int]], window: tuple[float, float],
            outage: tuple[float, float]) -> dict[str, Any]:
    start, end = window
    in_window = [r for r in records if start <= r[3] < end]
    steady = [r[3] - r[2] for r in in_window if not outage[0] - 1 <= r[2] <= outage[1] + 10]
    everything = [r[3] - r[2] for r in records if r[2] >= start]
    lost = sum(len(set(range(1, last + 1)) - got.get(v, set()) - stored.get(v, set()))
               for v, last in made.items())
    return {"received": len(in_window), "p50": pct(steady, 50), "p99": pct(steady, 99),
            "p99_all": pct(everything, 99), "max_all": max(everything, default=0) * 1e3,
            "lost": lost, **counts}


# -- vehicles, in worker processes -------------------------------------------------------------
class LinkVehicle:
    """Volant's link: its bus, campaign, outbox and MQTT connection."""

    def __init__(self, vid: str, port: int, workdir: Path, campaigns: list) -> None:
        self.vehicle = vid
        self.bus = EventBus()
        self.link = FleetLink(FleetConfig(f"mqtt://127.0.0.1:{port}", vid),
                              workdir / f"{vid}.outbox", campaigns=campaigns,
                              synchronous="NORMAL")
        self.change(0)
        self.link.start(self.bus, run_thread=False)
        self.client = self.link.client

    @property
    def connected(self) -> bool:
        return self.link.connected

    def change(self, tick: int) -> None:
        for k, sig in enumerate(SIGNALS10):
            self.bus.publish(sig, VssFloat(float(k + tick % 50)))

    def poll(self, readable: bool, housekeeping: bool) -> None:
        self.link.poll(readable=readable, housekeeping=housekeeping)

    def next_due(self) -> float:
        return self.link.collector.next_due()

    def made(self) -> int:
        return self.link.outbox.seq

    def stored(self) -> set[int]:
        return self.link.outbox.stored_seqs()

    def close(self) -> None:
        self.link.stop()
        self.bus.close()


class PeerVehicle:
    """Plain paho: the same message, QoS 1 from memory, no outbox, no campaign."""

    def __init__(self, vid: str, port: int, period_s: float, signals: int) -> None:
        self.vehicle, self.period_s, self.signals = vid, period_s, SIGNALS10[:signals]
        # A random phase, as the links' campaigns have (each starts when its link is built).
        self.seq, self.due, self.connected = 0, time.time() + random.random() * period_s, False
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"volant-{vid}")
        self.client.max_inflight_messages_set(36)  # as the link's window

        def on_connect(*_a) -> None:
            self.connected = True

        self.client.on_connect = on_connect
        self.client.connect("127.0.0.1", port, keepalive=30)

    def change(self, tick: int) -> None:
        self.values = {s: float(k + tick % 50) for k, s in enumerate(self.signals)}

    def poll(self, readable: bool, housekeeping: bool) -> None:
        c = self.client
        if readable:
            c.loop_read()
        if housekeeping:
            c.loop_misc()
        now = time.time()
        if now >= self.due:
            self.due += self.period_s
            if self.due <= now:
                self.due = now + self.period_s
            self.seq += 1
            body = {"vehicle": self.vehicle, "seq": self.seq, "ts": round(now, 3),
                    "campaign": "bench", "signals": getattr(self, "values", {})}
            c.publish(f"volant/{self.vehicle}/telemetry",
                      json.dumps(body, separators=(",", ":")), qos=1)
        if c.want_write():
            c.loop_write()

    def next_due(self) -> float:
        return self.due

    def made(self) -> int:
        return self.seq

    def stored(self) -> set[int]:
        return set()

    def close(self) -> None:
        self.client.disconnect()


@dataclass
class Load:
    label: str
    kind: str  # links | peer
    vehicles: int
    period_ms: int
    signals: int
    drive_hz: float = 0.0


def vehicles_process(conn, load: Load, ids: list[str], port: int, workdir: Path) -> None:
    """Builds its vehicles, then one loop: epoll for the sockets, a heap of campaign due times,
    housekeeping every second; `conn` says go / end / stop."""
    t0 = time.monotonic()
    if load.kind == "links":
        path = workdir / f"{load.label}.toml"
        campaigns = load_campaigns([path])
        fleet: list[Any] = [LinkVehicle(v, port, workdir / load.label, campaigns) for v in ids]
    else:
        fleet = [PeerVehicle(v, port, load.period_ms / 1000, load.signals) for v in ids]
        for v in fleet:
            v.change(0)
    built = time.monotonic() - t0
    epoll, by_fd, fds = select.epoll(), {}, [-1] * len(fleet)
    heap: list[tuple[float, int]] = []
    scheduled = [math.inf] * len(fleet)

    def visit(i: int, readable: bool = False, housekeeping: bool = False) -> None:
        v = fleet[i]
        v.poll(readable, housekeeping)
        sock = v.client.socket()
        fd = sock.fileno() if sock is not None else -1
        if fd != fds[i]:  # (re)connected or closed: follow its socket
            if fds[i] >= 0 and by_fd.get(fds[i]) == i:
                del by_fd[fds[i]]
                with contextlib.suppress(OSError):  # closed: epoll forgot it already
                    epoll.unregister(fds[i])
            if fd >= 0:
                try:
                    epoll.register(fd, select.EPOLLIN)
                except FileExistsError:
                    epoll.modify(fd, select.EPOLLIN)
                by_fd[fd] = i
            fds[i] = fd
        due = v.next_due()
        if due != scheduled[i]:
            scheduled[i] = due
            heapq.heappush(heap, (due, i))

    next_house, next_change, tick = 0.0, time.monotonic(), 0
    waiting_ready, cpu0, wall0, made0 = True, 0.0, 0.0, 0
    while True:
        now = time.monotonic()
        if now >= next_house:
            next_house = now + HOUSEKEEPING_S
            for i in range(len(fleet)):
                visit(i, housekeeping=True)
            if waiting_ready and all(v.connected for v in fleet):
                waiting_ready = False
                conn.send((built, time.monotonic() - t0 - built))
        if load.drive_hz and now >= next_change:
            tick += 1
            next_change += 1.0 / load.drive_hz
            for i, v in enumerate(fleet):
                v.change(tick)
                visit(i)
        wall = time.time()
        while heap and heap[0][0] <= wall:
            due, i = heapq.heappop(heap)
            if due == scheduled[i]:
                scheduled[i] = math.inf
                visit(i)
        wake = min(next_house, next_change if load.drive_hz else next_house)
        timeout = min(wake - time.monotonic(), (heap[0][0] - time.time()) if heap else 1.0)
        for fd, _event in epoll.poll(max(0.0, min(timeout, 0.05))):
            if (i := by_fd.get(fd)) is not None:
                visit(i, readable=True)
        if conn.poll():
            request = conn.recv()
            if request == "go":
                cpu0, wall0, made0 = cpu_self(), time.monotonic(), sum(v.made() for v in fleet)
            elif request == "end":
                made = {v.vehicle: v.made() for v in fleet}
                conn.send((made, cpu_self() - cpu0, time.monotonic() - wall0,
                           sum(made.values()) - made0))
            else:  # stop
                conn.send({v.vehicle: v.stored() for v in fleet})
                break
    t0 = time.monotonic()
    for v in fleet:
        v.close()
    conn.send(time.monotonic() - t0)


# -- one load ------------------------------------------------------------------------------------
def run_load(workdir: Path, broker: MosquittoBroker, load: Load, seconds: float, *,
             processes: int, outage: float = 0.0, drain_s: float = 60.0) -> dict[str, Any]:
    (workdir / f"{load.label}.toml").write_text(
        f'[[campaign]]\nname = "bench"\nkind = "periodic"\nperiod_ms = {load.period_ms}\n'
        f"signals = {json.dumps(SIGNALS10[:load.signals])}\n")
    sub_conn, sub_end = CTX.Pipe()
    sub = CTX.Process(target=subscriber_process, args=(sub_end, broker.port, f"op-{load.label}"))
    sub.start()
    sub_conn.recv()  # subscribed
    ids = [f"{load.label}-{i:04d}" for i in range(load.vehicles)]
    workers = []
    for k in range(processes):
        mine, theirs = CTX.Pipe()
        p = CTX.Process(target=vehicles_process,
                        args=(theirs, load, ids[k::processes], broker.port, workdir))
        p.start()
        workers.append((p, mine))
    ready = [conn.recv() for _p, conn in workers]
    print(f"{load.label}: {load.vehicles} vehicles in {processes} processes built in "
          f"{max(r[0] for r in ready):.1f} s, all connected {max(r[1] for r in ready):.1f} s "
          "later")
    time.sleep(2.0)  # settle
    for _p, conn in workers:
        conn.send("go")
    start, wall0, sub_cpu = time.time(), time.monotonic(), cpu_of(sub.pid)
    broker_cpu, broker_cpu0 = 0.0, cpu_of(broker.process.pid)
    down = up = 0.0
    if outage:
        time.sleep(max(0.0, seconds / 2 - outage / 2))
        broker_cpu += cpu_of(broker.process.pid) - broker_cpu0
        down = time.time()
        broker.stop()  # SIGTERM: it saves its persistence (the subscriber's queue), then exits
        time.sleep(outage)
        broker.start()
        up, broker_cpu0 = time.time(), 0.0
        time.sleep(max(0.0, seconds / 2 - outage / 2))
    else:
        time.sleep(seconds)
    for _p, conn in workers:
        conn.send("end")
    ends = [conn.recv() for _p, conn in workers]
    end, wall = time.time(), time.monotonic() - wall0
    broker_cpu += cpu_of(broker.process.pid) - broker_cpu0
    made = {v: seq for e in ends for v, seq in e[0].items()}
    t_drain = time.monotonic()
    missing = -1
    while time.monotonic() - t_drain < drain_s:
        sub_conn.send(("missing", made))
        if (missing := sub_conn.recv()) <= 0:
            break
        time.sleep(0.25)
    drained_after = time.monotonic() - t_drain
    stored: dict[str, set[int]] = {}
    for _p, conn in workers:
        conn.send("stop")
        stored |= conn.recv()
    sub_conn.send(("result", {"made": made, "stored": stored, "window": (start, end),
                              "outage": (down, up) if outage else (math.inf, math.inf)}))
    result = sub_conn.recv()
    sub_conn.send(("stop", None))
    closed = max(conn.recv() for _p, conn in workers)  # each vehicle says offline first
    for p, _conn in workers:
        p.join()
    sub.join(30)
    workers_cpu = sum(e[1] for e in ends)
    result |= {"label": load.label, "vehicles": load.vehicles, "wall": wall,
               "made": sum(e[3] for e in ends), "rate": result["received"] / wall,
               "cpu_vehicle": 100 * workers_cpu / wall / load.vehicles,
               "cpu_workers": 100 * workers_cpu / wall,
               "cpu_sub": 100 * (result["cpu"] - sub_cpu) / wall,
               "cpu_broker": 100 * broker_cpu / wall, "missing": missing,
               "drained_after": drained_after, "closed": closed,
               "on_board": sum(len(s) for s in stored.values())}
    show(result, outage)
    return result


def show(r: dict[str, Any], outage: float) -> None:
    label = r["label"]
    print(f"{label}: {r['rate']:6.0f} msgs/s received over {r['wall']:.0f} s "
          f"({r['made']:,} made in it); latency p50 {r['p50']:.1f} ms p99 {r['p99']:.1f} ms"
          + (" outside the outage" if outage else ""))
    print(f"{label}: CPU {r['cpu_vehicle']:.3f} % of a core per vehicle (vehicle processes "
          f"{r['cpu_workers']:.0f} %, subscriber {r['cpu_sub']:.0f} %, broker "
          f"{r['cpu_broker']:.0f} %)")
    state = ("every message made in the run received "
             f"{r['drained_after']:.1f} s after its end" if r["missing"] <= 0 else
             f"{r['missing']:,} not yet received {r['drained_after']:.0f} s after the end, "
             f"{r['on_board']:,} still on board")
    print(f"{label}: " + (f"broker down {outage:.0f} s; " if outage else "")
          + f"lost {r['lost']}, duplicates after de-dup by seq {r['seq_reused']} "
          f"(raw redeliveries {r['raw_duplicates']}); {state}"
          + (f"; p99 with the backlog {r['p99_all']:.0f} ms, max {r['max_all'] / 1e3:.1f} s"
             if outage else "") + f"; closed in {r['closed']:.1f} s")


def ratio(link: dict[str, Any], peer: dict[str, Any]) -> None:
    print(f"{link['label']} / {peer['label']}: throughput {link['rate'] / peer['rate']:.2f}x, "
          f"CPU per vehicle {link['cpu_vehicle'] / peer['cpu_vehicle']:.1f}x, "
          f"p50 {link['p50'] / peer['p50']:.1f}x, p99 {link['p99'] / peer['p99']:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true",
                        help="longer runs (120 s with the outage, 60 s the others); "
                             "default: a quick run of 30 s and 15 s")
    parser.add_argument("--vehicles", type=int, default=1000, help="load A")
    parser.add_argument("--small", type=int, default=100, help="vehicles of load B")
    parser.add_argument("--outage", type=float, default=10.0, help="broker down, s")
    parser.add_argument("--processes", type=int, default=2, help="vehicle worker processes")
    parser.add_argument("--drain", type=float, default=60.0,
                        help="at most this long after a run for its messages to arrive, s")
    args = parser.parse_args()
    long_s, short_s = (120.0, 60.0) if args.full else (30.0, 15.0)
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        workdir = Path(tmp)
        outbox_alone(workdir, 20_000 if args.full else 5_000)
        broker = MosquittoBroker(workdir / "broker").start()
        run = functools.partial(run_load, workdir, broker, processes=args.processes,
                                drain_s=args.drain)
        try:
            a = run(Load("load-a", "links", args.vehicles, 1000, 4), long_s,
                    outage=args.outage)
            peer_a = run(Load("peer-a", "peer", args.vehicles, 1000, 4), short_s)
            b = run(Load("load-b", "links", args.small, 100, 10, drive_hz=10.0), short_s)
            peer_b = run(Load("peer-b", "peer", args.small, 100, 10, drive_hz=10.0), short_s)
        finally:
            broker.stop()
        ratio(a, peer_a)
        ratio(b, peer_b)


if __name__ == "__main__":
    main()
