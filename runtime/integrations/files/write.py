"""`file_write`: writes a variable to a file under a storage connection's root.

The file is written to a temporary file beside the target and moved into place at the
end, so readers never see half a file and a failure leaves the old file as it was
(`append` writes in place: delimited, fixed-width and text only). `create` refuses to
replace an existing file. The size limit is checked while writing (`file_too_large`).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from runtime.integrations.connections import resolve
from runtime.integrations.fields import ConnectionName
from runtime.integrations.files import formats, storage
from runtime.nodes.base import Executor, ExpressionCompiler, NodeFailure, NodeType, evaluate
from runtime.nodes.fields import ExpressionText, VariableName

APPENDABLE = ("csv", "fixed", "text")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class FileWriteConfig(formats.FormatOptions):
    connection: ConnectionName
    path: ExpressionText
    data: ExpressionText = Field(description="the rows (a list) or, for text, json and xml, the value")
    mode: Literal["overwrite", "append", "create"] = "overwrite"
    make_dirs: bool = Field(default=False, description="create missing folders (inside the root)")
    result: VariableName | None = None
    max_bytes: int | None = Field(default=None, ge=1)


class FileWriteExecutor(Executor):
    def __init__(self, config: FileWriteConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.path = compiler.expr("path", config.path)
        self.data = compiler.expr("data", config.data)
        # A bare variable name is read directly: no copy through CEL for large row lists,
        # and objects keep their key order (CEL maps do not), which names the columns.
        self.variable = config.data.strip() if _IDENTIFIER.match(config.data.strip()) else None
        formats.check_options(config, compiler.fail)
        if config.mode == "append" and config.format not in APPENDABLE:
            compiler.fail("mode", f"a {config.format} file cannot be appended to; write it whole")

    def run(self, ctx) -> None:
        relative = evaluate(self.path, ctx, "path")
        if self.variable is not None and self.variable in ctx.variables:
            data = ctx.variables[self.variable]
        else:
            data = evaluate(self.data, ctx, "data")
        connection = resolve(self.config.connection, "storage")
        full = storage.locate(connection, relative)
        limit = storage.max_bytes(connection, self.config.max_bytes)
        if not full.parent.is_dir():
            if not self.config.make_dirs:
                raise NodeFailure("file_not_found", f"the folder of '{relative}' does not exist")
            full.parent.mkdir(parents=True, exist_ok=True)
        if full.is_dir():
            raise NodeFailure("path_refused", f"'{relative}' is a folder")
        if self.config.mode == "create" and full.exists():
            raise NodeFailure("file_exists", f"'{relative}' exists already")
        if self.config.mode == "append":
            rows, size = self._append(full, data, limit)
        else:
            rows, size = self._replace(full, data, limit)
        if self.config.result:
            ctx.set(self.config.result, {"path": relative, "bytes": size, "rows": rows})
        return None

    def _write(self, raw, data: Any, limit: int, already: int, with_header: bool) -> int | None:
        out = formats.CappedStream(raw, limit, already)
        if self.config.format in ("csv", "fixed"):
            return formats.write_rows(out, formats.as_rows(data), self.config, with_header)
        formats.write_value(out, data, self.config)
        return None

    def _append(self, full: Path, data: Any, limit: int) -> tuple[int | None, int]:
        existing = full.stat().st_size if full.exists() else 0
        with full.open("ab") as raw:
            rows = self._write(raw, data, limit, existing, with_header=existing == 0)
        return rows, full.stat().st_size

    def _replace(self, full: Path, data: Any, limit: int) -> tuple[int | None, int]:
        handle = tempfile.NamedTemporaryFile(dir=full.parent, prefix=".oneweb-", suffix=".part", delete=False)
        temporary = Path(handle.name)
        try:
            with handle:
                if self.config.format == "xlsx":
                    rows = formats.write_xlsx(handle, formats.as_rows(data), self.config)
                else:
                    rows = self._write(handle, data, limit, 0, with_header=True)
            size = temporary.stat().st_size
            if size > limit:
                raise NodeFailure("file_too_large", f"the file would be larger than {limit} bytes")
            if self.config.mode == "create":
                try:
                    os.link(temporary, full)  # atomic, and fails if someone created it meanwhile
                except FileExistsError:
                    raise NodeFailure("file_exists", f"'{full.name}' exists already") from None
            else:
                os.replace(temporary, full)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        return rows, size


NODE_TYPE = NodeType(
    type="file_write", label="Write file", category="integration", icon="💾", color="#7c3aed",
    help="Writes rows (a list of objects) as CSV, fixed-width or Excel (.xlsx), or a value as XML, "
    "text or JSON, to a file of a storage connection. The whole file appears at once; paths stay "
    "inside the storage root.",
    config=FileWriteConfig, executor=FileWriteExecutor,
    example={"connection": "files", "path": "'out/report.xlsx'", "format": "xlsx", "data": "rows",
             "result": "written"},
)
