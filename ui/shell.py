"""The Qt Quick windows: the head unit (ui/qml/Main.qml) and the instrument cluster
(ui/qml/Cluster.qml).

View models are QObjects handed to the root window as its required (initial) properties, which
pass them on to the screens; panels and controls get plain values. Each screen module registers
its view model in VIEW_MODELS as "propertyName": "package.module:Class"; the class takes `(bus)`.
The QML modules `controls` and `panels` live in ui/qml, which is on the engine's import path.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import Property, QCoreApplication, QLocale, QObject, QPoint, QUrl, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtQml import QQmlApplicationEngine, qmlRegisterType
from PySide6.QtQuick import QQuickWindow

from kernel import topics, units
from kernel.event_bus import EventBus, Message
from kernel.qt_dispatch import QtDispatcher
from kernel.settings import Settings, SettingsStore, cache_dir
from ui.chimes import Chimes
from ui.i18n import Catalog, CatalogError, catalog_for
from ui.icons import IconProvider
from ui.screens import SCREENS
from ui.theme import Theme
from ui.viewmodels.settings import SettingsViewModel
from ui.viewmodels.status import StatusViewModel

log = logging.getLogger(__name__)
CLUSTER_SIZE = (1280, 480)
WINDOW_GAP = 8
QML_DIR = Path(__file__).parent / "qml"
HEAD_UNIT_SCREENS = SCREENS[:-1]  # all but the cluster, which has its own window

VIEW_MODELS: dict[str, str] = {
    "restrictions": "ui.viewmodels.restrictions:RestrictionsViewModel",
    "vehicle": "ui.viewmodels.vehicle:VehicleViewModel",
    "mapView": "ui.viewmodels.map:MapViewModel",
    "voice": "ui.viewmodels.voice:VoiceViewModel",
    "media": "ui.viewmodels.media:MediaViewModel",
}


def register_qml_types() -> None:
    """QML types implemented in Python (import Volant 1.0)."""
    from ui.map_canvas import MapCanvas

    qmlRegisterType(MapCanvas, "Volant", 1, 0, "MapCanvas")


class Navigator(QObject):
    """Which head unit screen is shown: the base (home, map) or a full-screen view over it."""

    changed = Signal()

    def __init__(self, screen: str = "home") -> None:
        super().__init__()
        self._screen = "home"
        self.go(screen)

    @Slot(str)
    def go(self, name: str) -> None:
        if name not in HEAD_UNIT_SCREENS:
            raise ValueError(f"unknown screen {name!r}: expected one of "
                             f"{', '.join(HEAD_UNIT_SCREENS)}")
        if name != self._screen or not hasattr(self, "_shown"):
            self._screen = name
            self._shown = True
            self.changed.emit()

    screen = Property(str, lambda self: self._screen, notify=changed)


def load_window(engine: QQmlApplicationEngine, qml: str,
                properties: dict[str, QObject]) -> QQuickWindow:
    """Load one of ui/qml's root windows with its view models as initial properties."""
    engine.addImportPath(str(QML_DIR))
    engine.addImageProvider("icon", IconProvider())
    engine.setInitialProperties(properties)
    engine.load(QUrl.fromLocalFile(str(QML_DIR / qml)))
    roots = engine.rootObjects()
    if not roots:
        raise RuntimeError(f"could not load {QML_DIR / qml} (see the Qt warnings)")
    return roots[0]


