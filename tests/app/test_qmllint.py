"""qmllint over every QML file: no warnings. The Python-made type (MapCanvas, `import Volant`)
is described to qmllint by a qmltypes file written from its own meta-object, so the check
covers its properties too and never drifts from the class."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QMetaMethod

from ui.map_canvas import MapCanvas
from ui.shell import QML_DIR

QMLLINT = Path(sys.executable).with_name("pyside6-qmllint")
TYPES = {"QColor": "QColor", "QObject*": "QObject", "double": "double", "QRectF": "QRectF"}


def volant_module(folder: Path) -> Path:
    """Volant/qmldir and its qmltypes, from MapCanvas's meta-object."""
    meta = MapCanvas.staticMetaObject
    lines = ["import QtQuick.tooling 1.2", "Module {", "    Component {",
             '        file: "ui/map_canvas.py"', '        name: "MapCanvas"',
             '        accessSemantics: "reference"', '        prototype: "QQuickPaintedItem"',
             '        exports: ["Volant/MapCanvas 1.0"]',
             "        exportMetaObjectRevisions: [256]"]
    for i in range(meta.propertyOffset(), meta.propertyCount()):
        prop = meta.property(i)
        kind = TYPES[prop.typeName()]
        pointer = "; isPointer: true" if prop.typeName().endswith("*") else ""
        lines.append(f'        Property {{ name: "{prop.name()}"; type: "{kind}"{pointer}; '
                     f'notify: "{prop.notifySignal().name().data().decode()}" }}')
    for i in range(meta.methodOffset(), meta.methodCount()):
        method = meta.method(i)
        if method.methodType() == QMetaMethod.MethodType.Signal:
            lines.append(f'        Signal {{ name: "{method.name().data().decode()}" }}')
    lines += ["    }", "}"]
    module = folder / "Volant"
    module.mkdir()
    (module / "volant.qmltypes").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (module / "qmldir").write_text("module Volant\ntypeinfo volant.qmltypes\ndepends QtQuick\n"
                                   "import QtQuick\n", encoding="utf-8")
    return folder


def test_qml_has_no_lint_warnings(tmp_path: Path) -> None:
    files = sorted(str(p) for p in QML_DIR.rglob("*.qml"))
    assert len(files) > 20
    done = subprocess.run([str(QMLLINT), "-I", str(QML_DIR), "-I", str(volant_module(tmp_path)),
                           *files], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Warning" not in done.stdout + done.stderr, \
        done.stdout + done.stderr
