#!/bin/bash
# A multi-host testbed on one Linux machine: N overlay nodes, each in its own network namespace
# with its own address (10.77.0.1 .. 10.77.0.N, a private range used ONLY inside the namespaces
# created here). Without --delay/--loss the nodes are joined through a bridge in a hub namespace
# by veth pairs, with no link emulation (what the multi-process test uses). With --delay MIN-MAX
# every PAIR of nodes gets its own one-way delay, drawn like the simulator's latency model (nodes
# placed uniformly on a sphere, delay = MIN + (MAX-MIN) * angle/pi, seeded, symmetric), applied
# once per direction at the sender, plus optional loss. The link emulator is the first that works:
#   netem   tc netem per destination (htb class + u32 filter + netem per peer) on each veth
#   edt     an eBPF program (testbed/edt-delay.bpf.c, built with clang) stamps departure times
#           and the fq qdisc holds packets until then; needs sch_fq and clang
#   switch  testbed/delay-switch.py: every node's eth0 is a TUN device served by one user-space
#           process that holds each packet for its pair's delay; needs python3 and /dev/net/tun
#   none    no emulator worked: a warning, links without delay
# The choice is printed ("link emulation: ..."), then UDP round trips between node pairs are
# measured and printed next to the configured ones. Needs root and iproute2. Nothing outside the
# created namespaces is touched: the root namespace gets no interface, route or address.
#
#   testbed/netns-ring.sh up N [--delay MIN-MAX] [--loss PCT] [--seed S] [--emulator E]
#   testbed/netns-ring.sh exec I CMD...     run CMD inside node I's namespace (0-based)
#   testbed/netns-ring.sh addr I            print node I's address
#   testbed/netns-ring.sh down              delete everything created (and stop the switch)
#   testbed/netns-ring.sh check             exit 0 if namespaces can be created here
#   testbed/netns-ring.sh edt-check [N]     test the eBPF program with BPF_PROG_TEST_RUN (no fq needed)
#   testbed/netns-ring.sh workload N [up options] [--keys K] [--settle SEC] [--jar JAR] [--timed]
#        up, start N nodes from the jar, route K keys (seeded) from every node in turn, print
#        average hops (and with --timed the delay stretch), tear everything down (also on
#        Ctrl-C or error). EPOST_TESTBED_RESULTS=DIR keeps the raw route lines there.
# EPOST_TESTBED_PREFIX (default ept) names the namespaces, so two testbeds can coexist.
set -euo pipefail
P=${EPOST_TESTBED_PREFIX:-ept}
HUB=$P-hub
STATE=${TMPDIR:-/tmp}/$P-testbed
HERE=$(cd "$(dirname "$0")" && pwd)

ns() { echo "$P-n$1"; }
addr() { echo "10.77.$(( $1 / 250 )).$(( $1 % 250 + 1 ))"; }

# The delay matrix in microseconds, one row per source node: points uniform on a unit sphere
# (the simulator's model), one-way delay MIN + (MAX-MIN) * angle/pi, so its mean is (MIN+MAX)/2.
delay_matrix() {
  awk -v n="$1" -v lo="$2" -v hi="$3" -v seed="$4" 'BEGIN {
    srand(seed); pi = atan2(0, -1)
    for (i = 0; i < n; i++) { z = 2 * rand() - 1; phi = 2 * pi * rand(); r = sqrt(1 - z * z)
      x[i] = r * cos(phi); y[i] = r * sin(phi); w[i] = z }
    for (i = 0; i < n; i++) { line = ""
      for (j = 0; j < n; j++) {
        d = 0
        if (i != j) { dot = x[i] * x[j] + y[i] * y[j] + w[i] * w[j]
          if (dot > 1) dot = 1; if (dot < -1) dot = -1
          d = int((lo + (hi - lo) * atan2(sqrt(1 - dot * dot), dot) / pi) * 1000 + 0.5) }
        line = line (j ? " " : "") d }
      print line } }'
}

