"""Prepaid packages and patient credit: sell, apply session by session, return, refund.

Each use case is one unit of work that also writes the Xero jobs (when Xero is
connected) in the same transaction:

* a lot (package sold, money on account, credit note) -> `xero.credit`: a Xero
  prepayment, overpayment or credit note for the patient's contact;
* each application of credit to a session's invoice -> `xero.allocation` of that
  credit to the invoice, waiting for the invoice's own job (it must exist in Xero);
  returning it (void, by hand) -> the same kind with `live: false`, which deletes the
  allocation. A void waits for its allocations to be removed first: Xero will not
  void an invoice with credit on it.
* a refund of unused credit -> `xero.credit_refund`: a payment on the credit.

The payloads and queueing of those jobs are in `credit_sync`, the health-fund
receipts in `credit_receipts` (as billing has `billing_sync` and `receipts`).

Billing calls three hooks inside its own units of work: `invoice_raised` (apply
credit automatically unless the clinic turned that off), `invoice_voided` (give
the credit back) and `invoice_edited` (a refused allocation goes again after the
edit).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from desktop.domain import credit as rules
from desktop.domain.billing import PaymentMethod
from desktop.domain.clinic_time import clinic_zone, local_date
from desktop.domain.credit import (
    Application,
    ApplicationStatus,
    CreditLot,
    CreditRefund,
    CreditSource,
    CreditStatement,
    LotStatus,
    Package,
)
from desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from desktop.domain.money import Money
from desktop.services import billing_sync
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext

# Split like billing: the Xero payloads and the receipts live in their own modules;
# their public names stay importable from here (callers use `credit.lot_changed` ...).
from desktop.services.credit_receipts import session_invoices as session_invoices
from desktop.services.credit_receipts import session_receipts_pdf as session_receipts_pdf
from desktop.services.credit_sync import application_changed as application_changed
from desktop.services.credit_sync import credit_refund_added as credit_refund_added
from desktop.services.credit_sync import lot_changed as lot_changed
from desktop.services.credit_sync import lot_dependency as lot_dependency
from desktop.services.credit_sync import lot_payload as lot_payload
from desktop.services.credit_sync import open_credit_jobs as open_credit_jobs
from desktop.store import numbering
from desktop.store.billing_models import InvoiceRow
from desktop.store.credit_models import (
    CreditApplicationRow,
    CreditLotRow,
    CreditPackageRow,
    CreditRefundRow,
    CreditSettingsRow,
)
from desktop.store.models import AppointmentRow, ClinicRow, PatientRow
from desktop.store.outbox_models import OutboxJobRow

_LOT_NUMBER_LOCK = 727_007


def _changed(outbox: bool, *ids: uuid.UUID) -> Changes:
    return Changes(billing=True, patients=True, outbox=outbox, ids=frozenset(ids))


def _today(ctx: ServiceContext, session: Session) -> date:
    zone = session.execute(select(ClinicRow.timezone).limit(1)).scalar_one_or_none()
    return local_date(ctx.now(), clinic_zone(zone or "Australia/Sydney"))


def _require_money_role(ctx: ServiceContext, what: str) -> None:
    if not ctx.actor().handles_money_back:
        raise PermissionDenied(f"Only reception or an admin can {what}.")


# --------------------------------------------------------------------------- rows -> domain


def _ids(values: Iterable[object]) -> frozenset[uuid.UUID]:
    return frozenset(uuid.UUID(str(v)) for v in values or ())


def to_package(row: CreditPackageRow) -> Package:
    return Package(
        id=row.id,
        name=row.name,
        price=Money(row.price_cents, row.currency),
        sessions=row.sessions,
        eligible_type_ids=_ids(row.eligible_type_ids),
        valid_days=row.valid_days,
        active=row.active,
        version=row.version,
    )


def to_lot(session: Session, row: CreditLotRow) -> CreditLot:
    numbers = dict(
        session.execute(
            select(InvoiceRow.id, InvoiceRow.number).where(
                InvoiceRow.id.in_([a.invoice_id for a in row.applications])
            )
        ).all()
    )
    facts = {
        i: (d, t)
        for i, d, t in session.execute(
            select(InvoiceRow.id, InvoiceRow.service_date, InvoiceRow.type_name).where(
                InvoiceRow.id.in_([a.invoice_id for a in row.applications])
            )
        ).all()
    }
    return CreditLot(
        id=row.id,
        patient_id=row.patient_id,
        number=row.number,
        source=CreditSource(row.source),
        description=row.description,
        amount=Money(row.amount_cents, row.currency),
        received_on=row.received_on,
        sessions=row.sessions,
        expires_on=row.expires_on,
        eligible_type_ids=_ids(row.eligible_type_ids),
        status=LotStatus(row.status),
        package_id=row.package_id,
        applications=tuple(
            Application(
                id=a.id,
                lot_id=row.id,
                invoice_id=a.invoice_id,
                invoice_number=numbers.get(a.invoice_id, ""),
                number=a.number,
                amount=Money(a.amount_cents, row.currency),
                applied_on=a.applied_on,
                status=ApplicationStatus(a.status),
                service_date=facts.get(a.invoice_id, (None, ""))[0],
                type_name=facts.get(a.invoice_id, (None, ""))[1],
                xero_allocation_id=a.xero_allocation_id,
            )
            for a in row.applications
        ),
        refunds=tuple(
            CreditRefund(
                id=r.id,
                lot_id=row.id,
                number=r.number,
                amount=Money(r.amount_cents, row.currency),
                method=r.method,
                refunded_on=r.refunded_on,
                reason=r.reason,
            )
            for r in row.refunds
        ),
        xero_credit_id=row.xero_credit_id,
        version=row.version,
    )


def _lot_rows(session: Session, patient_id: uuid.UUID, lock: bool = False) -> list[CreditLotRow]:
    query = (
        select(CreditLotRow)
        .where(CreditLotRow.patient_id == patient_id)
        .order_by(CreditLotRow.sequence)
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        # Two desks invoicing the same patient at once must not spend one lot twice.
        query = query.with_for_update(of=CreditLotRow)
    return list(session.execute(query).scalars())


# --------------------------------------------------------------------------- packages


@dataclass(frozen=True, slots=True)
class PackageDetails:
    name: str
    price: Money
    sessions: int | None = None
    eligible_type_ids: frozenset[uuid.UUID] = frozenset()
    valid_days: int | None = None
    active: bool = True


def create_package(ctx: ServiceContext, details: PackageDetails) -> tuple[Package, Changes]:
    _require_money_role(ctx, "set up packages")
    rules.ensure_package(details.name, details.price, details.sessions, details.valid_days)
    with ctx.unit_of_work() as uow:
        _ensure_package_name_free(uow.session, details.name)
        row = CreditPackageRow(active=details.active)
        _fill_package(row, details)
        uow.session.add(row)
        uow.commit()
        package = to_package(row)
    return package, Changes(billing=True, ids=frozenset({package.id}))


def update_package(
    ctx: ServiceContext, package_id: uuid.UUID, details: PackageDetails
) -> tuple[Package, Changes]:
    """Edit what a package sells from now on; packages already sold keep their terms."""
    _require_money_role(ctx, "change packages")
    rules.ensure_package(details.name, details.price, details.sessions, details.valid_days)
    with ctx.unit_of_work() as uow:
        row = uow.session.get(CreditPackageRow, package_id)
        if row is None:
            raise NotFound("That package no longer exists.")
        _ensure_package_name_free(uow.session, details.name, package_id)
        _fill_package(row, details)
        uow.commit()
        package = to_package(row)
    return package, Changes(billing=True, ids=frozenset({package_id}))


def set_package_active(ctx: ServiceContext, package_id: uuid.UUID, active: bool) -> Changes:
    """Retire a package (no longer sold; sold ones keep working) or sell it again."""
    _require_money_role(ctx, "retire packages")
    with ctx.unit_of_work() as uow:
        row = uow.session.get(CreditPackageRow, package_id)
        if row is None:
            raise NotFound("That package no longer exists.")
        row.active = active
        uow.commit()
    return Changes(billing=True, ids=frozenset({package_id}))


def _ensure_package_name_free(session: Session, name: str, own_id: uuid.UUID | None = None) -> None:
    query = select(CreditPackageRow.id).where(CreditPackageRow.name == name.strip())
    found = session.execute(query).scalar_one_or_none()
    if found is not None and found != own_id:
        raise InvalidInput(f"There is already a package called “{name.strip()}”.")


def _fill_package(row: CreditPackageRow, details: PackageDetails) -> None:
    row.name = details.name.strip()
    row.price_cents = details.price.cents
    row.currency = details.price.currency
    row.sessions = details.sessions
    row.eligible_type_ids = sorted(str(i) for i in details.eligible_type_ids)
    row.valid_days = details.valid_days


def packages(ctx: ServiceContext, include_inactive: bool = False) -> list[Package]:
    ctx.actor()
    with ctx.database.reading() as session:
        query = select(CreditPackageRow).order_by(CreditPackageRow.name)
        if not include_inactive:
            query = query.where(CreditPackageRow.active.is_(True))
        return [to_package(row) for row in session.execute(query).scalars()]


# --------------------------------------------------------------------------- settings


def auto_apply_enabled(session: Session) -> bool:
    value = session.execute(
        select(CreditSettingsRow.auto_apply).where(CreditSettingsRow.key == "main")
    ).scalar_one_or_none()
    return True if value is None else bool(value)


def auto_apply(ctx: ServiceContext) -> bool:
    ctx.actor()
    with ctx.database.reading() as session:
        return auto_apply_enabled(session)


def set_auto_apply(ctx: ServiceContext, enabled: bool) -> Changes:
    """The clinic can turn automatic use of credit off and apply it by hand."""
    _require_money_role(ctx, "change how credit is applied")
    with ctx.unit_of_work() as uow:
        row = uow.session.execute(
            select(CreditSettingsRow).where(CreditSettingsRow.key == "main")
        ).scalar_one_or_none()
        if row is None:
            row = CreditSettingsRow(key="main")
            uow.session.add(row)
        row.auto_apply = enabled
        uow.commit()
    return Changes(billing=True)


# --------------------------------------------------------------------------- lots


def _new_lot(
    session: Session,
    patient_id: uuid.UUID,
    source: CreditSource,
    description: str,
    amount: Money,
    received_on: date,
    *,
    method: str = "",
    sessions: int | None = None,
    expires_on: date | None = None,
    eligible_type_ids: Iterable[uuid.UUID] = (),
    package_id: uuid.UUID | None = None,
) -> CreditLotRow:
    patient = session.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound("That patient no longer exists.")
    if amount.cents <= 0:
        raise InvalidInput("Credit must be more than $0.00.")
    series, sequence = numbering.next_in_series(
        session, CreditLotRow.sequence, CreditLotRow.series, _LOT_NUMBER_LOCK
    )
    row = CreditLotRow(
        number=rules.lot_number(sequence, series),
        series=series,
        sequence=sequence,
        patient_id=patient_id,
        package_id=package_id,
        source=source.value,
        description=description.strip(),
        amount_cents=amount.cents,
        currency=amount.currency,
        sessions=sessions,
        eligible_type_ids=sorted(str(i) for i in eligible_type_ids),
        received_on=received_on,
        expires_on=expires_on,
        method=method,
        status=LotStatus.ACTIVE.value,
    )
    session.add(row)
    lot_changed(session, row, patient)
    return row


def sell_package(
    ctx: ServiceContext,
    patient_id: uuid.UUID,
    package_id: uuid.UUID,
    method: PaymentMethod,
    *,
    sold_on: date | None = None,
) -> tuple[CreditLot, Changes]:
    """Take the package's price from the patient and give them its credit."""
    ctx.actor()
    with ctx.unit_of_work() as uow:
        package_row = uow.session.get(CreditPackageRow, package_id)
        if package_row is None:
            raise NotFound("That package no longer exists.")
        if not package_row.active:
            raise InvalidInput(f"“{package_row.name}” is no longer sold.")
        package = to_package(package_row)
        day = sold_on or _today(ctx, uow.session)
        row = _new_lot(
            uow.session,
            patient_id,
            CreditSource.PACKAGE,
            package.name,
            package.price,
            day,
            method=method.value,
            sessions=package.sessions,
            expires_on=package.expires_on(day),
            eligible_type_ids=package.eligible_type_ids,
            package_id=package.id,
        )
        queued = billing_sync.xero_enabled(uow.session)
        uow.commit()
        lot_id = row.id
    return _reload(ctx, lot_id), _changed(queued, lot_id, patient_id)


