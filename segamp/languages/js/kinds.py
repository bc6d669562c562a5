"""What an expression is, as far as Segment is concerned: a client, an object holding clients,
a hook or getter returning one, a React context carrying one, or a client's method taken off
it (`const { track } = useAnalytics()`).

Every client carries a key that names the same client in every file (the file and name where
it is created, "js:snippet" for the analytics.js global, "cfg:<receiver>" for receivers named
in config): the closure rule leaves or migrates a client by that key. Kinds cross files as JSON
in ProjectContext.exports.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

BROWSER_PACKAGE = "@segment/analytics-next"
SNIPPET_PACKAGE = "analytics.js"
SNIPPET_KEY = "js:snippet"
# A client known only from a Segment type annotation (a typed parameter or prop): which client
# it holds is resolved per project (the only browser client, else every browser client).
TYPED_KEY = "js:typed:"


@dataclass(frozen=True)
class Client:
    """A Segment client. snippet=True: the analytics.js global, which goes away entirely.
    package: the Segment package it comes from (a Node SDK client is bound so that its uses
    are reported, never converted by the browser rules)."""

    snippet: bool = False
    key: str = ""
    package: str = BROWSER_PACKAGE

    @property
    def typed(self) -> bool:
        return self.key.startswith(TYPED_KEY)


def typed_client(package: str = BROWSER_PACKAGE) -> Client:
    return Client(key=TYPED_KEY + package, package=package)


@dataclass(frozen=True)
class ClientObject:
    """An object some of whose properties are clients, e.g. a context value { analytics }."""

    items: tuple = ()   # ((property name, Client), ...) sorted by name

    @property
    def props(self) -> frozenset:
        return frozenset(name for name, _ in self.items)

    def get(self, name: str) -> Optional[Client]:
        return next((c for n, c in self.items if n == name), None)


def client_object(items: dict) -> Optional[ClientObject]:
    return ClientObject(tuple(sorted(items.items()))) if items else None


@dataclass(frozen=True)
class Hook:
    """A function whose result is a client or a client object (useAnalytics, getAnalytics)."""

    returns: Union[Client, ClientObject]


@dataclass(frozen=True)
class Context:
    """A React context whose value is a client or a client object."""

    value: Union[Client, ClientObject]


@dataclass(frozen=True)
class Method:
    """A client's method taken off it by destructuring: a bare `track(...)` calls the client."""

    client: Client
    name: str
    pattern_id: int = field(default=0, compare=False)   # the object_pattern it was destructured in


Kinded = Union[Client, ClientObject, Hook, Context, Method, None]


def clients_in(kind: Kinded) -> list[Client]:
    if isinstance(kind, Client):
        return [kind]
    if isinstance(kind, ClientObject):
        return [c for _, c in kind.items]
    if isinstance(kind, Hook):
        return clients_in(kind.returns)
    if isinstance(kind, Context):
        return clients_in(kind.value)
    if isinstance(kind, Method):
        return [kind.client]
    return []


def kind_to_json(kind: Kinded) -> dict:
    if isinstance(kind, Client):
        return {"t": "client", "snippet": kind.snippet, "key": kind.key, "package": kind.package}
    if isinstance(kind, ClientObject):
        return {"t": "object", "items": {n: kind_to_json(c) for n, c in kind.items}}
    if isinstance(kind, Hook):
        return {"t": "hook", "returns": kind_to_json(kind.returns)}
    if isinstance(kind, Context):
        return {"t": "context", "value": kind_to_json(kind.value)}
    return {}


def kind_from_json(d: dict) -> Kinded:
    t = d.get("t")
    if t == "client":
        return Client(snippet=d.get("snippet", False), key=d.get("key", ""), package=d.get("package", BROWSER_PACKAGE))
    if t == "object":
        items = {n: kind_from_json(c) for n, c in d.get("items", {}).items()}
        return client_object({n: c for n, c in items.items() if isinstance(c, Client)})
    if t == "hook":
        inner = kind_from_json(d["returns"])
        return Hook(inner) if isinstance(inner, (Client, ClientObject)) else None
    if t == "context":
        inner = kind_from_json(d["value"])
        return Context(inner) if isinstance(inner, (Client, ClientObject)) else None
    return None


def intersection_kind(kinds: list) -> Kinded:
    """The kind of `A & B`: a client type among the members, else the client-holding properties
    of every member object (`Config & { analytics: AnalyticsBrowser }`)."""
    items: dict = {}
    for kind in kinds:
        if isinstance(kind, Client):
            return kind
        if isinstance(kind, ClientObject):
            items.update(kind.items)
    return client_object(items)