# Which emulator works here; each probe runs in a scratch namespace and leaves nothing behind.
can_netem() {
  ip netns add "$P-probe" 2>/dev/null || return 1
  local ok=1
  ip netns exec "$P-probe" tc qdisc add dev lo root netem delay 1ms 2>/dev/null && ok=0
  ip netns del "$P-probe"
  return $ok
}
can_edt() {
  command -v clang >/dev/null && [ -f /usr/include/bpf/bpf_helpers.h ] || return 1
  ip netns add "$P-probe" 2>/dev/null || return 1
  local ok=1
  ip netns exec "$P-probe" tc qdisc add dev lo root fq 2>/dev/null \
    && ip netns exec "$P-probe" tc qdisc add dev lo clsact 2>/dev/null && ok=0
  ip netns del "$P-probe"
  return $ok
}
can_switch() {
  command -v python3 >/dev/null && [ -c /dev/net/tun ]
}

up() {
  local n=$1; shift
  local dmin=0 dmax=0 loss=0 seed=1 emulator=auto
  while [ $# -gt 0 ]; do
    case $1 in
      --delay) dmin=${2%-*}; dmax=${2#*-}; shift 2 ;;
      --loss) loss=$2; shift 2 ;;
      --seed) seed=$2; shift 2 ;;
      --emulator) emulator=$2; shift 2 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
  [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 1000 ] || { echo "N must be 1..1000, got '$n'" >&2; exit 2; }
  [[ $dmin =~ ^[0-9]+$ && $dmax =~ ^[0-9]+$ ]] && [ "$dmin" -le "$dmax" ] \
    || { echo "--delay wants MIN-MAX in whole milliseconds, MIN <= MAX (e.g. 20-60)" >&2; exit 2; }
  [[ $loss =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v l="$loss" 'BEGIN { exit !(l < 100) }' \
    || { echo "--loss wants a percentage below 100 (e.g. 1 or 0.5)" >&2; exit 2; }
  [[ $seed =~ ^[0-9]+$ ]] || { echo "--seed wants a whole number" >&2; exit 2; }
  down >/dev/null 2>&1 || true
  mkdir -p "$STATE"
  echo "$n" > "$STATE/nodes"
  local asked=$emulator
  if [ "$dmax" = 0 ] && [ "$loss" = 0 ]; then
    emulator=off
  elif [ "$emulator" = auto ]; then
    if can_netem; then emulator=netem
    elif can_edt; then emulator=edt
    elif can_switch; then emulator=switch
    else emulator=none; fi
  else
    case $emulator in
      netem) can_netem || { echo "emulator netem is not available here: the kernel has no sch_netem" >&2; exit 1; } ;;
      edt) can_edt || { echo "emulator edt is not available here: it needs the kernel's sch_fq and clsact," \
             "and clang and libbpf-dev (/usr/include/bpf)" >&2; exit 1; } ;;
      switch) can_switch || { echo "emulator switch is not available here: it needs python3 and /dev/net/tun" >&2; exit 1; } ;;
      none) ;;
      *) echo "unknown emulator $emulator (auto, netem, edt, switch or none)" >&2; exit 2 ;;
    esac
  fi
  for ((i = 0; i < n; i++)); do
    ip netns add "$(ns "$i")"
    ip -n "$(ns "$i")" link set lo up
  done
  if [ "$emulator" != off ]; then
    delay_matrix "$n" "$dmin" "$dmax" "$seed" > "$STATE/delays"
  fi
  if [ "$emulator" = switch ]; then
    up_switch "$n" "$loss" "$seed"
  else
    up_bridge "$n"
    case $emulator in
      netem) up_netem "$n" "$loss" ;;
      edt) up_edt "$n" "$loss" ;;
      none) [ "$asked" = none ] || echo "WARNING: no link emulator works here (no sch_netem; no sch_fq + clang;" \
              "no python3 + /dev/net/tun): links get no added delay or loss" >&2 ;;
    esac
  fi
  echo "$emulator" > "$STATE/emulator"
  echo "testbed up: $n namespaces $(ns 0)..$(ns $((n - 1))), addresses $(addr 0)..$(addr $((n - 1)))"
  if [ "$emulator" = none ]; then
    echo "link emulation: none; the requested delays and loss are NOT applied"
  elif [ "$emulator" != off ]; then
    echo "link emulation: $emulator; one-way delay per pair $(awk '{ for (j = 1; j <= NF; j++) if ($j > 0) {
      s += $j; c++; if (!mn || $j < mn) mn = $j; if ($j > mx) mx = $j } }
      END { printf "%.1f..%.1f ms (mean %.1f, seed '"$seed"')", mn / 1000, mx / 1000, s / c / 1000 }' "$STATE/delays"), loss ${loss}%"
    if command -v python3 >/dev/null && [ "$emulator" != none ]; then
      python3 "$HERE/delay-switch.py" probe --prefix "$P" --nodes "$n" --delays "$STATE/delays" \
        || echo "WARNING: measured round trips differ from the configured delays (loaded machine, or loss)" >&2
    fi
  fi
}