def add_credit(
    ctx: ServiceContext,
    patient_id: uuid.UUID,
    amount: Money,
    source: CreditSource,
    description: str,
    *,
    method: PaymentMethod | None = None,
    received_on: date | None = None,
    expires_on: date | None = None,
    eligible_type_ids: Iterable[uuid.UUID] = (),
) -> tuple[CreditLot, Changes]:
    """Money received on account (an overpayment: `method` says how it was paid), or a
    credit note (a goodwill credit, a cancelled class): Patient card ▸ Credit ▸ Add
    credit…"""
    rules.ensure_added_credit(source, amount, description, method_given=method is not None)
    if source is CreditSource.CREDIT_NOTE:
        _require_money_role(ctx, "give credit notes")
    ctx.actor()
    with ctx.unit_of_work() as uow:
        row = _new_lot(
            uow.session,
            patient_id,
            source,
            description,
            amount,
            received_on or _today(ctx, uow.session),
            method=method.value if method else "",
            expires_on=expires_on,
            eligible_type_ids=eligible_type_ids,
        )
        queued = billing_sync.xero_enabled(uow.session)
        uow.commit()
        lot_id = row.id
    return _reload(ctx, lot_id), _changed(queued, lot_id, patient_id)


# --------------------------------------------------------------------------- applying


