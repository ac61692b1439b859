/* Stores a map value's address into the map, where user space could read it. */
#include "../bpf.h"
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, __u64); } values SEC(".maps");
SEC("socket")
int leak(void *skb) {
  __u32 k = 0;
  __u64 *v = bpf_map_lookup_elem(&values, &k);
  if (v)
    *v = (__u64)v;
  return 0;
}
char _license[] SEC("license") = "GPL";
