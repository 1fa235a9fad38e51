#!/usr/bin/env bash
# SMTP submission on the ring side by side with Postfix, same load driver, same messages, one run.
# Not a test. Usage (from anywhere, as root: Postfix's master runs as root):
#   bash epost/bench/submission-vs-postfix.sh [SECONDS] [NODES] [ROUNDS] [CLIENTS]   (20 8 2 8)
# Build first: mvn -B -o -q -pl epost -am install -DskipTests && mvn -B -o -q -pl smtp-proxy test-compile
# ALICE_JVM='-Xmx256m -XX:StartFlightRecording=filename=/tmp/alice.jfr,settings=profile' profiles
# alice's daemon (space-separated JVM options); JFR_OUT=/tmp/alice.jfr dumps the recording at the end.
# RING_REPO=/path/to/other/checkout runs the ring from that checkout's build (same driver, same
# measurement), for a before/after comparison.
# RING_JVM='...' gives every ring process those options instead (ALICE_JVM still wins for alice).
# JFR_DIR=/tmp/jfr records every ring process (settings=profile) during the ePOST drives only and
# writes one recording per process and round: JFR_DIR/<name>-r<round>.jfr (operator, storerN, alice, bob).
#
# Postfix 3.7 (Debian): a private instance on 127.0.0.1:$PF_PORT (smtp-proxy/bench/postfix-instance.sh)
# that fsyncs each message into its queue and discards it. ePOST: a ring of NODES `epost run`
# processes (org.epost.mail.daemon.BenchRing: the operator's node, NODES-3 storers, alice, bob),
# each its own JVM; the clients submit to alice's daemon with AUTH PLAIN, MAIL FROM alice, RCPT TO
# bob; "250" comes when the message is fsynced in alice's outbox, stored at a majority of its k = 5
# replicas and bob notified (or after 20 s, from the outbox: the latency line shows the maximum).
# Both take the same driver (smtp-proxy's SubmissionLoadDriver: CLIENTS connections, 4.7 KB
# messages back to back, 2 s warm-up), alternately, ROUNDS times. An ePOST round ends only when
# bob's INBOX holds every message alice accepted (read with python3 imaplib): the sustained rate
# and the CPU per message (per process and thread kind, epost/bench/thread-cpu.py) include the
# filing, indexing and receipts that follow the "250".
set -euo pipefail
SECS=${1:-20}
NODES=${2:-8}
ROUNDS=${3:-2}
CLIENTS=${4:-8}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
BASE=${BASE:-/var/tmp/epost-submit-bench}
PF_PORT=${PF_PORT:-25260}
JAVA=${JAVA:-java}
[ "$(id -u)" = 0 ] || { echo "run as root (postfix master needs it)" >&2; exit 1; }
DRIVER_CP="$REPO/smtp-proxy/target/test-classes"
RING_REPO=${RING_REPO:-$REPO}   # another checkout's build for the ring (a before/after comparison)
RING_CP="$RING_REPO/epost/target/epost.jar:$RING_REPO/epost/target/test-classes"
[ -f "$DRIVER_CP/org/epost/smtp/bench/SubmissionLoadDriver.class" ] || { echo "mvn -B -o -q -pl smtp-proxy test-compile first" >&2; exit 1; }

rm -rf "$BASE"; mkdir -p "$BASE"
. "$REPO/smtp-proxy/bench/postfix-instance.sh"
postfix_bench_start "$BASE" "$PF_PORT"
mkfifo "$BASE/hold"
JVM_ARGS=()
[ -n "${RING_JVM:-}" ] && JVM_ARGS+=(--jvm "*=$RING_JVM")
[ -n "${ALICE_JVM:-}" ] && JVM_ARGS+=(--jvm "alice=$ALICE_JVM")
$JAVA -Xmx256m -cp "$RING_CP" org.epost.mail.daemon.BenchRing "$BASE/ring" "$NODES" "${JVM_ARGS[@]}" \
  < "$BASE/hold" > "$BASE/ring.log" 2>&1 &
RING_PID=$!
exec 3> "$BASE/hold"   # the ring stays up while this is open
cleanup() {
  exec 3>&- || true
  postfix_bench_stop "$BASE"
  wait "$RING_PID" 2>/dev/null || true
}
trap cleanup EXIT
for i in $(seq 1 1800); do grep -q "RING READY" "$BASE/ring.log" && break; kill -0 $RING_PID || { cat "$BASE/ring.log"; exit 1; }; sleep 0.1; done
grep "RING READY" "$BASE/ring.log"
. "$BASE/ring/ring.env"

