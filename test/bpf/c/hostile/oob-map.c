/* Reads past the end of a map value: the value is 8 bytes, the read is at 8. */
#include "../bpf.h"
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } values SEC(".maps");
SEC("tracepoint/raw_syscalls/sys_enter")
int oob(struct trace_event_raw_sys_enter *ctx) {
  __u32 k = 0;
  __u64 *v = bpf_map_lookup_elem(&values, &k);
  if (v)
    return v[1];
  return 0;
}
char _license[] SEC("license") = "GPL";
