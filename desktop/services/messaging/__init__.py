"""Appointment reminders by SMS and email, through the clinic's mail server and SMS provider.

Every message is an outbox job written in the same transaction as what caused it
(a booking, a move, a cancellation), plus an `outgoing_messages` row that the
patient card's log reads. The modules, each with one job:

* `settings`    — a clinic's reminder schedule, templates, mail server and gateway
* `configure`   — saving them (and re-planning queued reminders to match)
* `secrets`     — the SMTP password and SMS provider's secret, kept in the OS keyring
* `records`     — writing a message with its outbox job; withdrawing open ones
* `reminders`   — keeping each appointment's reminders in step with the calendar
* `opt_outs`    — a patient's "no SMS" / "no email" choices
* `compose`     — turning a queued message into the text and address to send now
* `sms_gateway` — `SmsGateway`, the one interface of every SMS provider, and the
                  custom relay's HTTP client
* `twilio_sms`  — Twilio through its official SDK, behind `SmsGateway`
* `clicksend_sms` — ClickSend through its official SDK, behind `SmsGateway`
* `trial_sms`   — *Send test SMS* with the settings as typed
* `provider_balance` — the provider's own balance, low-balance warning (settings page
                  and status bar), billing page
* `replies`     — texts patients send back (webhook or polling); STOP opts out
* `smtp_sender` — SMTP over STARTTLS/SSL with auth, behind `MailSender`
* `sms_channel`, `email_channel` — outbox channel handlers for the shared drain loop
* `message_log` — what the patient card shows; retry, fix an address and retry
* `send_due`    — one pass: sweep reminders, send what is due, read delivery reports
"""
