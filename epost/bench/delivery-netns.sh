#!/usr/bin/env bash
# Delivery latency ("250" at alice's proxy to the EXISTS bob's IDLE client reads) on a ring of
# `epost run` processes, each in its own network namespace of the testbed with per-pair link
# delays (testbed/netns-ring.sh: 20-60 ms one way by default, the simulator's sphere model).
# Not a test. As root, from anywhere:
#   bash epost/bench/delivery-netns.sh [NODES] [MESSAGES] [WARMUP] [DELAY]     (8 300 20 20-60)
# Build first: mvn -B -o -q -pl epost -am install -DskipTests
# Member i runs in namespace ept-n<i> (0 the operator's node, 1..NODES-3 storers, then alice, bob),
# its node on 10.77.0.<i+1>:7600, IMAP/SMTP on 127.0.0.1:1143/1587 inside the namespace. Bob's
# IDLE client runs in bob's namespace and alice's SMTP client in alice's
# (org.epost.mail.daemon.SplitDeliveryBench, joined by a pipe; both read the machine's monotonic
# clock).
set -euo pipefail
NODES=${1:-8}
MESSAGES=${2:-300}
WARMUP=${3:-20}
DELAY=${4:-20-60}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${BASE:-/var/tmp/epost-delivery-netns}
JAVA=${JAVA:-$(readlink -f "$(command -v java)")}
TB="$REPO/testbed/netns-ring.sh"
CP="$REPO/epost/target/epost.jar:$REPO/epost/target/test-classes"
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }
export EPOST_TESTBED_PREFIX=${EPOST_TESTBED_PREFIX:-ept}

rm -rf "$BASE"; mkdir -p "$BASE"
echo "== machine: $(nproc) cores, $($JAVA -version 2>&1 | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$TB" down >/dev/null 2>&1 || true
"$TB" up "$NODES" --delay "$DELAY" --seed 1 2>&1 | tee "$BASE/testbed.log" | grep -E "emulation|probe|warn|rtt" || true
mkfifo "$BASE/hold"
$JAVA -Xmx256m -cp "$CP" org.epost.mail.daemon.BenchRing "$BASE/ring" "$NODES" --netns "$EPOST_TESTBED_PREFIX" \
  < "$BASE/hold" > "$BASE/ring.log" 2>&1 &
RING_PID=$!
exec 3> "$BASE/hold"
cleanup() {
  exec 3>&- || true
  wait "$RING_PID" 2>/dev/null || true
  "$TB" down >/dev/null 2>&1 || true
}
trap cleanup EXIT
for i in $(seq 1 3000); do grep -q "RING READY" "$BASE/ring.log" && break; kill -0 $RING_PID || { cat "$BASE/ring.log"; exit 1; }; sleep 0.1; done
grep "RING READY" "$BASE/ring.log"
. "$BASE/ring/ring.env"
A=$((NODES - 2)); B=$((NODES - 1))
echo "== alice in namespace $A ($("$TB" addr $A)), bob in $B ($("$TB" addr $B)); load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$TB" exec $B "$JAVA" -cp "$CP" org.epost.mail.daemon.SplitDeliveryBench idle "$BOB_IMAP" "$BOB_ADDRESS" "$BOB_PASSWORD" $((MESSAGES + WARMUP)) \
  | "$TB" exec $A "$JAVA" -cp "$CP" org.epost.mail.daemon.SplitDeliveryBench send "$ALICE_SMTP" "$ALICE_ADDRESS" "$ALICE_PASSWORD" "$BOB_ADDRESS" "$MESSAGES" "$WARMUP" \
  || true
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
