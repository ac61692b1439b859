// Build the browser lab: a static site in dist/web/ (index.html, the page bundle, the
// kernel, process and server worker bundles, the service worker that adds the
// cross-origin isolation headers where the host cannot, the initramfs, the presets and
// the trusted computing base per preset that the claims page judges C5 on).
// Needs the main build first (build/initramfs.cpio). `kernelkit web` runs this when
// dist/web/ is missing or older than the sources.
import * as esbuild from 'esbuild';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, statSync, renameSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const out = 'dist/web';
const started = Date.now();
if (!existsSync('build/initramfs.cpio')) { console.error("build-web: no build/initramfs.cpio: run 'npm run build' first"); process.exit(1); }
mkdirSync(out, { recursive: true });

// Every file is replaced whole, by a rename, and only when its bytes changed: a page
// loading from dist/web/ while another build runs (two test files at once) reads one
// version of each file, never a file half written.
function put(file, bytes) {
  try { if (Buffer.compare(readFileSync(file), bytes) === 0) return; } catch { /* not there yet */ }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}
const copy = (from, to) => put(to, readFileSync(from));

const common = { bundle: true, write: false, platform: 'browser', target: 'chrome110', minify: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };
const built = await Promise.all([
  esbuild.build({
    ...common,
    entryPoints: {
      app: 'src/web/app.ts',
      'kernel-worker': 'src/hosts/browser/kernel-worker.ts',
      'process-worker': 'src/hosts/browser/process-worker.ts',
      'server-worker': 'src/hosts/browser/server-worker.ts',
    },
    outdir: out,
    format: 'esm',
    loader: { '.css': 'css' },
  }),
  // A service worker script is classic by default: one self-contained file.
  esbuild.build({ ...common, entryPoints: { 'coi-sw': 'src/web/coi-sw.ts' }, outdir: out, format: 'iife' }),
]);
for (const r of built) for (const f of r.outputFiles) put(f.path, f.contents);

for (const f of ['index.html', 'style.css']) copy(path.join('src/web', f), path.join(out, f));
copy('node_modules/@xterm/xterm/css/xterm.css', path.join(out, 'xterm.css'));
copy('build/initramfs.cpio', path.join(out, 'initramfs.cpio'));
// Checked here with the schema, so the page trusts the shape and carries no zod.
const { parsePreset } = await import(path.join(root, 'dist/src/presets/schema.js'));
const presets = readdirSync('src/presets').filter((f) => f.endsWith('.json')).sort().map((f) => parsePreset(JSON.parse(readFileSync(path.join('src/presets', f), 'utf8')), path.join('src/presets', f)));
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
// The claims page judges C5 on this build's trusted computing base, counted by the lab's own code from the sources.
const { countTcb } = await import(path.join(root, 'dist/src/lab/tcb.js'));
const tcb = countTcb(presets.map((p) => p.name));
put(path.join(out, 'system.json'), Buffer.from(JSON.stringify({ release: version, presets, tcb })));
// When the site was last built from the sources (siteStale in src/cli/web-server.ts): files left as they were keep their times.
writeFileSync(path.join(out, '.built'), `${new Date().toISOString()}\n`);
if (!process.argv.includes('--quiet')) {
  const kib = readdirSync(out).filter((f) => f.endsWith('.js')).reduce((n, f) => n + statSync(path.join(out, f)).size, 0) / 1024;
  console.error(`build-web: ${out}/, ${kib.toFixed(0)} KiB of scripts, ${Date.now() - started} ms`);
}
