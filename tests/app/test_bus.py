"""The event bus contract (DESIGN §2): declared topics, wildcards, retention, threads, errors."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import threading
import typing

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kernel import codec, topics
from kernel.event_bus import BusClosed, EventBus, Message, topic_matches, validate_pattern
from kernel.topics import (
    Language,
    Notice,
    RouteManeuver,
    RoutePath,
    Say,
    VssFloat,
    VssInt,
    VssString,
)


def collect(bus: EventBus, pattern: str, on: str = "inline") -> list[Message]:
    got: list[Message] = []
    bus.subscribe(pattern, got.append, on=on)
    return got


def wait_for(predicate, timeout: float = 5.0) -> None:
    event = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if predicate():
            return
        event.wait(0.01)
    raise AssertionError("condition not met in time")


def test_undeclared_topic_raises_at_publisher(bus: EventBus) -> None:
    with pytest.raises(KeyError, match=r"Vehicle\.Sped"):
        bus.publish("Vehicle.Sped", VssFloat(3.0))


def test_wrong_payload_type_names_topic_and_expected_type(bus: EventBus) -> None:
    with pytest.raises(TypeError, match=r"Vehicle\.Speed.*VssFloat.*float"):
        bus.publish(topics.SPEED, 3.0)
    with pytest.raises(TypeError, match="VssFloat"):
        bus.publish(topics.SPEED, VssString("fast"))


def test_wildcards_single_and_rest(bus: EventBus) -> None:
    battery = collect(bus, "Vehicle.Powertrain.TractionBattery.#")
    location = collect(bus, "Vehicle.CurrentLocation.*")
    everything = collect(bus, "#")
    bus.publish(topics.SOC, VssFloat(80.0))
    bus.publish(topics.PACK_TEMPERATURE, VssFloat(65.0))
    bus.publish(topics.LATITUDE, VssFloat(60.17))
    bus.publish(topics.GNSS_FIX, VssString("NONE"))  # two levels below CurrentLocation
    bus.publish(topics.UI_NOTICE, Notice("hello"))
    assert [m.topic for m in battery] == [topics.SOC, topics.PACK_TEMPERATURE]
    assert [m.topic for m in location] == [topics.LATITUDE]
    assert len(everything) == 5


def test_retained_value_reaches_late_subscriber_once(bus: EventBus) -> None:
    bus.publish(topics.SPEED, VssFloat(10.0))
    bus.publish(topics.SPEED, VssFloat(42.0))
    bus.publish(topics.UI_NOTICE, Notice("not retained"))
    late = collect(bus, "#")
    assert [(m.topic, m.payload) for m in late] == [(topics.SPEED, VssFloat(42.0))]
    assert bus.retained(topics.SPEED) == VssFloat(42.0)
    assert bus.retained(topics.UI_NOTICE) is None


def test_order_per_publisher_is_kept_across_threads(bus: EventBus) -> None:
    got = collect(bus, "Vehicle.Speed", on="worker")
    n = 2000

    def publisher(offset: int) -> None:
        for i in range(n):
            bus.publish(topics.SPEED, VssFloat(offset + i))

    threads = [threading.Thread(target=publisher, args=(k * 100_000,)) for k in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wait_for(lambda: len(got) == 3 * n)
    for k in range(3):
        mine = [m.payload.value for m in got if k * 100_000 <= m.payload.value < (k + 1) * 100_000]
        assert mine == [k * 100_000 + i for i in range(n)]


def test_worker_delivery_runs_off_the_publisher_thread(bus: EventBus) -> None:
    threads: list[str] = []
    bus.subscribe(topics.SPEED, lambda m: threads.append(threading.current_thread().name),
                  on="worker", name="speedo")
    bus.publish(topics.SPEED, VssFloat(1.0))
    wait_for(lambda: threads)
    assert threads == ["bus:speedo"]


def test_crashing_handler_is_reported_and_isolated(bus: EventBus) -> None:
    errors = collect(bus, topics.BUS_ERROR)
    good = collect(bus, topics.SPEED)

    def broken(msg: Message) -> None:
        raise ZeroDivisionError("gauge divided by zero")

    bus.subscribe(topics.SPEED, broken, name="broken gauge")
    bus.publish(topics.SPEED, VssFloat(5.0))  # the publisher does not see the exception
    bus.publish(topics.SPEED, VssFloat(6.0))
    assert [m.payload.value for m in good] == [5.0, 6.0]
    assert len(errors) == 2
    assert errors[0].payload.source == "handler broken gauge"
    assert "ZeroDivisionError: gauge divided by zero" in errors[0].payload.message
    assert errors[0].payload.topic == topics.SPEED


def test_crashing_error_handler_does_not_loop(bus: EventBus) -> None:
    bus.subscribe(topics.BUS_ERROR, lambda m: 1 / 0)
    bus.subscribe(topics.SPEED, lambda m: 1 / 0)
    bus.publish(topics.SPEED, VssFloat(1.0))  # must return


def test_unsubscribe_stops_delivery_and_is_idempotent(bus: EventBus) -> None:
    got: list[Message] = []
    sub = bus.subscribe(topics.SPEED, got.append)
    bus.publish(topics.SPEED, VssFloat(1.0))
    sub.unsubscribe()
    sub.unsubscribe()
    bus.publish(topics.SPEED, VssFloat(2.0))
    assert [m.payload.value for m in got] == [1.0]


def test_close_drains_queued_messages_then_refuses(bus: EventBus) -> None:
    got: list[float] = []
    release = threading.Event()

    def slow(msg: Message) -> None:
        release.wait(5)
        got.append(msg.payload.value)

    bus.subscribe(topics.SPEED, slow, on="worker")
    for i in range(100):
        bus.publish(topics.SPEED, VssFloat(float(i)))
    release.set()
    assert bus.close(timeout=5) == 0
    assert got == [float(i) for i in range(100)]
    with pytest.raises(BusClosed):
        bus.publish(topics.SPEED, VssFloat(1.0))


def test_close_drops_and_counts_what_cannot_drain_in_time() -> None:
    bus = EventBus()
    release = threading.Event()
    bus.subscribe(topics.SPEED, lambda m: release.wait(5), on="worker")
    for i in range(50):
        bus.publish(topics.SPEED, VssFloat(float(i)))
    dropped = bus.close(timeout=0.05)
    release.set()
    assert 0 < dropped <= 50


def test_gui_delivery_needs_an_installed_dispatcher(bus: EventBus) -> None:
    with pytest.raises(RuntimeError, match="GUI dispatcher"):
        bus.subscribe(topics.SPEED, print, on="gui")
    with pytest.raises(ValueError, match="unknown delivery 'bogus'"):
        bus.subscribe(topics.SPEED, print, on="bogus")


def test_gui_delivery_runs_on_the_qt_thread(gui_bus: EventBus, qtbot) -> None:
    main = threading.current_thread()
    seen: list[threading.Thread] = []
    gui_bus.subscribe(topics.SPEED, lambda m: seen.append(threading.current_thread()), on="gui")
    publisher = threading.Thread(target=gui_bus.publish, args=(topics.SPEED, VssFloat(3.0)))
    publisher.start()
    publisher.join()
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen == [main]


@pytest.mark.parametrize("pattern", ["", "a..b", "a.#.b", "a#", "a.b*", "#.x"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="pattern"):
        validate_pattern(pattern)


levels = st.lists(st.sampled_from(["Vehicle", "Speed", "a", "b", "nav", "x"]), min_size=1,
                  max_size=5)


def reference_match(pattern: list[str], topic: list[str]) -> bool:
    """A recursive definition of MQTT-style matching to check the iterative matcher against."""
    if not pattern:
        return not topic
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return True
    if not topic:
        return False
    return (head == "*" or head == topic[0]) and reference_match(rest, topic[1:])


@given(topic=levels, pattern=st.lists(st.sampled_from(["Vehicle", "Speed", "a", "b", "*"]),
                                      min_size=1, max_size=5),
       rest=st.booleans())
def test_wildcard_matcher_agrees_with_reference(topic, pattern, rest) -> None:
    if rest:
        pattern = [*pattern, "#"]
    assert topic_matches(".".join(pattern), ".".join(topic)) == reference_match(pattern, topic)


@given(topic=levels)
def test_topic_matches_itself_and_hash(topic) -> None:
    name = ".".join(topic)
    assert topic_matches(name, name)
    assert topic_matches("#", name)
    assert topic_matches(".".join(["*"] * len(topic)), name)


# -- payload fields are checked at the publisher (issue 17) ---------------------------------
@pytest.mark.parametrize("topic, payload, field", [
    (topics.SPEED, VssFloat("fast"), r"payload\.value: expected float, got str"),
    (topics.SPEED, VssFloat(True), r"payload\.value: expected float, got bool"),
    (topics.SELECTED_GEAR, VssInt(1.5), r"payload\.value: expected int, got float"),
    (topics.UI_NOTICE, Notice("hi", "info", "hi", ["a"]), r"payload\.values: expected a tuple"),
    (topics.NAV_ROUTE, RoutePath(points=((60.1, 24.9), (60.2, "east"))),
     r"payload\.points\[1\]\[1\]: expected float"),
    (topics.NAV_ROUTE, RoutePath(points=((60.1, 24.9, 3.0),)), r"payload\.points\[0\]: expected 2"),
    (topics.NAV_ROUTE, RoutePath(points=(), maneuvers=(RouteManeuver(
        "turn", "left", None, 1.0, 60.0, 24.0, "Turn left"),)),
     r"payload\.maneuvers\[0\]\.street: expected str, got NoneType"),
])
def test_a_field_of_the_wrong_type_raises_at_the_publisher(bus: EventBus, topic, payload,
                                                            field) -> None:
    got = collect(bus, "#")
    with pytest.raises(TypeError, match=rf"{re.escape(topic)}.*{field}"):
        bus.publish(topic, payload)
    assert got == []


@pytest.mark.parametrize("topic, payload, field", [
    (topics.SPEED, VssFloat(math.nan), r"payload\.value: nan is not a finite number"),
    (topics.SPEED, VssFloat(math.inf), r"payload\.value: inf is not a finite number"),
    (topics.SPEED, VssFloat(-1e308), r"payload\.value: -1e\+308"),
    (topics.SELECTED_GEAR, VssInt(10**400), r"payload\.value: integer beyond"),
    (topics.UI_LANGUAGE, Language("../../../../tmp/x"), r"payload\.code: '\.\./\.\./"),
    (topics.UI_LANGUAGE, Language(""), r"payload\.code: '' does not match"),
    (topics.TTS_SAY, Say("Bonjour", "fr/../../x"), r"payload\.language: 'fr/"),
])
def test_a_field_out_of_bounds_raises_at_the_publisher(bus: EventBus, topic, payload,
                                                       field) -> None:
    got = collect(bus, "#")
    with pytest.raises(ValueError, match=rf"{re.escape(topic)}.*{field}"):
        bus.publish(topic, payload)
    assert got == [] and bus.retained(topic) is None


def test_an_int_is_a_float_and_a_language_code_passes(bus: EventBus) -> None:
    got = collect(bus, "#")
    bus.publish(topics.SPEED, VssFloat(3))
    bus.publish(topics.UI_LANGUAGE, Language("ko"))
    bus.publish(topics.TTS_SAY, Say("hello"))  # "" = the current language
    assert [m.payload for m in got] == [VssFloat(3), Language("ko"), Say("hello")]


# -- worker threads: survive, unsubscribe themselves, never leak, count drops exactly --------
@pytest.mark.parametrize("exc", [SystemExit(3), KeyboardInterrupt(), GeneratorExit()])
def test_a_worker_survives_any_exception_of_its_handler(exc: BaseException) -> None:
    bus = EventBus()
    errors = collect(bus, topics.BUS_ERROR)
    seen: list[float] = []

    def handler(msg: Message) -> None:
        if msg.payload.value == 1.0:
            raise exc
        seen.append(msg.payload.value)

    bus.subscribe(topics.SPEED, handler, on="worker", name="fragile")
    for value in (1.0, 2.0, 3.0):
        bus.publish(topics.SPEED, VssFloat(value))
    wait_for(lambda: len(seen) == 2)
    assert seen == [2.0, 3.0]
    assert [e.payload.source for e in errors] == ["handler fragile"]
    assert errors[0].payload.message.startswith(type(exc).__name__)
    assert bus.close(timeout=5) == 0


def test_a_worker_handler_can_unsubscribe_itself(bus: EventBus) -> None:
    errors = collect(bus, topics.BUS_ERROR)
    seen: list[float] = []
    names_before = {t.name for t in threading.enumerate()}

    def once(msg: Message) -> None:
        seen.append(msg.payload.value)
        sub.unsubscribe()

    sub = bus.subscribe(topics.SPEED, once, on="worker", name="once")
    bus.publish(topics.SPEED, VssFloat(1.0))
    wait_for(lambda: "bus:once" not in {t.name for t in threading.enumerate()})
    bus.publish(topics.SPEED, VssFloat(2.0))
    assert seen == [1.0]
    assert errors == []  # no "cannot join current thread"
    assert "bus:once" not in names_before


def test_worker_subscriptions_leak_no_thread(bus: EventBus) -> None:
    before = threading.active_count()
    for _ in range(200):
        bus.subscribe(topics.SPEED, print, on="worker").unsubscribe()
    wait_for(lambda: threading.active_count() <= before)


def test_drops_are_counted_exactly_and_the_thread_ends() -> None:
    bus = EventBus()
    started, release = threading.Event(), threading.Event()
    seen: list[float] = []

    def slow(msg: Message) -> None:
        started.set()
        release.wait(10)
        seen.append(msg.payload.value)

    bus.subscribe(topics.SPEED, slow, on="worker", name="slow")
    bus.publish(topics.SPEED, VssFloat(0.0))
    assert started.wait(5)
    for i in range(1, 50):
        bus.publish(topics.SPEED, VssFloat(float(i)))
    assert bus.close(timeout=0.05) == 49  # the one in the handler is delivered, not dropped
    release.set()
    wait_for(lambda: "bus:slow" not in {t.name for t in threading.enumerate()})
    assert seen == [0.0]
    assert bus.close() == 49


def test_close_with_no_time_left_never_raises_and_accounts_for_everything() -> None:
    for _ in range(20):
        bus = EventBus()
        seen: list[Message] = []
        bus.subscribe(topics.SPEED, seen.append, on="worker", name="fast")
        for i in range(500):
            bus.publish(topics.SPEED, VssFloat(float(i)))
        dropped = bus.close(timeout=0)
        wait_for(lambda: "bus:fast" not in {t.name for t in threading.enumerate()})
        assert dropped + len(seen) == 500


def test_close_from_inside_a_worker_handler_does_not_raise() -> None:
    bus = EventBus()
    outcome: list[object] = []

    def closer(msg: Message) -> None:
        try:
            outcome.append(bus.close(timeout=1))
        except BaseException as exc:  # what the test looks for
            outcome.append(exc)

    bus.subscribe(topics.SPEED, closer, on="worker")
    bus.publish(topics.SPEED, VssFloat(1.0))
    wait_for(lambda: outcome)
    assert outcome == [0]
    assert bus.closed


def test_close_from_a_worker_handler_counts_what_its_own_queue_still_held() -> None:
    """Messages queued behind the handler that closes the bus can no longer be delivered (the
    subscriptions are gone when the thread gets to them): they are counted, never lost unseen."""
    bus = EventBus()
    queued, outcome = threading.Event(), []
    seen: list[float] = []

    def closer(msg: Message) -> None:
        seen.append(msg.payload.value)
        if msg.payload.value == 0.0:
            queued.wait(5)
            outcome.append(bus.close(timeout=1))

    bus.subscribe(topics.SPEED, closer, on="worker", name="closer")
    for i in range(6):
        bus.publish(topics.SPEED, VssFloat(float(i)))
    queued.set()
    wait_for(lambda: "bus:closer" not in {t.name for t in threading.enumerate()})
    assert seen == [0.0]
    assert outcome == [5] and bus.close() == 5


# -- fuzz: random values into every declared payload class (issue 17, item 7) ----------------
GARBAGE = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8),
                    st.binary(max_size=4), st.lists(st.integers(), max_size=2),
                    st.tuples(st.floats()))


def values_for(tp) -> st.SearchStrategy:
    """Values of the declared type (NaN, infinities and huge numbers included: the bus must
    refuse those), or now and then (one time in eight) anything at all."""
    typed = typed_values(tp)
    return st.integers(0, 7).flatmap(lambda k: GARBAGE if k == 0 else typed)


def typed_values(tp) -> st.SearchStrategy:
    if typing.get_origin(tp) is typing.Annotated:
        base, *meta = typing.get_args(tp)
        codes = [st.from_regex(m.regex, fullmatch=True) for m in meta if hasattr(m, "regex")]
        return st.one_of(*codes, typed_values(base))
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        return st.builds(tp, **{f.name: values_for(hints[f.name])
                                for f in dataclasses.fields(tp)})
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(values_for(args[0]), max_size=3).map(tuple)
        return st.tuples(*(values_for(a) for a in args))
    return {float: st.floats() | st.integers(), int: st.integers(), bool: st.booleans(),
            str: st.text(max_size=12)}[tp]


def well_typed(value, tp) -> bool:
    """An independent reading of 'well-typed' to hold delivered payloads to."""
    if typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp, include_extras=True)
        return type(value) is tp and all(well_typed(getattr(value, f.name), hints[f.name])
                                         for f in dataclasses.fields(tp))
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if type(value) is not tuple:
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(well_typed(x, args[0]) for x in value)
        return len(args) == len(value) and all(map(well_typed, value, args))
    if tp is float:
        return type(value) in (int, float) and math.isfinite(value)
    return type(value) is tp


DECLARED = sorted(topics.CATALOGUE.values(), key=lambda spec: spec.name)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(DECLARED).flatmap(
    lambda spec: st.tuples(st.just(spec), typed_values(spec.payload))))
def test_fuzzed_payloads_are_delivered_well_typed_or_refused_at_the_publisher(case) -> None:
    spec, payload = case
    bus = EventBus()
    errors = collect(bus, topics.BUS_ERROR)
    delivered: list[object] = []

    def recorder_like(msg: Message) -> None:  # what a recording and its replay do with it
        line = json.dumps(codec.to_json(msg.payload), allow_nan=False)
        delivered.append(codec.from_json(spec.payload, json.loads(line)))

    bus.subscribe(spec.name, recorder_like, name="roundtrip")
    try:
        bus.publish(spec.name, payload)
    except (TypeError, ValueError) as exc:
        event(f"refused: {type(exc).__name__}")
        assert delivered == []
    else:
        event("delivered")
        assert well_typed(payload, spec.payload)
        assert delivered == [payload]
    assert [e for e in errors if e.payload.source == "handler roundtrip"] == []
    bus.close()


def test_every_declared_payload_class_has_a_schema() -> None:
    for spec in topics.CATALOGUE.values():  # an unsupported field type fails here, not at publish
        assert callable(codec.checker(spec.payload)), spec.name
