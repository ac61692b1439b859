// chainfs.c: a small FAT-like filesystem, the format whose driver travels with its disk.
// Compiled to freestanding wasm32 (scripts/build.mjs: clang --target=wasm32 -nostdlib,
// imports only) and embedded in every image `kernelkit mkfs --format chainfs
// --embed-driver` writes; kernelkit itself has no built-in code for it. The same module
// formats (fs_format), serves (the fs_* calls the glue in ../diskfs.ts makes) and
// checks (fs_check, for `kernelkit fsck`) an image.
//
// The format, in 512-byte blocks, block 0 first:
//   block 0           the superblock: "CHAINFS1", version, block size, block count,
//                     where the FAT starts and how long it is, the root's inode
//   blocks 1..F       the FAT: one u16 per block: 0 free, 0xFFFF end of chain,
//                     0xFFFE reserved (superblock and FAT), else the next block
//   blocks F+1..      data: every file, directory and symlink is a chain; its first
//                     block (the head) holds only its node (mode, owner, size, times,
//                     parent), and its number is the inode number; the data blocks
//                     follow in the chain. A directory's data is 64-byte entries
//                     (inode, type, name length, name of at most 58 bytes; inode 0 is
//                     a free slot). No hard links: a file's nlink is 1.
//
// The whole filesystem (at most MAX_BLOCKS blocks, 2 MiB) lives in this instance's
// memory: the glue reads it from the disk at mount, each call works on memory, and
// marks the blocks it changed; the glue writes those back after every call that
// succeeded, before it answers. A call that traps leaves nothing half-written on the
// disk: its changes die with the instance.
#include "fsabi.h"

typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef unsigned long long u64;
typedef long long i64;

#define IMPORT(n) __attribute__((import_module("kernelkit"), import_name(#n)))
#define EXPORT(n) __attribute__((export_name(#n)))

IMPORT(log) void klog(const char *s, u32 len);

extern unsigned char __heap_base;

#define BS 512
#define MAX_BLOCKS 4096
#define FAT_FREE 0u
#define FAT_EOC 0xFFFFu
#define FAT_RESERVED 0xFFFEu
#define NODE_MAGIC 0x45444f4eu  // "NODE"
// The on-disk version this driver writes and reads (a newer driver is built with a
// higher one: its images mount wherever the driver travels with them).
// CHAINFS_LIAR (tests only, never in a build's driver) makes one answer lie, so the
// tests can show the glue refuses it: 1 read counts, 2 changed blocks, 3 readdir.
#ifndef CHAINFS_LIAR
#define CHAINFS_LIAR 0
#endif
#ifndef CHAINFS_VERSION
#define CHAINFS_VERSION 1
#endif
#define NAME_MAX 58
#define DENT_BYTES 64
#define DENTS_PER_BLOCK (BS / DENT_BYTES)
#define WINDOW_BYTES 65536
#define PINS 128

struct super {
  char magic[8];
  u32 version, block_size, nblocks, fat_start, fat_blocks, root;
};

struct node {
  u32 magic, mode, nlink, uid, gid, parent, rdev, pad;
  u64 size;
  i64 atime_s, mtime_s, ctime_s;
  u32 atime_ns, mtime_ns, ctime_ns, pad2;
};

struct dent {
  u32 ino;
  u8 type, len;
  char name[NAME_MAX];
};

static u8 image[MAX_BLOCKS * BS];
static u32 nblocks, data_start, root_ino;
static u8 dirty[MAX_BLOCKS];
static u16 dirty_list[MAX_BLOCKS];
static u32 ndirty;
static u8 seen[MAX_BLOCKS];
static u16 queue[MAX_BLOCKS];
static struct { u32 ino, n; } pins[PINS];
static i64 now_s;
static u32 now_ns;
static i32 leaking;
static u32 problems;
// The last block nth found, so a sequential walk through a file costs one step a block.
static u32 cursor_head, cursor_n, cursor_b;

// ---- helpers --------------------------------------------------------------------------

static u8 *window(void) { return (u8 *)(((u32)&__heap_base + 15) & ~15u); }

static void copy(void *dst, const void *src, u32 n) { u8 *d = dst; const u8 *s = src; while (n--) *d++ = *s++; }
static void zero(void *dst, u32 n) { u8 *d = dst; while (n--) *d++ = 0; }
static int same(const char *a, const char *b, u32 n) { while (n--) if (*a++ != *b++) return 0; return 1; }

static u32 digits(char *out, u32 n) {
  char tmp[12];
  u32 len = 0, i = 0;
  do { tmp[len++] = (char)('0' + n % 10); n /= 10; } while (n != 0);
  while (len > 0) out[i++] = tmp[--len];
  return i;
}

