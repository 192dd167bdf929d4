"""The fleet link under load, through a real Mosquitto, beside a peer measured in the same run.

1. The outbox alone: appends/s and acks/s (synchronous FULL and NORMAL), bytes on disk per
   1,000 telemetry messages.
2. Load A: N vehicles (FleetLink each: campaign, outbox, paho) at 1 message/s to one
   subscriber; the broker is stopped for `--outage` s mid-run and restarted. Reports
   messages/s, latency p50/p99 (sample time to receipt; steady state, and overall including the
   backlog), CPU per vehicle, lost and duplicates after de-duplication by seq.
3. Load B: 100 vehicles with 10 signals changing at 10 Hz, sampled by a 100 ms campaign.
4. Peer: the same load B from plain paho clients publishing QoS 1 straight from memory (no
   outbox, no campaign): what the store-and-forward costs.

The vehicles run polled from one thread (`FleetLink.poll`), as a fleet simulator would; they,
the subscriber and the signal driver share this process, so "CPU per vehicle" includes the
subscriber's share; the broker's CPU is reported apart. Duration scales with
--seconds; vehicle counts stay as the issue states.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import select
import statistics
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

from fleet.campaigns import Campaign, load_campaigns
from fleet.config import FleetConfig
from fleet.link import FleetLink
from fleet.mosquitto import MosquittoBroker
from fleet.outbox import Outbox
from kernel import topics
from kernel.event_bus import EventBus
from kernel.topics import VssFloat

print = functools.partial(print, flush=True)  # progress visible in a pipe
ROUND_S = 0.02  # the driver's turn over every vehicle
SIGNALS10 = [topics.SPEED, topics.SOC, topics.RANGE, topics.PACK_TEMPERATURE,
             topics.BATTERY_POWER, topics.MOTOR_POWER, topics.LATITUDE, topics.LONGITUDE,
             topics.HEADING, topics.AIR_TEMPERATURE]


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100)[q - 1] * 1e3


def cpu_s(pid: int | None = None) -> float:
    if pid is None:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def campaign_file(workdir: Path, period_ms: int, signals: list[str]) -> list[Campaign]:
    path = workdir / f"bench-{period_ms}.toml"
    path.write_text(f'[[campaign]]\nname = "bench"\nkind = "periodic"\nperiod_ms = {period_ms}\n'
                    f"signals = {json.dumps(signals)}\n")
    return load_campaigns([path])


# -- 1. the outbox alone ----------------------------------------------------------------------
def outbox_alone(workdir: Path, n: int) -> None:
    fields = {"ts": 1.0, "campaign": "position", "signals": {
        "Vehicle.CurrentLocation.Latitude": 60.1699123, "Vehicle.CurrentLocation.Longitude":
        24.9384123, "Vehicle.CurrentLocation.Heading": 123.4, "Vehicle.Speed": 42.5}}
    for sync, count in (("FULL", n // 10), ("NORMAL", n)):  # FULL: an fsync per message
        n = count
        path = workdir / f"outbox-{sync}.sqlite"
        box = Outbox(path, "bench-car", synchronous=sync)
        t0 = time.perf_counter()
        for _ in range(n):
            box.append("volant/bench-car/telemetry", fields, priority=4)
        appends = n / (time.perf_counter() - t0)
        box._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(p.stat().st_size for p in workdir.glob(f"outbox-{sync}.sqlite*"))
        t0 = time.perf_counter()
        batch = box.next_batch(n, release_held=True)
        for pending in batch:
            box.acknowledge(pending.id)
        acks = n / (time.perf_counter() - t0)
        box.close()
        print(f"outbox {sync:6}: {appends:8.0f} appends/s  {acks:8.0f} acks/s (one by one)  "
              f"{size / (n / 1000) / 1024:6.0f} KiB on disk per 1,000 messages")


# -- the subscriber -------------------------------------------------------------------------
class Subscriber:
    """One operator-side client: persistent session, QoS 1, records seq and latency."""

    def __init__(self, port: int) -> None:
        self.seqs: dict[str, set[int]] = {}
        self.latencies: list[tuple[float, float]] = []  # (sample ts, latency s)
        self.received = 0
        self.duplicates = 0
        self._lock = threading.Lock()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="bench-sub",
                                  clean_session=False)
        self.client.max_inflight_messages_set(1000)
        self.ready = threading.Event()
        self.client.on_connect = lambda c, *_: c.subscribe("volant/+/telemetry", qos=1)
        self.client.on_subscribe = lambda *_: self.ready.set()
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(0.2, 2)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert self.ready.wait(30)

    def _on_message(self, _c, _u, msg) -> None:
        now = time.time()
        body = json.loads(msg.payload)
        with self._lock:
            self.received += 1
            got = self.seqs.setdefault(body["vehicle"], set())
            if body["seq"] in got:
                self.duplicates += 1
            got.add(body["seq"])
            self.latencies.append((body["ts"], now - body["ts"]))

    def reset_counts(self) -> None:
        with self._lock:
            self.latencies.clear()
            self.received = 0

    def missing(self, expected: dict[str, int]) -> int:
        with self._lock:
            return sum(len(set(range(1, last + 1)) - self.seqs.get(v, set()))
                       for v, last in expected.items())

    def lost(self, expected: dict[str, int], stored: dict[str, set[int]]) -> int:
        """Made, yet neither received nor still in the vehicle's outbox."""
        with self._lock:
            return sum(len(set(range(1, last + 1)) - self.seqs.get(v, set()) - stored[v])
                       for v, last in expected.items())

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def ready(sockets: list) -> set[int]:
    """File numbers of the sockets with data to read now (poll: no 1,024 limit as select)."""
    poller = select.poll()
    for sock in sockets:
        if sock is not None:
            poller.register(sock, select.POLLIN)
    return {fd for fd, _event in poller.poll(0)}


