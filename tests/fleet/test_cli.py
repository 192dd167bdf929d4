"""`volant fleet simulate | watch | send` as the operator runs them, on a real Mosquitto; and
no gap in a vehicle's telemetry across kill -9 of its process."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from app.commands.fleet import departure_time
from kernel import topics
from kernel.topics import VssFloat
from tests.fleet.conftest import FAST, WAIT_S, contiguous_to, seqs

REPO = Path(__file__).resolve().parents[2]


def volant(*args: str, **kw) -> subprocess.Popen:
    """The CLI as a process, Ctrl-C (SIGINT) reaching it as an operator's would even when
    the tests run in the background of a script, whose shell has them ignore SIGINT (which a
    child inherits). PYTHONFAULTHANDLER: SIGABRT makes a process that does not end print
    every thread's stack."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONFAULTHANDLER": "1"}
    return subprocess.Popen([sys.executable, "-m", "app", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
                            **kw)


def refusal(*args: str) -> str:
    """What the CLI exits with, run in this process: its refusals come before any thread or
    socket (the tests above run it as a process)."""
    from app.cli import main

    with pytest.raises(SystemExit) as refused:
        main(list(args))
    assert refused.value.code not in (0, None)
    return str(refused.value.code)


def test_no_gap_across_kill_9_of_the_vehicle_process(broker, operator_factory,
                                                     tmp_path: Path) -> None:
    campaigns = tmp_path / "fast.toml"
    campaigns.write_text(FAST)
    run = ("fleet", "simulate", "--vehicles", "1", "--vehicle-id", "car-1", "--seconds", "300",
           "--broker", broker.url, "--campaigns", str(campaigns),
           "--state-dir", str(tmp_path / "state"))
    op = operator_factory(broker.port)
    vehicle = volant(*run)
    try:
        op.wait_for(lambda m: len(seqs(op.of("volant/car-1/telemetry"))) >= 10, WAIT_S * 2)
        os.kill(vehicle.pid, signal.SIGKILL)
        vehicle.wait(10)
        # The broker noticed the vanished vehicle and published its will.
        op.wait_for(lambda m: op.of("volant/car-1/state")[-1]["state"] == "offline",
                    WAIT_S * 3)
        last = max(seqs(op.of("volant/car-1/telemetry")))
        vehicle = volant(*run)
        op.wait_for(lambda m: contiguous_to(m, "car-1", last + 10), WAIT_S * 2)
        assert op.of("volant/car-1/state")[-1]["state"] == "online"
    finally:
        vehicle.send_signal(signal.SIGINT)
        try:
            vehicle.wait(20)
        except subprocess.TimeoutExpired:
            vehicle.send_signal(signal.SIGABRT)
            _, err = vehicle.communicate(timeout=20)
            pytest.fail(f"fleet simulate did not end 20 s after SIGINT; its threads:\n{err}")


def test_watch_json_shows_each_vehicle(broker, link_factory, tmp_path: Path) -> None:
    _link, bus = link_factory(broker.url)
    bus.publish(topics.SPEED, VssFloat(42.0))
    watch = volant("fleet", "watch", "--broker", broker.url, "--json", "--seconds", "2")
    out, err = watch.communicate(timeout=60)
    assert watch.returncode == 0, err
    last = json.loads(out.strip().splitlines()[-1])
    [car] = last["vehicles"]
    assert car["id"] == "car-1" and car["speed_kmh"] == 42.0
    assert car["messages"] > 5 and car["gaps"] == 0


def test_send_waits_for_the_reply(broker, link_factory) -> None:
    link, _bus = link_factory(broker.url)
    send = volant("fleet", "send", "car-1", "state", "--broker", broker.url)
    out, err = send.communicate(timeout=60)
    assert send.returncode == 0, err
    assert out.splitlines() == ["car-1: accepted", "car-1: done"]
    assert [row[2] for row in link.outbox.command_log()] == ["accepted", "done"]


@pytest.mark.parametrize(("args", "complaint"), [
    (("--broker", "mqtt://broker.example.com:1883"), "only for a loopback address"),
    (("--broker", "http://127.0.0.1:1"), "expected mqtts://"),
    (("--broker", "mqtts://127.0.0.1:1", "--ca", "/no/such/ca.pem"), "--ca: no such file"),
])
def test_send_refuses_a_bad_broker_setting(args: tuple[str, ...], complaint: str) -> None:
    assert complaint in refusal("fleet", "send", "car-1", "state", *args)


def test_departure_is_the_next_such_time() -> None:
    now = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)
    assert departure_time("07:30", now) == dt.datetime(2026, 1, 6, 7, 30, tzinfo=dt.UTC).timestamp()
    assert departure_time("09:15", now) == dt.datetime(2026, 1, 5, 9, 15, tzinfo=dt.UTC).timestamp()
    with pytest.raises(SystemExit, match="HH:MM"):
        departure_time("half past seven", now)


def test_simulate_refuses_a_broken_campaign_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[campaign]]\nname = "x"\nkind = "whenever"\nsignals = ["Vehicle.Speed"]\n')
    err = refusal("fleet", "simulate", "--vehicles", "1", "--seconds", "1", "--broker",
                  "mqtt://127.0.0.1:1", "--campaigns", str(bad), "--state-dir", str(tmp_path))
    assert str(bad) in err and "$.campaign[0].kind" in err
