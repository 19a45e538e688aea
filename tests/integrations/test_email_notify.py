"""`email` through Django's mail backends (locmem, and a real SMTP conversation over a
socket for smtp connections) and `notify` to users and groups over /ws/notify/."""

from __future__ import annotations

import base64
import json
import socketserver
import threading

import pytest
from django.contrib.auth.models import Group

from runtime import push
from runtime.definition import InvalidFlow, compile_flow
from tests.e2e.stack import run_coroutine
from tests.integrations.helpers import one_node, run

SECRET = "smtp-s3cret-value"


def mail(**config):
    return one_node("m", {"type": "email", "config": {"result": "result", **config}}, params=["who", "order"])


def test_an_email_goes_through_the_default_backend(mailoutbox):
    flow = mail(to="who", subject="'Order ' + order.id", body="'Thanks, ' + order.name",
                html="'<b>Thanks</b>'", cc="['boss@example.org']", from_email="'shop@example.org'")
    outcome = run(flow, {"who": "ada@example.org", "order": {"id": "42", "name": "Ada"}})
    assert outcome.status == "succeeded", outcome.error
    assert outcome.output["result"] == {"sent": 1, "to": ["ada@example.org"]}
    [message] = mailoutbox
    assert message.subject == "Order 42" and message.body == "Thanks, Ada" and message.cc == ["boss@example.org"]
    assert message.from_email == "shop@example.org" and message.alternatives[0][1] == "text/html"


@pytest.mark.parametrize("config, code", [
    ({"to": "'not an address'"}, "invalid_email"),
    ({"to": "''"}, "invalid_email"),
    ({"to": "'a@example.org'", "subject": "'Hi\\nBcc: victim@example.org'"}, "invalid_email"),
])
def test_bad_addresses_and_header_injection_are_node_errors(mailoutbox, config, code):
    flow = mail(**{"subject": "'s'", "body": "'b'", **config})
    outcome = run(flow, {})
    assert outcome.error["code"] == code and mailoutbox == []


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP (EHLO, AUTH PLAIN, MAIL, RCPT, DATA) to take one message."""

    def reply(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        server = self.server
        self.reply("220 test ESMTP")
        while line := self.rfile.readline().decode().rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-test")
                self.reply("250 AUTH PLAIN")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(line.split()[-1]).split(b"\0")
                ok = (user.decode(), password.decode()) == ("mailer", SECRET)
                self.reply("235 ok" if ok else "535 authentication failed")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                lines = []
                while (data := self.rfile.readline().decode()) not in (".\r\n", ""):
                    lines.append(data)
                server.messages.append("".join(lines))
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 no")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.daemon_threads = True
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def smtp_connection(server, password: str):
    return {"mailer": {"kind": "smtp", "config": {
        "host": "127.0.0.1", "port": server.server_address[1], "username": "mailer", "from_email": "app@example.org",
    }, "secrets": {"password": password}}}


def test_an_smtp_connection_sends_over_a_real_socket_with_its_secret(smtp_server):
    flow = mail(connection="mailer", to="'ada@example.org'", subject="'Hello'", body="'Body text'")
    outcome = run(flow, {}, smtp_connection(smtp_server, SECRET))
    assert outcome.status == "succeeded", outcome.error
    [message] = smtp_server.messages
    assert "Subject: Hello" in message and "From: app@example.org" in message and "Body text" in message


def test_an_smtp_failure_is_a_node_error_without_the_secret(smtp_server):
    wrong = "wrong-password-123"
    outcome = run(mail(connection="mailer", to="'ada@example.org'", subject="'x'", body="'y'"), {},
                  smtp_connection(smtp_server, wrong))
    assert outcome.error["code"] == "email_error" and smtp_server.messages == []
    assert wrong not in json.dumps(outcome.error) and wrong not in json.dumps(outcome.steps)


def test_notify_needs_exactly_one_of_user_and_group():
    with pytest.raises(InvalidFlow):
        compile_flow(one_node("n", {"type": "notify", "config": {"title": "'x'"}}))
    with pytest.raises(InvalidFlow):
        compile_flow(one_node("n", {"type": "notify", "config": {"title": "'x'", "user": "'a'", "group": "'g'"}}))


@pytest.fixture
def sent(monkeypatch):
    messages: list[tuple[str, dict]] = []
    monkeypatch.setattr(push, "push", lambda group, message: messages.append((group, message)))
    return messages


def notify(**config):
    return one_node("n", {"type": "notify", "config": {"result": "result", **config}}, params=["order"])


@pytest.mark.django_db
def test_notify_reaches_every_active_member_of_a_group_after_the_commit(
        sent, alice, bob, django_user_model, django_capture_on_commit_callbacks):
    managers = Group.objects.create(name="managers")
    gone = django_user_model.objects.create_user("gone", password="x", is_active=False)
    for user in (alice, bob, gone):
        user.groups.add(managers)
    flow = notify(group="'managers'", title="'Order ' + order.id", message="'needs approval'", level="warning",
                  link="'/orders/' + order.id", data={"order": "order.id"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = run(flow, {"order": {"id": "7"}})
    assert outcome.status == "succeeded", outcome.error
    assert outcome.output["result"] == {"recipients": 2} and sent == []
    for callback in callbacks:
        callback()
    assert sorted(group for group, _ in sent) == sorted([push.user_group(alice.pk), push.user_group(bob.pk)])
    message = sent[0][1]
    assert message["type"] == "notification" and message["title"] == "Order 7" and message["level"] == "warning"
    assert message["link"] == "/orders/7" and message["data"] == {"order": "7"}


@pytest.mark.django_db
def test_notify_to_an_unknown_user_or_group_is_a_node_error(sent):
    assert run(notify(user="'nobody'", title="'x'"), {}).error["code"] == "unknown_recipient"
    assert run(notify(group="'nogroup'", title="'x'"), {}).error["code"] == "unknown_recipient"


@pytest.mark.e2e
def test_a_notify_node_in_an_async_run_reaches_the_users_socket(stack):
    import asyncio

    import websockets

    flow = one_node("ping-alice", {"type": "notify", "config": {
        "user": "'alice'", "title": "'Hello ' + name", "result": "result"}}, params=["name"])
    assert stack.call("POST", "/api/microflows", flow).status_code == 201

    async def scenario():
        async with websockets.connect(stack.ws_url("/ws/notify/", user="alice")) as socket:
            assert json.loads(await socket.recv())["type"] == "notify.ready"
            response = await asyncio.to_thread(stack.call, "POST", "/api/microflows/ping-alice/run",
                                               {"input": {"name": "Alice"}, "mode": "async"})
            assert response.status_code == 202
            async with asyncio.timeout(20):
                while True:
                    event = json.loads(await socket.recv())
                    if event["type"] == "notification":
                        return event

    event = run_coroutine(scenario())
    assert event["title"] == "Hello Alice" and event["level"] == "info"
