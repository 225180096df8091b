"""`frontdesk wait-list`: what an administrator sees and sets from the command line."""

from __future__ import annotations

from pathlib import Path

from desktop.services.context import ServiceContext
from desktop.services.wait_list import WaitListRequest, add_entry
from desktop.services.wait_list_offers import get_settings
from desktop.store.database import Database
from tests.helpers import templates
from tests.helpers.clinic import make_clinic
from tests.messaging.helpers import texting_through_twilio
from tests.test_cli import frontdesk, one_line_error


def test_show_the_list_and_turn_sms_offers_on_and_off(tmp_path: Path) -> None:
    url = templates.migrated_sqlite(tmp_path / "clinic.sqlite3")
    database = Database(url)
    ctx = ServiceContext.for_system(database)
    clinic = make_clinic(ctx)
    add_entry(ctx, WaitListRequest(clinic.patients[2].id, note="knee"))
    add_entry(ctx, WaitListRequest(clinic.patients[3].id, urgent=True))

    shown = frontdesk("--database-url", url, "wait-list", "show")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("URGENT Ana Lima (since ")
    assert lines[1].startswith("Jo Citizen") and "any practitioner" in lines[1]

    assert "off" in frontdesk("--database-url", url, "wait-list", "offers").stdout
    turned = frontdesk("--database-url", url, "wait-list", "offers", "--on", "--to", "2")
    assert turned.stdout.splitlines() == [
        "SMS offers of freed times: on, to 2 at once.",
        # On, as asked, but the administrator is told why nothing will go yet.
        "No offer can go yet: set up an SMS provider in Settings ▸ Reminders and SMS.",
    ]
    stored = get_settings(ctx, clinic.clinic.id)
    assert (stored.offer_by_sms, stored.offer_to) == (True, 2)
    refused = frontdesk("--database-url", url, "wait-list", "offers", "--to", "50")
    assert "between 1 and 10" in one_line_error(refused)
    assert get_settings(ctx, clinic.clinic.id).offer_to == 2

    texting_through_twilio(ctx, clinic.clinic.id)
    ready = frontdesk("--database-url", url, "wait-list", "offers")
    assert ready.stdout.splitlines() == ["SMS offers of freed times: on, to 2 at once."]
    database.dispose()
