"""TLS, passwords, client certificates and the broker ACL, on a real Mosquitto: a vehicle
cannot publish as another or read another's commands, and a command from a client that may not
send it is never executed."""

from __future__ import annotations

import json
import socket
import ssl
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from fleet.config import Credentials, FleetConfig, FleetConfigError
from fleet.mosquitto import MosquittoBroker, Tls
from kernel import topics
from kernel.event_bus import Message
from kernel.topics import VssFloat
from tests.fleet.conftest import WAIT_S, seqs

USERS = {"car-1": "pw-car-1", "car-2": "pw-car-2", "operator": "pw-operator"}


@pytest.fixture
def secure(tmp_path: Path, pki):
    broker = MosquittoBroker(tmp_path / "secure", tls=Tls(pki["ca"], pki["server"],
                                                           pki["server.key"]),
                             passwords=USERS, acl=True).start()
    yield broker
    broker.stop()


def password_file(tmp_path: Path, user: str) -> Path:
    path = tmp_path / f"{user}.password"
    path.write_text(USERS[user] + "\n")
    return path


def creds(tmp_path: Path, pki, user: str) -> Credentials:
    return Credentials(user, str(password_file(tmp_path, user)), str(pki["ca"]))


def operator(factory, broker, pki, user: str = "operator", **kw):
    return factory(broker.port, username=user, password=USERS[user], tls=(pki["ca"], None, None),
                   client_id=f"{user}-{time.monotonic_ns()}", **kw)


def test_telemetry_over_tls_with_a_password(secure, pki, tmp_path, operator_factory,
                                            link_factory) -> None:
    op = operator(operator_factory, secure, pki)
    _link, bus = link_factory(secure.url, credentials=creds(tmp_path, pki, "car-1"))
    bus.publish(topics.SPEED, VssFloat(12.0))
    op.wait_for(lambda m: len(seqs(op.of("volant/car-1/telemetry"))) >= 3)


def test_the_server_certificate_is_verified(secure, pki) -> None:
    context = Credentials(ca_file=str(pki["evil-ca"])).tls_context()
    with socket.create_connection(("127.0.0.1", secure.port), 5) as raw, \
            pytest.raises(ssl.SSLCertVerificationError):
        context.wrap_socket(raw, server_hostname="127.0.0.1")
    trusted = Credentials(ca_file=str(pki["ca"])).tls_context()
    with socket.create_connection(("127.0.0.1", secure.port), 5) as raw, \
            trusted.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
        assert tls.version() is not None


def test_a_wrong_password_is_refused_and_reported(secure, pki, tmp_path, link_factory) -> None:
    wrong = tmp_path / "wrong.password"
    wrong.write_text("guess\n")
    errors: list[Message] = []
    _link, bus = link_factory(secure.url, credentials=Credentials("car-1", str(wrong),
                                                                  str(pki["ca"])))
    bus.subscribe(topics.BUS_ERROR, errors.append)
    deadline = time.monotonic() + WAIT_S
    while not errors and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "refused" in errors[0].payload.message
    assert bus.retained(topics.FLEET_LINK).state == "offline"


def raw_client(secure, pki, user: str) -> mqtt.Client:
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"raw-{user}")
    client.username_pw_set(user, USERS[user])
    client.tls_set(ca_certs=str(pki["ca"]))
    client.connect("127.0.0.1", secure.port)
    client.loop_start()
    return client


def test_a_vehicle_cannot_publish_as_another(secure, pki, operator_factory) -> None:
    op = operator(operator_factory, secure, pki)
    car2 = raw_client(secure, pki, "car-2")
    try:
        forged = {"vehicle": "car-1", "seq": 1, "ts": 0, "signals": {"Vehicle.Speed": 250}}
        car2.publish("volant/car-1/telemetry", json.dumps(forged), qos=1).wait_for_publish(5)
        car2.publish("volant/car-2/telemetry", b'{"marker": 1}', qos=1).wait_for_publish(5)
        op.wait_for(lambda m: op.of("volant/car-2/telemetry"))  # delivered after the forgery
        assert op.of("volant/car-1/telemetry") == []
    finally:
        car2.disconnect()
        car2.loop_stop()


