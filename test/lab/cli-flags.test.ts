// The command line speaks one language: --preset and --presets work for every command
// that takes presets (an unknown preset is then reported by name, not the flag as
// unknown), and --verbose prints kernel messages with the timestamps dmesg prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelkit } from './cli.js';

test('--preset and --presets are both accepted', async () => {
  for (const args of [['faults', '--preset', 'no-such'], ['lab', '--preset', 'no-such'], ['bench', 'fs', '--presets', 'no-such'], ['bench', 'ipc', '--presets', 'no-such'], ['run', '--presets', 'no-such', '--', 'true']]) {
    const r = await kernelkit(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /unknown option/, args.join(' '));
    assert.match(r.stderr, /no-such/, args.join(' '));
  }
});

test('--verbose and dmesg print the same timestamps', async () => {
  const r = await kernelkit(['run', '--preset', 'microkernel', '--verbose', '--', 'dmesg']);
  assert.equal(r.status, 0, r.stderr);
  const logged = r.stdout.trim().split('\n');
  assert.ok(logged.length > 3);
  for (const line of logged) {
    assert.match(line, /^\[ *\d+\.\d{6}\] /);
    assert.ok(r.stderr.includes(line), `the verbose output has dmesg's line ${JSON.stringify(line)}`);
  }
});
