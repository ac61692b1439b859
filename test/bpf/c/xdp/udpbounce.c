/* An XDP_TX reflector: UDP to one port (BOUNCE_PORT, given with -D at build time) is
 * sent back out of eth0 at once, its Ethernet addresses, IPv4 addresses and UDP ports
 * swapped, before the stack sees it. Swapping keeps both checksums valid (each is a
 * sum over the same 16-bit words in another order). Counts the frames it bounced. */
#include "../bpf.h"
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } bounced SEC(".maps");

SEC("xdp")
int udpbounce(struct xdp_md *ctx) {
  void *data = (void *)(long)ctx->data;
  void *data_end = (void *)(long)ctx->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > data_end)
    return XDP_PASS;
  if (eth->h_proto != bpf_htons(ETH_P_IP))
    return XDP_PASS;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > data_end)
    return XDP_PASS;
  if (ip->protocol != 17 || ip->ihl_version != 0x45)
    return XDP_PASS;
  struct udphdr *udp = (void *)(ip + 1);
  if ((void *)(udp + 1) > data_end)
    return XDP_PASS;
  if (udp->dest != bpf_htons(BOUNCE_PORT))
    return XDP_PASS;
  for (int i = 0; i < 6; i++) {
    __u8 b = eth->h_dest[i];
    eth->h_dest[i] = eth->h_source[i];
    eth->h_source[i] = b;
  }
  __u32 addr = ip->saddr;
  ip->saddr = ip->daddr;
  ip->daddr = addr;
  __u16 port = udp->source;
  udp->source = udp->dest;
  udp->dest = port;
  __u32 zero = 0;
  __u64 *n = bpf_map_lookup_elem(&bounced, &zero);
  if (n)
    __sync_fetch_and_add(n, 1);
  return XDP_TX;
}
char _license[] SEC("license") = "GPL";
