"""The application log: a rotating file in the user log folder, kept free of patient data.

Support needs a log; a clinic must not hand patient details to support. So:

* Code logs ids, never names, phones or emails (``log.info("booked %s", appt.id)``).
* As a safety net every record written to the file passes `PatientDataFilter`:
  objects that carry patient data (anything with ``first_name``/``patient_name``,
  e.g. `Patient`, `Appointment`, `PatientDetails`) are replaced by their type and
  id, and email addresses, phone-like digit runs (also Medicare and health-fund
  numbers) and day/month/year dates are masked. Full names registered with
  `protect_names` are masked too — useful where a message we do not control (an
  exception from a rule, a traceback) may quote one.
* SQLAlchemy's own loggers are held at WARNING: at INFO they print bound
  parameters, which are patient data.

`diagnostics_text()` is what "Copy diagnostics" puts on the clipboard for support:
versions, platform, the kind of database (never its password), where the log
is, and the last lines of the log (already masked, masked again on the way out).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import platform
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

import platformdirs

from desktop import __version__

APP_NAME = "Frontdesk"
LOG_FILE_NAME = "frontdesk.log"
MAX_BYTES = 2_000_000
BACKUP_COUNT = 5
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s [%(threadName)s] %(message)s"
# Loggers that print row values (patient data) below WARNING.
_CHATTY_LOGGERS = ("sqlalchemy", "alembic.runtime.migration", "httpx", "httpcore")

# One pattern, tried left to right: ids and ISO timestamps are kept as they are
# (their digit runs would otherwise look like phone numbers), the rest is masked.
_SENSITIVE = re.compile(
    r"(?P<keep>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
    r"|\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)"
    r"|(?P<email>[\w.+'-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<date>\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b)"
    r"|(?P<number>(?<![\w.])\+?\(?\d[\d ()-]{6,}\d(?![\w]))"
)
_MIN_SECRET_DIGITS = 8


class PatientDataRedactor:
    """Masks patient data in text: patterns always, full names once registered."""

    def __init__(self) -> None:
        self._names: set[str] = set()
        self._names_pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def protect_names(self, names: Iterable[str]) -> None:
        cleaned = {" ".join(name.split()) for name in names}
        with self._lock:
            added = {name for name in cleaned if len(name) > 2} - self._names
            if added:
                self._names |= added
                self._names_pattern = None

    def redact(self, text: str) -> str:
        text = _SENSITIVE.sub(_mask, text)
        pattern = self._pattern()
        return pattern.sub("[patient]", text) if pattern is not None else text

    def _pattern(self) -> re.Pattern[str] | None:
        with self._lock:
            if self._names_pattern is None and self._names:
                # Longest first, so "Sam Lee-Smith" is masked whole rather than "Sam Lee".
                names = sorted(self._names, key=len, reverse=True)
                alternatives = "|".join(r"\s+".join(map(re.escape, n.split())) for n in names)
                self._names_pattern = re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)
            return self._names_pattern


def _mask(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group()
    if kind == "keep":
        return text
    if kind == "number" and sum(ch.isdigit() for ch in text) < _MIN_SECRET_DIGITS:
        return text
    return f"[{kind}]"


REDACTOR = PatientDataRedactor()


def protect_names(names: Iterable[str]) -> None:
    """Mask these full names ("Sam Lee") wherever they appear in the log from now on."""
    REDACTOR.protect_names(names)


def scrub(value: object) -> object:
    """An object that carries patient data becomes "<Type id>"; anything else is kept."""
    if hasattr(value, "first_name") or hasattr(value, "patient_name"):
        return f"<{type(value).__name__} {getattr(value, 'id', '?')}>"
    return value


class PatientDataFilter(logging.Filter):
    """Rewrites each record so that what any handler writes holds no patient data."""

    def __init__(self, redactor: PatientDataRedactor = REDACTOR) -> None:
        super().__init__()
        self.redactor = redactor
        self._exceptions = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.redact(self._message(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._exceptions.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor.redact(record.stack_info)
        return True

    @staticmethod
    def _message(record: logging.LogRecord) -> str:
        record.msg = scrub(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: scrub(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(scrub(value) for value in record.args)
        try:
            return record.getMessage()
        except (TypeError, ValueError):  # a bad format string must not lose the record
            return f"{record.msg} {record.args!r}"


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_log_file() -> Path:
    return log_dir() / LOG_FILE_NAME


class _FrontdeskFileHandler(logging.handlers.RotatingFileHandler):
    """Our handler, recognisable so that setting up twice replaces rather than doubles it."""


def setup_logging(path: Path | None = None, level: int = logging.INFO) -> Path:
    """Log to a rotating file (2 MB x 5); returns the file. Calling again moves the file."""
    path = path or default_log_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return path  # a read-only profile: run without a log file rather than not at all
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _FrontdeskFileHandler)]:
        root.removeHandler(handler)
        handler.close()
    handler = _FrontdeskFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=True
    )
    handler.addFilter(PatientDataFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    # A log that cannot be written (a full disk) must not print tracebacks over
    # the one line the user is owed; the log is dropped, the work goes on.
    logging.raiseExceptions = False
    for name in _CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return path


def current_log_file() -> Path:
    """The file the log is being written to (the default place if logging is not set up)."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, _FrontdeskFileHandler):
            return Path(handler.baseFilename)
    return default_log_file()


