"""`file_read` / `file_write` on real files of every format, inside a storage root only."""

from __future__ import annotations

import os

import pytest
from openpyxl import Workbook, load_workbook

from runtime.definition import InvalidFlow, compile_flow
from tests.integrations.helpers import one_node, run


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    return folder


def storage(root, **config):
    return {"files": {"kind": "storage", "config": {"root": str(root), **config}}}


def read(path: str, **config):
    return one_node("r", {"type": "file_read", "config": {
        "connection": "files", "path": path, "result": "result", **config}}, params=["data", "p"])


def write(path: str, data: str = "data", **config):
    return one_node("w", {"type": "file_write", "config": {
        "connection": "files", "path": path, "data": data, "result": "result", **config}}, params=["data", "p"])


def test_csv_with_any_delimiter_and_a_header_reads_as_objects(root):
    (root / "in.csv").write_text('id;name;note\n1;Ada;"semi; colon"\n2;Bob;\n', encoding="utf-8")
    outcome = run(read("'in.csv'", delimiter=";"), {}, storage(root))
    assert outcome.status == "succeeded", outcome.error
    assert outcome.output["result"] == [{"id": "1", "name": "Ada", "note": "semi; colon"},
                                        {"id": "2", "name": "Bob", "note": ""}]


def test_csv_round_trips_through_write_and_read(root):
    rows = [{"id": 1, "name": "Ada", "tags": ["a", "b"], "ok": True}, {"id": 2, "name": "Bo\tb", "ok": None}]
    written = run(write("'out/t.tsv'", format="csv", delimiter="\t", make_dirs=True), {"data": rows}, storage(root))
    assert written.status == "succeeded", written.error
    assert written.output["result"]["rows"] == 2
    assert (root / "out/t.tsv").read_text().splitlines()[0] == "id\tname\ttags\tok"
    back = run(read("'out/t.tsv'", delimiter="\t"), {}, storage(root)).output["result"]
    assert back == [{"id": "1", "name": "Ada", "tags": '["a", "b"]', "ok": "true"},
                    {"id": "2", "name": "Bo\tb", "tags": "", "ok": ""}]


def test_csv_without_header_uses_the_given_columns(root):
    (root / "h.csv").write_text("1,x\n2,y\n")
    outcome = run(read("'h.csv'", header=False, columns=["n", "v"]), {}, storage(root))
    assert outcome.output["result"] == [{"n": "1", "v": "x"}, {"n": "2", "v": "y"}]


def test_fixed_width_reads_and_writes_with_a_column_spec(root):
    layout = [{"name": "code", "width": 4}, {"name": "name", "width": 10}, {"name": "amount", "width": 8, "align": "right"}]
    rows = [{"code": "A1", "name": "Widget", "amount": 12.5}, {"code": "B22", "name": "Gadget", "amount": 7}]
    assert run(write("'f.txt'", format="fixed", layout=layout), {"data": rows}, storage(root)).status == "succeeded"
    assert (root / "f.txt").read_text().splitlines() == ["A1  Widget        12.5", "B22 Gadget           7"]
    back = run(read("'f.txt'", format="fixed", layout=layout), {}, storage(root)).output["result"]
    assert back == [{"code": "A1", "name": "Widget", "amount": "12.5"}, {"code": "B22", "name": "Gadget", "amount": "7"}]
    too_wide = run(write("'g.txt'", format="fixed", layout=layout), {"data": [{"code": "TOOLONG"}]}, storage(root))
    assert too_wide.error["code"] == "invalid_data" and not (root / "g.txt").exists()


def test_fixed_width_columns_may_start_at_explicit_positions(root):
    (root / "p.txt").write_text("XX2024-01-31YYJohn\n")
    layout = [{"name": "date", "start": 3, "width": 10}, {"name": "who", "start": 15, "width": 10}]
    assert run(read("'p.txt'", format="fixed", layout=layout), {}, storage(root)).output["result"] == [
        {"date": "2024-01-31", "who": "John"}]


def test_xml_reads_to_objects_and_writes_back(root):
    (root / "o.xml").write_text(
        '<?xml version="1.0"?><orders region="eu"><order id="1"><item>a</item><item>b</item></order>'
        '<order id="2"><item>c</item><note>rush</note></order></orders>')
    whole = run(read("'o.xml'", format="xml"), {}, storage(root)).output["result"]
    assert whole == {"orders": {"@region": "eu", "order": [
        {"@id": "1", "item": ["a", "b"]}, {"@id": "2", "item": "c", "note": "rush"}]}}
    items = run(read("'o.xml'", format="xml", item="order"), {}, storage(root)).output["result"]
    assert [i["@id"] for i in items] == ["1", "2"]
    written = run(write("'copy.xml'", format="xml"), {"data": whole}, storage(root))
    assert written.status == "succeeded", written.error
    assert run(read("'copy.xml'", format="xml"), {}, storage(root)).output["result"] == whole


def test_xml_lists_are_written_as_repeated_items(root):
    data = [{"@sku": "1", "name": "A & B"}, {"@sku": "2", "name": "<C>"}]
    assert run(write("'l.xml'", format="xml", root="products", item="product"), {"data": data},
               storage(root)).status == "succeeded"
    back = run(read("'l.xml'", format="xml", item="product"), {}, storage(root)).output["result"]
    assert back == data