def _invoice_type_id(session: Session, invoice: InvoiceRow) -> uuid.UUID:
    return session.execute(
        select(AppointmentRow.appointment_type_id).where(
            AppointmentRow.id == invoice.appointment_id
        )
    ).scalar_one()


def _amount_due(session: Session, invoice: InvoiceRow) -> Money:
    total = sum(line.unit_price_cents * line.quantity for line in invoice.lines)
    paid = sum(p.amount_cents for p in invoice.payments if p.status == "received")
    credited = session.execute(
        select(func.coalesce(func.sum(CreditApplicationRow.amount_cents), 0)).where(
            CreditApplicationRow.invoice_id == invoice.id,
            CreditApplicationRow.status == ApplicationStatus.APPLIED.value,
        )
    ).scalar_one()
    return Money(total - paid - int(credited), invoice.currency)


def _apply(
    session: Session, lot_row: CreditLotRow, invoice: InvoiceRow, amount: Money, on: date
) -> CreditApplicationRow:
    position = len(lot_row.applications) + 1
    app = CreditApplicationRow(
        lot_id=lot_row.id,
        invoice_id=invoice.id,
        position=position,
        number=rules.application_number(lot_row.number, position, numbering.desk_series(session)),
        amount_cents=amount.cents,
        applied_on=on,
        status=ApplicationStatus.APPLIED.value,
    )
    lot_row.applications.append(app)
    session.add(app)
    application_changed(session, app, lot_row, invoice)
    return app


