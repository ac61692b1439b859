// fsck: our own checker, in e2fsck's passes. 1: every in-use inode's block tree (blocks
// in range, none claimed twice, i_blocks right); 2: every directory's entries; 3: every
// directory reachable from the root with a matching '..'; 4: link counts; 5: bitmaps and
// free counts against what passes 1-4 found. With `repair` it rewrites bitmaps, counts
// and link counts (what can be fixed without guessing); anything else is only reported.

import type { BlockDevice } from '../../abi/blk.js';
import { isKernelError } from '../../abi/errno.js';
import type { BlockNo } from '../../abi/ids.js';
import { isDir, isReg, S } from '../../abi/fs.js';
import { Arena } from '../../lib/arena.js';
import { walkBlocks } from './bmap.js';
import * as dir from './dir.js';
import { hasBlockTree } from './file.js';
import type { Inode } from './inode.js';
import { Compat, Incompat, RESIZE_INO, ROOT_INO, GROUP_DESC_SIZE } from './layout.js';
import { Volume } from './volume.js';

export interface FsckResult { clean: boolean; errors: string[]; repaired: string[] }

const MAX_ERRORS = 1000;
const VALID_TYPES = new Set<number>([S.IFREG, S.IFDIR, S.IFLNK, S.IFCHR, S.IFBLK, S.IFIFO, S.IFSOCK]);

export async function fsck(device: BlockDevice, options: { repair?: boolean; log?: (m: string) => void } = {}): Promise<FsckResult> {
  const errors: string[] = [];
  const repaired: string[] = [];
  const report = (m: string): void => { if (errors.length < MAX_ERRORS) errors.push(m); };
  // fsck's own memory: a 1 MiB cache (its reads are mostly one pass over the tables) plus
  // room for the descriptor table, at most 32 bytes per 8192 blocks of 1 KiB.
  const deviceBytes = await device.size();
  const arena = new Arena('fsck', new ArrayBuffer((1 << 20) + (64 << 10) + Math.ceil(deviceBytes / 262144)));
  let vol: Volume;
  try {
    vol = await Volume.open(device, { arena, owner: 'fsck', readOnly: !options.repair, log: options.log ?? (() => undefined), cacheBytes: 1 << 20, now: () => Date.now() * 1e6 });
  } catch (e) {
    if (isKernelError(e)) return { clean: false, errors: [e.message], repaired };
    throw e;
  }
  try {
    await check(vol, report, options.repair === true, repaired);
  } catch (e) {
    if (!isKernelError(e)) throw e;
    report(`check stopped: ${e.message}`);
  } finally {
    await vol.close().catch((e: unknown) => report(`closing: ${String(e)}`));
  }
  return { clean: errors.length === 0, errors, repaired };
}

