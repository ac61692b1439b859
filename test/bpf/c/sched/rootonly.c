/* A scheduler with a bug: it serves only root's processes, so anyone else's waits for
 * ever. The kernel's stall watchdog must take the default policy back. */
#include "../bpf.h"
SEC("struct_ops/pick_next")
int rootonly(struct kk_sched_ctx *ctx) {
  __u32 n = ctx->nr_runnable, pick = 0;
#pragma clang loop unroll(full)
  for (int i = 0; i < 8; i++) {
    __u32 pid = ctx->task[i].pid, uid = ctx->task[i].uid;
    if (pick == 0 && i < n && uid == 0)
      pick = pid;
  }
  return pick;
}
char _license[] SEC("license") = "GPL";
