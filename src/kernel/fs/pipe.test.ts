import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipe } from './pipe.js';
import { seededRandom } from '../../lib/random.js';

const alive = (): boolean => true;

function pattern(start: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) * 7 & 0xff;
  return b;
}

test('pipe ring: bytes come out in order across growth and wrap-around (seeded)', async () => {
  const seed = 0x51bec7;
  const rand = seededRandom(seed);
  const pipe = new Pipe(10000);
  pipe.readers = 1;
  pipe.writers = 1;
  let written = 0, read = 0;
  for (let round = 0; round < 2000; round++) {
    const room = pipe.capacity - pipe.buffered;
    const w = Math.floor(rand() * Math.min(room, 3000));
    if (w > 0) {
      assert.equal(await pipe.write(pattern(written, w), alive, true), w, `seed ${seed}: write`);
      written += w;
    }
    const want = Math.floor(rand() * 4000);
    if (pipe.buffered === 0 || want === 0) continue;
    const dst = new Uint8Array(want);
    const n = await pipe.readInto(dst, alive, true);
    assert.equal(n, Math.min(want, written - read), `seed ${seed}: read count`);
    assert.deepEqual(dst.subarray(0, n), pattern(read, n), `seed ${seed}: bytes at ${read}`);
    read += n;
  }
  assert.ok(written > 100000, 'the ring wrapped many times');
});

test('pipe: a writer bigger than the capacity blocks until the reader drains it', async () => {
  const pipe = new Pipe(4096);
  pipe.readers = 1;
  pipe.writers = 1;
  const data = pattern(0, 10000);
  const writing = pipe.write(data, alive);
  const out: number[] = [];
  while (out.length < data.length) {
    const dst = new Uint8Array(3000);
    const n = await pipe.readInto(dst, alive);
    out.push(...dst.subarray(0, n));
  }
  assert.equal(await writing, data.length);
  assert.deepEqual(new Uint8Array(out), data);
  pipe.closeWriter();
  assert.equal(await pipe.readInto(new Uint8Array(10), alive), 0, 'end of file after the last writer');
});

test('pipe: EAGAIN when empty or full without blocking, EPIPE without readers', async () => {
  const pipe = new Pipe(16);
  pipe.readers = 1;
  pipe.writers = 1;
  await assert.rejects(pipe.readInto(new Uint8Array(4), alive, true), /EAGAIN/);
  assert.equal(await pipe.write(pattern(0, 40), alive, true), 16, 'a short write fills the pipe');
  await assert.rejects(pipe.write(pattern(0, 1), alive, true), /EAGAIN/);
  pipe.closeReader();
  await assert.rejects(pipe.write(pattern(0, 1), alive), /EPIPE/);
});
