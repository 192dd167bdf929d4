"""A Mosquitto broker of our own on 127.0.0.1 (tests, benchmarks, demos), and the ACL a fleet
broker needs so that a vehicle publishes only under its own prefix and reads only its own
commands.

Run as root, mosquitto would switch to the `mosquitto` user, which cannot read a root-owned
temporary directory (config, certificates, persistence); the generated config then says
`user root`: this broker is a throwaway process on loopback, not a production service.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

OPERATOR = "operator"


def acl_rules(operator: str = OPERATOR) -> str:
    """Mosquitto ACL: `%u` is the vehicle's user name (its id; with client certificates the
    certificate's CN via use_identity_as_username)."""
    return "\n".join([
        f"user {operator}",
        "topic read volant/#",
        "topic write volant/+/command",
        "",
        "pattern write volant/%u/telemetry",
        "pattern write volant/%u/event",
        "pattern write volant/%u/state",
        "pattern write volant/%u/command/reply",
        "pattern read volant/%u/command",
        "",
    ])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Tls:
    ca: Path
    cert: Path
    key: Path
    require_certificate: bool = False  # True: clients prove who they are by certificate


class MosquittoBroker:
    """`start()` runs mosquitto and waits until it accepts connections; `stop()` ends it by
    its pid (SIGTERM: it saves its persistence first; `kill()` is SIGKILL)."""

    def __init__(self, workdir: Path, *, port: int = 0, tls: Tls | None = None,
                 passwords: dict[str, str] | None = None, acl: bool = False,
                 max_queued: int = 1_000_000) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.tls = tls
        self.passwords = passwords
        self.acl = acl
        self.max_queued = max_queued
        self.process: subprocess.Popen | None = None
        self.config = workdir / "mosquitto.conf"
        self.log = workdir / "mosquitto.log"

    @property
    def url(self) -> str:
        return f"{'mqtts' if self.tls else 'mqtt'}://127.0.0.1:{self.port}"

    def _write_config(self) -> None:
        d = self.workdir
        (d / "data").mkdir(parents=True, exist_ok=True)
        lines = [f"listener {self.port} 127.0.0.1",
                 "persistence true", f"persistence_location {d / 'data'}/",
                 "autosave_interval 1", f"max_queued_messages {self.max_queued}",
                 "max_inflight_messages 100", "log_dest stderr", "log_type error",
                 "log_type warning"]
        if os.geteuid() == 0:
            lines.append("user root")
        if self.passwords is not None:
            pw = d / "passwords"
            pw.write_text("".join(f"{u}:{p}\n" for u, p in self.passwords.items()))
            subprocess.run(["mosquitto_passwd", "-U", str(pw)], check=True,
                           capture_output=True)
            lines += [f"password_file {pw}", "allow_anonymous false"]
        elif self.tls is not None and self.tls.require_certificate:
            lines.append("allow_anonymous false")
        else:
            lines.append("allow_anonymous true")
        if self.tls is not None:
            lines += [f"cafile {self.tls.ca}", f"certfile {self.tls.cert}",
                      f"keyfile {self.tls.key}", "tls_version tlsv1.2"]
            if self.tls.require_certificate:
                lines += ["require_certificate true", "use_identity_as_username true"]
        if self.acl:
            acl = d / "acl"
            acl.write_text(acl_rules())
            lines.append(f"acl_file {acl}")
        self.config.write_text("\n".join(lines) + "\n")

    def start(self, timeout: float = 10.0) -> MosquittoBroker:
        self._write_config()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(["mosquitto", "-c", str(self.config)],
                                            stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto exited: {self.log.read_text()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"mosquitto did not listen on {self.port} in {timeout} s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.process = None

    def kill(self) -> None:
        self.stop(signal.SIGKILL)
