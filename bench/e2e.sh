#!/usr/bin/env bash
# End-to-end benchmark on one machine, loopback only: wrk against a backend directly, against nginx and HAProxy
# as load balancers, and against our standalone runner, in front of the same two nginx backends. See
# docs/BENCHMARKS.md for what it measures and the figures.
#
#   bench/e2e.sh                      # everything, ~5 minutes (~7 with LB_TARGET=both)
#   SCENARIOS=fast32 bench/e2e.sh     # a subset: fast32,fast256,slow256,stream
#   JAVA=/path/to/java DURATION=20 bench/e2e.sh
#   JAVA_OPTS= bench/e2e.sh           # JVM defaults (G1) instead of the recommended flags
#   LB_TARGET=adapter bench/e2e.sh    # our load balancer on the JDK server adapter instead of the runner's
#                                     # LbServer; LB_TARGET=both measures the two in the same run
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
DURATION=${DURATION:-10}          # measured seconds per target
WARMUP=${WARMUP:-10}              # unmeasured seconds per target first: the JVM compiles its hot code for ~8 s
SCENARIOS=${SCENARIOS:-fast32,fast256,slow256,stream}
JAVA=${JAVA:-$( [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]] && echo /usr/lib/jvm/temurin-25-jdk-amd64/bin/java || command -v java)}
JAVA_OPTS=${JAVA_OPTS--XX:+UseParallelGC -Xmn64m -Djdk.readPollers=1}   # the README's recommended flags;
                                                                    # JAVA_OPTS= for the JVM's defaults
JAR=$ROOT/examples/target/lb-standalone.jar
ADAPTER_JAR=$ROOT/lb-benchmarks/target/benchmarks.jar
case ${LB_TARGET:-runner} in
  runner) OUR_TARGETS=(ours) ;;
  adapter) OUR_TARGETS=(adapter) ;;
  both)    OUR_TARGETS=(ours adapter) ;;
  *) echo "e2e.sh: LB_TARGET=$LB_TARGET (expected: runner, adapter or both)" >&2; exit 1 ;;
esac
B1=19101 B2=19102 NGINX_LB=18101 OURS=18102 HAPROXY_LB=18103
BODY_BYTES=1024
STREAM_MIB=100

say() { echo "# $*"; }

