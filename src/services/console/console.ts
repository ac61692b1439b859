// console: the tty driver. It moves bytes between the console device's rings
// (abi/device.ts) and processes, with a line discipline when the host terminal is a
// TTY: canonical lines, echo, backspace, ^U, ^C (SIGINT to the foreground process
// group), ^Z (SIGTSTP to it), ^D (end of input), and up/down history, or raw keys for a line editor or a
// full-screen program (the modes of line-discipline.ts, set with ioctl). When the
// host's input is a pipe or file the bytes pass through untouched, end of input is end
// of file, and the terminal ioctls answer ENOTTY.
//
// Minor 1 is /dev/console (the output stream), minor 2 /dev/ttyerr (the error
// stream); both read the same input.

import type { ComponentContext, ComponentInstance, Manifest } from '../../abi/component.js';
import type { ConsoleService } from '../../abi/services.js';
import { KernelError, Errno } from '../../abi/errno.js';
import { Signal } from '../../abi/signal.js';
import { ByteRing } from '../../lib/ring.js';
import {
  CON_INPUT_OFFSET, CON_INPUT_BYTES, CON_OUTPUT_OFFSET, CON_OUTPUT_BYTES, CON_ERROR_OFFSET, CON_ERROR_BYTES,
  CON_INPUT_CLOSED, CON_IS_TTY, CON_WINDOW_SIZE,
} from '../../abi/device.js';
import { LineDiscipline } from './line-discipline.js';

export const manifest: Manifest = {
  name: 'console',
  description: 'tty driver (/dev/console, /dev/ttyerr)',
  uses: ['kernel.signalGroup'],
  device: 'console',
};

export function create(ctx: ComponentContext): ComponentInstance & ConsoleService {
  const device = ctx.device;
  if (device === undefined || device.kind !== 'console') throw new KernelError(Errno.ENODEV, 'console: no console device bound');
  const words = new Int32Array(device.memory, 0, 16);
  const input = new ByteRing(device.memory, CON_INPUT_OFFSET, CON_INPUT_BYTES);
  const output = new ByteRing(device.memory, CON_OUTPUT_OFFSET, CON_OUTPUT_BYTES);
  const errors = new ByteRing(device.memory, CON_ERROR_OFFSET, CON_ERROR_BYTES);
  const isTty = Atomics.load(words, CON_IS_TTY) === 1;
  // The line buffer lives in the component's memory like any driver buffer.
  const lineBuffer = ctx.arena.alloc('console', 4096, 'line buffer');
  let foreground = 0;
  let running = true;
  const readers: (() => void)[] = [];
  const blocked = new Set<number>();
  const cancelled = new Set<number>();
  const writers: (() => void)[] = [];

  const discipline = new LineDiscipline(isTty, lineBuffer.bytes, {
    echo: (bytes) => { output.push(bytes); device.notify(); },
    interrupt: () => { if (foreground > 0) void ctx.kernel.signalGroup(foreground, Signal.SIGINT); },
    suspend: () => { if (foreground > 0) void ctx.kernel.signalGroup(foreground, Signal.SIGTSTP); },
  });

  function wake(list: (() => void)[]): void { for (const w of list.splice(0)) w(); }

  async function interruptLoop(): Promise<void> {
    while (running) {
      const bytes = input.pop(input.available);
      if (bytes.length > 0) discipline.feed(bytes);
      if (Atomics.load(words, CON_INPUT_CLOSED) === 1 && input.isEmpty()) discipline.close();
      wake(readers);
      wake(writers);
      await device!.interrupt();
    }
  }

  function encodeOutput(data: Uint8Array): Uint8Array {
    if (!isTty || !data.includes(10)) return data;
    // ONLCR: a raw-mode terminal needs CR LF.
    const out: number[] = [];
    for (const b of data) { if (b === 10) out.push(13); out.push(b); }
    return Uint8Array.from(out);
  }

  return {
    async init(): Promise<void> {
      void interruptLoop();
      ctx.log(`console: ${isTty ? 'terminal (canonical mode, echo)' : 'pipe (raw)'}`);
    },
    async shutdown(): Promise<void> { running = false; wake(readers); },

    async read(_minor: number, max: number, reader = 0): Promise<Uint8Array> {
      if (!Number.isInteger(max) || max < 0) throw new KernelError(Errno.EINVAL);
      for (;;) {
        // A cancelled reader leaves the input to the next one (a line typed after ^C
        // belongs to the shell, not to the job that ^C killed).
        if (cancelled.delete(reader)) return new Uint8Array(0);
        const got = discipline.take(max);
        if (got !== undefined) return got;
        blocked.add(reader);
        // NOTE: await; other reads and writes run meanwhile.
        await new Promise<void>((r) => readers.push(r));
        blocked.delete(reader);
        if (!running) return new Uint8Array(0);
      }
    },

    async cancel(reader: number): Promise<void> {
      if (!blocked.has(reader)) return;
      cancelled.add(reader);
      wake(readers);
    },

    async write(minor: number, data: Uint8Array): Promise<number> {
      if (!(data instanceof Uint8Array)) throw new KernelError(Errno.EINVAL);
      const ring = minor === 2 ? errors : output;
      // The host drains both rings at once (output first), so a write waits until the
      // other stream's ring is empty: on a terminal that shows both, lines keep the
      // order they were written in (an error message stays after the output before it).
      const other = minor === 2 ? output : errors;
      while (!other.isEmpty()) {
        device.notify();
        // NOTE: await; the host's drain raises the interrupt, which wakes writers.
        await new Promise<void>((r) => writers.push(r));
        if (!running) return 0;
      }
      let rest = encodeOutput(data);
      while (rest.length > 0) {
        const n = ring.push(rest);
        rest = rest.subarray(n);
        device.notify();
        if (rest.length > 0) await new Promise<void>((r) => writers.push(r));
      }
      return data.length;
    },

    async setForeground(pgid: number): Promise<void> { foreground = pgid; },
    async getForeground(): Promise<number> { return foreground; },
    async readable(): Promise<boolean> { return discipline.readable(); },
    async getMode(): Promise<number> {
      if (!isTty) throw new KernelError(Errno.ENOTTY);
      return discipline.getMode();
    },
    async setMode(mode: number): Promise<void> {
      if (!isTty) throw new KernelError(Errno.ENOTTY);
      if (!Number.isInteger(mode) || mode < 0) throw new KernelError(Errno.EINVAL);
      discipline.setMode(mode);
      // Input that became readable with the change (raw bytes typed ahead) wakes readers.
      wake(readers);
    },
    async getWindowSize(): Promise<number> {
      if (!isTty) throw new KernelError(Errno.ENOTTY);
      return Atomics.load(words, CON_WINDOW_SIZE);
    },
    async setWindowSize(size: number): Promise<void> {
      if (!isTty) throw new KernelError(Errno.ENOTTY);
      if (!Number.isInteger(size) || size < 0 || size > 0x7fffffff) throw new KernelError(Errno.EINVAL);
      Atomics.store(words, CON_WINDOW_SIZE, size);
    },
  };
}
