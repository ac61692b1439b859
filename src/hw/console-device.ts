// The console device model, the host's side of the console rings: the host pushes
// what the person types into the input ring and raises the interrupt; on the doorbell
// it drains the output and error rings to the terminal.

import { ByteRing } from '../lib/ring.js';
import {
  DEV_IRQ, CON_INPUT_OFFSET, CON_INPUT_BYTES, CON_OUTPUT_OFFSET, CON_OUTPUT_BYTES, CON_ERROR_OFFSET, CON_ERROR_BYTES,
  CON_MEMORY_BYTES, CON_INPUT_CLOSED, CON_IS_TTY, CON_WINDOW_SIZE,
} from '../abi/device.js';

export class ConsoleDeviceModel {
  readonly memory = new SharedArrayBuffer(CON_MEMORY_BYTES);
  private readonly words = new Int32Array(this.memory, 0, 16);
  private readonly input = new ByteRing(this.memory, CON_INPUT_OFFSET, CON_INPUT_BYTES);
  private readonly output = new ByteRing(this.memory, CON_OUTPUT_OFFSET, CON_OUTPUT_BYTES);
  private readonly errors = new ByteRing(this.memory, CON_ERROR_OFFSET, CON_ERROR_BYTES);
  private pendingInput: Uint8Array[] = [];
  private closing = false;

  constructor(isTty: boolean) {
    this.words[CON_IS_TTY] = isTty ? 1 : 0;
  }

  /** The host terminal's size (it changed: a resize); the driver reads it at each TIOCGWINSZ. */
  resize(columns: number, rows: number): void {
    const c = Math.max(0, Math.min(0xffff, Math.floor(columns))), r = Math.max(0, Math.min(0x7fff, Math.floor(rows)));
    Atomics.store(this.words, CON_WINDOW_SIZE, (r << 16) | c);
    this.interrupt();
  }

  private interrupt(): void {
    Atomics.add(this.words, DEV_IRQ, 1);
    Atomics.notify(this.words, DEV_IRQ);
  }

  /** Queues typed bytes; what does not fit waits for the driver to make room. */
  type(bytes: Uint8Array): void {
    this.pendingInput.push(bytes);
    this.pushInput();
  }

  private pushInput(): void {
    while (this.pendingInput.length > 0) {
      const first = this.pendingInput[0]!;
      const n = this.input.push(first);
      if (n < first.length) { this.pendingInput[0] = first.subarray(n); break; }
      this.pendingInput.shift();
    }
    // End of input only once everything typed before it is in the ring.
    if (this.closing && this.pendingInput.length === 0) Atomics.store(this.words, CON_INPUT_CLOSED, 1);
    this.interrupt();
  }

  closeInput(): void {
    this.closing = true;
    this.pushInput();
  }

  /** Takes what the driver wrote; raises the interrupt so blocked writers continue. */
  drain(): { out: Uint8Array; err: Uint8Array } {
    const out = this.output.pop(this.output.available);
    const err = this.errors.pop(this.errors.available);
    if (this.pendingInput.length > 0) this.pushInput();
    if (out.length > 0 || err.length > 0) this.interrupt();
    return { out, err };
  }
}
