// The server threads' loaders (hosts/component-loaders.ts) and the kernel's list
// (hosts/components.ts) name the same components with the same modules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMPONENTS } from '../../src/hosts/components.js';
import { loadComponent } from '../../src/hosts/component-loaders.js';

test('every component of the kernel\'s list loads on demand as the same module, and nothing else does', async () => {
  for (const [name, mod] of Object.entries(COMPONENTS)) assert.equal(await loadComponent(name), mod, name);
  for (const name of ['nosuch', 'constructor', '__proto__', 'toString']) assert.equal(await loadComponent(name), undefined, name);
});
