"""Each call on a Segment client -> a SegmentCall, read the way analytics.js reads its arguments.

Segment's browser SDK resolves overloads at run time (a trailing function is the callback, an
object where an id could be is traits, a string where properties could be is a name). Here
the same rules run on the syntax; where the syntax cannot tell, the call says so
(`ambiguous`) and the mapping decides what that means. Every argument is described as an
Expr: its text plus what is known about it. Nothing here knows what Amplitude calls things.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Optional

from ...core import calls as C
from ...core.calls import Entry, Expr, SegmentCall
from .bind import Call, Client, JsFile
from .kinds import clients_in
from .syntax import STRINGISH, Node, args_of, is_nullish, string_value, unwrap, walk

SDK = "browser"   # rules/sources/browser.toml: the Segment SDK these calls belong to
CALLBACK_NAME = re.compile(r"^(cb|callback|done|next|fn|onComplete|onDone|resolve)$|Callback$|Handler$", re.I)
ID_NAME = re.compile(r"(^id$|Id$|ID$|_id$|uuid|uid$|^user$|email|userName|username|slug|key$)", re.I)
TRAITS_NAME = re.compile(r"(trait|propert|profile|attr|data|info|details|fields|payload|params|options|props)", re.I)
PAGE_PROPS_NAME = re.compile(r"(propert|props|params|data|options|payload|context)", re.I)
# Segment's Options keys -> option roles (core/calls.py OPTION_ROLES)
OPTION_ROLES = {"anonymousId": "anonymous_id", "userId": "user_id", "timestamp": "timestamp",
                "messageId": "message_id", "context": "context", "integrations": "integrations",
                "traits": "traits"}
ENV_OBJECTS = ("process.env", "import.meta.env")


@dataclass
class Site:
    """Where a matched call sits in the tree: what the printer needs to edit it."""

    node: Node                              # the call (or new) expression
    client: Optional[Client] = None
    receiver: Optional[Node] = None
    member: Optional[Node] = None           # `receiver.method`
    args: list[Node] = field(default_factory=list)      # without the callback
    callback: Optional[Node] = None
    roles: dict[str, Node] = field(default_factory=dict)  # "properties", "options" -> the argument
    rebuild: bool = False                   # the call is rebuilt, never edited in place (a Node message object)


# --- expressions ------------------------------------------------------------------------------
def describe(jf: JsFile, node: Optional[Node], as_id: bool = False) -> Optional[Expr]:
    """An Expr for an argument: its text as written plus what the syntax says about it."""
    if node is None:
        return None
    inner = unwrap(node)
    text = jf.text(node)
    kind, value, entries, params = _kind(jf, inner)
    static = None
    if as_id and jf.typescript and kind not in (C.NUMBER, C.NULL, C.UNDEFINED, C.BOOL):
        static = "string"   # tsc holds Segment's ID type (string | null) to it
    if _string_choice(inner):
        static = "string"   # isHome ? 'Home' : 'Other' is never null
    return Expr(text, kind, value, entries, static, _env_refs(jf, node), params,
                simple=kind in (C.STRING, C.NUMBER, C.BOOL, C.NULL, C.UNDEFINED, C.NAME), handle=node)


def _kind(jf: JsFile, n: Node) -> tuple:
    t = n.type
    if t in STRINGISH:
        s = string_value(n)
        return (C.STRING, s, None, None) if s is not None else (C.TEMPLATE, None, None, None)
    if t == "number":
        try:
            return C.NUMBER, int(jf.text(n), 0), None, None
        except ValueError:
            try:
                return C.NUMBER, float(jf.text(n)), None, None
            except ValueError:
                return C.OTHER, None, None, None
    if t in ("true", "false"):
        return C.BOOL, t == "true", None, None
    if t == "null":
        return C.NULL, None, None, None
    if t == "undefined" or (t == "identifier" and jf.text(n) == "undefined"):
        return C.UNDEFINED, None, None, None
    if t == "object":
        return C.OBJECT, None, _entries(jf, n), None
    if t == "array":
        return C.ARRAY, None, None, None
    if t in ("arrow_function", "function_expression", "function"):
        return C.FUNCTION, None, None, _param_count(n)
    if t == "new_expression" and jf.text(n.child_by_field_name("constructor")) == "Date":
        return C.DATE, None, None, None
    if t in ("identifier", "member_expression", "this"):
        return C.NAME, None, None, None
    if t == "call_expression":
        return C.CALL, None, None, None
    return C.OTHER, None, None, None


def _param_count(fn: Node) -> int:
    params = fn.child_by_field_name("parameters") or fn.child_by_field_name("parameter")
    if params is None:
        return 0
    if params.type == "identifier":
        return 1
    return len([p for p in params.named_children if p.type != "comment"])


def _entries(jf: JsFile, obj: Node) -> Optional[tuple[Entry, ...]]:
    """Every entry of an object literal, or None when a key is only known at run time."""
    out = []
    for c in obj.named_children:
        if c.type == "comment":
            continue
        if c.type == "pair":
            key = c.child_by_field_name("key")
            if key.type == "computed_property_name":
                return None
            name = string_value(key) if key.type == "string" else jf.text(key)
            out.append(Entry(name, describe(jf, c.child_by_field_name("value")), jf.text(key), handle=c))
        elif c.type == "shorthand_property_identifier":
            name = jf.text(c)
            out.append(Entry(name, Expr(name, C.NAME, simple=True, handle=c), name, shorthand=True, handle=c))
        elif c.type == "spread_element":
            value = c.named_children[0] if c.named_children else c
            out.append(Entry(None, describe(jf, value), "", handle=c))
        else:  # methods, getters: not data Segment would read as a plain value
            return None
    return tuple(out)


def _env_refs(jf: JsFile, node: Node) -> tuple[tuple[str, int], ...]:
    """process.env.X / import.meta.env.X read in the expression, with their offset in its text."""
    refs = []
    for n in walk(node):
        if n.type == "member_expression" and jf.text(n.child_by_field_name("object")) in ENV_OBJECTS:
            prop = n.child_by_field_name("property")
            if prop is not None:
                refs.append((jf.text(prop), prop.start_byte - node.start_byte))
    return tuple(refs)


def is_function(node: Node) -> bool:
    n = unwrap(node)
    return n.type in ("arrow_function", "function_expression", "function") or (
        n.type == "identifier" and bool(CALLBACK_NAME.search(n.text.decode())))


def describe_callback(jf: JsFile, node: Node) -> Expr:
    expr = describe(jf, node)
    if expr.kind != C.FUNCTION:   # a name that reads as a callback: what it takes is unknown
        expr = Expr(expr.text, C.FUNCTION, params=None, simple=True, handle=node)
    return expr


def value_use(jf: JsFile, node: Node) -> str:
    """How the code around the call reads what it returns (core/calls.py use values)."""
    cur = node
    while cur.parent is not None:
        p = cur.parent
        if p.type in ("parenthesized_expression", "sequence_expression"):
            cur = p
            continue
        if p.type == "await_expression":
            return C.AWAITED
        if p.type == "member_expression" and p.child_by_field_name("object") == cur:
            return C.CHAINED
        if p.type == "expression_statement":
            return C.STATEMENT
        if p.type == "unary_expression" and jf.text(p).startswith("void"):
            return C.STATEMENT
        if p.type == "binary_expression" and p.child_by_field_name("right") == cur and \
                p.parent is not None and p.parent.type == "expression_statement":
            return C.STATEMENT  # guard && call;
        if p.type == "arrow_function":
            return C.ARROW
        return C.VALUE
    return C.STATEMENT


# --- options ----------------------------------------------------------------------------------
def options_by_role(jf: JsFile, node: Optional[Node], as_id: bool = True) -> dict[str, Expr]:
    """A Segment Options argument by role, in the order written. "*": not an object literal;
    "...": a spread inside it; "other:<key>": a key Segment's Options type does not have."""
    if node is None or is_nullish(node):
        return {}
    obj = unwrap(node)
    if obj.type != "object":
        return {"*": describe(jf, node)}
    out: dict[str, Expr] = {}
    for c in obj.named_children:
        if c.type == "comment":
            continue
        if c.type == "shorthand_property_identifier":
            key, value = jf.text(c), Expr(jf.text(c), C.NAME, simple=True, handle=c)
            if as_id and jf.typescript and OPTION_ROLES.get(key) in ("user_id", "anonymous_id"):
                value = Expr(value.text, C.NAME, static_type="string", simple=True, handle=c)
        elif c.type == "pair" and c.child_by_field_name("key").type != "computed_property_name":
            key_node = c.child_by_field_name("key")
            key = string_value(key_node) if key_node.type == "string" else jf.text(key_node)
            role = OPTION_ROLES.get(key)
            value = describe(jf, c.child_by_field_name("value"), as_id=role in ("user_id", "anonymous_id"))
        else:
            out.setdefault("...", describe(jf, c))
            continue
        out[OPTION_ROLES.get(key, f"other:{key}")] = value
    return out


