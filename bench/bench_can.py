"""CAN -> VSS: decoding throughput on the real Tesla drive, and frame -> subscriber latency.

Throughput, one core: the drive's 104k frames (read once beforehand) through the CAN source
(cantools decoding + KUKSA's interval/change rules + publishing on the event bus to a
subscriber), with KUKSA's overlay and our example mapping; the peer, in the same run, is
cantools' plain `decode_message` loop over the same frames. Also given: the same path with
python-can reading the log file.
Latency: a real DI_uiSpeed frame sent on a python-can `virtual` bus -> the Vehicle.Speed value
delivered to a bus subscriber; the peer is a python-can receive thread with a plain cantools
decode (no mapping, no bus).
Goals (issue 20): >= 50,000 frames/s; p99 <= 1 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import can

from kernel import topics
from kernel.event_bus import EventBus
from vehicle_network.dbc import load_dbc
from vehicle_network.frames import LogFrames
from vehicle_network.source import CanSource

REPO = Path(__file__).resolve().parents[1]
TESLA = REPO.parent / "shared" / "can" / "tesla-model3"
MAPPINGS = [TESLA / "kuksa_dbc_overlay_vss4.0.vspec",
            REPO / "vehicle_network" / "mappings" / "tesla_model3.vspec"]
RUNS = 3
PINGS = 2_000
SPEED_ONLY = """Vehicle.Speed:
  datatype: float
  dbc2vss:
    signal: DI_uiSpeed
    interval_ms: 0
"""


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1e3


def ours(frames) -> tuple[float, int]:
    best, published = 0.0, 0
    for _ in range(RUNS):
        bus = EventBus()
        seen: list = []
        bus.subscribe("Vehicle.#", seen.append)
        source = CanSource(TESLA / "Model3CAN.dbc", MAPPINGS, log_file=TESLA / "drive.log")
        source.start(bus, run_thread=False)
        start = time.perf_counter()
        for frame in frames:
            source.feed(frame)
        best = max(best, len(frames) / (time.perf_counter() - start))
        published = len(seen)
        bus.close()
    return best, published


def with_file() -> float:
    bus = EventBus()
    source = CanSource(TESLA / "Model3CAN.dbc", MAPPINGS, log_file=TESLA / "drive.log")
    source.start(bus, run_thread=False)
    start = time.perf_counter()
    source.run_to_end()
    rate = source.decoder.stats.frames / (time.perf_counter() - start)
    bus.close()
    return rate


def peer(frames, db) -> float:
    best = 0.0
    for _ in range(RUNS):
        start = time.perf_counter()
        for frame in frames:
            try:  # noqa: SIM105 - a with block per frame would slow the peer down
                db.decode_message(frame.frame_id, frame.data)
            except Exception:  # unknown ids and short frames, as the source counts them
                pass
        best = max(best, len(frames) / (time.perf_counter() - start))
    return best


def latency_ours(speed_frames: list[bytes], mapping: Path) -> list[float]:
    channel = f"bench-{time.monotonic_ns()}"
    vehicle = can.Bus(interface="virtual", channel=channel)
    head_unit = can.Bus(interface="virtual", channel=channel)
    bus = EventBus()
    source = CanSource(TESLA / "Model3CAN.dbc", [mapping], can_bus=head_unit)
    samples: list[float] = []
    got = threading.Event()
    sent_at = [0.0]

    def on_speed(_msg) -> None:
        samples.append(time.perf_counter() - sent_at[0])
        got.set()

    bus.subscribe(topics.SPEED, on_speed)
    source.start(bus)
    try:
        for i in range(PINGS):
            got.clear()
            sent_at[0] = time.perf_counter()
            vehicle.send(can.Message(arbitration_id=0x257, is_extended_id=False,
                                     data=speed_frames[i % len(speed_frames)]))
            got.wait(1.0)
    finally:
        source.stop()
        head_unit.shutdown()
        vehicle.shutdown()
        bus.close()
    return samples[10:]


def latency_peer(speed_frames: list[bytes], db) -> list[float]:
    channel = f"bench-peer-{time.monotonic_ns()}"
    vehicle = can.Bus(interface="virtual", channel=channel)
    head_unit = can.Bus(interface="virtual", channel=channel)
    samples: list[float] = []
    got = threading.Event()
    stop = threading.Event()
    sent_at = [0.0]

    def receive() -> None:
        while not stop.is_set():
            msg = head_unit.recv(0.1)
            if msg is not None:
                db.decode_message(msg.arbitration_id, msg.data)
                samples.append(time.perf_counter() - sent_at[0])
                got.set()

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    for i in range(PINGS):
        got.clear()
        sent_at[0] = time.perf_counter()
        vehicle.send(can.Message(arbitration_id=0x257, is_extended_id=False,
                                 data=speed_frames[i % len(speed_frames)]))
        got.wait(1.0)
    stop.set()
    thread.join()
    head_unit.shutdown()
    vehicle.shutdown()
    return samples[10:]


def main() -> int:
    if not TESLA.is_dir():
        print(f"bench_can: {TESLA} is absent", file=sys.stderr)
        return 1
    frames = list(LogFrames(TESLA / "drive.log"))
    db = load_dbc(TESLA / "Model3CAN.dbc").db
    rate, published = ours(frames)
    peer_rate = peer(frames, db)
    file_rate = with_file()
    print(f"throughput, {len(frames):,} frames of the Tesla drive, one core (best of {RUNS}):")
    print(f"  CAN source -> VSS on the bus  {rate:10,.0f} frames/s  ({published:,} VSS "
          f"updates published)  goal >= 50,000: {'met' if rate >= 50_000 else 'NOT met'}")
    print(f"  cantools decode_message loop  {peer_rate:10,.0f} frames/s  (peer)")
    print(f"  ratio ours / peer             {rate / peer_rate:10.2f}x")
    print(f"  with python-can reading the log file: {file_rate:,.0f} frames/s")

    speed_frames = [f.data for f in frames if f.frame_id == 0x257 and len(f.data) == 8][:200]
    with tempfile.TemporaryDirectory() as tmp:
        mapping = Path(tmp) / "speed.vspec"
        mapping.write_text(SPEED_ONLY, encoding="utf-8")
        ours_lat = latency_ours(speed_frames, mapping)
    peer_lat = latency_peer(speed_frames, db)
    p99 = pct(ours_lat, 99)
    print(f"latency, virtual bus frame -> subscriber ({len(ours_lat)} frames, one at a time):")
    print(f"  CAN source -> bus subscriber  p50 {pct(ours_lat, 50):.3f} ms  p99 {p99:.3f} ms"
          f"  goal p99 <= 1 ms: {'met' if p99 <= 1.0 else 'NOT met'}")
    print(f"  python-can recv + cantools    p50 {pct(peer_lat, 50):.3f} ms  "
          f"p99 {pct(peer_lat, 99):.3f} ms  (peer)")
    print(f"  ratio ours / peer p99         {p99 / pct(peer_lat, 99):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
