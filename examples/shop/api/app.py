import os

import segment.analytics as analytics
from flask import Flask, request

analytics.write_key = os.environ["SEGMENT_WRITE_KEY"]

app = Flask(__name__)


@app.post("/signup")
def signup():
    body = request.get_json()
    analytics.identify(body["user_id"], {"email": body["email"], "plan": "free"})
    analytics.track(body["user_id"], "Signed Up", {"source": body.get("source", "web")})
    return {"ok": True}


@app.post("/orgs/<org_id>/join")
def join(org_id):
    analytics.group(request.get_json()["user_id"], org_id, {"name": "Acme"})
    return {"ok": True}
