"""The link against a real Mosquitto: telemetry from the real simulation, online state, no gap
across a broker restart, bulk data held until parked, the link state on the bus."""

from __future__ import annotations

from typing import Any

from kernel import topics
from kernel.topics import VssFloat, VssInt
from tests.fleet.conftest import WAIT_S, contiguous_to, seqs, wait_until
from vehicle.preset import load_preset
from vehicle.simulation import VehicleSimulation


def test_telemetry_of_the_real_simulation_reaches_the_operator(
        broker, operator_factory, link_factory) -> None:
    op = operator_factory(broker.port)
    _link, bus = link_factory(broker.url, campaigns=open_default())
    sim = VehicleSimulation(load_preset("city_car"))
    sim.start(bus)
    try:
        got = op.wait_for(lambda m: len(seqs(op.of("volant/car-1/telemetry"))) >= 5)
    finally:
        sim.stop()
    assert {"vehicle": "car-1", "state": "online"}.items() <= op.of("volant/car-1/state")[0].items()
    position = next(b for t, b in got if t == "volant/car-1/telemetry"
                    and b["campaign"] == "position")
    assert set(position) == {"vehicle", "seq", "ts", "campaign", "signals"}
    assert 60.0 < position["signals"]["Vehicle.CurrentLocation.Latitude"] < 60.3
    assert "vehicle.warnings" in next(b for t, b in got if t == "volant/car-1/event")["signals"]


def open_default() -> str:
    from fleet.campaigns import DEFAULT_CAMPAIGNS

    return DEFAULT_CAMPAIGNS.read_text()


def test_no_gap_across_a_broker_restart(broker, operator_factory, link_factory) -> None:
    op = operator_factory(broker.port, client_id="operator-persistent", persistent=True)
    link, bus = link_factory(broker.url)
    states: list[Any] = []
    bus.subscribe(topics.FLEET_LINK, lambda m: states.append(m.payload))
    bus.publish(topics.SPEED, VssFloat(30.0))
    op.wait_for(lambda m: len(seqs(op.of("volant/car-1/telemetry"))) >= 5)
    broker.stop()
    wait_until(lambda: not link.connected and link.outbox.count >= 10)  # stored on board
    assert states[-1].state == "offline"
    wait_until(lambda: states[-1].backlog >= 10)
    broker.start()
    target = link.outbox.seq + 10
    op.wait_for(lambda m: contiguous_to(m, "car-1", target), timeout=WAIT_S * 2)
    assert any(s.state == "connected" for s in states)
    assert op.of("volant/car-1/state")[-1]["state"] == "online"


def test_bulk_data_waits_until_parked(broker, operator_factory, link_factory) -> None:
    op = operator_factory(broker.port)
    link, bus = link_factory(broker.url, campaigns="""
[[campaign]]
name = "live"
kind = "periodic"
period_ms = 100
signals = ["Vehicle.Speed"]

[[campaign]]
name = "bulk"
kind = "periodic"
period_ms = 100
forward = "parked_or_charging"
signals = ["Vehicle.Powertrain.ElectricMotor.Power"]
""")
    bus.publish(topics.SELECTED_GEAR, VssInt(127))  # driving
    bus.publish(topics.SPEED, VssFloat(50.0))
    bus.publish(topics.MOTOR_POWER, VssFloat(20.0))

    def campaigns() -> list[str]:
        return [b["campaign"] for b in op.of("volant/car-1/telemetry")]

    op.wait_for(lambda m: campaigns().count("live") >= 10)
    assert "bulk" not in campaigns()
    assert link.outbox.count >= 5  # held on board
    bus.publish(topics.SELECTED_GEAR, VssInt(126))  # parked
    target = link.outbox.seq
    op.wait_for(lambda m: contiguous_to(m, "car-1", target))
    assert campaigns().count("bulk") >= 5



def test_a_polled_link_needs_no_thread_of_its_own(broker, operator_factory, tmp_path) -> None:
    import threading
    import time

    from fleet.campaigns import load_campaigns
    from fleet.config import FleetConfig
    from fleet.link import FleetLink
    from kernel.event_bus import EventBus
    from tests.fleet.conftest import FAST

    op = operator_factory(broker.port)
    (tmp_path / "fast.toml").write_text(FAST)
    link = FleetLink(FleetConfig(broker.url, "car-p"), tmp_path / "p.outbox",
                     campaigns=load_campaigns([tmp_path / "fast.toml"]))
    bus = EventBus()
    bus.publish(topics.SPEED, VssFloat(3.0))
    threads = threading.active_count()
    link.start(bus, run_thread=False)
    deadline = time.monotonic() + WAIT_S
    while len(seqs(op.of("volant/car-p/telemetry"))) < 5:
        assert time.monotonic() < deadline, "no telemetry from the polled link"
        link.poll()
        time.sleep(0.01)
    assert threading.active_count() == threads
    link.stop()
    op.wait_for(lambda m: op.of("volant/car-p/state")[-1]["state"] == "offline")
    bus.close()
