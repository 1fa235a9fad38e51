#!/bin/sh
# Measures what the status page adds to an idle daemon (docs/benchmarks.md, "Desktop"):
#   epost/packaging/measure-status-page.sh off; epost/packaging/measure-status-page.sh on
# usage: run.sh on|off  -> idle CPU over 120 s and heap after a full GC
set -e
mode=$1; d=/tmp/meas/data-$mode; rm -rf $d; J=/work/wt-desktop/epost/target/epost.jar
printf 'pw\n' > /tmp/meas/pass
port=$([ $mode = on ] && echo 7621 || echo 7622)
java -jar $J ring init --data $d --domain m.test --listen 127.0.0.1:$port --passphrase-file /tmp/meas/pass >/dev/null
java -jar $J enrol a@m.test --data $d --passphrase-file /tmp/meas/pass >/dev/null
if [ $mode = on ]; then printf 'status.listen = 127.0.0.1:0\nimap.listen = 127.0.0.1:0\nsmtp.listen = 127.0.0.1:0\n' >> $d/epost.properties
else printf 'status.listen = off\nimap.listen = 127.0.0.1:0\nsmtp.listen = 127.0.0.1:0\n' >> $d/epost.properties; fi
java -jar $J run --data $d --passphrase-file /tmp/meas/pass > /tmp/meas/run-$mode.log 2>&1 &
pid=$!
for i in $(seq 1 120); do grep -q "^epost running" /tmp/meas/run-$mode.log && break; sleep 0.5; done
sleep 30
t0=$(awk '{print $14+$15}' /proc/$pid/stat); sleep 120; t1=$(awk '{print $14+$15}' /proc/$pid/stat)
jcmd $pid GC.run >/dev/null; sleep 2
heap=$(jcmd $pid GC.heap_info | head -3)
echo "$mode cpu_ticks_120s=$((t1-t0)) ($(echo "scale=3; ($t1-$t0)/100/120*100" | bc) % of a core)"
echo "$heap"
if [ $mode = on ]; then
  url=$(java -jar $J status --data $d --page | sed 's/login.*//')
  tok=$(cut -d' ' -f2 $d/node/control)
  s=$(date +%s%N); for i in $(seq 1 50); do curl -s -o /dev/null -H "Authorization: Bearer $tok" ${url}deliveries; done; e=$(date +%s%N)
  echo "50 GET /deliveries: $(( (e-s)/50000000 )) ms each"
  curl -s -H "Authorization: Bearer $tok" $url -o /dev/null -w "overview bytes=%{size_download}\n"
  jcmd $pid GC.run >/dev/null; sleep 2; jcmd $pid GC.heap_info | head -3
fi
kill $pid; wait $pid || true
