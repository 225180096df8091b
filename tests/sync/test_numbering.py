"""Document numbers on desks that share a clinic: each desk numbers in its own series."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.domain.billing import PaymentMethod, Tender
from desktop.domain.credit import CreditSource
from desktop.domain.money import Money
from desktop.server.desks import desk_code
from desktop.services import billing, booking, credit
from desktop.store.billing_models import InvoiceRow, PaymentRow
from desktop.store.numbering import NoDeskCode
from desktop.store.sync_models import SyncMutationRow
from desktop.sync import conflicts
from desktop.sync.state import load_state
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import Desk, ServerSide, make_desk, mutation

pytestmark = pytest.mark.postgres


def consult(desk: Desk, c: ClinicFixture, hour: int, patient: int = 0) -> booking.Booked:
    return booking.book_appointment(
        desk.ctx,
        booking.BookingRequest(
            c.clinic.id, c.alice.id, c.consult.id, c.at(hour), patient_id=c.patients[patient].id
        ),
    )


def test_desk_codes_run_like_spreadsheet_columns() -> None:
    assert [desk_code(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


def test_each_desk_gets_its_own_code_once(desks: list[Desk]) -> None:
    front, back = desks
    codes = [load_state(d.database).desk_code for d in desks]  # type: ignore[union-attr]
    assert codes == ["A", "B"]
    front.sync()
    back.sync()
    assert load_state(front.database).desk_code == "A"  # type: ignore[union-attr]
    again = front.api.register_desk(str(load_state(front.database).replica_id), "x")  # type: ignore[union-attr]
    assert again["code"] == "A"


def test_offline_desks_number_invoices_payments_and_credit_apart(
    desks: list[Desk], clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    made: list[str] = []
    for desk, hour in ((front, 9), (back, 10), (front, 11)):
        booked = consult(desk, c, hour, patient=hour % 3)
        invoice, _ = billing.invoice_appointment(desk.ctx, booked.appointment.id)
        invoice, _ = billing.take_payment(
            desk.ctx, invoice.id, [Tender(Money(4000), PaymentMethod.CASH)]
        )
        made += [invoice.number, invoice.payments[0].number]
    assert made == [
        "FD-A-000001", "FD-A-000001-P1A",
        "FD-B-000001", "FD-B-000001-P1B",
        "FD-A-000002", "FD-A-000002-P1A",
    ]  # fmt: skip
    lot, _ = credit.add_credit(
        back.ctx,
        c.patients[0].id,
        Money(5000),
        CreditSource.OVERPAYMENT,
        "On account",
        method=PaymentMethod.CASH,
    )
    assert lot.number == "FDC-B-000001"


def test_a_desk_without_its_code_makes_no_numbers(
    tmp_path: Path, server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    desk = make_desk(tmp_path, "new", server)
    try:
        # Bound, but the first pass (which fetches the code) has not run: e.g. the
        # desk was upgraded while offline. The clinic's rows are not here either, so
        # the refusal is checked where numbers are made.
        from desktop.store.numbering import desk_series

        with desk.database.reading() as session, pytest.raises(NoDeskCode, match="desk letter"):
            desk_series(session)
        desk.sync()
        with desk.database.reading() as session:
            assert desk_series(session) == "A"
    finally:
        desk.close()


def _push_numbered_as(desk: Desk, entity: str, number: str, **fields: object) -> None:
    """Rewrite the desk's waiting insert of `entity` as a desk with other ideas would send it."""
    with desk.database.write_session() as session:
        mutation = session.execute(
            select(SyncMutationRow).where(
                SyncMutationRow.entity == entity, SyncMutationRow.operation == "insert"
            )
        ).scalar_one()
        mutation.fields = {**mutation.fields, "number": number, **fields}
        session.commit()


def test_the_server_refuses_numbers_in_another_desks_series(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    invoice, _ = billing.invoice_appointment(back.ctx, consult(back, c, 10, 1).appointment.id)
    back.sync()
    front.sync()
    # Front takes a payment on back's invoice, but numbers it as if back had taken it.
    billing.take_payment(front.ctx, invoice.id, [Tender(Money(4000), PaymentMethod.CASH)])
    _push_numbered_as(front, "payments", "FD-B-000001-P1B")
    front.sync()
    [refused] = conflicts.open_conflicts(front.database)
    assert refused.entity == "payments"
    assert "FD-B-000001-P1B is not in this desk's series (desk A)" in refused.reason
    # An invoice in back's series, made at front: refused too.
    invoice_at_front, _ = billing.invoice_appointment(
        front.ctx, consult(front, c, 11, 2).appointment.id
    )
    assert invoice_at_front.number == "FD-A-000001"
    _push_numbered_as(front, "invoices", "FD-B-000002", series="B", sequence=2)
    front.sync()
    assert any("FD-B-000002 is not in this desk's series" in x.reason for x in
               conflicts.open_conflicts(front.database))  # fmt: skip
    with server.database.reading() as session:
        on_server = set(session.execute(select(PaymentRow.number)).scalars())
        on_server |= set(session.execute(select(InvoiceRow.number)).scalars())
    assert on_server == {"FD-B-000001"}
    # Payments made properly at front still go through, with front's letter.
    paid, _ = billing.take_payment(front.ctx, invoice.id, [Tender(Money(4000), PaymentMethod.CASH)])
    assert paid.payments[-1].number == "FD-B-000001-P1A"
    front.sync()
    payment_conflicts = [
        x for x in conflicts.open_conflicts(front.database) if x.entity == "payments"
    ]
    assert len(payment_conflicts) == 1  # only the one refused above
    with server.database.reading() as session:
        assert session.execute(select(PaymentRow.number)).scalars().all() == ["FD-B-000001-P1A"]


def test_a_printed_number_never_changes_whoever_pushes_it(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    """Issue 18: a number printed on a receipt never changes afterwards, also when a
    desk (or a script with a desk's sign-in) pushes a renumbering through the API."""
    import uuid

    front, _ = desks
    c = clinic_on_server
    invoice, _ = billing.invoice_appointment(front.ctx, consult(front, c, 9).appointment.id)
    invoice, _ = billing.take_payment(
        front.ctx, invoice.id, [Tender(Money(9000), PaymentMethod.CASH)]
    )
    front.sync()
    payment = invoice.payments[0]
    renumbered = [
        ("invoices", invoice.id, invoice.version, {"number": "FD-A-000099"}),
        ("invoices", invoice.id, invoice.version, {"series": "A", "sequence": 99}),
        ("payments", payment.id, payment.version, {"number": f"{invoice.number}-P9A"}),
    ]
    answer = front.api.push(
        str(uuid.uuid4()),
        [
            mutation(entity, fields, "update", entity_id=entity_id, base_version=version)
            for entity, entity_id, version, fields in renumbered
        ],
    )
    assert [(r["status"], r["error"]["message"]) for r in answer["results"]] == [
        ("rejected", f"{invoice.number} is printed; its number cannot change."),
        ("rejected", f"{invoice.number} is printed; its number cannot change."),
        ("rejected", f"{payment.number} is printed; its number cannot change."),
    ]
    with server.database.reading() as session:
        assert session.execute(select(InvoiceRow.number)).scalars().all() == [invoice.number]
        assert session.execute(select(PaymentRow.number)).scalars().all() == [payment.number]
