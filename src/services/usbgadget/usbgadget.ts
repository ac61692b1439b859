// usbgadget: a test module standing for "a driver of dubious origin for your latest USB
// gadget". It drives no device of its own; when loaded (`insmod usbgadget`) it tries to
// read your disk, and logs what it read or what refused it:
//
//   1. Look for a block device's queue memory in its own address space (ctx.arena's
//      windows). A kernel-domain module shares the kernel's address space, where the
//      kernel mapped the device of every kernel-domain driver: under `monolithic` it
//      finds the block device there, queues a read of sector 2 in a free request slot
//      and reads the ext2 superblock straight from the device. A user-domain server's
//      address space holds only the device its manifest and the preset grant it:
//      none for this module.
//   2. Call the blk driver. Its manifest holds no capability for blk (`uses` is
//      empty), so peer('blk') is refused in every domain.
//   3. Under the kernel domain, look at what other components left in the kernel
//      arena: blk's bounce buffer holds the last sectors that went through it.
//
// Nothing here knows its domain (ARCHITECTURE.md rule 1): the outcome is the preset's.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { BlkService } from '../../abi/services.js';
import { BlkOp, BlkSlotState, BLK_SLOTS, BLK_SLOTS_OFFSET, BLK_SLOT_BYTES, BLK_DATA_OFFSET, BLK_SLOT_DATA_BYTES, DEV_DOORBELL, DEV_IRQ } from '../../abi/device.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { isKernelError } from '../../abi/errno.js';

export const manifest: Manifest = {
  name: 'usbgadget',
  description: 'test module: a dubious USB gadget driver that tries to read the disk (claim C13)',
  uses: [],
};

/** Gives up on a device that does not complete a request in this long (ms). */
const DEVICE_TIMEOUT_MS = 2000;
const SUPERBLOCK_SECTOR = 2;

export interface GadgetReport {
  /** How the disk was reached ('device' or 'blk'), or 'refused'. */
  outcome: 'device' | 'blk' | 'refused';
  lines: string[];
}

function describeSuperblock(sector: Uint8Array): string {
  const view = new DataView(sector.buffer, sector.byteOffset, sector.byteLength);
  const magic = view.getUint16(56, true);
  if (magic !== 0xef53) return `sector ${SUPERBLOCK_SECTOR}: no ext2 superblock (first bytes ${[...sector.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ')})`;
  const inodes = view.getUint32(0, true), blocks = view.getUint32(4, true);
  const name = new TextDecoder().decode(sector.subarray(120, 136)).replace(/\0.*$/s, '');
  return `sector ${SUPERBLOCK_SECTOR}: ext2 superblock, magic 0xef53, ${inodes} inodes, ${blocks} blocks, volume '${name}'`;
}

// Queues one read straight into the device's request ring, bypassing the blk driver.
async function readThroughDevice(memory: SharedArrayBuffer, sector: number): Promise<Uint8Array> {
  const words = new Int32Array(memory, 0, 16);
  for (let i = 0; i < BLK_SLOTS; i++) {
    const slot = new Int32Array(memory, BLK_SLOTS_OFFSET + i * BLK_SLOT_BYTES, 4);
    if (Atomics.compareExchange(slot, 0, BlkSlotState.FREE, BlkSlotState.SUBMITTED) !== BlkSlotState.FREE) continue;
    slot[1] = BlkOp.READ;
    slot[2] = 1;
    slot[3] = 0;
    new Float64Array(memory, BLK_SLOTS_OFFSET + i * BLK_SLOT_BYTES + 16, 1)[0] = sector;
    Atomics.add(words, DEV_DOORBELL, 1);
    Atomics.notify(words, DEV_DOORBELL);
    const deadline = performance.now() + DEVICE_TIMEOUT_MS;
    while (Atomics.load(slot, 0) !== BlkSlotState.DONE) {
      if (performance.now() > deadline) throw new Error('the device did not answer');
      const w = Atomics.waitAsync(words, DEV_IRQ, Atomics.load(words, DEV_IRQ), 20);
      if (w.async) await w.value;
    }
    const status = slot[3]!;
    const data = new Uint8Array(memory, BLK_DATA_OFFSET + i * BLK_SLOT_DATA_BYTES, SECTOR_SIZE).slice();
    Atomics.store(slot, 0, BlkSlotState.FREE);
    if (status !== 0) throw new Error(`device error ${status}`);
    return data;
  }
  throw new Error('every request slot is busy');
}

export function create(ctx: ComponentContext): ComponentInstance & { report(): Promise<GadgetReport> } {
  const report: GadgetReport = { outcome: 'refused', lines: [] };
  const say = (line: string): void => { report.lines.push(line); ctx.log(`usbgadget: ${line}`); };

  async function attack(): Promise<void> {
    // 1. The block device's memory, if this address space holds it.
    const block = ctx.arena.windows().find((w) => w.tag === 'block');
    if (block === undefined) {
      say(`no block device in my address space (arena ${ctx.arena.name}): neither my manifest nor the preset grants me one`);
    } else {
      try {
        const data = await readThroughDevice(block.memory, SUPERBLOCK_SECTOR);
        report.outcome = 'device';
        say(`READ THE DISK through the block device's memory (mapped for ${block.owner} in arena ${ctx.arena.name}): ${describeSuperblock(data)}`);
      } catch (e) {
        say(`found the block device's memory but could not read it: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    // 2. The driver, through a capability this module does not hold.
    try {
      const data = await ctx.peer<BlkService>('blk').read(SUPERBLOCK_SECTOR, 1);
      if (report.outcome === 'refused') report.outcome = 'blk';
      say(`READ THE DISK through blk: ${describeSuperblock(data)}`);
    } catch (e) {
      say(`blk refused: ${isKernelError(e) ? e.message : e instanceof Error ? e.message : String(e)}`);
    }
    // 3. What neighbours left in this arena.
    const bounce = ctx.arena.list('blk').find((r) => r.tag === 'bounce buffer');
    if (bounce !== undefined) {
      const used = bounce.bytes.reduce((n, b) => n + (b !== 0 ? 1 : 0), 0);
      say(`blk's bounce buffer is in my arena too: ${used} non-zero bytes of the last disk I/O readable`);
    }
    say(report.outcome === 'refused' ? 'could not read the disk' : 'the disk is readable by a driver that was never granted it');
  }

  return {
    async init(): Promise<void> { await attack(); },
    async report(): Promise<GadgetReport> { return report; },
  };
}
