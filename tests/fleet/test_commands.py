"""Remote commands end to end through a real Mosquitto: each type, and the refusals (expired,
replayed, malformed, unknown, not allowed), each answered on command/reply and logged."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from fleet.mosquitto import MosquittoBroker
from kernel import topics
from kernel.event_bus import Message
from kernel.topics import DriverAck, SimSetting, VssFloat
from tests.fleet.conftest import WAIT_S
from vehicle.preset import load_preset
from vehicle.simulation import VehicleSimulation

COMMAND, REPLY = "volant/car-1/command", "volant/car-1/command/reply"


def command(cid: str, kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": cid, "type": kind, "expires": time.time() + 60, **fields}


def replies(op, cid: str) -> list[dict]:
    return [r for r in op.of(REPLY) if r["command"] == cid]


def wait_final(op, cid: str, timeout: float) -> dict:
    """The command's last answer: done or rejected."""
    op.wait_for(lambda m: any(r["status"] != "accepted" for r in replies(op, cid)), timeout)
    return next(r for r in replies(op, cid) if r["status"] != "accepted")


def wait_status(op, cid: str, status: str, timeout: float = WAIT_S) -> dict:
    op.wait_for(lambda m: any(r["status"] == status for r in replies(op, cid)), timeout)
    return next(r for r in replies(op, cid) if r["status"] == status)


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    """One broker for the module: no test here restarts it. Each test has its own link, outbox
    and operator; the retained state of the previous test's car-1 is told apart by its time."""
    b = MosquittoBroker(tmp_path_factory.mktemp("broker")).start()
    yield b
    b.stop()


def wait_online(op, since: float) -> None:
    """This test's link is subscribed to its commands: its online state after `since` came."""
    op.wait_for(lambda m: any(t == "volant/car-1/state" and b["state"] == "online"
                              and b["ts"] >= since for t, b in m))


@pytest.fixture
def car(broker, operator_factory, link_factory):
    """The link of car-1 with a bus recorder, and the operator."""
    op = operator_factory(broker.port)
    since = round(time.time(), 3) - 0.001
    link, bus = link_factory(broker.url)
    seen: list[Message] = []
    bus.subscribe("#", seen.append)
    wait_online(op, since)
    return op, link, bus, seen


def test_state_request_sends_every_signal_now(car) -> None:
    op, _link, bus, _seen = car
    bus.publish(topics.SOC, VssFloat(55.0))
    op.publish(COMMAND, command("s1", "state"))
    wait_status(op, "s1", "done")
    assert [r["status"] for r in replies(op, "s1")] == ["accepted", "done"]
    snap = next(b for b in op.of("volant/car-1/telemetry") if b["campaign"] == "state_request")
    assert snap["signals"][topics.SOC] == 55.0


def test_message_is_shown_and_spoken_and_the_acknowledgement_reported(car) -> None:
    op, _link, bus, seen = car
    op.publish(COMMAND, command("m1", "message", text="Return to depot after this trip"))
    wait_status(op, "m1", "accepted")
    shown = [m.payload for m in seen if m.topic == topics.FLEET_DRIVER_MESSAGE]
    assert shown[-1] == topics.DriverMessage("m1", "Return to depot after this trip")
    notices = [m.payload for m in seen if m.topic == topics.UI_NOTICE]
    assert notices[-1].values == ("Return to depot after this trip",)
    assert [m.payload.text for m in seen if m.topic == topics.TTS_SAY] == \
        ["Return to depot after this trip"]
    assert not any(r["status"] == "done" for r in replies(op, "m1"))  # not read yet
    bus.publish(topics.FLEET_DRIVER_ACK, DriverAck("m1"))
    done = wait_status(op, "m1", "done")
    assert done["acknowledged"] is True
    assert bus.retained(topics.FLEET_DRIVER_MESSAGE) == topics.DriverMessage("")


@pytest.mark.parametrize(("plugged", "source"), [(False, "pack"), (True, "grid")])
def test_precondition_warms_the_pack_from_grid_or_pack(car, plugged: bool, source: str) -> None:
    op, _link, bus, _seen = car
    sim = VehicleSimulation(load_preset("city_car"), pack_c=61.0)
    sim.start(bus)
    try:
        if plugged:
            bus.publish(topics.SIM_SETTING, SimSetting("charging", 1.0))
        op.publish(COMMAND, command("p1", "precondition", departure=time.time() + 3600,
                                    cabin_c=22.0))
        done = wait_status(op, "p1", "done")
    finally:
        sim.stop()
    assert done["source"] == source
    assert done["cabin_c"] == 22.0
    assert done["pack_target_c"] > 61.0
    assert sim.model.battery.heat_to_c == done["pack_target_c"]


