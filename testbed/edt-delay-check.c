// SPDX-License-Identifier: GPL-2.0
/*
 * Checks edt-delay.bpf.c without a qdisc: loads the compiled object and runs it on hand-made
 * packets with BPF_PROG_TEST_RUN, the kernel's own test entry point, which passes the packet
 * and its __sk_buff (tstamp included) through the real program and verifier.
 *
 *   edt-delay-check OBJECT DELAYS-FILE N LOSS-PPM
 *
 * For every pair (i, j) of the N nodes, a UDP packet 10.77.x.(i+1) -> 10.77.x.(j+1) with
 * tstamp T (one second in the future) must come back with tstamp T + delay[i][j] * 1000 (the
 * delay file holds microseconds, one row per source) and verdict TC_ACT_OK; with a stale tstamp
 * (0) the new one must lie between now + delay and the time after the run + delay. A packet to
 * an address outside the testbed and an ARP frame must pass untouched. With LOSS-PPM 1000000
 * every testbed packet must be dropped (TC_ACT_SHOT). Prints one line per failure and a
 * summary; exit 0 only if everything held. Needs root (loading BPF) and libbpf.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long) ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static unsigned int testbed_addr(int i) {
  return htonl((10u << 24) | (77u << 16) | ((unsigned) (i / 250) << 8) | (unsigned) (i % 250 + 1));
}

/* Runs the program once; returns its verdict and stores the tstamp it left. */
static int run(int prog, unsigned short proto, unsigned int src, unsigned int dst, unsigned long long tstamp_in,
    unsigned long long *tstamp_out) {
  unsigned char pkt[64];
  memset(pkt, 0, sizeof pkt);
  struct ethhdr *eth = (struct ethhdr *) pkt;
  eth->h_proto = htons(proto);
  struct iphdr *ip = (struct iphdr *) (eth + 1);
  ip->version = 4;
  ip->ihl = 5;
  ip->ttl = 64;
  ip->protocol = 17;
  ip->tot_len = htons(sizeof pkt - sizeof *eth);
  ip->saddr = src;
  ip->daddr = dst;
  struct __sk_buff ctx_in, ctx_out;
  memset(&ctx_in, 0, sizeof ctx_in);
  memset(&ctx_out, 0, sizeof ctx_out);
  ctx_in.tstamp = tstamp_in;
  LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt, .data_size_in = sizeof pkt, .ctx_in = &ctx_in,
      .ctx_size_in = sizeof ctx_in, .ctx_out = &ctx_out, .ctx_size_out = sizeof ctx_out, .repeat = 1);
  if (bpf_prog_test_run_opts(prog, &opts) != 0) {
    perror("BPF_PROG_TEST_RUN");
    exit(2);
  }
  *tstamp_out = ctx_out.tstamp;
  return (int) opts.retval;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s OBJECT DELAYS-FILE N LOSS-PPM\n", argv[0]);
    return 2;
  }
  int n = atoi(argv[3]);
  long loss = atol(argv[4]);
  FILE *f = fopen(argv[2], "r");
  if (!f || n < 2 || n > 1000) {
    fprintf(stderr, "cannot read %s, or N out of range\n", argv[2]);
    return 2;
  }
  unsigned long *delay = calloc((size_t) n * n, sizeof *delay);
  for (int k = 0; k < n * n; k++) {
    if (fscanf(f, "%lu", &delay[k]) != 1) {
      fprintf(stderr, "%s is not a %dx%d matrix\n", argv[2], n, n);
      return 2;
    }
  }
  fclose(f);
  struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
  if (!obj || bpf_object__load(obj) != 0) {
    fprintf(stderr, "cannot load %s (see libbpf's messages above)\n", argv[1]);
    return 2;
  }
  int prog = bpf_program__fd(bpf_object__find_program_by_name(obj, "ept_delay"));
  int failures = 0, checked = 0;
  unsigned long long out;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      if (i == j) {
        continue;
      }
      unsigned long long want = delay[(size_t) i * n + j] * 1000ull;
      unsigned long long future = now_ns() + 1000000000ull;
      int verdict = run(prog, ETH_P_IP, testbed_addr(i), testbed_addr(j), future, &out);
      checked++;
      if (loss >= 1000000) {
        if (verdict != TC_ACT_SHOT) {
          printf("%d -> %d: verdict %d, want TC_ACT_SHOT (loss 100%%)\n", i, j, verdict);
          failures++;
        }
        continue;
      }
      if (verdict != TC_ACT_OK || out != future + want) {
        printf("%d -> %d: verdict %d tstamp +%llu ns, want TC_ACT_OK and +%llu ns\n", i, j, verdict, out - future, want);
        failures++;
      }
      unsigned long long before = now_ns();
      verdict = run(prog, ETH_P_IP, testbed_addr(i), testbed_addr(j), 0, &out);
      unsigned long long after = now_ns();
      if (verdict != TC_ACT_OK || out < before + want || out > after + want) {
        printf("%d -> %d: stale tstamp became %lld ns from the run, want %llu\n", i, j, (long long) (out - before), want);
        failures++;
      }
    }
  }
  unsigned long long t = now_ns() + 1000000000ull;
  if (run(prog, ETH_P_IP, testbed_addr(0), htonl(0x7f000001), t, &out) != TC_ACT_OK || out != t) {
    printf("a packet to 127.0.0.1 was changed\n");
    failures++;
  }
  if (run(prog, ETH_P_ARP, testbed_addr(0), testbed_addr(1), t, &out) != TC_ACT_OK || out != t) {
    printf("an ARP frame was changed\n");
    failures++;
  }
  printf("edt-delay check: %d pairs, loss %ld ppm, %d failures\n", checked, loss, failures);
  bpf_object__close(obj);
  return failures == 0 ? 0 : 1;
}