# ---- tools
missing=()
for tool in wrk nginx haproxy curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if (( ${#missing[@]} )); then
  say "installing wrk nginx-light haproxy curl"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    wrk nginx-light haproxy curl >/dev/null
fi
[[ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ]] || {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libnginx-mod-http-echo >/dev/null; }
[[ -f $JAR && -f $ADAPTER_JAR ]] || (cd "$ROOT" && mvn -B -q package -DskipTests)
for port in $B1 $B2 $NGINX_LB $HAPROXY_LB $OURS; do
  if ss -Hltn "sport = :$port" | grep -q .; then echo "e2e.sh: port $port is in use" >&2; exit 1; fi
done

# ---- processes: started in their own process group, stopped by PID on exit
RUN=$(mktemp -d /tmp/lb-e2e.XXXXXX)
chmod 755 "$RUN"   # nginx workers run as www-data
KEEP_RUN=0
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  (( KEEP_RUN )) || rm -rf "$RUN"
}
trap cleanup EXIT INT TERM

start() { # name, command...
  local name=$1; shift
  setsid "$@" >"$RUN/$name.log" 2>&1 &
  PIDS+=("$!")
  LAST_PID=$!
}
wait_for() { # url
  for _ in $(seq 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "e2e.sh: $1 did not answer; logs in $RUN" >&2; KEEP_RUN=1; exit 2
}
stop() { # pid
  kill -TERM -- "-$1" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null || true
}

nginx_conf() { # name, body of the http block
  mkdir -p "$RUN/$1"
  cat >"$RUN/$1/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
worker_processes 1;
daemon off;
pid $RUN/$1/nginx.pid;
error_log $RUN/$1/error.log warn;
worker_rlimit_nofile 16384;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $RUN/$1; proxy_temp_path $RUN/$1; fastcgi_temp_path $RUN/$1;
  uwsgi_temp_path $RUN/$1; scgi_temp_path $RUN/$1;
  keepalive_requests 1000000;
  $2
}
CONF
}

head -c $BODY_BYTES /dev/zero | tr '\0' 'x' >"$RUN/body"
head -c $((STREAM_MIB * 1024 * 1024)) /dev/urandom >"$RUN/stream.bin"
chmod 644 "$RUN/body" "$RUN/stream.bin"
backend() { # name, port, delay seconds
  local delay=""
  [[ $3 != 0 ]] && delay="echo_sleep $3; echo_exec /body;"
  nginx_conf "$1" "server {
    listen 127.0.0.1:$2 backlog=4096;
    root $RUN;
    location = / { $delay try_files /body =404; }
    location = /body { internal; }
    location = /stream.bin { }
  }"
  start "$1" nginx -c "$RUN/$1/nginx.conf"
}
nginx_conf nginx-lb "upstream pool { server 127.0.0.1:$B1; server 127.0.0.1:$B2; keepalive 256; }
  server {
    listen 127.0.0.1:$NGINX_LB backlog=4096;
    location / { proxy_pass http://pool; proxy_http_version 1.1; proxy_set_header Connection \"\";
                 proxy_buffering off; }
  }"

# HAProxy as the second reference: one thread like nginx's one worker, round robin, idle backend connections
# reused by any request, no buffering beyond its own.
cat >"$RUN/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 8000
defaults
  mode http
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  http-reuse always
frontend lb
  bind 127.0.0.1:$HAPROXY_LB
  default_backend pool
backend pool
  balance roundrobin
  server b1 127.0.0.1:$B1
  server b2 127.0.0.1:$B2
CONF

start_backends() { # delay seconds
  backend b1 $B1 "$1"; PID_B1=$LAST_PID
  backend b2 $B2 "$1"; PID_B2=$LAST_PID
  wait_for "http://127.0.0.1:$B1/"; wait_for "http://127.0.0.1:$B2/"
}
stop_backends() { stop "$PID_B1"; stop "$PID_B2"; }

start_target() { # name
  case $1 in
    direct) TARGET_PORT=$B1; TARGET_PID= ;;
    nginx)  start nginx-lb nginx -c "$RUN/nginx-lb/nginx.conf"; TARGET_PID=$LAST_PID; TARGET_PORT=$NGINX_LB ;;
    haproxy) start haproxy haproxy -db -f "$RUN/haproxy.cfg"; TARGET_PID=$LAST_PID; TARGET_PORT=$HAPROXY_LB ;;
    ours)   BACKENDS=http://127.0.0.1:$B1,http://127.0.0.1:$B2 PORT=$OURS start ours \
              "$JAVA" $JAVA_OPTS -jar "$JAR"; TARGET_PID=$LAST_PID; TARGET_PORT=$OURS ;;
    adapter) BACKENDS=http://127.0.0.1:$B1,http://127.0.0.1:$B2 PORT=$OURS start adapter \
              "$JAVA" $JAVA_OPTS -cp "$ADAPTER_JAR" dev.lb.benchmarks.AdapterMain; TARGET_PID=$LAST_PID; TARGET_PORT=$OURS ;;
  esac
  wait_for "http://127.0.0.1:$TARGET_PORT/"
}
stop_target() { [[ -n $TARGET_PID ]] && stop "$TARGET_PID"; TARGET_PID=; }

rss_mib() { # pid -> resident MiB of the process group leader's java
  local pid; pid=$(pgrep -g "$1" java | head -1); [[ -n $pid ]] && echo $(( $(ps -o rss= -p "$pid") / 1024 )) || echo -
}