@pytest.mark.parametrize(("raw", "reason"), [
    (b"not json {", "malformed"),
    (b"[1, 2]", "malformed: expected a JSON object"),
    (b"{" + b'"x": "' + b"a" * 5000 + b'"}', "malformed: larger than"),
    (json.dumps({"id": "u1", "type": "self_destruct", "expires": 9e9}).encode(),
     "unknown command type 'self_destruct'"),
    (json.dumps({"id": "u2", "type": "message", "expires": time.time() + 60}).encode(),
     "invalid: Object missing required field `text`"),
    (json.dumps({"id": "u3", "type": "message", "text": "x", "expires": "soon"}).encode(),
     "invalid: Expected `float`"),
    (json.dumps({"id": "u4", "type": "message", "text": "hi", "expires": time.time() - 5})
     .encode(), "expired"),
    (json.dumps({"id": "u5", "type": "state", "expires": time.time() + 3 * 86400}).encode(),
     "expires more than"),
    (json.dumps({"id": "bad id/#", "type": "state", "expires": time.time() + 60}).encode(),
     "invalid"),
    (json.dumps({"id": "u6", "type": "state", "expires": time.time() + 60, "sudo": 1})
     .encode(), "unknown field `sudo`"),
])
def test_bad_commands_are_rejected_with_a_reason_and_do_nothing(car, raw: bytes,
                                                                reason: str) -> None:
    op, link, _bus, seen = car
    before = len(op.of(REPLY))
    op.publish(COMMAND, raw)
    op.wait_for(lambda m: len(op.of(REPLY)) > before)
    reply = op.of(REPLY)[-1]
    assert reply["status"] == "rejected"
    assert reason in reply["reason"]
    acted = {topics.NAV_ROUTE_REQUEST, topics.TTS_SAY, topics.FLEET_DRIVER_MESSAGE,
             topics.VEHICLE_PRECONDITION}
    assert not [m for m in seen if m.topic in acted]
    assert link.outbox.command_log()[-1][2:] == ("rejected", reply["reason"])


def test_a_replayed_command_is_refused(car) -> None:
    op, _link, _bus, seen = car
    msg = command("r1", "message", text="Hello")
    op.publish(COMMAND, msg)
    wait_status(op, "r1", "accepted")
    op.publish(COMMAND, msg)
    rejected = wait_status(op, "r1", "rejected")
    assert rejected["reason"].startswith("replayed")
    assert len([m for m in seen if m.topic == topics.TTS_SAY]) == 1


def test_a_command_type_off_the_allow_list_is_refused(broker, operator_factory,
                                                      link_factory) -> None:
    op = operator_factory(broker.port)
    since = round(time.time(), 3) - 0.001
    link_factory(broker.url, allowed_commands=("state",))
    wait_online(op, since)
    op.publish(COMMAND, command("a1", "message", text="hi"))
    assert "not allowed" in wait_status(op, "a1", "rejected")["reason"]


@pytest.fixture(scope="module")
def nav_cache(tmp_path_factory) -> Path:
    """The map cache of this module's navigation service (runs with or without pytest's
    cache plugin)."""
    return tmp_path_factory.mktemp("fleet-map-cache")


def test_destination_is_routed_and_announced_or_refused(car, nav_cache: Path) -> None:
    from navigation.service import NavigationService

    op, _link, bus, seen = car
    sim = VehicleSimulation(load_preset("city_car"), start=(60.1650, 24.9400))
    sim.start(bus)
    nav = NavigationService(None, nav_cache)
    nav.start(bus)
    try:
        assert nav.ready.wait(180), "the default map did not load"
        op.publish(COMMAND, command("d1", "destination", destination="Kaivokatu 1"))
        done = wait_final(op, "d1", timeout=120)
        op.publish(COMMAND, command("d2", "destination", destination="Atlantis"))
        refused = wait_final(op, "d2", timeout=120)
    finally:
        nav.stop()
        sim.stop()
    assert done["status"] == "done", done
    assert refused["status"] == "rejected", refused
    assert done["distance_m"] > 100 and "Kaivokatu" in done["destination"]
    assert bus.retained(topics.NAV_ROUTE).points
    assert any("Kaivokatu" in m.payload.text for m in seen if m.topic == topics.TTS_SAY)
    assert "did you mean" in refused["reason"]  # a guess is never routed for the operator
    requests = [m.payload.destination for m in seen if m.topic == topics.NAV_ROUTE_REQUEST]
    assert requests == ["Kaivokatu 1", "Atlantis"]


