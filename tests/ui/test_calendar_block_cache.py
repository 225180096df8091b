"""A block is drawn once into a pixmap and copied on repaint: what changes must still show."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QImage, QPainter
from PySide6.QtWidgets import QGraphicsScene

from desktop.domain.appointments import Appointment, AppointmentKind, AppointmentStatus
from desktop.ui.calendar import items
from desktop.ui.calendar.block_painter import BlockFonts, paint_block
from desktop.ui.calendar.blocks import BlockRect
from desktop.ui.calendar.items import AppointmentItem
from desktop.ui.theme import LIGHT

ZONE = ZoneInfo("Australia/Sydney")
START = datetime(2031, 3, 3, 22, 0, tzinfo=UTC)


def booked() -> Appointment:
    return Appointment(
        uuid.uuid4(),
        uuid.uuid4(),
        uuid.uuid4(),
        uuid.uuid4(),
        "Consult",
        AppointmentKind.INDIVIDUAL,
        "#abcdef",
        START,
        START + timedelta(minutes=45),
        AppointmentStatus.BOOKED,
        patient_name="Ana Lima",
    )


def rendered(scene: QGraphicsScene) -> QImage:
    image = QImage(160, 90, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    scene.render(painter, QRectF(0, 0, 160, 90), QRectF(0, 0, 160, 90))
    painter.end()
    return image


def test_a_cached_block_redraws_when_selected_or_changed(qtbot, monkeypatch) -> None:
    drawn: list[str] = []

    def counted(painter, rect, appointment, *rest) -> None:  # type: ignore[no-untyped-def]
        drawn.append(appointment.status.value)
        paint_block(painter, rect, appointment, *rest)

    monkeypatch.setattr(items, "paint_block", counted)
    scene = QGraphicsScene()
    item = AppointmentItem(booked(), ZONE, "Sam Lee", LIGHT, BlockFonts.from_base(QFont()))
    item.set_block(BlockRect(5, 5, 150, 80))
    scene.addItem(item)
    plain = rendered(scene)
    assert rendered(scene) == plain  # the copy is what was drawn
    assert len(drawn) == 1  # drawn once, copied the second time

    item.setSelected(True)
    selected = rendered(scene)
    assert selected != plain  # the outline shows at once

    item.setSelected(False)
    assert rendered(scene) == plain

    item.set_appointment(replace(item.appointment, status=AppointmentStatus.ARRIVED), "Sam Lee")
    assert rendered(scene) not in (plain, selected)  # the new status is drawn, not the old copy
    scene.removeItem(item)
