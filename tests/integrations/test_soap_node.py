"""The `soap` node against a small real SOAP 1.1 service (WSDL + document/literal answers)
that the test starts on a local port: calls, complex answers, faults, auth, timeouts."""

from __future__ import annotations

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.etree import ElementTree as ET

import pytest

from tests.integrations.helpers import one_node, run

SECRET = "soap-s3cret-pw"
NS = "urn:calc"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"

WSDL = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:tns="urn:calc" xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:calc" name="Calc">
  <types>
    <xsd:schema targetNamespace="urn:calc" elementFormDefault="qualified">
      <xsd:element name="Divide"><xsd:complexType><xsd:sequence>
        <xsd:element name="a" type="xsd:double"/><xsd:element name="b" type="xsd:double"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="DivideResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="result" type="xsd:double"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="Lookup"><xsd:complexType><xsd:sequence>
        <xsd:element name="id" type="xsd:int"/>
      </xsd:sequence></xsd:complexType></xsd:element>
      <xsd:element name="LookupResponse"><xsd:complexType><xsd:sequence>
        <xsd:element name="customer"><xsd:complexType><xsd:sequence>
          <xsd:element name="id" type="xsd:int"/><xsd:element name="name" type="xsd:string"/>
          <xsd:element name="tag" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence></xsd:complexType></xsd:element>
      </xsd:sequence></xsd:complexType></xsd:element>
    </xsd:schema>
  </types>
  <message name="DivideIn"><part name="parameters" element="tns:Divide"/></message>
  <message name="DivideOut"><part name="parameters" element="tns:DivideResponse"/></message>
  <message name="LookupIn"><part name="parameters" element="tns:Lookup"/></message>
  <message name="LookupOut"><part name="parameters" element="tns:LookupResponse"/></message>
  <portType name="CalcPortType">
    <operation name="Divide"><input message="tns:DivideIn"/><output message="tns:DivideOut"/></operation>
    <operation name="Lookup"><input message="tns:LookupIn"/><output message="tns:LookupOut"/></operation>
  </portType>
  <binding name="CalcBinding" type="tns:CalcPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Divide"><soap:operation soapAction="urn:calc#Divide"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
    <operation name="Lookup"><soap:operation soapAction="urn:calc#Lookup"/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
  </binding>
  <service name="CalcService">
    <port name="CalcPort" binding="tns:CalcBinding"><soap:address location="__ADDRESS__"/></port>
  </service>
</definitions>
"""


def _envelope(body: str) -> bytes:
    return f'<?xml version="1.0"?><s:Envelope xmlns:s="{ENV}"><s:Body>{body}</s:Body></s:Envelope>'.encode()


class CalcService(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, kind: str = "text/xml; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        address = f"http://127.0.0.1:{self.server.server_address[1]}/soap"
        self._send(200, WSDL.replace("__ADDRESS__", address).encode())

    def do_POST(self) -> None:
        expected = "Basic " + base64.b64encode(f"app:{SECRET}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            self._send(401, b"unauthorised", "text/plain")
            return
        request = ET.fromstring(self.rfile.read(int(self.headers["Content-Length"])))
        operation = request.find(f"{{{ENV}}}Body")[0]
        name = operation.tag.split("}")[1]
        value = {child.tag.split("}")[1]: child.text for child in operation}
        if name == "Divide":
            a, b = float(value["a"]), float(value["b"])
            if a == 999:
                time.sleep(2)
            if b == 0:
                self._send(500, _envelope("<s:Fault><faultcode>s:Client</faultcode>"
                                          "<faultstring>division by zero</faultstring></s:Fault>"))
                return
            self._send(200, _envelope(f'<DivideResponse xmlns="{NS}"><result>{a / b}</result></DivideResponse>'))
        else:
            self._send(200, _envelope(
                f'<LookupResponse xmlns="{NS}"><customer><id>{value["id"]}</id><name>Ada &amp; Co</name>'
                "<tag>gold</tag><tag>eu</tag></customer></LookupResponse>"))


@pytest.fixture(scope="module")
def service():
    server = ThreadingHTTPServer(("127.0.0.1", 0), CalcService)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/calc?wsdl"
    server.shutdown()
    server.server_close()


def soap_connection(wsdl: str, password: str = SECRET):
    return {"calc": {"kind": "soap", "config": {"wsdl": wsdl, "auth": "basic", "username": "app"},
                     "secrets": {"password": password}}}


def call(operation: str, args: dict[str, str], **config):
    return one_node("s", {"type": "soap", "config": {
        "connection": "calc", "operation": operation, "args": args, "result": "result", **config}},
        params=["a", "b", "id"])


def test_an_operation_is_called_with_mapped_arguments(service):
    outcome = run(call("Divide", {"a": "a", "b": "b"}), {"a": 7, "b": 2}, soap_connection(service))
    assert outcome.status == "succeeded", outcome.error
    assert outcome.output["result"] == 3.5


def test_a_complex_answer_becomes_plain_data(service):
    outcome = run(call("Lookup", {"id": "id"}), {"id": 12}, soap_connection(service))
    assert outcome.output["result"] == {"id": 12, "name": "Ada & Co", "tag": ["gold", "eu"]}


def test_a_fault_is_a_routable_node_error(service):
    flow = call("Divide", {"a": "a", "b": "b"})
    flow["nodes"].append({"id": "handled", "type": "end", "config": {"output": {"caught": "error.code",
                                                                              "message": "error.message"}}})
    flow["edges"].append({"from": "n", "to": "handled", "when": "error"})
    outcome = run(flow, {"a": 1, "b": 0}, soap_connection(service))
    assert outcome.status == "succeeded"
    assert outcome.output == {"caught": "soap_fault", "message": "division by zero (s:Client)"}


def test_wrong_credentials_fail_without_showing_the_password(service):
    wrong = "wrong-pass-456"
    outcome = run(call("Divide", {"a": "a", "b": "b"}), {"a": 1, "b": 1}, soap_connection(service, wrong))
    assert outcome.error["code"] == "soap_error" and "401" in outcome.error["message"], outcome.error
    assert wrong not in str(outcome.error) and wrong not in str(outcome.steps)


def test_an_unknown_operation_and_a_slow_answer_are_node_errors(service):
    unknown = run(call("Multiply", {}), {}, soap_connection(service))
    assert unknown.error["code"] == "soap_error" and "Multiply" in unknown.error["message"]
    slow = run(call("Divide", {"a": "a", "b": "b"}, timeout_s=0.3), {"a": 999, "b": 1}, soap_connection(service))
    assert slow.error["code"] == "timeout"


def test_an_unreachable_wsdl_is_a_node_error():
    outcome = run(call("Divide", {}), {}, soap_connection("http://127.0.0.1:9/nothing?wsdl"))
    assert outcome.error["code"] == "soap_error"
