"""`volant fleet simulate | watch | send`: the operator's side of the fleet link, and a fleet of
headless simulated vehicles to try it on."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    fleet = sub.add_parser("fleet", help="the fleet link over MQTT: simulate vehicles, watch "
                                         "them, send them commands")
    cmds = fleet.add_subparsers(dest="fleet_command", metavar="ACTION", required=True)

    sim = cmds.add_parser("simulate", help="N headless simulated vehicles (the vehicle "
                                           "simulation and campaigns, no UI) on a broker")
    _broker_options(sim)
    sim.add_argument("--vehicles", type=int, default=3, help="how many (default 3)")
    sim.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    sim.add_argument("--vehicle-id", default="",
                     help="the id of a single vehicle (default: sim-001, sim-002 ...)")
    sim.add_argument("--campaigns", nargs="*", default=[], metavar="TOML",
                     help="campaign files (default: the shipped default campaign)")
    sim.add_argument("--navigation", action="store_true",
                     help="give each vehicle the navigation module on the default map, so "
                          "that destination commands are routed (loads the map per vehicle)")
    sim.add_argument("--state-dir", default="",
                     help="where the outboxes live (default: the user's state dir)")
    sim.set_defaults(func=_simulate)

    watch = cmds.add_parser("watch", help="a live table of the vehicles on a broker")
    _broker_options(watch)
    watch.add_argument("--json", action="store_true", help="one JSON line per refresh")
    watch.add_argument("--seconds", type=float, default=0.0,
                       help="stop after this long (default: until Ctrl-C)")
    watch.set_defaults(func=_watch)

    send = cmds.add_parser("send", help="send a command to a vehicle and wait for its reply",
                           description="destination PLACE | message TEXT | precondition HH:MM "
                                       "| state")
    _broker_options(send)
    send.add_argument("vehicle")
    send.add_argument("type", choices=("destination", "message", "precondition", "state"))
    send.add_argument("value", nargs="?", default="",
                      help="the place, the text, or the departure time HH:MM")
    send.add_argument("--expires", type=float, default=300.0,
                      help="seconds the command stays valid (default 300)")
    send.add_argument("--timeout", type=float, default=30.0,
                      help="seconds to wait for the final reply (default 30)")
    send.set_defaults(func=_send)


OPTION_OF = {"fleet_broker": "--broker", "fleet_vehicle_id": "--vehicle-id",
             "fleet_password_file": "--password-file", "fleet_ca_file": "--ca",
             "fleet_cert_file": "--cert", "fleet_key_file": "--key",
             "fleet_username": "--username"}


def _as_options(text: str) -> str:
    """A settings complaint in the words of the command line."""
    for setting, option in OPTION_OF.items():
        text = text.replace(setting, option)
    return text


def _broker_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", required=True,
                        help="mqtts://host:port, or mqtt://127.0.0.1:port (loopback only)")
    parser.add_argument("--username", default="")
    parser.add_argument("--password-file", default="", help="a file holding the password")
    parser.add_argument("--ca", default="", help="CA certificate of the broker (PEM)")
    parser.add_argument("--cert", default="", help="client certificate (PEM)")
    parser.add_argument("--key", default="", help="client key (PEM)")


def _credentials(args: argparse.Namespace):
    from fleet.config import Credentials

    return Credentials(args.username, args.password_file, args.ca, args.cert, args.key)


def _operator(args: argparse.Namespace, client_id: str):
    """A connected paho client for the operator, or SystemExit naming what is wrong."""
    import paho.mqtt.client as mqtt

    from fleet.config import FleetConfigError, parse_broker

    try:
        broker = parse_broker(args.broker, "--broker")
        creds = _credentials(args)
        creds.check()
    except FleetConfigError as exc:
        raise SystemExit(f"volant fleet: {_as_options(str(exc))}") from None
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id)
    if broker.tls:
        client.tls_set_context(creds.tls_context())
    if creds.username:
        client.username_pw_set(creds.username, creds.password())
    return client, broker


# -- simulate ----------------------------------------------------------------------------------
def _loop_route(centre: tuple[float, float], radius_m: float, phase: float):
    """A closed loop of points around the centre for a vehicle to drive, again and again."""
    from kernel.topics import RoutePath

    points = []
    for _ in range(20):
        for k in range(12):
            a = phase + 2 * math.pi * k / 12
            points.append((centre[0] + radius_m * math.cos(a) / 111_320,
                           centre[1] + radius_m * math.sin(a)
                           / (111_320 * math.cos(math.radians(centre[0])))))
    return RoutePath(points=tuple(points), speed_limits_kmh=(40.0,) * len(points),
                     destination="loop")


def _simulate(args: argparse.Namespace) -> int:
    from fleet.campaigns import CampaignError
    from fleet.config import FleetConfig, FleetConfigError
    from fleet.link import FleetLink
    from kernel import topics
    from kernel.event_bus import EventBus
    from kernel.settings import cache_dir, state_dir
    from vehicle.preset import load_preset
    from vehicle.simulation import HELSINKI_CENTRE, VehicleSimulation

    if args.vehicles < 1 or (args.vehicle_id and args.vehicles != 1):
        raise SystemExit("volant fleet simulate: --vehicles >= 1 (exactly 1 with --vehicle-id)")
    where = Path(args.state_dir) if args.state_dir else state_dir() / "fleet-sim"
    preset = load_preset("city_car")
    running: list[tuple[EventBus, VehicleSimulation, FleetLink]] = []
    extra: list[Any] = []
    try:
        for i in range(args.vehicles):
            vid = args.vehicle_id or f"sim-{i + 1:03d}"
            config = FleetConfig(args.broker, vid, _credentials(args),
                                 tuple(args.campaigns))
            bus = EventBus()
            link = FleetLink(config, where / f"{vid}.outbox")
            sim = VehicleSimulation(preset, seed=i, start=HELSINKI_CENTRE)
            link.start(bus)
            sim.start(bus)
            if args.navigation:
                from navigation.service import NavigationService

                nav = NavigationService(None, cache_dir())
                nav.start(bus)
                nav.ready.wait(300)
                extra.append(nav)
            bus.publish(topics.NAV_ROUTE, _loop_route(HELSINKI_CENTRE, 300 + 150 * (i % 10),
                                                      i * 0.7))
            running.append((bus, sim, link))
    except (FleetConfigError, CampaignError) as exc:
        for _bus, sim, link in running:
            sim.stop()
            link.stop()
        raise SystemExit(f"volant fleet simulate: {_as_options(str(exc))}") from None
    print(f"{len(running)} vehicle(s) on {args.broker} for {args.seconds:g} s; outboxes in "
          f"{where}", flush=True)
    try:
        time.sleep(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        for module in extra:
            module.stop()
        for bus, sim, link in running:
            sim.stop()
            link.stop()
            bus.close()
    return 0


# -- watch -------------------------------------------------------------------------------------
@dataclass
class VehicleView:
    """What the operator knows of one vehicle."""

    id: str
    online: bool = False
    lat: float | None = None
    lon: float | None = None
    speed: float | None = None
    soc: float | None = None
    last_seen: float = 0.0
    seqs: set[int] = field(default_factory=set)
    duplicates: int = 0

    def take(self, leaf: str, body: dict[str, Any], now: float) -> None:
        self.last_seen = now
        if leaf == "state":
            self.online = body.get("state") == "online"
            return
        seq = body.get("seq")
        if isinstance(seq, int):
            if seq in self.seqs:
                self.duplicates += 1
            self.seqs.add(seq)
        signals = body.get("signals")
        if isinstance(signals, dict):
            self.lat = signals.get("Vehicle.CurrentLocation.Latitude", self.lat)
            self.lon = signals.get("Vehicle.CurrentLocation.Longitude", self.lon)
            self.speed = signals.get("Vehicle.Speed", self.speed)
            self.soc = signals.get(
                "Vehicle.Powertrain.TractionBattery.StateOfCharge.Current", self.soc)

    @property
    def gaps(self) -> int:
        """Sequence numbers between the first and the last seen that never arrived."""
        return max(self.seqs) - min(self.seqs) + 1 - len(self.seqs) if self.seqs else 0

    def row(self, now: float) -> dict[str, Any]:
        return {"id": self.id, "online": self.online, "lat": self.lat, "lon": self.lon,
                "speed_kmh": self.speed, "soc": self.soc,
                "last_seen_s": round(now - self.last_seen, 1) if self.last_seen else None,
                "messages": len(self.seqs), "gaps": self.gaps, "duplicates": self.duplicates}


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'vehicle':<12} {'online':<6} {'position':<21} {'km/h':>6} {'SoC%':>5} "
             f"{'seen':>6} {'msgs':>7} {'gaps':>5}"]
    for r in rows:
        pos = f"{_fmt(r['lat'], '.5f')},{_fmt(r['lon'], '.5f')}"
        lines.append(f"{r['id']:<12} {'yes' if r['online'] else 'no':<6} {pos:<21} "
                     f"{_fmt(r['speed_kmh'], '.0f'):>6} {_fmt(r['soc'], '.0f'):>5} "
                     f"{_fmt(r['last_seen_s'], '.0f') + 's':>6} {r['messages']:>7} "
                     f"{r['gaps']:>5}")
    return "\n".join(lines)


def _watch(args: argparse.Namespace) -> int:
    client, broker = _operator(args, f"volant-watch-{uuid.uuid4().hex[:8]}")
    views: dict[str, VehicleView] = {}
    lock = threading.Lock()

    def on_connect(c, _u, _f, reason, _p) -> None:
        if reason.is_failure:
            print(f"volant fleet watch: the broker refused: {reason}", file=sys.stderr)
            return
        c.subscribe("volant/+/#", qos=1)

    def on_message(_c, _u, msg) -> None:
        parts = msg.topic.split("/")
        try:
            body = json.loads(msg.payload)
        except ValueError:
            return
        if len(parts) < 3 or not isinstance(body, dict):
            return
        with lock:
            view = views.setdefault(parts[1], VehicleView(parts[1]))
            view.take("/".join(parts[2:]), body, time.time())

    client.on_connect, client.on_message = on_connect, on_message
    client.connect_async(broker.host, broker.port)
    client.loop_start()
    end = time.monotonic() + args.seconds if args.seconds else math.inf
    try:
        while time.monotonic() < end:
            time.sleep(min(1.0, max(0.0, end - time.monotonic())))
            now = time.time()
            with lock:
                rows = [views[k].row(now) for k in sorted(views)]
            if args.json:
                print(json.dumps({"ts": round(now, 3), "vehicles": rows}), flush=True)
            else:
                clear = "\x1b[2J\x1b[H" if sys.stdout.isatty() else ""
                print(clear + _table(rows) + "\n", flush=True)
    except KeyboardInterrupt:
        pass
    finally:
        client.disconnect()
        client.loop_stop()
    return 0


# -- send --------------------------------------------------------------------------------------
def departure_time(text: str, now: dt.datetime | None = None) -> float:
    """The next HH:MM (local time) as unix time."""
    try:
        hour, minute = (int(x) for x in text.split(":"))
        now = now or dt.datetime.now().astimezone()
        at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    except ValueError:
        raise SystemExit(f"volant fleet send: precondition expects HH:MM, got {text!r}") \
            from None
    if at <= now:
        at += dt.timedelta(days=1)
    return at.timestamp()


def build_command(kind: str, value: str, expires_s: float) -> dict[str, Any]:
    command: dict[str, Any] = {"id": uuid.uuid4().hex, "type": kind,
                               "expires": round(time.time() + expires_s, 3)}
    if kind in ("destination", "message", "precondition") and not value:
        raise SystemExit(f"volant fleet send: {kind} needs a value")
    if kind == "destination":
        command["destination"] = value
    elif kind == "message":
        command["text"] = value
    elif kind == "precondition":
        command["departure"] = departure_time(value)
    return command


def _send(args: argparse.Namespace) -> int:
    from fleet.config import VEHICLE_ID

    if not VEHICLE_ID.match(args.vehicle):
        raise SystemExit(f"volant fleet send: not a vehicle id: {args.vehicle!r}")
    command = build_command(args.type, args.value, args.expires)
    client, broker = _operator(args, f"volant-send-{command['id'][:8]}")
    replies: list[dict[str, Any]] = []
    final = threading.Event()
    subscribed = threading.Event()
    base = f"volant/{args.vehicle}/command"

    def on_connect(c, _u, _f, reason, _p) -> None:
        if reason.is_failure:
            print(f"volant fleet send: the broker refused: {reason}", file=sys.stderr)
            final.set()
            return
        c.subscribe(f"{base}/reply", qos=1)

    def on_message(_c, _u, msg) -> None:
        try:
            body = json.loads(msg.payload)
        except ValueError:
            return
        if isinstance(body, dict) and body.get("command") == command["id"]:
            replies.append(body)
            detail = {k: v for k, v in body.items() if k not in
                      ("vehicle", "seq", "ts", "command", "type", "status", "reason")}
            print(f"{args.vehicle}: {body.get('status')}"
                  + (f" ({body['reason']})" if body.get("reason") else "")
                  + (f" {json.dumps(detail)}" if detail else ""), flush=True)
            if body.get("status") in ("done", "rejected"):
                final.set()

    client.on_connect, client.on_message = on_connect, on_message
    client.on_subscribe = lambda *_a: subscribed.set()
    client.connect_async(broker.host, broker.port)
    client.loop_start()
    try:
        if not subscribed.wait(args.timeout):
            print("volant fleet send: could not reach the broker", file=sys.stderr)
            return 2
        client.publish(base, json.dumps(command), qos=1).wait_for_publish(args.timeout)
        final.wait(args.timeout)
    finally:
        client.disconnect()
        client.loop_stop()
    statuses = [r.get("status") for r in replies]
    if "done" in statuses:
        return 0
    if "rejected" in statuses:
        return 1
    if "accepted" in statuses:
        print(f"{args.vehicle}: accepted, no final answer within {args.timeout:g} s")
        return 0
    print(f"volant fleet send: no reply from {args.vehicle} within {args.timeout:g} s",
          file=sys.stderr)
    return 2