# veth pairs from every node to a bridge in the hub namespace.
up_bridge() {
  local n=$1
  ip netns add "$HUB"
  ip -n "$HUB" link set lo up
  ip -n "$HUB" link add br0 type bridge
  ip -n "$HUB" link set br0 up
  for ((i = 0; i < n; i++)); do
    local node; node=$(ns "$i")
    ip -n "$node" link add eth0 type veth peer name "h$i" netns "$HUB"
    ip -n "$node" addr add "$(addr "$i")/16" dev eth0
    ip -n "$node" link set eth0 up
    ip -n "$HUB" link set "h$i" master br0
    ip -n "$HUB" link set "h$i" up
  done
}

# netem per destination on each node's eth0: htb class 1:(j+2) -> netem with the pair's delay,
# a u32 filter on the destination address; everything else (ARP) goes to the default class 1:1.
up_netem() {
  local n=$1 loss=$2 i=0
  while read -r -a row; do
    local node; node=$(ns "$i")
    ip netns exec "$node" tc qdisc add dev eth0 root handle 1: htb default 1
    ip netns exec "$node" tc class add dev eth0 parent 1: classid 1:1 htb rate 10gbit quantum 60000
    for ((j = 0; j < n; j++)); do
      [ "$j" = "$i" ] && continue
      local c; c=$(printf '%x' $((j + 2)))
      ip netns exec "$node" tc class add dev eth0 parent 1: classid "1:$c" htb rate 10gbit quantum 60000
      ip netns exec "$node" tc qdisc add dev eth0 parent "1:$c" netem delay "${row[$j]}us" loss "${loss}%" limit 100000
      ip netns exec "$node" tc filter add dev eth0 parent 1: protocol ip prio 1 u32 \
        match ip dst "$(addr "$j")/32" flowid "1:$c"
    done
    i=$((i + 1))
  done < "$STATE/delays"
}

# Compiles edt-delay.bpf.c for the matrix in DELAYS (N nodes, loss PCT) into OUT.
edt_build() {
  local delays=$1 n=$2 loss=$3 out=$4
  {
    echo "#define EPT_NODES $n"
    echo "#define EPT_LOSS_PPM $(awk -v l="$loss" 'BEGIN { printf "%du", l * 10000 }')"
    printf '#define EPT_DELAYS_US {'
    awk '{ s = $0; gsub(/ /, ", ", s); printf "%s{%s}", (NR > 1 ? ", " : " "), s } END { print " }" }' "$delays"
  } > "$out.h"
  clang -O2 -g -target bpf -I"/usr/include/$(uname -m)-linux-gnu" -include "$out.h" -c "$HERE/edt-delay.bpf.c" -o "$out"
}

# eBPF earliest-departure-time: one object compiled for this matrix, on every node's eth0.
up_edt() {
  local n=$1 loss=$2
  edt_build "$STATE/delays" "$n" "$loss" "$STATE/edt-delay.o"
  for ((i = 0; i < n; i++)); do
    local node; node=$(ns "$i")
    # horizon well above the largest delay; packets stamped beyond it would be dropped
    ip netns exec "$node" tc qdisc add dev eth0 root fq horizon 10s horizon_drop
    ip netns exec "$node" tc qdisc add dev eth0 clsact
    ip netns exec "$node" tc filter add dev eth0 egress bpf direct-action obj "$STATE/edt-delay.o" sec tc
  done
}

# Checks the eBPF program itself with BPF_PROG_TEST_RUN (no qdisc needed): every pair's stamp,
# pass-through of other addresses and ARP, and 100 % loss. Needs root, clang, libbpf-dev.
edt_check() {
  local n=${1:-8} dir
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' RETURN
  delay_matrix "$n" 20 60 1 > "$dir/delays"
  edt_build "$dir/delays" "$n" 0 "$dir/edt.o"
  edt_build "$dir/delays" "$n" 100 "$dir/edt-loss.o"
  clang -O2 -Wall -o "$dir/check" "$HERE/edt-delay-check.c" -lbpf
  "$dir/check" "$dir/edt.o" "$dir/delays" "$n" 0 && "$dir/check" "$dir/edt-loss.o" "$dir/delays" "$n" 1000000
}

