#!/usr/bin/env bash
# Heap of the daemon that holds a large account: alice's `epost run` as its own JVM (-Xmx256m),
# the other replicas in other `epost run` processes (-Xmx1g each), her INBOX filled through her
# IMAP proxy with MULTIAPPEND (org.epost.mail.bench.ImapFill, CONNECTIONS in parallel). At every
# stage: a full GC in alice's JVM (jcmd GC.run), the heap in use after it (GC.heap_info) and the
# top of a class histogram (GC.class_histogram). Not a test. As root or not, from anywhere:
#   bash epost/bench/memory-daemon.sh "10000 25000 50000 100000" [NODES] [CONNECTIONS]   (8 4)
# Build first: mvn -B -o -q -pl epost -am install -DskipTests
set -euo pipefail
STAGES=${1:-10000 25000 50000 100000}
NODES=${2:-8}
CONNECTIONS=${3:-4}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${BASE:-/var/tmp/epost-memory-bench}
JAVA=${JAVA:-java}
CP="$REPO/epost/target/epost.jar:$REPO/epost/target/test-classes"
rm -rf "$BASE"; mkdir -p "$BASE"
mkfifo "$BASE/hold"
$JAVA -Xmx256m -cp "$CP" org.epost.mail.daemon.BenchRing "$BASE/ring" "$NODES" \
  --jvm '*=-Xmx1g' --jvm "alice=-Xmx256m -XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=$BASE" --quota 4g \
  < "$BASE/hold" > "$BASE/ring.log" 2>&1 &
RING_PID=$!
exec 3> "$BASE/hold"
cleanup() { exec 3>&- || true; wait "$RING_PID" 2>/dev/null || true; }
trap cleanup EXIT
for i in $(seq 1 1800); do grep -q "RING READY" "$BASE/ring.log" && break; kill -0 $RING_PID || { cat "$BASE/ring.log"; exit 1; }; sleep 0.1; done
grep "RING READY" "$BASE/ring.log"
. "$BASE/ring/ring.env"
echo "== machine: $(nproc) cores, $($JAVA -version 2>&1 | head -1); alice pid $ALICE_PID: $(tr '\0' ' ' < /proc/$ALICE_PID/cmdline | grep -o -- '-Xmx[^ ]*')"
have=0
for n in $STAGES; do
  echo "== fill to $n; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  $JAVA -cp "$CP" org.epost.mail.bench.ImapFill "$ALICE_IMAP" "$ALICE_ADDRESS" "$ALICE_PASSWORD" $((have + 1)) "$n" "$CONNECTIONS" 50 | grep FILLED
  have=$n
  sleep 20   # the background indexer catches up
  jcmd "$ALICE_PID" GC.run >/dev/null
  echo "-- alice's heap after a full GC with $n messages (RSS $(awk '/VmRSS/{print $2, $3}' /proc/$ALICE_PID/status)):"
  jcmd "$ALICE_PID" GC.heap_info | sed -n 2,4p
  # the histogram forces a full GC itself: its Total line is the live heap
  jcmd "$ALICE_PID" GC.class_histogram > "$BASE/histo-$n.txt"
  sed -n 1,18p "$BASE/histo-$n.txt"
  echo "live heap (class histogram total): $(tail -1 "$BASE/histo-$n.txt")"
done