def invoice_raised(session: Session, invoice: InvoiceRow) -> list[CreditApplicationRow]:
    """Hook for billing: a session's invoice was just raised in this transaction. Pays
    it from the patient's eligible credit, oldest-expiring first (unless turned off)."""
    if not auto_apply_enabled(session):
        return []
    return _apply_best(session, invoice)


def _apply_best(session: Session, invoice: InvoiceRow) -> list[CreditApplicationRow]:
    session.flush()
    lot_rows = _lot_rows(session, invoice.patient_id, lock=True)
    if not lot_rows:
        return []
    lots = [to_lot(session, row) for row in lot_rows]
    due = _amount_due(session, invoice)
    plan = rules.plan_application(
        lots, due, _invoice_type_id(session, invoice), invoice.service_date
    )
    by_id = {row.id: row for row in lot_rows}
    return [_apply(session, by_id[s.lot_id], invoice, s.amount, invoice.issued_on) for s in plan]


def apply_credit(
    ctx: ServiceContext,
    invoice_id: uuid.UUID,
    lot_id: uuid.UUID | None = None,
    amount: Money | None = None,
) -> tuple[list[Application], Changes]:
    """Apply credit by hand: from one lot (and amount), or the best lots automatically."""
    ctx.actor()
    with ctx.unit_of_work() as uow:
        invoice = uow.session.get(InvoiceRow, invoice_id)
        if invoice is None:
            raise NotFound("That invoice no longer exists.")
        if invoice.status != "issued":
            raise InvalidInput(f"Invoice {invoice.number} is void.")
        due = _amount_due(uow.session, invoice)
        if due.cents <= 0:
            raise InvalidInput(f"Invoice {invoice.number} is already paid in full.")
        if lot_id is None:
            made = _apply_best(uow.session, invoice)
            if not made:
                raise InvalidInput("The patient has no credit that can pay this session.")
        else:
            lot_rows = list(_lot_rows(uow.session, invoice.patient_id, lock=True))
            lot_row = next((r for r in lot_rows if r.id == lot_id), None)
            if lot_row is None:
                raise NotFound("That credit is not the patient's.")
            lot = to_lot(uow.session, lot_row)
            take = amount or min(lot.next_session_value(), due)
            rules.ensure_manual_application(
                lot, due, take, _invoice_type_id(uow.session, invoice), invoice.service_date
            )
            made = [_apply(uow.session, lot_row, invoice, take, _today(ctx, uow.session))]
        queued = billing_sync.xero_enabled(uow.session)
        uow.commit()
        ids = [a.id for a in made]
        lot_ids = {a.lot_id for a in made}
    lots = [_reload(ctx, i) for i in lot_ids]
    found = [a for lot in lots for a in lot.applications if a.id in ids]
    return found, _changed(queued, invoice_id, *ids)


