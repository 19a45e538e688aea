"""The `database` node against real SQLite and (when DATABASE_URL is PostgreSQL) PostgreSQL:
rows as objects, affected counts, transactions, limits, timeouts, and injection attempts."""

from __future__ import annotations

import os
import sqlite3
import uuid

import pytest

from runtime.definition import InvalidFlow, compile_flow
from tests.integrations.helpers import one_node, run

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
PG_DATABASE = "oneweb_nodes_test"


def _postgres_url() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)).fetchone():
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    return f"{PG_SERVER}/{PG_DATABASE}"


BACKENDS = ["sqlite"]
if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
    BACKENDS.append("postgresql")


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """A database with a fresh `customer` table, as a connection named `crm`."""
    table = f"customer_{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
        raw = sqlite3.connect(tmp_path / "crm.sqlite3")
        execute = raw.execute
    else:
        import psycopg

        url = _postgres_url()
        raw = psycopg.connect(url, autocommit=True)
        execute = raw.execute
    execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name TEXT NOT NULL, tier TEXT, credit NUMERIC)")
    for row in [(1, "Ada", "gold", 100), (2, "Bob", "silver", 20.5), (3, "Cy", "gold", 0)]:
        execute(f"INSERT INTO {table} VALUES ({row[0]}, '{row[1]}', '{row[2]}', {row[3]})")
    if request.param == "sqlite":
        raw.commit()

    def rows():
        return [tuple(r) for r in execute(f"SELECT id, name, tier FROM {table} ORDER BY id").fetchall()]

    yield {"table": table, "backend": request.param, "rows": rows,
           "connections": {"crm": {"kind": "database", "config": {"url": url}}}}
    execute(f"DROP TABLE IF EXISTS {table}")
    if request.param == "sqlite":
        raw.commit()
    raw.close()


def sql_flow(sql: str, params: dict[str, str] | None = None, **config):
    return one_node("q", {"type": "database", "config": {
        "connection": "crm", "sql": sql, "params": params or {}, "result": "result", **config}},
        params=["tier", "name", "id"])


def test_a_select_returns_rows_as_objects(db):
    outcome = run(sql_flow(f"SELECT id, name, credit FROM {db['table']} WHERE tier = :tier ORDER BY id",
                           {"tier": "tier"}), {"tier": "gold"}, db["connections"])
    assert outcome.status == "succeeded", outcome.error
    assert outcome.output["result"] == [{"id": 1, "name": "Ada", "credit": 100}, {"id": 3, "name": "Cy", "credit": 0}]


def test_insert_update_and_delete_return_the_affected_count(db):
    table = db["table"]
    inserted = run(sql_flow(f"INSERT INTO {table} (id, name, tier) VALUES (:id, :name, :tier)",
                            {"id": "id", "name": "name", "tier": "tier"}),
                   {"id": 4, "name": "Di", "tier": "gold"}, db["connections"])
    assert inserted.status == "succeeded", inserted.error
    assert inserted.output["result"] == 1
    updated = run(sql_flow(f"UPDATE {table} SET tier = 'bronze' WHERE tier = :tier", {"tier": "tier"}),
                  {"tier": "gold"}, db["connections"])
    assert updated.output["result"] == 3
    deleted = run(sql_flow(f"DELETE FROM {table} WHERE id = :id", {"id": "id"}), {"id": 2}, db["connections"])
    assert deleted.output["result"] == 1
    assert db["rows"]() == [(1, "Ada", "bronze"), (3, "Cy", "bronze"), (4, "Di", "bronze")]


def test_injection_through_a_mapped_value_changes_nothing(db):
    table = db["table"]
    before = db["rows"]()
    attack = f"x' OR '1'='1'; DROP TABLE {table}; --"
    found = run(sql_flow(f"SELECT id FROM {table} WHERE name = :name", {"name": "name"}), {"name": attack},
                db["connections"])
    assert found.status == "succeeded" and found.output["result"] == []
    changed = run(sql_flow(f"UPDATE {table} SET tier = 'hacked' WHERE name = :name", {"name": "name"}),
                  {"name": attack}, db["connections"])
    assert changed.output["result"] == 0
    assert db["rows"]() == before
    stored = run(sql_flow(f"INSERT INTO {table} (id, name) VALUES (:id, :name)", {"id": "id", "name": "name"}),
                 {"id": 9, "name": attack}, db["connections"])
    assert stored.output["result"] == 1
    assert db["rows"]()[-1] == (9, attack, None)  # stored verbatim, as data


