#!/usr/bin/env bash
# Server CPU time per accepted message (utime+stime of the server JVM from /proc), baseline vs branch,
# run side by side and alternated: CPU per message does not depend on how loaded the shared disk is.
set -u
# Usage: ab-cpu.sh BASELINE_TARGET_DIR BRANCH_TARGET_DIR  (each a built smtp-proxy/target; test-compile both)
B=${1:?baseline smtp-proxy/target}; N=${2:?branch smtp-proxy/target}
rm -rf /var/tmp/epost-ab; mkdir -p /var/tmp/epost-ab/base /var/tmp/epost-ab/new
java -Xmx1g -cp $B/test-classes:$B/classes org.epost.smtp.bench.BenchServerMain /var/tmp/epost-ab/base 25261 > /var/tmp/epost-ab/base.log 2>&1 & P1=$!
java -Xmx1g -cp $N/test-classes:$N/classes org.epost.smtp.bench.BenchServerMain /var/tmp/epost-ab/new 25262 > /var/tmp/epost-ab/new.log 2>&1 & P2=$!
trap 'kill $P1 $P2' EXIT
sleep 3
TCK=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
drive() { java -cp $N/test-classes:$N/classes org.epost.smtp.bench.SubmissionLoadDriver 127.0.0.1 "$@" | grep RESULT; }
for round in 1 2; do
for rcpt in carol@outside.example bob@ring.example; do
  for clients in 1 8; do
    for port in 25261 25262; do
      name=base; pid=$P1; [ $port = 25262 ] && name=new && pid=$P2
      c0=$(cpu $pid); r=$(drive $port $clients ${SECS:-10} $rcpt bench bench); c1=$(cpu $pid)
      acc=$(echo "$r" | sed 's/.*accepted=\([0-9]*\).*/\1/'); rate=$(echo "$r" | sed 's/.*rate=\([0-9.]*\).*/\1/')
      echo "round $round $name clients=$clients $rcpt rate=$rate msg/s server-cpu-per-msg=$(echo "scale=3; ($c1-$c0)*1000/$TCK/$acc" | bc) ms"
    done
  done
done
done
