// mkfs: lays out a fresh ext2 revision 1 filesystem on a block device, the way mke2fs
// would with "-t ext2 -O ^resize_inode,^dir_index,^ext_attr": sparse_super,
// large_file and filetype; 256-byte inodes; the root directory and lost+found; backup
// superblocks and descriptor tables in groups 0, 1 and powers of 3, 5 and 7.
// The layout code (layout.ts) is shared with mount and fsck.

import type { BlockDevice } from '../../abi/blk.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { Errno, fail } from '../../abi/errno.js';
import { S } from '../../abi/fs.js';
import { WANT_EXTRA_ISIZE } from './inode.js';
import {
  EXT2_MAGIC, GOOD_OLD_FIRST_INO, GroupDesc, GROUP_DESC_SIZE, groupHasSuper, groupSuperOverhead, Incompat, ROOT_INO,
  RoCompat, STATE_VALID, Superblock, SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE,
} from './layout.js';

export interface MkfsOptions {
  blockSize?: 1024 | 4096;
  /** Total inodes wanted (rounded to fill whole inode-table blocks in every group). */
  inodes?: number;
  label?: string;
  /** Seconds since the epoch to stamp (tests pass a fixed one). */
  now?: number;
}

const INODE_SIZE = 256;
const LOST_FOUND_INO = 11;

function put32(b: Uint8Array, o: number, v: number): void { new DataView(b.buffer, b.byteOffset).setUint32(o, v >>> 0, true); }
function put16(b: Uint8Array, o: number, v: number): void { new DataView(b.buffer, b.byteOffset).setUint16(o, v & 0xffff, true); }

function dirEntry(block: Uint8Array, offset: number, ino: number, recLen: number, name: string): void {
  put32(block, offset, ino);
  put16(block, offset + 4, recLen);
  block[offset + 6] = name.length;
  block[offset + 7] = 2; // ext2 file_type: directory
  for (let i = 0; i < name.length; i++) block[offset + 8 + i] = name.charCodeAt(i);
}

function setBit(bits: Uint8Array, i: number): void { bits[i >> 3]! |= 1 << (i & 7); }

