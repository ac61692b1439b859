// Device access is a capability (claim C13: "a driver of dubious origin for your
// latest USB gadget wouldn't be able to read your hard disk"). The usbgadget test
// module tries to read the disk when loaded. Where it can depends on the placement,
// not on its code: in the kernel domain beside a kernel-domain blk it finds the block
// device mapped in the kernel's address space and reads the ext2 superblock; in its
// own server it holds no device and no capability for blk. Every preset runs both its
// own placement and the opposite one (--place), so both outcomes show on each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PRESETS, boot, noLeaks } from './harness.js';
import { loadPreset } from '../../src/hosts/presets.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');
const LINE = 'insmod usbgadget; dmesg | grep usbgadget:';

for (const p of PRESETS) {
  const own = loadPreset(p).placement.usbgadget;
  // The opposite placement: the gadget (and, to be beside it, blk) in the kernel, or the gadget in user space.
  const flipped = own === 'kernel' ? 'usbgadget=user' : 'usbgadget=kernel,blk=kernel';
  for (const place of [undefined, flipped]) {
    const inKernel = place === undefined ? own === 'kernel' : place.startsWith('usbgadget=kernel');
    test(`usbgadget on ${p}${place === undefined ? '' : ` --place ${place}`}: ${inKernel ? 'reads the disk (kernel domain)' : 'is refused (own server, no device granted)'}`, async () => {
      const img = path.join(os.tmpdir(), `kk-gadget-${process.pid}-${p}-${place === undefined ? 'own' : 'flip'}.img`);
      const mk = spawnSync(process.execPath, [bin, 'mkfs', img, '--size', '8M'], { encoding: 'utf8' });
      assert.equal(mk.status, 0, mk.stderr);
      try {
        const r = await boot(p, ['/bin/sh', '-c', LINE], { disk: img, ...(place === undefined ? {} : { place }) });
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /usbgadget: blk refused: EPERM: usbgadget holds no capability for blk/, 'no capability for blk in any domain');
        if (inKernel) {
          assert.match(r.stdout, /usbgadget: READ THE DISK through the block device's memory \(mapped for blk in arena kernel\): sector 2: ext2 superblock, magic 0xef53, \d+ inodes, \d+ blocks/, r.stdout);
          assert.match(r.stdout, /usbgadget: the disk is readable by a driver that was never granted it/);
        } else {
          assert.match(r.stdout, /usbgadget: no block device in my address space \(arena usbgadget\)/, r.stdout);
          assert.match(r.stdout, /usbgadget: could not read the disk/);
          assert.doesNotMatch(r.stdout, /READ THE DISK/);
        }
        assert.equal(noLeaks(r), undefined);
      } finally { fs.rmSync(img, { force: true }); }
    });
  }

  test(`a device the preset does not grant is not bound (${p})`, async () => {
    // blk asks for the block device; a preset that grants it none leaves blk without
    // it: blk refuses to start, the boot says why, and nothing reaches the disk.
    const r = await boot(p, ['/bin/sh', '-c', 'true'], { grants: { console: 'console' } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr + r.stdout, /blk: no block device bound/);
  });
}