// A log line: `text` with %u replaced by the numbers in order.
static void say(const char *text, u32 a, u32 b) {
  char line[160];
  u32 n = 0, k = 0;
  for (const char *p = text; *p != 0 && n < 140; p++) {
    if (p[0] == '%' && p[1] == 'u') { n += digits(line + n, k++ == 0 ? a : b); p++; } else line[n++] = *p;
  }
  klog(line, n);
}

static void problem(const char *text, u32 a, u32 b) {
  if (problems++ < 20) say(text, a, b);
}

static void mark(u32 b) {
  if (b < nblocks && !dirty[b]) { dirty[b] = 1; dirty_list[ndirty++] = (u16)b; }
}

static struct super *sb(void) { return (struct super *)image; }
static u8 *block(u32 b) { return image + b * BS; }

static u32 fat_get(u32 b) { return ((u16 *)(image + sb()->fat_start * BS))[b]; }
static void fat_set(u32 b, u32 v) {
  ((u16 *)(image + sb()->fat_start * BS))[b] = (u16)v;
  mark(sb()->fat_start + b * 2 / BS);
}

static int data_block(u32 b) { return b >= data_start && b < nblocks; }

static struct node *node_of(u32 ino) {
  if (!data_block(ino) || fat_get(ino) == FAT_FREE) return 0;
  struct node *n = (struct node *)block(ino);
  return n->magic == NODE_MAGIC ? n : 0;
}

static void touch(struct node *n, u32 ino, int m, int c) {
  if (m) { n->mtime_s = now_s; n->mtime_ns = now_ns; }
  if (c) { n->ctime_s = now_s; n->ctime_ns = now_ns; }
  mark(ino);
}

static u32 alloc_block(void) {
  for (u32 b = data_start; b < nblocks; b++) {
    if (fat_get(b) != FAT_FREE) continue;
    fat_set(b, FAT_EOC);
    zero(block(b), BS);
    mark(b);
    return b;
  }
  return 0;
}

static void free_chain(u32 head) {
  cursor_head = 0;
  for (u32 b = head, steps = 0; data_block(b) && steps < nblocks; steps++) {
    u32 next = fat_get(b);
    fat_set(b, FAT_FREE);
    if (next == FAT_EOC) break;
    b = next;
  }
}

// The n-th data block of the chain that starts at `head` (0: the first after the head);
// with `extend`, blocks are added as needed. 0: none (or no room).
static u32 nth(u32 head, u32 n, int extend, i32 *err) {
  u32 b = head, i = 0;
  if (cursor_head == head && cursor_head != 0 && n >= cursor_n) { b = cursor_b; i = cursor_n + 1; }
  for (; i <= n; i++) {
    u32 next = fat_get(b);
    if (next == FAT_EOC) {
      if (!extend) return 0;
      next = alloc_block();
      if (next == 0) { *err = -ENOSPC; return 0; }
      fat_set(b, next);
    } else if (!data_block(next)) { *err = -EUCLEAN; return 0; }
    b = next;
  }
  cursor_head = head; cursor_n = n; cursor_b = b;
  return b;
}

static u32 pinned(u32 ino) {
  for (u32 i = 0; i < PINS; i++) if (pins[i].ino == ino) return pins[i].n;
  return 0;
}

static i32 check_name(const char *name, u32 len) {
  if (len == 0) return -ENOENT;
  if (len > NAME_MAX) return -ENAMETOOLONG;
  if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.')) return -EINVAL;
  for (u32 i = 0; i < len; i++) if (name[i] == '/' || name[i] == 0) return -EINVAL;
  return 0;
}

static u32 dtype(u32 mode) {
  switch (mode & S_IFMT) {
    case S_IFREG: return DT_REG;
    case S_IFDIR: return DT_DIR;
    case S_IFLNK: return DT_LNK;
    case S_IFCHR: return DT_CHR;
    case S_IFBLK: return DT_BLK;
    case S_IFIFO: return DT_FIFO;
    case S_IFSOCK: return DT_SOCK;
    default: return DT_UNKNOWN;
  }
}

static struct node *dir_of(u32 ino, i32 *err) {
  struct node *d = node_of(ino);
  if (d == 0) { *err = -ESTALE; return 0; }
  if ((d->mode & S_IFMT) != S_IFDIR) { *err = -ENOTDIR; return 0; }
  return d;
}

// The slot (an entry pointer) of `name` in directory `dir`; 0 when absent.
static struct dent *find(u32 dir, struct node *d, const char *name, u32 len, i32 *err, u32 *where) {
  u32 slots = (u32)(d->size / DENT_BYTES);
  for (u32 s = 0; s < slots; s++) {
    u32 b = nth(dir, s / DENTS_PER_BLOCK, 0, err);
    if (b == 0) { if (*err == 0) *err = -EUCLEAN; return 0; }
    struct dent *e = (struct dent *)block(b) + s % DENTS_PER_BLOCK;
    if (e->ino != 0 && e->len == len && same(e->name, name, len)) { if (where != 0) *where = b; return e; }
  }
  return 0;
}

