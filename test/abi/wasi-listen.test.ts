import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListenAddress, parseListenList } from '../../src/abi/wasi-listen.js';

test('wasi-listen: [ADDR:]PORT, 0.0.0.0 by default; lists separated by commas; anything else is refused with the text', () => {
  assert.deepEqual(parseListenAddress('8080'), { addr: '0.0.0.0', port: 8080 });
  assert.deepEqual(parseListenAddress('127.0.0.1:1'), { addr: '127.0.0.1', port: 1 });
  assert.deepEqual(parseListenList('80, 10.0.2.15:8080,'), [{ addr: '0.0.0.0', port: 80 }, { addr: '10.0.2.15', port: 8080 }]);
  assert.deepEqual(parseListenList(''), [], 'an empty value asks for no listener');
  for (const bad of ['0', '65536', 'http', ':80', 'localhost:80', '1.2.3:80', '1.2.3.4:', '80x', '-1', '1.2.3.256:80']) {
    assert.throws(() => parseListenAddress(bad), new RegExp(`'${bad.replace(/[.]/g, '\\.')}' is not \\[ADDR:\\]PORT`), bad);
  }
});
