"""fastcst gives what libcst gives, only faster: the same visits in the same order, the same
spans, parents, scopes and qualified names as MetadataWrapper, the same parse verdicts."""
from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import (
    ByteSpanPositionProvider,
    MetadataWrapper,
    ParentNodeProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from segamp.languages.python import fastcst
from segamp.languages.python.handler import PythonHandler
from segamp.source import decode

ROOT = Path(__file__).resolve().parent.parent
TRICKY = '''\
"""Doc."""
from __future__ import annotations
import segment.analytics as analytics
from segment.analytics import Client as C, track
from . import sibling
from ..pkg.mod import thing as other

KEY: "str" = "k"
client = C(KEY, debug=False)


@decorator(arg=1)
class Service(Base, metaclass=Meta):
    attr: Optional["C"] = None
    squares = [x * x for x in range(3) if x]

    def __init__(self, c: "C", *args, key=None, **kw) -> None:
        self.c = c
        nonlocal_value = lambda y, z=1: y + z
        global client

    async def run(self):
        async with self.c as ctx:
            await ctx.track("u", f"{self!r:>{width}} {'nested'} {x=}", {"k": {1, 2}})
        try:
            pass
        except (ValueError, KeyError) as exc:
            raise RuntimeError() from exc
        finally:
            del self.c


match command:
    case {"x": [1, *rest]} | Point(x=0) if rest:
        analytics.track("u", "E")
    case _:
        pass

with open(p) as f, lock:
    value = (yield_ := f.read()) if f else None
for i, (a, b) in enumerate(pairs):
    track(i, a, b)
print(*args, sep="", **{"end": ""})
x = a if b else c; y = not x; z = x[1:2, ::3]
'''


def _sources() -> list[tuple[str, str]]:
    found = [("tricky", TRICKY)]
    for path in sorted(ROOT.glob("fixtures/python/*/input.py")):
        found.append((path.parent.name, path.read_text(encoding="utf-8")))
    return found


class _Log(cst.CSTVisitor):
    """Every hook libcst calls, in order."""

    def __init__(self):
        self.log = []

    def on_visit(self, node):
        self.log.append(("visit", type(node).__name__, id(node)))
        return True

    def on_leave(self, original_node):
        self.log.append(("leave", id(original_node)))

    def on_visit_attribute(self, node, attribute):
        self.log.append(("attr", attribute))

    def on_leave_attribute(self, original_node, attribute):
        self.log.append(("/attr", attribute))


class _Typed(cst.CSTVisitor):
    """Typed methods, one that prunes a subtree, and field methods."""

    def __init__(self):
        self.log = []

    def visit_FunctionDef(self, node):
        self.log.append(("def", node.name.value))
        return node.name.value != "run"

    def visit_Name(self, node):
        self.log.append(("name", node.value))

    def leave_Call(self, original_node):
        self.log.append(("call", id(original_node)))

    def visit_Call_func(self, node):
        self.log.append(("func", id(node)))

    def leave_Arg_value(self, node):
        self.log.append(("arg", id(node)))


class _Plain(cst.CSTVisitor):
    """Typed methods only, none for whitespace or operators: the walk that skips those."""

    def __init__(self):
        self.log = []

    def visit_Name(self, node):
        self.log.append(("name", node.value))

    def visit_Attribute(self, node):
        self.log.append(("attr", id(node)))

    def leave_Call(self, original_node):
        self.log.append(("call", id(original_node)))

    def visit_Lambda(self, node):
        return False


@pytest.mark.parametrize("name,text", _sources(), ids=[n for n, _ in _sources()])
def test_fast_visits_and_resolve_equal_libcst(name, text):
    module = cst.parse_module(text)
    for kind in (_Log, _Typed, _Plain):
        slow = kind()
        module.visit(slow)
        fast = kind()
        with fastcst.fast_visits():
            module.visit(fast)
        assert fast.log == slow.log, kind.__name__
    meta = MetadataWrapper(module, unsafe_skip_copy=True).resolve_many(
        [QualifiedNameProvider, ScopeProvider, ParentNodeProvider, ByteSpanPositionProvider])
    spans, parents, scopes, qualified = fastcst.resolve(module, text)
    expected_spans = {n: (s.start, s.start + s.length) for n, s in meta[ByteSpanPositionProvider].items()}
    # asked node by node, each module statement generated alone, then all at once
    assert {n: spans[n] for n in expected_spans} == expected_spans
    assert fastcst.resolve(module, text)[0].all() == expected_spans
    assert dict(meta[ParentNodeProvider]) == parents
    # not string annotations' own trees; not whitespace or operators, whose scope nobody asks
    in_tree = [n for n in meta[ScopeProvider] if (n in parents or n is module) and type(n) not in fastcst.TRIVIAL]
    for node in in_tree:
        old, new = meta[ScopeProvider][node], scopes.get(node)
        assert type(old) is type(new) and getattr(old, "node", None) is getattr(new, "node", None)
        names = meta[QualifiedNameProvider].get(node, set())
        assert (names() if callable(names) else names) == qualified[node]
        if isinstance(node, cst.Name) and old is not None:
            def assigned(scope):
                return sorted((type(a).__name__, id(getattr(a, "node", None))) for a in scope[node.value])
            assert assigned(old) == assigned(new), node.value


class _Order(cst.CSTVisitor):
    """The nodes binding's scan visits, in the order a visitor meets them."""

    TYPES = (cst.ClassDef, cst.Call, cst.Param, cst.AnnAssign, cst.Assign)

    def __init__(self):
        self.log = []

    def on_visit(self, node):
        if type(node) in self.TYPES:
            self.log.append(node)
        return True


@pytest.mark.parametrize("name,text", _sources(), ids=[n for n, _ in _sources()])
def test_the_parents_table_lists_nodes_in_the_order_a_visitor_meets_them(name, text):
    # binding's scan passes over resolve()'s parents table instead of walking the tree
    module = cst.parse_module(text)
    order = _Order()
    module.visit(order)
    _, parents, _, _ = fastcst.resolve(module)
    assert [n for n in parents if type(n) in _Order.TYPES] == order.log


LAZY_CASES = {
    # each statement's text occurs once: generated alone
    "distinct": "import segment.analytics as analytics\n\nanalytics.track('u', 'A')\n\n\ndef f():\n    pass\n",
    # the same statement twice: its text does not say which is which, the whole module is generated
    "repeated": "import analytics\nanalytics.track('u', 'A')\nanalytics.track('u', 'A')\n",
    # a docstring that holds a statement's text, at column 0
    "docstring": '"""Use it so:\nanalytics.track(\'u\', \'A\')\n"""\nimport analytics\nanalytics.track(\'u\', \'A\')\n',
    # no newline at the end: the last statement's generated text ends with one the source lacks
    "no_last_newline": "import analytics\nanalytics.track('u', 'A')\nanalytics.track('u', 'A')",
    "header_and_footer": "# header\n\nimport analytics\nx = 1\n# footer\n",
    "crlf_and_unicode": "import analytics\r\ns = 'é€'\r\nanalytics.track('ü', 'A')\r\n",
    "indented_blocks": "class A:\n    def f(self):\n        if x:\n            return 1\n        # trailing\n\n\nA()\n",
}


@pytest.mark.parametrize("name", sorted(LAZY_CASES))
def test_spans_generated_per_statement_equal_the_whole_module_in_any_order(name):
    text = LAZY_CASES[name]
    module = cst.parse_module(text)
    whole = fastcst.resolve(module, text)[0].all()
    assert whole == {n: (s.start, s.start + s.length) for n, s in
                     MetadataWrapper(module, unsafe_skip_copy=True).resolve(ByteSpanPositionProvider).items()}
    for order in (list(whole), list(reversed(whole))):
        spans = fastcst.resolve(module, text)[0]
        assert [spans[n] for n in order] == [whole[n] for n in order]
    for asked in ([], module.body[:1], module.body[-1:], module.body[1:2]):
        spans = fastcst.resolve(module, text)[0]
        for stmt in asked:
            spans[stmt]
        for n, (start, end) in whole.items():   # bounds hold the span, whatever was generated
            lo, hi = spans.bounds(n)
            assert lo <= start <= end <= hi, (type(n).__name__, asked)
    spans = fastcst.resolve(module, text)[0]
    spans[module.body[-1]]
    assert spans.whole == (name in ("repeated", "docstring", "no_last_newline")), "generated alone?"
    data = text.encode("utf-8")
    for stmt in module.body:   # a span is where that code is
        start, end = whole[stmt]
        assert data[start:end].decode("utf-8") in module.code_for_node(stmt)


def test_only_format_spec_is_visited_only_when_set():
    """fastcst.SKIPPED_WHEN_NONE lists the fields libcst's walk skips (without announcing
    them) when unset; a libcst upgrade that adds one must update it."""
    found = set()
    for cls in vars(cst).values():
        if not (isinstance(cls, type) and issubclass(cls, cst.CSTNode)) or inspect.isabstract(cls):
            continue
        fn = ast.parse(textwrap.dedent(inspect.getsource(cls._visit_and_replace_children))).body[0]
        for kw in (n for n in ast.walk(fn) if isinstance(n, ast.keyword)):
            value = kw.value
            if isinstance(value, ast.IfExp) and isinstance(value.orelse, ast.Constant) and value.orelse.value is None:
                found.add(kw.arg)
    assert found == set(fastcst.SKIPPED_WHEN_NONE)


def test_parse_is_lazy_and_keeps_libcst_verdicts():
    handler = PythonHandler()
    good = handler.parse(decode("x.py", b"import segment.analytics as analytics\n"))
    assert good.error is None and isinstance(good.tree, fastcst.LazyModule)
    assert fastcst.module_of(good.tree).code == "import segment.analytics as analytics\n"
    bad = handler.parse(decode("x.py", b"x = (\n"))
    assert bad.tree is None and bad.error.startswith("line ")
    assert handler.parse_error(decode("x.py", b"x = (\n")) == bad.error
    assert handler.parse_error(decode("x.py", b"x = 1\n")) is None


class _Every(cst.CSTVisitor):
    """Every node a visitor meets, in order (the module aside)."""

    def __init__(self):
        self.log = []

    def on_visit(self, node):
        if not isinstance(node, cst.Module):
            self.log.append(node)
        return True


@pytest.mark.parametrize("name,text", _sources(), ids=[n for n, _ in _sources()])
def test_nodes_of_and_nodes_under_meet_what_a_visitor_meets(name, text):
    # the rewrite's passes read Facts.nodes_of / nodes_under instead of walking the module
    from segamp.languages.python.bind import Facts

    module = cst.parse_module(text)
    spans, parents, scopes, qnames = fastcst.resolve(module)
    facts = Facts(module=module, qnames=qnames, scopes=scopes, parents=parents, spans=spans, legacy_ok=False)
    every = _Every()
    module.visit(every)
    kinds = (cst.Name, cst.Attribute, cst.Call, cst.SimpleString, cst.Assign)
    for kind in kinds:
        assert facts.nodes_of(kind) == [n for n in every.log if type(n) is kind], kind.__name__
    assert facts.nodes_of(cst.Name, cst.Attribute) == [n for n in every.log if type(n) in (cst.Name, cst.Attribute)]
    assert facts.nodes_under(module, cst.Call) == facts.nodes_of(cst.Call)
    for stmt in module.body:
        under = _Every()
        stmt.visit(under)
        log = [stmt] + under.log[1:] if under.log and under.log[0] is stmt else under.log
        assert facts.nodes_under(stmt, cst.Attribute, cst.Call, type(stmt)) == \
            [n for n in log if type(n) in (cst.Attribute, cst.Call, type(stmt))]
    inner = next((n for n in every.log if type(n) is cst.Call and parents.get(n) is not module), None)
    if inner is not None:
        assert facts.nodes_under(inner, cst.Name) is None   # not a statement of the module: walk it


@pytest.mark.parametrize("name,text", _sources(), ids=[n for n, _ in _sources()])
def test_parse_without_validation_builds_libcst_tree(name, text):
    assert fastcst.parse_module(text).deep_equals(cst.parse_module(text))
    assert fastcst.parse_module(text).code == text


def test_nodes_built_after_a_parse_are_validated_again():
    fastcst.parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
    with pytest.raises(cst.ParserSyntaxError):
        fastcst.parse_module("x = (\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("still validated after a failed parse")
