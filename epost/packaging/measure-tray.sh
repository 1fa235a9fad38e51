#!/bin/sh
# Measures what the tray adds to an idle daemon (docs/benchmarks.md, "Desktop"), with the shaded jar:
#   epost/packaging/measure-tray.sh off & epost/packaging/measure-tray.sh on; wait
#   epost/packaging/measure-tray.sh sni       # the StatusNotifier/AppIndicator path (ADR 0143)
# on: Xvfb and trayer on display :$DISP (default 95), tray.enabled = on; off: tray.enabled = off;
# sni: Xvfb on :$DISP (default 96), a private session bus, status-notifier-watcher and
# gtk-sni-tray-standalone, tray.enabled = on (dorkbox's AppIndicator tray).
# Prints idle CPU over 60 s (after 30 s) and the heap after a full GC.
set -e
mode=$1; base=/tmp/meas-tray; mkdir -p $base; d=$base/data-$mode; rm -rf $d
J=$(cd "$(dirname "$0")/../target" && pwd)/epost.jar
printf 'pw\n' > $base/pass
port=$(case $mode in on) echo 7631;; off) echo 7632;; *) echo 7633;; esac)
java -jar $J ring init --data $d --domain m.test --listen 127.0.0.1:$port --passphrase-file $base/pass >/dev/null
java -jar $J enrol a@m.test --data $d --passphrase-file $base/pass >/dev/null
printf 'status.listen = 127.0.0.1:0\nimap.listen = 127.0.0.1:0\nsmtp.listen = 127.0.0.1:0\ntray.enabled = %s\n' $([ $mode = off ] && echo off || echo on) >> $d/epost.properties
opts=""
if [ $mode = on ]; then
  disp=:${DISP:-95}
  Xvfb $disp -screen 0 800x200x24 -nolisten tcp >/dev/null 2>&1 & xp=$!
  sleep 1
  DISPLAY=$disp trayer --edge top --align right --widthtype pixel --width 200 --height 32 >/dev/null 2>&1 & tp=$!
  sleep 1
  export DISPLAY=$disp
fi
if [ $mode = sni ]; then
  disp=:${DISP:-96}
  Xvfb $disp -screen 0 800x200x24 -nolisten tcp >/dev/null 2>&1 & xp=$!
  sleep 1
  export DISPLAY=$disp NO_AT_BRIDGE=1
  DBUS_SESSION_BUS_ADDRESS=$(dbus-daemon --session --fork --print-address=1 --print-pid=3 3>$base/bus.pid)
  export DBUS_SESSION_BUS_ADDRESS
  status-notifier-watcher >/dev/null 2>&1 & wp=$!
  sleep 1
  gtk-sni-tray-standalone --top --end --size 32 >/dev/null 2>&1 & tp=$!
  sleep 1
  # root's own private bus: dorkbox's guard against root on a user's bus does not apply
  [ "$(id -u)" = 0 ] && opts=-Ddorkbox.systemTray.SystemTray.ENABLE_ROOT_CHECK=false
fi
java $opts -jar $J run --data $d --passphrase-file $base/pass > $base/run-$mode.log 2>&1 &
pid=$!
for i in $(seq 1 120); do grep -q "^epost running" $base/run-$mode.log && break; sleep 0.5; done
sleep 30
t0=$(awk '{print $14+$15}' /proc/$pid/stat); sleep 60; t1=$(awk '{print $14+$15}' /proc/$pid/stat)
jcmd $pid GC.run >/dev/null; sleep 2
echo "$mode cpu_ticks_60s=$((t1-t0)) ($(echo "scale=3; ($t1-$t0)*100/6000" | bc) % of a core)"
jcmd $pid GC.heap_info | head -3
echo "threads $(ls /proc/$pid/task | wc -l)"
grep -E "^tray" $base/run-$mode.log || true
kill $pid; wait $pid || true
if [ $mode = on ]; then kill $tp $xp; fi
if [ $mode = sni ]; then kill $tp $wp $xp $(cat $base/bus.pid); fi
