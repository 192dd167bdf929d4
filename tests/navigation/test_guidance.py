"""Navigation on the bus with the real simulated vehicle: prompts, reroute, arrival, EV, bus."""

from __future__ import annotations

import itertools
import re
import threading
from pathlib import Path

import pytest

from kernel import topics
from kernel.event_bus import EventBus, Message
from kernel.topics import RouteRequest, SimSetting, VssFloat, VssString
from navigation.geocode import distance_m
from navigation.maneuvers import Maneuver
from navigation.service import BusLine, NavigationService
from vehicle.preset import load_preset
from vehicle.simulation import VehicleSimulation

START = (60.1650, 24.9400)  # Bulevardi, south of the centre


class Drive:
    """The real navigation module and vehicle simulation on one bus; the test ticks time."""

    def __init__(self, cache: Path, preset: str = "city_car", line: BusLine | None = None,
                 **sim) -> None:
        self.bus = EventBus()
        self.seen: list[Message] = []
        self.bus.subscribe("#", self.seen.append)
        self.sim = VehicleSimulation(load_preset(preset), start=START, **sim)
        self.sim.start(self.bus, run_thread=False)
        self.nav = NavigationService(None, cache, line=line)
        self.nav.start(self.bus)
        assert self.nav.ready.wait(60)
        self.sim.run_ticks(1)

    def settle(self) -> None:
        """Wait until navigation has handled everything published so far."""
        done = threading.Event()
        self.nav._worker.dispatch(done.set)
        assert done.wait(30)

    def drive(self, ticks: int) -> None:
        for _ in range(ticks):
            self.sim.run_ticks(1)
            self.settle()

    def of(self, topic: str) -> list:
        return [m.payload for m in self.seen if m.topic == topic]

    def close(self) -> None:
        self.nav.stop()
        self.bus.close()


@pytest.fixture
def drive(map_cache, helsinki):
    drives: list[Drive] = []

    def make(**kw) -> Drive:
        drives.append(Drive(map_cache, **kw))
        return drives[-1]

    yield make
    for d in drives:
        d.close()


def test_a_drive_yields_prompts_in_order_at_sane_distances(drive) -> None:
    d = drive(time_factor=5)
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    route = d.bus.retained(topics.NAV_ROUTE)
    assert route.points and route.destination == "Kaivokatu 1"
    turns = [m for m in route.maneuvers if m.kind not in ("depart", "arrive")]
    assert turns, "a route across the centre has turns"
    d.drive(600)
    prompts = d.of(topics.NAV_ANNOUNCEMENT)
    assert prompts
    order = {"prepare": 0, "in": 1, "now": 2}
    for earlier, later in itertools.pairwise(prompts):  # route order, then stage
        assert (earlier.at_m, order[earlier.stage]) < (later.at_m, order[later.stage])
    for p in prompts:
        assert 0 <= p.distance_m <= (400 if p.stage == "prepare" else
                                     160 if p.stage == "in" else 60), p
    said = [s.text for s in d.of(topics.TTS_SAY)]
    assert [p.text for p in prompts] == [t for t in said if t in {p.text for p in prompts}]
    ahead = [p.text for p in prompts if p.stage != "now"]
    assert ahead and all(re.match(r"In \d+ metres, ", t) for t in ahead), ahead  # not "300 m"
    events = d.of(topics.NAV_EVENT)
    assert events[-1].kind == "arrived" and "Kaivokatu 1" in events[-1].text
    assert d.bus.retained(topics.NAV_ROUTE).points == ()
    lat, lon = d.bus.retained(topics.LATITUDE).value, d.bus.retained(topics.LONGITUDE).value
    assert distance_m(lat, lon, 60.1713, 24.9414) < 120


def test_prompts_follow_the_units_chosen_in_settings(drive) -> None:
    d = drive(time_factor=5)
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    d.bus.publish(topics.DISTANCE_UNIT, VssString("MILES"))  # while the route is active
    d.drive(600)
    ahead = [p.text for p in d.of(topics.NAV_ANNOUNCEMENT) if p.stage != "now"]
    assert ahead and all(re.match(r"In (\d+ feet|0\.\d miles), ", t) for t in ahead), ahead


