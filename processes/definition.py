"""Process definitions: their shape, the save-time rules, and compilation to a walkable graph.

`compile_process(data)` checks the shape (the same flat nodes + edges format as microflows),
every node's config and expressions, and the process rules: exactly one start, a user task
has someone to do it and outcomes, a decision has both branches, microflows exist, every
node is reachable, every join is fed by a parallel fork. It returns a `CompiledProcess` or
raises `InvalidProcess` with every problem as {"node", "field", "message"}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticError

from processes.durations import InvalidDuration, parse_duration
from runtime.definition import (
    DefinitionHead,
    EdgeSpec,
    InvalidFlow,
    Param,
    edges_between_known_nodes,
    parse_definition,
    route_edge,
)
from runtime.definition import NodeSpec as FlowNodeSpec
from runtime.expressions import Expression
from runtime.nodes.base import ExpressionCompiler

MAX_NODES = 500
READ_ONLY_KEYS = {"version", "created_at", "updated_at", "created_by", "versions"}
VarName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EmptyConfig(Config):
    pass


class EscalateTo(Config):
    group: str | None = None
    assignee: str | None = None


class FormField(Config):
    name: VarName
    label: str = ""
    type: Literal["string", "text", "number", "integer", "boolean", "date"] = "string"
    required: bool = False


class UserTaskConfig(Config):
    title: str | None = None
    description: str | None = None
    assignee: str | None = None
    group: str | None = None
    outcomes: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]] = Field(default_factory=list)
    due_in: str | None = None
    remind_in: str | None = None
    escalate_to: EscalateTo | None = None
    form: list[FormField] = Field(default_factory=list)
    show: list[VarName] | None = None


class DecisionConfig(Config):
    condition: str | None = None


class MicroflowConfig(Config):
    microflow: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
    input: dict[str, str] = Field(default_factory=dict)
    result: VarName | None = None


class TimerConfig(Config):
    duration: str | None = None
    until: str | None = None


class EndConfig(Config):
    pass


NODE_CONFIGS: dict[str, type[Config]] = {
    "start": EmptyConfig, "end": EndConfig, "user_task": UserTaskConfig, "decision": DecisionConfig,
    "microflow": MicroflowConfig, "timer": TimerConfig, "parallel": EmptyConfig, "join": EmptyConfig,
}


NODE_HELP: dict[str, tuple[str, str]] = {
    "start": ("Start", "Where every instance begins; exactly one per process."),
    "end": ("End", "Finishes its branch; the instance completes when no branch is left."),
    "user_task": ("User task", "A human task in an inbox: for an assignee (username expression) or a group, "
                  "with outcomes, an optional due date (due_in) and escalation (escalate_to)."),
    "decision": ("Decision", "Leaves by true/false on a condition, or by the first edge whose condition holds."),
    "microflow": ("Microflow", "Runs a microflow asynchronously on the workers; its output goes to `result`."),
    "timer": ("Timer", "Waits for an ISO 8601 duration or until the time an expression gives."),
    "parallel": ("Parallel fork", "Follows every outgoing edge at once."),
    "join": ("Join", "Waits until every incoming branch has arrived."),
}


NODE_LOOK: dict[str, tuple[str, str, str]] = {  # icon, colour, category
    "start": ("▶", "#16a34a", "flow"), "end": ("■", "#475569", "flow"), "user_task": ("👤", "#2563eb", "people"),
    "decision": ("◇", "#d97706", "flow"), "microflow": ("⚙", "#7c3aed", "system"), "timer": ("⏱", "#0891b2", "time"),
    "parallel": ("⫴", "#db2777", "flow"), "join": ("⋈", "#db2777", "flow"),
}
ERROR_PORT = {"user_task", "decision", "microflow", "timer"}


def node_types() -> list[dict[str, Any]]:
    """The process palette (same shape as the microflow registry, so the canvas adapter
    takes it as is): type, label, help, ports, icon, colour, config JSON Schema."""
    return [{"type": kind, "label": NODE_HELP[kind][0], "help": NODE_HELP[kind][1],
             "category": NODE_LOOK[kind][2], "icon": NODE_LOOK[kind][0], "color": NODE_LOOK[kind][1],
             "ports": [] if kind == "end" else (["true", "false"] if kind == "decision" else ["out"]),
             "error_port": kind in ERROR_PORT, "terminal": kind == "end", "example": {},
             "config_schema": config.model_json_schema()}
            for kind, config in NODE_CONFIGS.items()]


class NodeSpec(FlowNodeSpec):
    """A process node: its id must also be a variable name (a task's result is `<id>`)."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")]


class ProcessSpec(DefinitionHead):
    nodes: list[NodeSpec] = Field(max_length=MAX_NODES)
    edges: list[EdgeSpec] = Field(default_factory=list)


class InvalidProcess(InvalidFlow):
    """A process definition that does not validate (details as for microflows)."""


@dataclass(slots=True)
class PNode:
    id: str
    type: str
    config: Any
    title: str
    exprs: dict[str, Expression] = field(default_factory=dict)
    targets: list[str] = field(default_factory=list)  # plain edges (a parallel has several)
    branches: dict[str, str] = field(default_factory=dict)
    conditions: list[tuple[Expression, str]] = field(default_factory=list)
    otherwise: str | None = None
    on_error: str | None = None
    incoming: int = 0

    @property
    def next(self) -> str | None:
        return self.targets[0] if self.targets else None


@dataclass(slots=True)
class CompiledProcess:
    name: str
    version: int
    title: str
    params: list[Param]
    start: str
    nodes: dict[str, PNode]
    spec: ProcessSpec

    def stored(self) -> dict[str, Any]:
        return self.spec.model_dump(by_alias=True, exclude_none=True)


def _d(node: str | None, field_name: str | None, message: str) -> dict[str, Any]:
    return {"node": node, "field": field_name, "message": message}


def parse_spec(data: Any) -> ProcessSpec:
    return parse_definition(data, ProcessSpec, InvalidProcess, READ_ONLY_KEYS)


def _compile_node(node: NodeSpec, config: Any, details: list, microflow_exists) -> PNode:
    compiler = ExpressionCompiler()
    exprs: dict[str, Expression] = {}

    def expr(key: str, source: str | None, field_name: str | None = None) -> None:
        if source is not None:
            compiled = compiler.expr(field_name or key, source)
            if compiled is not None:
                exprs[key] = compiled

    def duration(field_name: str, text: str | None) -> None:
        if text is not None:
            try:
                if parse_duration(text).total_seconds() <= 0:
                    compiler.fail(field_name, "the duration must be longer than zero")
            except InvalidDuration as exc:
                compiler.fail(field_name, str(exc))

    if node.type == "user_task":
        expr("title", config.title)
        expr("description", config.description)
        if config.assignee is None and config.group is None:
            compiler.fail("assignee", "a user task needs someone to do it: an assignee or a group")
        elif config.assignee is not None and config.group is not None:
            compiler.fail("group", "a user task has either an assignee or a group, not both")
        expr("assignee", config.assignee)
        if config.group is not None and not config.group.strip():
            compiler.fail("group", "the group name is empty")
        if not config.outcomes:
            compiler.fail("outcomes", "a user task needs at least one outcome, e.g. [\"approve\", \"reject\"]")
        elif len(set(config.outcomes)) != len(config.outcomes):
            compiler.fail("outcomes", "outcomes must be unique")
        duration("due_in", config.due_in)
        duration("remind_in", config.remind_in)
        if config.escalate_to is not None:
            target = config.escalate_to
            if (target.group is None) == (target.assignee is None):
                compiler.fail("escalate_to", "escalate_to needs exactly one of group or assignee")
            expr("escalate_assignee", target.assignee, "escalate_to.assignee")
            if config.due_in is None:
                compiler.fail("escalate_to", "escalation happens when the task is overdue: set due_in too")
        names = [f.name for f in config.form]
        if len(set(names)) != len(names):
            compiler.fail("form", "form field names must be unique")
    elif node.type == "decision":
        expr("condition", config.condition)
    elif node.type == "microflow":
        for key, source in config.input.items():
            expr(f"input.{key}", source)
        if not microflow_exists(config.microflow):
            compiler.fail("microflow", f"there is no microflow named '{config.microflow}'")
    elif node.type == "timer":
        if (config.duration is None) == (config.until is None):
            compiler.fail("duration", "a timer needs exactly one of duration (ISO 8601) or until (expression)")
        duration("duration", config.duration)
        expr("until", config.until)
    for problem in compiler.errors:
        details.append({"node": node.id, **problem})
    return PNode(id=node.id, type=node.type, config=config, title=node.title or node.id, exprs=exprs)


def compile_process(data: Any, version: int = 0, microflow_exists=None) -> CompiledProcess:
    """Validate and compile; `microflow_exists(name)` checks microflow nodes (default: the runtime catalog)."""
    if microflow_exists is None:
        microflow_exists = _catalog_has
    spec = parse_spec(data)
    details: list[dict[str, Any]] = []
    seen_params: set[str] = set()
    for param in spec.params:
        if param.name in seen_params:
            details.append(_d(None, f"params.{param.name}", "param names must be unique"))
        seen_params.add(param.name)

    nodes: dict[str, PNode] = {}
    starts: list[str] = []
    for node in spec.nodes:
        if node.id in nodes:
            details.append(_d(node.id, "id", f"node id '{node.id}' is used twice"))
            continue
        config_type = NODE_CONFIGS.get(node.type)
        if config_type is None:
            details.append(_d(node.id, "type", f"unknown node type '{node.type}'; process nodes are "
                              + ", ".join(NODE_CONFIGS)))
            continue
        if node.id in seen_params:
            details.append(_d(node.id, "id", "a node id may not be the same as a param name"))
        if node.type == "start":
            starts.append(node.id)
        try:
            config = config_type.model_validate(node.config)
        except PydanticError as exc:
            for err in exc.errors():
                details.append(_d(node.id, ".".join(str(p) for p in err.get("loc", ())) or None, err.get("msg", "invalid")))
            continue
        nodes[node.id] = _compile_node(node, config, details, microflow_exists)

    if not starts:
        details.append(_d(None, None, "a process needs exactly one start node; it has none"))
    for extra in starts[1:]:
        details.append(_d(extra, None, "a process needs exactly one start node; this is another"))
    known = {node.id for node in spec.nodes}
    _wire(spec, nodes, known, details)
    if not details and starts:
        _check_graph(nodes, starts[0], details)
    if details:
        raise InvalidProcess(details)
    return CompiledProcess(spec.name, version, spec.title, spec.params, starts[0], nodes, spec)


def _catalog_has(name: str) -> bool:
    from runtime import catalog

    try:
        catalog.latest(name)
    except LookupError:
        return False
    except Exception:  # a stored microflow that no longer compiles still exists
        return True
    return True


def _wire(spec: ProcessSpec, nodes: dict[str, PNode], known: set[str], details: list) -> None:
    for where, edge in edges_between_known_nodes(spec.edges, known, details):
        source, target = nodes.get(edge.from_), nodes.get(edge.to)
        if source is None or target is None:
            continue
        if target.type == "start":
            details.append(_d(edge.to, where, "no edge may lead into the start node"))
        target.incoming += 1
        gateway = source.type == "decision" and "condition" not in source.exprs and source.config.condition is None
        if route_edge(source, edge, where, details, is_decision=source.type == "decision", gateway=gateway,
                      can_fail=source.type in ("microflow", "user_task", "timer", "decision")):
            source.targets.append(edge.to)

    for node in nodes.values():
        if node.type == "end":
            if node.targets:
                details.append(_d(node.id, None, "an end node finishes its branch; it has no outgoing edge"))
        elif node.type == "decision":
            if node.config.condition is None:
                if not node.conditions:
                    details.append(_d(node.id, "condition", "a decision needs a condition, or edges with conditions"))
            else:
                missing = [b for b in ("true", "false") if b not in node.branches]
                if missing:
                    details.append(_d(node.id, None, f"a decision needs both branches; '{missing[0]}' is missing"))
        elif node.type == "parallel":
            if len(node.targets) < 2:
                details.append(_d(node.id, None, "a parallel fork needs at least two outgoing edges"))
        elif not node.targets:
            details.append(_d(node.id, None, "this node has no outgoing edge; connect it or end with an end node"))
        elif len(node.targets) > 1:
            details.append(_d(node.id, None, "a node has at most one outgoing edge (use a parallel fork or a decision)"))
        if node.type == "join" and node.incoming < 2:
            details.append(_d(node.id, None, "a join waits for several branches; it needs at least two incoming edges"))


def successors(node: PNode) -> list[str]:
    out = list(node.targets) + list(node.branches.values()) + [t for _, t in node.conditions]
    for extra in (node.otherwise, node.on_error):
        if extra:
            out.append(extra)
    return out


def _check_graph(nodes: dict[str, PNode], start: str, details: list) -> None:
    seen = {start}
    stack = [start]
    while stack:
        for target in successors(nodes[stack.pop()]):
            if target not in seen:
                seen.add(target)
                stack.append(target)
    for node_id in nodes:
        if node_id not in seen:
            details.append(_d(node_id, None, "this node cannot be reached from the start node"))
    # A join must be fed by a parallel fork: some parallel must reach it.
    forks = [n for n in nodes.values() if n.type == "parallel"]
    for join in (n for n in nodes.values() if n.type == "join"):
        fed = False
        for fork in forks:
            reach, stack = set(), list(successors(fork))
            while stack and not fed:
                current = stack.pop()
                if current == join.id:
                    fed = True
                elif current not in reach:
                    reach.add(current)
                    stack.extend(successors(nodes[current]))
        if not fed:
            details.append(_d(join.id, None, "this join has no matching parallel fork before it"))
