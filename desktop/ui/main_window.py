"""The main window (a placeholder day list until the calendar views land)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.clinic_time import clinic_zone, day_bounds, to_local
from desktop.domain.errors import NotFound
from desktop.services import calendar
from desktop.services.context import ServiceContext


class MainWindow(QMainWindow):
    def __init__(self, ctx: ServiceContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("Frontdesk")
        self.resize(1200, 800)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.heading = QLabel()
        self.day_list = QTreeWidget()
        self.day_list.setHeaderLabels(["Time", "Practitioner", "Appointment", "Status"])
        layout.addWidget(self.heading)
        layout.addWidget(self.day_list)
        self.setCentralWidget(body)
        self.refresh()

    def refresh(self) -> None:
        self.day_list.clear()
        try:
            clinic = calendar.main_clinic(self.ctx)
        except NotFound as exc:
            self.heading.setText(str(exc))
            return
        zone = clinic_zone(clinic.timezone)
        today = datetime.now(zone).date()
        start, end = day_bounds(today, zone)
        names = {p.id: p.name for p in calendar.practitioners(self.ctx)}
        self.heading.setText(f"{clinic.name} — {today:%A %d %B %Y}")
        for appointment in calendar.appointments_between(self.ctx, start, end, list(names)):
            local = to_local(appointment.starts_at, zone)
            QTreeWidgetItem(
                self.day_list,
                [
                    f"{local:%H:%M}",
                    names[appointment.practitioner_id],
                    f"{appointment.type_name}: {appointment.title}",
                    appointment.status.label,
                ],
            )