def test_xml_with_entity_expansion_is_refused(root):
    (root / "bomb.xml").write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        "<lolz>&lol2;</lolz>")
    outcome = run(read("'bomb.xml'", format="xml"), {}, storage(root))
    assert outcome.error["code"] == "invalid_file"


def test_xlsx_reads_and_writes_without_letting_data_become_formulas(root):
    book = Workbook()
    sheet = book.active
    sheet.title = "Orders"
    sheet.append(["id", "customer", "total"])
    sheet.append([1, "Ada", 10.5])
    sheet.append([None, None, None])
    sheet.append([2, "Bob", 3])
    book.save(root / "in.xlsx")
    rows = run(read("'in.xlsx'", format="xlsx", sheet="Orders"), {}, storage(root)).output["result"]
    assert rows == [{"id": 1, "customer": "Ada", "total": 10.5}, {"id": 2, "customer": "Bob", "total": 3}]
    data = [*rows, {"id": 3, "customer": "=HYPERLINK(\"http://evil\")", "total": 0}]
    written = run(write("'out.xlsx'", format="xlsx", sheet="Report"), {"data": data}, storage(root))
    assert written.status == "succeeded", written.error
    cells = [c for row in load_workbook(root / "out.xlsx")["Report"].iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith("=")]
    assert len(cells) == 1 and cells[0].data_type == "s"  # text, not a formula
    assert run(read("'out.xlsx'", format="xlsx"), {}, storage(root)).output["result"][2]["customer"] == data[2]["customer"]


def test_text_and_json_files(root):
    assert run(write("'n.json'", format="json"), {"data": {"a": [1, 2]}}, storage(root)).status == "succeeded"
    assert run(read("'n.json'", format="json"), {}, storage(root)).output["result"] == {"a": [1, 2]}
    run(write("'log.txt'", format="text", mode="append"), {"data": "one\n"}, storage(root))
    run(write("'log.txt'", format="text", mode="append"), {"data": "two\n"}, storage(root))
    assert run(read("'log.txt'", format="text"), {}, storage(root)).output["result"] == "one\ntwo\n"


@pytest.mark.parametrize("path", ["'../secret.txt'", "'/etc/passwd'", "'a/../../secret.txt'", "'link/secret.txt'",
                                  "''", "'C:\\\\windows'", "'.'"])
def test_paths_that_escape_the_root_are_refused(root, path):
    (root.parent / "secret.txt").write_text("do not read")
    (root / "link").symlink_to(root.parent)
    for flow in (read(path, format="text"), write(path, format="text")):
        outcome = run(flow, {"data": "overwrite!"}, storage(root))
        assert outcome.error["code"] == "path_refused", outcome.error
    assert (root.parent / "secret.txt").read_text() == "do not read"


def test_files_over_the_size_limit_are_refused_both_ways(root):
    (root / "big.csv").write_text("a\n" + "1\n" * 1000)
    assert run(read("'big.csv'"), {}, storage(root, max_bytes=100)).error["code"] == "file_too_large"
    rows = [{"a": "x" * 50}] * 10
    outcome = run(write("'w.csv'"), {"data": rows}, storage(root, max_bytes=200))
    assert outcome.error["code"] == "file_too_large"
    assert not (root / "w.csv").exists() and not [p for p in os.listdir(root) if p.startswith(".oneweb-")]


def test_large_files_stream_in_pages(root):
    with (root / "many.csv").open("w") as out:
        out.write("n\n")
        for n in range(50_000):
            out.write(f"{n}\n")
    too_many = run(read("'many.csv'", max_rows=1000), {}, storage(root))
    assert too_many.error["code"] == "too_many_rows"
    page = run(read("'many.csv'", start_row=30_000, max_rows=3, truncate=True), {}, storage(root))
    assert page.output["result"] == [{"n": "30000"}, {"n": "30001"}, {"n": "30002"}]


def test_create_refuses_to_replace_and_a_failed_write_keeps_the_old_file(root):
    (root / "keep.csv").write_text("a\n1\n")
    assert run(write("'keep.csv'", mode="create"), {"data": [{"a": 2}]}, storage(root)).error["code"] == "file_exists"
    bad = run(write("'keep.csv'"), {"data": [{"a": 1}, "not a row"]}, storage(root))
    assert bad.error["code"] == "invalid_data" and (root / "keep.csv").read_text() == "a\n1\n"


def test_a_missing_file_is_a_node_error(root):
    assert run(read("'nope.csv'"), {}, storage(root)).error["code"] == "file_not_found"


def test_format_options_are_checked_at_save_time():
    with pytest.raises(InvalidFlow) as caught:
        compile_flow(read("'x'", format="fixed"))
    assert caught.value.details[0]["field"] == "layout"
    with pytest.raises(InvalidFlow):
        compile_flow(write("'x'", format="xlsx", mode="append"))
    with pytest.raises(InvalidFlow):
        compile_flow(read("'x'", delimiter=";;"))
