"""The `http` node through a `rest` connection: base URL, credentials from the secrets, and
no way out of the base URL; the token never reaches the trace."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.integrations.helpers import one_node, run

TOKEN = "rest-t0ken-secret"


class Api(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != f"Bearer {TOKEN}" and self.headers.get("X-Api-Key") != TOKEN:
            status, body = 401, {"error": "who are you"}
        else:
            status, body = 200, {"path": self.path}
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def rest(base_url, auth="bearer", token=TOKEN, **config):
    return {"crm": {"kind": "rest", "config": {"base_url": base_url, "auth": auth, **config},
                    "secrets": {"token": token}}}


def get(url: str):
    return one_node("g", {"type": "http", "config": {"connection": "crm", "url": url, "result": "result"}},
                    params=["id"])


def test_a_path_goes_under_the_base_url_with_the_bearer_token(base_url):
    outcome = run(get("'customers/' + id"), {"id": "7"}, rest(base_url))
    assert outcome.status == "succeeded", outcome.error
    assert outcome.output["result"]["body"] == {"path": "/v1/customers/7"}
    assert TOKEN not in json.dumps(outcome.steps)


def test_a_token_in_a_named_header(base_url):
    outcome = run(get("'/x'"), {}, rest(base_url, auth="header", header_name="X-Api-Key"))
    assert outcome.output["result"]["body"] == {"path": "/v1/x"}


def test_a_wrong_token_is_refused_by_the_service(base_url):
    outcome = run(get("'x'"), {}, rest(base_url, token="wrong"))
    assert outcome.error["code"] == "http_status"


@pytest.mark.parametrize("url", ["'../admin'", "'a/../../admin'", "'//evil.example/x'", "'http://evil.example/v1/x'"])
def test_urls_that_leave_the_base_url_are_refused(base_url, url):
    outcome = run(get(url), {}, rest(base_url))
    assert outcome.error["code"] == "http_error"


def test_a_full_url_under_the_base_url_is_allowed(base_url):
    outcome = run(get(f"'{base_url}/full?q=1'"), {}, rest(base_url))
    assert outcome.output["result"]["body"] == {"path": "/v1/full?q=1"}