cpu_ticks() { # process group -> user+system clock ticks of all its processes
  local total=0 pid
  for pid in $(pgrep -g "$1"); do
    total=$(( total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}

declare -A RPS
measure() { # scenario, connections, target
  local line rss=- cpu=- before
  wrk -t1 -c"$2" -d"${WARMUP}s" "http://127.0.0.1:$TARGET_PORT/" >/dev/null
  [[ -n $TARGET_PID ]] && before=$(cpu_ticks "$TARGET_PID")
  line=$(wrk -t1 -c"$2" -d"${DURATION}s" --timeout 5s -s "$HERE/latency.lua" "http://127.0.0.1:$TARGET_PORT/" \
         | grep '^RESULT')
  eval "${line#RESULT }"
  # CPU per request of the target's processes: steadier than req/s when other work shares the machine.
  [[ -n $TARGET_PID ]] && cpu=$(awk -v t=$(( $(cpu_ticks "$TARGET_PID") - before )) -v hz="$(getconf CLK_TCK)" \
    -v n="$rps" -v d="$DURATION" 'BEGIN { printf "%.0f", t / hz * 1e6 / (n * d) }')
  [[ $3 == ours || $3 == adapter ]] && rss=$(rss_mib "$TARGET_PID")
  RPS[$1.$3]=$rps
  printf '%-8s %-7s %6s %10s %8s %8s %9s %7s %6s %8s %7s\n' "$1" "$3" "$2" "$rps" "$p50_ms" "$p99_ms" "$p999_ms" \
    "$socket_errors" "$bad_status" "$rss" "$cpu"
}

say "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(uname -r)"
say "java: $("$JAVA" -version 2>&1 | head -1); JAVA_OPTS='$JAVA_OPTS'"
say "nginx: $(nginx -v 2>&1 | cut -d/ -f2); haproxy: $(haproxy -v | head -1 | cut -d" " -f3); wrk: $(wrk -v 2>&1 | head -1 | cut -d" " -f2)"
say "each: ${WARMUP}s warm-up, ${DURATION}s measured, wrk -t1, keep-alive, ${BODY_BYTES}-byte responses"
printf '%-8s %-7s %6s %10s %8s %8s %9s %7s %6s %8s %7s\n' scenario target conns req/s p50_ms p99_ms p99.9_ms sockerr non2xx rss_mib cpu_us

run_load() { # scenario, connections, delay
  start_backends "$3"
  for target in direct nginx haproxy "${OUR_TARGETS[@]}"; do
    start_target $target; measure "$1" "$2" $target; stop_target
  done
  stop_backends
}

IFS=, read -r -a chosen <<<"$SCENARIOS"
for scenario in "${chosen[@]}"; do
  case $scenario in
    fast32)  run_load fast32 32 0 ;;
    fast256) run_load fast256 256 0 ;;
    slow256) run_load slow256 256 0.010 ;;
    stream)
      start_backends 0
      for target in nginx haproxy "${OUR_TARGETS[@]}"; do
        start_target $target
        seconds=$(curl -fs -o /dev/null -w '%{time_total}' "http://127.0.0.1:$TARGET_PORT/stream.bin")
        rss=-; [[ $target == ours || $target == adapter ]] && rss=$(rss_mib "$TARGET_PID")
        printf '%-8s %-7s %6s %10s %8s %8s %9s %7s %6s %8s %7s\n' stream "$target" 1 \
          "$(awk -v s="$seconds" -v m=$STREAM_MIB 'BEGIN { printf "%.0fMiB/s", m / s }')" - - - - - "$rss" -
        stop_target
      done
      stop_backends ;;
    *) echo "e2e.sh: unknown scenario $scenario" >&2; exit 1 ;;
  esac
done

for scenario in fast32 fast256 slow256; do
  for target in "${OUR_TARGETS[@]}"; do
    [[ -n ${RPS[$scenario.$target]:-} ]] || continue
    awk -v s=$scenario -v t=$target -v o="${RPS[$scenario.$target]}" -v n="${RPS[$scenario.nginx]}" \
      -v h="${RPS[$scenario.haproxy]}" 'BEGIN { printf "# %s: %s/nginx = %.2f, %s/haproxy = %.2f\n", s, t, o / n, t, o / h }'
  done
done
