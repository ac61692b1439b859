/* Moves the context pointer, then reads through it. */
#include "../bpf.h"
SEC("tracepoint/raw_syscalls/sys_enter")
int moved(struct trace_event_raw_sys_enter *ctx) {
  char *p = (char *)ctx + 8;
  asm volatile("" : "+r"(p)); /* keep clang from folding the offset into the load */
  return *(long *)p;
}
char _license[] SEC("license") = "GPL";
