/* Hostile: checks that the Ethernet header is there, then writes past it. */
#include "../bpf.h"
SEC("xdp")
int oobwrite(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end)
    return XDP_PASS;
  __u8 *p = data;
  p[sizeof(*eth) + 8] = 0;
  return XDP_PASS;
}
char _license[] SEC("license") = "GPL";
