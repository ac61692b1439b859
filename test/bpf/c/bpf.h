/* The little of libbpf's bpf_helpers.h these programs need, so they build with clang
 * alone (no kernel headers): types, SEC, the BTF map macros and helper declarations
 * with Linux's helper ids. */
typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef int __s32;
typedef unsigned long long __u64;
typedef long long __s64;

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

#define BPF_MAP_TYPE_HASH 1
#define BPF_MAP_TYPE_ARRAY 2
#define BPF_MAP_TYPE_RINGBUF 27
#define BPF_ANY 0
#define BPF_NOEXIST 1

/* The legacy map declaration (section "maps"). */
struct bpf_map_def { unsigned int type, key_size, value_size, max_entries, map_flags; };

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;
static long (*bpf_trace_printk)(const char *fmt, __u32 fmt_size, ...) = (void *)6;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
static long (*bpf_get_current_comm)(void *buf, __u32 size) = (void *)16;
static long (*bpf_ringbuf_output)(void *ringbuf, void *data, __u64 size, __u64 flags) = (void *)130;

/* Linux's raw_syscalls tracepoint contexts. */
struct trace_event_raw_sys_enter { __u64 common; long id; unsigned long args[6]; };
struct trace_event_raw_sys_exit { __u64 common; long id; long ret; };

/* XDP: Linux's struct xdp_md and enum xdp_action. */
struct xdp_md { __u32 data, data_end, data_meta, ingress_ifindex, rx_queue_index, egress_ifindex; };
enum xdp_action { XDP_ABORTED = 0, XDP_DROP, XDP_PASS, XDP_TX };

/* The headers an XDP program parses (uapi/linux/if_ether.h, ip.h, udp.h), big-endian on the wire. */
struct ethhdr { __u8 h_dest[6]; __u8 h_source[6]; __u16 h_proto; };
struct iphdr { __u8 ihl_version; __u8 tos; __u16 tot_len; __u16 id; __u16 frag_off; __u8 ttl; __u8 protocol; __u16 check; __u32 saddr; __u32 daddr; };
struct udphdr { __u16 source; __u16 dest; __u16 len; __u16 check; };
#define bpf_htons(x) ((__u16)((((x) & 0xff) << 8) | (((x) >> 8) & 0xff)))
#define ETH_P_IP 0x0800

/* kernelkit's scheduler hook (struct_ops/pick_next): the trapped processes the kernel may serve next. */
struct kk_sched_task { __u32 pid; __u32 uid; __u64 waited_ns; __u64 syscalls; };
struct kk_sched_ctx { __u32 nr_runnable; __u32 pad; __u64 now_ns; struct kk_sched_task task[8]; };