class Shell:
    """Owns the QML engine and the view models of one main window."""

    def __init__(self, bus: EventBus, settings: Settings, store: SettingsStore, *,
                 screen: str = "home", size: tuple[int, int] = (1280, 720),
                 night: bool = False, cluster: bool = False) -> None:
        """`screen` "cluster" makes the cluster the main window (for its screenshot);
        `cluster` opens it as a second window beside the head unit."""
        self.bus = bus
        bus.install_gui_dispatcher(QtDispatcher())
        self.catalog: Catalog | None = None
        self._use_language(settings.language)
        self.theme = Theme(bus, night=night or settings.day_night == "night")
        units.publish(bus, settings.units)
        self.navigator = Navigator("home" if screen == "cluster" else screen)
        self.view_models: dict[str, QObject] = {
            "theme": self.theme,
            "navigator": self.navigator,
            "statusInfo": StatusViewModel(bus),
            "settings": SettingsViewModel(bus, store, settings),
        }
        for name, target in VIEW_MODELS.items():
            module, _, cls = target.partition(":")
            self.view_models[name] = getattr(importlib.import_module(module), cls)(bus)
        # the head unit's alert chimes; the cluster's own screenshot has no speaker
        self.chimes = Chimes(bus) if screen != "cluster" else None
        register_qml_types()
        self.engine = QQmlApplicationEngine()
        self.cluster_engine: QQmlApplicationEngine | None = None
        self.cluster: QQuickWindow | None = None
        if screen == "cluster":
            self.window = self._load_cluster(self.engine, self.theme)
        else:
            self.window = load_window(self.engine, "Main.qml", {
                "theme": self.theme, "navigator": self.navigator,
                "status": self.view_models["statusInfo"],
                **{name: vm for name, vm in self.view_models.items()
                   if name not in ("theme", "navigator", "statusInfo")}})
            if cluster:
                self.cluster_theme = Theme(bus, night=self.theme.night)
                self.cluster_engine = QQmlApplicationEngine()
                self.cluster = self._load_cluster(self.cluster_engine, self.cluster_theme)
                self.cluster.resize(*CLUSTER_SIZE)
                self.cluster_theme.fitTo(*CLUSTER_SIZE)
        self.window.resize(*size)
        self.theme.fitTo(*size)
        bus.subscribe(topics.UI_LANGUAGE, self._on_language, on="gui")

    def _load_cluster(self, engine: QQmlApplicationEngine, theme: Theme) -> QQuickWindow:
        return load_window(engine, "Cluster.qml", {
            "theme": theme, "vehicle": self.view_models["vehicle"],
            "mapView": self.view_models["mapView"]})

    def place(self, simulator=None) -> None:
        """Windows side by side on the desktop: the head unit, the cluster under it, the
        simulator on the right, so none covers another."""
        frame = self.window.frameGeometry()
        self.window.setPosition(0, 0)
        if self.cluster is not None:
            self.cluster.setPosition(QPoint(0, frame.height() + WINDOW_GAP))
        if simulator is not None:
            simulator.move(frame.width() + WINDOW_GAP, 0)

    def _use_language(self, language: str) -> None:
        """Install the language's screen texts; a broken catalog leaves the screens in English."""
        try:
            catalog = catalog_for(language, cache_dir() / "translations")
        except CatalogError as exc:
            log.error("%s", exc)
            self.bus.publish(topics.UI_NOTICE,
                             topics.Notice(f"{exc}; the screens stay in English", "error"))
            catalog, language = None, "en"
        QLocale.setDefault(QLocale(language))  # numbers as the language writes them: 1,5 km
        app = QCoreApplication.instance()
        if self.catalog is not None:
            app.removeTranslator(self.catalog)
        if catalog is not None:
            app.installTranslator(catalog)
        self.catalog = catalog

    def _on_language(self, msg: Message) -> None:
        self._use_language(msg.payload.code)
        self.engine.retranslate()
        if self.cluster_engine is not None:
            self.cluster_engine.retranslate()
        for view_model in self.view_models.values():  # texts the view models translate
            changed = getattr(view_model, "changed", None)
            if changed is not None:
                changed.emit()

    def grab(self) -> QImage:
        return self.window.grabWindow()

    def close(self) -> None:
        """Destroy the QML scene before the view models it binds to, and release every
        subscription the screens made."""
        self.bus.remove_gui_dispatcher()
        if self.chimes is not None:
            self.chimes.close()
            shiboken6.delete(self.chimes)
            self.chimes = None
        if self.catalog is not None:
            QCoreApplication.instance().removeTranslator(self.catalog)
        self.window.close()
        if self.cluster is not None:
            self.cluster.close()
            shiboken6.delete(self.cluster_engine)
            del self.cluster, self.cluster_engine
        shiboken6.delete(self.engine)
        del self.window, self.engine
        for view_model in self.view_models.values():  # on this (GUI) thread, not in a GC pass
            shiboken6.delete(view_model)
