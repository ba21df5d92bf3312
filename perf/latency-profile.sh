#!/usr/bin/env bash
# latency-profile.sh — the same closed-loop load (benches/latency_profile.rs)
# against redis-server 7 and against clover, printed side by side.
#
# Usage:
#   perf/latency-profile.sh                                  # GET, 4 conns, P1, 16 B
#   COMMAND=set PIPELINE=16 VALUE_SIZE=1024 perf/latency-profile.sh
#   ROUNDS=3 REQUESTS=500000 perf/latency-profile.sh         # medians of 3
#   LP_BIN=target/release/deps/latency_profile-<hash> perf/latency-profile.sh   # skip cargo
#   CLOVER_BIN=/usr/bin/redis-server perf/latency-profile.sh # redis vs redis sanity run
#
# Both servers are started on free 127.0.0.1 ports with `--save "" --appendonly
# no` (clover with `--shards $SHARDS`), pinned to SERVER_CPU; the load generator
# is pinned to CLIENT_CPU (all its CONNS threads share that core).  Rounds
# alternate redis, clover, redis, clover...; the table shows medians.  Servers
# are stopped by PID on exit.
#
# Load (passed to the bench binary; see benches/latency_profile.rs):
#   COMMAND [get] get|set|mixed  CONNS [4]  REQUESTS [200000]  PIPELINE [1]
#   VALUE_SIZE [16]  KEYSPACE [100000]  SET_PERCENT [20]  PREFILL  MAX_SECS [60]
# Script:
#   ROUNDS [1]  SHARDS [1] (empty: no --shards)  SERVER_CPU [0]  CLIENT_CPU [1]
#   CLOVER_BIN [target/release/clover]  REDIS_BIN [/usr/bin/redis-server]
#   LP_BIN: a built latency_profile binary (default: build it with
#   `cargo bench --bench latency_profile --no-run`)
#   CLOVER_EXTRA_ARGS, REDIS_EXTRA_ARGS   OUT_DIR [mktemp -d]
set -euo pipefail

