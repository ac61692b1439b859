/* Writes below the 512-byte stack through a pointer into it. */
#include "../bpf.h"
SEC("tracepoint/raw_syscalls/sys_enter")
int deep(struct trace_event_raw_sys_enter *ctx) {
  char buf[16];
  bpf_get_current_comm(buf, sizeof buf);
  volatile char *p = buf;
  asm volatile("" : "+r"(p)); /* clang refuses the overflow it can see; hide it */
  p[-600] = 1;
  return buf[0];
}
char _license[] SEC("license") = "GPL";
