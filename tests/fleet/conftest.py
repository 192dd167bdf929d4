"""A real Mosquitto per test on a free 127.0.0.1 port, an operator-side MQTT client, and a
test CA with server and client certificates made by the openssl CLI."""

from __future__ import annotations

import gc
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest

from fleet.mosquitto import MosquittoBroker

WAIT_S = 20.0  # generous: the machine is shared; a wait ends as soon as its condition holds
RECONNECT_S = (0.1, 0.5)  # the links retry a restarted broker at once, not after 1, 2, 4 s

if shutil.which("mosquitto") is None:
    pytest.skip("Debian package mosquitto is not installed", allow_module_level=True)


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """The root conftest's collection after every test, kept only for the tests that make Qt
    objects (it is what the root's does it for); the others make none, and a full collection
    costs 0.1-0.5 s a test once PySide6 is loaded."""
    yield
    if {"qapp", "qtbot", "gui_bus"} & set(request.fixturenames):
        gc.collect()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[MosquittoBroker]:
    b = MosquittoBroker(tmp_path / "broker").start()
    yield b
    b.stop()


class Operator:
    """An MQTT client on the operator's side: records every message it receives."""

    def __init__(self, url_port: int, *, client_id: str = "", username: str = "",
                 password: str = "", tls: tuple[Path, Path | None, Path | None] | None = None,
                 persistent: bool = False, subscribe: str | list[str] = "volant/#") -> None:
        self.messages: list[tuple[str, Any]] = []
        self._cond = threading.Condition()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2,
                                  client_id=client_id or f"op-{id(self)}",
                                  clean_session=not persistent)
        if username:
            self.client.username_pw_set(username, password)
        if tls is not None:
            ca, cert, key = tls
            self.client.tls_set(ca_certs=str(ca), certfile=cert and str(cert),
                                keyfile=key and str(key))
        self.subscribe_to = subscribe
        self.connected = threading.Event()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self._subscribing: set[int] = set()
        self.client.reconnect_delay_set(0.2, 1)
        self.client.connect_async("127.0.0.1", url_port)
        self.client.loop_start()
        assert self.connected.wait(WAIT_S), "operator could not connect"

    def _on_connect(self, client, _u, _f, reason, _p) -> None:
        if not reason.is_failure:
            topics = [self.subscribe_to] if isinstance(self.subscribe_to, str) \
                else self.subscribe_to
            topics = [t for t in topics if t]
            if not topics:
                self.connected.set()
            for topic in topics:  # connected once the broker has every subscription
                self._subscribing.add(client.subscribe(topic, qos=1)[1])

    def _on_subscribe(self, _c, _u, mid, _codes, _p) -> None:
        self._subscribing.discard(mid)
        if not self._subscribing:
            self.connected.set()

    def _on_message(self, _c, _u, msg) -> None:
        try:
            body: Any = json.loads(msg.payload)
        except ValueError:
            body = msg.payload
        with self._cond:
            self.messages.append((msg.topic, body))
            self._cond.notify_all()

    def wait_for(self, pred: Callable[[list[tuple[str, Any]]], bool],
                 timeout: float = WAIT_S) -> list[tuple[str, Any]]:
        with self._cond:
            assert self._cond.wait_for(lambda: pred(self.messages), timeout), \
                f"condition not met; got {self.messages[-5:]}"
            return list(self.messages)

    def of(self, topic: str) -> list[Any]:
        with self._cond:
            return [body for t, body in self.messages if t == topic]

    def publish(self, topic: str, body: Any) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.client.publish(topic, raw, qos=1).wait_for_publish(WAIT_S)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def operator_factory() -> Iterator[Callable[..., Operator]]:
    made: list[Operator] = []

    def make(port: int, **kw: Any) -> Operator:
        op = Operator(port, **kw)
        made.append(op)
        return op

    yield make
    for op in made:
        op.close()


def wait_until(pred: Callable[[], bool], timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


EC_KEY = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1")  # fast to make


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> dict[str, Path]:
    """A CA, a server certificate for 127.0.0.1 and client certificates (CN = user name)."""
    d = tmp_path_factory.mktemp("pki")
    _openssl("req", "-x509", *EC_KEY, "-nodes", "-days", "2",
             "-subj", "/CN=Volant test CA", "-keyout", str(d / "ca.key"), "-out", str(d / "ca.pem"))
    names = {"server": "127.0.0.1", "car-1": "car-1", "car-2": "car-2", "operator": "operator"}
    for name, cn in names.items():
        _openssl("req", *EC_KEY, "-nodes", "-subj", f"/CN={cn}",
                 "-keyout", str(d / f"{name}.key"), "-out", str(d / f"{name}.csr"))
        ext = d / f"{name}.ext"
        ext.write_text("subjectAltName=IP:127.0.0.1\n" if name == "server"
                       else "extendedKeyUsage=clientAuth\n")
        _openssl("x509", "-req", "-in", str(d / f"{name}.csr"), "-CA", str(d / "ca.pem"),
                 "-CAkey", str(d / "ca.key"), "-CAcreateserial", "-days", "2",
                 "-extfile", str(ext), "-out", str(d / f"{name}.pem"))
    # An impostor CA: a server certificate it signed must be refused by the vehicle.
    _openssl("req", "-x509", *EC_KEY, "-nodes", "-days", "2",
             "-subj", "/CN=Impostor", "-keyout", str(d / "evil-ca.key"),
             "-out", str(d / "evil-ca.pem"))
    return {p.stem if p.suffix == ".pem" else p.name: p for p in d.iterdir()}


FAST = """
[[campaign]]
name = "fast"
kind = "periodic"
period_ms = 100
priority = 3
signals = ["Vehicle.Speed"]
"""


@pytest.fixture
def link_factory(tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """A started FleetLink on its own bus: make(url, vehicle=..., campaigns=TOML text, **config)."""
    from fleet.campaigns import load_campaigns
    from fleet.config import FleetConfig
    from fleet.link import FleetLink
    from kernel.event_bus import EventBus

    made: list[tuple[FleetLink, EventBus]] = []

    def make(url: str, vehicle: str = "car-1", campaigns: str = FAST, **config: Any):
        path = tmp_path / f"{vehicle}-{len(made)}.toml"
        path.write_text(campaigns)
        bus = EventBus()
        link = FleetLink(FleetConfig(url, vehicle, **config), tmp_path / f"{vehicle}.outbox",
                         campaigns=load_campaigns([path]), reconnect_s=RECONNECT_S)
        link.start(bus)
        made.append((link, bus))
        return link, bus

    yield make
    for link, bus in made:
        link.stop()
        bus.close()


def seqs(bodies: list[Any]) -> list[int]:
    return [b["seq"] for b in bodies if isinstance(b, dict) and "seq" in b]


def contiguous_to(messages: list[tuple[str, Any]], vehicle: str, last: int) -> bool:
    """Every seq 1..n of the vehicle received (duplicates allowed), with n >= last."""
    got = {b["seq"] for t, b in messages
           if t.startswith(f"volant/{vehicle}/") and isinstance(b, dict) and "seq" in b}
    return bool(got) and max(got) >= last and got == set(range(1, max(got) + 1))
