"""Driving lockouts follow speed and gear, with hysteresis, and fail safe on bad speed."""

from __future__ import annotations

import pytest

from kernel import topics
from kernel.event_bus import EventBus
from kernel.topics import VssFloat, VssInt
from vehicle.driving_state import USE_VOICE, UxRestrictionsService


@pytest.fixture
def service(bus: EventBus):
    svc = UxRestrictionsService()
    svc.start(bus)
    yield svc
    svc.stop()


def state(bus: EventBus) -> str:
    return bus.retained(topics.UX_RESTRICTIONS).driving_state


def test_starts_parked_without_restrictions(bus: EventBus, service) -> None:
    rules = bus.retained(topics.UX_RESTRICTIONS)
    assert rules.driving_state == "parked" and not rules.no_text_entry


def test_moving_locks_text_entry_and_long_lists(bus: EventBus, service) -> None:
    bus.publish(topics.SELECTED_GEAR, VssInt(127))
    bus.publish(topics.SPEED, VssFloat(3.0))
    assert state(bus) == "idling"
    bus.publish(topics.SPEED, VssFloat(30.0))
    rules = bus.retained(topics.UX_RESTRICTIONS)
    assert rules.driving_state == "moving" and rules.no_text_entry
    assert rules.max_list_items > 0 and rules.message == USE_VOICE


def test_hysteresis_around_walking_speed(bus: EventBus, service) -> None:
    seen = []
    bus.subscribe(topics.UX_RESTRICTIONS, lambda m: seen.append(m.payload.driving_state))
    for speed in (6.0, 4.5, 5.5, 4.6, 3.0):
        bus.publish(topics.SPEED, VssFloat(speed))
    assert seen == ["parked", "moving", "idling"]


def test_faulty_speed_keeps_the_safer_rules(bus: EventBus, service) -> None:
    with pytest.raises(ValueError, match="finite"):  # a NaN speed is refused at the publisher
        bus.publish(topics.SPEED, VssFloat(float("nan")))
    bus.publish(topics.SPEED, VssFloat(-40.0))
    assert state(bus) == "moving"


def test_park_gear_at_standstill_is_parked(bus: EventBus, service) -> None:
    bus.publish(topics.SPEED, VssFloat(20.0))
    bus.publish(topics.SPEED, VssFloat(0.0))
    bus.publish(topics.SELECTED_GEAR, VssInt(126))
    assert state(bus) == "parked"
