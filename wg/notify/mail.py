"""Turning an outbox row into an e-mail and handing it to an SMTP server."""

import hashlib
import json
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr

from email_validator import EmailNotValidError, validate_email


@dataclass(frozen=True)
class SMTPSettings:
    host: str | None
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    mail_from: str = "Coalition tracker <no-reply@localhost>"
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config):
        return cls(
            host=config.get("SMTP_HOST"),
            port=int(config.get("SMTP_PORT") or 587),
            username=config.get("SMTP_USERNAME"),
            password=config.get("SMTP_PASSWORD"),
            starttls=bool(config.get("SMTP_STARTTLS")),
            mail_from=config.get("MAIL_FROM") or cls.mail_from,
        )


class PermanentFailure(Exception):
    """The server (or the address itself) says this message can never be delivered."""


class TemporaryFailure(Exception):
    """Worth another try later: the server is down, busy, or answered 4xx."""


def message_id_for(key, mail_from):
    """A stable Message-ID per idempotency key, so receivers can spot a repeat."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def delivered_body(message, extras=None):
    """The text body as sent: a set-password link is signed now, never read from the outbox."""
    if extras is None:
        extras = json.loads(message.extras) if message.extras else {}
    body = message.body_text
    secret = extras.get("password_link")
    if secret:
        from wg.auth.services import PASSWORD_LINK_PLACEHOLDER, password_link

        link = password_link(secret.get("person"), secret.get("base_url") or "")
        if link is None:
            raise PermanentFailure("the account of this set-password message is gone or inactive")
        body = body.replace(PASSWORD_LINK_PLACEHOLDER, link)
    return body


def build_email(message, mail_from, now):
    """An EmailMessage (plain text, optional HTML, headers, attachments) for an outbox row."""
    try:
        validate_email(message.recipient, check_deliverability=False)
    except EmailNotValidError as exc:
        raise PermanentFailure(f"malformed recipient address: {exc}") from None
    email = EmailMessage()
    name, address = parseaddr(mail_from)
    email["From"] = formataddr((name, address)) if address else mail_from
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(now)
    email["Message-ID"] = message_id_for(message.key, mail_from)
    email["X-WG-Key"] = message.key
    email["Auto-Submitted"] = "auto-generated"
    extras = json.loads(message.extras) if message.extras else {}
    for header, value in (extras.get("headers") or {}).items():
        email[header] = value
    email.set_content(delivered_body(message, extras))
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    for attachment in extras.get("attachments") or []:
        maintype, _, subtype = attachment["content_type"].partition("/")
        content = attachment["content"]
        if maintype == "text":
            email.add_attachment(content, subtype=subtype, filename=attachment["filename"])
        else:
            email.add_attachment(content.encode(), maintype=maintype, subtype=subtype,
                                 filename=attachment["filename"])
    return email


class SMTPConnection:
    """One SMTP session reused for a delivery run; reconnects after an error."""

    def __init__(self, settings):
        self.settings = settings
        self.smtp = None

    def _connect(self):
        s = self.settings
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.starttls:
            smtp.starttls()
        if s.username:
            smtp.login(s.username, s.password or "")
        self.smtp = smtp

    def send(self, email):
        try:
            if self.smtp is None:
                self._connect()
            refused = self.smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            codes = [code for code, _ in exc.recipients.values()]
            if all(500 <= c < 600 for c in codes):
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from None
            raise TemporaryFailure(f"recipient refused for now: {exc.recipients}") from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            text = f"{exc.smtp_code} {exc.smtp_error!r}"
            if 500 <= exc.smtp_code < 600:
                raise PermanentFailure(text) from None
            raise TemporaryFailure(text) from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from None
        if refused:
            raise PermanentFailure(f"recipient refused: {refused}")

    def close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None