static i32 add_entry(u32 dir, struct node *d, const char *name, u32 len, u32 ino, u32 type) {
  i32 err = 0;
  u32 slots = (u32)(d->size / DENT_BYTES);
  struct dent *e = 0;
  for (u32 s = 0; s < slots && e == 0; s++) {
    u32 b = nth(dir, s / DENTS_PER_BLOCK, 0, &err);
    if (b == 0) return err != 0 ? err : -EUCLEAN;
    struct dent *x = (struct dent *)block(b) + s % DENTS_PER_BLOCK;
    if (x->ino == 0) { e = x; mark(b); }
  }
  if (e == 0) {
    u32 b = nth(dir, slots / DENTS_PER_BLOCK, 1, &err);
    if (b == 0) return err != 0 ? err : -ENOSPC;
    e = (struct dent *)block(b) + slots % DENTS_PER_BLOCK;
    mark(b);
    d->size += DENT_BYTES;
  }
  e->ino = ino;
  e->type = (u8)type;
  e->len = (u8)len;
  zero(e->name, NAME_MAX);
  copy(e->name, name, len);
  touch(d, dir, 1, 1);
  return 0;
}

static int dir_empty(u32 dir, struct node *d) {
  i32 err = 0;
  u32 slots = (u32)(d->size / DENT_BYTES);
  for (u32 s = 0; s < slots; s++) {
    u32 b = nth(dir, s / DENTS_PER_BLOCK, 0, &err);
    if (b == 0) return 0;
    if (((struct dent *)block(b) + s % DENTS_PER_BLOCK)->ino != 0) return 0;
  }
  return 1;
}

// A node that lost its last name: freed now, or at its last release while open.
static void drop(u32 ino) {
  struct node *n = node_of(ino);
  if (n == 0) return;
  n->nlink = 0;
  mark(ino);
  if (pinned(ino) == 0) free_chain(ino);
}

static i32 new_node(u32 mode, u32 parent, u32 rdev) {
  u32 b = alloc_block();
  if (b == 0) return -ENOSPC;
  struct node *n = (struct node *)block(b);
  n->magic = NODE_MAGIC;
  n->mode = mode;
  n->nlink = (mode & S_IFMT) == S_IFDIR ? 2 : 1;
  n->parent = parent;
  n->rdev = rdev;
  n->atime_s = n->mtime_s = n->ctime_s = now_s;
  n->atime_ns = n->mtime_ns = n->ctime_ns = now_ns;
  return (i32)b;
}

// ---- the walk: what fsck checks and mount relies on -------------------------------------

// Marks the chain of `head` in seen[]; counts its blocks. Problems are reported.
static u32 walk_chain(u32 head) {
  u32 count = 0;
  for (u32 b = head;;) {
    if (seen[b]) { problem("block %u is in two chains (%u)", b, head); return count; }
    seen[b] = 1;
    count++;
    u32 next = fat_get(b);
    if (next == FAT_EOC) return count;
    if (!data_block(next)) { problem("chain of inode %u points outside the data area (%u)", head, next); return count; }
    if (count > nblocks) { problem("chain of inode %u loops", head, 0); return count; }
    b = next;
  }
}

