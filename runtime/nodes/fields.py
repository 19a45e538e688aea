"""Shared config field types: variable names, slugs and expression maps."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

RESERVED = {"true", "false", "null", "in", "as", "break", "const", "continue", "else", "for",
            "function", "if", "import", "let", "loop", "package", "namespace", "return", "var",
            "void", "while", "error"}

VariableName = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"),
    Field(description="a variable name (letters, digits, underscore)"),
]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
ExpressionText = Annotated[str, Field(description="a CEL expression", json_schema_extra={"format": "cel"})]
MicroflowName = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$"),
    Field(description="the name of a microflow", json_schema_extra={"format": "microflow"}),
]
ExpressionMap = Annotated[
    dict[str, ExpressionText],
    Field(default_factory=dict, json_schema_extra={"format": "cel-map"}),
]