def last_log_lines(count: int, path: Path | None = None) -> list[str]:
    path = path or current_log_file()
    for handler in logging.getLogger().handlers:
        handler.flush()
    try:
        with path.open("rb") as file:
            file.seek(0, os.SEEK_END)
            # The last lines are in the last few kilobytes; never read a whole log.
            file.seek(max(0, file.tell() - 200 * max(count, 1)))
            tail = file.read().decode("utf-8", errors="replace")
    except OSError:
        return []
    lines = tail.splitlines()
    return lines[-count:] if count else []


def describe_database(database_url: str | None) -> str:
    """The kind of database and where it is, with any password hidden."""
    if not database_url:
        return "not opened"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(database_url)
    except ArgumentError:
        return "an unreadable database URL (not shown)"
    backend = url.get_backend_name()
    if backend == "sqlite":
        return f"SQLite file {url.database or '(in memory)'}"
    return f"{backend} {url.render_as_string(hide_password=True)}"


def diagnostics_text(
    database_url: str | None = None,
    *,
    qt_version: str | None = None,
    lines: int = 40,
    log_path: Path | None = None,
) -> str:
    """Plain text for support: what runs where, and the last lines of the log."""
    log_path = log_path or current_log_file()
    now = datetime.now().astimezone()
    packaged = "bundled app" if getattr(sys, "frozen", False) else "from source"
    facts = [
        f"Frontdesk {__version__} ({packaged})",
        f"Python {platform.python_version()} ({platform.python_implementation()})",
        f"Platform: {platform.platform()} ({platform.machine()})",
        f"Qt: {qt_version or _installed('PySide6-Essentials') or 'not loaded'}",
        f"Database: {describe_database(database_url)}",
        f"Local time: {now:%Y-%m-%d %H:%M %Z} (UTC{now:%z})",
        f"Log file: {log_path}",
    ]
    tail = [REDACTOR.redact(line) for line in last_log_lines(lines, log_path)]
    body = tail or ["(the log is empty)"]
    return "\n".join([*facts, "", f"--- last {len(tail)} log lines ---", *body]) + "\n"


def _installed(distribution: str) -> str | None:
    # Imported here: importlib.metadata costs ~80 ms at start, and only the
    # diagnostics text (Help ▸ Diagnostics, the crash report) asks for a version.
    from importlib import metadata

    try:
        return f"PySide6 {metadata.version(distribution)}"
    except metadata.PackageNotFoundError:
        return None
