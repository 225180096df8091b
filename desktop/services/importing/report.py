"""What an import did (or would do) with each row of the file."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from desktop.domain.csv_import import ImportKind
from desktop.services.changes import Changes


class Outcome(enum.StrEnum):
    CREATED = "created"
    SKIPPED = "skipped"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class RowOutcome:
    row: int  # line in the file
    outcome: Outcome
    summary: str  # what the row is, e.g. "Zoë Nguyễn, born 31/12/1980"
    reason: str = ""  # why it was skipped or refused (or a remark on what was created)


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: ImportKind
    rows: tuple[RowOutcome, ...]
    dry_run: bool
    imported: bool  # committed
    skip_bad_rows: bool = False
    note: str = ""
    changes: Changes = field(default_factory=Changes)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def refused(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.outcome is Outcome.REFUSED]

    @property
    def went_ahead(self) -> bool:
        """Not a preview, and no bad row stopped the file (it may still create nothing)."""
        return not self.dry_run and not (self.refused and not self.skip_bad_rows)

    def verb(self, row: RowOutcome) -> str:
        """What happened to a row, as a person reads it: "would create" unless the
        import went ahead, so a preview or a blocked file never claims it created."""
        if self.went_ahead:
            return {"refused": "left out"}.get(row.outcome.value, row.outcome.value)
        return {"created": "would create", "skipped": "would skip"}.get(
            row.outcome.value, row.outcome.value
        )

    def headline(self) -> str:
        created, skipped, refused = (self.count(o) for o in Outcome)
        noun = self.kind.value if created != 1 else self.kind.value.removesuffix("s")
        if not self.went_ahead:
            verbs = ("Would create", "skip", "leave out" if self.skip_bad_rows else "refuse")
        else:
            verbs = ("Created", "skipped", "left out")
        text = f"{verbs[0]} {created} {noun}, {verbs[1]} {skipped} already there"
        if refused:
            text += f", {verbs[2]} {refused} bad row" + "s" * (refused != 1)
        return text + "."

    def blocked_message(self, skip_hint: str) -> str:
        """Why nothing was (or would be) imported, when bad rows stop the file."""
        rows = ", ".join(str(row.row) for row in self.refused[:10])
        more = " …" if len(self.refused) > 10 else ""
        return (
            f"Nothing {'would be' if self.dry_run else 'was'} imported: {'row' if len(self.refused) == 1 else 'rows'} "
            f"{rows}{more} {'is' if len(self.refused) == 1 else 'are'} refused. "
            f"Fix the file, or {skip_hint} to import the rest."
        )
