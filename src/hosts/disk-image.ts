// Images of disks that carry their own filesystem driver (abi/disk-driver.ts), made and
// checked on the host by the driver itself: `kernelkit mkfs --format NAME
// --embed-driver` runs the module's fs_format in a sandbox instance (the same loader
// and limits as the kernel's, kernel/sandbox/) and lays out header, module and
// filesystem; `kernelkit fsck` runs the module found in the image (its fs_check) on
// the image's filesystem. Neither knows the format: the module does.

import { KernelError, Errno } from '../abi/errno.js';
import { SECTOR_SIZE } from '../abi/blk.js';
import { parseDiskDriverHeader, writeDiskDriverHeader, hasDiskDriver, DISK_DRIVER_HEADER_BYTES } from '../abi/disk-driver.js';
import { sha256 } from '../lib/sha256.js';
import { SandboxInstance } from '../kernel/sandbox/instance.js';
import { defaultParams } from '../kernel/params.js';

export { hasDiskDriver };

/** Fuel for a host tool's call: a whole format or check of the largest filesystem. */
const TOOL_FUEL = 500_000_000;

const roundUp = (n: number): number => Math.ceil(n / SECTOR_SIZE) * SECTOR_SIZE;

/** An instance of `driver` for a host tool; its log lines go to `log`. Throws ENOEXEC if the sandbox refuses it. */
function instance(driver: Uint8Array, log: (line: string) => void): SandboxInstance {
  return SandboxInstance.load(driver, {
    name: 'driver',
    rules: { maxBytes: defaultParams.sandboxModuleBytes, maxPages: defaultParams.sandboxPages, startFuel: defaultParams.sandboxFuel },
    fuel: TOOL_FUEL,
    device: undefined,
    log: (line) => log(line.replace(/^driver: /, '')),
    onTrap: () => undefined,
  });
}

/** Lays out a disk: header, `driver` (from sector 1), then the filesystem area `fs`. */
export function assembleDiskImage(driver: Uint8Array, format: string, fs: Uint8Array, digest = sha256(driver)): Uint8Array {
  const driverOffset = DISK_DRIVER_HEADER_BYTES;
  const fsOffset = roundUp(driverOffset + driver.length);
  const image = new Uint8Array(fsOffset + roundUp(fs.length));
  image.set(writeDiskDriverHeader({ driverOffset, driverLength: driver.length, fsOffset, fsLength: roundUp(fs.length), format, sha256: digest }));
  image.set(driver, driverOffset);
  image.set(fs, fsOffset);
  return image;
}

/**
 * A fresh image of at most `bytes` with an empty filesystem that `driver` formatted
 * (its fs_format), the driver embedded. Throws with the reason when the sandbox
 * refuses the module or it refuses the size.
 */
export function formatDiskImage(driver: Uint8Array, format: string, bytes: number): Uint8Array {
  const lines: string[] = [];
  const wasm = instance(driver, (l) => lines.push(l));
  const room = Math.floor((bytes - roundUp(DISK_DRIVER_HEADER_BYTES + driver.length)) / SECTOR_SIZE) * SECTOR_SIZE;
  const max = wasm.call('fs_image_max');
  const length = wasm.call('fs_format', Math.min(room, max));
  if (length <= 0) throw new KernelError(-length || Errno.EINVAL, `the ${format} driver cannot make a filesystem in ${room} bytes${lines.length > 0 ? `: ${lines.join('; ')}` : ''}`);
  return assembleDiskImage(driver, format, wasm.copyOut(wasm.call('fs_image'), length));
}

export interface DiskImageCheck {
  format: string;
  /** The driver's SHA-256 (hex). */
  sha256: string;
  clean: boolean;
  /** One line per problem, as the driver's checker reports them. */
  errors: string[];
}

/** Checks `image` with the driver it carries (its fs_check). Throws when the image or the driver cannot be used at all. */
export function checkDiskImage(image: Uint8Array): DiskImageCheck {
  const header = parseDiskDriverHeader(image.subarray(0, DISK_DRIVER_HEADER_BYTES), Math.floor(image.length / SECTOR_SIZE) * SECTOR_SIZE);
  const driver = image.subarray(header.driverOffset, header.driverOffset + header.driverLength);
  const digest = sha256(driver);
  if (digest !== header.sha256) throw new KernelError(Errno.ENOEXEC, `the embedded ${header.format} driver does not match the SHA-256 in its header (the image is damaged)`);
  const errors: string[] = [];
  const wasm = instance(driver, (l) => errors.push(l));
  if (header.fsLength > wasm.call('fs_image_max')) return { format: header.format, sha256: digest, clean: false, errors: [`the filesystem area (${header.fsLength} bytes) is larger than the driver can hold`] };
  wasm.copyIn(wasm.call('fs_image'), image.subarray(header.fsOffset, header.fsOffset + header.fsLength));
  const problems = wasm.call('fs_check', header.fsLength);
  if (problems > 0 && errors.length === 0) errors.push(`${problems} problem(s)`);
  return { format: header.format, sha256: digest, clean: problems === 0, errors };
}
