"""Driving lockouts for QML: screens bind text entry and long lists to these properties."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, Signal

from kernel import topics
from kernel.event_bus import EventBus, Message


class RestrictionsViewModel(QObject):
    changed = Signal()

    def __init__(self, bus: EventBus) -> None:
        super().__init__()
        self._rules = topics.UxRestrictions("parked", False, 0)
        self._sub = bus.subscribe(topics.UX_RESTRICTIONS, self._on_rules, on="gui")

    def _on_rules(self, msg: Message) -> None:
        self._rules = msg.payload
        self.changed.emit()

    drivingState = Property(str, lambda self: self._rules.driving_state, notify=changed)
    noTextEntry = Property(bool, lambda self: self._rules.no_text_entry, notify=changed)
    maxListItems = Property(int, lambda self: self._rules.max_list_items, notify=changed)
    message = Property(str, lambda self: self._rules.message, notify=changed)
