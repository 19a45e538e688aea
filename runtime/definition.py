"""The microflow definition: its pydantic shape, the save-time rules, and compilation.

`compile_flow(data)` is the one way from a stored definition to something the engine
runs: it checks the shape, every node's config and expressions, the wiring rules of the
contract, and returns a `CompiledFlow` (or raises `InvalidFlow` with every problem found,
each as {"node", "field", "message"}).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticError

from runtime.expressions import Expression
from runtime.nodes import registry
from runtime.nodes.base import Executor, ExpressionCompiler
from runtime.nodes.decision import DecisionExecutor

MAX_NODES = 2000
ParamType = Literal["string", "number", "integer", "boolean", "object", "array", "any"]
READ_ONLY_KEYS = {"version", "created_at", "updated_at", "created_by", "versions", "last_run"}


class Param(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    type: ParamType = "any"
    required: bool = False
    default: Any = None
    title: str | None = None
    description: str | None = None
    # A business object (runtime.business_objects): the input is checked against its fields.
    object: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")] | None = None
    object_version: int | None = Field(default=None, ge=1)


class NodeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")]
    type: str
    title: str | None = Field(default=None, max_length=200)
    config: dict[str, Any] = Field(default_factory=dict)
    ui: dict[str, Any] = Field(default_factory=dict)


class EdgeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    when: Literal["true", "false", "error", "otherwise"] | None = None
    condition: str | None = None
    label: str | None = Field(default=None, max_length=200)
    ui: dict[str, Any] = Field(default_factory=dict)


class DefinitionHead(BaseModel):
    """What every flow-like definition starts with (microflows and processes)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    params: list[Param] = Field(default_factory=list)


class FlowSpec(DefinitionHead):
    # Typed outputs (optional; empty = untyped): every end node's output keys must be declared
    # here, and the engine checks the values at the end of a run like params check the input.
    outputs: list[Param] = Field(default_factory=list)
    # How many times an async run is queued again when the worker running it dies (0: it
    # fails with `worker_lost`). Only for flows that are safe to run again from the start.
    retry_on_worker_loss: int = Field(default=0, ge=0, le=5)
    nodes: list[NodeSpec] = Field(max_length=MAX_NODES)
    edges: list[EdgeSpec] = Field(default_factory=list)


SpecT = TypeVar("SpecT", bound=BaseModel)


class InvalidFlow(Exception):
    def __init__(self, details: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(d["message"] for d in details))
        self.details = details


@dataclass(slots=True)
class CompiledNode:
    id: str
    type: str
    executor: Executor
    next: str | None = None
    branches: dict[str, str] = field(default_factory=dict)
    conditions: list[tuple[Expression, str]] = field(default_factory=list)
    otherwise: str | None = None
    on_error: str | None = None


@dataclass(slots=True)
class CompiledFlow:
    name: str
    version: int
    params: list[Param]
    start: str
    nodes: dict[str, CompiledNode]
    spec: FlowSpec
    outputs: list[Param] = field(default_factory=list)


def _detail(node: str | None, field_name: str | None, message: str, **extra: Any) -> dict[str, Any]:
    return {"node": node, "field": field_name, "message": message, **extra}


def _shape_details(exc: PydanticError, data: Any) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        node_id = None
        if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int):
            try:
                node_id = data["nodes"][loc[1]].get("id")
            except (KeyError, IndexError, TypeError, AttributeError):
                node_id = None
            loc = loc[2:]
        where = ".".join(str(p) for p in loc) or None
        details.append(_detail(node_id, where, err.get("msg", "invalid")))
    return details


def parse_definition(data: Any, spec_class: type[SpecT], error_class: type[InvalidFlow],
                     read_only: set[str]) -> SpecT:
    """Checks a definition's shape (microflows and processes): read-only keys dropped, every
    shape problem reported as {"node", "field", "message"} in `error_class`."""
    if not isinstance(data, dict):
        raise error_class([_detail(None, None, "a definition must be a JSON object")])
    cleaned = {k: v for k, v in data.items() if k not in read_only}
    try:
        return spec_class.model_validate(cleaned)
    except PydanticError as exc:
        raise error_class(_shape_details(exc, data)) from None


