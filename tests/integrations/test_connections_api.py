"""Connections over the API and in the admin: superusers only, secrets stored encrypted and
apart, never returned, never in traces; flows refer to connections by name."""

from __future__ import annotations

import logging
import sqlite3

import pytest

from integrations.models import Connection, ConnectionSecret
from tests.integrations.helpers import one_node

pytestmark = pytest.mark.django_db

SECRET = "pa55-w0rd-never-shown"


def db_connection(name="crm", url="postgresql://app@db.example:5432/crm", **extra):
    return {"name": name, "kind": "database", "description": "CRM", "config": {"url": url}, **extra}


def test_a_superuser_creates_a_connection_and_never_sees_the_secret_again(admin_api):
    response = admin_api.post("/api/connections", db_connection(secrets={"password": SECRET}))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secrets"] == ["password"] and body["config"] == {"url": "postgresql://app@db.example:5432/crm"}
    for path in ("/api/connections", "/api/connections/crm"):
        answer = admin_api.get(path)
        assert answer.status_code == 200 and SECRET not in answer.content.decode()


def test_a_password_in_a_database_url_moves_to_the_secrets(admin_api):
    body = admin_api.post("/api/connections", db_connection(url=f"postgresql://app:{SECRET}@db:5432/crm")).json()
    assert body["config"]["url"] == "postgresql://app@db:5432/crm" and body["secrets"] == ["password"]
    assert SECRET not in str(Connection.objects.get(name="crm").config)


def test_secrets_are_encrypted_at_rest(admin_api):
    admin_api.post("/api/connections", db_connection(secrets={"password": SECRET}))
    stored = ConnectionSecret.objects.get(connection__name="crm")
    assert SECRET not in stored.ciphertext and stored.names == ["password"]
    from integrations.sources import get_connection

    assert get_connection("crm").secrets == {"password": SECRET}


def test_an_update_keeps_absent_secrets_sets_given_ones_and_removes_nulls(admin_api):
    admin_api.post("/api/connections", {"name": "api", "kind": "rest", "config": {
        "base_url": "https://api.example/v1", "auth": "basic", "username": "me"}, "secrets": {"password": SECRET}})
    changed = admin_api.put("/api/connections/api", {"description": "changed"}).json()
    assert changed["secrets"] == ["password"] and changed["revision"] == 2
    assert admin_api.put("/api/connections/api", {"secrets": {"token": "t0ken-value"}}).json()["secrets"] == [
        "password", "token"]
    assert admin_api.put("/api/connections/api", {"secrets": {"password": None}}).json()["secrets"] == ["token"]


def test_other_users_may_list_names_but_not_manage(api):
    Connection.objects.create(name="crm", kind="database", config={"url": "sqlite:///x"})
    listed = api.get("/api/connections").json()["items"]
    assert listed == [{"name": "crm", "kind": "database", "description": ""}]
    for response in (api.get("/api/connections/crm"), api.post("/api/connections", db_connection(name="x")),
                     api.put("/api/connections/crm", {"description": "x"}), api.delete("/api/connections/crm")):
        assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_anonymous_calls_are_refused(anonymous):
    assert anonymous.get("/api/connections").status_code == 401


@pytest.mark.parametrize("body, field", [
    ({"name": "Bad Name", "kind": "database", "config": {"url": "sqlite:///x"}}, "name"),
    ({"name": "x", "kind": "ftp", "config": {}}, "kind"),
    ({"name": "x", "kind": "database", "config": {}}, "config.url"),
    ({"name": "x", "kind": "database", "config": {"url": "mysql://h/db"}}, "config.url"),
    ({"name": "x", "kind": "storage", "config": {"root": "relative/dir"}}, "config.root"),
    ({"name": "x", "kind": "storage", "config": {"root": "/tmp"}, "secrets": {"password": "p"}}, "secrets.password"),
    ({"name": "x", "kind": "rest", "config": {"base_url": "ftp://x"}}, "config.base_url"),
])
def test_invalid_connections_are_400_naming_the_field(admin_api, body, field):
    response = admin_api.post("/api/connections", body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_connection" and field in [d["field"] for d in error["details"]]


def test_a_duplicate_name_is_409_and_an_unknown_one_404(admin_api):
    admin_api.post("/api/connections", db_connection())
    assert admin_api.post("/api/connections", db_connection()).status_code == 409
    assert admin_api.get("/api/connections/nope").status_code == 404
    assert admin_api.put("/api/connections/nope", {}).status_code == 404
    assert admin_api.post("/api/connections", raw="[1,").status_code == 400


def test_delete_removes_the_connection_and_its_secrets(admin_api):
    admin_api.post("/api/connections", db_connection(secrets={"password": SECRET}))
    assert admin_api.delete("/api/connections/crm").status_code == 204
    assert not ConnectionSecret.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_flow_uses_a_stored_connection_and_no_secret_reaches_the_trace_or_logs(admin_api, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    path = tmp_path / "crm.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE t (v TEXT)")
        raw.execute("INSERT INTO t VALUES ('hello')")
    # SQLite ignores passwords: the secret is stored, used to build the URL, and must show nowhere.
    admin_api.post("/api/connections", db_connection(url=f"sqlite:///{path}", secrets={"password": SECRET}))
    flow = one_node("read-crm", {"type": "database", "config": {
        "connection": "crm", "sql": "SELECT v FROM t", "result": "result"}})
    assert admin_api.post("/api/microflows", flow).status_code == 201
    answer = admin_api.post("/api/microflows/read-crm/run", {"input": {}})
    assert answer.status_code == 200, answer.json()["error"]
    assert answer.json()["output"] == {"result": [{"v": "hello"}]}
    failing = one_node("broken", {"type": "database", "config": {
        "connection": "crm", "sql": "SELECT nope FROM t", "result": "result"}})
    admin_api.post("/api/microflows", failing)
    failed = admin_api.post("/api/microflows/broken/run", {"input": {}})
    assert failed.status_code == 422
    execution = admin_api.get(f"/api/executions/{failed.json()['id']}").content.decode()
    for text in (answer.content.decode(), failed.content.decode(), execution, caplog.text):
        assert SECRET not in text
    assert SECRET not in str(admin_api.get("/api/microflows/read-crm").json())


def test_the_admin_manages_connections_with_write_only_secrets(admin_user, client):
    client.force_login(admin_user)
    page = client.post("/admin/integrations/connection/add/", {
        "name": "files", "kind": "smtp", "description": "", "config": '{"host": "mail.example", "port": 587}',
        "new_secrets": f'{{"password": "{SECRET}"}}',
    })
    assert page.status_code == 302, page.content.decode()[:2000]
    row = Connection.objects.get(name="files")
    assert row.secret.names == ["password"]
    change = client.get(f"/admin/integrations/connection/{row.pk}/change/")
    assert change.status_code == 200 and SECRET not in change.content.decode()
    bad = client.post("/admin/integrations/connection/add/", {
        "name": "bad", "kind": "smtp", "description": "", "config": '{"hots": "x"}', "new_secrets": ""})
    assert bad.status_code == 200 and not Connection.objects.filter(name="bad").exists()
