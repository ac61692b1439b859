/* A FIFO scheduler for the kernel's syscall service: of the runnable processes it is
 * offered, it picks the one that has waited longest, and counts its picks per pid. */
#include "../bpf.h"
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u64); } picks SEC(".maps");

SEC("struct_ops/pick_next")
int fifo(struct kk_sched_ctx *ctx) {
  __u32 best = 0;
  __u64 waited = 0;
  __u32 n = ctx->nr_runnable;
#pragma clang loop unroll(full)
  for (int i = 0; i < 8; i++) {
    if (i < n && (best == 0 || ctx->task[i].waited_ns > waited)) {
      best = ctx->task[i].pid;
      waited = ctx->task[i].waited_ns;
    }
  }
  if (best == 0)
    return 0;
  __u64 one = 1, *count = bpf_map_lookup_elem(&picks, &best);
  if (count)
    __sync_fetch_and_add(count, 1);
  else
    bpf_map_update_elem(&picks, &best, &one, BPF_NOEXIST);
  return best;
}
char _license[] SEC("license") = "GPL";
