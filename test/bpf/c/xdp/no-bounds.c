/* Hostile: reads the IP protocol without checking it against data_end first. */
#include "../bpf.h"
SEC("xdp")
int nobounds(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  struct iphdr *ip = data + sizeof(struct ethhdr);
  return ip->protocol == 17 ? XDP_DROP : XDP_PASS;
}
char _license[] SEC("license") = "GPL";
