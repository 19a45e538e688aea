"""`database`: parameterised SQL on a named database connection (SQLite or PostgreSQL).

Values never become SQL text: the statement names placeholders (`:name`) and `params`
maps each to an expression whose value is bound by the driver. A statement that returns
rows gives a list of objects (at most `max_rows`; more is `too_many_rows` unless
`truncate`); any other gives the affected row count. All statements of one node run in
one transaction (committed at the end, rolled back on any failure) under a statement
timeout (`timeout_s`; PostgreSQL's statement_timeout, SQLite's progress handler), and
`read_only` makes the transaction refuse writes. Engines (connection pools) are built
once per connection revision and shared by threads (SQLAlchemy engines are thread-safe).
"""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from runtime.conf import setting
from runtime.integrations.connections import Connection, resolve
from runtime.integrations.fields import ConnectionName
from runtime.integrations.values import plain
from runtime.nodes.base import (
    Executor,
    ExpressionCompiler,
    NodeConfig,
    NodeFailure,
    NodeType,
    evaluate_map,
)
from runtime.nodes.fields import ExpressionMap, VariableName

MAX_SQL = 100_000


def _sql_field(**kwargs: Any) -> Any:
    return Field(max_length=MAX_SQL, json_schema_extra={"format": "sql"},
                 description="one SQL statement; values as :name placeholders", **kwargs)


class Statement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sql: str = _sql_field()
    params: ExpressionMap


class DatabaseConfig(NodeConfig):
    connection: ConnectionName
    sql: str | None = _sql_field(default=None)
    params: ExpressionMap
    statements: list[Statement] = Field(default_factory=list, max_length=100,
                                        description="several statements run in one transaction")
    result: VariableName | None = None
    max_rows: int | None = Field(default=None, ge=1, le=1_000_000)
    truncate: bool = Field(default=False, description="keep the first max_rows rows instead of failing")
    timeout_s: float | None = Field(default=None, gt=0, le=3600)
    read_only: bool = False


class _Compiled:
    __slots__ = ("text", "params")

    def __init__(self, text: sa.TextClause, params: dict) -> None:
        self.text = text
        self.params = params


def _compile(where: str, sql: str, params: dict[str, str], compiler: ExpressionCompiler) -> _Compiled | None:
    if not sql.strip():
        compiler.fail(f"{where}sql", "the SQL statement is empty")
        return None
    if _several_statements(sql):
        compiler.fail(f"{where}sql", "one SQL statement per sql (use statements for several)")
        return None
    try:
        text = sa.text(sql)
    except (ArgumentError, SQLAlchemyError) as exc:
        compiler.fail(f"{where}sql", f"the SQL does not parse: {exc}")
        return None
    placeholders = set(text._bindparams)
    for name in sorted(placeholders - set(params)):
        compiler.fail(f"{where}params", f"the placeholder :{name} has no value in params")
    for name in sorted(set(params) - placeholders):
        compiler.fail(f"{where}params.{name}", f"the SQL has no placeholder :{name}")
    return _Compiled(text, compiler.exprs(f"{where}params", params))


_DOLLAR = re.compile(r"\$[A-Za-z_]*\$")


def _several_statements(sql: str) -> bool:
    """Whether a `;` outside literals, quoted names and comments is followed by more SQL."""
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c in ("'", '"'):
            backslashes = c == "'" and i > 0 and sql[i - 1] in "eE"
            i += 1
            while i < n:
                if backslashes and sql[i] == "\\":
                    i += 2
                    continue
                if sql[i] == c:
                    if i + 1 < n and sql[i + 1] == c:
                        i += 2
                        continue
                    break
                i += 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = n if end < 0 else end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            i = n if end < 0 else end + 1
        elif c == "$" and (tag := _DOLLAR.match(sql, i)):
            end = sql.find(tag.group(), tag.end())
            i = n if end < 0 else end + len(tag.group()) - 1
        elif c == ";":
            rest = sql[i + 1:]
            return bool(rest.strip()) and not _only_comments(rest)
        i += 1
    return False


def _only_comments(rest: str) -> bool:
    stripped = re.sub(r"--[^\n]*|/\*.*?\*/", "", rest, flags=re.S)
    return not stripped.strip(" \t\r\n;")