// Checks the whole tree from the root (`thorough`: duplicate names too, which costs a
// pass over the directory per entry: fsck's, not mount's). With `reclaim`, blocks nothing reaches (what a
// file unlinked while open left when the driver stopped) are freed. Returns the
// number of problems, each logged (the first 20).
static u32 walk(int reclaim, int thorough) {
  problems = 0;
  zero(seen, sizeof seen);
  for (u32 b = 0; b < data_start; b++) {
    seen[b] = 1;
    if (fat_get(b) != FAT_RESERVED) problem("FAT entry of reserved block %u is %u", b, fat_get(b));
  }
  for (u32 b = data_start; b < nblocks; b++) {
    u32 v = fat_get(b);
    if (v != FAT_FREE && v != FAT_EOC && !data_block(v)) problem("FAT entry of block %u is %u (no such block)", b, v);
  }
  struct node *root = node_of(root_ino);
  if (root == 0 || (root->mode & S_IFMT) != S_IFDIR) { problem("the root (inode %u) is not a directory", root_ino, 0); return problems; }
  if (root->parent != root_ino) problem("the root's parent is %u", root->parent, 0);
  u32 head = 0, tail = 0;
  queue[tail++] = (u16)root_ino;
  walk_chain(root_ino);
  while (head < tail) {
    u32 dir = queue[head++];
    struct node *d = node_of(dir);
    if (d->size % DENT_BYTES != 0) problem("directory %u has a size of %u, not whole entries", dir, (u32)d->size);
    u32 slots = (u32)(d->size / DENT_BYTES), subdirs = 0;
    for (u32 s = 0; s < slots; s++) {
      i32 err = 0;
      u32 b = nth(dir, s / DENTS_PER_BLOCK, 0, &err);
      if (b == 0) { problem("directory %u is shorter than its size (entry %u)", dir, s); break; }
      struct dent *e = (struct dent *)block(b) + s % DENTS_PER_BLOCK;
      if (e->ino == 0) continue;
      if (check_name(e->name, e->len) != 0) problem("directory %u: entry %u has a bad name", dir, s);
      for (u32 t = 0; thorough && t < s; t++) {
        u32 c = nth(dir, t / DENTS_PER_BLOCK, 0, &err);
        struct dent *o = c == 0 ? 0 : (struct dent *)block(c) + t % DENTS_PER_BLOCK;
        if (o != 0 && o->ino != 0 && o->len == e->len && same(o->name, e->name, e->len)) problem("directory %u: entries %u and an earlier one have the same name", dir, s);
      }
      struct node *n = node_of(e->ino);
      if (n == 0) { problem("directory %u: entry %u names no node", dir, s); continue; }
      if (seen[e->ino]) { problem("inode %u is reached twice (directory %u)", e->ino, dir); continue; }
      if (e->type != dtype(n->mode)) problem("directory %u: entry %u has the wrong type", dir, s);
      u32 count = walk_chain(e->ino);
      if ((n->mode & S_IFMT) == S_IFDIR) {
        subdirs++;
        if (n->parent != dir) problem("directory %u: its parent says %u", e->ino, n->parent);
        if (tail < MAX_BLOCKS) queue[tail++] = (u16)e->ino;
      } else {
        if (n->nlink != 1) problem("inode %u has a link count of %u (1 expected)", e->ino, n->nlink);
        u64 blocks = (n->size + BS - 1) / BS;
        if ((u64)(count - 1) > blocks) problem("inode %u has %u data blocks past its size", e->ino, (u32)(count - 1 - blocks));
      }
    }
    if (d->nlink != 2 + subdirs) problem("directory %u has a link count of %u", dir, d->nlink);
  }
  u32 leaked = 0;
  for (u32 b = data_start; b < nblocks; b++) {
    if (fat_get(b) == FAT_FREE || seen[b]) continue;
    leaked++;
    if (reclaim) fat_set(b, FAT_FREE);
  }
  if (leaked > 0 && !reclaim) problem("%u blocks are in use but nothing reaches them", leaked, 0);
  if (leaked > 0 && reclaim) say("reclaimed %u blocks nothing reaches (files unlinked while open)", leaked, 0);
  return problems;
}

// ---- the calls the glue makes --------------------------------------------------------

/** Where the image lives in this instance's memory, and how big it may be. */
EXPORT(fs_image) u32 fs_image(void) { return (u32)image; }
EXPORT(fs_image_max) u32 fs_image_max(void) { return sizeof image; }
/** The window: names, data, records in and out. */
EXPORT(fs_window) u32 fs_window(void) { return (u32)window(); }
EXPORT(fs_window_bytes) u32 fs_window_bytes(void) { return WINDOW_BYTES; }

EXPORT(fs_clock) void fs_clock(double s, u32 ns) { now_s = (i64)s; now_ns = ns; }

/** The blocks changed since the last fs_dirty_clear: their count; the list is at fs_dirty_list. */
EXPORT(fs_dirty_count) u32 fs_dirty_count(void) {
#if CHAINFS_LIAR == 2
  if (ndirty > 0) dirty_list[0] = (u16)(nblocks + 5);  // a test's lying driver: a block past its filesystem
#endif
  return ndirty;
}
EXPORT(fs_dirty_list) u32 fs_dirty_list(void) { return (u32)dirty_list; }
EXPORT(fs_dirty_clear) void fs_dirty_clear(void) {
  for (u32 i = 0; i < ndirty; i++) dirty[dirty_list[i]] = 0;
  ndirty = 0;
}

/** Writes an empty filesystem of `bytes` into the image (mkfs); its length in bytes, or -errno. */
EXPORT(fs_format) i32 fs_format(u32 bytes) {
  u32 n = bytes / BS;
  if (n > MAX_BLOCKS) n = MAX_BLOCKS;
  u32 fat_blocks = (n * 2 + BS - 1) / BS;
  if (n < 1 + fat_blocks + 4) return -EINVAL;
  zero(image, n * BS);
  struct super *s = sb();
  copy(s->magic, "CHAINFS1", 8);
  s->version = CHAINFS_VERSION;
  s->block_size = BS;
  s->nblocks = n;
  s->fat_start = 1;
  s->fat_blocks = fat_blocks;
  nblocks = n;
  data_start = 1 + fat_blocks;
  for (u32 b = 0; b < data_start; b++) fat_set(b, FAT_RESERVED);
  i32 root = new_node(S_IFDIR | 0755, 0, 0);
  if (root < 0) return root;
  ((struct node *)block((u32)root))->parent = (u32)root;
  s->root = root_ino = (u32)root;
  for (u32 b = 0; b < n; b++) mark(b);
  return (i32)(n * BS);
}

