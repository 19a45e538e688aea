"""`soap`: calls an operation of a SOAP service (zeep) described by a `soap` connection.

The connection holds the WSDL address, optional service and port names and the
credentials (HTTP basic or WS-Security UsernameToken; the password in its secrets).
Arguments are mapped expressions; the answer becomes plain data in `result`. A SOAP
fault is the node error `soap_fault` (routable by an `error` edge), a call past
`timeout_s` is `timeout`, anything else on the wire `soap_error`. Parsed WSDL clients
are kept per thread and connection revision (zeep clients share a requests session,
which is not meant to be shared between threads).
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from pydantic import Field

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

WSDL_TIMEOUT_S = 30


class SoapConfig(NodeConfig):
    connection: ConnectionName
    operation: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$", description="the operation's name")
    args: ExpressionMap
    result: VariableName | None = None
    timeout_s: float = Field(default=30, gt=0, le=600)


_local = threading.local()


@cache
def _transport_class():
    from zeep.exceptions import TransportError
    from zeep.transports import Transport

    class CheckedTransport(Transport):
        """Turns an HTTP error answer that is not a SOAP envelope (401, 404, a proxy's page)
        into a TransportError, instead of letting zeep try to parse it as XML."""

        def post_xml(self, address, envelope, headers):
            response = super().post_xml(address, envelope, headers)
            if response.status_code >= 400 and "xml" not in response.headers.get("Content-Type", ""):
                raise TransportError(f"HTTP {response.status_code}", status_code=response.status_code)
            return response

    return CheckedTransport


def _client(connection: Connection):
    import requests
    from zeep import Client, Settings

    clients: dict = getattr(_local, "clients", None) or {}
    _local.clients = clients
    key = (connection.name, connection.revision, str(connection.config.get("wsdl")))
    client = clients.get(key)
    if client is not None:
        return client
    config = connection.config
    session = requests.Session()
    wsse = None
    username, password = config.get("username"), connection.secrets.get("password", "")
    if username and config.get("auth", "basic") == "basic":
        session.auth = (username, password)
    elif username and config.get("auth") == "wsse":
        from zeep.wsse.username import UsernameToken

        wsse = UsernameToken(username, password)
    transport = _transport_class()(session=session, timeout=WSDL_TIMEOUT_S)
    client = Client(str(config.get("wsdl")), transport=transport, wsse=wsse,
                    settings=Settings(strict=False, xml_huge_tree=False))
    for old in [k for k in clients if k[0] == connection.name]:
        del clients[old]
    clients[key] = client
    return client


class SoapExecutor(Executor):
    def __init__(self, config: SoapConfig, compiler: ExpressionCompiler) -> None:
        self.config = config
        self.args = compiler.exprs("args", config.args)

    def run(self, ctx) -> None:
        connection = resolve(self.config.connection, "soap")
        args = evaluate_map(self.args, ctx, "args")
        answer = self._call(connection, args)
        if self.config.result:
            ctx.set(self.config.result, answer)
        return None

    def _call(self, connection: Connection, args: dict[str, Any]) -> Any:
        import requests
        from zeep.exceptions import Error as ZeepError
        from zeep.exceptions import Fault, TransportError
        from zeep.helpers import serialize_object

        operation = self.config.operation
        try:
            client = _client(connection)
            service = client.service
            if connection.config.get("service") or connection.config.get("port"):
                service = client.bind(connection.config.get("service"), connection.config.get("port"))
            try:
                method = service[operation]
            except (AttributeError, KeyError, ValueError):
                raise NodeFailure("soap_error", f"the service has no operation '{operation}'") from None
            client.transport.operation_timeout = self.config.timeout_s
            answer = method(**args)
        except NodeFailure:
            raise
        except Fault as fault:
            code = f" ({fault.code})" if fault.code else ""
            raise NodeFailure("soap_fault", connection.redact(f"{fault.message}{code}")) from None
        except requests.Timeout:
            raise NodeFailure("timeout", f"{operation} took longer than {self.config.timeout_s} s") from None
        except TransportError as exc:
            raise NodeFailure("soap_error", connection.redact(f"{operation}: HTTP {exc.status_code}")) from None
        except (ZeepError, requests.RequestException, TypeError, ValueError, OSError) as exc:
            raise NodeFailure("soap_error", connection.redact(f"{operation}: {type(exc).__name__}: {exc}")) from None
        except Exception as exc:  # zeep may fail in many ways on a strange answer; never internal_error
            raise NodeFailure("soap_error", connection.redact(f"{operation}: unexpected answer ({type(exc).__name__})")) from None
        return plain(serialize_object(answer, target_cls=dict))


NODE_TYPE = NodeType(
    type="soap", label="SOAP call", category="integration", icon="🧼", color="#0369a1",
    help="Calls an operation of a SOAP web service (WSDL and credentials from a soap connection) with "
    "mapped arguments. The answer goes to the result variable; a SOAP fault is the node error soap_fault.",
    config=SoapConfig, executor=SoapExecutor,
    example={"connection": "billing", "operation": "GetInvoice", "args": {"invoiceId": "id"},
             "result": "invoice"},
)