def test_a_vehicle_cannot_read_another_vehicles_commands(secure, pki, operator_factory) -> None:
    op = operator(operator_factory, secure, pki, subscribe="")
    spy = operator(operator_factory, secure, pki, user="car-2",
                   subscribe=["volant/car-1/command", "volant/car-2/command"])
    op.publish("volant/car-1/command", {"id": "secret", "type": "state", "expires": 9e9})
    op.publish("volant/car-2/command", {"id": "own", "type": "state", "expires": 9e9})
    spy.wait_for(lambda m: spy.of("volant/car-2/command"))
    assert spy.of("volant/car-1/command") == []


def test_a_command_from_an_unauthorised_client_is_never_executed(
        secure, pki, tmp_path, operator_factory, link_factory) -> None:
    op = operator(operator_factory, secure, pki)
    link, bus = link_factory(secure.url, credentials=creds(tmp_path, pki, "car-1"))
    seen: list[Message] = []
    bus.subscribe(topics.TTS_SAY, seen.append)
    op.wait_for(lambda m: any(t == "volant/car-1/state" for t, _ in m))
    car2 = raw_client(secure, pki, "car-2")
    try:
        evil = {"id": "evil", "type": "message", "text": "Drive into the lake",
                "expires": time.time() + 60}
        car2.publish("volant/car-1/command", json.dumps(evil), qos=1).wait_for_publish(5)
    finally:
        car2.disconnect()
        car2.loop_stop()
    good = {"id": "good", "type": "state", "expires": time.time() + 60}
    op.publish("volant/car-1/command", good)
    op.wait_for(lambda m: any(r["command"] == "good" and r["status"] == "done"
                              for r in op.of("volant/car-1/command/reply")))
    assert all(r["command"] == "good" for r in op.of("volant/car-1/command/reply"))
    assert [row[0] for row in link.outbox.command_log()] == ["good", "good"]
    assert seen == []


@pytest.fixture
def by_certificate(tmp_path: Path, pki):
    """Set up before the links, so stopped after them: a link stopping against a vanished
    broker waits for its last words in vain."""
    broker = MosquittoBroker(tmp_path / "certs", tls=Tls(pki["ca"], pki["server"],
                                                         pki["server.key"],
                                                         require_certificate=True),
                             acl=True).start()
    yield broker
    broker.stop()


def test_client_certificates_name_the_vehicle(by_certificate, pki, operator_factory,
                                              link_factory) -> None:
    broker = by_certificate
    op = operator_factory(broker.port, tls=(pki["ca"], pki["operator"], pki["operator.key"]))
    cert = Credentials(ca_file=str(pki["ca"]), cert_file=str(pki["car-1"]),
                       key_file=str(pki["car-1.key"]))
    _link, bus = link_factory(broker.url, credentials=cert)
    bus.publish(topics.SPEED, VssFloat(5.0))
    op.wait_for(lambda m: len(seqs(op.of("volant/car-1/telemetry"))) >= 3)
    # The same certificate under another vehicle's id: the ACL (CN = car-1) stops it.
    _impostor, bus2 = link_factory(broker.url, vehicle="car-2", credentials=cert)
    bus2.publish(topics.SPEED, VssFloat(5.0))
    count = len(op.of("volant/car-1/telemetry"))
    op.wait_for(lambda m: len(op.of("volant/car-1/telemetry")) >= count + 5)
    assert op.of("volant/car-2/telemetry") == []


@pytest.mark.parametrize(("url", "vehicle", "complaint"), [
    ("mqtt://10.0.0.5:1883", "car-1", "only for a loopback address"),
    ("mqtts://host:8883/path", "car-1", "no path"),
    ("mqtts://user:pw@host:8883", "car-1", "credentials go in files"),
    ("mqtts://host:8883", "car/1/#", "fleet_vehicle_id"),
    ("mqtts://host:8883", "", "fleet_vehicle_id"),
])
def test_unsafe_settings_are_refused(url: str, vehicle: str, complaint: str) -> None:
    with pytest.raises(FleetConfigError, match=complaint):
        FleetConfig(url, vehicle).check()


def test_missing_credential_files_are_named(tmp_path: Path) -> None:
    config = FleetConfig("mqtts://h:8883", "car-1",
                         Credentials("car-1", str(tmp_path / "nope")))
    with pytest.raises(FleetConfigError, match="fleet_password_file: no such file"):
        config.check()
