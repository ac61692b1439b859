/* A loop whose bound comes from the syscall's first argument: nothing bounds it. */
#include "../bpf.h"
SEC("tracepoint/raw_syscalls/sys_enter")
int spin(struct trace_event_raw_sys_enter *ctx) {
  for (unsigned long i = 0; i != ctx->args[0]; i++)
    bpf_ktime_get_ns();
  return 0;
}
char _license[] SEC("license") = "GPL";
