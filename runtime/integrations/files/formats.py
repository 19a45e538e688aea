"""Readers and writers for each file format, streaming rows one at a time.

Readers take an open file and yield rows (objects for delimited, fixed-width and Excel
files; objects for XML items) or return one value (text, JSON, a whole XML document).
Writers take rows and a byte-capped binary stream. Values read from text formats stay
text; values written are turned to text plainly (null as empty, maps and lists as JSON).
XML is parsed with defusedxml (no entity expansion, no external entities); Excel cells
that would start a formula are written as text, so data cannot inject formulas.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, Literal
from xml.etree import ElementTree as ET  # writing only; reading goes through defusedxml

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from pydantic import BaseModel, ConfigDict, Field

from runtime.integrations.values import plain
from runtime.nodes.base import NodeConfig, NodeFailure

Format = Literal["csv", "fixed", "xml", "xlsx", "text", "json"]
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


class FixedColumn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    width: int = Field(ge=1, le=100_000)
    start: int | None = Field(default=None, ge=1, description="1-based start position; default: after the previous column")
    align: Literal["left", "right"] = "left"


class FormatOptions(NodeConfig):
    format: Format = "csv"
    encoding: str = Field(default="utf-8", max_length=40)
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="csv: the field delimiter")
    quotechar: str = Field(default='"', min_length=1, max_length=1)
    header: bool = Field(default=True, description="csv, xlsx: the first row names the columns")
    columns: list[str] = Field(default_factory=list, max_length=1000,
                               description="csv, xlsx: column names (when there is no header) or the order to write")
    layout: list[FixedColumn] = Field(default_factory=list, max_length=1000,
                                      description="fixed: the columns, with their widths")
    sheet: str | None = Field(default=None, max_length=100, description="xlsx: the sheet (default: the first)")
    root: str | None = Field(default=None, max_length=200, description="xml: the root element's name")
    item: str | None = Field(default=None, max_length=200,
                             description="xml: the repeated element (read: stream these as a list)")


def check_options(options: FormatOptions, fail) -> None:
    """Save-time checks that need more than one field."""
    if options.format == "fixed" and not options.layout:
        fail("layout", "a fixed-width file needs its layout (column names and widths)")
    for key in ("root", "item"):
        value = getattr(options, key)
        if value is not None and not XML_NAME.match(value):
            fail(key, f"'{value}' is not an XML element name")
    try:
        "".encode(options.encoding)
    except LookupError:
        fail("encoding", f"unknown encoding '{options.encoding}'")


def _text(raw: BinaryIO, options: FormatOptions) -> io.TextIOWrapper:
    encoding = "utf-8-sig" if options.encoding.lower().replace("_", "-") == "utf-8" else options.encoding
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


# --- reading ------------------------------------------------------------------------------


def read_rows(raw: BinaryIO, options: FormatOptions) -> Iterator[Any]:
    if options.format == "csv":
        yield from _read_csv(_text(raw, options), options)
    elif options.format == "fixed":
        yield from _read_fixed(_text(raw, options), options)
    elif options.format == "xlsx":
        yield from _read_xlsx(raw, options)
    elif options.format == "xml":
        yield from _read_xml_items(raw, options)
    else:
        raise AssertionError(options.format)


def read_whole(raw: BinaryIO, options: FormatOptions) -> Any:
    if options.format == "text":
        return _text(raw, options).read()
    if options.format == "json":
        try:
            return json.load(_text(raw, options))
        except ValueError as exc:
            raise NodeFailure("invalid_file", f"the file is not valid JSON: {exc}") from None
    if options.format == "xml":
        try:
            root = SafeET.parse(raw).getroot()
        except (ET.ParseError, DefusedXmlException) as exc:
            raise NodeFailure("invalid_file", f"the file is not acceptable XML: {exc}") from None
        return {_local(root.tag): element_to_object(root)}
    raise AssertionError(options.format)


def streams_rows(options: FormatOptions) -> bool:
    return options.format in ("csv", "fixed", "xlsx") or (options.format == "xml" and options.item is not None)


def _read_csv(handle: io.TextIOWrapper, options: FormatOptions) -> Iterator[Any]:
    reader = csv.reader(handle, delimiter=options.delimiter, quotechar=options.quotechar)
    names = list(options.columns) or None
    try:
        if options.header:
            first = next(reader, None)
            if first is None:
                return
            names = names or [name.strip() for name in first]
        for record in reader:
            if not record:
                continue
            yield dict(zip(names, record, strict=False)) if names else record
    except csv.Error as exc:
        raise NodeFailure("invalid_file", f"line {reader.line_num}: {exc}") from None
    except UnicodeDecodeError as exc:
        raise NodeFailure("invalid_file", f"the file is not {options.encoding} text: {exc.reason}") from None


def _positions(layout: list[FixedColumn]) -> list[tuple[FixedColumn, int, int]]:
    placed, cursor = [], 0
    for column in layout:
        begin = column.start - 1 if column.start is not None else cursor
        placed.append((column, begin, begin + column.width))
        cursor = begin + column.width
    return placed


def _read_fixed(handle: io.TextIOWrapper, options: FormatOptions) -> Iterator[dict[str, str]]:
    placed = _positions(options.layout)
    try:
        for line in handle:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            yield {column.name: line[begin:end].strip() for column, begin, end in placed}
    except UnicodeDecodeError as exc:
        raise NodeFailure("invalid_file", f"the file is not {options.encoding} text: {exc.reason}") from None


def _read_xlsx(raw: BinaryIO, options: FormatOptions) -> Iterator[Any]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(raw, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise NodeFailure("invalid_file", f"the file is not an .xlsx workbook: {type(exc).__name__}") from None
    try:
        if options.sheet is not None:
            if options.sheet not in book.sheetnames:
                raise NodeFailure("invalid_file", f"the workbook has no sheet '{options.sheet}'")
            sheet = book[options.sheet]
        else:
            sheet = book.worksheets[0]
        names = list(options.columns) or None
        rows = sheet.iter_rows(values_only=True)
        if options.header:
            first = next(rows, None)
            if first is None:
                return
            names = names or [str(v).strip() if v is not None else f"column{i + 1}" for i, v in enumerate(first)]
        for values in rows:
            if all(v is None for v in values):
                continue
            cells = [plain(v) for v in values]
            yield dict(zip(names, cells, strict=False)) if names else cells
    finally:
        book.close()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def element_to_object(element: ET.Element) -> Any:
    """An element as plain data: attributes as "@name", repeated children as lists, text as
    the value of a bare leaf (or "#text" beside attributes and children)."""
    children = list(element)
    text = (element.text or "").strip()
    if not children and not element.attrib:
        return text
    result: dict[str, Any] = {f"@{_local(k)}": v for k, v in element.attrib.items()}
    repeated: set[str] = set()
    for child in children:
        name, value = _local(child.tag), element_to_object(child)
        if name not in result:
            result[name] = value
            continue
        if name not in repeated:
            result[name] = [result[name]]
            repeated.add(name)
        result[name].append(value)
    if text:
        result["#text"] = text
    return result


def _read_xml_items(raw: BinaryIO, options: FormatOptions) -> Iterator[Any]:
    try:
        for _event, element in SafeET.iterparse(raw, events=("end",)):
            if _local(element.tag) == options.item:
                yield element_to_object(element)
                element.clear()  # keep memory flat on large files
    except (ET.ParseError, DefusedXmlException) as exc:
        raise NodeFailure("invalid_file", f"the file is not acceptable XML: {exc}") from None


# --- writing ------------------------------------------------------------------------------


class CappedStream(io.RawIOBase):
    """A binary stream that refuses to grow past `limit` bytes (`file_too_large`)."""

    def __init__(self, target: BinaryIO, limit: int, already: int = 0) -> None:
        self.target = target
        self.limit = limit
        self.written = already

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        size = len(data)
        if self.written + size > self.limit:
            raise NodeFailure("file_too_large", f"the file would be larger than {self.limit} bytes")
        self.target.write(data)
        self.written += size
        return size


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def column_names(rows: list[Any], options: FormatOptions) -> list[str] | None:
    if options.columns:
        return list(options.columns)
    if rows and all(isinstance(r, dict) for r in rows):
        names: dict[str, None] = {}
        for row in rows:  # first-seen order (set `columns` to choose it)
            names.update(dict.fromkeys(row))
        return list(names)
    return None


def _cells(row: Any, names: list[str] | None, index: int) -> list[Any]:
    if isinstance(row, dict):
        if names is None:
            raise NodeFailure("invalid_data", f"row {index + 1} is an object, but no columns are known")
        return [row.get(name) for name in names]
    if isinstance(row, list):
        return row
    raise NodeFailure("invalid_data", f"row {index + 1} must be an object or a list")


def write_rows(out: CappedStream, rows: list[Any], options: FormatOptions, with_header: bool) -> int:
    """Writes csv or fixed-width rows (or text/json/xml values); returns the rows written."""
    if options.format == "xlsx":
        raise AssertionError("xlsx is written by write_xlsx")
    text = io.TextIOWrapper(out, encoding=options.encoding, newline="", write_through=True)
    try:
        if options.format == "csv":
            names = column_names(rows, options)
            writer = csv.writer(text, delimiter=options.delimiter, quotechar=options.quotechar, lineterminator="\r\n")
            if with_header and options.header and names:
                writer.writerow(names)
            for index, row in enumerate(rows):
                writer.writerow([cell_text(v) for v in _cells(row, names, index)])
        elif options.format == "fixed":
            placed = _positions(options.layout)
            for index, row in enumerate(rows):
                text.write(_fixed_line(row, placed, index) + "\n")
        text.flush()
    except UnicodeEncodeError as exc:
        raise NodeFailure("invalid_data", f"a value cannot be written as {options.encoding}: {exc.reason}") from None
    finally:
        text.detach()
    return len(rows)


def _fixed_line(row: Any, placed: list[tuple[FixedColumn, int, int]], index: int) -> str:
    if not isinstance(row, dict):
        raise NodeFailure("invalid_data", f"row {index + 1} must be an object")
    width = max((end for _c, _b, end in placed), default=0)
    line = [" "] * width
    for column, begin, end in placed:
        value = cell_text(row.get(column.name))
        if len(value) > column.width:
            raise NodeFailure("invalid_data", f"row {index + 1}: '{column.name}' is wider than {column.width} characters")
        value = value.rjust(column.width) if column.align == "right" else value.ljust(column.width)
        line[begin:end] = value
    return "".join(line).rstrip()


def write_value(out: CappedStream, value: Any, options: FormatOptions) -> None:
    """Writes a whole text, JSON or XML value."""
    if options.format == "xml":
        _xml_tree(value, options).write(out, encoding=options.encoding, xml_declaration=True)
        return
    text = io.TextIOWrapper(out, encoding=options.encoding, newline="", write_through=True)
    try:
        if options.format == "json":
            json.dump(value, text, ensure_ascii=False, indent=2)
        else:
            text.write(cell_text(value))
        text.flush()
    except UnicodeEncodeError as exc:
        raise NodeFailure("invalid_data", f"a value cannot be written as {options.encoding}: {exc.reason}") from None
    finally:
        text.detach()


def _xml_tree(value: Any, options: FormatOptions) -> ET.ElementTree:
    if options.root is None:
        if not (isinstance(value, dict) and len(value) == 1):
            raise NodeFailure("invalid_data", "XML data must be an object with one key (the root), or set root")
        root_name, value = next(iter(value.items()))
    else:
        root_name = options.root
    root = ET.Element(_xml_name(root_name))
    if isinstance(value, list):
        if options.item is None:
            raise NodeFailure("invalid_data", "a list is written as repeated elements: set item")
        for entry in value:
            _fill(ET.SubElement(root, options.item), entry)
    else:
        _fill(root, value)
    ET.indent(root)
    return ET.ElementTree(root)


def _xml_name(name: Any) -> str:
    if not isinstance(name, str) or not XML_NAME.match(name):
        raise NodeFailure("invalid_data", f"'{name}' is not an XML element or attribute name")
    return name


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "#text":
                element.text = cell_text(inner)
            elif key.startswith("@"):
                element.set(_xml_name(key[1:]), cell_text(inner))
            else:
                for item in inner if isinstance(inner, list) else [inner]:
                    _fill(ET.SubElement(element, _xml_name(key)), item)
    elif value is not None:
        element.text = cell_text(value)


def write_xlsx(target: BinaryIO, rows: list[Any], options: FormatOptions) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(options.sheet or "Sheet1")
    names = column_names(rows, options)
    if options.header and names:
        sheet.append(names)
    for index, row in enumerate(rows):
        cells = []
        for value in _cells(row, names, index):
            if isinstance(value, (dict, list)):
                value = json.dumps(value, ensure_ascii=False)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        sheet.append(cells)
    book.save(target)
    return len(rows)


def as_rows(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise NodeFailure("invalid_data", "the data to write must be a list of rows")
    return value


def iter_limited(rows: Iterable[Any], start: int, limit: int, truncate: bool) -> list[Any]:
    """Rows from `start` (0-based), at most `limit`; more is `too_many_rows` unless truncating."""
    taken: list[Any] = []
    for index, row in enumerate(rows):
        if index < start:
            continue
        if len(taken) == limit:
            if truncate:
                break
            raise NodeFailure("too_many_rows", f"the file has more than {limit} rows (set truncate or start_row)")
        taken.append(row)
    return taken
