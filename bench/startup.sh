#!/usr/bin/env bash
# Start-up in fresh JVMs: LoadBalancer.builder()...start() plus HttpServerAdapter.serve(...) ("lb") against a bare
# JDK HttpServer ("jdk", the peer), RUNS times each, alternating. Prints the median of each figure and the ratios.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
RUNS=${RUNS:-10}
JAVA=${JAVA:-$( [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]] && echo /usr/lib/jvm/temurin-25-jdk-amd64/bin/java || command -v java)}
JAR=$ROOT/lb-benchmarks/target/benchmarks.jar
[[ -f $JAR ]] || (cd "$ROOT" && mvn -B -q package -DskipTests)

echo "# java: $("$JAVA" -version 2>&1 | head -1); $RUNS fresh JVMs per mode, medians"
RESULTS=$(mktemp)
trap 'rm -f "$RESULTS"' EXIT
for _ in $(seq "$RUNS"); do
  for mode in jdk lb; do
    begin=$(date +%s%N)
    line=$("$JAVA" -Dslf4j.internal.verbosity=ERROR -cp "$JAR" dev.lb.benchmarks.StartupMain "$mode" | grep '^STARTUP')
    echo "$line jvm_total_ms=$(( ($(date +%s%N) - begin) / 1000000 ))" >>"$RESULTS"
  done
done
median() { # mode, figure
  grep "mode=$1 " "$RESULTS" | tr ' ' '\n' | sed -n "s/^$2=//p" | sort -n | awk '{ v[NR] = $1 }
    END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
printf "%-22s %8s %8s %7s\n" figure jdk lb lb/jdk
for figure in ready_ms first_response_ms close_ms warm_ready_ms warm_first_response_ms warm_close_ms \
    jvm_total_ms; do
  jdk=$(median jdk "$figure") lb=$(median lb "$figure")
  printf "%-22s %8.2f %8.2f %7.2f\n" "$figure" "$jdk" "$lb" "$(awk -v a="$lb" -v b="$jdk" 'BEGIN { print a / b }')"
done