# The user-space switch: it creates a TUN eth0 in every node namespace (they vanish with it).
up_switch() {
  local n=$1 loss=$2 seed=$3 rt=()
  command -v chrt >/dev/null && rt=(chrt -f 10)
  rm -f "$STATE/switch.ready"
  setsid "${rt[@]}" python3 "$HERE/delay-switch.py" serve --prefix "$P" --nodes "$n" --delays "$STATE/delays" \
    --loss "$loss" --seed "$seed" --ready "$STATE/switch.ready" > "$STATE/switch.log" 2>&1 < /dev/null &
  echo $! > "$STATE/switch.pid"
  for _ in $(seq 1 100); do
    [ -f "$STATE/switch.ready" ] && break
    kill -0 "$(cat "$STATE/switch.pid")" 2>/dev/null || { cat "$STATE/switch.log" >&2; return 1; }
    sleep 0.1
  done
  [ -f "$STATE/switch.ready" ] || { echo "delay switch did not start" >&2; return 1; }
  for ((i = 0; i < n; i++)); do
    ip -n "$(ns "$i")" addr add "$(addr "$i")/16" dev eth0
    ip -n "$(ns "$i")" link set eth0 up
  done
}

down() {
  local n=0
  if [ -f "$STATE/nodes" ]; then n=$(cat "$STATE/nodes"); fi
  if [ -f "$STATE/switch.pid" ]; then
    local sp; sp=$(cat "$STATE/switch.pid")
    kill -TERM "$sp" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$sp" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$sp" 2>/dev/null || true
    [ -f "$STATE/switch.log" ] && cat "$STATE/switch.log" >&2
  fi
  for p in $(ip netns pids "$HUB" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  # the recorded nodes, and any other namespace of this prefix (a run whose state file is gone)
  local names
  names=$( { for ((i = 0; i < n; i++)); do ns "$i"; done
             ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "^$P-n[0-9]+\$" || true; } | sort -u)
  for name in $names; do
    for p in $(ip netns pids "$name" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$name" 2>/dev/null || true
  done
  ip netns del "$HUB" 2>/dev/null || true
  ip netns del "$P-probe" 2>/dev/null || true
  rm -rf "$STATE"
  echo "testbed down"
}

check() {
  [ "$(id -u)" = 0 ] || { echo "not root" >&2; exit 1; }
  command -v ip >/dev/null || { echo "no iproute2" >&2; exit 1; }
  ip netns add "$P-probe" 2>/dev/null || { echo "ip netns add is not allowed here" >&2; exit 1; }
  ip netns del "$P-probe"
}

# Seeded 40-hex-digit keys, one per line.
keys() {
  awk -v k="$1" -v seed="$2" 'BEGIN { srand(seed + 1000)
    for (i = 0; i < k; i++) { s = ""; for (j = 0; j < 10; j++) s = s sprintf("%04x", int(rand() * 65536)); print s } }'
}

workload() {
  local n=$1; shift
  local keys=200 settle=20 seed=1 jar=overlay/runtime/target/overlay-node.jar timed=() opts=()
  while [ $# -gt 0 ]; do
    case $1 in
      --keys) keys=$2; shift 2 ;;
      --settle) settle=$2; shift 2 ;;
      --jar) jar=$2; shift 2 ;;
      --timed) timed=(--timed); shift ;;
      --seed) seed=$2; opts+=("$1" "$2"); shift 2 ;;
      *) opts+=("$1" "$2"); shift 2 ;;
    esac
  done
  [ -f "$jar" ] || { echo "no $jar: build it with mvn -q -B -pl overlay/runtime -am package -DskipTests" >&2; exit 1; }
  jar=$(cd "$(dirname "$jar")" && pwd)/$(basename "$jar")
  trap down EXIT
  trap 'exit 130' INT TERM
  local t0=$SECONDS
  up "$n" ${opts[@]+"${opts[@]}"}
  local work="$STATE/work"; mkdir -p "$work"
  export EPOST_NODE_REGISTRY="$work/registry"
  local java=(java -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar")
  ip netns exec "$(ns 0)" "${java[@]}" run --listen "$(addr 0):7000" --data "$work/n0" > "$work/n0.out" 2> "$work/n0.err" &
  disown  # down kills the nodes with SIGKILL; no job notices for that
  wait_ready 0
  for ((i = 1; i < n; i++)); do
    ip netns exec "$(ns "$i")" "${java[@]}" run --listen "$(addr "$i"):7000" --bootstrap "$(addr $((i - 1))):7000" \
      --data "$work/n$i" > "$work/n$i.out" 2> "$work/n$i.err" &
    disown
    wait_ready "$i"
  done
  echo "all $n nodes ready after $((SECONDS - t0)) s; letting the ring settle for $settle s"
  sleep "$settle"
  keys "$keys" "$seed" > "$work/keys"
  : > "$work/routes"
  for ((i = 0; i < n; i++)); do
    local args=()
    # keys i, i+n, i+2n, ... from node i
    while read -r k; do args+=(--key "$k"); done < <(awk -v n="$n" -v i="$i" '(NR - 1) % n == i' "$work/keys")
    [ ${#args[@]} -gt 0 ] || continue
    ip netns exec "$(ns "$i")" "${java[@]}" route "${timed[@]}" --via "$(addr "$i"):7000" "${args[@]}" \
      | sed "s/^/from=$i /" >> "$work/routes" || true
  done
  if [ -n "${EPOST_TESTBED_RESULTS:-}" ]; then
    mkdir -p "$EPOST_TESTBED_RESULTS"
    cp "$work/routes" "$EPOST_TESTBED_RESULTS/routes.txt"
    if [ -f "$STATE/delays" ]; then cp "$STATE/delays" "$EPOST_TESTBED_RESULTS/delays-us.txt"; fi
  fi
  summarize "$work/routes"
  echo "workload took $((SECONDS - t0)) s"
}

# Average hops; with timing, the delay stretch the simulator reports (sum of route latencies over
# sum of direct latencies, keys whose root is the source left out as they have neither), where a
# route's one-way latency is its round trip (routed there, answered directly) minus half the
# direct round trip, and the direct latency is half the best direct round trip.
summarize() {
  awk '/ delivered / {
      c++; split($4, h, "="); hops += h[2]
      if ($5 ~ /^route_us=/) { split($5, r, "="); split($6, d, "=")
        if (d[2] > 0) { t++; one = r[2] - d[2] / 2; route += one; direct += d[2] / 2
          print one / (d[2] / 2) > "/dev/stderr" } } }
    !/ delivered / { failed++ }
    END {
      printf "routed %d keys, failed %d, average hops %.3f\n", c, failed, c ? hops / c : 0
      if (t) printf "delay stretch (sum route / sum direct, %d keys with root != source) %.3f; mean route %.1f ms, mean direct %.1f ms one-way\n", t, route / direct, route / t / 1000, direct / t / 1000
    }' "$1" 2> "$1.stretch"
  if [ -s "$1.stretch" ]; then
    sort -g "$1.stretch" | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); lo = int(NR * 0.1) + 1; hi = int(NR * 0.9)
      if (hi < 1) hi = 1
      printf "per-key stretch: median %.3f, p10 %.3f, p90 %.3f, max %.3f\n", v[m], v[lo], v[hi], v[NR] }'
  fi
}

wait_ready() {
  for _ in $(seq 1 240); do
    grep -q '^ready ' "$STATE/work/n$1.out" 2>/dev/null && { echo "node $1: $(cat "$STATE/work/n$1.out")"; return 0; }
    sleep 0.5
  done
  echo "node $1 did not become ready:" >&2; cat "$STATE/work/n$1.err" >&2; return 1
}

cmd=${1:-}; shift || true
case $cmd in
  up) up "$@" ;;
  down) down ;;
  exec) i=$1; shift; exec ip netns exec "$(ns "$i")" "$@" ;;
  addr) addr "$1" ;;
  check) check ;;
  edt-check) edt_check "$@" ;;
  workload) workload "$@" ;;
  *) sed -n '2,/^set -euo/{/^set -euo/!p}' "$0"; exit 2 ;;
esac
