"""The driver's units. Values travel on the bus in VSS's own units (km/h, m, km, °C); the texts
a driver reads or hears are converted here, once, for the screens and for speech alike.

Settings → units picks a system. It reaches the modules as the HMI's VSS signals
`Vehicle.Cabin.Infotainment.HMI.DistanceUnit` (KILOMETERS or MILES) and `.TemperatureUnit`
(C or F), retained, so a module that starts later still reads it.

Route distances are rounded as a driver takes them in: 10 m (or 10 ft) steps near a maneuver,
50 m (50 ft) steps further out, tenths of a kilometre (mile) beyond 1 km (0.1 mi, where US and UK
navigation switch from feet to miles). Speech gets the unit as a word ("300 metres"): text to
speech reads "300 m" as "300 em" in English and in French.
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel import topics
from kernel.event_bus import EventBus

M_PER_MILE = 1609.344
M_PER_FOOT = 0.3048
SYSTEMS = {"metric": ("KILOMETERS", "C"), "imperial": ("MILES", "F")}

# Unit words for speech: (singular, plural).
WORDS = {
    "en": {"m": ("metre", "metres"), "km": ("kilometre", "kilometres"),
           "ft": ("foot", "feet"), "mi": ("mile", "miles")},
    "fr": {"m": ("mètre", "mètres"), "km": ("kilomètre", "kilomètres"),
           "ft": ("pied", "pieds"), "mi": ("mille", "milles")},
    "ko": {"m": ("미터", "미터"), "km": ("킬로미터", "킬로미터"),
           "ft": ("피트", "피트"), "mi": ("마일", "마일")},
    "zh": {"m": ("米", "米"), "km": ("公里", "公里"),
           "ft": ("英尺", "英尺"), "mi": ("英里", "英里")},
}


def publish(bus: EventBus, system: str) -> None:
    """Say the settings' unit system (metric, imperial) on the HMI signals."""
    distance, temperature = SYSTEMS[system]
    bus.publish(topics.DISTANCE_UNIT, topics.VssString(distance))
    bus.publish(topics.TEMPERATURE_UNIT, topics.VssString(temperature))


def number(value: float, decimals: int = 0, language: str = "en") -> str:
    """1,234.5 in English and Korean; 1 234,5 in French (narrow no-break space)."""
    text = f"{value:,.{decimals}f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


@dataclass(frozen=True)
class Units:
    miles: bool = False
    fahrenheit: bool = False

    @classmethod
    def of(cls, system: str) -> Units:
        """From the settings' name (metric, imperial)."""
        return cls(system == "imperial", system == "imperial")

    @classmethod
    def on(cls, bus: EventBus) -> Units:
        """The units the HMI signals on `bus` say now; metric where none has been published."""
        distance = bus.retained(topics.DISTANCE_UNIT)
        temperature = bus.retained(topics.TEMPERATURE_UNIT)
        return cls(distance is not None and distance.value == "MILES",
                   temperature is not None and temperature.value == "F")

    @property
    def speed_unit(self) -> str:
        return "mph" if self.miles else "km/h"

    def speed(self, kmh: float) -> float:
        return kmh * 1000.0 / M_PER_MILE if self.miles else kmh

    def temperature(self, celsius: float) -> str:
        if self.fahrenheit:
            return f"{celsius * 9.0 / 5.0 + 32.0:.0f} °F"
        return f"{celsius:.0f} °C"

    def length(self, metres: float, decimals: int = 0, language: str = "en",
               spoken: bool = False) -> str:
        """A long distance (range, odometer, a route's length) in km or mi."""
        value = metres / (M_PER_MILE if self.miles else 1000.0)
        unit = "mi" if self.miles else "km"
        if spoken:
            value = round(value, decimals)
            return _words(value, 0 if value == int(value) else decimals, unit, language)
        return f"{number(value, decimals, language)} {unit}"

    def approach(self, metres: float, language: str = "en", spoken: bool = False) -> str:
        """A distance on the route ("in 300 m"), rounded for a glance or for the ear."""
        value, unit, decimals = self._rounded(metres)
        if spoken:
            return _words(value, decimals, unit, language)
        return f"{number(value, decimals, language)} {unit}"

    def _rounded(self, metres: float) -> tuple[float, str, int]:
        small, large, unit_m, switch_m = (("ft", "mi", M_PER_FOOT, 0.1 * M_PER_MILE)
                                          if self.miles else ("m", "km", 1.0, 1000.0))
        if metres < switch_m:
            count = metres / unit_m
            step = 50 if count >= 200 else 10
            rounded = max(step, round(count / step) * step)
            if rounded * unit_m < switch_m:
                return rounded, small, 0
        value = round(metres / (M_PER_MILE if self.miles else 1000.0), 1)
        return value, large, 0 if value == int(value) else 1


def _words(value: float, decimals: int, unit: str, language: str) -> str:
    """"300 metres", "1,5 kilomètre": French keeps the singular below 2."""
    singular, plural = WORDS.get(language, WORDS["en"])[unit]
    one = value < 2 if language == "fr" else value == 1
    return f"{number(value, decimals, language)} {singular if one else plural}"
