"""Settings screen view model: edits Settings and saves each change at once."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal, Slot

from kernel import topics, units
from kernel.event_bus import EventBus
from kernel.languages import LANGUAGES
from kernel.settings import Settings, SettingsStore


class SettingsViewModel(QObject):
    changed = Signal()

    def __init__(self, bus: EventBus, store: SettingsStore, settings: Settings) -> None:
        super().__init__()
        self._bus = bus
        self._store = store
        self._settings = settings

    def _set(self, name: str, value: object) -> bool:
        """True when the value changed (the schema refuses a bad one); a save that fails is
        told to the driver and the change holds for this session."""
        if getattr(self._settings, name) == value:
            return False
        problems = self._settings.assign(name, value)
        if problems:
            self._bus.publish(topics.UI_NOTICE, topics.Notice("; ".join(problems), "error"))
            self.changed.emit()
            return False
        if not self._store.save(self._settings):
            self._bus.publish(topics.UI_NOTICE, topics.Notice(self._store.problem, "error"))
        self.changed.emit()
        return True

    @Slot(str)
    def setLanguage(self, value: str) -> None:
        if self._set("language", value):
            self._bus.publish(topics.UI_LANGUAGE, topics.Language(value))

    @Slot(str)
    def setUnits(self, value: str) -> None:
        if self._set("units", value):
            units.publish(self._bus, value)

    @Slot(str)
    def setDayNight(self, value: str) -> None:
        self._set("day_night", value)
        if value in ("day", "night"):
            self._bus.publish(topics.DAY_NIGHT_MODE, topics.VssString(value.upper()))

    @Slot(bool)
    def setVoiceEnabled(self, value: bool) -> None:
        self._set("voice_enabled", value)

    @Slot(bool)
    def setWakePhrase(self, value: bool) -> None:
        if self._set("wake_phrase", value):
            self._bus.publish(topics.VOICE_WAKE, topics.WakePhrase(value))

    language = Property(str, lambda self: self._settings.language, notify=changed)
    languages = Property(list, lambda self: list(LANGUAGES), constant=True)
    languageNames = Property(list, lambda self: list(LANGUAGES.values()), constant=True)
    units = Property(str, lambda self: self._settings.units, notify=changed)
    dayNight = Property(str, lambda self: self._settings.day_night, notify=changed)
    voiceEnabled = Property(bool, lambda self: self._settings.voice_enabled, notify=changed)
    wakePhrase = Property(bool, lambda self: self._settings.wake_phrase, notify=changed)
    path = Property(str, lambda self: str(self._store.path), constant=True)
