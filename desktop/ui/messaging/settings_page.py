"""Settings ▸ Reminders and SMS: reminders (schedule and templates), email, the SMS provider.

Nothing is saved until Save; the service checks everything again (an unknown
placeholder is refused there too). Passwords and keys are never shown: an
empty field keeps the stored one, typing replaces it, and both go to the
keyring, never to the database.

Signals:
    saved(MessagingSettings): the settings were saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.clinic_time import clinic_zone, local_to_utc, to_local
from desktop.domain.errors import DomainError
from desktop.domain.messages import ReminderFacts
from desktop.domain.people import Clinic
from desktop.services import calendar
from desktop.services.changes import Changes
from desktop.services.messaging.configure import save_settings
from desktop.services.messaging.provider_balance import (
    BILLING_PAGES,
    BalanceReport,
    provider_balance,
)
from desktop.services.messaging.secrets import (
    SMS_API_KEY_ENV,
    SMTP_PASSWORD_ENV,
    MessagingSecrets,
    no_keyring_message,
)
from desktop.services.messaging.settings import (
    MessagingSettings,
    SmsProvider,
    SmtpSecurity,
    get_settings,
)
from desktop.services.messaging.trial_sms import send_test_sms
from desktop.services.outbox_dispatch import system_clock
from desktop.ui.messaging.formatting import short_when
from desktop.ui.messaging.status import FollowedServer
from desktop.ui.messaging.template_editor import EmailTemplateEditor, SmsTemplateEditor
from desktop.ui.service_caller import ServiceCaller
from desktop.ui.widgets.busy_form import BusyForm

_DEFAULT_PORTS = {SmtpSecurity.STARTTLS: 587, SmtpSecurity.SSL: 465, SmtpSecurity.NONE: 25}
# Where each provider shows what the clinic types here.
_ACCOUNT_HINTS = {
    SmsProvider.TWILIO: "AC… (Twilio Console ▸ Account info)",
    SmsProvider.CLICKSEND: "ClickSend dashboard ▸ Developers ▸ API credentials",
}
_SENDER_HINT = "e.g. Harbourside (up to 11 letters) or a mobile"
_SENDER_HINTS = {
    SmsProvider.TWILIO: "your Twilio number (+61…), a messaging service (MG…) or up to 11 letters",
    SmsProvider.CLICKSEND: "your ClickSend dedicated number (+61…) or an alpha tag (up to 11 letters)",
}


def _note(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("muted", True)
    return label


def _secret(placeholder: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


class MessagingSettingsPage(QWidget):
    saved = Signal(object)

    def __init__(
        self,
        caller: ServiceCaller,
        clinic: Clinic,
        *,
        secrets: MessagingSecrets | None = None,
        now: Callable[[], datetime] = system_clock,
        server: FollowedServer = lambda: None,
        server_url: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.caller = caller
        self.server = server  # a desk following a server shows the balance its sender sees
        self.clinic = clinic
        # A desk following a server: the server sends, with the secrets on its machine.
        self.server_url = server_url
        self.zone = clinic_zone(clinic.timezone)
        self.secrets = secrets or MessagingSecrets()
        self.now = now
        self.loaded = MessagingSettings(clinic.id)
        self._handing: dict[str, str] = {}  # secrets typed at a desk, for the server
        # While a hand-over is on its way, its answer says which secrets are set: an
        # earlier question to the server could answer with what it had before.
        self._handing_over = False
        self.setWindowTitle("Messaging")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._scrolling(self._reminders_tab()), "Reminders")
        self.tabs.addTab(self._scrolling(self._email_tab()), "Email")
        self.tabs.addTab(self._scrolling(self._sms_tab()), "SMS")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.revert_button = QPushButton("Revert")
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.revert_button.clicked.connect(self.load)
        self.save_button.clicked.connect(self.save)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.revert_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        if server_url:
            layout.addWidget(self._sent_by_server(server_url))
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        self.resize(760, 680)
        self.busy = BusyForm(self, caller)
        self.practitioner_name = "Alex Practitioner"  # for the preview, until one is read
        self.said_after_load = ""  # the status line once the saved settings are shown again
        self.load()

    def _sent_by_server(self, server_url: str) -> QLabel:
        """One sender per clinic: a desk shares these settings but keeps no secret.

        An administrator types the mail password and SMS key here and Save hands
        them to the server (PUT /v1/messaging/secrets); they never reach this
        computer's keyring. The test SMS stays off: the server sends every text."""
        admin = self.caller.ctx.actor().is_admin
        for field in (self.test_number, self.test_button):
            field.setEnabled(False)
        for secret in (self.smtp_password, self.api_key):
            secret.setEnabled(admin)
        where = (
            "Typed here, Save hands them to the server."
            if admin
            else "Only an administrator can change them."
        )
        return _note(
            f"This computer follows the server at {server_url}, which sends the clinic's "
            "messages: these settings are shared by every desk. The mail password and the "
            "SMS key are kept on the server's machine, not here. " + where + " A test SMS "
            "is not sent from a desk: save, then watch the next reminder in the message log."
        )

    # --- building -----------------------------------------------------------------

    @staticmethod
    def _scrolling(inner: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        area.setWidget(inner)
        return area

    def _reminders_tab(self) -> QWidget:
        self.by_sms = QCheckBox("Send reminders by SMS")
        self.by_email = QCheckBox("Send reminders by email")
        self.lead_hours = QSpinBox()
        self.lead_hours.setRange(1, 168)
        self.lead_hours.setSuffix(" hours before the appointment")
        self.lead_hours.setMaximumWidth(300)
        schedule = QGroupBox("Schedule")
        form = QFormLayout(schedule)
        form.addRow(self.by_sms)
        form.addRow(self.by_email)
        form.addRow("Send", self.lead_hours)
        form.addRow(
            _note(
                "Each patient gets one reminder per appointment and channel. Moving an "
                "appointment replaces its reminder; cancelling withdraws it. Patients who "
                "opted out, or have no mobile number or email address, are skipped."
            )
        )
        self.sms_editor = SmsTemplateEditor()
        self.email_editor = EmailTemplateEditor()
        sms_box = QGroupBox("SMS reminder")
        QVBoxLayout(sms_box).addWidget(self.sms_editor)
        email_box = QGroupBox("Email reminder")
        QVBoxLayout(email_box).addWidget(self.email_editor)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(schedule)
        layout.addWidget(sms_box)
        layout.addWidget(email_box)
        layout.addStretch(1)
        return page

    def _email_tab(self) -> QWidget:
        self.smtp_host = QLineEdit()
        self.smtp_host.setPlaceholderText("smtp.example.com")
        self.smtp_port = QSpinBox()
        self.smtp_port.setRange(1, 65535)
        self.smtp_port.setMaximumWidth(120)
        self.smtp_security = QComboBox()
        for security in SmtpSecurity:
            self.smtp_security.addItem(security.label, security)
        self.smtp_security.currentIndexChanged.connect(self._security_changed)
        self.smtp_username = QLineEdit()
        self.smtp_password = _secret("")
        self.sender_address = QLineEdit()
        self.sender_address.setPlaceholderText("reception@yourclinic.com.au")
        self.sender_name = QLineEdit()
        self.sender_name.setPlaceholderText(self.clinic.name)
        server = QGroupBox("Mail server (SMTP)")
        form = QFormLayout(server)
        form.addRow("Server", self.smtp_host)
        form.addRow("Port", self.smtp_port)
        form.addRow("Security", self.smtp_security)
        form.addRow("Username", self.smtp_username)
        form.addRow("Password", self.smtp_password)
        sender = QGroupBox("Sender")
        form2 = QFormLayout(sender)
        form2.addRow("From address", self.sender_address)
        form2.addRow("From name", self.sender_name)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(server)
        layout.addWidget(sender)
        self.no_keyring_for_password = _note(no_keyring_message("password", SMTP_PASSWORD_ENV))
        self.no_keyring_for_password.hide()  # until the read says (`_show_saved`)
        layout.addWidget(self.no_keyring_for_password)
        layout.addStretch(1)
        return page

    def _sms_tab(self) -> QWidget:
        self.provider = QComboBox()
        for provider in SmsProvider:
            self.provider.addItem(provider.label, provider.value)
        self.provider.currentIndexChanged.connect(self._provider_changed)
        self.account = QLineEdit()
        self.gateway_url = QLineEdit()
        self.gateway_url.setPlaceholderText("https://sms-relay.example/v1")
        self.api_key = _secret("")
        self.sender_id = QLineEdit()
        self.sender_id.setMaxLength(40)
        self.low_credit = QSpinBox()
        self.low_credit.setRange(0, 100_000)
        self.low_credit.setSuffix(" (account currency)")
        self.low_credit.setMaximumWidth(220)
        gateway = QGroupBox("SMS provider")
        self.provider_form = form = QFormLayout(gateway)
        form.addRow("Provider", self.provider)
        form.addRow("Account SID", self.account)
        form.addRow("Relay address", self.gateway_url)
        form.addRow("Auth token", self.api_key)
        form.addRow("Sender", self.sender_id)
        form.addRow("Warn when the balance is below", self.low_credit)
        self.no_keyring_for_key = _note(no_keyring_message("key", SMS_API_KEY_ENV))
        form.addRow(self.no_keyring_for_key)
        form.setRowVisible(self.no_keyring_for_key, False)  # until the read says
        self.test_number = QLineEdit()
        self.test_number.setPlaceholderText("your mobile, e.g. 0412 345 678")
        self.test_button = QPushButton("Send &test SMS")
        self.test_button.clicked.connect(self.send_test)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_number, 1)
        test_row.addWidget(self.test_button)
        form.addRow("Send a test to", test_row)
        form.addRow(self.test_result)
        form.setRowVisible(self.test_result, False)  # a row only once there is an answer
        self.balance = QLabel()
        self.balance.setWordWrap(True)
        self.top_up_button = QPushButton("Top &up…")
        self.top_up_button.setToolTip("Opens the provider's billing page in your browser")
        self.top_up_button.clicked.connect(self.open_billing_page)
        self._balance_row = balance_row = QHBoxLayout()
        balance_row.addWidget(self.balance, 1)
        balance_row.addWidget(self.top_up_button)
        form.addRow("Provider balance", balance_row)
        form.addRow(
            _note(
                "The provider bills the clinic for each text and keeps its receipts; "
                "Frontdesk shows its balance and warns here and in the status bar when "
                "it runs low."
            )
        )
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(gateway)
        layout.addStretch(1)
        self._provider_changed()
        return page

    def _chosen_provider(self) -> SmsProvider:
        return SmsProvider(self.provider.currentData())

    def _provider_changed(self) -> None:
        """Show the fields the chosen provider needs, named as that provider names them."""
        provider = self._chosen_provider()
        relay = provider is SmsProvider.RELAY
        form = self.provider_form
        form.setRowVisible(self.account, not relay)
        form.setRowVisible(self.gateway_url, relay)
        form.setRowVisible(self.low_credit, not relay)  # a relay reports no balance
        form.setRowVisible(self._balance_row, not relay)
        self.top_up_button.setVisible(provider in BILLING_PAGES)
        label = form.labelForField(self.account)
        if isinstance(label, QLabel):
            label.setText(provider.account_label or "Account")
        secret_label = form.labelForField(self.api_key)
        if isinstance(secret_label, QLabel):
            secret_label.setText(provider.secret_label)
        self.account.setPlaceholderText(_ACCOUNT_HINTS.get(provider, ""))
        self.sender_id.setPlaceholderText(_SENDER_HINTS.get(provider, _SENDER_HINT))

    def show_balance(self) -> None:
        """Ask the provider for its balance (off the GUI thread) and show it."""
        settings, ctx, secrets = self.loaded, self.caller.ctx, self.secrets
        if settings.sms_provider is SmsProvider.RELAY or not settings.sms_configured:
            self.balance.setText("Save the provider's details to see its balance.")
            return
        api = self.server()
        self.balance.setText("Asking the server…" if api is not None else "Asking the provider…")

        def ask() -> BalanceReport | None:
            if api is not None:  # the key and the sender are on the server
                from desktop.sync import remote_sms

                return remote_sms.balance_report(api)
            return provider_balance(ctx, settings, secrets)

        (
            self.caller.in_background(
                ask,
                key="sms-provider-balance",
                title="SMS balance",
                refresh_on_refusal=False,
                on_error=lambda exc: self.balance.setText(str(exc)),
                reports=(DomainError,),
            )
            .success(self._balance_found)
            .run()
        )

    def _balance_found(self, report: BalanceReport | None) -> None:
        self.balance.setText(report.text if report is not None else "")
        self.balance.setObjectName("formError" if report is not None and report.low else "")
        self.balance.style().unpolish(self.balance)
        self.balance.style().polish(self.balance)

    def open_billing_page(self) -> None:
        page = BILLING_PAGES.get(self._chosen_provider())
        if page:
            QDesktopServices.openUrl(QUrl(page))

    def send_test(self) -> None:
        """One text through the provider as typed on this page (off the GUI thread)."""
        settings, to = self.current_settings(), self.test_number.text()
        secret = self.api_key.text() or None
        ctx, secrets, name = self.caller.ctx, self.secrets, self.clinic.name
        self.test_button.setEnabled(False)
        self._test_said("Sending…", error=False)
        (
            self.caller.in_background(
                lambda: send_test_sms(
                    ctx, settings, to, secret=secret, secrets=secrets, clinic_name=name
                ),
                title="Send test SMS",
                refresh_on_refusal=False,
                on_error=lambda exc: self._test_said(str(exc), error=True),
                reports=(DomainError,),
            )
            .success(lambda said: self._test_said(said, error=False))
            .run()
        )

    def _test_said(self, text: str, *, error: bool) -> None:
        self.test_button.setEnabled(True)
        self.test_result.setText(text)
        self.provider_form.setRowVisible(self.test_result, True)
        self.test_result.setObjectName("formError" if error else "")
        self.test_result.style().unpolish(self.test_result)
        self.test_result.style().polish(self.test_result)

    # --- loading and saving -----------------------------------------------------------

    def load(self) -> None:
        """Read what is saved (the settings, whether there is a keyring and which secrets
        it holds, a name for the preview) in the background, with the page held busy;
        then show it."""
        ctx, clinic_id, secrets = self.caller.ctx, self.clinic.id, self.secrets
        fallback = self.practitioner_name

        def read() -> _Saved:
            names = [p.name for p in calendar.practitioners(ctx)]
            return _Saved(
                get_settings(ctx, clinic_id),
                secrets.available,
                secrets.has_smtp_password(clinic_id),
                secrets.has_sms_api_key(clinic_id),
                names[0] if names else fallback,
            )

        self.busy.save(read, self._show_saved, title="Messaging settings", doing="Reading…")

    def _show_saved(self, saved: _Saved) -> None:
        self.loaded = s = saved.settings
        self.practitioner_name = saved.practitioner_name
        self.no_keyring_for_password.setVisible(not saved.keyring)
        self.provider_form.setRowVisible(self.no_keyring_for_key, not saved.keyring)
        self.by_sms.setChecked(s.reminders_by_sms)
        self.by_email.setChecked(s.reminders_by_email)
        self.lead_hours.setValue(max(1, int(s.reminder_lead.total_seconds() // 3600)))
        self.sms_editor.field.set_text(s.sms_template)
        self.email_editor.subject.set_text(s.email_subject)
        self.email_editor.body.set_text(s.email_body)
        self.smtp_host.setText(s.smtp_host)
        self.smtp_security.setCurrentIndex(list(SmtpSecurity).index(s.smtp_security))
        self.smtp_port.setValue(s.smtp_port)
        self.smtp_username.setText(s.smtp_username)
        self.sender_address.setText(s.sender_address)
        self.sender_name.setText(s.sender_name)
        self.provider.setCurrentIndex(list(SmsProvider).index(s.sms_provider))
        self.account.setText(s.sms_account)
        self.gateway_url.setText(s.sms_gateway_url)
        self.sender_id.setText(s.sms_sender_id)
        self.low_credit.setValue(s.low_credit_warning)
        self.smtp_password.clear()
        self.api_key.clear()
        if self.server_url:  # which are set is the server's to say
            self.ask_server_for_secrets()
        else:
            self.smtp_password.setPlaceholderText(
                "saved — type to replace" if saved.has_smtp_password else ""
            )
            self.api_key.setPlaceholderText(
                "saved — type to replace" if saved.has_sms_api_key else ""
            )
        self.show_balance()
        values = self.sample_values()
        self.sms_editor.set_sample(values)
        self.email_editor.set_sample(values)
        self._say(self.said_after_load)
        self.said_after_load = ""

    def ask_server_for_secrets(self) -> None:
        """Which secrets the server's sender has (GET /v1/messaging/secrets, off the GUI
        thread), shown in the fields' placeholders; never their values. Only an
        administrator may ask; others are told who sets them."""
        if not self.caller.ctx.actor().is_admin:
            for field in (self.smtp_password, self.api_key):
                field.setPlaceholderText("On the server: an administrator sets it")
            return
        if self._handing_over:
            return  # the hand-over's answer says
        api = self.server()
        if api is None:
            self._show_server_secrets(None)
            return
        for field in (self.smtp_password, self.api_key):
            field.setPlaceholderText("Asking the server…")
        from desktop.sync import remote_sms

        (
            self.caller.in_background(
                lambda: remote_sms.which_secrets(api),
                key="messaging-secrets-on-server",
                title="Messaging settings",
                refresh_on_refusal=False,
                on_error=lambda _exc: self._show_server_secrets(None),
                reports=(DomainError,),
            )
            .success(self._show_server_secrets)
            .run()
        )

    def _show_server_secrets(self, which: dict[str, object] | None) -> None:
        """e.g. "Twilio auth token: set on the server — type to replace"."""
        if self._handing_over and which is None:
            return
        provider = self.loaded.sms_provider
        secret = provider.secret_label
        secret = secret if secret.split()[0].isupper() else secret.lower()
        for field, name, key in (
            (self.api_key, f"{provider.label} {secret}", "sms_secret_set"),
            (self.smtp_password, "Mail password", "smtp_password_set"),
        ):
            if which is None:
                said = "not known: the server could not be asked"
            elif which.get(key):
                said = "set on the server — type to replace"
            else:
                said = "not set on the server"
            field.setPlaceholderText(f"{name}: {said}")

    def current_settings(self) -> MessagingSettings:
        return replace(
            self.loaded,
            reminders_by_sms=self.by_sms.isChecked(),
            reminders_by_email=self.by_email.isChecked(),
            reminder_lead=timedelta(hours=self.lead_hours.value()),
            sms_template=self.sms_editor.field.text(),
            email_subject=self.email_editor.subject.text(),
            email_body=self.email_editor.body.text(),
            smtp_host=self.smtp_host.text(),
            smtp_port=self.smtp_port.value(),
            smtp_security=SmtpSecurity(self.smtp_security.currentData()),
            smtp_username=self.smtp_username.text(),
            sender_address=self.sender_address.text(),
            sender_name=self.sender_name.text(),
            sms_provider=self._chosen_provider(),
            sms_account=self.account.text(),
            sms_gateway_url=self.gateway_url.text(),
            sms_sender_id=self.sender_id.text(),
            low_credit_warning=self.low_credit.value(),
        )

    def save(self) -> bool:
        """Save in the background with the page held busy; True when the save started.
        A refusal is said in the status line, and everything typed stays."""
        settings = self.current_settings()
        password = self.smtp_password.text() or None
        key = self.api_key.text() or None
        handed: dict[str, str] = {}
        if self.server_url:  # the secrets go to the server, never into this desk's keyring
            handed = {
                name: value
                for name, value in (("smtp_password", password), ("sms_secret", key))
                if value
            }
            password = key = None
        self._handing = handed
        ctx, secrets = self.caller.ctx, self.secrets

        def refused(exc: Exception) -> None:
            self._say(str(exc) if isinstance(exc, DomainError) else "Not saved.", error=True)

        self.busy.save(
            lambda: save_settings(
                ctx, settings, smtp_password=password, sms_api_key=key, secrets=secrets
            ),
            self._saved,
            title="Messaging settings",
            refresh_on_refusal=False,
            on_error=refused,
            reports=(DomainError,),
        )
        return True

    def _saved(self, result: tuple[MessagingSettings, Changes]) -> None:
        saved, changes = result
        self.caller.publish(changes)
        self.said_after_load = f"Saved {short_when(self.now(), self.zone)}."
        self.load()
        handed, self._handing = self._handing, {}
        if handed:
            self._hand_to_server(handed)
        self.saved.emit(saved)

    def _not_handed(self, handed: dict[str, str], exc: Exception) -> None:
        self.smtp_password.setText(handed.get("smtp_password", ""))  # nothing typed is lost
        self.api_key.setText(handed.get("sms_secret", ""))
        self._say(str(exc) if isinstance(exc, DomainError) else "Not handed over.", error=True)

    def _hand_to_server(self, handed: dict[str, str]) -> None:
        """The typed secrets to the server's machine, off the GUI thread."""
        from desktop.sync import remote_sms

        api = self.server()
        if api is None:
            self._say("The password and key were not sent: no server is reachable.", error=True)
            return
        self._say("Handing the password / key to the server…")
        self._handing_over = True

        def kept(answer: dict[str, object]) -> None:
            self._handing_over = False
            self.smtp_password.clear()
            self.api_key.clear()
            self._show_server_secrets(answer)
            where = (
                "in an owner-only file there (no keyring there would take them)"
                if answer.get("kept_in") == "file"
                else "in its keyring"
            )
            self._say(f"Saved {short_when(self.now(), self.zone)}. Kept on the server, {where}.")

        def not_kept(exc: Exception) -> None:
            self._handing_over = False
            self._not_handed(handed, exc)

        (
            self.caller.in_background(
                lambda: remote_sms.keep_secrets(api, handed),
                title="Messaging settings",
                refresh_on_refusal=False,
                on_error=not_kept,
                reports=(DomainError,),
            )
            .success(kept)
            .run()
        )

    # --- helpers ------------------------------------------------------------------

    def sample_values(self) -> dict[str, str]:
        """Facts for the preview: this clinic, a practitioner, tomorrow at 9:30 am."""
        tomorrow = to_local(self.now(), self.zone).date() + timedelta(days=1)
        return ReminderFacts(
            first_name="Sam",
            starts_at=local_to_utc(tomorrow, time(9, 30), self.zone),
            zone=self.zone,
            practitioner=self.practitioner_name,
            location=self.clinic.name,
            address=self.clinic.address,
            clinic_phone=self.clinic.phone or "(clinic phone)",
        ).values()

    def _security_changed(self) -> None:
        security = SmtpSecurity(self.smtp_security.currentData())
        if self.smtp_port.value() in _DEFAULT_PORTS.values():
            self.smtp_port.setValue(_DEFAULT_PORTS[security])

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setObjectName("formError" if error else "")
        self.status.setProperty("muted", not error)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)


@dataclass(frozen=True, slots=True)
class _Saved:
    """What the page shows of the saved settings, read in one go off the GUI thread."""

    settings: MessagingSettings
    keyring: bool  # somewhere to keep secrets (`MessagingSecrets.available`)
    has_smtp_password: bool
    has_sms_api_key: bool
    practitioner_name: str
