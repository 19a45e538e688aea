"""`file_read`: reads a file under a storage connection's root into a variable.

Delimited, fixed-width, Excel and XML-with-`item` files are streamed row by row: only
rows from `start_row` up to `max_rows` are kept, so a large file can be paged through.
Text, JSON and whole-XML files are read as one value. Files over the size limit are
refused before a byte is read (`file_too_large`).
"""

from __future__ import annotations

from pydantic import Field

from runtime.conf import setting
from runtime.integrations.connections import resolve
from runtime.integrations.fields import ConnectionName
from runtime.integrations.files import formats, storage
from runtime.nodes.base import Executor, ExpressionCompiler, NodeFailure, NodeType, evaluate
from runtime.nodes.fields import ExpressionText, VariableName


class FileReadConfig(formats.FormatOptions):
    connection: ConnectionName
    path: ExpressionText
    result: VariableName | None = None
    start_row: int = Field(default=0, ge=0, description="rows to skip before reading (paging)")
    max_rows: int | None = Field(default=None, ge=1, le=10_000_000)
    truncate: bool = Field(default=False, description="keep the first max_rows rows instead of failing")
    max_bytes: int | None = Field(default=None, ge=1)


class FileReadExecutor(Executor):
    def __init__(self, config: FileReadConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.path = compiler.expr("path", config.path)
        formats.check_options(config, compiler.fail)

    def run(self, ctx) -> None:
        relative = evaluate(self.path, ctx, "path")
        connection = resolve(self.config.connection, "storage")
        full = storage.locate(connection, relative)
        if not full.is_file():
            raise NodeFailure("file_not_found", f"there is no file '{relative}'")
        limit = storage.max_bytes(connection, self.config.max_bytes)
        size = full.stat().st_size
        if size > limit:
            raise NodeFailure("file_too_large", f"'{relative}' has {size} bytes; the limit is {limit}")
        with full.open("rb") as raw:
            if formats.streams_rows(self.config):
                max_rows = self.config.max_rows or int(setting("FILE_MAX_ROWS"))
                value = formats.iter_limited(formats.read_rows(raw, self.config),
                                             self.config.start_row, max_rows, self.config.truncate)
            else:
                value = formats.read_whole(raw, self.config)
        if self.config.result:
            ctx.set(self.config.result, value)
        return None


NODE_TYPE = NodeType(
    type="file_read", label="Read file", category="integration", icon="📄", color="#7c3aed",
    help="Reads a CSV (any delimiter), fixed-width, XML, Excel (.xlsx), text or JSON file from a storage "
    "connection into a variable: rows as a list of objects, XML as an object. Paths stay inside the "
    "storage root.",
    config=FileReadConfig, executor=FileReadExecutor,
    example={"connection": "files", "path": "'in/orders.csv'", "format": "csv", "delimiter": ";",
             "result": "orders"},
)