async function check(vol: Volume, report: (m: string) => void, repair: boolean, repaired: string[]): Promise<void> {
  const sb = vol.sb;
  const bs = vol.blockSize;
  const used = new Uint8Array(sb.blocksCount);
  const claim = (b: number): void => { used[b] = 1; };
  // Pass 0: the fixed metadata of every group.
  const gdtBlocks = Math.ceil((vol.groupCount * GROUP_DESC_SIZE) / bs);
  for (let g = 0; g < vol.groupCount; g++) {
    const first = vol.groupFirstBlock(g);
    if (vol.isGroupSuper(g)) for (let i = 0; i < 1 + gdtBlocks; i++) claim(first + i);
    const gd = vol.groups[g]!;
    claim(gd.blockBitmap);
    claim(gd.inodeBitmap);
    for (let i = 0; i < vol.inodeTableBlocks; i++) claim(gd.inodeTable + i);
  }
  const xattrBlocks = new Set<number>();

  // Pass 1: inodes.
  const inUse = new Uint8Array(sb.inodesCount + 1);
  const dirs: number[] = [];
  const modes = new Map<number, number>();
  for (let ino = 1; ino <= sb.inodesCount; ino++) {
    vol.beginOperation();
    const inode = await vol.getInode(ino);
    const reserved = ino < sb.firstIno;
    if (reserved) inUse[ino] = 1;
    if (ino === RESIZE_INO && !sb.hasCompat(Compat.RESIZE_INODE)) continue;
    if (reserved && ino !== ROOT_INO && ino !== RESIZE_INO && inode.blocks512 === 0) continue;
    if (!reserved && inode.linksCount === 0) {
      if (inode.mode !== 0 && inode.dtime === 0 && await bitSet(vol, 'inode', ino)) report(`inode ${ino} has no links but is in use (an orphan)`);
      continue;
    }
    if (ino === ROOT_INO && !isDir(inode.mode)) { report('root inode is not a directory'); continue; }
    inUse[ino] = 1;
    const type = inode.mode & S.IFMT;
    if (ino !== RESIZE_INO && !reserved && !VALID_TYPES.has(type)) { report(`inode ${ino} has bad mode 0o${inode.mode.toString(8)}`); continue; }
    modes.set(ino, inode.mode);
    if (isDir(inode.mode)) dirs.push(ino);
    let counted = 0;
    let lastLogical = -1;
    if (ino === RESIZE_INO || hasBlockTree(vol, inode)) {
      await walkBlocks(vol, inode, (b, indirect, logical) => {
        if (b < sb.firstDataBlock || b >= sb.blocksCount) { report(`inode ${ino}: illegal block ${b}`); return false; }
        if (used[b]) { report(`inode ${ino}: block ${b} is claimed twice`); return false; }
        claim(b);
        counted++;
        if (!indirect) lastLogical = Math.max(lastLogical, logical);
        return true;
      });
    }
    if (inode.fileAcl) {
      const b = inode.fileAcl;
      if (b < sb.firstDataBlock || b >= sb.blocksCount) report(`inode ${ino}: illegal xattr block ${b}`);
      else { if (!xattrBlocks.has(b) && used[b]) report(`inode ${ino}: xattr block ${b} is claimed twice`); xattrBlocks.add(b); claim(b); counted++; }
    }
    if (ino !== RESIZE_INO && counted * (bs / 512) !== inode.blocks512) report(`inode ${ino}: i_blocks is ${inode.blocks512}, counted ${counted * (bs / 512)}`);
    if (isDir(inode.mode) && (inode.size % bs !== 0 || inode.size === 0 || inode.size / bs !== lastLogical + 1)) report(`directory inode ${ino}: size ${inode.size} does not match its blocks`);
    if (isReg(inode.mode) && lastLogical >= Math.ceil(inode.size / bs)) report(`inode ${ino}: block ${lastLogical} past the end of a ${inode.size}-byte file`);
  }

  // Pass 2: directory entries.
  const refs = new Uint32Array(sb.inodesCount + 1);
  const parentOf = new Map<number, number>();
  const dotdot = new Map<number, number>();
  const subdirs = new Map<number, number>();
  const filetype = sb.hasIncompat(Incompat.FILETYPE);
  for (const d of dirs) {
    vol.beginOperation();
    const inode = await vol.getInode(d);
    let index = 0;
    try {
      await dir.scan(vol, inode, (s) => {
        const name = new TextDecoder().decode(s.name);
        const i = index++;
        if (i === 0 && (s.ino !== d || name !== '.')) report(`directory inode ${d}: first entry is not '.'`);
        if (i === 1 && name !== '..') report(`directory inode ${d}: second entry is not '..'`);
        if (s.ino === 0 || name === '.') return false;
        if (name === '..') { dotdot.set(d, s.ino); return false; }
        if (!inUse[s.ino] || !modes.has(s.ino)) { report(`directory inode ${d}: entry '${name}' refers to unused inode ${s.ino}`); return false; }
        refs[s.ino]!++;
        const mode = modes.get(s.ino)!;
        if (filetype && s.type !== dir.fileTypeOf(mode)) report(`directory inode ${d}: entry '${name}' has file type ${s.type}, inode ${s.ino} is ${dir.fileTypeOf(mode)}`);
        if (isDir(mode)) {
          if (parentOf.has(s.ino)) report(`directory inode ${s.ino} has a second name '${name}' in directory inode ${d}`);
          else parentOf.set(s.ino, d);
          subdirs.set(d, (subdirs.get(d) ?? 0) + 1);
        }
        return false;
      });
    } catch (e) {
      if (!isKernelError(e)) throw e;
      report(e.message);
    }
  }

  // Pass 3: connectivity.
  for (const d of dirs) {
    if (d === ROOT_INO) { if (dotdot.get(d) !== ROOT_INO) report("root directory's '..' is not itself"); continue; }
    const parent = parentOf.get(d);
    if (parent === undefined) { report(`directory inode ${d} is not reachable from the root`); continue; }
    if (dotdot.get(d) !== parent) report(`directory inode ${d}: '..' is ${dotdot.get(d) ?? 'missing'}, parent is ${parent}`);
  }
  const reached = new Set<number>([ROOT_INO]);
  const queue = [ROOT_INO];
  const children = new Map<number, number[]>();
  for (const [child, parent] of parentOf) children.set(parent, [...(children.get(parent) ?? []), child]);
  while (queue.length > 0) for (const c of children.get(queue.pop()!) ?? []) if (!reached.has(c)) { reached.add(c); queue.push(c); }
  for (const d of dirs) if (!reached.has(d) && parentOf.has(d)) report(`directory inode ${d} is in a loop not connected to the root`);

  // Pass 4: link counts.
  const fixLinks: [number, number][] = [];
  for (const [ino, mode] of modes) {
    if (ino < sb.firstIno && ino !== ROOT_INO) continue;
    vol.beginOperation();
    const inode = await vol.getInode(ino);
    const expected = isDir(mode) ? 2 + (subdirs.get(ino) ?? 0) : refs[ino]!;
    if (!isDir(mode) && expected === 0) { report(`inode ${ino} is in use but no directory names it`); continue; }
    if (inode.linksCount !== expected) {
      report(`inode ${ino}: link count is ${inode.linksCount}, should be ${expected}`);
      fixLinks.push([ino, expected]);
    }
  }

  // Pass 5: bitmaps and counts.
  const fixes: (() => Promise<void>)[] = [];
  let freeBlocks = 0, freeInodes = 0;
  for (let g = 0; g < vol.groupCount; g++) {
    const gd = vol.groups[g]!;
    const first = vol.groupFirstBlock(g);
    const count = vol.groupBlockCount(g);
    const expectBlocks = new Uint8Array(bs);
    let gFreeBlocks = 0;
    for (let i = 0; i < bs * 8; i++) {
      if (i >= count || used[first + i]) expectBlocks[i >> 3]! |= 1 << (i & 7);
      else gFreeBlocks++;
    }
    const ipg = sb.inodesPerGroup;
    const expectInodes = new Uint8Array(bs);
    let gFreeInodes = 0, gDirs = 0;
    for (let i = 0; i < bs * 8; i++) {
      const ino = g * ipg + i + 1;
      if (i >= ipg || inUse[ino]) expectInodes[i >> 3]! |= 1 << (i & 7);
      else gFreeInodes++;
      if (i < ipg && inUse[ino] && isDir(modes.get(ino) ?? 0)) gDirs++;
    }
    const compare = async (block: BlockNo, expect: Uint8Array, what: string, base: number, limit: number): Promise<void> => {
      const data = (await vol.cache.get(block, 'meta')).data;
      const diffs: string[] = [];
      for (let i = 0; i < bs * 8; i++) {
        const a = (data[i >> 3]! >> (i & 7)) & 1, e = (expect[i >> 3]! >> (i & 7)) & 1;
        if (a !== e && diffs.length < 5) diffs.push(i < limit ? `${what} ${base + i} ${e ? 'in use but marked free' : 'free but marked in use'}` : `padding bit ${i} of the ${what} bitmap of group ${g} is clear`);
        if (a !== e && diffs.length >= 5) break;
      }
      for (const d of diffs) report(d);
      if (diffs.length > 0) fixes.push(async () => {
        const buf = await vol.cache.get(block, 'meta');
        buf.data.set(expect);
        vol.cache.markDirty(buf);
        repaired.push(`rewrote the ${what} bitmap of group ${g}`);
      });
    };
    await compare(gd.blockBitmap, expectBlocks, 'block', first, count);
    await compare(gd.inodeBitmap, expectInodes, 'inode', g * ipg + 1, ipg);
    if (gd.freeBlocks !== gFreeBlocks || gd.freeInodes !== gFreeInodes || gd.usedDirs !== gDirs) {
      report(`group ${g}: descriptor counts free blocks ${gd.freeBlocks}, free inodes ${gd.freeInodes}, directories ${gd.usedDirs}; counted ${gFreeBlocks}, ${gFreeInodes}, ${gDirs}`);
      fixes.push(async () => { gd.freeBlocks = gFreeBlocks; gd.freeInodes = gFreeInodes; gd.usedDirs = gDirs; repaired.push(`fixed the counts of group ${g}`); });
    }
    freeBlocks += gFreeBlocks;
    freeInodes += gFreeInodes;
  }
  // The superblock totals are checked against the descriptors at mount (volume.ts recomputes them).
  if (!repair) return;
  for (const fix of fixes) await fix();
  for (const [ino, links] of fixLinks) {
    vol.beginOperation();
    const inode: Inode = await vol.getInode(ino);
    inode.linksCount = links;
    repaired.push(`set the link count of inode ${ino} to ${links}`);
  }
  sb.freeBlocksCount = freeBlocks;
  sb.freeInodesCount = freeInodes;
  await vol.sync();
}

async function bitSet(vol: Volume, kind: 'inode', ino: number): Promise<boolean> {
  const ipg = vol.sb.inodesPerGroup;
  const g = Math.floor((ino - 1) / ipg);
  const i = (ino - 1) % ipg;
  const data = (await vol.cache.get(vol.groups[g]![kind === 'inode' ? 'inodeBitmap' : 'blockBitmap'], 'meta')).data;
  return ((data[i >> 3]! >> (i & 7)) & 1) === 1;
}

