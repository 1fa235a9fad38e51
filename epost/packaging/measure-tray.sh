#!/bin/sh
# Measures what the tray adds to an idle daemon (docs/benchmarks.md, "Desktop"), with the shaded jar:
#   epost/packaging/measure-tray.sh off & epost/packaging/measure-tray.sh on; wait
# on: Xvfb and trayer on display :$DISP (default 95), tray.enabled = on; off: tray.enabled = off.
# Prints idle CPU over 60 s (after 30 s) and the heap after a full GC.
set -e
mode=$1; base=/tmp/meas-tray; mkdir -p $base; d=$base/data-$mode; rm -rf $d
J=$(cd "$(dirname "$0")/../target" && pwd)/epost.jar
printf 'pw\n' > $base/pass
port=$([ $mode = on ] && echo 7631 || echo 7632)
java -jar $J ring init --data $d --domain m.test --listen 127.0.0.1:$port --passphrase-file $base/pass >/dev/null
java -jar $J enrol a@m.test --data $d --passphrase-file $base/pass >/dev/null
printf 'status.listen = 127.0.0.1:0\nimap.listen = 127.0.0.1:0\nsmtp.listen = 127.0.0.1:0\ntray.enabled = %s\n' $mode >> $d/epost.properties
if [ $mode = on ]; then
  disp=:${DISP:-95}
  Xvfb $disp -screen 0 800x200x24 -nolisten tcp >/dev/null 2>&1 & xp=$!
  sleep 1
  DISPLAY=$disp trayer --edge top --align right --widthtype pixel --width 200 --height 32 >/dev/null 2>&1 & tp=$!
  sleep 1
  export DISPLAY=$disp
fi
java -jar $J run --data $d --passphrase-file $base/pass > $base/run-$mode.log 2>&1 &
pid=$!
for i in $(seq 1 120); do grep -q "^epost running" $base/run-$mode.log && break; sleep 0.5; done
sleep 30
t0=$(awk '{print $14+$15}' /proc/$pid/stat); sleep 60; t1=$(awk '{print $14+$15}' /proc/$pid/stat)
jcmd $pid GC.run >/dev/null; sleep 2
echo "$mode cpu_ticks_60s=$((t1-t0)) ($(echo "scale=3; ($t1-$t0)/100/60*100" | bc) % of a core)"
jcmd $pid GC.heap_info | head -3
echo "threads $(ls /proc/$pid/task | wc -l)"
grep -E "^tray" $base/run-$mode.log || true
kill $pid; wait $pid || true
if [ $mode = on ]; then kill $tp $xp; fi