class DatabaseExecutor(Executor):
    def __init__(self, config: DatabaseConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.statements: list[_Compiled] = []
        if (config.sql is None) == (not config.statements):
            compiler.fail("sql", "give either sql (with params) or statements, not both and not neither")
            return
        if config.sql is not None:
            compiled = _compile("", config.sql, config.params, compiler)
            self.statements = [compiled] if compiled else []
        else:
            for index, statement in enumerate(config.statements):
                compiled = _compile(f"statements.{index}.", statement.sql, statement.params, compiler)
                if compiled:
                    self.statements.append(compiled)

    def run(self, ctx) -> None:
        connection = resolve(self.config.connection, "database")
        values = [
            {k: _bindable(v) for k, v in evaluate_map(s.params, ctx, "params").items()} for s in self.statements
        ]
        results = self._execute(connection, values)
        if self.config.result:
            ctx.set(self.config.result, results[0] if self.config.sql is not None else results)
        return None

    def _execute(self, connection: Connection, values: list[dict[str, Any]]) -> list[Any]:
        try:
            engine = engine_for(connection)
        except (ArgumentError, ImportError) as exc:
            raise NodeFailure("database_error", connection.redact(str(exc).splitlines()[0])) from None
        timeout = self.config.timeout_s or float(setting("DATABASE_TIMEOUT_S"))
        max_rows = self.config.max_rows or int(setting("DATABASE_MAX_ROWS"))
        results: list[Any] = []
        try:
            with engine.connect() as conn, _limits(conn, timeout, self.config.read_only), conn.begin():
                if conn.dialect.name == "postgresql":
                    if self.config.read_only:
                        conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                    conn.execute(sa.text("SELECT set_config('statement_timeout', :ms, true)"),
                                 {"ms": f"{int(timeout * 1000)}ms"})
                for statement, bound in zip(self.statements, values, strict=True):
                    results.append(self._one(conn, statement, bound, max_rows))
        except NodeFailure:
            raise
        except DBAPIError as exc:
            raise _failure(exc, connection, timeout) from None
        except SQLAlchemyError as exc:
            raise NodeFailure("database_error", connection.redact(str(exc).splitlines()[0])) from None
        return results

    def _one(self, conn: sa.Connection, statement: _Compiled, bound: dict[str, Any], max_rows: int) -> Any:
        result = conn.execute(statement.text, bound)
        if not result.returns_rows:
            return result.rowcount
        rows = result.mappings().fetchmany(max_rows + 1)
        if len(rows) > max_rows:
            if not self.config.truncate:
                raise NodeFailure("too_many_rows", f"the query returned more than {max_rows} rows")
            rows = rows[:max_rows]
        result.close()
        return [plain(dict(row)) for row in rows]


def _bindable(value: Any) -> Any:
    # Maps and lists go to the database as JSON text (a json/jsonb/text column takes it).
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value


class _limits:
    """SQLite's side of the timeout and read-only flag, set on the pooled DB-API connection
    for the span of one node and cleared afterwards (PostgreSQL's are transaction-local)."""

    def __init__(self, conn: sa.Connection, timeout: float, read_only: bool) -> None:
        self.raw = conn.connection.driver_connection if conn.dialect.name == "sqlite" else None
        self.timeout = timeout
        self.read_only = read_only

    def __enter__(self) -> None:
        if self.raw is None:
            return
        deadline = time.monotonic() + self.timeout
        self.raw.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 1000)
        if self.read_only:
            self.raw.execute("PRAGMA query_only = ON")

    def __exit__(self, *exc_info: Any) -> None:
        if self.raw is None:
            return
        self.raw.set_progress_handler(None, 0)
        if self.read_only:
            self.raw.execute("PRAGMA query_only = OFF")


def _failure(exc: DBAPIError, connection: Connection, timeout: float) -> NodeFailure:
    original = exc.orig
    message = connection.redact(str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__)
    name = type(original).__name__
    if name == "QueryCanceled" or (name == "OperationalError" and "interrupted" in message):
        return NodeFailure("timeout", f"the statement ran longer than {timeout} s")
    if isinstance(exc, sa.exc.IntegrityError):
        return NodeFailure("constraint_violation", message)
    return NodeFailure("database_error", message)


_engines: dict[tuple[str, str], sa.Engine] = {}
_engines_lock = threading.Lock()


def engine_for(connection: Connection) -> sa.Engine:
    """One engine (pool) per connection and revision; an edited connection gets a new one."""
    key = (connection.name, connection.revision)
    engine = _engines.get(key)
    if engine is not None:
        return engine
    url = database_url(connection)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            for old in [k for k in _engines if k[0] == connection.name]:
                _engines.pop(old).dispose()
            options: dict[str, Any] = {"pool_pre_ping": True}
            if url.get_backend_name() == "sqlite":
                options["connect_args"] = {"timeout": 30, "check_same_thread": False}
            engine = sa.create_engine(url, **options)
            _engines[key] = engine
    return engine


def database_url(connection: Connection) -> sa.URL:
    """The SQLAlchemy URL: the connection's `url` plus its `password` secret, if any."""
    raw = str(connection.config.get("url") or "")
    try:
        url = make_url(raw)
    except ArgumentError:
        raise NodeFailure("database_error", f"the connection '{connection.name}' has no valid database URL") from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        url = url.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise NodeFailure("database_error", f"the database '{backend}' is not supported (use sqlite or postgresql)")
    password = connection.secrets.get("password")
    if password and backend != "sqlite":  # SQLite has no passwords (and refuses URLs with one)
        url = url.set(password=password)
    return url


NODE_TYPE = NodeType(
    type="database", label="Database", category="integration", icon="⛁", color="#0f766e",
    help="Runs parameterised SQL on a named database connection, in one transaction with a timeout. "
    "Values go in as :name placeholders mapped in params (never pasted into the SQL). A query gives "
    "a list of row objects (up to max_rows); insert, update and delete give the affected row count.",
    config=DatabaseConfig, executor=DatabaseExecutor,
    example={"connection": "crm", "sql": "SELECT id, name FROM customer WHERE tier = :tier",
             "params": {"tier": "tier"}, "result": "customers"},
)
