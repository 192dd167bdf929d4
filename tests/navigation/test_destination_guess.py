"""A destination the map does not have exactly, in the running app: navigation offers the
closest places (nav.destination.candidates) and asks "did you mean …?"; nothing is routed
until the driver confirms (nav.destination.confirm), on the screen or by voice."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from kernel import topics
from kernel.event_bus import EventBus, Message
from navigation.service import NavigationService
from voice.dialogue import Dialogue
from voice.intents import load


class Seen:
    """Messages of some topics, and a way to wait for one that matches."""

    def __init__(self, bus: EventBus, *names: str) -> None:
        self.messages: list[Message] = []
        self._changed = threading.Condition()
        for name in names:
            bus.subscribe(name, self._add)

    def _add(self, msg) -> None:
        with self._changed:
            self.messages.append(msg)
            self._changed.notify_all()

    def wait(self, topic: str, test=lambda _p: True, timeout: float = 60.0):
        with self._changed:
            assert self._changed.wait_for(lambda: self.of(topic, test), timeout), topic
            return self.of(topic, test)[-1]

    def of(self, topic: str, test=lambda _p: True) -> list:
        return [m.payload for m in self.messages if m.topic == topic and test(m.payload)]


@pytest.fixture
def navigation(map_cache: Path, helsinki):
    bus = EventBus()
    seen = Seen(bus, topics.NAV_DESTINATION_CANDIDATES, topics.NAV_ROUTE, topics.TTS_SAY,
                topics.NAV_ROUTE_ERROR)
    nav = NavigationService(None, map_cache)
    nav.start(bus)
    assert nav.ready.wait(60)
    bus.publish(topics.LATITUDE, topics.VssFloat(60.1650))
    bus.publish(topics.LONGITUDE, topics.VssFloat(24.9400))
    yield bus, seen
    nav.stop()
    bus.close()


def test_a_guess_is_offered_and_routed_only_once_confirmed(navigation) -> None:
    bus, seen = navigation
    bus.publish(topics.NAV_ROUTE_REQUEST, topics.RouteRequest("Kaivokadu 1"))
    offer = seen.wait(topics.NAV_DESTINATION_CANDIDATES, lambda p: p.candidates)
    assert offer.query == "Kaivokadu 1" and offer.candidates[0].name == "Kaivokatu 1"
    assert 0.8 < offer.candidates[0].confidence < 1.0
    asked = seen.wait(topics.TTS_SAY, lambda p: "Did you mean" in p.text)
    assert asked.text == "Did you mean Kaivokatu 1?"
    assert not seen.of(topics.NAV_ROUTE) and not seen.of(topics.NAV_ROUTE_ERROR)
    bus.publish(topics.NAV_DESTINATION_CONFIRM, topics.DestinationChoice("Kaivokadu 1", 0))
    route = seen.wait(topics.NAV_ROUTE)
    assert route.destination == "Kaivokatu 1" and route.points
    assert not bus.retained(topics.NAV_DESTINATION_CANDIDATES).candidates


def test_an_exact_destination_is_routed_without_asking(navigation) -> None:
    bus, seen = navigation
    bus.publish(topics.NAV_ROUTE_REQUEST, topics.RouteRequest("Kaivokatu 1"))
    assert seen.wait(topics.NAV_ROUTE).destination == "Kaivokatu 1"
    assert not seen.of(topics.NAV_DESTINATION_CANDIDATES)


def test_a_stale_or_refused_answer_routes_nowhere(navigation) -> None:
    bus, seen = navigation
    bus.publish(topics.NAV_ROUTE_REQUEST, topics.RouteRequest("Foobar 12"))
    seen.wait(topics.NAV_DESTINATION_CANDIDATES, lambda p: p.query == "Foobar 12")
    bus.publish(topics.NAV_DESTINATION_CONFIRM, topics.DestinationChoice("Kaivokadu 1", 0))
    bus.publish(topics.NAV_DESTINATION_CONFIRM, topics.DestinationChoice("Foobar 12", -1))
    seen.wait(topics.NAV_DESTINATION_CANDIDATES, lambda p: not p.candidates)
    bus.publish(topics.NAV_DESTINATION_CONFIRM, topics.DestinationChoice("Foobar 12", 0))
    bus.publish(topics.NAV_ROUTE_REQUEST, topics.RouteRequest("Kaivokatu 1"))  # a marker
    assert seen.wait(topics.NAV_ROUTE).destination == "Kaivokatu 1"
    assert len(seen.of(topics.NAV_ROUTE)) == 1


@pytest.mark.parametrize("answer, routed", [("yes", True), ("no", False)])
def test_voice_yes_or_no_answers_the_question(navigation, answer: str, routed: bool) -> None:
    bus, seen = navigation
    dialogue = Dialogue(bus, load("en"))
    dialogue.handle("navigate to kaivokadu 1")
    seen.wait(topics.NAV_DESTINATION_CANDIDATES, lambda p: p.candidates)
    outcome = dialogue.handle(answer)
    assert outcome.acted
    seen.wait(topics.NAV_DESTINATION_CANDIDATES, lambda p: not p.candidates)
    if routed:
        assert outcome.reply == load("en").reply("navigate", place="Kaivokatu 1")
        assert seen.wait(topics.NAV_ROUTE).destination == "Kaivokatu 1"
    else:
        assert outcome.reply == load("en").reply("cancelled")
        bus.publish(topics.NAV_ROUTE_REQUEST, topics.RouteRequest("Bulevardi"))  # a marker
        assert seen.wait(topics.NAV_ROUTE).destination == "Bulevardi"
        assert len(seen.of(topics.NAV_ROUTE)) == 1
