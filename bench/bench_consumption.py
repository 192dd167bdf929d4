"""Energy use over standard cycles, against published figures for comparable vehicles.

Car: WLTC class 3b (the official 1 Hz speed table of UN GTR No. 15, read from the `wltp`
package of the EU Joint Research Centre and checked against its published checksum).
Bus: an urban stop-and-go cycle modelled on UITP's SORT 1 "heavy urban" (three segments up to
20, 30 and 40 km/h, each ending in a 20 s stop; SORT's own accelerations), repeated to 10 km;
the exact SORT tables are not reproduced here.

The vehicle model follows the trace with the same speed controller it drives routes with;
consumption is energy out of the battery per distance (auxiliaries and heating included).
"""

from __future__ import annotations

import time

from vehicle.model import VehicleModel
from vehicle.preset import load_preset

DT = 0.1

# Published ranges (kWh/100 km, energy from the battery or grid as noted):
CAR_RANGE = (12.0, 18.0)  # WLTP combined of small city EVs, EU type approval: Dacia Spring
# 13.9, Fiat 500e 14.9, Renault Zoe R110 17.2 (manufacturers' WLTP data, from the grid).
BUS_RANGE = (90.0, 150.0)  # 12 m battery buses in SORT/urban service: ZeEUS eBus Report #2
# (2017) and VDV/UITP fleet figures, about 0.9-1.5 kWh/km.


def wltc_class3b() -> list[float]:
    from wltp.cycles.class3 import class_data_b

    data = class_data_b()
    trace = [float(v) for v in data["cycle"]]
    if abs(sum(trace) - data["checksum"]) > 0.5:
        raise SystemExit("WLTC class 3b trace does not match its checksum")
    return trace  # km/h at 1 Hz


def sort1_like() -> list[float]:
    """km/h at 1 Hz: accelerate, cruise, brake at 0.8 m/s², stand 20 s — three times."""
    trace: list[float] = []
    for top, accel, cruise_s in ((20.0, 1.03, 8), (30.0, 0.77, 10), (40.0, 0.62, 14)):
        v = 0.0
        while v < top:
            v = min(top, v + accel * 3.6)
            trace.append(v)
        trace += [top] * cruise_s
        while v > 0:
            v = max(0.0, v - 0.8 * 3.6)
            trace.append(v)
        trace += [0.0] * 20
    return trace


def drive(preset_name: str, trace_kmh: list[float], repeat: int = 1,
          outside_c: float = 15.0) -> tuple[float, float, float]:
    """Follow a 1 Hz trace; returns (km, kWh from the battery, kWh at the wheels)."""
    preset = load_preset(preset_name)
    model = VehicleModel(preset, soc_percent=90.0, pack_c=65.0, outside_c=outside_c)
    start = model.battery.stored_kwh
    steps = int(1 / DT)
    for _ in range(repeat):
        for i in range(len(trace_kmh) - 1):
            for k in range(steps):
                target = (trace_kmh[i] + (trace_kmh[i + 1] - trace_kmh[i]) * (k + 1) / steps) / 3.6
                model.step(DT, (target - model.speed_ms) / DT)
    km = model.odometer_m / 1000.0
    return km, start - model.battery.stored_kwh, model.battery.ledger.traction_kwh


def main() -> None:
    print(f"{'vehicle / cycle':42} {'km':>7} {'kWh/100km':>10} {'published':>12} {'in range':>9}")
    wltc = wltc_class3b()
    bus_cycle = sort1_like()
    bus_repeat = max(1, round(10_000 / (sum(bus_cycle) / 3.6)))
    runs = [("city_car", "WLTC class 3b, 23 °C", wltc, 1, 23.0, CAR_RANGE),
            ("city_car", "WLTC class 3b, -7 °C (heating)", wltc, 1, -7.0, None),
            ("bus_12m", "SORT-1-like urban, 15 °C", bus_cycle, bus_repeat, 15.0, BUS_RANGE)]
    for preset, label, trace, repeat, outside, published in runs:
        start = time.perf_counter()
        km, kwh, _ = drive(preset, trace, repeat, outside)
        per100 = kwh / km * 100
        if published is None:
            peer, verdict = "n/a", "-"
        else:
            peer = f"{published[0]:.0f}-{published[1]:.0f}"
            verdict = "yes" if published[0] <= per100 <= published[1] else "NO"
        print(f"{preset + ' / ' + label:42} {km:>7.2f} {per100:>10.1f} {peer:>12} {verdict:>9}"
              f"   ({time.perf_counter() - start:.1f} s to simulate)")
    print("published ranges are type-approval/fleet figures for comparable vehicles; the -7 °C "
          "run shows cabin and pack heating (no published peer).")


if __name__ == "__main__":
    main()
