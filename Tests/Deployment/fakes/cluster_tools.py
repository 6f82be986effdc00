#!/usr/bin/env python3
"""Stand-ins for kubectl, istioctl, make and curl, for running scripts/deploy-clusters without
clusters. Installed on PATH under those names (symlinks to this file); the name picks the tool.

Two clusters are kept in a JSON file ($FAKE_STATE), so a second run sees what the first created.
What the real tools would refuse, these refuse too: an object in a namespace that does not exist
yet, `create` of a Secret that exists, labels on a missing namespace. `apply -k` renders with the
real kubectl ($REAL_KUBECTL). Every call is appended to $FAKE_LOG as one JSON line."""
import base64
import fcntl
import json
import os
import re
import subprocess
import sys

import yaml

TOOL = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]
STATE_FILE = os.environ["FAKE_STATE"]
EASTWEST = {"cluster1": "a1b2c3.elb.us-east-1.amazonaws.com", "cluster2": "198.51.100.2"}  # AWS: a hostname
INGRESS = "203.0.113.7"
STDIN = ""


def load():
    if os.path.exists(STATE_FILE):
        with open(STATE_FILE) as f:
            return json.load(f)
    return {"contexts": {}, "lb_polls": 0}


def context(state, name):
    return state["contexts"].setdefault(name, {"namespaces": ["default", "kube-system"], "objects": {}})


def fail(message, code=1):
    print(f"Error from server: {message}", file=sys.stderr)
    sys.exit(code)


SHORT = {"namespace": "-n", "output": "-o", "filename": "-f", "kustomize": "-k"}


def option(name, default=None):
    for i, a in enumerate(ARGS):
        if a.startswith(f"--{name}="):
            return a.split("=", 1)[1]
        if a in (f"--{name}", SHORT.get(name)) and i + 1 < len(ARGS):
            return ARGS[i + 1]
    return default


def positional():
    out, skip = [], False
    for a in ARGS:
        if skip:
            skip = False
        elif a in ("-n", "--namespace", "-o", "-f", "-k", "--image", "--timeout"):
            skip = True
        elif not a.startswith("-"):
            out.append(a)
    return out


def key(obj, namespace):
    return f'{obj["kind"]}/{obj["metadata"].get("namespace", namespace)}/{obj["metadata"]["name"]}'


def store(ctx, objects, namespace="default"):
    for obj in objects:
        ns = obj["metadata"].get("namespace", namespace)
        if obj["kind"] == "Namespace":
            if obj["metadata"]["name"] not in ctx["namespaces"]:
                ctx["namespaces"].append(obj["metadata"]["name"])
            continue
        if ns not in ctx["namespaces"]:
            fail(f'namespaces "{ns}" not found')
        ctx["objects"][key(obj, namespace)] = obj


def secret_yaml(name, namespace, sources):
    data = {}
    for source in sources:
        k, _, path = source.partition("=")
        if not path:
            k, path = os.path.basename(source), source
        if path == "/dev/stdin":
            data[k] = base64.b64encode(STDIN.encode()).decode()
        else:
            with open(path, "rb") as f:
                data[k] = base64.b64encode(f.read()).decode()
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": name, "namespace": namespace}, "data": data}


