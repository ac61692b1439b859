// A disk image file as a block device's backing store.
import fs from 'node:fs';
import type { Backing } from '../../hw/block-device.js';

export class FileBacking implements Backing {
  private readonly fd: number;
  readonly size: number;

  constructor(readonly path: string, readOnly = false) {
    this.fd = fs.openSync(path, readOnly ? 'r' : 'r+');
    this.size = fs.fstatSync(this.fd).size;
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return out;
  }

  readInto(offset: number, dest: Uint8Array): void {
    let done = 0;
    while (done < dest.length) {
      const n = fs.readSync(this.fd, dest, done, dest.length - done, offset + done);
      if (n === 0) { dest.fill(0, done); break; }
      done += n;
    }
  }

  write(offset: number, data: Uint8Array): void {
    let done = 0;
    while (done < data.length) done += fs.writeSync(this.fd, data, done, data.length - done, offset + done);
  }

  flush(): void { fs.fsyncSync(this.fd); }

  close(): void { fs.closeSync(this.fd); }
}
