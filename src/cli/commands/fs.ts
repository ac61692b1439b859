// kernelkit mkfs / fsck: make and check ext2 images on the host (tools in ../fs-tools.ts).
import { Option, type Command } from 'commander';
import { runMkfs, runFsck } from '../fs-tools.js';
import { UsageError, type StatusSink } from '../usage.js';

export function register(program: Command, status: StatusSink): void {
  program.command('mkfs').description('write a fresh ext2 image').argument('<image>', 'image file (created or overwritten)')
    .option('--size <size>', 'image size, e.g. 64M', '64M')
    .addOption(new Option('--block-size <bytes>', 'block size').choices(['1024', '4096']))
    .action(async (image: string, opts: { size: string; blockSize?: string }) => {
      if (!/^\d+[KMG]?$/i.test(opts.size)) throw new UsageError(`bad size '${opts.size}' (e.g. 64M)`);
      status.set(await runMkfs(image, { size: opts.size, blockSize: opts.blockSize === undefined ? undefined : Number(opts.blockSize) }));
    });
  program.command('fsck').description('check an ext2 image (exit 0 clean, 1 errors found)').argument('<image>', 'image file')
    .option('-y, --repair', 'repair what can be repaired', false)
    .action(async (image: string, opts: { repair: boolean }) => {
      status.set(await runFsck(image, { repair: opts.repair }));
    });
}