/** Mounts the image of `bytes` the glue copied in: 0, or -EUCLEAN with the reason logged. */
EXPORT(fs_mount) i32 fs_mount(u32 bytes, i32 readonly) {
  struct super *s = sb();
  if (!same(s->magic, "CHAINFS1", 8)) { say("bad superblock magic", 0, 0); return -EUCLEAN; }
  if (s->version != CHAINFS_VERSION) { say("superblock version %u; this driver reads %u", s->version, CHAINFS_VERSION); return -EUCLEAN; }
  if (s->block_size != BS) { say("block size %u; this driver reads %u", s->block_size, BS); return -EUCLEAN; }
  if (s->nblocks > MAX_BLOCKS || s->nblocks * BS > bytes) { say("%u blocks do not fit the %u bytes given", s->nblocks, bytes); return -EUCLEAN; }
  if (s->fat_start != 1 || s->fat_blocks != (s->nblocks * 2 + BS - 1) / BS || 1 + s->fat_blocks >= s->nblocks) { say("the FAT (%u blocks at %u) does not fit the filesystem", s->fat_blocks, s->fat_start); return -EUCLEAN; }
  nblocks = s->nblocks;
  data_start = 1 + s->fat_blocks;
  root_ino = s->root;
  // Structure first: a filesystem that fails the walk is refused, not half-served.
  u32 bad = walk(!readonly, readonly);
  if (bad > 0 && !readonly) { say("%u problems found; refusing to mount (run fsck)", bad, 0); return -EUCLEAN; }
  if (bad > 0) return -EUCLEAN;
  return 0;
}

/** Checks the image (fsck): the number of problems; each is logged. */
EXPORT(fs_check) u32 fs_check(u32 bytes) {
  i32 r = fs_mount(bytes, 1);
  if (r == -EUCLEAN && problems == 0) return 1;
  return problems;
}

EXPORT(fs_root) u32 fs_root(void) { return root_ino; }

EXPORT(fs_lookup) i32 fs_lookup(u32 dir, u32 len) {
  i32 err = 0;
  struct node *d = dir_of(dir, &err);
  if (d == 0) return err;
  if (len > NAME_MAX) return -ENAMETOOLONG;
  struct dent *e = find(dir, d, (const char *)window(), len, &err, 0);
  if (e == 0) return err != 0 ? err : -ENOENT;
  return (i32)e->ino;
}

/** The node's status into the window as doubles: mode nlink uid gid rdev size blocks atime(s ns) mtime(s ns) ctime(s ns). */
EXPORT(fs_getattr) i32 fs_getattr(u32 ino) {
  struct node *n = node_of(ino);
  if (n == 0) return -ESTALE;
  i32 err = 0;
  u32 blocks = 1;
  for (u32 b = ino; fat_get(b) != FAT_EOC && blocks <= nblocks; blocks++) {
    b = fat_get(b);
    if (!data_block(b)) { err = -EUCLEAN; break; }
  }
  if (err != 0) return err;
  double *w = (double *)window();
  w[0] = n->mode; w[1] = n->nlink; w[2] = n->uid; w[3] = n->gid; w[4] = n->rdev;
  w[5] = (double)n->size; w[6] = blocks * (BS / 512);
  w[7] = (double)n->atime_s; w[8] = n->atime_ns; w[9] = (double)n->mtime_s; w[10] = n->mtime_ns;
  w[11] = (double)n->ctime_s; w[12] = n->ctime_ns;
  return 0;
}

EXPORT(fs_parent) i32 fs_parent(u32 ino) {
  i32 err = 0;
  struct node *d = dir_of(ino, &err);
  return d == 0 ? err : (i32)d->parent;
}

static i32 truncate_to(u32 ino, struct node *n, u64 size) {
  if (size > (u64)nblocks * BS) return -EFBIG;
  if (size < n->size) {
    i32 err = 0;
    u32 keep = (u32)((size + BS - 1) / BS);
    // Cut the chain after `keep` data blocks.
    cursor_head = 0;
    u32 last = keep == 0 ? ino : nth(ino, keep - 1, 0, &err);
    cursor_head = 0;
    if (err != 0) return err;
    if (last != 0 && fat_get(last) != FAT_EOC) {
      u32 rest = fat_get(last);
      fat_set(last, FAT_EOC);
      if (data_block(rest)) free_chain(rest);
    }
    // What a later extension reads past the new end must be zeros.
    if (size % BS != 0 && last != 0 && last != ino) { zero(block(last) + size % BS, BS - size % BS); mark(last); }
  }
  n->size = size;
  touch(n, ino, 1, 1);
  return 0;
}