def test_leaving_the_route_triggers_a_reroute(drive) -> None:
    d = drive()
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    first = d.bus.retained(topics.NAV_ROUTE)
    # The driver turns off the route: GPS fixes 150 m east of the start, three in a row.
    for _ in range(3):
        d.bus.publish(topics.LATITUDE, VssFloat(START[0]))
        d.bus.publish(topics.LONGITUDE, VssFloat(START[1] + 0.0027))
    d.settle()
    assert [e.kind for e in d.of(topics.NAV_EVENT)] == ["reroute"]
    second = d.bus.retained(topics.NAV_ROUTE)
    assert second is not first and second.destination == "Kaivokatu 1"
    # It starts on the road under the car, not at the nearest junction.
    under = d.nav.planner.roads.locate(START[0], START[1] + 0.0027)
    assert distance_m(*second.points[0], START[0], START[1] + 0.0027) == pytest.approx(
        under.off_m, abs=1.0)


@pytest.mark.parametrize("heading", [0.0, 180.0])
def test_a_route_sets_off_the_way_the_car_faces(drive, heading) -> None:
    d = drive()
    d.bus.publish(topics.HEADING, VssFloat(heading))  # on Annankatu, which runs north-south
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    route = d.bus.retained(topics.NAV_ROUTE)
    north = route.points[1][0] > route.points[0][0]
    assert north == (heading == 0.0) or route.maneuvers[1].kind == "uturn"
    assert route.maneuvers[0].street == "Annankatu"


def test_a_heading_out_of_range_is_ignored(drive) -> None:
    d = drive()
    d.bus.publish(topics.HEADING, VssFloat(999.0))
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    route = d.bus.retained(topics.NAV_ROUTE)
    node, _ = d.nav.map.nearest_node(*START)  # from the nearest junction, as with no heading
    assert route.points[0] == (d.nav.map.node_lat[node], d.nav.map.node_lon[node])


def test_one_stray_fix_and_lost_gps_do_not_reroute(drive) -> None:
    d = drive()
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    d.bus.publish(topics.LONGITUDE, VssFloat(START[1] + 0.01))  # one outlier
    d.bus.publish(topics.GNSS_FIX, VssString("NONE"))
    for _ in range(5):
        d.bus.publish(topics.LONGITUDE, VssFloat(START[1] + 0.01))
    d.settle()
    assert d.of(topics.NAV_EVENT) == []


def test_unreachable_state_of_charge_proposes_a_charger(drive, helsinki_planner) -> None:
    d = drive()
    here = helsinki_planner.locate(f"{START[0]},{START[1]}", None)
    goal = helsinki_planner.locate("Kaivokatu 1", None)
    needed = helsinki_planner.plan(here, goal, 0.15).energy_kwh
    usable = needed * 0.7  # short of the trip (and its 10 % reserve), enough for a charger
    capacity = load_preset("city_car").battery_capacity_kwh
    d.bus.publish(topics.SIM_SETTING, SimSetting("soc", 5 + 100 * usable / capacity))
    d.sim.run_ticks(1)
    d.settle()
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    warning = d.of(topics.NAV_ENERGY_WARNING)[0]
    assert warning.needed_kwh > warning.available_kwh
    assert warning.charger, warning.text
    assert "will not reach Kaivokatu 1" in warning.text
    assert any(s.text == warning.text for s in d.of(topics.TTS_SAY))


def test_route_errors_are_clear_and_nothing_breaks(drive) -> None:
    d = drive()
    for query in ("95,200", "48.8566,2.3522"):
        d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest(query))
    d.settle()
    errors = d.of(topics.NAV_ROUTE_ERROR)
    assert [e.query for e in errors] == ["95,200", "48.8566,2.3522"]
    assert "not coordinates" in errors[0].reason and "off this map" in errors[1].reason
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    assert d.bus.retained(topics.NAV_ROUTE).points


def test_gps_fix_far_off_the_map_is_a_clear_error(drive) -> None:
    d = drive()
    d.bus.publish(topics.LATITUDE, VssFloat(48.8566))
    d.bus.publish(topics.LONGITUDE, VssFloat(2.3522))
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    assert "off the map" in d.of(topics.NAV_ROUTE_ERROR)[0].reason