def _return(session: Session, app: CreditApplicationRow, reason: str) -> OutboxJobRow | None:
    app.status = ApplicationStatus.RETURNED.value
    app.returned_reason = reason
    invoice = session.get(InvoiceRow, app.invoice_id)
    assert invoice is not None
    return application_changed(session, app, app.lot, invoice)


def invoice_voided(session: Session, invoice: InvoiceRow, void_job: OutboxJobRow | None) -> None:
    """Hook for billing: the invoice was voided in this transaction. Its credit goes back
    to the patient; in Xero the allocations are removed before the invoice is voided."""
    apps = session.execute(
        select(CreditApplicationRow).where(
            CreditApplicationRow.invoice_id == invoice.id,
            CreditApplicationRow.status == ApplicationStatus.APPLIED.value,
        )
    ).scalars()
    last: OutboxJobRow | None = None
    for app in apps:
        job = _return(session, app, f"Invoice {invoice.number} void")
        if job is not None:
            if last is not None:
                job.depends_on_id = last.id
            last = job
    _wait_for(session, void_job, last)


def invoice_edited(
    session: Session, invoice: InvoiceRow, edit_job: OutboxJobRow | None = None
) -> None:
    """Hook for billing: the invoice was edited in this transaction.

    Xero will not change an invoice with credit allocated to it. Once the invoice is
    in Xero, each use of credit on it is therefore given back (its allocation removed
    first) and made again after the edit; the edit waits for the removals. An invoice
    not yet in Xero just has its allocations (waiting, or refused) sent after it."""
    apps = list(
        session.execute(
            select(CreditApplicationRow).where(
                CreditApplicationRow.invoice_id == invoice.id,
                CreditApplicationRow.status == ApplicationStatus.APPLIED.value,
            )
        ).scalars()
    )
    if not invoice.xero_invoice_id:
        for app in apps:
            application_changed(session, app, app.lot, invoice)
        return
    last: OutboxJobRow | None = None
    for app in apps:
        job = _return(session, app, f"Invoice {invoice.number} edited")
        if job is not None:
            if last is not None:
                job.depends_on_id = last.id
            last = job
        amount = Money(app.amount_cents, invoice.currency)
        _apply(session, app.lot, invoice, amount, app.applied_on)
    _wait_for(session, edit_job, last)


