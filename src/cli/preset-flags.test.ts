// --preset and --presets are accepted by every command, whichever it declares.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { samePresetFlags } from './preset-flags.js';

function program(): Command {
  const p = new Command();
  p.command('run').option('--preset <name>');
  p.command('lab').option('--presets <list>');
  const bench = p.command('bench');
  bench.command('fs').option('--preset <names>');
  p.command('presets');
  return p;
}

test('each command gets the spelling it declares', () => {
  const p = program();
  assert.deepEqual(samePresetFlags(p, ['run', '--presets', 'hybrid', '--', 'echo', '--presets']), ['run', '--preset', 'hybrid', '--', 'echo', '--presets']);
  assert.deepEqual(samePresetFlags(p, ['lab', '--preset', 'monolithic,hybrid']), ['lab', '--presets', 'monolithic,hybrid']);
  assert.deepEqual(samePresetFlags(p, ['lab', '--preset=microkernel']), ['lab', '--presets=microkernel']);
  assert.deepEqual(samePresetFlags(p, ['bench', 'fs', '--presets', 'monolithic']), ['bench', 'fs', '--preset', 'monolithic']);
  assert.deepEqual(samePresetFlags(p, ['lab', '--presets', 'x']), ['lab', '--presets', 'x']);
  assert.deepEqual(samePresetFlags(p, ['presets', '--preset', 'x']), ['presets', '--preset', 'x'], 'a command with neither is left to commander');
});

test('the real command line parses either spelling', async () => {
  const p = program();
  let seen: unknown;
  p.commands.find((c) => c.name() === 'lab')!.action((opts: { presets?: string }) => { seen = opts.presets; });
  p.exitOverride();
  await p.parseAsync(samePresetFlags(p, ['lab', '--preset', 'hybrid']), { from: 'user' });
  assert.equal(seen, 'hybrid');
});
