#!/usr/bin/env node
// The kernelkit command (compiled sources in dist/; `npm install` builds them).
import { existsSync } from 'node:fs';
const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('kernelkit: not built yet: run `npm run build` (npm install does it)\n');
  process.exit(2);
}
const { main } = await import(entry.href);
const status = await main(process.argv.slice(2));
process.exitCode = status;
