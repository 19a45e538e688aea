"""`email`: sends a mail through Django's mail backends.

Without a `connection` the project's EMAIL_BACKEND sends it (SMTP in production, the
locmem outbox in tests); with one, an SMTP backend is built from that `smtp` connection
(host, port, TLS, user; the password from its secrets). Addresses are checked before
anything is sent; header injection (newlines in the subject) is refused.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from runtime.integrations.connections import Connection, resolve
from runtime.integrations.fields import ConnectionName
from runtime.nodes.base import (
    Executor,
    ExpressionCompiler,
    NodeConfig,
    NodeFailure,
    NodeType,
    evaluate,
)
from runtime.nodes.fields import ExpressionText, VariableName

MAX_RECIPIENTS = 100
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class EmailConfig(NodeConfig):
    connection: ConnectionName | None = Field(default=None, description="an smtp connection (default: the server's mail setup)")
    to: ExpressionText = Field(description="an address or a list of addresses")
    cc: ExpressionText | None = None
    bcc: ExpressionText | None = None
    reply_to: ExpressionText | None = None
    from_email: ExpressionText | None = Field(default=None, description="default: the connection's or the server's")
    subject: ExpressionText
    body: ExpressionText
    html: ExpressionText | None = Field(default=None, description="an HTML alternative of the body")
    result: VariableName | None = None


_OPTIONAL = ("cc", "bcc", "reply_to", "from_email", "html")


class EmailExecutor(Executor):
    def __init__(self, config: EmailConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.to = compiler.expr("to", config.to)
        self.subject = compiler.expr("subject", config.subject)
        self.body = compiler.expr("body", config.body)
        self.optional = {
            name: compiler.expr(name, getattr(config, name)) for name in _OPTIONAL if getattr(config, name) is not None
        }

    def run(self, ctx) -> None:
        from django.conf import settings
        from django.core.mail import BadHeaderError, EmailMultiAlternatives

        if not settings.configured:
            raise NodeFailure("email_error", "sending mail needs the server (or django settings when embedded)")
        value = {name: evaluate(expr, ctx, name) for name, expr in self.optional.items()}
        to = _addresses(evaluate(self.to, ctx, "to"), "to")
        cc = _addresses(value.get("cc"), "cc")
        bcc = _addresses(value.get("bcc"), "bcc")
        if not to and not cc and not bcc:
            raise NodeFailure("invalid_email", "the mail has no recipient")
        if len(to) + len(cc) + len(bcc) > MAX_RECIPIENTS:
            raise NodeFailure("invalid_email", f"a mail goes to at most {MAX_RECIPIENTS} recipients")
        connection = resolve(self.config.connection, "smtp") if self.config.connection else None
        sender = value.get("from_email") or (connection.config.get("from_email") if connection else None)
        if sender is not None:
            _addresses(sender, "from")
        message = EmailMultiAlternatives(
            subject=_text(evaluate(self.subject, ctx, "subject")), body=_text(evaluate(self.body, ctx, "body")),
            from_email=sender or None, to=to, cc=cc, bcc=bcc,
            reply_to=_addresses(value.get("reply_to"), "reply_to"), connection=_backend(connection),
        )
        if value.get("html") is not None:
            message.attach_alternative(_text(value["html"]), "text/html")
        try:
            sent = message.send()
        except BadHeaderError:
            raise NodeFailure("invalid_email", "the subject or a header holds a line break") from None
        except ValueError as exc:
            raise NodeFailure("invalid_email", str(exc)) from None
        except Exception as exc:  # smtplib and socket errors: report without secrets
            text = f"{type(exc).__name__}: {exc}"
            raise NodeFailure("email_error", connection.redact(text) if connection else text) from None
        if self.config.result:
            ctx.set(self.config.result, {"sent": sent, "to": to})
        return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _addresses(value: Any, field: str) -> list[str]:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, str):
            raise NodeFailure("invalid_email", f"{field}: {item!r} is not an address")
        address = item.rsplit("<", 1)[-1].rstrip(">").strip() if "<" in item else item
        try:
            validate_email(address)
        except ValidationError:
            raise NodeFailure("invalid_email", f"{field}: '{item}' is not a valid address") from None
    return list(items)


def _backend(connection: Connection | None):
    from django.core.mail import get_connection

    if connection is None:
        return get_connection()
    config = connection.config
    return get_connection(
        SMTP_BACKEND, host=config.get("host", "localhost"), port=int(config.get("port", 25)),
        username=config.get("username") or None, password=connection.secrets.get("password") or None,
        use_tls=bool(config.get("use_tls")), use_ssl=bool(config.get("use_ssl")),
        timeout=float(config.get("timeout_s", 30)),
    )


NODE_TYPE = NodeType(
    type="email", label="Send email", category="integration", icon="✉", color="#be185d",
    help="Sends a mail (text, optionally with an HTML alternative) through the server's mail setup or a "
    "named smtp connection. to, cc and bcc take an address or a list.",
    config=EmailConfig, executor=EmailExecutor,
    example={"to": "customer.email", "subject": "'Your order ' + order.id",
             "body": "'Thank you, ' + customer.name", "result": "mail"},
)