# --- calls ------------------------------------------------------------------------------------
def split_callback(args: list[Node]) -> tuple[list[Node], Optional[Node]]:
    if args and is_function(args[-1]):
        return args[:-1], args[-1]
    return args, None


def match_call(jf: JsFile, call: Call) -> SegmentCall:
    """One call on a client, its arguments by role."""
    all_args = args_of(call.node)
    args, cb = (all_args, None) if call.method in ("load", "setAnonymousId") else split_callback(all_args)
    site = Site(call.node, call.client, call.receiver, call.member, args, cb)
    if call.method == "load":
        seg = match_settings(jf, call.node, args)
        seg.handle = site
        seg.use = value_use(jf, call.node)
        return seg
    seg = SegmentCall(call.method, SDK, use=value_use(jf, call.node), handle=site)
    if cb is not None:
        seg.callback = describe_callback(jf, cb)
    reader = _READERS.get(call.method)
    if reader is not None:
        reader(jf, seg, site, args)
    return seg


def _role(jf: JsFile, seg: SegmentCall, site: Site, role: str, node: Optional[Node], as_id: bool = False) -> None:
    if node is not None:
        seg.args[role] = describe(jf, node, as_id)
        site.roles[role] = node


def _options(jf: JsFile, seg: SegmentCall, site: Site, node: Optional[Node]) -> None:
    if node is not None:
        site.roles["options"] = node
        seg.options = options_by_role(jf, node)