NAMES="operator $(seq -f 'storer%g' 1 $((NODES - 3)) | tr '\n' ' ')alice bob"
# CPU seconds (user+system) of each ring process, in ring order (operator, storers, alice, bob)
cpu() { for p in $PIDS; do awk '{printf "%.1f ", ($14+$15)/100}' /proc/$p/stat; done; }
# bob's INBOX message count (python3 imaplib, plain LOGIN on his node's loopback IMAP port)
inbox() { python3 -c 'import imaplib,sys; m=imaplib.IMAP4("127.0.0.1",int(sys.argv[1])); m.login(sys.argv[2],sys.argv[3]); print(m.status("INBOX","(MESSAGES)")[1][0].split()[-1].decode().rstrip(")")); m.logout()' "$BOB_IMAP" "$BOB_ADDRESS" "$BOB_PASSWORD"; }
drive() { $JAVA -cp "$DRIVER_CP" org.epost.smtp.bench.SubmissionLoadDriver 127.0.0.1 "$@" | grep -E 'RESULT|LATENCY'; }
echo "== machine: $(nproc) cores, $(free -g | awk '/Mem/{print $2}') GiB, $($JAVA -version 2>&1 | head -1)"
echo "   disk: $(df -h "$BASE" | tail -1 | awk '{print $1, $2}'); postfix $(postconf -d mail_version | cut -d' ' -f3)"
for r in $(seq 1 "$ROUNDS"); do
  echo "== round $r, $CLIENTS clients, $SECS s each; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "-- postfix smtpd (fsynced queue file)"
  drive "$PF_PORT" "$CLIENTS" "$SECS" "$BOB_ADDRESS"
  echo "-- epost: alice's daemon, durable on the ring, bob notified; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  [ -n "${JFR_DIR:-}" ] && for p in $PIDS; do jcmd "$p" JFR.start name=bench settings=profile >/dev/null; done
  before=$(cpu); in0=$(inbox); t0=$(date +%s.%N)
  python3 "$REPO/epost/bench/thread-cpu.py" snap "$BASE/threads-a.json" $PIDS
  out=$(drive "$ALICE_SMTP" "$CLIENTS" "$SECS" "$BOB_ADDRESS" "$ALICE_ADDRESS" "$ALICE_PASSWORD" "$ALICE_ADDRESS")
  echo "$out"
  # Sustained work: the round ends when bob's INBOX holds every message sent to him (warm-up
  # included), not at the last "250"; CPU is read then.
  sent=$(echo "$out" | sed -n 's/.*total=\([0-9]*\).*/\1/p')
  for i in $(seq 1 600); do in1=$(inbox); [ $((in1 - in0)) -ge "${sent:-0}" ] && break; sleep 0.5; done
  t1=$(date +%s.%N); after=$(cpu)
  python3 "$REPO/epost/bench/thread-cpu.py" snap "$BASE/threads-b.json" $PIDS
  echo "   bob's INBOX: +$((in1 - in0)) of $sent accepted (warm-up included); $(awk "BEGIN{printf \"%.1f s from the driver's start until the last was filed: %.1f msg/s sustained, filing included\", $t1 - $t0, $sent / ($t1 - $t0)}")"
  echo "   CPU per message accepted, from the driver's start until bob filed the last (JIT: the compiler threads):"
  python3 "$REPO/epost/bench/thread-cpu.py" diff "$BASE/threads-a.json" "$BASE/threads-b.json" "$PIDS" "$NAMES" "$sent"
  if [ -n "${JFR_DIR:-}" ]; then
    mkdir -p "$JFR_DIR"; set -- $NAMES
    for p in $PIDS; do jcmd "$p" JFR.stop name=bench filename="$JFR_DIR/$1-r$r.jfr" >/dev/null; shift; done
    echo "   flight recordings: $JFR_DIR/{$(echo $NAMES | tr ' ' ',')}-r$r.jfr"
  fi
  echo "   CPU s of the ring processes (operator, storers, alice, bob) before: $before; after: $after"
  echo "   alice's outbox now holds $(ls "$ALICE_DATA"/accounts/*/submit/outbox 2>/dev/null | grep -c '\.state$' || true) entries (0: everything acknowledged reached the ring)"
done
# with a flight recording in ALICE_JVM: JFR_OUT=FILE dumps it before the ring is stopped
if [ -n "${JFR_OUT:-}" ]; then jcmd "$ALICE_PID" JFR.dump name=1 filename="$JFR_OUT" >/dev/null && echo "flight recording: $JFR_OUT"; fi

exit 0
