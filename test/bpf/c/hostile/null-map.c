/* Uses a map value without checking the lookup found one. */
#include "../bpf.h"
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } values SEC(".maps");
SEC("tracepoint/raw_syscalls/sys_enter")
int unchecked(struct trace_event_raw_sys_enter *ctx) {
  __u32 k = ctx->id;
  __u64 *v = bpf_map_lookup_elem(&values, &k);
  *v += 1;
  return 0;
}
char _license[] SEC("license") = "GPL";