def parse_spec(data: Any) -> FlowSpec:
    return parse_definition(data, FlowSpec, InvalidFlow, READ_ONLY_KEYS)


def compile_flow(data: Any, version: int = 0) -> CompiledFlow:
    spec = parse_spec(data)
    details: list[dict[str, Any]] = []
    types = registry()

    for section, items in (("params", spec.params), ("outputs", spec.outputs)):
        seen_names: set[str] = set()
        for param in items:
            if param.name in seen_names:
                details.append(_detail(None, f"{section}.{param.name}", f"{section[:-1]} names must be unique"))
            seen_names.add(param.name)
            if param.object is not None and param.type not in ("object", "array"):
                details.append(_detail(None, f"{section}.{param.name}",
                                       f"a {section[:-1]} with a business object is of type object "
                                       "(or array, for a list)"))
    declared = {output.name for output in spec.outputs}

    nodes: dict[str, CompiledNode] = {}
    starts = []
    for node in spec.nodes:
        if node.id in nodes:
            details.append(_detail(node.id, "id", f"node id '{node.id}' is used twice"))
            continue
        node_type = types.get(node.type)
        if node_type is None:
            details.append(_detail(node.id, "type", f"unknown node type '{node.type}'"))
            continue
        if node.type == "start":
            starts.append(node.id)
        try:
            config = node_type.config.model_validate(node.config)
        except PydanticError as exc:
            for err in exc.errors():
                where = ".".join(str(p) for p in err.get("loc", ())) or None
                details.append(_detail(node.id, where, err.get("msg", "invalid")))
            continue
        compiler = ExpressionCompiler()
        executor = node_type.executor(config, compiler)
        for problem in compiler.errors:
            details.append({"node": node.id, **problem})
        nodes[node.id] = CompiledNode(id=node.id, type=node.type, executor=executor)
        if declared and node.type == "end":
            for key in getattr(config, "output", None) or {}:
                if key not in declared:
                    details.append(_detail(node.id, f"output.{key}", f"'{key}' is not a declared output of this microflow"))

    if not starts:
        details.append(_detail(None, None, "a flow needs exactly one start node; it has none"))
    elif len(starts) > 1:
        for extra in starts[1:]:
            details.append(_detail(extra, None, "a flow needs exactly one start node; this is another"))

    known_ids = {node.id for node in spec.nodes}
    _wire(spec, nodes, known_ids, details)
    if details:
        raise InvalidFlow(details)
    return CompiledFlow(spec.name, version, spec.params, starts[0], nodes, spec, spec.outputs)


def _wire(spec: FlowSpec, nodes: dict[str, CompiledNode], known: set[str], details: list) -> None:
    types = registry()
    defaults: dict[str, list[str]] = {}
    for where, edge in edges_between_known_nodes(spec.edges, known, details):
        source = nodes.get(edge.from_)
        if source is None:
            continue  # the node itself already has a problem reported
        if nodes.get(edge.to) is not None and nodes[edge.to].type == "start":
            details.append(_detail(edge.to, where, "no edge may lead into the start node"))
        is_decision = isinstance(source.executor, DecisionExecutor)
        gateway = is_decision and source.executor.uses_edge_conditions
        if route_edge(source, edge, where, details, is_decision=is_decision, gateway=gateway,
                      can_fail=source.type != "start"):
            defaults.setdefault(source.id, []).append(edge.to)

    for node_id, targets in defaults.items():
        node = nodes[node_id]
        if types[node.type].terminal:
            details.append(_detail(node_id, None, f"a '{node.type}' node ends the flow; it has no outgoing edge"))
        elif len(targets) > 1:
            details.append(_detail(node_id, None, "a node has at most one outgoing edge (use a decision to branch)"))
        else:
            node.next = targets[0]

    for node in _reachable(spec, nodes):
        node_type = types[node.type]
        if isinstance(node.executor, DecisionExecutor):
            if node.executor.uses_edge_conditions:
                if not node.conditions:
                    details.append(_detail(node.id, "condition", "a decision needs a condition, or edges with conditions"))
            else:
                missing = [b for b in ("true", "false") if b not in node.branches]
                if missing:
                    details.append(_detail(node.id, None, f"a decision needs both branches; '{missing[0]}' is missing"))
        elif not node_type.terminal and node.next is None:
            details.append(_detail(node.id, None, "this node has no outgoing edge; connect it or end with an end node"))


