"""Outgoing email: a console backend for development and SMTP (``TERREAU_SMTP_URL``) otherwise."""

from __future__ import annotations

import smtplib
import sys
from dataclasses import dataclass
from email.message import EmailMessage as _MimeMessage
from email.utils import formatdate, make_msgid
from typing import TextIO
from urllib.parse import unquote, urlparse

DEFAULT_SENDER = "Terreau <terreau@localhost>"


@dataclass(frozen=True)
class EmailMessage:
    to: str
    subject: str
    body: str


class ConsoleMailer:
    """Print emails instead of sending them (no SMTP configured)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def send(self, messages: list[EmailMessage]) -> None:
        stream = self.stream or sys.stdout
        for message in messages:
            print(f"--- email to {message.to}: {message.subject}\n{message.body}\n---", file=stream)


class SmtpMailer:
    """Send through an SMTP server given as ``smtp://user:pass@host:port?from=...`` (or smtps://)."""

    def __init__(self, url: str, sender: str = DEFAULT_SENDER) -> None:
        parsed = urlparse(url)
        if parsed.scheme not in ("smtp", "smtps", "smtp+starttls"):
            raise ValueError(f"TERREAU_SMTP_URL must start with smtp://, got {parsed.scheme!r}")
        self.scheme = parsed.scheme
        self.host = parsed.hostname or "localhost"
        self.port = parsed.port or (465 if parsed.scheme == "smtps" else 25)
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        query = dict(part.split("=", 1) for part in parsed.query.split("&") if "=" in part)
        self.sender = unquote(query.get("from", sender))

    def send(self, messages: list[EmailMessage]) -> None:
        if not messages:
            return
        smtp_class = smtplib.SMTP_SSL if self.scheme == "smtps" else smtplib.SMTP
        with smtp_class(self.host, self.port, timeout=30) as client:
            if self.scheme == "smtp+starttls":
                client.starttls()
            if self.username:
                client.login(self.username, self.password or "")
            for message in messages:
                mime = _MimeMessage()
                mime["From"] = self.sender
                mime["To"] = message.to
                mime["Subject"] = message.subject
                mime["Date"] = formatdate(localtime=False)
                mime["Message-ID"] = make_msgid(domain="terreau")
                mime.set_content(message.body)
                client.send_message(mime)


def mailer_from_url(url: str | None) -> ConsoleMailer | SmtpMailer:
    return SmtpMailer(url) if url else ConsoleMailer()