def test_statements_run_in_one_transaction(db):
    table = db["table"]
    flow = one_node("tx", {"type": "database", "config": {"connection": "crm", "result": "result", "statements": [
        {"sql": f"UPDATE {table} SET tier = 'moved' WHERE id = 1"},
        {"sql": f"INSERT INTO {table} (id, name) VALUES (1, 'duplicate key')"},
    ]}})
    outcome = run(flow, {}, db["connections"])
    assert outcome.status == "failed" and outcome.error["code"] == "constraint_violation"
    assert db["rows"]()[0] == (1, "Ada", "gold")  # the update was rolled back


def test_several_statements_give_a_list_of_results(db):
    table = db["table"]
    flow = one_node("tx", {"type": "database", "config": {"connection": "crm", "result": "result", "statements": [
        {"sql": f"UPDATE {table} SET tier = :t WHERE id = 1", "params": {"t": "'platinum'"}},
        {"sql": f"SELECT tier FROM {table} WHERE id = 1"},
    ]}})
    assert run(flow, {}, db["connections"]).output["result"] == [1, [{"tier": "platinum"}]]


def test_more_rows_than_max_rows_fails_unless_truncating(db):
    flow = sql_flow(f"SELECT id FROM {db['table']} ORDER BY id", max_rows=2)
    outcome = run(flow, {}, db["connections"])
    assert outcome.error["code"] == "too_many_rows"
    truncated = run(sql_flow(f"SELECT id FROM {db['table']} ORDER BY id", max_rows=2, truncate=True), {},
                    db["connections"])
    assert truncated.output["result"] == [{"id": 1}, {"id": 2}]


def test_a_read_only_node_cannot_write(db):
    outcome = run(sql_flow(f"DELETE FROM {db['table']}", read_only=True), {}, db["connections"])
    assert outcome.status == "failed" and outcome.error["code"] == "database_error"
    assert len(db["rows"]()) == 3


def test_a_long_statement_times_out(db):
    if db["backend"] == "sqlite":
        sql = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
               "SELECT count(*) AS c FROM n")
    else:
        sql = "SELECT pg_sleep(5)"
    outcome = run(sql_flow(sql, timeout_s=0.3), {}, db["connections"])
    assert outcome.status == "failed" and outcome.error["code"] == "timeout"
    assert outcome.steps[-1]["duration_ms"] < 3000
    # the pooled connection is usable afterwards
    again = run(sql_flow(f"SELECT count(*) AS c FROM {db['table']}"), {}, db["connections"])
    assert again.output["result"] == [{"c": 3}]


def test_a_second_statement_in_the_sql_is_refused_at_save_time():
    with pytest.raises(InvalidFlow) as caught:
        compile_flow(sql_flow("SELECT 1; DROP TABLE customer"))
    assert caught.value.details[0]["field"] == "sql"
    compile_flow(sql_flow("SELECT ';' AS semi, $$;$$ AS dollar; -- a trailing comment"))


def test_sql_errors_become_routable_node_errors(db):
    outcome = run(sql_flow("SELECT * FROM no_such_table"), {}, db["connections"])
    assert outcome.error["code"] == "database_error" and outcome.error["node"] == "n"


def test_placeholders_and_params_must_match_at_save_time():
    with pytest.raises(InvalidFlow) as caught:
        compile_flow(sql_flow("SELECT * FROM t WHERE a = :a AND b = :b", {"a": "1", "c": "2"}))
    messages = {(d["field"], d["message"]) for d in caught.value.details}
    assert ("params", "the placeholder :b has no value in params") in messages
    assert ("params.c", "the SQL has no placeholder :c") in messages


def test_an_unknown_connection_is_a_node_error():
    outcome = run(sql_flow("SELECT 1 AS one"), {}, {})
    assert outcome.error["code"] == "unknown_connection"


def test_a_connection_of_another_kind_is_refused(tmp_path):
    outcome = run(sql_flow("SELECT 1 AS one"), {}, {"crm": {"kind": "storage", "config": {"root": str(tmp_path)}}})
    assert outcome.error["code"] == "wrong_connection_kind"


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs DATABASE_URL on PostgreSQL")
def test_a_wrong_postgres_password_never_shows_in_the_error():
    secret = "s3cret-pass-word"
    connections = {"crm": {"kind": "database", "config": {"url": "postgresql://nobody@127.0.0.1:5432/nowhere"},
                           "secrets": {"password": secret}}}
    outcome = run(sql_flow("SELECT 1 AS one"), {}, connections)
    assert outcome.status == "failed" and outcome.error["code"] == "database_error"
    assert secret not in str(outcome.error) and secret not in str(outcome.steps)