/** Sets what `mask` names (1 mode, 2 uid, 4 gid, 8 size, 16 atime, 32 mtime) from the window's doubles: mode uid gid size atime(s ns) mtime(s ns). */
EXPORT(fs_setattr) i32 fs_setattr(u32 ino, u32 mask) {
  struct node *n = node_of(ino);
  if (n == 0) return -ESTALE;
  double *w = (double *)window();
  if (mask & 8) {
    if ((n->mode & S_IFMT) == S_IFDIR) return -EISDIR;
    if (w[3] < 0) return -EINVAL;
    i32 r = truncate_to(ino, n, (u64)w[3]);
    if (r != 0) return r;
  }
  if (mask & 1) n->mode = (n->mode & S_IFMT) | ((u32)w[0] & 07777);
  if (mask & 2) n->uid = (u32)w[1];
  if (mask & 4) n->gid = (u32)w[2];
  if (mask & 16) { n->atime_s = (i64)w[4]; n->atime_ns = (u32)w[5]; }
  if (mask & 32) { n->mtime_s = (i64)w[6]; n->mtime_ns = (u32)w[7]; }
  touch(n, ino, 0, 1);
  return 0;
}

// A new node named by the window's first `len` bytes in `dir`.
static i32 make(u32 dir, u32 len, u32 mode, u32 rdev) {
  i32 err = 0;
  struct node *d = dir_of(dir, &err);
  if (d == 0) return err;
  const char *name = (const char *)window();
  if ((err = check_name(name, len)) != 0) return err;
  if (find(dir, d, name, len, &err, 0) != 0) return -EEXIST;
  if (err != 0) return err;
  i32 ino = new_node(mode, dir, rdev);
  if (ino < 0) return ino;
  err = add_entry(dir, node_of(dir), name, len, (u32)ino, dtype(mode));
  if (err != 0) { free_chain((u32)ino); return err; }
  if ((mode & S_IFMT) == S_IFDIR) { d->nlink++; mark(dir); }
  return ino;
}

EXPORT(fs_create) i32 fs_create(u32 dir, u32 len, u32 mode, u32 rdev) {
  u32 type = mode & S_IFMT;
  if (type == 0) type = S_IFREG;
  if (type == S_IFDIR || type == S_IFLNK) return -EINVAL;
  return make(dir, len, type | (mode & 07777), rdev);
}

EXPORT(fs_mkdir) i32 fs_mkdir(u32 dir, u32 len, u32 mode) { return make(dir, len, S_IFDIR | (mode & 07777), 0); }

static i32 write_data(u32 ino, struct node *n, u64 offset, const u8 *src, u32 len) {
  if (offset + len > (u64)nblocks * BS) return -EFBIG;
  u32 done = 0;
  while (done < len) {
    i32 err = 0;
    u64 at = offset + done;
    u32 b = nth(ino, (u32)(at / BS), 1, &err);
    if (b == 0) { if (done > 0) break; return err != 0 ? err : -ENOSPC; }
    u32 in = (u32)(at % BS), n2 = BS - in;
    if (n2 > len - done) n2 = len - done;
    copy(block(b) + in, src + done, n2);
    mark(b);
    done += n2;
  }
  if (offset + done > n->size) n->size = offset + done;
  touch(n, ino, 1, 1);
  return (i32)done;
}

/** A symlink: the window holds the name (len bytes) then the target (tlen bytes). */
EXPORT(fs_symlink) i32 fs_symlink(u32 dir, u32 len, u32 tlen) {
  if (tlen == 0 || tlen > 4095) return -ENAMETOOLONG;
  u8 target[4096];
  copy(target, window() + len, tlen);
  i32 ino = make(dir, len, S_IFLNK | 0777, 0);
  if (ino < 0) return ino;
  i32 r = write_data((u32)ino, node_of((u32)ino), 0, target, tlen);
  if (r < 0) { i32 err = 0; struct node *d = dir_of(dir, &err); u32 at = 0; struct dent *e = d == 0 ? 0 : find(dir, d, (const char *)window(), len, &err, &at); if (e != 0) { e->ino = 0; mark(at); } free_chain((u32)ino); return r; }
  return ino;
}

