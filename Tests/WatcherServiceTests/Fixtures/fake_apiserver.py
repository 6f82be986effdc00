#!/usr/bin/env python3
"""STAND-IN Kubernetes API server for istiowatcher's tests. This is NOT Kubernetes.

It serves just what the kubernetes and gateway-api routers touch, and enforces what the real API
server enforces on those calls:
  GET/PATCH/PUT /apis/networking.istio.io/<version>/namespaces/<ns>/virtualservices/<name>
  GET/PATCH/PUT /apis/gateway.networking.k8s.io/v1/namespaces/<ns>/httproutes/<name>
  POST          /api/v1/namespaces/<ns>/events
- TLS with the certificate it is given (the tests make their own CA with the openssl CLI);
- the bearer token: none -> 401, a wrong one -> 403;
- Content-Type: application/json on PUT and POST, else 415;
- PATCH as the API server answers it for a custom resource (both route kinds are CRDs), following
  kubernetes/kubernetes staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go (PatchResource
  and jsonPatcher.applyJSPatch) and the evanphx/json-patch library it calls:
  - a Content-Type other than application/json-patch+json, application/merge-patch+json or
    application/apply-patch+yaml -> 415 UnsupportedMediaType (strategic merge is not served for
    CRDs); only JSON Patch is implemented here, the other two answer 415 too, saying so;
  - a body jsonpatch.DecodePatch rejects (not JSON, not an array of objects) -> 400 BadRequest;
  - a patch that cannot be applied: a failed `test`, a path that does not exist, an unknown op ->
    422 with reason Invalid and the generic message "the server rejected our request due to an
    error in our request" (errors.NewGenericServerResponse(422, ...), which keeps no detail: see
    kubernetes/kubernetes#68346, "kube-apiserver would return 422 Unprocessable Entity when a json
    patch couldn't be applied", and #68202, where a failed test used to be a 500);
  - a patch that sets metadata.resourceVersion to another value than the stored one -> 409
    Conflict (the version becomes an update precondition), one that renames the object -> 400;
  - each applied patch gets a new resourceVersion;
- optimistic concurrency on PUT: a metadata.resourceVersion that is not the current one -> 409,
  none -> 422; each accepted PUT gets a new resourceVersion;
- 404 for a VirtualService or HTTPRoute that does not exist (and for HTTPRoutes of any other
  version than v1, as if only the v1 CRD were installed).
It does not check RBAC (which verbs the token may use) or the CRDs' schemas: the Deployment tests
check the Role against what the router calls.

Test-only control endpoints (no token needed), under /_standin/:
  GET  /_standin/requests        every API request so far: method, path, headers, status, body,
                                 and the JSON answered
  GET  /_standin/virtualservice  the stored VirtualService (null when absent)
  GET  /_standin/httproute       the stored HTTPRoute (null when absent)
  POST /_standin/control         JSON: {"bumpAfterGet": n}   the next n GETs bump the version
                                        after answering, as if someone else wrote in between;
                                       {"failEvents": status} Event creation answers that status;
                                       {"delaySeconds": s}   every API answer waits s seconds;
                                       {"moveAfterGet": n}   the next n GETs, after answering, also
                                        move the route's rules one place down (a new first rule), as
                                        if someone else had edited the object.

Usage: fake_apiserver.py --cert C --key K --token T [--virtual-service FILE] [--http-route FILE]
                         [--port 0]
It prints the port it listens on, then serves until killed.
"""
import argparse
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VS_PREFIX = "/apis/networking.istio.io/"
HTTPROUTE_PREFIX = "/apis/gateway.networking.k8s.io/v1/"
# resource -> the group its "not found" and "conflict" messages name, as the real server does
GROUPS = {"virtualservices": "networking.istio.io", "httproutes": "gateway.networking.k8s.io"}


