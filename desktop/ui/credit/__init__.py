"""Prepaid packages and patient credit in the UI (issue 7): the patient's credit panel,
the sell-package dialog and the Xero reconciliation view. Widgets only; the main
window decides where they go."""

from desktop.ui.credit.patient_credit_panel import PatientCreditPanel
from desktop.ui.credit.reconciliation_view import ReconciliationView
from desktop.ui.credit.sell_package_dialog import SellPackageDialog

__all__ = ["PatientCreditPanel", "ReconciliationView", "SellPackageDialog"]