static i32 read_data(u32 ino, struct node *n, u64 offset, u8 *dst, u32 len) {
  if (offset >= n->size) return 0;
  if (offset + len > n->size) len = (u32)(n->size - offset);
  for (u32 done = 0; done < len;) {
    i32 err = 0;
    u64 at = offset + done;
    u32 in = (u32)(at % BS), n2 = BS - in;
    if (n2 > len - done) n2 = len - done;
    u32 b = nth(ino, (u32)(at / BS), 0, &err);
    if (err != 0) return err;
    if (b == 0) zero(dst + done, n2); else copy(dst + done, block(b) + in, n2);
    done += n2;
  }
  return (i32)len;
}

EXPORT(fs_readlink) i32 fs_readlink(u32 ino) {
  struct node *n = node_of(ino);
  if (n == 0) return -ESTALE;
  if ((n->mode & S_IFMT) != S_IFLNK) return -EINVAL;
  return read_data(ino, n, 0, window(), n->size > 4095 ? 4095 : (u32)n->size);
}

/** Reads at most `len` (at most the window) bytes at `offset` into the window; the count. */
EXPORT(fs_read) i32 fs_read(u32 ino, double offset, u32 len) {
#if CHAINFS_LIAR == 1
  return (i32)len + 1000;  // a test's lying driver: more bytes than asked for
#endif
  struct node *n = node_of(ino);
  if (n == 0) return -ESTALE;
  if ((n->mode & S_IFMT) == S_IFDIR) return -EISDIR;
  if (offset < 0 || len > WINDOW_BYTES) return -EINVAL;
  n->atime_s = now_s; n->atime_ns = now_ns;  // not marked: atime is written with the next change
  return read_data(ino, n, (u64)offset, window(), len);
}

/** Writes the window's first `len` bytes at `offset`; the count. */
EXPORT(fs_write) i32 fs_write(u32 ino, double offset, u32 len) {
  struct node *n = node_of(ino);
  if (n == 0) return -ESTALE;
  if ((n->mode & S_IFMT) == S_IFDIR) return -EISDIR;
  if (offset < 0 || len > WINDOW_BYTES) return -EINVAL;
  if (leaking) __builtin_wasm_memory_grow(0, 1);
  return write_data(ino, n, (u64)offset, window(), len);
}

/**
 * Entries from slot `start` into the window: a u32 count, then per entry u32 inode,
 * u8 type, u8 name length, the name. Returns the slot to go on from (the total when
 * it got to the end).
 */
EXPORT(fs_readdir) i32 fs_readdir(u32 dir, u32 start) {
  i32 err = 0;
  struct node *d = dir_of(dir, &err);
  if (d == 0) return err;
  u8 *w = window();
  u32 at = 4, count = 0, slots = (u32)(d->size / DENT_BYTES), s = start;
  for (; s < slots; s++) {
    u32 b = nth(dir, s / DENTS_PER_BLOCK, 0, &err);
    if (b == 0) return -EUCLEAN;
    struct dent *e = (struct dent *)block(b) + s % DENTS_PER_BLOCK;
    if (e->ino == 0) continue;
    if (at + 6 + e->len > WINDOW_BYTES) break;
    copy(w + at, &e->ino, 4);
    w[at + 4] = e->type;
    w[at + 5] = e->len;
    copy(w + at + 6, e->name, e->len);
    at += 6 + e->len;
    count++;
  }
  copy(w, &count, 4);
#if CHAINFS_LIAR == 3
  if (count == 0) { count = 1; copy(w, &count, 4); }  // a test's lying driver: a directory without end
  return (i32)start + 1;
#endif
  return (i32)s;
}

EXPORT(fs_unlink) i32 fs_unlink(u32 dir, u32 len) {
  i32 err = 0;
  struct node *d = dir_of(dir, &err);
  if (d == 0) return err;
  u32 at = 0;
  struct dent *e = find(dir, d, (const char *)window(), len, &err, &at);
  if (e == 0) return err != 0 ? err : -ENOENT;
  struct node *n = node_of(e->ino);
  if (n != 0 && (n->mode & S_IFMT) == S_IFDIR) return -EISDIR;
  u32 ino = e->ino;
  e->ino = 0;
  mark(at);
  touch(d, dir, 1, 1);
  drop(ino);
  return 0;
}

EXPORT(fs_rmdir) i32 fs_rmdir(u32 dir, u32 len) {
  i32 err = 0;
  struct node *d = dir_of(dir, &err);
  if (d == 0) return err;
  u32 at = 0;
  struct dent *e = find(dir, d, (const char *)window(), len, &err, &at);
  if (e == 0) return err != 0 ? err : -ENOENT;
  struct node *n = node_of(e->ino);
  if (n == 0 || (n->mode & S_IFMT) != S_IFDIR) return -ENOTDIR;
  if (!dir_empty(e->ino, n)) return -ENOTEMPTY;
  u32 ino = e->ino;
  e->ino = 0;
  mark(at);
  d->nlink--;
  touch(d, dir, 1, 1);
  drop(ino);
  return 0;
}

