#!/bin/sh
# IMAP on the ring side by side with Dovecot, same messages, same Java client, one run.
# Not a test. Usage (from the repository root, as root: Dovecot drops to uid nobody):
#   RESTARTS=5 sh epost/bench/imap-vs-dovecot.sh [messages] [heap-messages]
# Build first: mvn -B -o -q -pl epost -am install -DskipTests
set -eu
N=${1:-10000}
BIG=${2:-0}
PORT=14310
W=$(mktemp -d /tmp/epostbench.XXXXXX)
chmod 755 "$W"
cd "$(dirname "$0")/.."
# the test classpath as surefire records it (offline, no extra plugin)
mvn -o -q -B test -Dtest=TextIndexTest -Dsurefire.failIfNoSpecifiedTests=false
CP=$(grep -o 'name="surefire.test.class.path" value="[^"]*"' \
  target/surefire-reports/TEST-org.epost.mail.search.TextIndexTest.xml | sed 's/.*value="//;s/"$//')
[ -n "$CP" ] || { echo "could not read the test classpath from surefire's report" >&2; exit 1; }
# this checkout's modules, not whatever another checkout last installed in the shared ~/.m2
REPO=$(cd .. && pwd)
CP=$(echo "$CP" | tr ':' '\n' | sed -E \
  -e '/-tests\.jar$/b' \
  -e "s#^.*/org/epost/(crypto|post-core|imap-proxy|smtp-proxy)/.*\.jar\$#$REPO/\1/target/classes#" \
  -e "s#^.*/org/epost/overlay-(kbr|past|scribe|runtime)/.*\.jar\$#$REPO/overlay/\1/target/classes#" \
  | paste -sd:)
B=org.epost.mail.bench.ImapRingBench

echo "== machine"; nproc; lscpu | grep -E 'Model name|^CPU\(s\)'; java -version 2>&1 | head -1; uptime

echo "== generating $N messages"
java -cp "$CP" $B genmaildir "$W/Maildir" "$N"
mkdir -p "$W/home" "$W/run" "$W/state"
chown -R nobody:nogroup "$W/Maildir" "$W/home"
cat > "$W/dovecot.conf" <<CONF
base_dir = $W/run
state_dir = $W/state
log_path = $W/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$W/Maildir
first_valid_uid = 65534
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = static
  args = password=bench
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$W/home
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $PORT
  }
  inet_listener imaps {
    port = 0
  }
}
CONF
start_dovecot() {
  /usr/sbin/dovecot -c "$W/dovecot.conf"
  sleep 2
  MASTER=$(cat "$W/run/master.pid")
}
start_dovecot
trap 'kill $MASTER 2>/dev/null || true; rm -rf "$W"' EXIT

echo "== Dovecot $(/usr/sbin/dovecot --version) (Maildir, its own index and cache files)"
java -cp "$CP" $B remote $PORT bench bench "dovecot warm"
kill "$MASTER"; sleep 2
for r in $(seq "${RESTARTS:-5}"); do
  start_dovecot
  java -cp "$CP" $B restart $PORT bench bench "dovecot"
  kill "$MASTER"; sleep 2
done

echo "== ePOST: IMAP proxy on the real backend, LoopbackRing of 4 node runtimes in one JVM"
java -Xmx1g -Drestarts="${RESTARTS:-5}" -cp "$CP" $B epost "$W/ring" "$N"

if [ "$BIG" -gt 0 ]; then
  echo "== ePOST heap with a $BIG-message account (-Xmx256m)"
  java -Xmx256m -cp "$CP" $B memory "$W/ring-big" "$BIG"
fi
