"""The vehicle's link to its fleet: campaigns over the bus's signals, the on-disk outbox, MQTT
to the broker, and the operator's remote commands back onto the bus.

Threads: paho's network loop, and one link thread that owns the campaigns, writes the outbox,
sends and runs commands; bus handlers and MQTT callbacks only queue work for it, so neither the
vehicle simulation nor the network ever waits on the disk.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from pathlib import Path
from queue import Empty, SimpleQueue
from typing import Any

import paho.mqtt.client as mqtt

from fleet import commands
from fleet.campaigns import SIGNALS, Campaign, Collector, Record, load_campaigns, signal_value
from fleet.config import FleetConfig
from fleet.outbox import Outbox
from kernel import topics
from kernel.event_bus import EventBus, Message, Subscription
from kernel.topics import FleetLinkState, Notice, RouteRequest, Say

log = logging.getLogger(__name__)
GEAR_PARK = 126
REPLY_PRIORITY = 9
LINK_STATE_EVERY_S = 1.0
BATCH_S = 0.01  # the link thread wakes at most this often, taking all that queued meanwhile


def topic_of(vehicle: str, leaf: str) -> str:
    return f"volant/{vehicle}/{leaf}"


class FleetLink:
    """A bus module: `start(bus)` connects (in the background) and `stop()` says offline."""

    name = "fleet"  # the supervisor's name for it; its thread is fleet-<vehicle>
    tasks: tuple[str, ...] = ()

    def __init__(self, config: FleetConfig, outbox_path: Path, *,
                 campaigns: list[Campaign] | None = None, synchronous: str = "FULL",
                 window: int = 32, reconnect_s: tuple[float, float] = (1.0, 15.0),
                 clock: Callable[[], float] = time.time) -> None:
        config.check()
        self.config = config
        self.vehicle = config.vehicle_id
        self.outbox = Outbox(outbox_path, self.vehicle, max_bytes=config.outbox_bytes,
                             synchronous=synchronous)
        self.collector = Collector(campaigns if campaigns is not None else load_campaigns(
            tuple(Path(p) for p in config.campaign_files)))
        self.window = window
        self.reconnect_s = reconnect_s  # first and longest wait between attempts
        self.clock = clock
        self.connected = False
        self._queue: SimpleQueue[tuple[str, Any]] = SimpleQueue()
        self._mids: dict[int, int] = {}  # paho message id -> outbox id (link thread only)
        self._pending_routes: deque[str] = deque()
        self._pending_messages: set[str] = set()
        self._pending_precondition: set[str] = set()
        self._bus: EventBus | None = None
        self._subs: list[Subscription] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._refused = ""
        self._socket_open = False  # polled mode only
        self._retry_at = 0.0
        self._dirty = True  # something to send may have changed since the last look
        self._shown_state: tuple[str, int, int] | None = None
        self._state_at = 0.0
        self.client = self._make_client()

    # -- MQTT --------------------------------------------------------------------------------
    def _make_client(self) -> mqtt.Client:
        broker, creds = self.config.broker, self.config.credentials
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"volant-{self.vehicle}",
                             protocol=mqtt.MQTTv311, clean_session=True)
        if broker.tls:
            client.tls_set_context(creds.tls_context())
        if creds.username:
            client.username_pw_set(creds.username, creds.password())
        client.will_set(topic_of(self.vehicle, "state"), self._state_body("offline"), qos=1,
                        retain=True)
        client.reconnect_delay_set(*self.reconnect_s)
        client.max_inflight_messages_set(self.window + 4)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = lambda _c, _u, mid, _rc, _p: self._queue.put(("ack", mid))
        client.on_message = lambda _c, _u, msg: self._queue.put(("command", msg.payload))
        return client

    def _state_body(self, state: str) -> bytes:
        return json.dumps({"vehicle": self.vehicle, "state": state,
                           "ts": round(self.clock(), 3)}).encode()

    def _on_connect(self, client: mqtt.Client, _u: Any, _flags: Any, reason: Any,
                    _props: Any) -> None:
        if reason.is_failure:
            log.warning("fleet broker refused the connection: %s", reason)
            self._queue.put(("refused", str(reason)))
            return
        self.outbox.mark_connected()
        client.subscribe(topic_of(self.vehicle, "command"), qos=1)
        client.publish(topic_of(self.vehicle, "state"), self._state_body("online"), qos=1,
                       retain=True)
        self._queue.put(("connected", True))

    def _on_disconnect(self, _c: Any, _u: Any, _flags: Any, reason: Any, _p: Any) -> None:
        self._queue.put(("connected", False))

    # -- module ------------------------------------------------------------------------------
    def start(self, bus: EventBus, *, run_thread: bool = True) -> None:
        """run_thread=False: no threads of its own; the caller calls `poll()` (a simulator
        driving many vehicles from one thread)."""
        self._bus = bus
        put = self._queue.put
        self._subs = [bus.subscribe(pattern, lambda m: put(("bus", m)), name="fleet link")
                      for pattern in ("Vehicle.#", topics.VEHICLE_WARNINGS, topics.NAV_ROUTE,
                                      topics.NAV_ROUTE_ERROR, topics.NAV_DESTINATION_CANDIDATES,
                                      topics.FLEET_DRIVER_ACK,
                                      topics.VEHICLE_PRECONDITION_STATE)]
        self._publish_link_state(force=True)
        if not run_thread:
            return
        broker = self.config.broker
        self.client.connect_async(broker.host, broker.port, keepalive=30)
        self.client.loop_start()
        self._thread = threading.Thread(target=self._run, name=f"fleet-{self.vehicle}",
                                        daemon=True)
        self._thread.start()

    def poll(self, *, readable: bool = True, housekeeping: bool = True) -> None:
        """One turn without blocking, for a caller that runs many links from one thread (paho's
        external loop): (re)connect when due, read if the socket is `readable`, write what is
        pending, keepalive when `housekeeping`, then the link's own work if it has any."""
        now = time.monotonic()
        client = self.client
        if not self._socket_open and now >= self._retry_at:
            broker = self.config.broker
            try:
                client.connect(broker.host, broker.port, keepalive=30)
                self._socket_open = True
            except OSError:
                self._retry_at = now + self.reconnect_s[0]
        if self._socket_open:
            rc = client.loop_read() if readable else mqtt.MQTT_ERR_SUCCESS
            if rc == mqtt.MQTT_ERR_SUCCESS and housekeeping:
                rc = client.loop_misc()
            if rc != mqtt.MQTT_ERR_SUCCESS:
                self._socket_open = False
                self._retry_at = now + self.reconnect_s[0]
        if not self._queue.empty() or self._dirty or self.collector.next_due() <= self.clock() \
                or now - self._state_at >= LINK_STATE_EVERY_S:
            self._step(block=False)
        if self._socket_open and client.want_write() \
                and client.loop_write() != mqtt.MQTT_ERR_SUCCESS:
            self._socket_open = False
            self._retry_at = now + self.reconnect_s[0]

    def stop(self) -> None:
        for sub in self._subs:
            sub.unsubscribe()
        self._subs = []
        self._stop.set()
        self._queue.put(("wake", None))
        if self._thread is not None:
            self._thread.join(5.0)
            self._thread = None
        if self.connected:
            info = self.client.publish(topic_of(self.vehicle, "state"),
                                       self._state_body("offline"), qos=1, retain=True)
            if self._socket_open:  # polled: no network thread to send it, so no wait either
                for _ in range(5):
                    if info.is_published():
                        break
                    self.client.loop(timeout=0.05)
            else:
                with contextlib.suppress(RuntimeError, ValueError):  # lost the link meanwhile
                    info.wait_for_publish(2.0)
        self.client.disconnect()
        if not self._socket_open:
            self.client.loop_stop()
        self.outbox.close()

    # -- the link thread -----------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._step()
            except Exception as exc:  # never die silently: report and go on
                where = traceback.extract_tb(exc.__traceback__)[-1]
                text = f"{type(exc).__name__}: {exc} (at {where.filename}:{where.lineno})"
                log.error("fleet link: %s", text)
                if self._bus is not None:
                    self._bus.report("fleet link", text)
                self._stop.wait(1.0)

    def _step(self, *, block: bool = True) -> None:
        timeout = max(0.0, min(self.collector.next_due() - self.clock(), LINK_STATE_EVERY_S))
        try:
            item = self._queue.get(timeout=timeout) if block else self._queue.get_nowait()
        except Empty:
            item = None
        if item is not None and block:
            self._stop.wait(BATCH_S)  # let a burst of signals queue up: one wake for all
        acked: list[int] = []
        while item is not None:
            if item[0] == "ack":
                if (outbox_id := self._mids.pop(item[1], None)) is not None:
                    acked.append(outbox_id)
            else:
                self._handle(*item)
            try:
                item = self._queue.get_nowait()
            except Empty:
                item = None
        if acked:
            self.outbox.acknowledge(*acked)
            self._dirty = True
        self._store(self.collector.tick(self.clock()))
        if self._dirty:
            self._dirty = False
            self._send()
        self._publish_link_state()

    def _handle(self, kind: str, value: Any) -> None:
        if kind == "bus":
            self._on_bus(value)
        elif kind == "command":
            self._on_command(value)
        elif kind == "connected":
            self.connected = value
            self._refused = "" if value else self._refused
            self._dirty = True
            self._publish_link_state(force=True)
        elif kind == "refused" and self._bus is not None and value != self._refused:
            self._refused = value  # once per reason, not at every retry
            self._bus.report("fleet link", f"the broker refused the connection: {value}")

    def _on_bus(self, msg: Message) -> None:
        if msg.topic in SIGNALS:
            self._store(self.collector.update(msg.topic, signal_value(msg.topic, msg.payload),
                                              self.clock()))
        elif msg.topic == topics.NAV_ROUTE and msg.payload.points and self._pending_routes:
            cid = self._pending_routes.popleft()
            self._reply(cid, "destination", "done", destination=msg.payload.destination,
                        distance_m=round(msg.payload.distance_m))
            self._announce(Notice.of("info", "New destination from the fleet: %1",
                                     msg.payload.destination))
        elif msg.topic == topics.NAV_ROUTE_ERROR and self._pending_routes:
            cid = self._pending_routes.popleft()
            self._reply(cid, "destination", "rejected", msg.payload.reason)
        elif (msg.topic == topics.NAV_DESTINATION_CANDIDATES and msg.payload.candidates
              and self._pending_routes):
            # Not on the map exactly: the operator resends a place the map has; the driver is
            # not left to confirm a guess at someone else's words.
            cid = self._pending_routes.popleft()
            guesses = ", ".join(f"{c.name} ({c.confidence:.0%})" for c in msg.payload.candidates)
            self._reply(cid, "destination", "rejected",
                        f"{msg.payload.query!r} is not on the map; did you mean {guesses}?")
            self._bus.publish(topics.NAV_DESTINATION_CONFIRM,
                              topics.DestinationChoice(msg.payload.query, -1))
        elif msg.topic == topics.FLEET_DRIVER_ACK and msg.payload.id in self._pending_messages:
            self._pending_messages.discard(msg.payload.id)
            self._reply(msg.payload.id, "message", "done", acknowledged=True)
            self._bus.publish(topics.FLEET_DRIVER_MESSAGE, topics.DriverMessage(""))
        elif msg.topic == topics.VEHICLE_PRECONDITION_STATE \
                and msg.payload.request_id in self._pending_precondition:
            state = msg.payload
            self._pending_precondition.discard(state.request_id)
            self._reply(state.request_id, "precondition", "done", source=state.source,
                        pack_target_c=state.pack_target_c, cabin_c=state.cabin_c)

    def parked_or_charging(self) -> bool:
        values = self.collector.values
        return values.get(topics.SELECTED_GEAR) == GEAR_PARK \
            or values.get(topics.IS_CHARGING) is True

    def _store(self, records: list[Record]) -> None:
        for record in records:
            self._dirty = True
            c = record.campaign
            self.outbox.append(topic_of(self.vehicle, "event" if c.event else "telemetry"),
                               record.fields, priority=c.priority, event=c.event,
                               held=c.forward == "parked_or_charging")

    def _send(self) -> None:
        if not self.connected:
            return
        room = self.window - len(self._mids)
        batch = self.outbox.next_batch(room, release_held=self.parked_or_charging())
        for i, pending in enumerate(batch):
            info = self.client.publish(pending.topic, pending.body, qos=1)
            # NO_CONN: paho keeps it and sends it on reconnect, so it stays in flight.
            if info.rc not in (mqtt.MQTT_ERR_SUCCESS, mqtt.MQTT_ERR_NO_CONN):
                for rest in batch[i:]:
                    self.outbox.release(rest.id)
                break
            self._mids[info.mid] = pending.id

    def _publish_link_state(self, *, force: bool = False) -> None:
        if self._bus is None:
            return
        now = time.monotonic()
        if not force and now - self._state_at < LINK_STATE_EVERY_S:
            return
        state = ("connected" if self.connected else "offline", self.outbox.count,
                 self.outbox.dropped)
        if state == self._shown_state:
            return
        self._shown_state, self._state_at = state, now
        self._bus.publish(topics.FLEET_LINK, FleetLinkState(*state, self.config.broker_url))

    # -- commands ----------------------------------------------------------------------------
    def _on_command(self, raw: bytes) -> None:
        now = self.clock()
        command = commands.parse(raw, self.config.allowed_commands, now)
        if isinstance(command, commands.Refusal):
            self._reply(command.id, command.type, "rejected", command.reason)
            return
        kind = commands.type_of(command)
        if not self.outbox.remember_command(command.id, command.expires, now):
            self._reply(command.id, kind, "rejected", "replayed: this id was seen before")
            return
        self._reply(command.id, kind, "accepted")
        bus = self._bus
        assert bus is not None
        if isinstance(command, commands.Destination):
            self._pending_routes.append(command.id)
            bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest(command.destination))
        elif isinstance(command, commands.DriverText):
            self._pending_messages.add(command.id)
            bus.publish(topics.FLEET_DRIVER_MESSAGE, topics.DriverMessage(command.id,
                                                                          command.text))
            bus.publish(topics.UI_NOTICE, Notice.of("info", "Message from the fleet: %1",
                                                    command.text))
            bus.publish(topics.TTS_SAY, Say(command.text))
        elif isinstance(command, commands.Precondition):
            self._pending_precondition.add(command.id)
            bus.publish(topics.VEHICLE_PRECONDITION, topics.Precondition(
                command.departure, command.cabin_c, command.id))
        else:
            self.outbox.append(topic_of(self.vehicle, "telemetry"),
                               self.collector.snapshot(now), priority=REPLY_PRIORITY)
            self._reply(command.id, kind, "done")

    def _reply(self, cid: str, kind: str, status: str, reason: str = "", **detail: Any) -> None:
        now = self.clock()
        log.info("fleet command %s (%s): %s %s", cid or "?", kind or "?", status, reason)
        self.outbox.log_command(now, cid, kind, status, reason)
        self._dirty = True
        self.outbox.append(topic_of(self.vehicle, "command/reply"),
                           {"ts": round(now, 3), "command": cid, "type": kind,
                            "status": status, "reason": reason, **detail},
                           priority=REPLY_PRIORITY, event=True)

    def _announce(self, notice: Notice) -> None:
        if self._bus is not None:
            self._bus.publish(topics.UI_NOTICE, notice)
            self._bus.publish(topics.TTS_SAY, Say(notice.text))


class LinkUnavailable:
    """Stands in for a link its settings do not allow: says why on the bus, once."""

    name = "fleet"  # the supervisor's name for it; its thread is fleet-<vehicle>
    tasks: tuple[str, ...] = ()

    def __init__(self, broker: str, reason: str) -> None:
        self.broker, self.reason = broker, reason

    def start(self, bus: EventBus) -> None:
        bus.publish(topics.FLEET_LINK, FleetLinkState("off", broker=self.broker))
        bus.report("fleet link", f"the fleet link is off: {self.reason}")

    def stop(self) -> None:
        pass