/** Moves a name: the window holds the source name (slen bytes) then the destination's (dlen). */
EXPORT(fs_rename) i32 fs_rename(u32 sdir, u32 slen, u32 ddir, u32 dlen) {
  i32 err = 0;
  char sname[NAME_MAX], dname[NAME_MAX];
  if (slen > NAME_MAX || dlen > NAME_MAX) return -ENAMETOOLONG;
  copy(sname, window(), slen);
  copy(dname, window() + slen, dlen);
  if ((err = check_name(dname, dlen)) != 0) return err;
  struct node *sd = dir_of(sdir, &err), *dd = dir_of(ddir, &err);
  if (sd == 0 || dd == 0) return err;
  u32 sat = 0, dat = 0;
  struct dent *se = find(sdir, sd, sname, slen, &err, &sat);
  if (se == 0) return err != 0 ? err : -ENOENT;
  u32 ino = se->ino;
  struct node *n = node_of(ino);
  if (n == 0) return -EUCLEAN;
  int isdir = (n->mode & S_IFMT) == S_IFDIR;
  // A directory may not move below itself.
  if (isdir) for (u32 p = ddir, steps = 0; steps < nblocks; steps++) {
    if (p == ino) return -EINVAL;
    if (p == root_ino) break;
    struct node *pn = node_of(p);
    if (pn == 0) return -EUCLEAN;
    p = pn->parent;
  }
  struct dent *de = find(ddir, dd, dname, dlen, &err, &dat);
  if (err != 0) return err;
  if (de != 0) {
    if (de->ino == ino) return 0;
    struct node *old = node_of(de->ino);
    int olddir = old != 0 && (old->mode & S_IFMT) == S_IFDIR;
    if (isdir && !olddir) return -ENOTDIR;
    if (!isdir && olddir) return -EISDIR;
    if (olddir && !dir_empty(de->ino, old)) return -ENOTEMPTY;
    u32 victim = de->ino;
    de->ino = ino;
    de->type = (u8)dtype(n->mode);
    mark(dat);
    if (olddir) dd->nlink--;
    drop(victim);
  } else {
    err = add_entry(ddir, dd, dname, dlen, ino, dtype(n->mode));
    if (err != 0) return err;
    // add_entry may have moved nothing, but the slot pointer of the source stays valid:
    // directory blocks are never moved.
  }
  se = find(sdir, sd, sname, slen, &err, &sat);
  if (se != 0 && se->ino == ino) { se->ino = 0; mark(sat); }
  touch(sd, sdir, 1, 1);
  touch(dd, ddir, 1, 1);
  if (isdir && sdir != ddir) { sd->nlink--; dd->nlink++; n->parent = ddir; }
  touch(n, ino, 0, 1);
  return 0;
}

EXPORT(fs_open) i32 fs_open(u32 ino) {
  if (node_of(ino) == 0) return -ESTALE;
  for (u32 i = 0; i < PINS; i++) if (pins[i].ino == ino) { pins[i].n++; return 0; }
  for (u32 i = 0; i < PINS; i++) if (pins[i].n == 0) { pins[i].ino = ino; pins[i].n = 1; return 0; }
  return -ENFILE;
}

EXPORT(fs_release) i32 fs_release(u32 ino) {
  for (u32 i = 0; i < PINS; i++) {
    if (pins[i].ino != ino || pins[i].n == 0) continue;
    if (--pins[i].n == 0) {
      pins[i].ino = 0;
      struct node *n = node_of(ino);
      if (n != 0 && n->nlink == 0) free_chain(ino);
    }
    return 0;
  }
  return -EINVAL;
}

/** Usage into the window as doubles: block size, blocks, free blocks. */
EXPORT(fs_statfs) i32 fs_statfs(void) {
  u32 free = 0;
  for (u32 b = data_start; b < nblocks; b++) if (fat_get(b) == FAT_FREE) free++;
  double *w = (double *)window();
  w[0] = BS; w[1] = nblocks; w[2] = free;
  return 0;
}

/** Faults the kernel injects (`fault diskfs TYPE`): its own code breaking. */
EXPORT(kk_fault) void kk_fault(i32 type) {
  if (type == 1) __builtin_trap();                          // crash: executes unreachable
  if (type == 2) { volatile u32 n = 0; for (;;) n++; }      // hang: stopped by fuel
  if (type == 3) {                                          // wild write: past the window
    volatile u8 *p = window() + WINDOW_BYTES;
    for (u32 i = 0; i < WILD_WRITE_BYTES; i++) p[i] = (u8)(0xa5 ^ i);
  }
  if (type == 5) leaking = 1;                               // leak: a page per write
}