def wait_until(pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


# -- 2./3. fleets of links ------------------------------------------------------------------
def run_links(workdir: Path, broker: MosquittoBroker, n: int, seconds: float,
              campaigns: list[Campaign], *, drive_hz: float = 0.0,
              outage: float = 0.0, label: str) -> None:
    sub = Subscriber(broker.port)
    links: list[tuple[FleetLink, EventBus]] = []
    t0 = time.monotonic()
    for i in range(n):  # all built first: building is disk work, starting is cheap
        vid = f"{label}-{i:04d}"
        bus = EventBus()
        link = FleetLink(FleetConfig(broker.url, vid), workdir / label / f"{vid}.outbox",
                         campaigns=campaigns, synchronous="NORMAL")
        for k, sig in enumerate(SIGNALS10):
            bus.publish(sig, VssFloat(float(k)))
        links.append((link, bus))
    built = time.monotonic() - t0
    for link, bus in links:
        link.start(bus, run_thread=False)
    stop_drive = threading.Event()

    def drive() -> None:
        """One thread runs every vehicle: the signals change at drive_hz, each link polls."""
        tick, next_change, next_misc = 0, time.monotonic(), 0.0
        while not stop_drive.is_set():
            if drive_hz and time.monotonic() >= next_change:
                tick += 1
                next_change += 1.0 / drive_hz
                for _link, bus in links:
                    for k, sig in enumerate(SIGNALS10):
                        bus.publish(sig, VssFloat(float(k + tick % 50)))
            started = time.monotonic()
            readable = ready([link.client.socket() for link, _ in links])
            housekeeping = started >= next_misc
            if housekeeping:
                next_misc = started + 1.0
            for link, _bus in links:
                sock = link.client.socket()
                link.poll(readable=sock is not None and sock.fileno() in readable,
                          housekeeping=housekeeping)
            stop_drive.wait(max(0.0, ROUND_S - (time.monotonic() - started)))

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    wait_until(lambda: all(link.connected for link, _ in links), 120)
    print(f"{label}: {n} vehicles built in {built:.1f} s, connected "
          f"{time.monotonic() - t0 - built:.1f} s later")
    time.sleep(2.0)  # settle
    sub.reset_counts()
    cpu0, broker_cpu0, wall0 = cpu_s(), cpu_s(broker.process.pid), time.monotonic()
    outage_window = (0.0, 0.0)
    if outage:
        time.sleep(seconds / 2 - outage / 2)
        down = time.time()
        broker.stop()  # SIGTERM: the broker saves its persistence (the subscriber's queue)
        time.sleep(outage)
        broker.start()
        outage_window = (down, time.time())
        time.sleep(seconds / 2 - outage / 2)
    else:
        time.sleep(seconds)
    wall = time.monotonic() - wall0
    cpu, broker_cpu = cpu_s() - cpu0, cpu_s(broker.process.pid) if not outage else float("nan")
    if not outage:
        broker_cpu -= broker_cpu0
    rate = sub.received / wall
    expected = {link.vehicle: link.outbox.seq for link, _ in links}
    drained = wait_until(lambda: sub.missing(expected) == 0, 90)
    stop_drive.set()
    driver.join()
    stored = {link.vehicle: link.outbox.stored_seqs() for link, _ in links}
    lat_all = [lat for _ts, lat in sub.latencies]
    lat_live = [lat for ts, lat in sub.latencies
                if not outage_window[0] - 1 <= ts <= outage_window[1] + 15]
    lost = sub.lost(expected, stored)
    on_board = sum(len(v) for v in stored.values())
    sent = sum(expected.values())
    print(f"{label}: {rate:7.0f} msgs/s received over {wall:.0f} s; latency p50 "
          f"{pct(lat_live, 50):.1f} ms p99 {pct(lat_live, 99):.1f} ms (steady)"
          + (f", overall p99 {pct(lat_all, 99):.0f} ms with the backlog" if outage else ""))
    print(f"{label}: CPU {100 * cpu / wall / n:.3f} % of a core per vehicle "
          f"(this process {100 * cpu / wall:.0f} %"
          + (f", broker {100 * broker_cpu / wall:.0f} %)" if not outage else ")"))
    if outage:
        print(f"{label}: broker down {outage:.0f} s; {sent} messages made "
              f"in all, lost {lost}, "
              f"{'all delivered' if drained else f'{on_board} still on board after the drain'};"
              f" raw duplicates {sub.duplicates}, duplicates after de-dup by seq 0")
    for link, bus in links:
        link.stop()
        bus.close()
    sub.close()


def run_peer(broker: MosquittoBroker, n: int, seconds: float, period_s: float) -> None:
    """Plain paho: each vehicle publishes its 10 signals QoS 1 from memory, no outbox."""
    sub = Subscriber(broker.port)
    clients = []
    for i in range(n):
        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"peer-{i:04d}")
        c.connect("127.0.0.1", broker.port)
        clients.append(c)
    stop = threading.Event()
    seq = [0] * n

    def publish() -> None:  # one thread runs every client, as the links' driver does
        next_t = time.monotonic()
        while not stop.is_set():
            if time.monotonic() >= next_t:
                next_t += period_s
                for i, c in enumerate(clients):
                    seq[i] += 1
                    body = {"vehicle": f"peer-{i:04d}", "seq": seq[i], "ts": time.time(),
                            "signals": {s: float(k) for k, s in enumerate(SIGNALS10)}}
                    c.publish(f"volant/peer-{i:04d}/telemetry", json.dumps(body), qos=1)
            started = time.monotonic()
            readable = ready([c.socket() for c in clients])
            for c in clients:
                if c.socket().fileno() in readable:
                    c.loop_read()
                if c.want_write():
                    c.loop_write()
            stop.wait(max(0.0, ROUND_S - (time.monotonic() - started)))

    thread = threading.Thread(target=publish, daemon=True)
    thread.start()
    time.sleep(2.0)
    sub.reset_counts()
    cpu0, wall0 = cpu_s(), time.monotonic()
    time.sleep(seconds)
    wall, cpu = time.monotonic() - wall0, cpu_s() - cpu0
    rate = sub.received / wall
    stop.set()
    thread.join()
    lat = [lat for _ts, lat in sub.latencies]
    print(f"peer (plain paho, no outbox): {rate:7.0f} msgs/s; latency p50 {pct(lat, 50):.1f} ms "
          f"p99 {pct(lat, 99):.1f} ms; CPU {100 * cpu / wall / n:.3f} % of a core per vehicle "
          f"(this process {100 * cpu / wall:.0f} %)")
    for c in clients:
        c.disconnect()
    sub.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vehicles", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--outage", type=float, default=10.0)
    parser.add_argument("--small", type=int, default=100, help="vehicles of load B and peer")
    parser.add_argument("--outbox-messages", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        workdir = Path(tmp)
        outbox_alone(workdir, args.outbox_messages)
        broker = MosquittoBroker(workdir / "broker").start()
        try:
            if args.vehicles:  # 0: loads B and the peer only
                run_links(workdir, broker, args.vehicles, args.seconds,
                          campaign_file(workdir, 1000, SIGNALS10[:4]), outage=args.outage,
                          label="load-a")
            short = max(10.0, args.seconds / 2)
            run_links(workdir, broker, args.small, short, campaign_file(workdir, 100, SIGNALS10),
                      drive_hz=10.0, label="load-b")
            run_peer(broker, args.small, short, 0.1)
        finally:
            broker.stop()


if __name__ == "__main__":
    main()
