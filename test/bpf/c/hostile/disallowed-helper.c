/* A socket filter asks which process runs: a tracing helper it may not call. */
#include "../bpf.h"
SEC("socket")
int who(void *skb) {
  return bpf_get_current_pid_tgid() & 1;
}
char _license[] SEC("license") = "GPL";