def test_cancel_route(drive) -> None:
    d = drive()
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest(""))
    d.settle()
    assert d.bus.retained(topics.NAV_ROUTE).points == ()
    assert d.of(topics.NAV_EVENT)[-1].kind == "cancelled"


def test_prompts_follow_the_language_chosen_in_settings(drive) -> None:
    d = drive()
    d.bus.publish(topics.UI_LANGUAGE, topics.Language("fr"))
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    assert d.bus.retained(topics.NAV_ROUTE).maneuvers[0].instruction.startswith("Partez")
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest(""))
    d.settle()
    assert d.of(topics.NAV_EVENT)[-1].text == "Itinéraire annulé."


def test_a_korean_drive_is_guided_and_spoken_in_korean(drive) -> None:
    d = drive(time_factor=5)
    d.bus.publish(topics.UI_LANGUAGE, topics.Language("ko"))
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    assert d.bus.retained(topics.NAV_ROUTE).maneuvers[0].instruction.endswith("출발하세요")
    d.drive(600)
    prompts = [p.text for p in d.of(topics.NAV_ANNOUNCEMENT)]
    assert any(re.match(r"\d+ 미터 앞에서 .+하세요$", t) for t in prompts), prompts
    assert any(t.startswith("지금 ") for t in prompts), prompts
    said = {s.text: s.language for s in d.of(topics.TTS_SAY)}
    assert all(said[t] == "ko" for t in prompts)
    assert d.of(topics.NAV_EVENT)[-1].text == "Kaivokatu 1에 도착했습니다."


def test_a_mandarin_drive_is_guided_and_spoken_in_mandarin(drive) -> None:
    d = drive(time_factor=5)
    d.bus.publish(topics.UI_LANGUAGE, topics.Language("zh"))
    d.bus.publish(topics.NAV_ROUTE_REQUEST, RouteRequest("Kaivokatu 1"))
    d.settle()
    assert re.fullmatch(r"(沿.+)?向[北东南西]行驶",
                        d.bus.retained(topics.NAV_ROUTE).maneuvers[0].instruction)
    d.drive(600)
    prompts = [p.text for p in d.of(topics.NAV_ANNOUNCEMENT)]
    assert any(re.match(r"\d+ 米后.+", t) for t in prompts), prompts
    assert any(t.startswith("现在") for t in prompts), prompts
    said = {s.text: s.language for s in d.of(topics.TTS_SAY)}
    assert all(said[t] == "zh" for t in prompts)
    assert d.of(topics.NAV_EVENT)[-1].text == "您已到达Kaivokatu 1。"


@pytest.fixture
def line_55(tmp_path: Path) -> BusLine:
    line_file = tmp_path / "line55.toml"
    line_file.write_text('name = "55"\nstops = ["Bulevardi", "Mannerheimintie", '
                         '"Kaivokatu 1"]\n', encoding="utf-8")
    return BusLine.load(line_file)


def test_bus_line_announces_each_next_stop(drive, line_55: BusLine) -> None:
    d = drive(preset="bus_12m", line=line_55, time_factor=5)
    d.settle()
    d.drive(900)
    stops = [s.name for s in d.of(topics.NAV_BUS_NEXT_STOP) if s.distance_m == 0 and s.name]
    assert stops[:2] == ["Mannerheimintie", "Kaivokatu 1"]
    spoken = [s.text for s in d.of(topics.TTS_SAY) if s.text.startswith("Next stop")]
    assert spoken[:2] == ["Next stop: Mannerheimintie.", "Next stop: Kaivokatu 1."]


@pytest.mark.parametrize("text, complaint", [
    ('name = "55"\nstops = ["Bulevardi"]', "at least 2 stops"),
    ("stops = 3", "expected name"),
    ("name = [", "cannot read bus line"),
])
def test_broken_line_files(tmp_path: Path, text: str, complaint: str) -> None:
    path = tmp_path / "line.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=complaint):
        BusLine.load(path)


