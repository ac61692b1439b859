// Mounting a disk that carries its own filesystem driver (abi/disk-driver.ts): the
// kernel has no code for the filesystem on it. It reads the header from the disk's
// first sector, reads the driver module from the reserved area, and checks it:
//   - its length against the sandbox's module limit (params.sandboxModuleBytes),
//     before reading it;
//   - its SHA-256 against the header's (a damaged image), and against the pin the
//     machine was booted with (`--pin SHA256`), when there is one;
//   - then the sandbox loader's own checks (kernel/sandbox/module.ts): validation, the
//     allowed imports, the memory limit, fuel for its start function.
// It loads the module into the sandbox domain as the `diskfs` component (glue:
// services/diskfs/), which mounts the filesystem at its init, and asks vfs to mount it.
// Every refusal is an errno for the caller and a line in dmesg with the reason.

import type { Kernel } from '../kernel.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { isBlk, makedev, Major } from '../../abi/fs.js';
import { SECTOR_SIZE } from '../../abi/blk.js';
import { parseDiskDriverHeader } from '../../abi/disk-driver.js';
import { sha256 } from '../../lib/sha256.js';

const NAME = 'diskfs';

/** Mounts the filesystem on block device `source` at `target` with the driver it carries. */
export async function mountDiskDriver(k: Kernel, source: string, target: string): Promise<void> {
  try {
    await mount(k, source, target);
  } catch (e) {
    k.log.log(`${NAME}: cannot mount ${source} on ${target}: ${e instanceof Error ? e.message : String(e)}`);
    throw e;
  }
}

async function mount(k: Kernel, source: string, target: string): Promise<void> {
  const began = performance.now();
  const st = await k.vfs.stat('/', source, true);
  if (!isBlk(st.mode)) throw new KernelError(Errno.ENOTBLK, `${source} is not a block device`);
  if (st.rdev !== makedev(Major.BLK, 0)) throw new KernelError(Errno.ENXIO, `no block device ${st.rdev >> 8},${st.rdev & 255}`);
  if ((await k.vfs.mountedOn(st.rdev)) !== '') throw new KernelError(Errno.EBUSY, `${source} is already mounted`);
  const header = parseDiskDriverHeader(await k.blk.read(0, 1), await k.blk.size());
  const limit = k.params.sandboxModuleBytes;
  if (header.driverLength > limit) throw new KernelError(Errno.ENOEXEC, `the embedded ${header.format} driver is ${header.driverLength} bytes; the sandbox takes at most ${limit}`);
  const first = header.driverOffset / SECTOR_SIZE;
  const sectors = Math.ceil(header.driverLength / SECTOR_SIZE);
  const module = (await k.blk.read(first, sectors)).subarray(0, header.driverLength);
  const digest = sha256(module);
  if (digest !== header.sha256) throw new KernelError(Errno.ENOEXEC, `the embedded ${header.format} driver does not match the SHA-256 in its header (the image is damaged): ${digest}`);
  const pin = k.config.diskDriverPin;
  if (pin !== undefined && digest !== pin.toLowerCase()) throw new KernelError(Errno.EPERM, `the embedded ${header.format} driver's SHA-256 ${digest} is not the pinned ${pin.toLowerCase()}`);
  // A driver left loaded by an earlier mount of this disk: the disk may have changed.
  if (k.components.has(NAME)) await k.components.unload(NAME);
  const glue = k.modules[NAME];
  if (glue === undefined) throw new KernelError(Errno.ENODEV, 'this kernel has no diskfs glue');
  const checked = performance.now();
  await k.components.load(glue, 'sandbox', module);
  const loaded = performance.now();
  k.log.log(`${NAME}: ${source} carries a ${header.format} driver (${header.driverLength} bytes, sha256 ${digest}); loaded into the sandbox domain`);
  await mountWhenWired(k, source, target);
  const ms = (a: number, b: number): string => (b - a).toFixed(1);
  k.log.log(`${NAME}: mounted ${source} on ${target} (${header.format}): read and checked in ${ms(began, checked)} ms, loaded and mounted by the driver in ${ms(checked, loaded)} ms, attached in ${ms(loaded, performance.now())} ms`);
}

/** How often, and how far apart (ms), vfs's mount is tried again while its server has not heard that diskfs is up. */
const WIRING_TRIES = 100;
const WIRING_WAIT_MS = 10;

// NOTE: a user-domain vfs learns that a newly loaded component is up by a message
// ('peer-up', component/channels.ts) that can arrive after the mount request, which
// travels on another ring; until then its link answers ENODEV. Bounded retries.
async function mountWhenWired(k: Kernel, source: string, target: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await k.vfs.mount(source, target, NAME);
      return;
    } catch (e) {
      if (!(e instanceof KernelError) || e.errno !== Errno.ENODEV || k.components.get('vfs')?.domain !== 'user' || i + 1 >= WIRING_TRIES) throw e;
    }
    await new Promise<void>((resolve) => { setTimeout(resolve, WIRING_WAIT_MS); });
  }
}
