#!/bin/bash
# A multi-host testbed on one Linux machine: N overlay nodes, each in its own network namespace
# with its own address (10.77.0.1 .. 10.77.0.N, a private range used ONLY inside the namespaces
# created here), joined through a bridge in a hub namespace. Every node's link gets a netem delay
# (drawn once per node from [MIN/2, MAX/2] ms, applied on both sides, so a one-way path between two
# nodes is MIN..MAX ms) and optional loss. Needs root and iproute2. Nothing outside the created
# namespaces is touched: the root namespace gets no interface, route or address.
#
#   testbed/netns-ring.sh up N [--delay MIN-MAX] [--loss PCT]   create namespaces, links, netem
#   testbed/netns-ring.sh exec I CMD...                         run CMD inside node I's namespace (0-based)
#   testbed/netns-ring.sh addr I                                print node I's address
#   testbed/netns-ring.sh down                                  delete everything created
#   testbed/netns-ring.sh check                                 exit 0 if namespaces can be created here
#   testbed/netns-ring.sh workload N [--delay ..] [--loss ..] [--keys K] [--jar JAR]
#        up, start N nodes from the jar, route K random keys from random nodes, print
#        "hops" and "latency" figures, and tear everything down (also on Ctrl-C or error)
set -euo pipefail
P=${EPOST_TESTBED_PREFIX:-ept}
HUB=$P-hub
STATE=${TMPDIR:-/tmp}/$P-testbed

ns() { echo "$P-n$1"; }
addr() { echo "10.77.$(( $1 / 250 )).$(( $1 % 250 + 1 ))"; }

up() {
  local n=$1; shift
  local dmin=0 dmax=0 loss=0
  while [ $# -gt 0 ]; do
    case $1 in
      --delay) dmin=${2%-*}; dmax=${2#*-}; shift 2 ;;
      --loss) loss=$2; shift 2 ;;
      *) echo "unknown option $1" >&2; exit 2 ;;
    esac
  done
  down >/dev/null 2>&1 || true
  mkdir -p "$STATE"
  echo "$n" > "$STATE/nodes"
  ip netns add "$HUB"
  ip -n "$HUB" link set lo up
  ip -n "$HUB" link add br0 type bridge
  ip -n "$HUB" link set br0 up
  for ((i = 0; i < n; i++)); do
    local node; node=$(ns "$i")
    ip netns add "$node"
    ip -n "$node" link set lo up
    ip -n "$node" link add eth0 type veth peer name "h$i" netns "$HUB"
    ip -n "$node" addr add "$(addr "$i")/16" dev eth0
    ip -n "$node" link set eth0 up
    ip -n "$HUB" link set "h$i" master br0
    ip -n "$HUB" link set "h$i" up
    if [ "$dmax" -gt 0 ] || [ "$loss" != 0 ]; then
      # half of the one-way delay on each side: node egress and hub egress towards the node
      local d=$(( (dmin + RANDOM % (dmax - dmin + 1)) / 2 ))
      echo "$i $d" >> "$STATE/delays"
      if ! ip netns exec "$node" tc qdisc add dev eth0 root netem delay "${d}ms" loss "${loss}%" 2>/dev/null \
          || ! ip netns exec "$HUB" tc qdisc add dev "h$i" root netem delay "${d}ms" 2>/dev/null; then
        [ -f "$STATE/no-netem" ] || echo "WARNING: tc netem is not available in this kernel (sch_netem); links get no added delay or loss" >&2
        touch "$STATE/no-netem"
      fi
    fi
  done
  echo "testbed up: $n namespaces $(ns 0)..$(ns $((n - 1))), addresses $(addr 0)..$(addr $((n - 1))), delay ${dmin}-${dmax} ms, loss ${loss}%"
}

down() {
  local n=0
  [ -f "$STATE/nodes" ] && n=$(cat "$STATE/nodes")
  for p in $(ip netns pids "$HUB" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  for ((i = 0; i < n; i++)); do
    for p in $(ip netns pids "$(ns "$i")" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
    ip netns del "$(ns "$i")" 2>/dev/null || true
  done
  ip netns del "$HUB" 2>/dev/null || true
  rm -rf "$STATE"
  echo "testbed down"
}

check() {
  [ "$(id -u)" = 0 ] || { echo "not root" >&2; exit 1; }
  command -v ip >/dev/null || { echo "no iproute2" >&2; exit 1; }
  ip netns add "$P-probe" 2>/dev/null || { echo "ip netns add is not allowed here" >&2; exit 1; }
  ip netns del "$P-probe"
}

workload() {
  local n=$1; shift
  local keys=200 jar=overlay/target/overlay-node.jar opts=()
  while [ $# -gt 0 ]; do
    case $1 in
      --keys) keys=$2; shift 2 ;;
      --jar) jar=$2; shift 2 ;;
      *) opts+=("$1" "$2"); shift 2 ;;
    esac
  done
  trap down EXIT
  up "$n" "${opts[@]}"
  local work="$STATE/work"; mkdir -p "$work"
  export EPOST_NODE_REGISTRY="$work/registry"
  local java=(java -Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar "$jar")
  ip netns exec "$(ns 0)" "${java[@]}" run --listen "$(addr 0):7000" --data "$work/n0" > "$work/n0.out" 2> "$work/n0.err" &
  wait_ready 0
  for ((i = 1; i < n; i++)); do
    ip netns exec "$(ns "$i")" "${java[@]}" run --listen "$(addr "$i"):7000" --bootstrap "$(addr $((i - 1))):7000" \
      --data "$work/n$i" > "$work/n$i.out" 2> "$work/n$i.err" &
    wait_ready "$i"
  done
  echo "all $n nodes ready; letting the ring settle for 20 s"
  sleep 20
  local per=$(( (keys + n - 1) / n ))
  for ((i = 0; i < n; i++)); do
    local args=()
    for ((k = 0; k < per; k++)); do args+=(--key "$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')"); done
    ip netns exec "$(ns "$i")" "${java[@]}" route --via "$(addr "$i"):7000" "${args[@]}" > "$work/route$i.out" || true
  done
  cat "$work"/route*.out > "$work/routes"
  awk '/^delivered/ { split($3, h, "="); s += h[2]; c++ } END { if (c) printf "routed %d keys, average hops %.2f\n", c, s / c }' "$work/routes"
  echo "failed: $(grep -vc '^delivered' "$work/routes" || true)"
  cp "$work/routes" "${EPOST_TESTBED_RESULTS:-/tmp}/testbed-routes.txt" 2>/dev/null || true
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
  workload) workload "$@" ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
