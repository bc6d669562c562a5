"""Matching: a libcst call on a Segment client -> a SegmentCall, by Segment's own signatures.

Every argument becomes an Expr (its text plus what is known about it). Nothing here knows what
Amplitude calls things: shapes the mapping must refuse are only named (star arguments, an
unknown keyword, a result that is used).
"""
from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from ...core import calls as C
from ...core.calls import Entry, Expr, SegmentCall
from ...core.mapping import source_table

SDK = "python"

# Segment's positional order (segment/analytics/client.py 2.4.0; analytics-python 1.4.0 is the same)
SIGNATURES: dict[str, tuple[str, ...]] = {
    "track": ("user_id", "event", "properties", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "identify": ("user_id", "traits", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "group": ("user_id", "group_id", "traits", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "page": ("user_id", "category", "name", "properties", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "screen": ("user_id", "category", "name", "properties", "context", "timestamp", "anonymous_id", "integrations", "message_id"),
    "alias": ("previous_id", "user_id", "context", "timestamp", "integrations", "message_id"),
    "flush": (),
    "join": (),
    "shutdown": (),
}
# Client(...) positional order shared by 1.4 and 2.4; later positions differ between versions.
CLIENT_POSITIONAL = ("write_key", "host", "debug", "max_queue_size", "send", "on_error")
# parameters that are the call's own arguments; every other one is a per-event option
_ARG_ROLES = {"event", "properties", "traits", "name", "category", "group_id", "previous_id"}
# methods whose subject id is an argument, not an event option (SegmentCall docstring)
_SUBJECT_USER_ID = {"identify", "alias"}
# Segment returned None from these: a use of their result means nothing to map
_NO_RESULT = {"flush", "join", "shutdown"}


class Describer:
    """Turns libcst expressions into Exprs. code(node) is the node's source text; offset(node)
    its byte offset in the file; data the file's bytes (env var offsets are in characters)."""

    def __init__(self, code: Callable[[cst.CSTNode], str], start: Callable[[cst.CSTNode], int], data: bytes,
                 name_type: Optional[Callable[[cst.Name], Optional[str]]] = None,
                 definition_of: Optional[Callable[[cst.Name], Optional[cst.BaseExpression]]] = None):
        self.code = code
        self.start = start
        self.data = data
        self.name_type = name_type   # the declared type of a name (a parameter's annotation), if known
        # the initializer of the module constant a name reads, where the env var it reads may be
        # renamed there (constants.py)
        self.definition_of = definition_of

    def expr(self, node: cst.BaseExpression) -> Expr:
        text = self.code(node)
        kind, value, entries, static_type, params = self._kind(node)
        if static_type is None:
            static_type = self._static_type(node)
        definition = None
        if kind == C.NAME and isinstance(node, cst.Name) and self.definition_of is not None:
            initializer = self.definition_of(node)
            definition = self.expr(initializer) if initializer is not None else None
        return Expr(text, kind, value, entries, static_type, self._env_refs(node), params,
                    simple=_simple(node), handle=node, definition=definition)

    def _kind(self, node: cst.BaseExpression):
        if isinstance(node, cst.SimpleString):
            try:
                value = node.evaluated_value
            except Exception:  # an escape libcst cannot evaluate
                value = None
            if isinstance(value, str):
                return C.STRING, value, None, "string", None
            return C.OTHER, None, None, None, None
        if isinstance(node, cst.FormattedString):
            return C.TEMPLATE, None, None, "string", None
        if isinstance(node, cst.ConcatenatedString):
            return C.OTHER, None, None, "string", None
        if isinstance(node, cst.Integer):
            return C.NUMBER, int(node.value.replace("_", ""), 0), None, None, None
        if isinstance(node, cst.Float):
            return C.NUMBER, float(node.value.replace("_", "")), None, None, None
        if isinstance(node, cst.Name) and node.value in ("True", "False"):
            return C.BOOL, node.value == "True", None, None, None
        if isinstance(node, cst.Name) and node.value == "None":
            return C.NULL, None, None, None, None
        if isinstance(node, (cst.Name, cst.Attribute)) and _simple(node):
            return C.NAME, None, None, None, None
        if isinstance(node, cst.Dict):
            return C.OBJECT, None, self._entries(node), None, None
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            return C.ARRAY, None, None, None, None
        if isinstance(node, cst.Lambda):
            return C.FUNCTION, None, None, None, len(node.params.params)
        if isinstance(node, cst.Call):
            return C.CALL, None, None, None, None
        return C.OTHER, None, None, None, None

    def _static_type(self, node: cst.BaseExpression) -> Optional[str]:
        """"string" / "number" / "bool" when the value's type is certain: a call of a builtin
        conversion, or a name declared with that type."""
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            return _BUILTIN_RESULTS.get(node.func.value)
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value in _STR_METHODS:
            return "string"
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add) and any(
                isinstance(side, (cst.SimpleString, cst.FormattedString)) for side in (node.left, node.right)):
            return "string"  # "team-" + x: a str, or a TypeError Segment would have raised too
        if isinstance(node, cst.Name) and self.name_type is not None:
            return self.name_type(node)
        return None

    def _entries(self, node: cst.Dict) -> Optional[tuple[Entry, ...]]:
        out = []
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                out.append(Entry(None, self.expr(element.value), handle=element))
                continue
            key = element.key
            value = key.evaluated_value if isinstance(key, cst.SimpleString) else None
            if not isinstance(value, str):
                return None  # a computed or non-string key: not static
            out.append(Entry(value, self.expr(element.value), self.code(key), handle=element))
        return tuple(out)

    def _env_refs(self, node: cst.BaseExpression) -> tuple[tuple[str, int], ...]:
        """Environment variables read by name: os.environ["X"], os.getenv("X"), environ.get("X").
        Not another mapping read by a literal key (app.config["X"]): the project defines that
        key somewhere (create_app, a settings file), so renaming it here alone would break it."""
        keys: list[cst.SimpleString] = []
        node.visit(_EnvReads(keys))
        base = self.start(node)
        out = []
        for key in keys:
            name = key.evaluated_value
            if not isinstance(name, str) or not name:
                continue
            at = self.start(key) + len(key.prefix) + len(key.quote)
            offset = len(self.data[base:at].decode("utf-8"))  # in characters of the Expr's text
            out.append((name, offset))
        return tuple(out)


# builtins whose result type is certain (nobody rebinds them in code that calls Segment)
_BUILTIN_RESULTS = {"str": "string", "repr": "string", "int": "number", "float": "number", "len": "number",
                    "round": "number", "bool": "bool"}
# methods that return a str on every type that has them
_STR_METHODS = {"isoformat", "hexdigest", "lower", "upper", "strip", "format", "join", "title"}
# annotations that declare a name's type
ANNOTATION_TYPES = {"str": "string", "int": "number", "float": "number", "bool": "bool"}


def _last(node: cst.BaseExpression) -> str:
    """The last name of a dotted expression (`os.environ` -> environ)."""
    return node.attr.value if isinstance(node, cst.Attribute) else node.value if isinstance(node, cst.Name) else ""


def _simple(node: cst.BaseExpression) -> bool:
    """Safe to evaluate twice: a literal, a name or a dotted attribute of one."""
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float, cst.Name)):
        return True
    return isinstance(node, cst.Attribute) and _simple(node.value)


def match_call(call: cst.Call, method: str, describe: Describer, result_used: bool) -> SegmentCall:
    """One call of a Segment client method, its arguments placed by role."""
    out = SegmentCall(method, SDK, handle=call)
    params = SIGNATURES.get(method)
    if params is None:
        return out  # a method Segment's Python client does not have: the mapping says so
    bound = _bind(call, params, set(), out)
    if bound is None:
        return out
    for name, node in bound:
        expr = describe.expr(node)
        if name in _ARG_ROLES or (name == "user_id" and method in _SUBJECT_USER_ID):
            out.args[name] = expr
        else:
            out.options[name] = expr
    if result_used and method not in _NO_RESULT:
        out.shape, out.shape_at = "result-used", describe.expr(call)
        out.use = C.VALUE
    return out


def match_client(call: cst.Call, describe: Describer) -> SegmentCall:
    """Client(write_key, host, ...): the key and every setting by its Segment name."""
    out = SegmentCall("Client", SDK, handle=call)
    settings = set(source_table(SDK).get("settings", {}))
    bound = _bind(call, CLIENT_POSITIONAL, settings | {"write_key"}, out)
    for name, node in bound or ():
        if name == "write_key":
            out.args["write_key"] = describe.expr(node)
        else:
            out.settings[name] = describe.expr(node)
    return out


def match_setting(name: str, value: cst.BaseExpression, node: cst.CSTNode, describe: Describer) -> SegmentCall:
    """`<module>.write_key = K` (the module client's construction) or `<module>.<setting> = v`."""
    if name == "write_key":
        return SegmentCall("write_key", SDK, args={"write_key": describe.expr(value)}, handle=node)
    return SegmentCall("setting", SDK, settings={name: describe.expr(value)}, handle=node)


def _bind(call: cst.Call, params: tuple[str, ...], open_keywords: set[str],
          out: SegmentCall) -> Optional[list[tuple[str, cst.BaseExpression]]]:
    """(parameter, value) in the order written; None with out.shape set when the arguments do
    not fit the signature with certainty."""
    allowed = set(params) | open_keywords
    bound: list[tuple[str, cst.BaseExpression]] = []
    positional = 0
    for arg in call.args:
        problem = None
        if arg.star:
            problem = f"star:{arg.star}"
        elif arg.keyword is None:
            if positional >= len(params):
                problem = "unknown:more positional arguments than Segment's signature has"
            else:
                bound.append((params[positional], arg.value))
                positional += 1
        elif arg.keyword.value not in allowed:
            problem = f"unknown:unknown argument `{arg.keyword.value}`"
        else:
            bound.append((arg.keyword.value, arg.value))
        if problem:
            out.shape = problem
            out.shape_at = Expr(problem, handle=arg.value)
            return None
    return bound

def env_names(node: cst.BaseExpression) -> list[str]:
    """The names of the environment variables node reads by a literal name."""
    keys: list[cst.SimpleString] = []
    node.visit(_EnvReads(keys))
    return [k.evaluated_value for k in keys if isinstance(k.evaluated_value, str)]


class _EnvReads(cst.CSTVisitor):
    """The literal names of environment reads under a node (_env_refs)."""

    def __init__(self, keys: list) -> None:
        self.keys = keys

    def visit_Subscript(self, sub: cst.Subscript) -> None:
        if _last(sub.value) == "environ" and len(sub.slice) == 1 and isinstance(sub.slice[0].slice, cst.Index):
            index = sub.slice[0].slice.value
            if isinstance(index, cst.SimpleString):
                self.keys.append(index)

    def visit_Call(self, call: cst.Call) -> None:
        func = call.func
        name = _last(func)
        env = name == "getenv" or (name == "get" and isinstance(func, cst.Attribute) and _last(func.value) == "environ")
        if env and call.args and isinstance(call.args[0].value, cst.SimpleString):
            self.keys.append(call.args[0].value)
