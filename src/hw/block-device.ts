// The block device model, the host's side of abi/device.ts: it takes submitted
// requests from the slots, does the I/O on a backing store (RAM or a disk image file;
// see power-cut.ts for the BlockBacking contract), marks them done and raises the
// interrupt. The host runs `service()` whenever the doorbell rings.

import {
  DEV_IRQ, BlkOp, BlkSlotState, BLK_SLOTS, BLK_SLOTS_OFFSET, BLK_SLOT_BYTES, BLK_DATA_OFFSET, BLK_SLOT_DATA_BYTES,
  BLK_MEMORY_BYTES, BLK_CAPACITY_LO, BLK_CAPACITY_HI, BLK_POWER,
} from '../abi/device.js';
import { SECTOR_SIZE } from '../abi/blk.js';
import { Errno } from '../abi/errno.js';

/** Host storage behind the device; synchronous, byte-addressed. */
export interface Backing {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
  /** Optional: reads straight into `dest` (a request slot), saving a copy. */
  readInto?(offset: number, dest: Uint8Array): void;
  write(offset: number, data: Uint8Array): void;
  flush(): void;
}

export class BlockDeviceModel {
  readonly memory = new SharedArrayBuffer(BLK_MEMORY_BYTES);
  private readonly words = new Int32Array(this.memory, 0, 16);
  private readonly bytes = new Uint8Array(this.memory);
  private readonly slots = Array.from({ length: BLK_SLOTS }, (_, i) => ({
    words: new Int32Array(this.memory, BLK_SLOTS_OFFSET + i * BLK_SLOT_BYTES, 4),
    sector: new Float64Array(this.memory, BLK_SLOTS_OFFSET + i * BLK_SLOT_BYTES + 16, 1),
    data: new Uint8Array(this.memory, BLK_DATA_OFFSET + i * BLK_SLOT_DATA_BYTES, BLK_SLOT_DATA_BYTES),
  }));
  requests = 0;

  constructor(private readonly backing: Backing) {
    const sectors = Math.floor(backing.size / SECTOR_SIZE);
    this.words[BLK_CAPACITY_LO] = sectors % 0x80000000;
    this.words[BLK_CAPACITY_HI] = Math.floor(sectors / 0x80000000);
  }

  /** Completes every submitted request; returns how many. */
  service(): number {
    let done = 0;
    for (let i = 0; i < BLK_SLOTS; i++) {
      const { words: slot, sector: sectorWord, data } = this.slots[i]!;
      if (Atomics.load(slot, 0) !== BlkSlotState.SUBMITTED) continue;
      const sector = sectorWord[0]!;
      const op = slot[1]!, count = slot[2]!;
      let status = 0;
      try {
        if (Atomics.load(this.words, BLK_POWER) !== 0) throw new Error('power lost');
        const length = count * SECTOR_SIZE;
        if (length > data.length || sector < 0 || (sector + count) * SECTOR_SIZE > this.backing.size) status = Errno.EIO;
        else if (op === BlkOp.READ) {
          // DMA into the slot: straight from the backing store when it can.
          if (this.backing.readInto !== undefined) this.backing.readInto(sector * SECTOR_SIZE, data.subarray(0, length));
          else data.set(this.backing.read(sector * SECTOR_SIZE, length));
        } else if (op === BlkOp.WRITE) this.backing.write(sector * SECTOR_SIZE, data.slice(0, length));
        else if (op === BlkOp.FLUSH) this.backing.flush();
        else status = Errno.EINVAL;
      } catch {
        status = Errno.EIO;
        Atomics.store(this.words, BLK_POWER, 1);
      }
      slot[3] = status;
      Atomics.store(slot, 0, BlkSlotState.DONE);
      done++;
      this.requests++;
    }
    if (done > 0) {
      Atomics.add(this.words, DEV_IRQ, 1);
      Atomics.notify(this.words, DEV_IRQ);
    }
    return done;
  }
}

/** A RAM disk. */
export class RamBacking implements Backing {
  readonly data: Uint8Array;
  constructor(readonly size: number) { this.data = new Uint8Array(size); }
  read(offset: number, length: number): Uint8Array { return this.data.slice(offset, offset + length); }
  readInto(offset: number, dest: Uint8Array): void { dest.set(this.data.subarray(offset, offset + dest.length)); }
  write(offset: number, data: Uint8Array): void { this.data.set(data, offset); }
  flush(): void {}
}
