// kernelkit demo: the same script on every preset, side by side — a quick look at
// what changes when a boundary moves (a driver crash: restart or panic).
import type { Command } from 'commander';
import { runMachine } from '../../hosts/node/machine.js';
import { presetNames, loadPreset, placementFor } from '../../hosts/presets.js';
import type { StatusSink } from '../usage.js';

export const DEMO_SCRIPT = 'uname; echo hello > /tmp/a; cat /tmp/a | wc -c; fault blk crash; cat /dev/blk0 | wc -c; lsmod | grep blk';

export function register(program: Command, status: StatusSink): void {
  program.command('demo').description('run a short demo script on every preset, side by side').action(async () => {
    let worst = 0;
    for (const name of presetNames()) {
      const preset = loadPreset(name);
      process.stdout.write(`\n== ${name}: ${preset.description}\n$ ${DEMO_SCRIPT}\n`);
      const started = performance.now();
      const code = await runMachine({ preset: name, placement: placementFor(preset), ipc: preset.ipc, init: ['/bin/sh', '-c', DEMO_SCRIPT], stdin: 'none' });
      process.stdout.write(`-> exit status ${code}${code === 70 ? ' (kernel panic)' : ''}, ${(performance.now() - started).toFixed(0)} ms\n`);
      if (code !== 0 && code !== 70) worst = code;
    }
    status.set(worst);
  });
}
