# Shared helpers for the benchmark scripts. Source it; it needs bash.

# A free TCP port on loopback.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# CPU time (user+system) of a process in clock ticks.
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$1/stat"
}

ticks_per_second() { getconf CLK_TCK; }

# Waits until something answers on 127.0.0.1:$1 (at most 10 s).
wait_port() {
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    return 1
}

# Waits until http://127.0.0.1:$1/_healthz answers 200 (at most $2 seconds, 10 by default).
wait_healthy() {
    for _ in $(seq $((${2:-10} * 10))); do
        curl -sf -o /dev/null "http://127.0.0.1:$1/_healthz" && return 0
        sleep 0.1
    done
    echo "no 200 from /_healthz on port $1" >&2
    return 1
}

# Runs wrk and prints "requests_per_second p50_ms p99_ms requests" from its latency distribution.
run_wrk() {
    local out
    out=$(wrk --latency "$@")
    echo "$out" >&2
    echo "$out" | awk '
        /Requests\/sec/ {rps=$2}
        /^ +50%/ {p50=$2}
        /^ +99%/ {p99=$2}
        /requests in/ {count=$1}
        END {print rps, p50, p99, count}'
}

# Converts wrk's "1.23ms" / "456.00us" / "1.2s" to milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
        else if (v ~ /s$/) { sub(/s$/, "", v); print v * 1000 }
        else print v }'
}

# The Kubernetes API stand-in (Tests/WatcherServiceTests/Fixtures/fake_apiserver.py) over TLS, with
# a service-account folder as a pod has it, in $1 (a work folder): a CA and a server certificate
# for 127.0.0.1 (openssl), token `token`, namespace `default`, and the VirtualService
# `worker-virtual-service` at 100/0. Sets api_port; the account is "$1/account". Needs openssl, python3.
start_api_standin() {
    local work=$1
    mkdir -p "$work/account"
    (
        cd "$work" || exit 1
        curve=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
        openssl req -x509 "${curve[@]}" -keyout ca.key -out account/ca.crt -days 1 -subj /CN=bench-ca
        openssl req "${curve[@]}" -keyout server.key -out server.csr -subj /CN=127.0.0.1
        printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' >server.ext
        openssl x509 -req -in server.csr -CA account/ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1 -extfile server.ext
    ) >"$work/openssl.log" 2>&1 || { echo "openssl failed: $(cat "$work/openssl.log")" >&2; return 1; }
    echo token >"$work/account/token"
    printf default >"$work/account/namespace"
    cat >"$work/virtual-service.json" <<'JSON'
{"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
 "metadata": {"name": "worker-virtual-service", "namespace": "default", "resourceVersion": "1"},
 "spec": {"hosts": ["worker-service"], "http": [{"route": [
   {"destination": {"host": "worker-service", "subset": "primary"}, "weight": 100},
   {"destination": {"host": "worker-service", "subset": "burst"}, "weight": 0}]}]}}
JSON
    python3 -u Tests/WatcherServiceTests/Fixtures/fake_apiserver.py --cert "$work/server.crt" --key "$work/server.key" \
        --token token --virtual-service "$work/virtual-service.json" >"$work/apiserver.port" 2>"$work/apiserver.log" &
    for _ in $(seq 100); do [ -s "$work/apiserver.port" ] && break; sleep 0.1; done
    api_port=$(cat "$work/apiserver.port")
    [ -n "$api_port" ] || { echo "the API stand-in did not start: $(cat "$work/apiserver.log")" >&2; return 1; }
}
