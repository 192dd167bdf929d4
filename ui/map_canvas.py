"""The map drawn as vectors from the offline road graph (no tiles): roads, route, vehicle."""

from __future__ import annotations

from PySide6.QtCore import Property, QObject, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF, QTransform
from PySide6.QtQuick import QQuickPaintedItem

from ui.viewmodels.map import MapViewModel


class MapCanvas(QQuickPaintedItem):
    modelChanged = Signal()
    coloursChanged = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._model: MapViewModel | None = None
        self._road = QColor("#9aa5b1")
        self._route = QColor("#0a66c2")
        self._background = QColor("#eef1f5")
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
        if model.vehicle is not None:
            self._vehicle(painter, view.map(model.vehicle), model.heading)

    def _vehicle(self, painter: QPainter, at: QPointF, heading: float) -> None:
        painter.resetTransform()
        painter.translate(at)
        painter.rotate(heading)
        arrow = QPolygonF([QPointF(0, -18), QPointF(12, 14), QPointF(0, 7), QPointF(-12, 14)])
        painter.setPen(QPen(QColor("white"), 3))
        painter.setBrush(QBrush(QColor("#d9480f")))
        painter.drawPolygon(arrow)
