"""One start of the two things that deadlocked Volant's start-up, racing as they do in the app.

The main thread installs the French screen catalog and creates a QMediaPlayer (Qt loads its
multimedia backend, whose library constructors call tr() under the dynamic loader's lock) while
the speech thread loads espeak-ng through ctypes. Run as a script; exits 0 when both finished.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtMultimedia import QMediaPlayer

from ui.i18n import catalog_for


def main(cache: str) -> int:
    app = QGuiApplication(sys.argv[:1])
    catalog = catalog_for("fr", Path(cache))
    app.installTranslator(catalog)

    def load_speech() -> None:
        import pyttsx3

        pyttsx3.init()

    speech = threading.Thread(target=load_speech, daemon=True)
    speech.start()
    player = QMediaPlayer()
    speech.join()
    del player
    QCoreApplication.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
