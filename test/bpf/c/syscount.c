/* syscount: counts syscalls per process and number (BTF-declared map), and the bytes
 * each process got back from read (legacy map), like bcc's syscount. */
#include "bpf.h"

struct key { __u32 pid; __u32 nr; };

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 4096);
  __type(key, struct key);
  __type(value, __u64);
} counts SEC(".maps");

struct bpf_map_def SEC("maps") read_bytes = { BPF_MAP_TYPE_HASH, 4, 8, 1024, 0 };

SEC("tracepoint/raw_syscalls/sys_enter")
int count_enter(struct trace_event_raw_sys_enter *ctx) {
  struct key k = { .pid = bpf_get_current_pid_tgid() >> 32, .nr = ctx->id };
  __u64 one = 1;
  __u64 *n = bpf_map_lookup_elem(&counts, &k);
  if (n)
    __sync_fetch_and_add(n, 1);
  else
    bpf_map_update_elem(&counts, &k, &one, BPF_NOEXIST);
  return 0;
}

SEC("tracepoint/raw_syscalls/sys_exit")
int count_read(struct trace_event_raw_sys_exit *ctx) {
  if (ctx->id != READ_NR || ctx->ret <= 0)
    return 0;
  __u32 pid = bpf_get_current_pid_tgid();
  __u64 got = ctx->ret;
  __u64 *total = bpf_map_lookup_elem(&read_bytes, &pid);
  if (total)
    __sync_fetch_and_add(total, got);
  else
    bpf_map_update_elem(&read_bytes, &pid, &got, BPF_NOEXIST);
  return 0;
}

char _license[] SEC("license") = "GPL";
