"""The map drawn as vectors from the offline road graph (no tiles): roads, street names,
the route still ahead, charging stations and bus stops, the destination pin, a proposed
charging station, the vehicle."""

from __future__ import annotations

import math

from PySide6.QtCore import Property, QObject, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtQuick import QQuickPaintedItem

from ui.icons import IconProvider
from ui.viewmodels.map import MapViewModel

PIN_PX = 44
MARK_PX = 30  # a charging station's or bus stop's round mark
STOPS_FROM_PX_PER_M = 1.0  # bus stops are marked from this zoom in (farther out they crowd)
MARK_ICONS = {"charging_station": "charging-pile", "bus_stop": "bus-stop"}


class MapCanvas(QQuickPaintedItem):
    modelChanged = Signal()
    coloursChanged = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._model: MapViewModel | None = None
        self._road = QColor("#9aa5b1")
        self._route = QColor("#0a66c2")
        self._background = QColor("#eef1f5")
        self._label = QColor("#3d4852")
        self._pin = QColor("#b3261e")
        self._charger = QColor("#17692e")
        self._stop = QColor("#6a3d9a")
        self._icons = IconProvider()
        self._font_px = 14.0
        self._label_area = QRectF()  # empty = the whole canvas
        self.drawn_labels: list[str] = []  # the names written in the last frame
        self.drawn_places: list[str] = []  # the kinds of the places marked in the last frame
        self.setAntialiasing(True)

    def _set_model(self, model: MapViewModel | None) -> None:
        if model is self._model:
            return
        self._model = model
        if model is not None:
            for signal in (model.geometryChanged, model.vehicleChanged, model.viewChanged):
                signal.connect(self.update)
        self.modelChanged.emit()
        self.update()

    def _colour(name: str, notify: Signal):
        def getter(self) -> QColor:
            return getattr(self, name)

        def setter(self, value: QColor) -> None:
            setattr(self, name, QColor(value))
            self.coloursChanged.emit()
            self.update()

        return Property(QColor, getter, setter, notify=notify)

    model = Property(QObject, lambda self: self._model, _set_model,
                     notify=modelChanged)
    roadColour = _colour("_road", coloursChanged)
    routeColour = _colour("_route", coloursChanged)
    backgroundColour = _colour("_background", coloursChanged)
    labelColour = _colour("_label", coloursChanged)
    pinColour = _colour("_pin", coloursChanged)
    chargerColour = _colour("_charger", coloursChanged)
    stopColour = _colour("_stop", coloursChanged)

    def _set_font_px(self, value: float) -> None:
        self._font_px = value
        self.update()

    labelPixelSize = Property(float, lambda self: self._font_px, _set_font_px,
                              notify=coloursChanged)

    def _set_label_area(self, value: QRectF) -> None:
        self._label_area = QRectF(value)
        self.update()

    # Where names may be written: clear of the buttons drawn over the map.
    labelArea = Property(QRectF, lambda self: self._label_area, _set_label_area,
                         notify=coloursChanged)

    def paint(self, painter: QPainter) -> None:
        painter.fillRect(0, 0, int(self.width()), int(self.height()), self._background)
        model = self._model
        if model is None or model.roads.isEmpty():
            return
        scale = model.pixels_per_metre
        centre = model.centre
        view = QTransform()
        view.translate(self.width() / 2, self.height() / 2)
        view.scale(scale, scale)
        view.translate(-centre.x(), -centre.y())
        painter.setTransform(view)
        road_pen = QPen(self._road, 5.0 / scale)
        road_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        road_pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.strokePath(model.roads, road_pen)
        if not model.route.isEmpty():
            route_pen = QPen(self._route, 10.0 / scale)
            route_pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            route_pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter.strokePath(model.route, route_pen)
        self._labels(painter, view, model)
        self._places(painter, view, model)
        for at, icon, colour in ((model.charger, "charging-pile", self._route),
                                 (model.destination, "map-pin", self._pin)):
            if at is not None:
                self._pin_at(painter, view.map(at), icon, colour)
        if model.vehicle is not None:
            self._vehicle(painter, view.map(model.vehicle), model.heading)

    def _labels(self, painter: QPainter, view: QTransform, model: MapViewModel) -> None:
        """Street names along their straight stretches, longest first, where the name fits
        inside the stretch at this zoom and overlaps no name already written."""
        painter.resetTransform()
        font = QFont()
        font.setPixelSize(round(self._font_px))
        font.setBold(True)
        metrics = QFontMetricsF(font)
        screen = self._label_area if not self._label_area.isEmpty() else \
            QRectF(0, 0, self.width(), self.height())
        taken: list[QRectF] = []
        if model.vehicle is not None:  # the car's arrow stays clear
            car = view.map(model.vehicle)
            taken.append(QRectF(car.x() - 22, car.y() - 22, 44, 44))
        self.drawn_labels = []
        halo = QPen(self._background, 4.0)
        halo.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        middle = screen.center()
        for name, at, angle, length_m in model.labels:
            width = metrics.horizontalAdvance(name)
            slack = (length_m * model.pixels_per_metre - width) / 2 - metrics.height()
            if slack < 0:
                continue
            # Slide the name along its stretch towards the middle of the view, so a long
            # street whose midpoint is off screen is still named where it is seen.
            centre = view.map(at)
            dx, dy = math.cos(math.radians(angle)), math.sin(math.radians(angle))
            t = (middle.x() - centre.x()) * dx + (middle.y() - centre.y()) * dy
            t = max(-slack, min(slack, t))
            centre = QPointF(centre.x() + t * dx, centre.y() + t * dy)
            box = QTransform().translate(centre.x(), centre.y()).rotate(angle).mapRect(
                QRectF(-width / 2, -metrics.height() / 2, width, metrics.height()))
            if not screen.contains(box) or any(box.intersects(other) for other in taken):
                continue
            taken.append(box)
            self.drawn_labels.append(name)
            text = QPainterPath()
            text.addText(-width / 2, metrics.ascent() - metrics.height() / 2, font, name)
            painter.save()
            painter.translate(centre)
            painter.rotate(angle)
            painter.strokePath(text, halo)
            painter.fillPath(text, self._label)
            painter.restore()

    def _places(self, painter: QPainter, view: QTransform, model: MapViewModel) -> None:
        """Charging stations always, bus stops once zoomed in enough to tell them apart; a mark
        that would cover one already drawn is left out (chargers first), so a terminal's dozen
        platforms read as one stop at a glance."""
        painter.resetTransform()
        self.drawn_places = []
        screen = QRectF(0, 0, self.width(), self.height()).adjusted(-MARK_PX, -MARK_PX,
                                                                     MARK_PX, MARK_PX)
        stops = model.pixels_per_metre >= STOPS_FROM_PX_PER_M
        drawn: list[QPointF] = []
        for kind, at in sorted(model.places, key=lambda place: place[0] != "charging_station"):
            centre = view.map(at)
            if (kind == "bus_stop" and not stops) or not screen.contains(centre):
                continue
            if any(abs(c.x() - centre.x()) < MARK_PX and abs(c.y() - centre.y()) < MARK_PX
                   for c in drawn):
                continue
            drawn.append(centre)
            self.drawn_places.append(kind)
            painter.setPen(QPen(self._background, 2))
            painter.setBrush(QBrush(self._charger if kind == "charging_station" else self._stop))
            painter.drawEllipse(centre, MARK_PX / 2, MARK_PX / 2)
            size = round(MARK_PX * 0.65)
            image = self._icons.requestImage(f"{MARK_ICONS[kind]}/{self._background.name()[1:]}",
                                             None, QSize(size, size))
            painter.drawImage(QPointF(centre.x() - size / 2, centre.y() - size / 2), image)

    def _pin_at(self, painter: QPainter, at: QPointF, icon: str, colour: QColor) -> None:
        """A round marker standing on its point, the icon inside in the background colour."""
        painter.resetTransform()
        painter.setPen(QPen(self._background, 3))
        painter.setBrush(QBrush(colour))
        centre = QPointF(at.x(), at.y() - PIN_PX * 0.75)
        painter.drawPolygon(QPolygonF([QPointF(at.x() - 8, centre.y() + PIN_PX * 0.3), at,
                                       QPointF(at.x() + 8, centre.y() + PIN_PX * 0.3)]))
        painter.drawEllipse(centre, PIN_PX / 2, PIN_PX / 2)
        size = round(PIN_PX * 0.6)
        image = self._icons.requestImage(f"{icon}/{self._background.name()[1:]}", None,
                                         QSize(size, size))
        painter.drawImage(QPointF(centre.x() - size / 2, centre.y() - size / 2), image)

    def _vehicle(self, painter: QPainter, at: QPointF, heading: float) -> None:
        painter.resetTransform()
        painter.translate(at)
        painter.rotate(heading)
        arrow = QPolygonF([QPointF(0, -18), QPointF(12, 14), QPointF(0, 7), QPointF(-12, 14)])
        painter.setPen(QPen(QColor("white"), 3))
        painter.setBrush(QBrush(QColor("#d9480f")))
        painter.drawPolygon(arrow)
