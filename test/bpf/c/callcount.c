/* callcount: counts calls into each component per process, from kernelkit's
 * component-call tracepoint (the hops `trace` prints). */
#include "bpf.h"

struct component_call {
  __u64 common;
  __u64 duration_ns;
  __u32 caller, callee, method, status;
  char callee_name[16];
  char method_name[32];
};

struct key { __u32 pid; char callee[12]; };

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, struct key);
  __type(value, __u64);
} calls SEC(".maps");

SEC("tracepoint/kernelkit/component_call")
int count_call(struct component_call *ctx) {
  struct key k = { .pid = bpf_get_current_pid_tgid() };
  __u64 name = *(__u64 *)&ctx->callee_name[0];
  __builtin_memcpy(k.callee, &name, 8);
  __u32 rest = *(__u32 *)&ctx->callee_name[8];
  __builtin_memcpy(k.callee + 8, &rest, 4);
  __u64 one = 1;
  __u64 *n = bpf_map_lookup_elem(&calls, &k);
  if (n)
    __sync_fetch_and_add(n, 1);
  else
    bpf_map_update_elem(&calls, &k, &one, BPF_NOEXIST);
  return 0;
}

char _license[] SEC("license") = "GPL";