# Paths given by the caller are relative to where they ran us; defaults are
# relative to the repository root.
for v in CLOVER_BIN REDIS_BIN LP_BIN OUT_DIR; do
    if [[ -n ${!v:-} && ${!v} == */* ]]; then printf -v "$v" '%s' "$(realpath -ms -- "${!v}")"; fi
done
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-1}
SHARDS=${SHARDS-1}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
CLOVER_BIN=${CLOVER_BIN:-target/release/clover}
REDIS_BIN=${REDIS_BIN:-/usr/bin/redis-server}
CLI_BIN=${CLI_BIN:-redis-cli}
CLOVER_EXTRA_ARGS=${CLOVER_EXTRA_ARGS:-}
REDIS_EXTRA_ARGS=${REDIS_EXTRA_ARGS:-}
OUT_DIR=${OUT_DIR:-$(mktemp -d -t latency-profile.XXXXXX)}
LP_BIN=${LP_BIN:-}
HOST=127.0.0.1
export COMMAND=${COMMAND:-get} CONNS=${CONNS:-4} REQUESTS=${REQUESTS:-200000}
export PIPELINE=${PIPELINE:-1} VALUE_SIZE=${VALUE_SIZE:-16} KEYSPACE=${KEYSPACE:-100000}
export MAX_SECS=${MAX_SECS:-60}

die() { echo "latency-profile: $*" >&2; exit 1; }
log() { echo "latency-profile: $*" >&2; }

[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "ROUNDS must be a positive integer"
for b in "$REDIS_BIN" "$CLOVER_BIN"; do
    [[ -x $b ]] || die "not executable: $b (set REDIS_BIN / CLOVER_BIN; build clover with cargo build --release)"
done
command -v "$CLI_BIN" >/dev/null || die "$CLI_BIN not found"
if [[ -n $SHARDS && $(basename "$CLOVER_BIN") == redis-server* ]]; then
    log "CLOVER_BIN is a redis-server: not passing --shards"
    SHARDS=""
fi
mkdir -p "$OUT_DIR"

# ------------------------------------------------------- the load generator --
if [[ -z $LP_BIN ]]; then
    log "building: cargo bench --bench latency_profile --no-run"
    cargo bench --bench latency_profile --no-run --message-format=json-render-diagnostics \
        >"$OUT_DIR/cargo.json" || die "cargo build of the bench failed"
    LP_BIN=$(grep '"name":"latency_profile"' "$OUT_DIR/cargo.json" \
        | grep -o '"executable":"[^"]*"' | tail -n 1 | cut -d'"' -f4)
    [[ -n $LP_BIN ]] || die "could not find the latency_profile executable in cargo's output"
fi
[[ -x $LP_BIN ]] || die "not executable: $LP_BIN"

# ---------------------------------------------------------------- servers --
declare -A PID PORT
SERVERS=(redis clover)

cleanup() {
    local s p
    for s in "${SERVERS[@]}"; do
        p=${PID[$s]:-}
        [[ -n $p ]] || continue
        if kill -0 "$p" 2>/dev/null; then
            kill -TERM "$p" 2>/dev/null || true
            for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
            if kill -0 "$p" 2>/dev/null; then kill -KILL "$p" 2>/dev/null || true; fi
        fi
        wait "$p" 2>/dev/null || true
    done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

free_port() {
    local p s taken
    for _ in $(seq 200); do
        p=$((20000 + RANDOM % 30000))
        taken=0
        for s in "${SERVERS[@]}"; do [[ ${PORT[$s]:-} == "$p" ]] && taken=1; done
        ((taken)) && continue
        port_in_use "$p" || { echo "$p"; return 0; }
    done
    die "no free port found"
}

start_server() { # name
    local s=$1 port logf
    local -a extra
    port=$(free_port)
    logf=$OUT_DIR/$s.log
    if [[ $s == redis ]]; then
        read -r -a extra <<<"$REDIS_EXTRA_ARGS"
        taskset -c "$SERVER_CPU" "$REDIS_BIN" --port "$port" --bind "$HOST" \
            --save "" --appendonly no --daemonize no ${extra[@]+"${extra[@]}"} >"$logf" 2>&1 &
    else
        read -r -a extra <<<"$CLOVER_EXTRA_ARGS"
        [[ -n $SHARDS ]] && extra=(--shards "$SHARDS" ${extra[@]+"${extra[@]}"})
        taskset -c "$SERVER_CPU" "$CLOVER_BIN" --port "$port" \
            --save "" --appendonly no ${extra[@]+"${extra[@]}"} >"$logf" 2>&1 &
    fi
    PID[$s]=$!
    PORT[$s]=$port
    local deadline=$((SECONDS + 10))
    while :; do
        if ! kill -0 "${PID[$s]}" 2>/dev/null; then
            tail -n 20 "$logf" >&2 || true
            die "$s exited during startup (log: $logf)"
        fi
        [[ $(timeout 2 "$CLI_BIN" -h "$HOST" -p "$port" ping 2>/dev/null) == PONG ]] && break
        ((SECONDS < deadline)) || { tail -n 20 "$logf" >&2 || true; die "$s did not answer PING within 10 s (log: $logf)"; }
        sleep 0.1
    done
    log "$s up: pid ${PID[$s]}, port $port"
}

# utime+stime of the whole server process (all threads), in clock ticks.
server_ticks() {
    local s f
    s=$(<"/proc/$1/stat")
    s=${s##*) }
    read -r -a f <<<"$s"
    echo $((f[11] + f[12]))
}
CLK_TCK=$(getconf CLK_TCK)

for s in "${SERVERS[@]}"; do start_server "$s"; done

BACKSTOP=$(awk -v m="$MAX_SECS" 'BEGIN {printf "%d", m * 2 + 60}')
RESULTS=$OUT_DIR/results.tsv
: >"$RESULTS"
log "load: COMMAND=$COMMAND CONNS=$CONNS PIPELINE=$PIPELINE VALUE_SIZE=$VALUE_SIZE REQUESTS=$REQUESTS KEYSPACE=$KEYSPACE; $ROUNDS round(s)"
for ((r = 1; r <= ROUNDS; r++)); do
    for s in "${SERVERS[@]}"; do
        out=$OUT_DIR/$s.round$r.txt
        # Fill the keyspace outside the measured window (GET should hit).
        if [[ $COMMAND != set && ${PREFILL:-1} != 0 ]]; then
            ADDR="$HOST:${PORT[$s]}" PREFILL_ONLY=1 timeout "$BACKSTOP" \
                taskset -c "$CLIENT_CPU" "$LP_BIN" --bench >"$OUT_DIR/$s.prefill$r.txt" 2>&1 \
                || { cat "$OUT_DIR/$s.prefill$r.txt" >&2; die "prefill of $s failed"; }
        fi
        t0=$(server_ticks "${PID[$s]}")
        # The binary stops itself after REQUESTS or MAX_SECS; the timeout is a backstop.
        if ! ADDR="$HOST:${PORT[$s]}" PREFILL=0 timeout "$BACKSTOP" \
            taskset -c "$CLIENT_CPU" "$LP_BIN" --bench >"$out" 2>&1; then
            cat "$out" >&2
            die "latency_profile failed against $s"
        fi
        t1=$(server_ticks "${PID[$s]}")
        line=$(grep '^RESULT ' "$out" | tail -n 1) || { cat "$out" >&2; die "no RESULT line from $s"; }
        n=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
        cpu=$(awk -v d=$((t1 - t0)) -v n="$n" -v hz="$CLK_TCK" 'BEGIN {printf "%.3f", n ? d * 1e6 / hz / n : 0}')
        printf '%s\t%s\t%s cpu_us=%s\n' "$r" "$s" "${line#RESULT }" "$cpu" >>"$RESULTS"
        log "round $r $s: ${line#RESULT } cpu_us=$cpu"
    done
done

echo
echo "latency_profile: COMMAND=$COMMAND CONNS=$CONNS PIPELINE=$PIPELINE VALUE_SIZE=$VALUE_SIZE REQUESTS=$REQUESTS"
echo "servers on cpu $SERVER_CPU, client on cpu $CLIENT_CPU, clover --shards ${SHARDS:-(none)}; median of $ROUNDS round(s)"
awk -F'\t' '
function median(key,   n, i, j, a, t) {
    n = cnt[key]; if (!n) return 0
    for (i = 1; i <= n; i++) a[i] = v[key, i] + 0
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
    m = split($3, kv, " ")
    for (i = 1; i <= m; i++) { split(kv[i], p, "="); k = $2 SUBSEP p[1]; v[k, ++cnt[k]] = p[2] }
}
END {
    split("ops_per_sec p50_us p90_us p99_us p999_us max_us cpu_us errors", names, " ")
    split("ops/s|p50 us|p90 us|p99 us|p99.9 us|max us|server CPU us/req|errors", labels, "|")
    printf "%-20s %12s %12s %14s\n", "", "redis", "clover", "clover/redis"
    for (i = 1; i <= 8; i++) {
        r = median("redis" SUBSEP names[i]); c = median("clover" SUBSEP names[i])
        printf "%-20s %12s %12s %14s\n", labels[i], r, c, (r > 0 ? sprintf("%.2f", c / r) : "-")
    }
}' "$RESULTS"
echo "raw output: $OUT_DIR"