def _read_track(jf: JsFile, seg: SegmentCall, site: Site, args: list[Node]) -> None:
    """track(event, properties?, options?, callback?)"""
    if args and unwrap(args[0]).type == "object":
        seg.shape, seg.shape_at = "event-object", describe(jf, args[0])
        return
    _role(jf, seg, site, "event", args[0] if args else None)
    _role(jf, seg, site, "properties", args[1] if len(args) > 1 else None)
    _options(jf, seg, site, args[2] if len(args) > 2 else None)


def looks_like_id(jf: JsFile, node: Node) -> bool:
    """Reads as a user id rather than traits (Segment: any non-object is the id)."""
    if node.type in STRINGISH or node.type == "number":
        return True
    if node.type == "call_expression":
        callee = jf.text(node.child_by_field_name("function"))
        return callee in ("String",) or callee.endswith((".toString", "Id", "ID", "id"))
    last = jf.text(node).replace("?.", ".").split(".")[-1]
    if TRAITS_NAME.search(last):
        return False
    return bool(ID_NAME.search(last))


def _read_identify(jf: JsFile, seg: SegmentCall, site: Site, args: list[Node]) -> None:
    """identify(id?, traits?, options?, callback?): an object first is traits."""
    if not args:
        return
    first = unwrap(args[0])
    if first.type == "object":
        traits, rest = args[0], args[1:]
    elif is_nullish(first):
        traits, rest = (args[1] if len(args) > 1 else None), args[2:]
    elif looks_like_id(jf, first) or len(args) > 1:
        _role(jf, seg, site, "user_id", args[0], as_id=True)
        traits, rest = (args[1] if len(args) > 1 else None), args[2:]
    else:
        seg.ambiguous = describe(jf, args[0])
        return
    _role(jf, seg, site, "traits", traits)
    _options(jf, seg, site, rest[0] if rest else None)


