"""The pure rules: shares of a pass, oldest-expiring first, eligibility, expiry."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from desktop.domain.credit import (
    Application,
    CreditLot,
    CreditSource,
    LotStatus,
    ensure_added_credit,
    ensure_credit_refund,
    ensure_manual_application,
    plan_application,
    session_share,
    statement,
)
from desktop.domain.errors import InvalidInput
from desktop.domain.money import Money

PILATES = uuid.uuid4()
PHYSIO = uuid.uuid4()
PATIENT = uuid.uuid4()


def lot(
    number: str,
    cents: int,
    *,
    sessions: int | None = None,
    expires: date | None = None,
    types: frozenset[uuid.UUID] = frozenset(),
    received: date = date(2031, 1, 1),
    used: tuple[int, ...] = (),
) -> CreditLot:
    lot_id = uuid.uuid4()
    apps = tuple(
        Application(
            uuid.uuid4(), lot_id, uuid.uuid4(), "FD-1", f"{number}-A{i}", Money(c), date(2031, 1, 2)
        )
        for i, c in enumerate(used, 1)
    )
    return CreditLot(
        lot_id,
        PATIENT,
        number,
        CreditSource.PACKAGE if sessions else CreditSource.CREDIT_NOTE,
        number,
        Money(cents),
        received,
        sessions=sessions,
        expires_on=expires,
        eligible_type_ids=types,
        applications=apps,
    )


def test_session_shares_add_up_to_the_price() -> None:
    shares = [session_share(Money(10001), 3, i) for i in range(3)]
    assert [s.cents for s in shares] == [3334, 3334, 3333]
    assert sum(s.cents for s in shares) == 10001


def test_oldest_expiring_first_then_never_expiring() -> None:
    never = lot("FDC-1", 5000)
    later = lot("FDC-2", 5000, expires=date(2031, 6, 1))
    sooner = lot("FDC-3", 5000, expires=date(2031, 4, 1))
    plan = plan_application([never, later, sooner], Money(9000), PHYSIO, date(2031, 3, 3))
    assert [(s.lot_id, s.amount.cents) for s in plan] == [(sooner.id, 5000), (later.id, 4000)]


def test_a_pass_pays_one_session_at_its_value() -> None:
    pass_ = lot("FDC-1", 40000, sessions=10, types=frozenset({PILATES}))
    plan = plan_application([pass_], Money(4500), PILATES, date(2031, 3, 3))
    assert [s.amount.cents for s in plan] == [4000]  # the $5 gap stays owing


def test_eligibility_and_expiry() -> None:
    pass_ = lot("FDC-1", 45000, sessions=10, types=frozenset({PILATES}), expires=date(2031, 3, 1))
    assert plan_application([pass_], Money(9000), PHYSIO, date(2031, 2, 1)) == []
    assert plan_application([pass_], Money(4500), PILATES, date(2031, 3, 2)) == []
    assert plan_application([pass_], Money(4500), PILATES, date(2031, 3, 1))


def test_used_up_and_void_lots_pay_nothing() -> None:
    used = lot("FDC-1", 9000, sessions=2, used=(4500, 4500))
    assert used.remaining.is_zero() and used.sessions_left == 0
    assert plan_application([used], Money(4500), PILATES, date(2031, 3, 3)) == []
    void = CreditLot(
        uuid.uuid4(),
        PATIENT,
        "FDC-2",
        CreditSource.CREDIT_NOTE,
        "x",
        Money(100),
        date(2031, 1, 1),
        status=LotStatus.VOIDED,
    )
    assert void.remaining.is_zero()


def test_manual_application_and_refund_limits() -> None:
    credit = lot("FDC-1", 5000, types=frozenset({PHYSIO}))
    with pytest.raises(InvalidInput, match="left"):
        ensure_manual_application(credit, Money(9000), Money(6000), PHYSIO, date(2031, 1, 5))
    with pytest.raises(InvalidInput, match="owing"):
        ensure_manual_application(credit, Money(1000), Money(2000), PHYSIO, date(2031, 1, 5))
    with pytest.raises(InvalidInput, match="kind of appointment"):
        ensure_manual_application(credit, Money(9000), Money(100), PILATES, date(2031, 1, 5))
    with pytest.raises(InvalidInput, match="unused"):
        ensure_credit_refund(credit, Money(5001))
    ensure_credit_refund(credit, Money(5000))


def test_statement_balance_and_text() -> None:
    pass_ = lot("FDC-1", 45000, sessions=10, used=(4500, 4500), expires=date(2031, 9, 1))
    note = lot("FDC-2", 2000)
    card = statement(PATIENT, [note, pass_], date(2031, 3, 3))
    assert card.balance == Money(38000)
    assert [s.text for s in card.lots] == [
        "FDC-1: 8 of 10 sessions left, expires 01/09/2031",
        "FDC-2: $20.00 of $20.00 left",
    ]
    assert len(card.uses) == 2


@pytest.mark.parametrize(
    ("source", "amount", "description", "method_given", "message"),
    [
        (CreditSource.PACKAGE, Money(100), "x", True, "comes from selling the package"),
        (CreditSource.CREDIT_NOTE, Money(0), "Goodwill", False, "more than \\$0.00"),
        (CreditSource.CREDIT_NOTE, Money(-500), "Goodwill", False, "more than \\$0.00"),
        (CreditSource.OVERPAYMENT, Money(500), "Left on account", False, "how the money"),
        (CreditSource.CREDIT_NOTE, Money(500), "  ", False, "Describe the credit"),
    ],
)
def test_credit_given_by_hand_must_be_positive_and_say_what_it_is(
    source: CreditSource, amount: Money, description: str, method_given: bool, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        ensure_added_credit(source, amount, description, method_given=method_given)
    ensure_added_credit(CreditSource.CREDIT_NOTE, Money(500), "Goodwill", method_given=False)
    ensure_added_credit(CreditSource.OVERPAYMENT, Money(500), "On account", method_given=True)