JSON_PATCH = "application/json-patch+json"
# What the API server accepts on PATCH of a custom resource (no strategic merge for CRDs).
PATCH_TYPES = [JSON_PATCH, "application/merge-patch+json", "application/apply-patch+yaml"]
# resource -> the key of its rule list, for moveAfterGet
RULES = {"virtualservices": "http", "httproutes": "rules"}


class PatchFailed(Exception):
    """An operation that cannot be applied (RFC 6902 section 5: the whole patch is refused)."""


def decode_patch(raw):
    """(operations, None), or (None, why) for what jsonpatch.DecodePatch rejects: the body must be a
    JSON array of objects (Go's json.Unmarshal into []map[string]*json.RawMessage)."""
    try:
        operations = json.loads(raw)
    except ValueError as error:
        return None, "invalid character in the patch: %s" % error
    if not isinstance(operations, list):
        kind = {dict: "object", str: "string", bool: "bool", type(None): "null"}.get(type(operations), "number")
        return None, "json: cannot unmarshal %s into Go value of type jsonpatch.Patch" % kind
    if not all(isinstance(operation, dict) for operation in operations):
        return None, "json: cannot unmarshal an element into Go value of type jsonpatch.Operation"
    return operations, None


def pointer(path):
    """The reference tokens of a JSON Pointer (RFC 6901)."""
    if not isinstance(path, str) or (path and not path.startswith("/")):
        raise PatchFailed("not a JSON pointer: %r" % (path,))
    return [token.replace("~1", "/").replace("~0", "~") for token in path.split("/")[1:]] if path else []


def same(a, b):
    """JSON equality: 1 and true differ, 1 and 1.0 do not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b and isinstance(a, (int, float)) == isinstance(b, (int, float))


def parent(document, tokens):
    """(container, last token) for a path; PatchFailed when the container is missing."""
    node = document
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise PatchFailed("missing path")
    return node, tokens[-1]


def get(document, tokens):
    container, key = parent(document, tokens)
    if isinstance(container, dict) and key in container:
        return container[key]
    if isinstance(container, list) and key.isdigit() and int(key) < len(container):
        return container[int(key)]
    raise PatchFailed("missing path")


def apply_operation(document, operation):
    """One RFC 6902 operation; returns the new document."""
    op = operation.get("op")
    tokens = pointer(operation.get("path"))
    if op in ("add", "replace", "test") and "value" not in operation:
        raise PatchFailed("missing value")
    value = operation.get("value")
    if op == "test":
        if not same(get(document, tokens), value):
            raise PatchFailed("test failed")
        return document
    if not tokens:
        if op in ("add", "replace"):
            return value
        raise PatchFailed("cannot %s the whole document" % op)
    container, key = parent(document, tokens)
    if op == "add":
        if isinstance(container, dict):
            container[key] = value
        elif isinstance(container, list) and (key == "-" or (key.isdigit() and int(key) <= len(container))):
            container.insert(len(container) if key == "-" else int(key), value)
        else:
            raise PatchFailed("missing path")
        return document
    if op in ("replace", "remove"):
        get(document, tokens)  # both need the target to exist
        if op == "remove":
            del container[int(key) if isinstance(container, list) else key]
        else:
            container[int(key) if isinstance(container, list) else key] = value
        return document
    if op in ("move", "copy"):
        moved = get(document, pointer(operation.get("from")))
        if op == "move":
            document = apply_operation(document, {"op": "remove", "path": operation.get("from")})
        return apply_operation(document, {"op": "add", "path": operation.get("path"),
                                          "value": json.loads(json.dumps(moved))})
    raise PatchFailed("Unexpected kind: %s" % op)


class Stored:
    """One object and its resourceVersion."""

    def __init__(self, document):
        self.document = document
        self.version = int(document["metadata"].get("resourceVersion", "1")) if document else 1
        if document:
            document["metadata"]["resourceVersion"] = str(self.version)

    def bump(self):
        self.version += 1
        self.document["metadata"]["resourceVersion"] = str(self.version)


class State:
    def __init__(self, virtual_service, http_route):
        self.lock = threading.Lock()
        self.objects = {"virtualservices": Stored(virtual_service), "httproutes": Stored(http_route)}
        self.requests = []
        self.bump_after_get = 0
        self.move_after_get = 0
        self.fail_events = None
        self.delay = 0.0
        self.event_count = 0


def conflict_body(qualified, name):
    """The apiserver's 409 for a stale resourceVersion, on PUT and PATCH alike."""
    return status_body(409, "Conflict",
                       'Operation cannot be fulfilled on %s "%s": the object has been modified; '
                       'please apply your changes to the latest version and try again' % (qualified, name))


