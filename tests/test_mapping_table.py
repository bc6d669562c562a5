"""The mapping, language-free: SegmentCall in -> Plan and findings out, one table row each.

Every method and overload of ../shared/reference/sdk-js-python.md's Segment SDKs, missing and
null slots, run-time ids, traits and properties, every option, for the browser, the Node and the Python
targets. Expected plans are written in tests/mapping_dsl.py's neutral notation; issue ids are
the non-"converted" findings the plan carries.
"""
from __future__ import annotations

import pytest

from segamp.config import Config
from segamp.core import mapping, profiles
from mapping_dsl import (boolean, call, defined, dynamic_obj, env, fn, name, null, num, obj, s, seg, show, tmpl,
                         undef)

# analytics.js's page context: path and url by its canonical-link rules (the profile's helper)
PAGE_CTX = "path: <segmentPageContext().path>, referrer: <segmentPageContext().referrer>, search: <segmentPageContext().search>, " \
           "title: <segmentPageContext().title>, url: <segmentPageContext().url>"
# keep_identity: init seeds deviceId/userId from what analytics.js stored (the profile's helper)
IDENTITY = ", init_device_id: <segmentStoredId('ajs_anonymous_id')>, init_user_id: <segmentStoredId('ajs_user_id')>"
B, PY = "browser", "python"
N, NL = "node", "node_legacy"   # the Node target; NL: a call of the legacy analytics-node (its source table)
RN, RN1 = "react_native", "react_native_v1"   # the React Native target / analytics-react-native 2.x; RN1: 1.x

