"""Icons for QML: the Tabler SVGs in assets/icons drawn in the colour the screen asks for.

`image://icon/NAME/RRGGBB` renders assets/icons/NAME.svg with its `currentColor` strokes in
that colour, so icons follow day and night without shader effects (which the software scene
graph cannot run). An unknown name is an error in the log and a transparent image.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtQuick import QQuickImageProvider
from PySide6.QtSvg import QSvgRenderer

log = logging.getLogger(__name__)
ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"
COLOUR = re.compile(r"[0-9a-fA-F]{6}([0-9a-fA-F]{2})?")
DEFAULT_PX = 48


class IconProvider(QQuickImageProvider):
    def __init__(self, folder: Path = ICONS) -> None:
        super().__init__(QQuickImageProvider.ImageType.Image)
        self._folder = folder
        self._svg: dict[str, str] = {}

    def _source(self, name: str) -> str | None:
        if name not in self._svg:
            path = self._folder / f"{name}.svg"
            if not re.fullmatch(r"[a-z0-9-]+", name) or not path.is_file():
                log.error("no icon %r in %s", name, self._folder)
                return None
            self._svg[name] = path.read_text(encoding="utf-8")
        return self._svg[name]

    def requestImage(self, id: str, size: QSize, requested: QSize) -> QImage:
        name, _, colour = id.partition("/")
        width = requested.width() if requested.width() > 0 else DEFAULT_PX
        height = requested.height() if requested.height() > 0 else DEFAULT_PX
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        svg = self._source(name)
        if svg is not None and COLOUR.fullmatch(colour):
            # Qt colours are #AARRGGBB when they carry alpha; SVG wants #RRGGBB
            rgb = colour[-6:]
            renderer = QSvgRenderer(QByteArray(svg.replace("currentColor", f"#{rgb}").encode()))
            painter = QPainter(image)
            renderer.render(painter)
            painter.end()
        if size is not None:
            size.setWidth(width)
            size.setHeight(height)
        return image
