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
