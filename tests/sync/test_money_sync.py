"""The clinic's money syncs between desks, and the server re-checks the money rules."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop.domain.billing import InvoiceStatus, PaymentMethod, Tender
from desktop.domain.money import Money
from desktop.services import billing, booking, credit
from desktop.services.credit import PackageDetails
from desktop.store.billing_models import InvoiceRow, PaymentRow, RefundRow
from desktop.store.credit_models import CreditApplicationRow, CreditLotRow
from desktop.sync import conflicts
from tests.helpers.clinic import ClinicFixture
from tests.sync.harness import Desk, ServerSide, mutation
from tests.sync.test_convergence import converged

pytestmark = pytest.mark.postgres


def consult(desk: Desk, c: ClinicFixture, hour: int, patient: int = 0, bob: bool = False):
    return booking.book_appointment(
        desk.ctx,
        booking.BookingRequest(
            c.clinic.id,
            (c.bob if bob else c.alice).id,
            c.consult.id,
            c.at(hour),
            patient_id=c.patients[patient].id,
        ),
    ).appointment


def cash(cents: int) -> list[Tender]:
    return [Tender(Money(cents), PaymentMethod.CASH)]


def numbers(server: ServerSide) -> list[str]:
    with server.database.reading() as session:
        found: list[str] = []
        for model in (InvoiceRow, PaymentRow, RefundRow, CreditLotRow, CreditApplicationRow):
            found += session.execute(select(model.number)).scalars()
        return found


def pass_of(desk: Desk, c: ClinicFixture, sessions: int) -> credit.Package:
    package, _ = credit.create_package(
        desk.ctx, PackageDetails(f"{sessions} x Consult", Money(9000 * sessions), sessions)
    )
    return package


def offline_day(front: Desk, back: Desk, c: ClinicFixture, package: credit.Package):  # type: ignore[no-untyped-def]
    """Both desks offline: each invoices and takes money, one refunds, both sell the
    same pass, one uses the pass it sold. (paid invoice, part-paid invoice, back's lot)"""
    paid, _ = billing.invoice_appointment(front.ctx, consult(front, c, 9).id)
    billing.take_payment(front.ctx, paid.id, cash(9000))
    part, _ = billing.invoice_appointment(back.ctx, consult(back, c, 10, 1, bob=True).id)
    billing.take_payment(back.ctx, part.id, cash(4000))
    billing.refund(back.ctx, part.id, Money(1000), PaymentMethod.CASH, "Overcharged")
    credit.sell_package(front.ctx, c.patients[2].id, package.id, PaymentMethod.CARD)
    lot, _ = credit.sell_package(back.ctx, c.patients[3].id, package.id, PaymentMethod.CASH)
    used, _ = billing.invoice_appointment(back.ctx, consult(back, c, 11, 3).id)
    assert used.credits  # paid from the pass sold on this desk, offline
    return paid, part, lot


def test_offline_money_on_two_desks_converges_with_unique_numbers(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    package = pass_of(front, c, 5)
    front.sync()
    back.sync()
    *_, lot = offline_day(front, back, c, package)
    for desk in (front, back, front):
        desk.sync()
    converged(server, front, back)
    made = numbers(server)
    assert len(made) == len(set(made)) == 9
    assert {n[:5] for n in made} == {"FD-A-", "FD-B-", "FDC-A", "FDC-B"}
    assert not conflicts.open_conflicts(front.database)
    assert not conflicts.open_conflicts(back.database)
    on_server = credit.get_lot(server.ctx, lot.id)
    assert (on_server.sessions_left, on_server.remaining) == (4, Money(36000))


def test_the_last_session_of_a_pass_goes_to_the_desk_that_syncs_first(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    package = pass_of(front, c, 1)
    lot, _ = credit.sell_package(front.ctx, c.patients[0].id, package.id, PaymentMethod.CASH)
    front.sync()
    back.sync()
    # Offline, both desks use the pass's one session for the same patient.
    first, _ = billing.invoice_appointment(front.ctx, consult(front, c, 9).id)
    second, _ = billing.invoice_appointment(back.ctx, consult(back, c, 14, bob=True).id)
    assert first.credits and second.credits
    front.sync()
    back.sync()
    [conflict] = conflicts.open_conflicts(back.database)
    assert conflict.entity == "credit_applications"
    assert "no sessions left" in conflict.reason
    assert (
        conflict.meaning
        == f"{second.number} is owing $90.00 again. {lot.number} has 0 of 1 sessions left."
    )
    # The invoice itself stands; only the use of credit was undone.
    assert billing.get_invoice(back.ctx, second.id).amount_due == Money(9000)
    front.sync()
    converged(server, front, back)
    on_server = credit.get_lot(server.ctx, lot.id)
    assert on_server.remaining == Money(0) and on_server.sessions_left == 0


def test_a_payment_beyond_what_is_owed_is_refused_and_listed(
    desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    front, back = desks
    c = clinic_on_server
    invoice, _ = billing.invoice_appointment(front.ctx, consult(front, c, 9).id)
    front.sync()
    back.sync()
    billing.take_payment(front.ctx, invoice.id, cash(9000))
    taken, _ = billing.take_payment(back.ctx, invoice.id, cash(5000))
    front.sync()
    back.sync()
    [conflict] = conflicts.open_conflicts(back.database)
    assert conflict.entity == "payments" and conflict.code == "payment_too_large"
    assert taken.payments[-1].number in conflict.summary
    assert conflict.meaning == f"{invoice.number} is paid."
    converged(server, front, back)
    assert billing.get_invoice(server.ctx, invoice.id).paid == Money(9000)


def test_only_reception_and_admins_may_void_refund_or_remove_payments_through_the_api(
    tmp_path, desks: list[Desk], server: ServerSide, clinic_on_server: ClinicFixture
) -> None:
    import uuid

    from desktop.domain.roles import Role
    from desktop.sync.state import load_state
    from tests.sync.harness import make_desk

    front, _ = desks
    c = clinic_on_server
    invoice, _ = billing.invoice_appointment(front.ctx, consult(front, c, 9).id)
    invoice, _ = billing.take_payment(front.ctx, invoice.id, cash(9000))
    front.sync()
    server.add_user("sarah", Role.PRACTITIONER, practitioner_id=c.alice.id)
    studio = make_desk(tmp_path, "studio", server, username="sarah")
    try:
        studio.sync()
        payment = invoice.payments[0]
        answer = studio.api.push(
            str(uuid.uuid4()),
            [
                mutation(
                    "payments",
                    {"status": "deleted", "deleted_reason": "oops"},
                    "update",
                    entity_id=payment.id,
                    base_version=payment.version,
                )
            ],
        )
        [result] = answer["results"]
        assert result["status"] == "rejected"
        assert result["error"]["code"] == "permission_denied"
        assert "remove payments" in result["error"]["message"]
        assert billing.get_invoice(server.ctx, invoice.id).paid == Money(9000)

        # Nor void an invoice, nor refund one (issue 18: "only roles that may void,
        # refund or remove payments can").
        voided = {"status": "voided", "void_reason": "oops"}
        studio_state = load_state(studio.database)
        assert studio_state is not None and studio_state.desk_code
        refund_id = str(uuid.uuid4())
        refund = {
            "invoice_id": str(invoice.id),
            "position": 1,
            "number": f"{invoice.number}-R1{studio_state.desk_code}",
            "amount_cents": 1000,
            "currency": "AUD",
            "method": "cash",
            "refunded_on": c.at(9).date().isoformat(),
            "reason": "oops",
        }
        answer = studio.api.push(
            str(uuid.uuid4()),
            [
                mutation(
                    "invoices",
                    voided,
                    "update",
                    entity_id=invoice.id,
                    base_version=billing.get_invoice(server.ctx, invoice.id).version,
                ),
                mutation("refunds", refund, entity_id=refund_id, base_version=None),
            ],
        )
        refused = [
            (r["status"], r["error"]["code"], r["error"]["message"]) for r in answer["results"]
        ]
        assert refused == [
            ("rejected", "permission_denied", "Only reception or an admin can void invoices."),
            ("rejected", "permission_denied", "Only reception or an admin can refund payments."),
        ]
        after = billing.get_invoice(server.ctx, invoice.id)
        assert after.status is not InvoiceStatus.VOIDED and after.refunded == Money(0)
    finally:
        studio.close()
