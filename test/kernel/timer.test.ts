// The timer device and the kernel timers on it, together (hw + kernel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerDeviceModel } from '../../src/hw/timer-device.js';
import { DEV_DOORBELL, sharedClockMs } from '../../src/abi/device.js';
import { bindDevice } from '../../src/kernel/device.js';
import { KernelTimers } from '../../src/kernel/timer.js';

function machine(): { timers: KernelTimers; device: TimerDeviceModel; stop: () => void } {
  const device = new TimerDeviceModel({ set: (ms, fire) => setTimeout(fire, ms), clear: (h) => clearTimeout(h as NodeJS.Timeout) });
  const words = new Int32Array(device.memory, 0, 1);
  let on = true;
  const loop = (seen: number): void => {
    if (!on) return;
    device.service();
    const w = Atomics.waitAsync(words, DEV_DOORBELL, seen);
    if (w.async) void w.value.then(() => loop(Atomics.load(words, DEV_DOORBELL)));
    else setImmediate(() => loop(Atomics.load(words, DEV_DOORBELL)));
  };
  loop(0);
  const timers = new KernelTimers(bindDevice('timer', device.memory));
  return { timers, device, stop: () => { on = false; timers.stop(); device.stop(); } };
}

test('alarms on the timer device fire in deadline order, more of them than slots', async () => {
  const m = machine();
  try {
    // Each alarm's deadline is when it was asked for plus ms; sleep() reads the clock
    // itself, so the test knows it only between the clock read before the call and the
    // one after: [lo, hi]. (Two deadlines can be microseconds apart.)
    const order: { i: number; lo: number; hi: number }[] = [];
    // 100 sleepers for 64 slots; the deadlines are not in submission order.
    await Promise.all(Array.from({ length: 100 }, (_, i) => {
      const ms = (i * 37) % 100;
      const lo = sharedClockMs() + ms;
      const slept = m.timers.sleep(ms);
      const hi = sharedClockMs() + ms;
      return slept.then(() => { if (i < 64) order.push({ i, lo, hi }); });
    }));
    assert.equal(m.device.fired, 100, 'every alarm fired once');
    // The first 64 were armed together: they wake in deadline order. (The rest waited
    // for a free slot, so they may come late.) An alarm woken before another may not
    // have a deadline surely later than the other's.
    assert.equal(order.length, 64);
    order.forEach((a, k) => {
      for (const b of order.slice(k + 1)) assert.ok(a.lo <= b.hi, `alarm ${a.i} (deadline >= ${a.lo}) woke before alarm ${b.i} (deadline <= ${b.hi})`);
    });
  } finally {
    m.stop();
  }
});

test('a sleep never ends before its deadline', async () => {
  const m = machine();
  try {
    const t = performance.now();
    await m.timers.sleep(30);
    assert.ok(performance.now() - t >= 29, 'slept at least its time');
    await assert.rejects(() => m.timers.sleep(-1), /EINVAL/);
  } finally {
    m.stop();
  }
});