@pytest.mark.parametrize(("maneuver", "language", "text"), [
    (Maneuver("turn", "left", "", 10.0, 60.17, 24.94), "en", "Turn left"),
    (Maneuver("turn", "left", "Kaivokatu", 10.0, 60.17, 24.94), "en", "Turn left onto Kaivokatu"),
    (Maneuver("sharp", "right", "", 10.0, 60.17, 24.94), "fr", "Tournez franchement à droite"),
    (Maneuver("depart", "", "", 0.0, 60.17, 24.94, 95.0), "en", "Head east"),
    (Maneuver("depart", "", "Simonkatu", 0.0, 60.17, 24.94, 0.0), "fr",
     "Partez vers le nord sur Simonkatu"),
    (Maneuver("depart", "", "", 0.0, 60.17, 24.94, 95.0), "fr", "Partez vers l'est"),
    (Maneuver("arrive", "", "", 90.0, 60.17, 24.94), "en", "You have arrived"),
    (Maneuver("turn", "left", "", 10.0, 60.17, 24.94), "ko", "좌회전하세요"),
    (Maneuver("sharp", "right", "Kaivokatu", 10.0, 60.17, 24.94), "ko",
     "Kaivokatu 방면으로 급우회전하세요"),
    (Maneuver("depart", "", "Bulevardi", 0.0, 60.17, 24.94, 95.0), "ko",
     "Bulevardi에서 동쪽으로 출발하세요"),
    (Maneuver("roundabout", "", "", 10.0, 60.17, 24.94, exit=2), "ko",
     "회전교차로에서 2번째 출구로 나가세요"),
    (Maneuver("arrive", "left", "", 90.0, 60.17, 24.94), "en", "You have arrived, on the left"),
    (Maneuver("arrive", "right", "", 90.0, 60.17, 24.94), "fr",
     "Vous êtes arrivé, sur la droite"),
    (Maneuver("arrive", "left", "", 90.0, 60.17, 24.94), "ko",
     "목적지에 도착했습니다, 목적지는 왼쪽에 있습니다"),
])
def test_instructions_name_the_street_only_when_it_has_a_name(maneuver, language, text) -> None:
    assert maneuver.instruction(language) == text


def test_an_arrival_ahead_is_announced_in_the_future_tense() -> None:
    arrive = Maneuver("arrive", "", "Kaivokatu", 90.0, 60.17, 24.94)
    assert arrive.instruction("en", "Kaivokatu 1", ahead=True) == "You will arrive at Kaivokatu 1"
    assert arrive.instruction("fr", "Kaivokatu 1", ahead=True) == "Vous arriverez à Kaivokatu 1"
    assert arrive.instruction("en", "Kaivokatu 1") == "You have arrived at Kaivokatu 1"
    on_right = Maneuver("arrive", "right", "Kaivokatu", 90.0, 60.17, 24.94)
    assert on_right.instruction("fr", "Kaivokatu 1", ahead=True) == \
        "Vous arriverez à Kaivokatu 1, sur la droite"


def test_a_passengers_stop_request_holds_until_the_stop_is_reached(drive,
                                                                  line_55: BusLine) -> None:
    d = drive(preset="bus_12m", line=line_55, time_factor=5)
    d.settle()
    d.drive(5)
    d.bus.publish(topics.VEHICLE_STOP_BUTTON, topics.StopButton())
    d.bus.publish(topics.VEHICLE_STOP_BUTTON, topics.StopButton())  # pressed twice: one request
    d.settle()
    now = d.bus.retained(topics.NAV_BUS_NEXT_STOP)
    assert (now.name, now.requested) == ("Mannerheimintie", True) and now.distance_m > 0
    d.drive(5)
    assert d.bus.retained(topics.NAV_BUS_NEXT_STOP).requested  # progress keeps it
    d.drive(900)
    stops = d.of(topics.NAV_BUS_NEXT_STOP)
    reached = next(i for i, s in enumerate(stops) if s.name == "Kaivokatu 1")
    assert not stops[reached].requested  # the next stop starts unrequested
    assert all(s.name == "Mannerheimintie" for s in stops[:reached] if s.requested)


def test_a_stop_button_with_no_line_asks_for_nothing(drive) -> None:
    d = drive(preset="bus_12m")
    d.bus.publish(topics.VEHICLE_STOP_BUTTON, topics.StopButton())
    d.settle()
    assert not any(s.requested for s in d.of(topics.NAV_BUS_NEXT_STOP))
