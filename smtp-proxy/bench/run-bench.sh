#!/usr/bin/env bash
# Acceptance benchmark: ePOST smtp-proxy vs Postfix smtpd, 4.7 KB messages, 1 and 8 clients.
# Needs root (Postfix's master runs as root), the Debian package postfix, and a built test
# classpath:  cd /work/main && mvn -o -q -B -pl smtp-proxy test-compile
# Usage: smtp-proxy/bench/run-bench.sh [seconds-per-run]   (default 15)
# Both servers keep their queues under $BASE (default /var/tmp/epost-smtp-bench), on one disk.
set -euo pipefail
SECONDS_PER_RUN=${1:-15}
HERE=$(cd "$(dirname "$0")/.." && pwd)
BASE=${BASE:-/var/tmp/epost-smtp-bench}
PF_PORT=${PF_PORT:-25250}
EP_PORT=${EP_PORT:-25251}
JAVA=${JAVA:-java}

command -v postfix >/dev/null || { echo "install postfix: apt-get install -y postfix" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "run as root (postfix master needs it)" >&2; exit 1; }

rm -rf "$BASE"; mkdir -p "$BASE/ep"

# --- a private Postfix instance on 127.0.0.1:$PF_PORT (no chroot, discards after queueing) ---
. "$HERE/bench/postfix-instance.sh"
postfix_bench_start "$BASE" "$PF_PORT"
cleanup() {
  postfix_bench_stop "$BASE"
  [ -n "${EP_PID:-}" ] && kill "$EP_PID" 2>/dev/null || true
}
trap cleanup EXIT

# --- the ePOST submission proxy on 127.0.0.1:$EP_PORT ---
# The bench classes need only the module's own classes; the test dependencies are added when the
# dependency plugin is available offline (it is not in every local repository).
if ! DEPS=$(cd "$HERE/.." && mvn -o -q -B -pl smtp-proxy dependency:build-classpath -Dmdep.outputFile=/dev/stdout -Dmdep.includeScope=test 2>/dev/null); then
  DEPS=""
fi
CP="$HERE/target/test-classes:$HERE/target/classes:$DEPS"
$JAVA -Xmx1g -cp "$CP" org.epost.smtp.bench.BenchServerMain "$BASE/ep" "$EP_PORT" > "$BASE/ep/server.log" 2>&1 &
EP_PID=$!
for i in $(seq 1 100); do grep -q READY "$BASE/ep/server.log" && break; sleep 0.1; done
sleep 1

drive() { $JAVA -cp "$CP" org.epost.smtp.bench.SubmissionLoadDriver 127.0.0.1 "$@" | grep RESULT; }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB, $($JAVA -version 2>&1 | head -1)"
echo "disk: $(df -h "$BASE" | tail -1 | awk '{print $1, $2}')"
for clients in 1 8; do
  echo "== $clients client(s), $SECONDS_PER_RUN s"
  echo -n "postfix smtpd             : "; drive "$PF_PORT" "$clients" "$SECONDS_PER_RUN" carol@outside.example
  echo -n "epost relay queue (remote): "; drive "$EP_PORT" "$clients" "$SECONDS_PER_RUN" carol@outside.example bench bench
  echo -n "epost disk store (local)  : "; drive "$EP_PORT" "$clients" "$SECONDS_PER_RUN" bob@ring.example bench bench
done