def kubectl(state):
    ctx_name = option("context", "none")
    ctx = context(state, ctx_name)
    ns = option("namespace", "default")
    pos = positional()
    verb = pos[0] if pos else ""
    dry = "--dry-run=client" in ARGS
    if verb == "get" and "--raw" in ARGS:
        print('{\n  "major": "1",\n  "minor": "31",\n  "gitVersion": "v1.31.2"\n}')
    elif verb == "config":
        print(f"https://api.{ctx_name}.example:6443", end="")
    elif verb == "run":
        print("ok")
    elif verb == "create" and pos[1] == "namespace":
        obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": pos[2]}}
        if dry:
            print(yaml.safe_dump(obj))
        elif pos[2] in ctx["namespaces"]:
            fail(f'namespaces "{pos[2]}" already exists')
        else:
            store(ctx, [obj])
    elif verb == "create" and pos[1:3] == ["secret", "generic"]:
        sources = [a.split("=", 1)[1] for a in ARGS if a.startswith("--from-file=")]
        obj = secret_yaml(pos[3], ns, sources)
        if dry:
            print(yaml.safe_dump(obj))
        elif key(obj, ns) in ctx["objects"]:
            fail(f'secrets "{pos[3]}" already exists')
        else:
            store(ctx, [obj], ns)
    elif verb in ("label", "annotate") and pos[1] == "namespace":
        if pos[2] not in ctx["namespaces"]:
            fail(f'namespaces "{pos[2]}" not found')
    elif verb == "apply":
        directory = option("kustomize")
        if directory:
            rendered = subprocess.run([os.environ["REAL_KUBECTL"], "kustomize", directory],
                                      capture_output=True, text=True)
            if rendered.returncode:
                fail(rendered.stderr)
            store(ctx, [o for o in yaml.safe_load_all(rendered.stdout) if o], ns)
        elif option("filename") == "-":
            store(ctx, [o for o in yaml.safe_load_all(STDIN) if o], ns)
        # -f FILE: Istio's samples; nothing to check here
    elif verb == "get" and pos[1] == "secret":
        obj = ctx["objects"].get(f"Secret/{ns}/{pos[2]}")
        if obj is None:
            fail(f'secrets "{pos[2]}" not found')
        m = re.fullmatch(r"jsonpath=\{\.data\.(\w+)\}", option("output", "") or "")
        if m:
            print(obj["data"][m.group(1)], end="")
    elif verb == "get" and pos[1] == "service":
        state["lb_polls"] += 1
        if state["lb_polls"] == 1:
            return  # the first poll finds no address yet, as right after the install
        print(INGRESS if pos[2] == "istio-ingressgateway" else EASTWEST[ctx_name.split("-")[-1]], end="")
    elif verb == "get" and pos[1] == "virtualservice":
        print("100", end="")
    elif verb == "rollout":
        pass
    else:
        fail(f"fake kubectl does not know: {ARGS}", 3)


def istioctl(state):
    if "install" in ARGS:
        state.setdefault("installs", []).append({"context": option("context"), "spec": STDIN})
    elif "create-remote-secret" in ARGS:
        print(yaml.safe_dump({"apiVersion": "v1", "kind": "Secret",
                              "metadata": {"name": "istio-remote-secret-cluster2", "namespace": "istio-system"}}))
    elif "remote-clusters" in ARGS:
        print("NAME     SECRET                                    STATUS  ISTIOD")
        print("cluster1                                           synced  istiod-7d4f")
        print("cluster2 istio-system/istio-remote-secret-cluster2 synced  istiod-7d4f")
    elif "version" not in ARGS:
        fail(f"fake istioctl does not know: {ARGS}", 3)


def make(state):
    directory = ARGS[ARGS.index("-C") + 1]
    for target in ARGS:
        m = re.fullmatch(r"(cluster\d)-cacerts", target)
        if m:
            os.makedirs(os.path.join(directory, m.group(1)), exist_ok=True)
            for name in ("ca-cert.pem", "ca-key.pem", "root-cert.pem", "cert-chain.pem"):
                with open(os.path.join(directory, m.group(1), name), "w") as f:
                    f.write(f"{m.group(1)} {name}\n")


def curl(state):
    url = ARGS[-1]
    if url.endswith("/api/rate"):
        token = base64.b64decode(context(state, "ctx-cluster1")["objects"][
            "Secret/string-hashr/rate-control-token"]["data"]["token"]).decode()
        if f"Authorization: Bearer {token}" not in ARGS:
            print('{"error": "unauthorized"}', file=sys.stderr)
            sys.exit(22)
        state.setdefault("rates", []).append(json.loads(ARGS[ARGS.index("-d") + 1])["rps"])
    elif url.endswith("/api/results"):
        print("event: calculation\ndata: bursty-q2c1WxT0Zb0e3rZy0u+1P0r2b3c4d5e6f7g8h9i0j1k=\n")
        sys.exit(28)  # --max-time ends every stream
    elif "Authorization" in " ".join(ARGS):
        fail("token sent where it does not belong", 3)


def main():
    global STDIN
    # Read what a pipeline feeds us before taking the lock: the writer may be waiting for it.
    if "-" in ARGS or any(a.endswith("=/dev/stdin") for a in ARGS):
        STDIN = sys.stdin.read()
    with open(STATE_FILE + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        state = load()
        with open(os.environ["FAKE_LOG"], "a") as log:
            log.write(json.dumps({"tool": TOOL, "args": ARGS}) + "\n")
        try:
            {"kubectl": kubectl, "istioctl": istioctl, "make": make, "curl": curl}[TOOL](state)
        finally:
            with open(STATE_FILE, "w") as f:
                json.dump(state, f)


if __name__ == "__main__":
    main()