def edges_between_known_nodes(edges: list[EdgeSpec], known: set[str],
                              details: list) -> Iterator[tuple[str, EdgeSpec]]:
    """(where, edge) for each edge whose two ends exist; the others are reported."""
    for index, edge in enumerate(edges):
        where = f"edges.{index}"
        if edge.from_ not in known:
            details.append(_detail(None, where, f"edge from missing node '{edge.from_}'"))
        elif edge.to not in known:
            details.append(_detail(edge.from_, where, f"edge to missing node '{edge.to}'"))
        else:
            yield where, edge


def route_edge(source, edge: EdgeSpec, where: str, details: list, *, is_decision: bool,
               gateway: bool, can_fail: bool) -> bool:
    """Files one edge on its source node (microflows and processes share these rules):
    `error`, `true`/`false`, `otherwise` and conditional edges set the node's routes;
    True means a plain edge, which the caller records as it needs. The source needs the
    attributes `id`, `type`, `branches`, `conditions`, `otherwise` and `on_error`."""
    if edge.when == "error":
        if not can_fail:
            details.append(_detail(source.id, where, f"a '{source.type}' node cannot fail, so it has no error edge"))
        elif source.on_error is not None:
            details.append(_detail(source.id, where, "a node has at most one error edge"))
        source.on_error = edge.to
    elif edge.when in ("true", "false"):
        if not is_decision or gateway:
            details.append(_detail(source.id, where, f"only a decision with a condition has a '{edge.when}' edge"))
        elif edge.when in source.branches:
            details.append(_detail(source.id, where, f"a decision has one '{edge.when}' edge"))
        else:
            source.branches[edge.when] = edge.to
    elif edge.when == "otherwise":
        if not gateway:
            details.append(_detail(source.id, where, "only a decision without a condition has an 'otherwise' edge"))
        elif source.otherwise is not None:
            details.append(_detail(source.id, where, "a decision has at most one 'otherwise' edge"))
        else:
            source.otherwise = edge.to
    elif edge.condition is not None:
        if not gateway:
            details.append(_detail(source.id, where, "only a decision without a condition has edges with conditions"))
            return False
        compiler = ExpressionCompiler()
        expression = compiler.expr(f"{where}.condition", edge.condition)
        for problem in compiler.errors:
            details.append({"node": source.id, **problem})
        if expression is not None:
            source.conditions.append((expression, edge.to))
    else:
        if is_decision:
            details.append(_detail(source.id, where, "a decision's edges need when: true/false (or conditions)"))
        return True
    return False


def _reachable(spec: FlowSpec, nodes: dict[str, CompiledNode]) -> list[CompiledNode]:
    start = next((n for n in nodes.values() if n.type == "start"), None)
    if start is None:
        return []
    targets: dict[str, list[str]] = {}
    for edge in spec.edges:
        targets.setdefault(edge.from_, []).append(edge.to)
    seen = {start.id}
    stack = [start.id]
    while stack:
        for target in targets.get(stack.pop(), []):
            if target not in seen and target in nodes:
                seen.add(target)
                stack.append(target)
    return [nodes[node_id] for node_id in seen]
