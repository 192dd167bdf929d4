"""`volant demo`: one scripted drive through every module, as a driver would live it.

Music starts; the driver *says* (a real WAV through the voice input) "navigate to the nearest
charging station"; the route appears; the simulated car drives it at N x speed; guidance
prompts are spoken (to WAV files when offscreen) while the music ducks; the battery drains by
the vehicle model; arrival is announced. The bus variant drives a line with next-stop
announcements. `--out` receives the bus recording, the prompts and screenshots on the way.

The script runs on its own thread and waits on bus events; the Qt event loop keeps the window
live; screenshots are taken on the GUI thread.
"""

from __future__ import annotations

import faulthandler
import json
import logging
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from kernel import topics
from kernel.event_bus import EventBus
from kernel.recording import Recorder
from kernel.settings import cache_dir
from kernel.topics import DriverControl, MediaCommand, Notice, SimSetting
from kernel.watch import BusLog

log = logging.getLogger(__name__)
START = (60.1650, 24.9400)  # Bulevardi, Helsinki: a few turns from the chargers up north
UTTERANCE = "navigate to the nearest charging station"
BUS_STOPS = ["Bulevardi", "Mannerheimintie", "Kaivokatu 1"]
STEP_TIMEOUT_S = 120.0
SHUTDOWN_TIMEOUT_S = 90.0


class DemoFailed(RuntimeError):
    """A step of the demo did not happen; the message says which."""


class Demo:
    def __init__(self, out: Path, speed: float, bus_variant: bool) -> None:
        self.out = out
        self.speed = speed
        self.bus_variant = bus_variant
        self.bus = EventBus()
        self.log = BusLog(self.bus, name="demo")
        self.shots: list[Path] = []
        self.summary: dict = {}

    def wait_for(self, topic: str, test: Callable[[object], bool] = lambda _p: True,
                 what: str = "", timeout: float = STEP_TIMEOUT_S, since: int = 0) -> object:
        """The first message on `topic` (from index `since`) whose payload passes `test`."""
        try:
            return self.log.wait(topic, test, timeout, since, what)
        except TimeoutError as exc:
            raise DemoFailed(str(exc)) from None

    # -- the modules -----------------------------------------------------------------------
    def modules(self, data: Path) -> list:
        from app.composition import Overrides, compose
        from kernel.settings import Settings
        from navigation.service import BusLine

        settings = Settings(vehicle_preset="bus_12m" if self.bus_variant else "city_car",
                            profile="bus" if self.bus_variant else "car", language="en")
        return compose(settings, Overrides(
            root=data, map_cache=cache_dir(), start=START, soc_percent=62.0, pack_c=66.0,
            outside_c=4.0, line=BusLine("Demo 1", BUS_STOPS) if self.bus_variant else None,
            voice=True, speech_dir=self.out / "prompts"))

    # -- the script ------------------------------------------------------------------------
    def script(self, shoot: Callable[[str, str], Path]) -> None:
        bus = self.bus
        self.wait_for(topics.NAV_MAP, what="map")
        self.wait_for(topics.MEDIA_LIBRARY, lambda p: not p.scanning and p.tracks,
                      what="music library")
        shoot("home", "01-home")
        bus.publish(topics.MEDIA_COMMAND, MediaCommand("play"))
        self.wait_for(topics.MEDIA_STATE, lambda p: p.status == "playing", what="music")
        shoot("media", "02-media")
        soc_start = bus.retained(topics.SOC).value
        if self.bus_variant:
            self.wait_for(topics.NAV_ROUTE, lambda p: bool(p.points), what="bus line route")
        else:
            wav = self.out / "driver-says.wav"
            speak(UTTERANCE, wav)
            mark = len(self.log)
            bus.publish(topics.VOICE_AUDIO_FILE, topics.AudioFile(str(wav)))
            intent = self.wait_for(topics.VOICE_INTENT, what="the driver's command understood",
                                   since=mark)
            self.summary["heard"] = intent.transcript
            self.wait_for(topics.NAV_ROUTE, lambda p: bool(p.points), what="route", since=mark)
            shoot("voice", "03-voice")
        route = bus.retained(topics.NAV_ROUTE)
        self.summary["route"] = {"destination": route.destination,
                                 "distance_m": route.distance_m, "duration_s": route.duration_s}
        shoot("map", "04-map-route")
        bus.publish(topics.VEHICLE_CONTROL, DriverControl(mode="auto"))
        bus.publish(topics.SIM_SETTING, SimSetting("time_factor", self.speed))
        first = self.wait_for(topics.NAV_ANNOUNCEMENT, what="a guidance prompt")
        playing = bus.retained(topics.MEDIA_STATE)
        self.wait_for(topics.MEDIA_STATE, lambda p: p.output_volume < playing.output_volume
                      or p.output_volume < 60, what="music ducked under the prompt")
        shoot("dashboard", "05-dashboard-driving")
        shoot("map", "06-map-driving")
        drive_s = route.duration_s / max(1.0, self.speed) * 4 + 60
        arrived = self.wait_for(topics.NAV_EVENT, lambda p: p.kind == "arrived",
                                what="arrival", timeout=drive_s)
        self.wait_for(topics.TTS_STATE, lambda p: not p.speaking, what="the last prompt",
                      since=len(self.log) - 1)
        shoot("dashboard", "07-dashboard-arrived")
        shoot("map", "08-map-arrived")
        prompts = [p.text for p in self.log.payloads(topics.NAV_ANNOUNCEMENT)]
        volumes = [p.output_volume for p in self.log.payloads(topics.MEDIA_STATE)
                   if p.status == "playing"]
        self.summary.update({
            "first_prompt": first.text, "prompts": prompts, "arrival": arrived.text,
            "soc_start": soc_start, "soc_end": bus.retained(topics.SOC).value,
            "odometer_km": bus.retained(topics.TRAVELED_DISTANCE).value,
            "music_volume_min_max": [min(volumes), max(volumes)] if volumes else [],
            "next_stops": [p.name for p in self.log.payloads(topics.NAV_BUS_NEXT_STOP)
                           if p.distance_m == 0 and p.name],
        })


