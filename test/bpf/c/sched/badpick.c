/* A scheduler with a bug: it picks a pid nobody has. The kernel takes the default policy back at once. */
#include "../bpf.h"
SEC("struct_ops/pick_next")
int badpick(struct kk_sched_ctx *ctx) {
  return 40000;
}
char _license[] SEC("license") = "GPL";