def _stringish(jf: JsFile, node: Node) -> bool:
    u = unwrap(node)
    if u.type in STRINGISH or u.type == "binary_expression":
        return True
    if _string_choice(u):
        return True
    if u.type in ("identifier", "member_expression", "call_expression", "subscript_expression"):
        return not PAGE_PROPS_NAME.search(jf.text(u).split(".")[-1])
    return False


def _string_choice(node: Node) -> bool:
    """A conditional between two string literals (isHome ? 'Home' : 'Other')."""
    if node.type != "ternary_expression":
        return False
    branches = [node.child_by_field_name(f) for f in ("consequence", "alternative")]
    return all(b is not None and unwrap(b).type in STRINGISH and string_value(unwrap(b)) is not None for b in branches)


def _read_page(jf: JsFile, seg: SegmentCall, site: Site, args: list[Node]) -> None:
    """page(category?, name?, properties?, options?, callback?): strings first are names."""
    if not args:
        return
    named = [_stringish(jf, a) for a in args]
    if len(args) >= 2 and named[0] and named[1]:
        category, name, rest = args[0], args[1], args[2:]
    elif named[0]:
        category, name, rest = None, args[0], args[1:]
    elif is_nullish(args[0]) and len(args) >= 2 and named[1]:
        category, name, rest = None, args[1], args[2:]
    elif unwrap(args[0]).type == "object" or is_nullish(args[0]) or \
            PAGE_PROPS_NAME.search(jf.text(args[0]).split(".")[-1]):
        category, name, rest = None, None, args
    else:
        seg.ambiguous = describe(jf, args[0])
        return
    _role(jf, seg, site, "category", category)
    _role(jf, seg, site, "name", name)
    _role(jf, seg, site, "properties", rest[0] if rest else None)
    _options(jf, seg, site, rest[1] if len(rest) > 1 else None)


def _read_group(jf: JsFile, seg: SegmentCall, site: Site, args: list[Node]) -> None:
    """group(groupId?, traits?, options?, callback?): an object first is traits."""
    if not args:
        return
    if unwrap(args[0]).type == "object" or is_nullish(args[0]):
        _role(jf, seg, site, "traits", args[0])
        return
    _role(jf, seg, site, "group_id", args[0], as_id=True)
    _role(jf, seg, site, "traits", args[1] if len(args) > 1 else None)
    _options(jf, seg, site, args[2] if len(args) > 2 else None)


def _read_alias(jf: JsFile, seg: SegmentCall, site: Site, args: list[Node]) -> None:
    _role(jf, seg, site, "user_id", args[0] if args else None, as_id=True)
    _role(jf, seg, site, "previous_id", args[1] if len(args) > 1 else None, as_id=True)
    _options(jf, seg, site, args[2] if len(args) > 2 else None)


def _read_set_anonymous_id(jf: JsFile, seg: SegmentCall, site: Site, args: list[Node]) -> None:
    _role(jf, seg, site, "anonymous_id", args[0] if args else None, as_id=True)


_READERS = {"track": _read_track, "identify": _read_identify, "page": _read_page, "screen": _read_page,
            "group": _read_group, "alias": _read_alias, "setAnonymousId": _read_set_anonymous_id}