def status_body(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "standin-apiserver"

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.dispatch("GET")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def send_json(self, code, document):
        body = json.dumps(document).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def dispatch(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        state = self.server.state
        if self.path.startswith("/_standin/"):
            return self.control(method, raw)
        code, document = self.api(method, raw)
        with state.lock:
            state.requests.append({
                "method": method, "path": self.path, "status": code,
                "authorization": self.headers.get("Authorization"),
                "contentType": self.headers.get("Content-Type"),
                "body": raw.decode("utf-8", "replace"),
                "response": document,
            })
            delay = state.delay
        if delay:
            time.sleep(delay)
        self.send_json(code, document)

    def control(self, method, raw):
        state = self.server.state
        with state.lock:
            if method == "GET" and self.path == "/_standin/requests":
                return self.send_json(200, state.requests)
            if method == "GET" and self.path == "/_standin/virtualservice":
                return self.send_json(200, state.objects["virtualservices"].document)
            if method == "GET" and self.path == "/_standin/httproute":
                return self.send_json(200, state.objects["httproutes"].document)
            if method == "POST" and self.path == "/_standin/control":
                options = json.loads(raw or b"{}")
                state.bump_after_get = options.get("bumpAfterGet", state.bump_after_get)
                state.move_after_get = options.get("moveAfterGet", state.move_after_get)
                state.fail_events = options.get("failEvents", state.fail_events)
                state.delay = options.get("delaySeconds", state.delay)
                return self.send_json(200, {"ok": True})
        self.send_json(404, status_body(404, "NotFound", "no such stand-in control"))

    def api(self, method, raw):
        state = self.server.state
        self.body = raw
        authorization = self.headers.get("Authorization")
        if not authorization:
            return 401, status_body(401, "Unauthorized", "Unauthorized")
        if authorization != "Bearer " + self.server.token:
            return 403, status_body(403, "Forbidden", "the token does not grant access (stand-in: wrong token)")
        if method in ("PUT", "POST"):
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if content_type != "application/json":
                return 415, status_body(415, "UnsupportedMediaType",
                                        "the body of the request was in an unknown format - accepted media types "
                                        "include: application/json")
        parts = self.path.split("/")
        if self.path.startswith(VS_PREFIX) and len(parts) == 8 and parts[4] == "namespaces" \
                and parts[6] == "virtualservices":
            return self.route_object(method, "virtualservices", parts[5], parts[7], raw)
        if self.path.startswith(HTTPROUTE_PREFIX) and len(parts) == 8 and parts[4] == "namespaces" \
                and parts[6] == "httproutes":
            return self.route_object(method, "httproutes", parts[5], parts[7], raw)
        if len(parts) == 6 and parts[1:4] == ["api", "v1", "namespaces"] and parts[5] == "events":
            return self.event(method, parts[4], raw)
        return 404, status_body(404, "NotFound", "the server could not find the requested resource")

    def route_object(self, method, resource, namespace, name, raw):
        state = self.server.state
        qualified = "%s.%s" % (resource, GROUPS[resource])
        with state.lock:
            entry = state.objects[resource]
            stored = entry.document
            if stored is None or stored["metadata"]["name"] != name or stored["metadata"]["namespace"] != namespace:
                return 404, status_body(404, "NotFound", '%s "%s" not found' % (qualified, name))
            if method == "GET":
                answer = json.loads(json.dumps(stored))
                if state.bump_after_get > 0:
                    state.bump_after_get -= 1
                    entry.bump()
                if state.move_after_get > 0:
                    state.move_after_get -= 1
                    rules = RULES[resource]
                    entry.document["spec"][rules].insert(0, {"comment": "inserted by someone else"})
                    entry.bump()
                return 200, answer
            if method == "PATCH":
                return self.patch(entry, qualified, name)
            if method != "PUT":
                return 405, status_body(405, "MethodNotAllowed", "the stand-in allows GET, PATCH and PUT here")
            try:
                document = json.loads(raw)
            except ValueError as error:
                return 400, status_body(400, "BadRequest", "invalid JSON: %s" % error)
            metadata = document.get("metadata") or {}
            if metadata.get("name") != name:
                return 400, status_body(400, "BadRequest", "the name of the object does not match the URL")
            version = metadata.get("resourceVersion")
            if not version:
                return 422, status_body(422, "Invalid", "metadata.resourceVersion: must be specified for an update")
            if version != str(entry.version):
                return 409, conflict_body(qualified, name)
            entry.document = document
            entry.bump()
            return 200, document

    def patch(self, entry, qualified, name):
        """PATCH of a stored route object; the caller holds the lock. See the module docstring."""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type not in PATCH_TYPES:
            return 415, status_body(415, "UnsupportedMediaType",
                                    "the body of the request was in an unknown format - accepted media types "
                                    "include: " + ", ".join(PATCH_TYPES))
        if content_type != JSON_PATCH:
            return 415, status_body(415, "UnsupportedMediaType",
                                    "stand-in: only application/json-patch+json is implemented here")
        operations, problem = decode_patch(self.body)
        if problem:
            return 400, status_body(400, "BadRequest", problem)
        document = json.loads(json.dumps(entry.document))
        try:
            for operation in operations:
                document = apply_operation(document, operation)
        except PatchFailed:
            return 422, status_body(422, "Invalid", "the server rejected our request due to an error in our request")
        metadata = document.get("metadata") if isinstance(document, dict) else None
        if not isinstance(metadata, dict) or metadata.get("name") != name:
            return 400, status_body(400, "BadRequest", "the name of the object does not match the URL")
        if metadata.get("resourceVersion", str(entry.version)) != str(entry.version):
            return 409, conflict_body(qualified, name)
        entry.document = document
        entry.bump()
        return 200, document

    def event(self, method, namespace, raw):
        state = self.server.state
        if method != "POST":
            return 405, status_body(405, "MethodNotAllowed", "the stand-in allows POST here")
        with state.lock:
            if state.fail_events:
                return state.fail_events, status_body(state.fail_events, "Forbidden",
                                                      'events is forbidden: cannot create resource "events"')
            try:
                document = json.loads(raw)
            except ValueError as error:
                return 400, status_body(400, "BadRequest", "invalid JSON: %s" % error)
            if document.get("kind") != "Event" or "involvedObject" not in document:
                return 422, status_body(422, "Invalid", "not an Event with an involvedObject")
            if (document.get("metadata") or {}).get("namespace", namespace) != namespace:
                return 422, status_body(422, "Invalid", "the namespace of the object does not match the URL")
            state.event_count += 1
            metadata = document.setdefault("metadata", {})
            metadata["name"] = metadata.get("generateName", "event.") + "standin%d" % state.event_count
            return 201, document


def main():
    parser = argparse.ArgumentParser(description="STAND-IN Kubernetes API server for tests")
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--virtual-service")
    parser.add_argument("--http-route")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    def load(path):
        if not path:
            return None
        with open(path) as file:
            return json.load(file)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    # The handshake happens in the handler's thread, so a client that fails it cannot stall accept().
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    server.state = State(load(args.virtual_service), load(args.http_route))
    server.token = args.token
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
