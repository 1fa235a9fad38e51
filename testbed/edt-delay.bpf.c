// SPDX-License-Identifier: GPL-2.0
/*
 * Per-pair link delay and loss for the ePOST testbed, for kernels without sch_netem.
 *
 * Earliest-departure-time (EDT) emulation: attached to the egress hook of a clsact qdisc on a
 * node's interface, this program stamps every IPv4 packet with the time it may leave
 * (skb->tstamp = max(skb->tstamp, now) + delay), and the fq qdisc at the root of the same
 * interface holds each packet until that time. The delay is looked up in a table indexed by the
 * testbed indices of the packet's source and destination addresses (10.77.A.B is index
 * A*250 + B - 1), so one object serves every node and both directions of a pair agree as long
 * as the table is symmetric. Loss: a packet is dropped with probability loss_ppm / 1e6.
 *
 * The table comes from a header the testbed script generates for each run (-include FILE):
 *   #define EPT_NODES <n>
 *   #define EPT_LOSS_PPM <parts per million>
 *   #define EPT_DELAYS_US { {..n..}, ... }   one-way delay in microseconds, row = source
 * Packets whose addresses are not testbed addresses pass untouched (ARP is not IPv4 and passes).
 *
 * Only constant-size loops and bounds-checked reads, so the verifier accepts it on any 5.x+
 * kernel with BPF_PROG_TYPE_SCHED_CLS.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifndef EPT_NODES
#error "compile with -include <generated delays header> (see testbed/netns-ring.sh)"
#endif

/* In .rodata: libbpf (as used by tc in iproute2 >= 5.x) creates a frozen array map for it. */
static const volatile __u32 delays_us[EPT_NODES][EPT_NODES] = EPT_DELAYS_US;

/* Testbed index of 10.77.A.B, or -1 for any other address. addr is in network byte order. */
static __always_inline int testbed_index(__u32 addr) {
  __u32 a = bpf_ntohl(addr);
  if ((a >> 16) != ((10u << 8) | 77u)) {
    return -1;
  }
  __u32 idx = ((a >> 8) & 0xff) * 250 + (a & 0xff);
  if (idx < 1 || idx > EPT_NODES) {
    return -1;
  }
  return (int) (idx - 1);
}

SEC("tc")
int ept_delay(struct __sk_buff *skb) {
  void *data = (void *) (long) skb->data;
  void *end = (void *) (long) skb->data_end;
  struct ethhdr *eth = data;
  if ((void *) (eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) {
    return TC_ACT_OK;
  }
  struct iphdr *ip = (void *) (eth + 1);
  if ((void *) (ip + 1) > end) {
    return TC_ACT_OK;
  }
  int s = testbed_index(ip->saddr);
  int d = testbed_index(ip->daddr);
  if (s < 0 || d < 0 || s >= EPT_NODES || d >= EPT_NODES) {
    return TC_ACT_OK;
  }
  if (EPT_LOSS_PPM > 0 && bpf_get_prandom_u32() % 1000000u < EPT_LOSS_PPM) {
    return TC_ACT_SHOT;
  }
  __u64 now = bpf_ktime_get_ns();
  __u64 ts = skb->tstamp;
  if (ts < now) {
    ts = now;
  }
  skb->tstamp = ts + (__u64) delays_us[s][d] * 1000u;
  return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
