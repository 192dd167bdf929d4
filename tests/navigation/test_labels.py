"""Street labels from the real Helsinki extract: on straight stretches, spread apart."""

from __future__ import annotations

import itertools

from navigation.labels import LABEL_SPACING_M, MIN_RUN_M, _flat_m, street_labels
from ui.viewmodels.map import _text_angle


def test_labels_lie_on_straight_stretches_of_named_streets(helsinki) -> None:
    labels = street_labels(helsinki)
    names = {label.name for label in labels}
    assert {"Mannerheimintie", "Kaivokatu", "Aleksanterinkatu"} <= names
    assert all(label.length_m >= MIN_RUN_M for label in labels)
    assert [label.length_m for label in labels] == sorted(
        (label.length_m for label in labels), reverse=True)
    for name in names:
        spots = [(lb.lat, lb.lon) for lb in labels if lb.name == name]
        assert all(_flat_m(a, b) >= LABEL_SPACING_M
                   for a, b in itertools.combinations(spots, 2)), name


def test_text_never_reads_upside_down() -> None:
    for bearing in range(0, 360, 5):
        angle = _text_angle(float(bearing))
        assert -90.0 <= angle <= 90.0
        # the text runs along the street, one way or the other
        assert (angle - (bearing - 90.0)) % 180.0 == 0.0
