#!/bin/sh
# Benchmark the ePOST IMAP proxy side by side with Dovecot (Debian dovecot-imapd) on this machine.
# Not a test. Usage (from the repository root): sh imap-proxy/bench/run-bench.sh [messages]
# Needs: dovecot-imapd installed, run as root (Dovecot drops to uid nobody for the mail process).
set -eu
N=${1:-10000}
PORT=14300
W=$(mktemp -d /tmp/imapbench.XXXXXX)
chmod 755 "$W"
cd "$(dirname "$0")/.."
# The classpath comes from the test run surefire records (works offline, with no plugin beyond
# those the build already uses): compile, run one small test, read its surefire.test.class.path.
mvn -o -q -B test -Dtest=ModifiedUtf7Test -Dsurefire.failIfNoSpecifiedTests=false
CP=$(grep -o 'name="surefire.test.class.path" value="[^"]*"' \
  target/surefire-reports/TEST-org.epost.imap.codec.ModifiedUtf7Test.xml | sed 's/.*value="//;s/"$//')
[ -n "$CP" ] || { echo "could not read the test classpath from surefire's report" >&2; exit 1; }

echo "== machine"; nproc; lscpu | head -14; java -version 2>&1 | head -1; uptime

echo "== generating $N messages"
java -cp "$CP" org.epost.imap.bench.ImapBench genmaildir "$W/Maildir" "$N"
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
protocol imap {
  mail_max_userip_connections = 1000
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
dovecot -c "$W/dovecot.conf"
sleep 2
MASTER=$(pgrep -f -x "/usr/sbin/dovecot -c $W/dovecot.conf")
trap 'kill $MASTER 2>/dev/null || true; rm -rf "$W"' EXIT

echo "== Dovecot $(dovecot --version)"
java -cp "$CP" org.epost.imap.bench.ImapBench remote 127.0.0.1 $PORT bench bench
echo "== Dovecot memory per idle connection (logged in, INBOX selected; PSS of the imap processes)"
java -cp "$CP" org.epost.imap.bench.ImapBench idle 127.0.0.1 $PORT bench bench 50 8 &
IDLE=$!
sleep 6
TOTAL=0; COUNT=0
for p in $(pgrep -x imap); do
  KB=$(awk '/^Pss:/ {print $2}' /proc/$p/smaps_rollup)
  TOTAL=$((TOTAL + KB)); COUNT=$((COUNT + 1))
done
echo "imap processes: $COUNT, total PSS ${TOTAL} KiB, per connection $((TOTAL / (COUNT > 0 ? COUNT : 1))) KiB"
wait $IDLE || echo "idle driver failed"

echo "== ePOST IMAP proxy (in-process, in-memory fixture backend)"
kill $MASTER
java -Xmx4g -cp "$CP" org.epost.imap.bench.ImapBench epost "$N"