def speak(text: str, wav: Path) -> None:
    """The driver's voice: espeak-ng's US English, as a microphone recording would be."""
    wav.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)


def run_demo(out: Path, speed: float = 10.0, offscreen: bool = False,
             bus_variant: bool = False) -> int:
    """Run the scripted drive; 0 when it arrived and everything was written."""
    import os

    if offscreen:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        os.environ.setdefault("QT_QUICK_BACKEND", "software")
    os.environ.setdefault("QT_QUICK_CONTROLS_STYLE", "Basic")
    from kernel.settings import Settings, SettingsStore
    from ui.application import application
    from ui.shell import Shell

    out.mkdir(parents=True, exist_ok=True)
    qapp = application()
    demo = Demo(out, speed, bus_variant)
    recorder = Recorder(out / "drive.jsonl")
    recorder.start(demo.bus)
    store = SettingsStore(out / "settings.toml")
    shell = Shell(demo.bus, Settings(), store, size=(1280, 720))
    outcome: dict[str, object] = {}

    def shoot(screen: str, name: str) -> Path:
        """Show `screen` and save it, on the GUI thread; the script waits for the file."""
        path = out / "screenshots" / f"{name}.png"
        done = threading.Event()

        def grab() -> None:
            shell.navigator.go(screen)
            deadline = time.monotonic() + 0.6  # let the screen load and draw
            while time.monotonic() < deadline:
                qapp.processEvents()
            path.parent.mkdir(parents=True, exist_ok=True)
            shell.grab().save(str(path))
            done.set()

        shell_dispatcher.dispatch(grab)
        if not done.wait(30):
            raise DemoFailed(f"screenshot {name} not taken")
        demo.shots.append(path)
        return path

    def script() -> None:
        try:
            demo.script(shoot)
            outcome["code"] = 0
        except (DemoFailed, subprocess.CalledProcessError, OSError) as exc:
            outcome["code"], outcome["error"] = 1, str(exc)
            demo.bus.publish(topics.UI_NOTICE, Notice.of("error", "Demo stopped: %1", str(exc)))
        finally:
            shell_dispatcher.dispatch(qapp.quit)
            # Quitting and stopping the modules take seconds; if they hang, say where and exit.
            faulthandler.dump_traceback_later(SHUTDOWN_TIMEOUT_S, exit=True)

    from kernel.qt_dispatch import QtDispatcher

    shell_dispatcher = QtDispatcher()
    with tempfile.TemporaryDirectory() as tmp:
        modules = demo.modules(Path(tmp))
        for module in modules:
            module.start(demo.bus)
        worker = threading.Thread(target=script, name="demo-script", daemon=True)
        worker.start()
        qapp.exec()
        worker.join(5)
        for module in reversed(modules):
            module.stop()
        shell.close()
        demo.bus.close()
        recorder.stop()
    faulthandler.cancel_dump_traceback_later()
    demo.summary["screenshots"] = [p.name for p in demo.shots]
    demo.summary["prompt_files"] = sorted(p.name for p in (out / "prompts").glob("*.wav"))
    if "error" in outcome:
        demo.summary["error"] = outcome["error"]
    (out / "summary.json").write_text(json.dumps(demo.summary, indent=2, ensure_ascii=False),
                                      encoding="utf-8")
    code = int(outcome.get("code", 1))
    if code:
        log.error("demo failed: %s", outcome.get("error"))
    return code
