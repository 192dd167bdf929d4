"""Driving lockouts: derive the driver-distraction rules from speed and gear.

Rules (documented in the README): parked (gear P) or idling (speed <= WALKING_KMH) allows
everything; above walking speed text entry is disabled and lists are cut to a few items, and the
UI says "use voice". A hysteresis keeps the lockout from flickering around the threshold.
"""

from __future__ import annotations

from kernel import topics
from kernel.event_bus import EventBus, Message, Subscription
from kernel.topics import UxRestrictions

WALKING_KMH = 5.0
HYSTERESIS_KMH = 1.0
MOVING_LIST_ITEMS = 6
PARK_GEAR = 126
USE_VOICE = "Use voice while driving"


class UxRestrictionsService:
    """Publishes `ui.restrictions` (retained) whenever the driving state changes."""

    name = "driving-state"  # the supervisor's name for it; its threads are named after it
    tasks: tuple[str, ...] = ()  # its app.progress tasks

    def __init__(self) -> None:
        self._bus: EventBus | None = None
        self._subs: list[Subscription] = []
        self._speed = 0.0
        self._parked = False
        self._state = ""

    def start(self, bus: EventBus) -> None:
        self._bus = bus
        self._publish("parked")
        self._subs = [bus.subscribe(topics.SPEED, self._on_speed, name="ux speed"),
                      bus.subscribe(topics.SELECTED_GEAR, self._on_gear, name="ux gear")]

    def stop(self) -> None:
        for sub in self._subs:
            sub.unsubscribe()
        self._subs = []

    def _on_speed(self, msg: Message) -> None:
        speed = msg.payload.value
        # NaN, a faulty sensor or a stale value: keep the safer, moving rules
        if speed != speed or speed < 0 or msg.payload.stale:
            speed = WALKING_KMH + HYSTERESIS_KMH + 1
        self._speed = speed
        self._update()

    def _on_gear(self, msg: Message) -> None:
        self._parked = msg.payload.value == PARK_GEAR
        self._update()

    def _update(self) -> None:
        if self._parked and self._speed <= WALKING_KMH:
            state = "parked"
        elif self._state == "moving":
            state = "moving" if self._speed > WALKING_KMH - HYSTERESIS_KMH else "idling"
        else:
            state = "moving" if self._speed > WALKING_KMH else "idling"
        if state != self._state:
            self._publish(state)

    def _publish(self, state: str) -> None:
        self._state = state
        moving = state == "moving"
        assert self._bus is not None
        self._bus.publish(topics.UX_RESTRICTIONS, UxRestrictions(
            driving_state=state, no_text_entry=moving,
            max_list_items=MOVING_LIST_ITEMS if moving else 0,
            message=USE_VOICE if moving else ""))
