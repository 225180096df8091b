"""One database transaction per use case: committed explicitly, rolled back otherwise."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from desktop.domain.errors import DomainError, StaleEdit
from desktop.store.database import Database
from desktop.store.integrity import domain_error_for


class UnitOfWork:
    """`with UnitOfWork(db) as uow: ...; uow.commit()` — nothing is kept unless committed.

    Database refusals that mirror a domain rule (the store's own guards) come out
    as the matching `DomainError`, so a race lost to another writer reads the same
    as a rule the service checked itself.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def __enter__(self) -> UnitOfWork:
        self._session = self.database.write_session()
        return self

    def flush(self) -> None:
        try:
            self.session.flush()
        except (IntegrityError, OperationalError, StaleDataError) as exc:
            raise self._translate(exc) from exc

    def commit(self) -> None:
        try:
            self.session.commit()
        except (IntegrityError, OperationalError, StaleDataError) as exc:
            raise self._translate(exc) from exc

    def _translate(self, exc: Exception) -> Exception:
        self.session.rollback()
        if isinstance(exc, StaleDataError):
            return StaleEdit("record")
        error: DomainError | None = domain_error_for(exc)
        return error if error is not None else exc

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.rollback()
            session.close()
