/* xdp1-style: counts every IPv4 frame eth0 receives per IP protocol, and drops UDP
 * to one port (DROP_PORT, given with -D at build time) before the stack sees it. */
#include "../bpf.h"
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 256); __type(key, __u32); __type(value, __u64); } proto SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } dropped SEC(".maps");

SEC("xdp")
int udpdrop(struct xdp_md *ctx) {
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
  __u32 key = ip->protocol;
  __u64 *count = bpf_map_lookup_elem(&proto, &key);
  if (count)
    __sync_fetch_and_add(count, 1);
  if (ip->protocol != 17 || ip->ihl_version != 0x45)
    return XDP_PASS;
  struct udphdr *udp = (void *)(ip + 1);
  if ((void *)(udp + 1) > data_end)
    return XDP_PASS;
  if (udp->dest != bpf_htons(DROP_PORT))
    return XDP_PASS;
  __u32 zero = 0;
  __u64 *n = bpf_map_lookup_elem(&dropped, &zero);
  if (n)
    __sync_fetch_and_add(n, 1);
  return XDP_DROP;
}
char _license[] SEC("license") = "GPL";