ROWS = [
    # --- track -------------------------------------------------------------------------------
    ("track name only", B, seg("track", event=s("Signed Up")), {}, "track('Signed Up')"),
    ("track with props", B, seg("track", event=s("Bought"), properties=obj(("sku", s("a")))), {},
     "track('Bought', {sku: 'a'})"),
    ("track run-time event and props", B, seg("track", event=name("ev"), properties=name("props")), {},
     "track(ev, props)"),
    ("track null props dropped", B, seg("track", event=s("X"), properties=null()), {}, "track('X')"),
    ("track no event", B, seg("track"), {}, "LEAVE | track-no-event"),
    ("track null event", B, seg("track", event=null()), {}, "LEAVE | track-no-event"),
    ("track event object", B, seg("track", shape="event-object"), {}, "LEAVE | track-event-object"),
    ("track anonymousId -> device_id", B, seg("track", event=s("X"), options={"anonymous_id": name("anon", "string")}), {},
     "track('X', -, {device_id: anon})"),
    ("track userId option", B, seg("track", event=s("X"), options={"user_id": s("u-1")}), {},
     "track('X', -, {user_id: 'u-1'})"),
    ("track numeric id literal stringified", B, seg("track", event=s("X"), options={"user_id": num(42)}), {},
     "track('X', -, {user_id: '42'})"),
    ("track timestamp -> time ms", B, seg("track", event=s("X"), options={"timestamp": name("at")}), {},
     "track('X', -, {time: ms(at)})"),
    ("track messageId -> insert_id", B, seg("track", event=s("X"), options={"message_id": tmpl("`o-${id}`")}), {},
     "track('X', -, {insert_id: `o-${id}`})"),
    ("track options keep written order", B, seg("track", event=s("X"), options={"timestamp": name("t"), "user_id": s("u1")}), {},
     "track('X', -, {time: ms(t), user_id: 'u1'})"),
    ("track context.ip and locale", B, seg("track", event=s("X"), options={"context": obj(("ip", s("1.2.3.4")), ("locale", s("de")))}), {},
     "track('X', -, {ip: '1.2.3.4', language: 'de'})"),
    ("track other context dropped", B, seg("track", event=s("X"), options={"context": obj(("ip", s("1.1.1.1")), ("page", name("p")))}), {},
     "track('X', -, {ip: '1.1.1.1'}) | context-dropped"),
    ("track run-time context", B, seg("track", event=s("X"), options={"context": name("ctx")}), {},
     "track('X') | context-runtime"),
    ("py track run-time context: ip and locale read from it", PY,
     seg("track", PY, event=s("X"), options={"user_id": s("u1"), "context": name("ctx")}), {},
     "track('X', -, {user_id: 'u1', ip: ctx.get('ip'), language: ctx.get('locale')}) | context-runtime-read"),
    ("track empty context ignored", B, seg("track", event=s("X"), options={"context": obj()}), {}, "track('X')"),
    ("track integrations block", B, seg("track", event=s("X"), options={"integrations": obj(("Amplitude", boolean(False)))}), {},
     "LEAVE | integrations"),
    ("track empty integrations ignored", B, seg("track", event=s("X"), options={"integrations": obj()}), {}, "track('X')"),
    ("track options traits dropped", B, seg("track", event=s("X"), options={"traits": obj(("a", num(1)))}), {},
     "track('X') | option-dropped"),
    ("track unknown option dropped", B, seg("track", event=s("X"), options={"other:foo": num(1)}), {},
     "track('X') | option-dropped"),
    ("track options not literal", B, seg("track", event=s("X"), options={"*": name("opts")}), {}, "LEAVE | options-not-literal"),
    ("track options spread", B, seg("track", event=s("X"), options={"...": name("base")}), {}, "LEAVE | options-spread"),
    ("track null options", B, seg("track", event=s("X"), options={"anonymous_id": null(), "timestamp": undef()}), {}, "track('X')"),
    ("track callback without args", B, seg("track", event=s("X"), callback=fn(0)), {}, "track('X') + deliver"),
    ("track callback reading ctx", B, seg("track", event=s("X"), callback=fn(1)), {}, "track('X') + deliver | callback-argument"),
    ("track value used: promise result", B, seg("track", event=s("X"), use="value"), {}, "track('X') + deliver | promise-result"),
    ("track awaited: no finding", B, seg("track", event=s("X"), use="await"), {}, "track('X') + deliver"),
    ("track Order Completed: the preset", B, seg("track", event=s("Order Completed"), properties=name("order")), {},
     "order_completed(order)"),
    ("track Order Completed with options", B, seg("track", event=s("Order Completed"), options={"message_id": s("m-1")}), {},
     "order_completed(-, {insert_id: 'm-1'})"),
    ("track other order event: plain", B, seg("track", event=s("Order Placed"), properties=name("order")), {},
     "track('Order Placed', order)"),
    ("py track Order Completed unchanged", PY, seg("track", PY, event=s("Order Completed"), options={"user_id": s("u1")}), {},
     "track('Order Completed', -, {user_id: 'u1'})"),
    ("track statement: no flush", B, seg("track", event=s("X")), {}, "track('X')"),
    ("setUserId awaited: nothing to deliver", B, seg("identify", user_id=s("u1"), use="await"), {}, "setUserId('u1')"),
    ("py track callback: no deliver", PY, seg("track", PY, event=s("X"), options={"user_id": s("u1")}, callback=fn(0)), {},
     "track('X', -, {user_id: 'u1'})"),
    ("py track user and anonymous ids", PY, seg("track", PY, event=s("Signed Up"), options={"user_id": name("uid"), "anonymous_id": name("anon")}), {},
     "track('Signed Up', -, {user_id: str(uid), device_id: str(anon)})"),
    ("py track star args", PY, seg("track", PY, shape="star:**"), {}, "LEAVE | star-args"),
    ("py track result used", PY, seg("track", PY, shape="result-used"), {}, "LEAVE | result-used"),
    ("py track unknown keyword", PY, seg("track", PY, shape="unknown:unknown argument `foo`"), {}, "LEAVE | unknown-argument"),
    ("py value used: no promise finding", PY, seg("track", PY, event=s("X"), options={"user_id": s("u1")}, use="value"), {},
     "track('X', -, {user_id: 'u1'})"),
    ("ids stringified when configured to", PY, seg("track", PY, event=s("X"), options={"user_id": name("user.pk")}),
     {"profile:stringify_ids": "always"}, "track('X', -, {user_id: str(user.pk)})"),
    ("typed string id kept when stringifying", PY, seg("track", PY, event=s("X"), options={"user_id": name("uid", "string")}),
     {"profile:stringify_ids": "always"}, "track('X', -, {user_id: uid})"),
    # --- identify ----------------------------------------------------------------------------
    ("identify id + literal traits", B, seg("identify", user_id=name("user.id", "string"), traits=obj(("email", name("e", "string")), ("plan", s("pro")))), {},
     "identify(Identify(email=e, plan='pro'), {user_id: user.id})"),
    # a name segamp cannot type may hold null/undefined (next-auth's `name?: string | null`): set() is not typed for it
    ("identify untyped name trait -> copied", B, seg("identify", user_id=name("user.id", "string"), traits=obj(("name", name("u.name")), ("plan", s("pro")))), {},
     "identify(Identify(*{name: u.name, plan: 'pro'}, null=unset), {user_id: user.id})"),
    ("identify traits only", B, seg("identify", traits=obj(("plan", s("pro")))), {}, "identify(Identify(plan='pro'))"),
    ("identify null id + traits", B, seg("identify", user_id=null(), traits=obj(("a", num(1)))), {}, "identify(Identify(a=1))"),
    ("identify run-time traits", B, seg("identify", user_id=s("u1"), traits=name("traits")), {},
     "identify(Identify(*traits?, null=unset), {user_id: 'u1'})"),
    ("identify traits with spread", B, seg("identify", user_id=s("u1"), traits=obj(("...", name("base")), ("a", num(1)))), {},
     "identify(Identify(*{...base, a: 1}, null=unset), {user_id: 'u1'})"),
    ("identify computed keys", B, seg("identify", traits=dynamic_obj("{[k]: v}")), {}, "identify(Identify(*{[k]: v}, null=unset))"),
    ("identify null trait -> unset", B, seg("identify", user_id=s("u1"), traits=obj(("nick", null()), ("plan", s("pro")))), {},
     "identify(Identify(plan='pro', -nick), {user_id: 'u1'})"),
    ("identify id only -> setUserId", B, seg("identify", user_id=s("u1")), {}, "setUserId('u1')"),
    ("identify numeric id", B, seg("identify", user_id=num(7)), {}, "setUserId('7')"),
    ("identify id + null traits", B, seg("identify", user_id=s("u1"), traits=null()), {}, "setUserId('u1')"),
    ("identify id + options no traits", B, seg("identify", user_id=s("u1"), options={"anonymous_id": s("a")}), {},
     "setUserId('u1') | identify-options-dropped"),
    ("identify id + traits + options", B, seg("identify", user_id=s("u1"), traits=obj(("a", num(1))), options={"anonymous_id": s("d1")}), {},
     "identify(Identify(a=1), {user_id: 'u1', device_id: 'd1'})"),
    ("identify empty traits literal", B, seg("identify", user_id=s("u1"), traits=obj()), {}, "setUserId('u1')"),
    ("identify no args", B, seg("identify"), {}, "LEAVE | identify-empty"),
    ("identify null only", B, seg("identify", user_id=null()), {}, "LEAVE | identify-nothing"),
    ("identify ambiguous", B, seg("identify", ambiguous=name("x")), {}, "LEAVE | identify-ambiguous"),
    ("identify callback", B, seg("identify", user_id=s("u1"), traits=obj(("a", num(1))), callback=fn(0)), {},
     "identify(Identify(a=1), {user_id: 'u1'}) + deliver"),
    ("identify integrations block", B, seg("identify", user_id=s("u1"), traits=obj(("a", num(1))), options={"integrations": name("i")}), {},
     "LEAVE | integrations"),
    ("py identify id + traits", PY, seg("identify", PY, user_id=name("uid"), traits=obj(("plan", s("pro")))), {},
     "identify(Identify(plan='pro'), {user_id: str(uid)})"),
    ("py identify anonymous only", PY, seg("identify", PY, traits=obj(("a", num(1))), options={"anonymous_id": s("anon-1")}), {},
     "identify(Identify(a=1), {device_id: 'anon-1'})"),
    ("py identify null trait kept as set", PY, seg("identify", PY, user_id=s("u1"), traits=obj(("nick", null()))), {},
     "identify(Identify(nick=null), {user_id: 'u1'})"),
    ("py identify without traits", PY, seg("identify", PY, user_id=s("u1")), {}, "comment | identify-no-traits"),
    ("py identify without ids", PY, seg("identify", PY, traits=obj(("a", num(1)))), {}, "LEAVE | identify-no-ids"),
    ("py identify run-time traits", PY, seg("identify", PY, user_id=s("u1"), traits=name("t")), {},
     "identify(Identify(*clean(t)?), {user_id: 'u1'})"),
    ("py identify timestamp", PY, seg("identify", PY, user_id=s("u1"), traits=obj(("a", num(1))), options={"timestamp": name("at")}), {},
     "identify(Identify(a=1), {user_id: 'u1', time: ms(at, naive=segment-guess)})"),
    ("py track values as Segment's clean() sent them", PY, seg("track", PY, event=s("Paid"), properties=obj(("total", call("Decimal('1.5')"))),
                                                              options={"user_id": s("u1")}), {},
     "track('Paid', clean({total: Decimal('1.5')}), {user_id: 'u1'})"),
    ("py track literal and typed values kept", PY, seg("track", PY, event=s("Paid"), properties=obj(("n", num(2)), ("s", name("plan", "string"))),
                                                       options={"user_id": s("u1")}), {},
     "track('Paid', {n: 2, s: plan}, {user_id: 'u1'})"),
    ("py run-time properties converted", PY, seg("track", PY, event=s("X"), properties=name("props"), options={"user_id": s("u1")}), {},
     "track('X', clean(props), {user_id: 'u1'})"),
    ("py message_id stringified", PY, seg("track", PY, event=s("X"), options={"user_id": s("u1"), "message_id": call("uuid4()")}), {},
     "track('X', -, {user_id: 'u1', insert_id: str(uuid4())})"),
    ("py null id stays absent", PY, seg("track", PY, event=s("X"), options={"user_id": null(), "anonymous_id": s("d-1")}), {},
     "track('X', -, {device_id: 'd-1'})"),
    # --- page / screen -----------------------------------------------------------------------
    ("page no args", B, seg("page"), {}, f"track('Viewed ', {{{PAGE_CTX}}})"),
    ("page name", B, seg("page", name=s("Home")), {}, f"track('Viewed Home', {{{PAGE_CTX}, name: 'Home'}})"),
    ("page category + name", B, seg("page", category=s("Docs"), name=s("Intro")), {},
     f"track('Viewed Intro', {{{PAGE_CTX}, name: 'Intro', category: 'Docs'}})"),
    ("page run-time name", B, seg("page", name=name("title")), {},
     f"track(`Viewed ${{title}}`, {{{PAGE_CTX}, name: title}})"),
    ("page null name", B, seg("page", name=null(), properties=obj(("a", num(1)))), {},
     f"track('Viewed ', {{{PAGE_CTX}, a: 1}})"),
    ("page props override context", B, seg("page", properties=obj(("path", s("/p")))), {},
     f"track('Viewed ', {{referrer: <segmentPageContext().referrer>, search: <segmentPageContext().search>, title: <segmentPageContext().title>, url: <segmentPageContext().url>, path: '/p'}})"),
    ("page name wins over props name", B, seg("page", name=s("Home"), properties=obj(("name", s("x")), ("a", num(1)))), {},
     f"track('Viewed Home', {{{PAGE_CTX}, a: 1, name: 'Home'}})"),
    ("page run-time props", B, seg("page", name=s("P"), properties=name("props")), {},
     f"track('Viewed P', {{{PAGE_CTX}, ...props?, name: 'P'}})"),
    ("page context off", B, seg("page", name=s("Home")), {"page_context_properties": False}, "track('Viewed Home', {name: 'Home'})"),
    ("page classic template", B, seg("page", category=s("Docs"), name=s("Intro")),
     {"page_event": "Viewed {category} {name} Page", "page_context_properties": False},
     "track('Viewed Docs Intro Page', {name: 'Intro', category: 'Docs'})"),
    ("page template with missing category", B, seg("page", name=s("Intro")),
     {"page_event": "Viewed {category} {name} Page", "page_context_properties": False},
     "track('Viewed  Intro Page', {name: 'Intro'})"),
    ("page ambiguous", B, seg("page", ambiguous=name("x")), {}, "LEAVE | page-ambiguous"),
    ("page options", B, seg("page", name=s("H"), options={"timestamp": name("t")}), {"page_context_properties": False},
     "track('Viewed H', {name: 'H'}, {time: ms(t)})"),
    ("screen name", B, seg("screen", name=s("Cart")), {}, "track('Viewed Cart')"),
    ("screen props without name", B, seg("screen", name=s("Cart"), properties=obj(("tab", s("a")))), {},
     "track('Viewed Cart', {tab: 'a'})"),
    ("screen template config", B, seg("screen", name=s("Cart")), {"screen_event": "Viewed {name} Screen"},
     "track('Viewed Cart Screen')"),
    ("py page no name", PY, seg("page", PY, options={"user_id": s("u1")}), {}, "track('Viewed ', -, {user_id: 'u1'})"),
    ("py page run-time name", PY, seg("page", PY, name=name("n"), options={"user_id": s("u1")}), {},
     "track(`Viewed ${n}`, clean({name: n}), {user_id: 'u1'})"),
    ("py screen with props", PY, seg("screen", PY, name=s("Home"), properties=obj(("a", num(1))), options={"user_id": s("u1")}), {},
     "track('Viewed Home', {a: 1, name: 'Home'}, {user_id: 'u1'})"),
    # --- group -------------------------------------------------------------------------------
    ("group id + traits", B, seg("group", group_id=name("org", "string"), traits=obj(("plan", s("ent")))), {},
     "setGroup('[Segment] Group', org); groupIdentify('[Segment] Group', org, Identify(plan='ent'))"),
    ("group id only", B, seg("group", group_id=s("team-7")), {}, "setGroup('[Segment] Group', 'team-7')"),
    ("group numeric id", B, seg("group", group_id=num(7)), {}, "setGroup('[Segment] Group', '7')"),
    ("group type config", B, seg("group", group_id=s("g")), {"group_type": "company"}, "setGroup('company', 'g')"),
    ("group no id", B, seg("group"), {}, "LEAVE | group-no-id"),
    ("group traits object first", B, seg("group", group_id=null(), traits=obj(("a", num(1)))), {}, "LEAVE | group-no-id"),
    ("group run-time traits", B, seg("group", group_id=s("g"), traits=name("t")), {},
     "setGroup('[Segment] Group', 'g'); groupIdentify('[Segment] Group', 'g', Identify(*t?, null=unset))"),
    ("py group with user and message id", PY, seg("group", PY, group_id=s("g"), traits=obj(("a", num(1))),
                                                  options={"user_id": s("u1"), "message_id": s("m1")}), {},
     "setGroup('[Segment] Group', 'g', {user_id: 'u1'}); groupIdentify('[Segment] Group', 'g', Identify(a=1), {user_id: 'u1'})"),
    # --- alias, reset, flush, setAnonymousId, others -----------------------------------------
    ("alias", B, seg("alias", user_id=s("new")), {}, "comment | alias"),
    ("py alias", PY, seg("alias", PY), {}, "comment | alias"),
    ("reset", B, seg("reset"), {}, "reset()"),
    ("py reset has no server equivalent", PY, seg("reset", PY), {}, "LEAVE | unknown-method"),
    ("flush", B, seg("flush"), {}, "flush()"),
    ("py flush", PY, seg("flush", PY), {}, "flush()"),
    ("py join -> shutdown", PY, seg("join", PY), {}, "shutdown()"),
    ("py shutdown", PY, seg("shutdown", PY), {}, "shutdown()"),
    ("setAnonymousId", B, seg("setAnonymousId", anonymous_id=s("d1")), {}, "setDeviceId('d1')"),
    ("setAnonymousId getter", B, seg("setAnonymousId"), {}, "LEAVE | set-anonymous-id-read"),
    ("ready", B, seg("ready", callback=fn(0)), {}, "LEAVE | unsupported-method"),
    ("addSourceMiddleware", B, seg("addSourceMiddleware"), {}, "LEAVE | unsupported-method"),
    ("debug", B, seg("debug"), {}, "LEAVE | unsupported-method"),
    ("unknown method", B, seg("frobnicate"), {}, "LEAVE | unknown-method"),
    # --- clients and keys --------------------------------------------------------------------
    ("load env key", B, seg("load", write_key=env("process.env.NEXT_PUBLIC_SEGMENT_WRITE_KEY!", "NEXT_PUBLIC_SEGMENT_WRITE_KEY")), {},
     f"init(process.env.NEXT_PUBLIC_AMPLITUDE_API_KEY!, {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-env-renamed"),
    ("load key in a constant read only there", B,
     seg("load", write_key=defined("writeKey", env("process.env.NEXT_PUBLIC_SEGMENT_WRITE_KEY || ''", "NEXT_PUBLIC_SEGMENT_WRITE_KEY"))), {},
     f"init(writeKey(defined as process.env.NEXT_PUBLIC_AMPLITUDE_API_KEY || ''), {{autocapture: False, min_id_length: 1{IDENTITY}}})"
     " | write-key-env-renamed"),
    ("load key in a constant that reads no env var", B, seg("load", write_key=defined("writeKey", name("config.key"))), {},
     f"init(writeKey, {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-expression"),
    ("node key in a constant", N, seg("Client", N, write_key=defined("key", env("process.env.SEGMENT_WRITE_KEY!", "SEGMENT_WRITE_KEY"))), {},
     "init(key(defined as process.env.AMPLITUDE_API_KEY!), {min_id_length: 1}) | write-key-env-renamed"),
    ("load WRITEKEY spelling", B, seg("load", write_key=env("import.meta.env.VITE_SEGMENT_WRITEKEY", "VITE_SEGMENT_WRITEKEY")), {},
     f"init(import.meta.env.VITE_AMPLITUDE_API_KEY, {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-env-renamed"),
    ("load literal key", B, seg("load", write_key=s("abc123")), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-literal"),
    # a Segment key written in as a fallback is Segment's all the same: the placeholder takes its place
    ("load env key, literal fallback", B,
     seg("load", write_key=env("process.env.SEGMENT_WRITE_KEY || 'AbCdEf0123456789AbCdEf0123456789'", "SEGMENT_WRITE_KEY")), {},
     f"init(process.env.AMPLITUDE_API_KEY || '<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}})"
     " | write-key-literal, write-key-env-renamed"),
    ("load other expression, literal fallback", B, seg("load", write_key=name("cfg.key ?? 'AbCdEf0123456789AbCdEf01'")), {},
     f"init(cfg.key ?? '<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-literal, write-key-expression"),
    # words are not keys: a short string, or one with other characters, stays
    ("load env key, word in the expression", B,
     seg("load", write_key=env("env.NODE_ENV === 'production' ? env.SEGMENT_KEY : 'dev-key'", "SEGMENT_KEY")), {},
     f"init(env.NODE_ENV === 'production' ? env.AMPLITUDE_API_KEY : 'dev-key', {{autocapture: False, min_id_length: 1{IDENTITY}}})"
     " | write-key-env-renamed"),
    ("py Client env key, literal default", PY,
     seg("Client", PY, write_key=env('os.environ.get("SEGMENT_WRITE_KEY", "AbCdEf0123456789AbCdEf0123456789")', "SEGMENT_WRITE_KEY")), {},
     'init(os.environ.get("AMPLITUDE_API_KEY", "<AMPLITUDE_API_KEY>"), {min_id_length: 1}) | write-key-literal, write-key-env-renamed'),
    ("load other expression", B, seg("load", write_key=name("config.segmentKey")), {},
     f"init(config.segmentKey, {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-expression"),
    ("load api_key_env", B, seg("load", write_key=s("abc")), {"api_key_env": "AMP_KEY"},
     f"init(env(AMP_KEY), {{autocapture: False, min_id_length: 1{IDENTITY}}})"),
    ("load min_id_length 0", B, seg("load", write_key=s("abc")), {"min_id_length": 0},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False{IDENTITY}}}) | write-key-literal"),
    ("load keep_identity off", B, seg("load", write_key=s("abc")), {"keep_identity": False},
     "init('<AMPLITUDE_API_KEY>', {autocapture: False, min_id_length: 1}) | write-key-literal"),
    ("load no write key", B, seg("load"), {}, "LEAVE | client-settings"),
    ("load settings not literal", B, seg("load", shape="settings-not-literal"), {}, "LEAVE | client-settings"),
    ("load unknown setting", B, seg("load", write_key=s("k"), settings={"plugins": name("p")}), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-literal, client-setting-dropped"),
    ("load cdnURL ignored", B, seg("load", write_key=s("k"), settings={"cdnURL": s("https://cdn.segment.com")}), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-literal"),
    ("load cdnURL proxy reported", B, seg("load", write_key=s("k"), settings={"cdnURL": s("https://t.example.com")}), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-literal, client-setting-dropped"),
    ("load disableClientPersistence", B, seg("load", write_key=s("k"), options={"disableClientPersistence": boolean(True)}), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1, identity_storage: 'none'{IDENTITY}}}) | write-key-literal"),
    ("load disableClientPersistence false", B, seg("load", write_key=s("k"), options={"disableClientPersistence": boolean(False)}), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-literal"),
    ("load cookie options reported", B, seg("load", write_key=s("k"), options={"cookie": obj(("domain", s("x.com")))}), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-literal, client-setting-dropped"),
    ("load initialPageview false", B, seg("load", write_key=s("k"), options={"initialPageview": boolean(False)}), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-literal"),
    ("load initialPageview true", B, seg("load", write_key=s("k"), options={"initialPageview": boolean(True)}), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}); track('Viewed ', {{{PAGE_CTX}}}) | write-key-literal"),
    ("load initialPageview run-time", B, seg("load", write_key=s("k"), options={"initialPageview": name("pv")}), {},
     f"init('<AMPLITUDE_API_KEY>', {{autocapture: False, min_id_length: 1{IDENTITY}}}) | write-key-literal, initial-pageview"),
    ("py Client env key", PY, seg("Client", PY, write_key=env('os.environ["SEGMENT_WRITE_KEY"]', "SEGMENT_WRITE_KEY")), {},
     'init(os.environ["AMPLITUDE_API_KEY"], {min_id_length: 1}) | write-key-env-renamed'),
    ("py Client literal key", PY, seg("Client", PY, write_key=s("k")), {}, "init('<AMPLITUDE_API_KEY>', {min_id_length: 1}) | write-key-literal"),
    ("py Client options", PY, seg("Client", PY, write_key=s("k"), settings={"upload_size": num(50), "upload_interval": num(2), "max_retries": num(3)}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1, flush_queue_size: 50, flush_interval_millis: 2000, flush_max_retries: 3}) | write-key-literal"),
    ("py Client send", PY, seg("Client", PY, write_key=s("k"), settings={"send": name("ENABLED")}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1}); config.opt_out = not(ENABLED) | write-key-literal"),
    ("py Client send literal", PY, seg("Client", PY, write_key=s("k"), settings={"send": boolean(False)}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1}); config.opt_out = True | write-key-literal"),
    ("py Client send default", PY, seg("Client", PY, write_key=s("k"), settings={"send": boolean(True)}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1}) | write-key-literal"),
    ("py Client run-time interval", PY, seg("Client", PY, write_key=s("k"), settings={"upload_interval": name("T")}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1, flush_interval_millis: s_to_ms(T)}) | write-key-literal"),
    ("py Client harmless drops", PY, seg("Client", PY, write_key=s("k"), settings={"debug": boolean(True), "gzip": boolean(True)}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1}) | write-key-literal, option-dropped-harmless, option-dropped-harmless"),
    ("py Client on_error", PY, seg("Client", PY, write_key=s("k"), settings={"on_error": name("cb")}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1}) | write-key-literal, client-setting-dropped"),
    ("py Client host env", PY, seg("Client", PY, write_key=s("k"), settings={"host": env('os.getenv("SEGMENT_HOST")', "SEGMENT_HOST")}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1, server_url: os.getenv(\"AMPLITUDE_SERVER_URL\")}) | write-key-literal, host"),
    ("py Client EU host -> EU zone", PY, seg("Client", PY, write_key=s("k"), settings={"host": s("https://events.eu1.segmentapis.com")}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1, server_zone: 'EU'}) | write-key-literal"),
    ("py Client other literal host", PY, seg("Client", PY, write_key=s("k"), settings={"host": s("https://proxy.example.com")}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1}) | write-key-literal, host"),
    ("py module write_key", PY, seg("write_key", PY, write_key=name("settings.SEGMENT_KEY")), {},
     "init(settings.SEGMENT_KEY, {min_id_length: 1}) | write-key-expression"),
    ("py module setting", PY, seg("setting", PY, settings={"upload_size": num(10)}), {}, "config.flush_queue_size = 10"),
    ("py module debug setting goes", PY, seg("setting", PY, settings={"debug": boolean(True)}), {}, "(remove) | option-dropped-harmless"),
    ("py module sync_mode", PY, seg("setting", PY, settings={"sync_mode": boolean(True)}), {}, "comment | client-setting-dropped"),
    ("py module sync_mode default", PY, seg("setting", PY, settings={"sync_mode": boolean(False)}), {}, "(remove)"),
    # --- Node (@segment/analytics-node, legacy analytics-node -> @amplitude/analytics-node) -------
    # --- React Native (analytics-react-native 2.x and 1.x) ------------------------------------
    ("rn screen -> Viewed {name}, properties as sent", RN, seg("screen", RN, name=s("Home"), properties=obj(("tab", s("a")))), {},
     "track('Viewed Home', {tab: 'a'})"),
    ("rn reset() resets the device too", RN, seg("reset", RN), {}, "reset()"),
    ("rn reset(false) keeps the anonymous id", RN, seg("reset", RN, reset_anonymous_id=boolean(False)), {},
     "setUserId(null)"),
    ("rn reset(run-time) left", RN, seg("reset", RN, reset_anonymous_id=name("keep")), {}, "LEAVE | unknown-argument"),
    ("rn alias makes the new id the user", RN, seg("alias", RN, user_id=name("newId", "string")), {}, "setUserId(newId)"),
    ("rn v1 alias sent nothing", RN, seg("alias", RN1, user_id=name("newId", "string")), {}, "comment | alias"),
    ("rn enrichment closure left", RN, seg("track", RN, shape="unknown:Segment's per-call enrichment closure"), {},
     "LEAVE | unknown-argument"),
    ("rn v1 numeric id stringified", RN, seg("identify", RN1, user_id=name("user.id"), traits=obj(("a", num(1)))), {},
     "identify(Identify(a=1), {user_id: str(user.id)})"),
    ("node track ids in options", N, seg("track", N, event=s("X"), properties=name("p"),
                                          options={"user_id": name("u", "string"), "anonymous_id": name("a", "string")}), {},
     "track('X', p, {user_id: u, device_id: a})"),
    ("node track untyped id stringified", N, seg("track", NL, event=s("X"), options={"user_id": name("u")}), {},
     "track('X', -, {user_id: str(u)})"),
    ("node identify traits with user_id", N, seg("identify", N, user_id=name("u", "string"), traits=obj(("plan", s("pro")))), {},
     "identify(Identify(plan='pro'), {user_id: u})"),
    ("node identify anonymous", N, seg("identify", N, traits=obj(("a", num(1))), options={"anonymous_id": s("anon-1")}), {},
     "identify(Identify(a=1), {device_id: 'anon-1'})"),
    ("node identify without traits", N, seg("identify", N, user_id=s("u-1")), {}, "comment | identify-no-traits"),
    ("node identify without ids", N, seg("identify", N, traits=obj(("a", num(1)))), {}, "LEAVE | identify-no-ids"),
    ("node page: category into properties, never name", N,
     seg("page", N, name=s("Home"), category=s("Docs"), properties=obj(("path", s("/"))), options={"user_id": s("u-1")}), {},
     "track('Viewed Home', {path: '/', category: 'Docs'}, {user_id: 'u-1'})"),
    ("node screen: properties as sent", N, seg("screen", N, name=s("S"), category=s("C"), options={"user_id": s("u-1")}), {},
     "track('Viewed S', -, {user_id: 'u-1'})"),
    ("node legacy page: properties as written", N, seg("page", NL, name=s("Home"), category=s("Docs"), options={"user_id": s("u-1")}), {},
     "track('Viewed Home', -, {user_id: 'u-1'})"),
    ("node group with user", N, seg("group", N, group_id=s("g1"), traits=obj(("n", s("A"))), options={"user_id": s("u-1")}), {},
     "setGroup('[Segment] Group', 'g1', {user_id: 'u-1'}); groupIdentify('[Segment] Group', 'g1', Identify(n='A'), {user_id: 'u-1'})"),
    ("node closeAndFlush", N, seg("closeAndFlush", N, use="await"), {}, "flush()"),
    ("node on error kept as a comment", N, seg("on", N, event=s("error")), {}, "comment | emitter-handler"),
    ("node on other event left", N, seg("on", N, event=s("track")), {}, "LEAVE | unsupported-method"),
    ("node reset has no server equivalent", N, seg("reset", N), {}, "LEAVE | unknown-method"),
    ("node legacy chained result left", N, seg("track", NL, event=s("X"), options={"user_id": s("u")}, use="chain"), {},
     "LEAVE | result-used"),
    ("node client settings", N, seg("Client", N, write_key=env("process.env.SEGMENT_WRITE_KEY", "SEGMENT_WRITE_KEY"),
                                     settings={"flushAt": num(20), "flushInterval": num(5000), "maxRetries": num(3),
                                               "host": s("https://events.eu1.segmentapis.com"), "httpRequestTimeout": num(1)}), {},
     "init(process.env.AMPLITUDE_API_KEY, {min_id_length: 1, flush_queue_size: 20, flush_interval_millis: 5000, "
     "flush_max_retries: 3, server_zone: 'EU'}) | write-key-env-renamed, option-dropped-harmless"),
    ("node legacy enable -> optOut", N, seg("Client", NL, write_key=s("k"), settings={"enable": boolean(False)}), {},
     "init('<AMPLITUDE_API_KEY>', {min_id_length: 1, opt_out: True}) | write-key-literal"),
]


def _setup(target: str, overrides: dict):
    profile = profiles.load(target)
    config = Config()
    for key, val in overrides.items():
        if key.startswith("profile:"):
            from dataclasses import replace
            profile = replace(profile, **{key[len("profile:"):]: val})
        else:
            setattr(config, key, val)
    return profile, config


@pytest.mark.parametrize("title,target,segment_call,overrides,expected", ROWS, ids=[r[0] for r in ROWS])
def test_mapping_row(title, target, segment_call, overrides, expected):
    profile, config = _setup(target, overrides)
    plan = mapping.map_call(segment_call, profile, config)
    assert show(plan) == expected


@pytest.mark.parametrize("keep", [True, False])
def test_keep_identity_writes_the_stored_id_helper(keep):
    """keep_identity: the init options call the profile's stored-id reader, which the file gets once."""
    profile, config = _setup(B, {"keep_identity": keep})
    assert mapping.map_call(seg("load", write_key=s("k")), profile, config).helpers == (("stored_id",) if keep else ())
    pageview = seg("load", write_key=s("k"), options={"initialPageview": boolean(True)})
    assert mapping.map_call(pageview, profile, config).helpers == (("stored_id",) if keep else ()) + ("page_context",)
    python = mapping.map_call(seg("Client", PY, write_key=s("k")), *_setup(PY, {}))
    assert python.helpers == () and "init_device_id" not in dict(python.ops[0].options)


@pytest.mark.parametrize("keep", [True, False])
def test_react_native_identity_is_an_asynchronous_seed(keep):
    """keep_identity on React Native: AsyncStorage is read asynchronously, so the init carries the
    profile's wrap (init waits for the read) and options from what it found; 1.x kept its ids in
    native code: no seed, identity-not-carried."""
    profile, config = _setup(RN, {"keep_identity": keep})
    v2 = mapping.map_call(seg("Client", RN, write_key=s("k")), profile, config)
    init = v2.ops[0]
    assert bool(init.wrap) is keep and ("segmentStoredIdentity()" in init.wrap if keep else True)
    assert (dict(init.options).get("init_device_id") is not None) is keep
    assert v2.helpers == (("stored_identity",) if keep else ())
    v1 = mapping.map_call(seg("Client", RN1, write_key=s("k")), profile, config)
    assert not v1.ops[0].wrap and "init_device_id" not in dict(v1.ops[0].options) and v1.helpers == ()
    assert ("identity-not-carried" in {i.rule for i in v1.issues}) is keep
    # a storePersistor (MMKV and the like) kept the ids where the seed does not read: no seed
    moved = mapping.map_call(seg("Client", RN, write_key=s("k"), settings={"storePersistor": name("mmkv")}), profile, config)
    assert not moved.ops[0].wrap and "init_device_id" not in dict(moved.ops[0].options) and moved.helpers == ()
    assert ("identity-not-carried" in {i.rule for i in moved.issues}) is keep


def test_page_context_helper_only_with_page_context():
    profile, config = _setup(B, {})
    assert mapping.map_call(seg("page", name=s("H")), profile, config).helpers == ("page_context",)
    assert mapping.map_call(seg("screen", name=s("H")), profile, config).helpers == ()
    profile, config = _setup(B, {"page_context_properties": False})
    assert mapping.map_call(seg("page", name=s("H")), profile, config).helpers == ()


def test_table_size_and_coverage():
    assert len(ROWS) >= 60
    methods = {r[2].method for r in ROWS}
    for m in ("track", "identify", "page", "screen", "group", "alias", "reset", "flush", "join", "shutdown",
              "setAnonymousId", "load", "Client", "write_key", "setting"):
        assert m in methods, m


def test_every_issue_id_is_in_the_catalog():
    from segamp.core import findings
    for _, target, segment_call, overrides, _ in ROWS:
        profile, config = _setup(target, overrides)
        for issue in mapping.map_call(segment_call, profile, config).issues:
            findings.entry(issue.rule)
