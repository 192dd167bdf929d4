"""Bus throughput and publish→deliver latency, inline and across threads, beside peers.

Peers measured in the same run: a plain Qt queued signal/slot (PySide6) and blinker (inline;
across threads blinker + a SimpleQueue consumer, since blinker itself is synchronous).
Goal (issue 2): >= 200k msgs/s cross-thread, p99 <= 0.5 ms, with every publish checking its
payload's fields (issue 17). On a shared machine compare the ratios to the peers, not the rates.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from queue import SimpleQueue

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import blinker
from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from kernel import topics
from kernel.event_bus import EventBus
from kernel.topics import VssFloat

N = 200_000
PINGS = 3_000


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1e3 if q < 100 else max(values) * 1e3


# -- Volant bus -------------------------------------------------------------------------
def bus_throughput(on: str) -> float:
    bus = EventBus()
    done = threading.Event()
    count = 0

    def handler(msg) -> None:
        nonlocal count
        count += 1
        if count == N:
            done.set()

    bus.subscribe(topics.SPEED, handler, on=on)
    payload = VssFloat(1.0)
    start = time.perf_counter()
    for _ in range(N):
        bus.publish(topics.SPEED, payload)
    done.wait(60)
    elapsed = time.perf_counter() - start
    bus.close()
    return N / elapsed


def bus_latency(on: str) -> list[float]:
    bus = EventBus()
    delivered = threading.Event()
    samples: list[float] = []

    def handler(msg) -> None:
        samples.append(time.monotonic() - msg.time)
        delivered.set()

    bus.subscribe(topics.SPEED, handler, on=on)
    for i in range(PINGS):
        delivered.clear()
        bus.publish(topics.SPEED, VssFloat(float(i)))
        delivered.wait(5)
    bus.close()
    return samples


def bus_gui(count: int, paced: bool) -> tuple[float, list[float]]:
    """Publisher thread -> subscriber on the Qt GUI thread (the view models' path)."""
    from kernel.qt_dispatch import QtDispatcher

    app = QCoreApplication.instance()
    bus = EventBus()
    bus.install_gui_dispatcher(QtDispatcher())
    samples: list[float] = []
    bus.subscribe(topics.SPEED, lambda m: samples.append(time.monotonic() - m.time), on="gui")
    payload = VssFloat(1.0)

    def publish() -> None:
        for i in range(count):
            bus.publish(topics.SPEED, payload)
            if paced:
                while len(samples) <= i:
                    time.sleep(0)

    start = time.perf_counter()
    publisher = threading.Thread(target=publish)
    publisher.start()
    while len(samples) < count:
        app.processEvents()
    elapsed = time.perf_counter() - start
    publisher.join()
    bus.close()
    return count / elapsed, samples


# -- blinker ----------------------------------------------------------------------------
def blinker_throughput(threaded: bool) -> float:
    signal = blinker.Signal()
    done = threading.Event()
    count = 0

    def consume(value) -> None:
        nonlocal count
        count += 1
        if count == N:
            done.set()

    if threaded:
        queue: SimpleQueue = SimpleQueue()
        signal.connect(lambda sender, **kw: queue.put(kw["value"]), weak=False)
        threading.Thread(target=lambda: [consume(queue.get()) for _ in range(N)],
                         daemon=True).start()
    else:
        signal.connect(lambda sender, **kw: consume(kw["value"]), weak=False)
    start = time.perf_counter()
    for _ in range(N):
        signal.send(None, value=1.0)
    done.wait(60)
    return N / (time.perf_counter() - start)


def blinker_latency(threaded: bool) -> list[float]:
    signal = blinker.Signal()
    delivered = threading.Event()
    samples: list[float] = []

    def consume(sent: float) -> None:
        samples.append(time.monotonic() - sent)
        delivered.set()

    if threaded:
        queue: SimpleQueue = SimpleQueue()
        signal.connect(lambda sender, **kw: queue.put(kw["sent"]), weak=False)

        def loop() -> None:
            while (sent := queue.get()) is not None:
                consume(sent)

        threading.Thread(target=loop, daemon=True).start()
    else:
        signal.connect(lambda sender, **kw: consume(kw["sent"]), weak=False)
    for _ in range(PINGS):
        delivered.clear()
        signal.send(None, sent=time.monotonic())
        delivered.wait(5)
    if threaded:
        queue.put(None)
    return samples


# -- Qt queued signal/slot --------------------------------------------------------------
class Emitter(QObject):
    fired = Signal(float)


class Receiver(QObject):
    def __init__(self, target: int) -> None:
        super().__init__()
        self.target = target
        self.count = 0
        self.done = threading.Event()
        self.samples: list[float] = []

    @Slot(float)
    def on_value(self, sent: float) -> None:
        self.count += 1
        self.samples.append(time.monotonic() - sent)
        if self.count == self.target:
            self.done.set()


def qt_run(target: int, paced: bool) -> tuple[float, list[float]]:
    thread = QThread()
    receiver = Receiver(target)
    receiver.moveToThread(thread)
    emitter = Emitter()
    emitter.fired.connect(receiver.on_value)  # different threads: queued
    thread.start()
    start = time.perf_counter()
    for i in range(target):
        emitter.fired.emit(time.monotonic())
        if paced:
            while receiver.count <= i:
                time.sleep(0)
    receiver.done.wait(60)
    elapsed = time.perf_counter() - start
    thread.quit()
    thread.wait()
    return target / elapsed, receiver.samples


def main() -> None:
    QCoreApplication.instance() or QCoreApplication([])
    print(f"{'path':44} {'msgs/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    rows = []
    for label, on in (("volant bus, inline", "inline"), ("volant bus, worker thread", "worker")):
        rate, lat = bus_throughput(on), bus_latency(on)
        rows.append((label, rate, lat))
    gui_rate, _ = bus_gui(N // 4, paced=False)
    _, gui_lat = bus_gui(PINGS, paced=True)
    rows.append(("volant bus, thread -> Qt GUI thread", gui_rate, gui_lat))
    rows.append(("blinker, inline", blinker_throughput(False), blinker_latency(False)))
    rows.append(("blinker + SimpleQueue, thread", blinker_throughput(True), blinker_latency(True)))
    qt_rate, _ = qt_run(N, paced=False)
    _, qt_lat = qt_run(PINGS, paced=True)
    rows.append(("Qt queued signal/slot, QThread", qt_rate, qt_lat))
    for label, rate, lat in rows:
        print(f"{label:44} {rate:>10,.0f} {pct(lat, 50):>8.3f} {pct(lat, 99):>8.3f}")
    bus_cross = rows[1][1]
    print(f"\ncross-thread throughput: volant/Qt = {bus_cross / qt_rate:.2f}x, "
          f"volant/blinker+queue = {bus_cross / rows[4][1]:.2f}x")
    print(f"goal: >= 200,000 msgs/s cross-thread (got {bus_cross:,.0f}); "
          f"p99 <= 0.5 ms (got {pct(rows[1][2], 99):.3f} ms)")


if __name__ == "__main__":
    main()
