// kernelkit mkfs / fsck: make and check ext2 images, and disks that carry their own
// filesystem driver, on the host (tools in ../fs-tools.ts).
import { Option, type Command } from 'commander';
import { runMkfs, runFsck, runMkfsEmbedded } from '../fs-tools.js';
import { UsageError, type StatusSink } from '../usage.js';

export function register(program: Command, status: StatusSink): void {
  program.command('mkfs').description('write a fresh ext2 image, or (--format NAME --embed-driver) a disk that carries its filesystem\'s driver').argument('<image>', 'image file (created or overwritten)')
    .option('--size <size>', 'image size, e.g. 64M (a disk with its driver: at most what the driver holds, 2M for chainfs)')
    .addOption(new Option('--block-size <bytes>', 'block size').choices(['1024', '4096']))
    .option('--format <name>', 'the filesystem: ext2 (default) or a format whose driver is embedded, e.g. chainfs')
    .option('--embed-driver', 'write the format\'s driver (WebAssembly) into the image\'s reserved area', false)
    .option('--driver <file>', 'the driver module to embed (default: the one this build made, build/fs-drivers/NAME.wasm)')
    .action(async (image: string, opts: { size?: string; blockSize?: string; format?: string; embedDriver: boolean; driver?: string }) => {
      const format = opts.format ?? 'ext2';
      if (opts.size !== undefined && !/^\d+[KMG]?$/i.test(opts.size)) throw new UsageError(`bad size '${opts.size}' (e.g. 64M)`);
      if (format === 'ext2') {
        if (opts.embedDriver || opts.driver !== undefined) throw new UsageError('ext2 is built into the kernel: --embed-driver and --driver are for other formats');
        status.set(await runMkfs(image, { size: opts.size ?? '64M', blockSize: opts.blockSize === undefined ? undefined : Number(opts.blockSize) }));
        return;
      }
      if (!/^[a-z0-9_-]{1,15}$/.test(format)) throw new UsageError(`bad format name '${format}'`);
      if (!opts.embedDriver) throw new UsageError(`the kernel has no built-in ${format} driver: add --embed-driver to carry it in the image`);
      if (opts.blockSize !== undefined) throw new UsageError('--block-size is for ext2');
      status.set(await runMkfsEmbedded(image, { format, size: opts.size ?? '2M', ...(opts.driver === undefined ? {} : { driver: opts.driver }) }));
    });
  program.command('fsck').description('check an ext2 image, or a disk with its driver by that driver (exit 0 clean, 1 errors found)').argument('<image>', 'image file')
    .option('-y, --repair', 'repair what can be repaired', false)
    .action(async (image: string, opts: { repair: boolean }) => {
      status.set(await runFsck(image, { repair: opts.repair }));
    });
}
