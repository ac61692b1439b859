import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTraceEvent, type HopTraceEvent, type SyscallTraceEvent } from '../../src/abi/trace.js';

const call: SyscallTraceEvent = { type: 'syscall', seq: 4, pid: 7, process: 'cat', thread: 3, syscall: 'read', args: '3, 4096', result: 12, errno: undefined, us: 18.24 };
const hop: HopTraceEvent = {
  type: 'hop', seq: 4, pid: 7, from: 'kernel', fromDomain: 'kernel', to: 'vfs', toDomain: 'user', method: 'read', transport: 'shm fixed',
  callBytes: 40, replyBytes: 52, dataBytes: 12, dataCopied: true, errno: undefined, us: 11,
};

test('formatTraceEvent: a syscall line names the process, the call, its result and its time', () => {
  assert.equal(formatTraceEvent(call), '[pid 7 cat] read(3, 4096) = 12   18 µs');
  assert.equal(formatTraceEvent({ ...call, us: 2.26 }), '[pid 7 cat] read(3, 4096) = 12   2.3 µs');
  assert.equal(formatTraceEvent({ ...call, us: 2500 }), '[pid 7 cat] read(3, 4096) = 12   2.5 ms');
  assert.equal(formatTraceEvent({ ...call, result: -2, errno: 'ENOENT' }), '[pid 7 cat] read(3, 4096) = -1 ENOENT   18 µs');
  assert.equal(formatTraceEvent({ ...call, syscall: 'exit', args: '0', result: undefined, us: undefined }), '[pid 7 cat] exit(0) = ?');
});

test('formatTraceEvent: a hop line says where the component runs, how the message went and what moved', () => {
  assert.equal(formatTraceEvent(hop), '    kernel -> vfs (user, shm fixed) read  call 40 B  reply 52 B (12 B data copied)  11 µs');
  assert.equal(formatTraceEvent({ ...hop, toDomain: 'kernel', transport: 'direct call', callBytes: undefined, replyBytes: undefined, dataCopied: false, us: 0.8 }),
    '    kernel -> vfs (kernel, direct call) read  no message (12 B data by reference)  0.8 µs');
  assert.equal(formatTraceEvent({ ...hop, transport: 'postmessage', callBytes: undefined, replyBytes: undefined }),
    '    kernel -> vfs (user, postmessage) read  message size not visible (12 B data copied)  11 µs');
  assert.equal(formatTraceEvent({ ...hop, method: 'open', dataBytes: 0, errno: 'ENOENT' }), '    kernel -> vfs (user, shm fixed) open = ENOENT  call 40 B  reply 52 B  11 µs');
  assert.equal(formatTraceEvent({ ...hop, from: 'vfs', fromDomain: 'user', to: 'blk', transport: 'mach codec, relayed', callBytes: 79, replyBytes: 1070, dataBytes: 1024, us: 417 }),
    '        vfs -> blk (user, mach codec, relayed) read  call 79 B  reply 1070 B (1024 B data copied)  417 µs');
});

test('formatTraceEvent: a note is one line under the process it is about', () => {
  assert.equal(formatTraceEvent({ type: 'note', pid: 9, process: 'id', text: 'not traced: runs as uid 1000, euid 0; the tracer is uid 1000' }),
    '[pid 9 id] not traced: runs as uid 1000, euid 0; the tracer is uid 1000');
});
