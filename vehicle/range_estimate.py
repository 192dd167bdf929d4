"""Remaining range from recent consumption, not a constant.

Consumption is measured over the last WINDOW_KM driven (energy out of the pack, so heating and
auxiliary loads count); until enough distance is known it is blended with the preset's nominal
figure so the first kilometre does not swing the estimate wildly.
"""

from __future__ import annotations

from collections import deque

WINDOW_KM = 10.0
TRUST_KM = 2.0  # distance after which the measured figure is fully trusted


class RangeEstimator:
    def __init__(self, nominal_kwh_per_km: float) -> None:
        self.nominal = nominal_kwh_per_km
        self._samples: deque[tuple[float, float]] = deque()  # (odometer km, energy out kWh)

    def add(self, odometer_km: float, energy_out_kwh: float) -> None:
        """Note a point of the drive (ignored until 100 m past the previous one)."""
        samples = self._samples
        if samples and odometer_km - samples[-1][0] < 0.1:
            return
        samples.append((odometer_km, energy_out_kwh))
        while len(samples) > 1 and odometer_km - samples[1][0] >= WINDOW_KM:
            samples.popleft()

    def consumption_kwh_per_km(self, odometer_km: float, energy_out_kwh: float) -> float:
        if not self._samples:
            return self.nominal
        km0, kwh0 = self._samples[0]
        km = odometer_km - km0
        if km <= 0.05:
            return self.nominal
        measured = max(0.0, energy_out_kwh - kwh0) / km
        trust = min(1.0, km / TRUST_KM)
        return trust * measured + (1 - trust) * self.nominal

    def range_m(self, usable_kwh: float, odometer_km: float, energy_out_kwh: float) -> float:
        per_km = max(self.consumption_kwh_per_km(odometer_km, energy_out_kwh), 1e-3)
        return max(0.0, usable_kwh) / per_km * 1000.0
