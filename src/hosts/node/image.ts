// Disk images on the host: make a fresh ext2 image file with kernelkit's own mkfs.
import fs from 'node:fs';
import { FileBacking } from './file-backing.js';
import { mkfsExt2 } from '../../services/ext2/index.js';

export async function makeExt2Image(file: string, bytes: number, blockSize: 1024 | 4096 = 4096): Promise<void> {
  fs.writeFileSync(file, new Uint8Array(0));
  fs.truncateSync(file, bytes);
  const backing = new FileBacking(file);
  try {
    await mkfsExt2({
      size: async () => backing.size,
      read: async (sector, count) => backing.read(sector * 512, count * 512),
      write: async (sector, data) => backing.write(sector * 512, data),
      flush: async () => backing.flush(),
    }, { blockSize });
  } finally {
    backing.close();
  }
}