export async function mkfs(device: BlockDevice, options: MkfsOptions = {}): Promise<void> {
  const bytes = await device.size();
  const bs = options.blockSize ?? (bytes < 512 * 1024 * 1024 ? 1024 : 4096);
  if (bs !== 1024 && bs !== 4096) fail(Errno.EINVAL, `mkfs: block size ${String(bs)} (1024 or 4096)`);
  const now = options.now ?? Math.floor(Date.now() / 1000);
  let blocksCount = Math.min(Math.floor(bytes / bs), 0xffff_ffff);
  const firstDataBlock = bs === 1024 ? 1 : 0;
  const bpg = bs * 8;
  const sb = new Superblock(new Uint8Array(SUPERBLOCK_SIZE));
  sb.logBlockSize = Math.log2(bs) - 10;
  sb.logFragSize = sb.logBlockSize;
  sb.firstDataBlock = firstDataBlock;
  sb.blocksPerGroup = bpg;
  sb.fragsPerGroup = bpg;
  sb.revLevel = 1;
  sb.featureRoCompat = RoCompat.SPARSE_SUPER | RoCompat.LARGE_FILE;
  sb.featureIncompat = Incompat.FILETYPE;
  sb.blocksCount = blocksCount;
  const tableBlocksFor = (ipg: number): number => Math.ceil((ipg * INODE_SIZE) / bs);
  // Inodes: one per 4 KiB on small filesystems, one per 16 KiB on large (mke2fs's defaults).
  const ratio = bytes < 512 * 1024 * 1024 ? 4096 : 16384;
  let groups = 0, ipg = 0;
  for (;;) {
    groups = Math.ceil((blocksCount - firstDataBlock) / bpg);
    const wanted = options.inodes ?? Math.floor((blocksCount * bs) / ratio);
    const perBlock = bs / INODE_SIZE;
    ipg = Math.max(16, Math.ceil(Math.max(wanted, GOOD_OLD_FIRST_INO + 1) / groups));
    ipg = Math.ceil(ipg / perBlock) * perBlock;
    ipg = Math.ceil(ipg / 8) * 8;
    ipg = Math.min(ipg, bs * 8, Math.floor((bpg - 16) * bs / INODE_SIZE));
    sb.blocksCount = blocksCount;
    sb.inodesPerGroup = ipg;
    // A last group too small for its own metadata and some data is dropped (as mke2fs does).
    const lastSize = blocksCount - firstDataBlock - (groups - 1) * bpg;
    const lastOverhead = groupSuperOverhead(sb, groups - 1) + 2 + tableBlocksFor(ipg);
    if (groups > 1 && lastSize < lastOverhead + 50) { blocksCount = firstDataBlock + (groups - 1) * bpg; continue; }
    break;
  }
  if (groups < 1 || blocksCount < 64) fail(Errno.EINVAL, `mkfs: device of ${bytes} bytes is too small for ext2`);
  sb.blocksCount = blocksCount;
  sb.inodesPerGroup = ipg;
  sb.inodesCount = ipg * groups;
  sb.reservedBlocksCount = Math.floor(blocksCount / 20);
  sb.magic = EXT2_MAGIC;
  sb.state = STATE_VALID;
  sb.errors = 1;
  sb.maxMountCount = -1;
  sb.mtime = 0;
  sb.wtime = now;
  sb.lastCheck = now;
  sb.mkfsTime = now;
  sb.creatorOs = 0;
  sb.firstIno = GOOD_OLD_FIRST_INO;
  sb.inodeSize = INODE_SIZE;
  sb.minExtraIsize = WANT_EXTRA_ISIZE;
  sb.wantExtraIsize = WANT_EXTRA_ISIZE;
  sb.defHashVersion = 1;
  const uuid = sb.uuid;
  crypto.getRandomValues(uuid);
  uuid[6] = (uuid[6]! & 0x0f) | 0x40;
  uuid[8] = (uuid[8]! & 0x3f) | 0x80;
  const label = new TextEncoder().encode(options.label ?? '').subarray(0, 16);
  sb.volumeName.set(label);

  const tableBlocks = tableBlocksFor(ipg);
  const gdtBlocks = Math.ceil((groups * GROUP_DESC_SIZE) / bs);
  const gdt = new Uint8Array(gdtBlocks * bs);
  const descs: GroupDesc[] = [];
  const blockBitmaps: Uint8Array[] = [];
  const inodeBitmaps: Uint8Array[] = [];
  let freeBlocksTotal = 0;
  for (let g = 0; g < groups; g++) {
    const gd = new GroupDesc(gdt.subarray(g * GROUP_DESC_SIZE, (g + 1) * GROUP_DESC_SIZE));
    const first = firstDataBlock + g * bpg;
    const count = Math.min(bpg, blocksCount - first);
    const overhead = groupSuperOverhead(sb, g);
    gd.blockBitmap = first + overhead;
    gd.inodeBitmap = first + overhead + 1;
    gd.inodeTable = first + overhead + 2;
    const used = overhead + 2 + tableBlocks;
    if (used >= count) fail(Errno.EINVAL, `mkfs: group ${g} (${count} blocks) cannot hold its metadata`);
    const bb = new Uint8Array(bs);
    for (let i = 0; i < used; i++) setBit(bb, i);
    // Bits past the end of the last group are set, as e2fsck expects.
    for (let i = count; i < bs * 8; i++) setBit(bb, i);
    const ib = new Uint8Array(bs);
    for (let i = ipg; i < bs * 8; i++) setBit(ib, i);
    gd.freeBlocks = count - used;
    gd.freeInodes = ipg;
    descs.push(gd);
    blockBitmaps.push(bb);
    inodeBitmaps.push(ib);
    freeBlocksTotal += count - used;
  }

  // Reserved inodes 1..10, root (2) and lost+found (11) in group 0.
  const ib0 = inodeBitmaps[0]!;
  for (let i = 0; i < GOOD_OLD_FIRST_INO; i++) setBit(ib0, i);
  descs[0]!.freeInodes = ipg - GOOD_OLD_FIRST_INO;
  descs[0]!.usedDirs = 2;
  // Directory blocks: root takes one, lost+found enough for 16 KiB (at least 2 blocks).
  const lostFoundBlocks = Math.min(12, Math.max(2, 16384 / bs));
  const dataStart = descs[0]!.inodeTable + tableBlocks;
  const rootBlock = dataStart;
  const lfBlocks = Array.from({ length: lostFoundBlocks }, (_, i) => dataStart + 1 + i);
  for (let b = rootBlock; b <= lfBlocks[lfBlocks.length - 1]!; b++) setBit(blockBitmaps[0]!, b - firstDataBlock);
  descs[0]!.freeBlocks = descs[0]!.freeBlocks - 1 - lostFoundBlocks;
  freeBlocksTotal -= 1 + lostFoundBlocks;
  sb.freeBlocksCount = freeBlocksTotal;
  sb.freeInodesCount = sb.inodesCount - GOOD_OLD_FIRST_INO;

  const write = async (block: number, data: Uint8Array): Promise<void> => {
    await device.write((block * bs) / SECTOR_SIZE, data);
  };
  // Zero the boot area and every inode table (in chunks), then write the structures.
  await device.write(0, new Uint8Array(SUPERBLOCK_OFFSET));
  const chunkBlocks = Math.max(1, Math.floor((1 << 20) / bs));
  const zeros = new Uint8Array(chunkBlocks * bs);
  for (const gd of descs) {
    for (let b = 0; b < tableBlocks; b += chunkBlocks) {
      const n = Math.min(chunkBlocks, tableBlocks - b);
      await write(gd.inodeTable + b, zeros.subarray(0, n * bs));
    }
  }

  // Root and lost+found inodes.
  const table0 = new Uint8Array(bs * Math.ceil((LOST_FOUND_INO * INODE_SIZE) / bs));
  const inode = (ino: number, mode: number, links: number, blocks: number[]): void => {
    const o = (ino - 1) * INODE_SIZE;
    put16(table0, o, mode);
    put32(table0, o + 4, blocks.length * bs);
    put32(table0, o + 8, now);
    put32(table0, o + 12, now);
    put32(table0, o + 16, now);
    put16(table0, o + 26, links);
    put32(table0, o + 28, blocks.length * (bs / 512));
    blocks.forEach((b, i) => put32(table0, o + 40 + i * 4, b));
    put16(table0, o + 128, WANT_EXTRA_ISIZE);
    put32(table0, o + 0x90, now);
  };
  inode(ROOT_INO, S.IFDIR | 0o755, 3, [rootBlock]);
  inode(LOST_FOUND_INO, S.IFDIR | 0o700, 2, lfBlocks);
  await write(descs[0]!.inodeTable, table0);

  const root = new Uint8Array(bs);
  dirEntry(root, 0, ROOT_INO, 12, '.');
  dirEntry(root, 12, ROOT_INO, 12, '..');
  dirEntry(root, 24, LOST_FOUND_INO, bs - 24, 'lost+found');
  await write(rootBlock, root);
  const lf = new Uint8Array(bs * lostFoundBlocks);
  dirEntry(lf, 0, LOST_FOUND_INO, 12, '.');
  dirEntry(lf, 12, ROOT_INO, bs - 12, '..');
  for (let i = 1; i < lostFoundBlocks; i++) put16(lf, i * bs + 4, bs);
  await write(lfBlocks[0]!, lf);

  for (let g = 0; g < groups; g++) {
    await write(descs[g]!.blockBitmap, blockBitmaps[g]!);
    await write(descs[g]!.inodeBitmap, inodeBitmaps[g]!);
  }
  // Superblock copies last, primary at the very end: a half-made image has no valid primary.
  for (let g = groups - 1; g >= 0; g--) {
    if (!groupHasSuper(sb, g)) continue;
    const first = firstDataBlock + g * bpg;
    const copy = new Superblock(sb.bytes.slice());
    copy.blockGroupNr = g;
    await write(first + 1, gdt);
    if (g === 0) continue;
    const block = new Uint8Array(bs);
    block.set(copy.bytes, 0);
    await write(first, block);
  }
  await device.write(SUPERBLOCK_OFFSET / SECTOR_SIZE, sb.bytes);
  await device.flush();
}