def match_settings(jf: JsFile, node: Node, args: list[Node]) -> SegmentCall:
    """load(settings, options) on AnalyticsBrowser or on a `new AnalyticsBrowser()` instance."""
    seg = SegmentCall("load", SDK, handle=Site(node, args=args))
    settings = unwrap(args[0]) if args else None
    if settings is None or settings.type != "object":
        seg.shape, seg.shape_at = "settings-not-literal", describe(jf, args[0]) if args else None
        return seg
    for c in settings.named_children:
        if c.type == "pair":
            key_node = c.child_by_field_name("key")
            name = string_value(key_node) if key_node.type == "string" else jf.text(key_node)
            value = describe(jf, c.child_by_field_name("value"))
        elif c.type == "shorthand_property_identifier":
            name, value = jf.text(c), Expr(jf.text(c), C.NAME, simple=True, handle=c)
        else:
            continue
        if name == "writeKey":
            seg.args["write_key"] = with_definition(jf, value)
        else:
            seg.settings[name] = value
    _load_options(jf, seg, args[1] if len(args) > 1 else None)
    return seg


def with_definition(jf: JsFile, value: Optional[Expr]) -> Optional[Expr]:
    """A key held in a constant of this file that nothing else reads (`const writeKey =
    process.env.KEY`, then `load({ writeKey })`): the constant's initializer comes with it, so
    the mapping can rename its env var where it is read."""
    if value is None or value.kind != C.NAME or value.handle is None:
        return value
    ident = unwrap(value.handle)
    if ident.type not in ("identifier", "shorthand_property_identifier"):
        return value
    decl = jf.scopes.resolve(ident)
    declarator = decl.parent if decl is not None else None
    if declarator is None or declarator.type != "variable_declarator" or declarator.child_by_field_name("name") != decl:
        return value
    statement = declarator.parent
    init = declarator.child_by_field_name("value")
    if init is None or statement is None or statement.type != "lexical_declaration" or \
            not any(c.type == "const" for c in statement.children):
        return value
    name = jf.text(ident)
    reads = [n for n in jf.nodes if n.type in ("identifier", "shorthand_property_identifier") and n != decl
             and jf.text(n) == name and jf.scopes.resolve(n) == decl]
    exported = statement.parent is not None and statement.parent.type == "export_statement"
    if exported or len(reads) != 1 or reads[0] != ident:
        return value
    return replace(value, definition=describe(jf, init))


def match_snippet_load(jf: JsFile, node: Node) -> SegmentCall:
    """The analytics.js snippet's `analytics.load(writeKey, options)`: the same load, its key
    given on its own rather than in a settings object."""
    args = args_of(node)
    seg = SegmentCall("load", SDK, handle=Site(node, args=args))
    if args:
        seg.args["write_key"] = with_definition(jf, describe(jf, args[0]))
    _load_options(jf, seg, args[1] if len(args) > 1 else None)
    return seg


def _load_options(jf: JsFile, seg: SegmentCall, arg: Optional[Node]) -> None:
    options = unwrap(arg) if arg is not None else None
    if options is not None and options.type == "object":
        for c in options.named_children:
            if c.type == "pair":
                seg.options[jf.text(c.child_by_field_name("key")).strip("'\"")] = describe(jf, c.child_by_field_name("value"))
    elif options is not None:
        seg.options["*"] = describe(jf, arg)


def segment_cast_receiver(jf: JsFile, site: "Site") -> Optional[Node]:
    """The receiver as written when it casts the client to a Segment client type
    (`(analytics as AnalyticsBrowser).track`, `as unknown as AnalyticsBrowser`): that type goes
    with the migration, so a call edited in place must drop the cast too (else tsc fails on a
    type no longer imported, and the call names Segment's type on an Amplitude client)."""
    member = site.member
    written = member.child_by_field_name("object") if member is not None and member.type == "member_expression" else None
    n = written
    while n is not None and n != site.receiver and n.named_children:
        if n.type in ("as_expression", "satisfies_expression") and clients_in(jf._type_kind(n.named_children[-1])):
            return written
        n = n.named_children[0]
    return None
