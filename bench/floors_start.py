"""One start-up, timed by bench/floors.py: prints "PAINTED" once the screen is on pixels.

    python bench/floors_start.py bare                    a bare PySide6 QMainWindow (the floor)
    python bench/floors_start.py bare_orm                the same, after `import sqlalchemy.orm`
                                                         (the design's floor for a start that
                                                         reads the store: DESIGN.md's ORM)
    python bench/floors_start.py signin URL              `frontdesk run` up to the sign-in dialog
    python bench/floors_start.py calendar URL USER PASS  ... signed in, the week painted
    python bench/floors_start.py exit URL USER PASS      ... then quit: prints QUIT, and
                                                         ATEXIT after the last atexit handler

The Frontdesk runs go through `desktop.cli.main(["run"])` itself; a 5 ms timer
watches for the screen, paints it once (grab), reports and ends the process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def painted() -> None:
    print("PAINTED", flush=True)
    os._exit(0)  # the bench measured what it needed; skip teardown


def bare(orm: bool = False) -> None:
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv)
    if orm:
        import sqlalchemy.orm  # noqa: F401
    window = QMainWindow()
    window.resize(1366, 768)
    window.show()
    window.grab()
    painted()
    app.exec()


def week_shown(panel: object, mode: str) -> bool:
    """The week's appointments are read and every block is in the scene. (Not "all
    background work done": the senders' code loads after the first paint, beside a
    calendar already in use; `exit` still waits for it, to quit a settled app.)"""
    if panel is None or getattr(panel, "snapshot", None) is None:
        return False
    scene = getattr(panel, "scene", None)
    if scene is None or scene.building:
        return False
    if mode == "exit":
        from desktop.ui.background_ops import runner

        return runner().idle()
    return True


def frontdesk(mode: str, url: str, user: str = "", password: str = "") -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    if mode == "exit":  # registered first, so it runs after every other atexit handler
        import atexit

        atexit.register(lambda: print("ATEXIT", flush=True))
    app = QApplication(sys.argv)
    submitted = False

    def watch() -> None:
        nonlocal submitted
        modal = QApplication.activeModalWidget()
        if modal is not None and type(modal).__name__ == "SignInDialog":
            if mode == "signin":
                modal.grab()
                painted()
            if not submitted:
                submitted = True
                modal.fill(user, password)  # type: ignore[attr-defined]
                modal.submit()  # type: ignore[attr-defined]
            return
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible() and week_shown(getattr(widget, "calendar", None), mode):
                widget.grab()
                if mode == "exit":
                    print("QUIT", flush=True)
                    QApplication.quit()
                    return
                painted()

    timer = QTimer()
    timer.timeout.connect(watch)
    timer.start(5)
    from desktop.cli import main

    main(["--database-url", url, "run"])
    del app


if __name__ == "__main__":
    if sys.argv[1] == "bare":
        bare()
    elif sys.argv[1] == "bare_orm":
        bare(orm=True)
    else:
        frontdesk(*sys.argv[1:])
