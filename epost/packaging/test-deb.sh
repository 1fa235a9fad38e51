#!/bin/sh
# Installs the .deb for real with dpkg -i into a throwaway root and checks it (ADR 0132): a private
# mount namespace with an overlay of / (writes go to a temporary upper layer, the machine's / is
# untouched) and a fresh network namespace (only loopback), chrooted. Needs root.
#
#   epost/packaging/build-deb.sh && epost/packaging/test-deb.sh
#
# Checks: dpkg -i runs the maintainer scripts; epost on PATH; --version; the user unit verifies;
# the desktop entry; 'epost setup' makes an owner-only data directory, key file and kept
# passphrase; 'epost run' as the unit runs it (no passphrase given, no console) starts and 'epost
# status' answers; the installed package shows its tray on a StatusNotifier host under Xvfb (when
# those are installed: .ci/packages/epost.txt); 'epost run' on a fresh directory serves the
# first-run form; 'epost demo' serves mail (swaks -> IMAP); dpkg -r removes the program and keeps
# ~/.epost; dpkg -P likewise keeps it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
deb=$(ls "$here"/../target/deb/epost_*.deb | head -1)
[ "$(id -u)" = 0 ] || { echo "needs root (mount and network namespaces)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/epost-deb-test.XXXXXX)
mkdir -p "$tmp/upper" "$tmp/work" "$tmp/root"
cp "$deb" "$tmp/upper/epost.deb"
echo "== the package's control: Recommends the AppIndicator library and secret-tool"
recommends=$(dpkg-deb -f "$deb" Recommends)
echo "Recommends: $recommends"
[ "$recommends" = "libayatana-appindicator3-1, libsecret-tools" ]
cat > "$tmp/upper/inside.sh" <<'INSIDE'
set -eu
step() { echo "== $*"; }
ip link set lo up
step "dpkg -i"
dpkg -i /epost.deb
test -L /usr/bin/epost && test -f /usr/lib/systemd/user/epost.service && test -f /usr/share/applications/epost.desktop
step "epost --version"
epost --version
step "systemd-analyze verify (the unit's syntax, checked in system mode: no user manager here)"
cp /usr/lib/systemd/user/epost.service /tmp/epost.service
systemd-analyze verify /tmp/epost.service && echo "unit verifies"
grep -E "^(ExecStart|Restart|WantedBy)=" /usr/lib/systemd/user/epost.service
step "desktop entry"
grep -E "^(Exec|Categories)=" /usr/share/applications/epost.desktop
step "epost setup as an ordinary user: owner-only data, key and kept passphrase"
useradd -m -d /home/tester tester
printf 'correct horse\n' > /home/tester/pass; chown tester /home/tester/pass
as() { runuser -u tester -- env HOME=/home/tester "$@"; }
as epost setup --new-ring --address alice@ring.test --passphrase-file /home/tester/pass \
  --start-at-login > /tmp/setup.log
grep -E "^(enrolled|passphrase kept|ring created)" /tmp/setup.log
d=/home/tester/.epost
ls -la $d $d/accounts/alice@ring.test | grep -v "^total"
# owner-only: every directory 0700 (nothing below is reachable by others), the secrets 0600
bad=$(find $d -type d -perm /077; find $d \( -name '*.key' -o -name proxy-password -o -name passphrase \) -perm /077)
[ -z "$bad" ] || { echo "open to others: $bad"; exit 1; }
[ "$(stat -c %U $d)" = tester ] || exit 1
echo "owner-only: every directory under $d is 0700, user.key, proxy-password and passphrase 0600"
step "epost run as the user unit starts it (the kept passphrase, no console) and epost status"
printf 'status.listen = 127.0.0.1:0\n' >> $d/epost.properties
as epost run < /dev/null > /tmp/run.log 2>&1 &
pid=$!
for i in $(seq 1 120); do grep -q "^epost running" /tmp/run.log && break; sleep 0.5; done
grep -q "^epost running" /tmp/run.log || { cat /tmp/run.log; exit 1; }
grep -v " INFO \| WARNING " /tmp/run.log
as epost status
as epost status --page | grep '^http://127.0.0.1:.*/login?ticket='
# $pid is the shell running 'as': stop the user's daemon itself, and wait until it is gone
dpid=$(pgrep -u tester -x epost)
kill -TERM $dpid; wait $pid || true
for i in $(seq 1 120); do kill -0 $dpid 2>/dev/null || break; sleep 0.5; done
step "the tray from the installed package: Xvfb, a private session bus, a StatusNotifier host"
if command -v Xvfb >/dev/null && command -v dbus-run-session >/dev/null \
  && command -v status-notifier-watcher >/dev/null && command -v gtk-sni-tray-standalone >/dev/null; then
  Xvfb :71 -screen 0 800x200x24 -nolisten tcp > /tmp/xvfb.log 2>&1 &
  xpid=$!
  for i in $(seq 1 50); do [ -e /tmp/.X11-unix/X71 ] && break; sleep 0.2; done
  cat > /tmp/tray.sh <<'TRAY'
status-notifier-watcher > /tmp/watcher.log 2>&1 & w=$!
sleep 1
gtk-sni-tray-standalone --top --end --size 32 --color white > /tmp/sni-host.log 2>&1 & h=$!
sleep 1
epost run < /dev/null > /tmp/tray-run.log 2>&1 & pid=$!
for i in $(seq 1 120); do grep -q "^tray state online" /tmp/tray-run.log && break; sleep 0.5; done
# the host draws the item a moment after it registers (longer on a loaded machine): screenshots
# until the online colour shows, for up to 30 s
for i in $(seq 1 30); do
  sleep 1
  import -window root PNG24:/tmp/tray.png 2>/dev/null || break
  command -v convert >/dev/null || break
  green=$(convert /tmp/tray.png -crop 200x32+600+0 -fill black +opaque "#2e9e44" -fill white -opaque "#2e9e44" -format "%[fx:int(mean*w*h+0.5)]" info:)
  [ "$green" -ge 40 ] && break
done
kill -TERM $pid; wait $pid
kill $h $w
TRAY
  as env DISPLAY=:71 NO_AT_BRIDGE=1 dbus-run-session -- sh /tmp/tray.sh || true
  kill $xpid
  grep "^tray " /tmp/tray-run.log || { cat /tmp/tray-run.log; exit 1; }
  grep -q "^tray shown: AppIndicator" /tmp/tray-run.log || { echo "no AppIndicator tray"; exit 1; }
  grep -q "^tray state online" /tmp/tray-run.log || { echo "the tray never showed online"; exit 1; }
  if command -v convert >/dev/null; then
    green=$(convert /tmp/tray.png -crop 200x32+600+0 -fill black +opaque "#2e9e44" -fill white -opaque "#2e9e44" -format "%[fx:int(mean*w*h+0.5)]" info:)
    echo "online-coloured pixels in the StatusNotifier host's bar: $green"
    [ "$green" -ge 40 ] || { echo "the icon is not in the bar"; exit 1; }
  fi
else
  echo "skipped: Xvfb, dbus-run-session, status-notifier-watcher or gtk-sni-tray-standalone missing"
fi
step "the first run in the browser: 'epost run' on a fresh data directory serves the form"
as epost run --data /home/tester/fresh < /dev/null > /tmp/first.log 2>&1 &
pid=$!
for i in $(seq 1 60); do grep -q "^first run: " /tmp/first.log && break; sleep 0.5; done
url=$(sed -n 's/^first run: .* set it up at //p' /tmp/first.log)
echo "first-run link: $(echo "$url" | sed 's/ticket=.*/ticket=.../')"
curl -s -L -c /tmp/jar -b /tmp/jar "$url" | grep -o "Create a new ring" | head -1
[ "$(curl -s -o /dev/null -w '%{http_code}' "${url%%/login*}/")" = 403 ] && echo "without the link: 403"
dpid=$(pgrep -u tester -x epost)
kill -TERM $dpid; wait $pid || true
for i in $(seq 1 120); do kill -0 $dpid 2>/dev/null || break; sleep 0.5; done
step "epost demo from the package, a mail through it"
epost demo --imap-port 21143 --smtp-port 21587 > /tmp/demo.log 2>&1 &
pid=$!
for i in $(seq 1 120); do grep -q "^ready in" /tmp/demo.log && break; sleep 0.5; done
grep "^ready in" /tmp/demo.log
pw=$(sed -n 's/.*alice@epost.demo.*imap_pass="\([^"]*\)".*/\1/p' /tmp/demo.log | head -1)
swaks --server 127.0.0.1:21587 --auth PLAIN --auth-user alice@epost.demo --auth-password "$pw" \
  --from alice@epost.demo --to bob@epost.demo --header "Subject: from the package" --body hi \
  | grep -E "^<- +250 .*(queued|Ok|accepted)|^<- +250 " | tail -1
kill -TERM $pid; wait $pid || true
step "dpkg -r keeps the mail data"
dpkg -r epost
test ! -e /usr/bin/epost && test ! -e /usr/lib/systemd/user/epost.service && test ! -d /opt/epost/bin
ls /home/tester/.epost/accounts/alice@ring.test/ | grep -q key
echo "data kept: $(ls /home/tester/.epost)"
step "dpkg -P"
dpkg -P epost
test -d /home/tester/.epost/accounts/alice@ring.test
echo "data still kept after purge"
echo "ALL STEPS PASSED"
INSIDE
status=0
unshare -m -n sh -c "
  mount -t overlay overlay -o lowerdir=/,upperdir=$tmp/upper,workdir=$tmp/work $tmp/root &&
  mount -t proc proc $tmp/root/proc && mount --rbind /dev $tmp/root/dev &&
  mount -t tmpfs tmpfs $tmp/root/tmp && mount -t tmpfs tmpfs $tmp/root/home &&
  chroot $tmp/root sh /inside.sh" || status=$?
rm -rf "$tmp"
exit $status
