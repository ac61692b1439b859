// blk.c: the block driver in C, compiled to freestanding wasm32 (scripts/build.mjs:
// clang --target=wasm32 -nostdlib, imports only) and run in the sandbox domain. It
// programs the same virtual block device as services/blk/blk.ts, through the
// registers and DMA the kernel grants it (kernel/sandbox/instance.ts GRANTABLE);
// device.h is generated from abi/device.ts and abi/errno.ts at build time.
//
// It is a state machine the kernel drives (glue.ts), as a C kernel drives a driver
// from its request and interrupt paths:
//   blk_submit    takes a free slot, stages a write's data from the window, programs
//                 the slot and marks it submitted; returns the slot or -errno
//   blk_kick      rings the doorbell once for everything submitted
//   blk_done      at an interrupt: which of our slots the device completed
//   blk_complete  collects one: a read's data into the window; frees the slot
// Bulk data crosses in one 64 KiB window at the start of the heap: the kernel copies
// a write's data in before blk_submit and a read's out after blk_complete.
#include "device.h"

typedef unsigned int u32;
typedef int i32;

#define IMPORT(n) __attribute__((import_module("kernelkit"), import_name(#n)))
#define EXPORT(n) __attribute__((export_name(#n)))

IMPORT(dev_load32) i32 dev_load32(u32 off);
IMPORT(dev_store32) void dev_store32(u32 off, i32 v);
IMPORT(dev_store_f64) void dev_store_f64(u32 off, double v);
IMPORT(dev_read) void dev_read(void *dst, u32 off, u32 len);
IMPORT(dev_write) void dev_write(u32 off, const void *src, u32 len);
IMPORT(dev_notify) void dev_notify(void);
IMPORT(log) void klog(const char *s, u32 len);

extern unsigned char __heap_base;

#define MAX_SECTORS (BLK_SLOT_DATA_BYTES / SECTOR_SIZE)
#define SLOT(i) (BLK_SLOTS_OFFSET + (i) * BLK_SLOT_BYTES)
#define DATA(i) (BLK_DATA_OFFSET + (i) * BLK_SLOT_DATA_BYTES)

// Our slots: submitted by this instance and not yet collected.
static u32 mine;
// Slots a previous instance submitted: the device still completes them; we drop the result.
static u32 stale;
static i32 ops[BLK_SLOTS];
static i32 counts[BLK_SLOTS];
static double capacity;
static i32 leaking;

static unsigned char *window(void) {
  return (unsigned char *)(((u32)&__heap_base + 15) & ~15u);
}

static u32 digits(char *out, u32 n) {
  char tmp[12];
  u32 len = 0, i = 0;
  do { tmp[len++] = (char)('0' + n % 10); n /= 10; } while (n != 0);
  while (len > 0) out[i++] = tmp[--len];
  return i;
}

EXPORT(kk_init) i32 kk_init(void) {
  capacity = (double)dev_load32(4 * BLK_CAPACITY_HI) * 2147483648.0 + (double)dev_load32(4 * BLK_CAPACITY_LO);
  mine = 0;
  stale = 0;
  for (i32 i = 0; i < BLK_SLOTS; i++) {
    i32 state = dev_load32(SLOT(i));
    if (state == BLK_DONE) dev_store32(SLOT(i), BLK_FREE);
    else if (state == BLK_SUBMITTED) stale |= 1u << i;
  }
  char line[64] = "blk0: ";
  u32 n = 6 + digits(line + 6, (u32)capacity);
  const char *tail = " sectors (C driver, WebAssembly)";
  for (const char *p = tail; *p != 0; p++) line[n++] = *p;
  klog(line, n);
  return 0;
}

EXPORT(blk_window) u32 blk_window(void) { return (u32)window(); }

EXPORT(blk_size) double blk_size(void) { return capacity * SECTOR_SIZE; }

EXPORT(blk_submit) i32 blk_submit(i32 op, double sector, i32 count) {
  if (op != BLK_READ && op != BLK_WRITE && op != BLK_FLUSH) return -EINVAL;
  if (count < 0 || count > MAX_SECTORS || sector < 0 || sector != (double)(long long)sector) return -EINVAL;
  if (sector + count > capacity) return -ENXIO;
  if (leaking) __builtin_wasm_memory_grow(0, 1);
  for (i32 i = 0; i < BLK_SLOTS; i++) {
    u32 bit = 1u << i;
    if ((mine | stale) & bit) continue;
    if (dev_load32(SLOT(i)) != BLK_FREE) continue;
    if (op == BLK_WRITE) dev_write(DATA(i), window(), (u32)count * SECTOR_SIZE);
    dev_store32(SLOT(i) + 4, op);
    dev_store32(SLOT(i) + 8, count);
    dev_store32(SLOT(i) + 12, 0);
    dev_store_f64(SLOT(i) + 16, sector);
    ops[i] = op;
    counts[i] = count;
    mine |= bit;
    dev_store32(SLOT(i), BLK_SUBMITTED);
    return i;
  }
  return -EAGAIN;
}

EXPORT(blk_kick) void blk_kick(void) { dev_notify(); }

EXPORT(blk_done) u32 blk_done(void) {
  u32 done = 0;
  for (i32 i = 0; i < BLK_SLOTS; i++) {
    u32 bit = 1u << i;
    if (dev_load32(SLOT(i)) != BLK_DONE) continue;
    if (mine & bit) done |= bit;
    else if (stale & bit) { stale &= ~bit; dev_store32(SLOT(i), BLK_FREE); }
  }
  return done;
}

EXPORT(blk_complete) i32 blk_complete(i32 slot) {
  if (slot < 0 || slot >= BLK_SLOTS || !(mine & (1u << slot)) || dev_load32(SLOT(slot)) != BLK_DONE) return -EINVAL;
  i32 status = dev_load32(SLOT(slot) + 12);
  if (status == 0 && ops[slot] == BLK_READ) dev_read(window(), DATA(slot), (u32)counts[slot] * SECTOR_SIZE);
  mine &= ~(1u << slot);
  dev_store32(SLOT(slot), BLK_FREE);
  return status;
}

// Fault injection (`fault blk TYPE` in the sandbox domain): what the bug does in C.
EXPORT(kk_fault) void kk_fault(i32 type) {
  if (type == 1) __builtin_trap();                          // crash: executes unreachable
  if (type == 2) { volatile u32 n = 0; for (;;) n++; }      // hang: stopped by fuel
  if (type == 3) {                                          // wild write: past the window
    volatile unsigned char *p = window() + BLK_SLOT_DATA_BYTES;
    for (u32 i = 0; i < WILD_WRITE_BYTES; i++) p[i] = (unsigned char)(0xa5 ^ i);
  }
  if (type == 5) leaking = 1;                               // leak: a page per request
}