def _wait_for(session: Session, job: OutboxJobRow | None, first: OutboxJobRow | None) -> None:
    """Make `job` (an invoice edit or void) wait until `first` (allocations removed) is done."""
    if job is None or first is None:
        return
    session.flush()
    session.execute(
        update(OutboxJobRow)
        .where(OutboxJobRow.id == job.id)
        .values(depends_on_id=first.id, version=OutboxJobRow.version + 1)
        .execution_options(synchronize_session=False)
    )


def return_credit(ctx: ServiceContext, application_id: uuid.UUID, reason: str) -> Changes:
    """Give one use of credit back (e.g. applied to the wrong session); the invoice is
    owing again."""
    _require_money_role(ctx, "take credit off an invoice")
    if not reason.strip():
        raise InvalidInput("Say why the credit is being given back.")
    with ctx.unit_of_work() as uow:
        app = uow.session.get(CreditApplicationRow, application_id)
        if app is None:
            raise NotFound("That use of credit no longer exists.")
        if app.status != ApplicationStatus.APPLIED.value:
            raise InvalidInput(f"{app.number} was already given back.")
        job = _return(uow.session, app, reason.strip())
        uow.commit()
        invoice_id = app.invoice_id
    return _changed(job is not None, application_id, invoice_id)


# --------------------------------------------------------------------------- refunds


def refund_credit(
    ctx: ServiceContext,
    lot_id: uuid.UUID,
    amount: Money,
    method: PaymentMethod,
    reason: str,
    *,
    refunded_on: date | None = None,
) -> tuple[CreditLot, Changes]:
    """Hand unused credit back to the patient."""
    _require_money_role(ctx, "refund credit")
    if not reason.strip():
        raise InvalidInput("Say why the credit is being refunded.")
    with ctx.unit_of_work() as uow:
        row = uow.session.get(CreditLotRow, lot_id)
        if row is None:
            raise NotFound("That credit no longer exists.")
        rules.ensure_credit_refund(to_lot(uow.session, row), amount)
        position = len(row.refunds) + 1
        refund = CreditRefundRow(
            lot_id=row.id,
            position=position,
            number=rules.refund_number(row.number, position, numbering.desk_series(uow.session)),
            amount_cents=amount.cents,
            method=method.value,
            refunded_on=refunded_on or _today(ctx, uow.session),
            reason=reason.strip(),
        )
        row.refunds.append(refund)
        uow.session.add(refund)
        job = credit_refund_added(uow.session, row, refund)
        uow.commit()
        refund_id = refund.id
    return _reload(ctx, lot_id), _changed(job is not None, lot_id, refund_id)


# --------------------------------------------------------------------------- reading


def patient_credit(ctx: ServiceContext, patient_id: uuid.UUID) -> CreditStatement:
    """The patient's card: the balance, every use, what is left of each package."""
    ctx.actor()
    with ctx.database.reading() as session:
        if session.get(PatientRow, patient_id) is None:
            raise NotFound("That patient no longer exists.")
        lots = [to_lot(session, row) for row in _lot_rows(session, patient_id)]
        return rules.statement(patient_id, lots, _today(ctx, session))


def patient_lots(ctx: ServiceContext, patient_id: uuid.UUID) -> list[CreditLot]:
    ctx.actor()
    with ctx.database.reading() as session:
        return [to_lot(session, row) for row in _lot_rows(session, patient_id)]


def get_lot(ctx: ServiceContext, lot_id: uuid.UUID) -> CreditLot:
    ctx.actor()
    return _reload(ctx, lot_id)


def _reload(ctx: ServiceContext, lot_id: uuid.UUID) -> CreditLot:
    with ctx.database.reading() as session:
        row = session.get(CreditLotRow, lot_id)
        if row is None:
            raise NotFound("That credit no longer exists.")
        return to_lot(session, row)


def patients_with_credit(ctx: ServiceContext) -> list[uuid.UUID]:
    ctx.actor()
    with ctx.database.reading() as session:
        return list(session.execute(select(CreditLotRow.patient_id).distinct()).scalars())


# --------------------------------------------------------------------------- Xero jobs
