"""The Qt Quick main window: status bar, home screen and the screens other modules fill in.

View models are QObjects exposed to QML as context properties. Each screen module registers its
view model in VIEW_MODELS as "contextName": "package.module:Class"; the class takes `(bus)`.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import Property, QCoreApplication, QLocale, QObject, QUrl, Signal, Slot
from PySide6.QtGui import QImage
from PySide6.QtQml import QQmlApplicationEngine, qmlRegisterType
from PySide6.QtQuick import QQuickWindow

from kernel import topics, units
from kernel.event_bus import EventBus, Message
from kernel.qt_dispatch import QtDispatcher
from kernel.settings import Settings, SettingsStore, cache_dir
from ui.i18n import Catalog, CatalogError, catalog_for
from ui.screens import SCREENS
from ui.theme import Theme
from ui.viewmodels.settings import SettingsViewModel
from ui.viewmodels.status import StatusViewModel

log = logging.getLogger(__name__)
QML_DIR = Path(__file__).parent / "qml"

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


def screen_file(name: str) -> Path:
    return QML_DIR / "screens" / f"{name.capitalize()}Screen.qml"


class Navigator(QObject):
    """Which screen is shown; QML binds a Loader to `screenUrl`."""

    changed = Signal()

    def __init__(self, screen: str = "home") -> None:
        super().__init__()
        self._screen = "home"
        self.go(screen)

    @Slot(str)
    def go(self, name: str) -> None:
        if name not in SCREENS:
            raise ValueError(f"unknown screen {name!r}: expected one of {', '.join(SCREENS)}")
        if name != self._screen or not hasattr(self, "_shown"):
            self._screen = name
            self._shown = True
            self.changed.emit()

    def _url(self) -> str:
        path = screen_file(self._screen)
        return QUrl.fromLocalFile(str(path)).toString() if path.exists() else ""

    screen = Property(str, lambda self: self._screen, notify=changed)
    screenUrl = Property(str, _url, notify=changed)


class Shell:
    """Owns the QML engine and the view models of one main window."""

    def __init__(self, bus: EventBus, settings: Settings, store: SettingsStore, *,
                 screen: str = "home", size: tuple[int, int] = (1280, 720),
                 night: bool = False) -> None:
        self.bus = bus
        bus.install_gui_dispatcher(QtDispatcher())
        self.catalog: Catalog | None = None
        self._use_language(settings.language)
        self.theme = Theme(bus, night=night or settings.day_night == "night")
        units.publish(bus, settings.units)
        self.navigator = Navigator(screen)
        self.view_models: dict[str, QObject] = {
            "theme": self.theme,
            "navigator": self.navigator,
            "statusInfo": StatusViewModel(bus),
            "settings": SettingsViewModel(bus, store, settings),
        }
        for name, target in VIEW_MODELS.items():
            module, _, cls = target.partition(":")
            self.view_models[name] = getattr(importlib.import_module(module), cls)(bus)
        register_qml_types()
        self.engine = QQmlApplicationEngine()
        context = self.engine.rootContext()
        for name, vm in self.view_models.items():
            context.setContextProperty(name, vm)
        context.setContextProperty("initialWidth", size[0])
        context.setContextProperty("initialHeight", size[1])
        self.engine.load(QUrl.fromLocalFile(str(QML_DIR / "Main.qml")))
        roots = self.engine.rootObjects()
        if not roots:
            raise RuntimeError(f"could not load {QML_DIR / 'Main.qml'} (see the Qt warnings)")
        self.window: QQuickWindow = roots[0]
        self.theme.fitTo(*size)
        bus.subscribe(topics.UI_LANGUAGE, self._on_language, on="gui")

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
        if self.catalog is not None:
            QCoreApplication.instance().removeTranslator(self.catalog)
        self.window.close()
        shiboken6.delete(self.engine)
        del self.window, self.engine
        for view_model in self.view_models.values():  # on this (GUI) thread, not in a GC pass
            shiboken6.delete(view_model)
