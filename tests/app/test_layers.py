"""The rules of the house, checked on every import statement (inside functions too):

- the kernel imports no module, no ui/ and no app/;
- a module (vehicle/, navigation/, voice/, media/, ... every other top-level package) imports
  only the kernel: never another module, ui/ or app/;
- ui/ imports the kernel, never a module or app/ (the screens learn everything from the bus);
- only ui/ imports QtWidgets, QtQuick or QtQml;
- app/, the composition root, may import everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOT_MODULES = {"kernel", "app", "ui", "tests", "bench", "docs", "assets", "build"}
UI_ONLY_QT = {"PySide6.QtWidgets", "PySide6.QtQuick", "PySide6.QtQml", "PySide6.QtQuickWidgets",
              "PySide6.QtQuickControls2"}


def packages(root: Path) -> set[str]:
    return {p.parent.name for p in root.glob("*/__init__.py")}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def violations(root: Path) -> list[str]:
    """Every import that breaks a rule, as "file:line: what"."""
    tops = packages(root)
    modules = tops - NOT_MODULES
    broken = []
    for package in sorted(tops - {"app", "tests"}):
        allowed = {"kernel"} if package != "kernel" else set()
        for path in sorted((root / package).rglob("*.py")):
            for line, name in imports(path):
                top = name.split(".")[0]
                where = f"{path.relative_to(root)}:{line}"
                if top in tops and top != package and top not in allowed:
                    kind = "module" if top in modules else top
                    broken.append(f"{where}: {package}/ imports {kind} {top}/ ({name})")
                if package != "ui" and any(name == q or name.startswith(f"{q}.")
                                           for q in UI_ONLY_QT):
                    broken.append(f"{where}: {name} outside ui/")
    return sorted(set(broken))


def test_the_house_keeps_its_rules() -> None:
    assert packages(REPO) >= {"kernel", "app", "ui", "vehicle", "navigation", "voice", "media"}
    assert violations(REPO) == []


@pytest.mark.parametrize(("file", "code", "named"), [
    ("navigation/x.py", "def f():\n    from voice import intents\n",
     "navigation/x.py:2: navigation/ imports module voice/ (voice)"),
    ("media/x.py", "import ui.shell\n", "media/x.py:1: media/ imports ui ui/ (ui.shell)"),
    ("kernel/x.py", "from media.service import MediaService\n",
     "kernel/x.py:1: kernel/ imports module media/ (media.service)"),
    ("voice/x.py", "from app.composition import compose\n",
     "voice/x.py:1: voice/ imports app app/ (app.composition)"),
    ("kernel/x.py", "from PySide6.QtQuick import QQuickView\n",
     "kernel/x.py:1: PySide6.QtQuick outside ui/"),
    ("ui/x.py", "from navigation.router import Router\n",
     "ui/x.py:1: ui/ imports module navigation/ (navigation.router)"),
])
def test_a_wrong_import_is_caught(tmp_path: Path, file: str, code: str, named: str) -> None:
    for package in ("kernel", "app", "ui", "navigation", "voice", "media"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / file).write_text(code)
    assert named in violations(tmp_path)
