"""Where the fleet link connects and how it proves who it is, checked once at the door.

A broker is named by URL: `mqtts://host:port` (TLS, the server's certificate verified against
the system store or a given CA) or `mqtt://host:port` for a loopback address only, so that no
vehicle ever sends its telemetry or credentials in clear over a network. Secrets live in files
named by the settings, never in the settings themselves.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

VEHICLE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # one MQTT topic level, no wildcards
COMMAND_TYPES = ("destination", "message", "precondition", "state")


class FleetConfigError(ValueError):
    """A fleet setting that cannot be used; the message names the setting."""


@dataclass(frozen=True, slots=True)
class Broker:
    host: str
    port: int
    tls: bool


def parse_broker(url: str, where: str = "fleet_broker") -> Broker:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FleetConfigError(f"{where}: {url!r} is not a broker URL ({exc})") from None
    if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
        raise FleetConfigError(f"{where}: expected mqtts://host:port (or mqtt://127.0.0.1:port), "
                               f"got {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.username or parts.password:
        raise FleetConfigError(f"{where}: {url!r}: no path, query or credentials in the URL "
                               "(credentials go in files)")
    tls = parts.scheme == "mqtts"
    if not tls and not _loopback(parts.hostname):
        raise FleetConfigError(f"{where}: plain mqtt:// is accepted only for a loopback address, "
                               f"not {parts.hostname!r}; use mqtts://")
    return Broker(parts.hostname, port or (8883 if tls else 1883), tls)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Credentials:
    """File paths; the password is read from its file when connecting."""

    username: str = ""
    password_file: str = ""
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""

    def check(self) -> None:
        for name in ("password_file", "ca_file", "cert_file", "key_file"):
            path = getattr(self, name)
            if path and not Path(path).is_file():
                raise FleetConfigError(f"fleet_{name}: no such file {path!r}")
        if bool(self.cert_file) != bool(self.key_file):
            raise FleetConfigError("fleet_cert_file and fleet_key_file go together")
        if self.password_file and not self.username:
            raise FleetConfigError("fleet_password_file needs fleet_username")

    def password(self) -> str | None:
        if not self.password_file:
            return None
        return Path(self.password_file).read_text(encoding="utf-8").strip()

    def tls_context(self) -> ssl.SSLContext:
        """Verifies the server's certificate and host name (never turned off)."""
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if self.cert_file:
            context.load_cert_chain(self.cert_file, self.key_file)
        return context


@dataclass(frozen=True, slots=True)
class FleetConfig:
    broker_url: str
    vehicle_id: str
    credentials: Credentials = field(default_factory=Credentials)
    campaign_files: tuple[str, ...] = ()  # empty = the shipped default campaign
    allowed_commands: tuple[str, ...] = COMMAND_TYPES
    outbox_bytes: int = 20_000_000

    @property
    def broker(self) -> Broker:
        return parse_broker(self.broker_url)

    def check(self) -> None:
        """Raise FleetConfigError naming the first setting at fault."""
        self.broker  # noqa: B018 - parsing is the check
        if not VEHICLE_ID.match(self.vehicle_id):
            raise FleetConfigError(f"fleet_vehicle_id: expected 1-64 letters, digits, _ or -, "
                                   f"got {self.vehicle_id!r}")
        unknown = sorted(set(self.allowed_commands) - set(COMMAND_TYPES))
        if unknown:
            raise FleetConfigError(f"fleet_commands: unknown command type(s) {unknown}; "
                                   f"expected some of {', '.join(COMMAND_TYPES)}")
        if self.outbox_bytes < 10_000:
            raise FleetConfigError(f"fleet_outbox_bytes: at least 10000, got {self.outbox_bytes}")
        self.credentials.check()
