// Build the browser lab: a static site in dist/web/ (index.html, the page bundle, the
// kernel, process and server worker bundles, the service worker that adds the
// cross-origin isolation headers where the host cannot, the initramfs, the presets and
// the trusted computing base per preset that the claims page judges C5 on).
// Needs the main build first (build/initramfs.cpio). `kernelkit web` runs this when
// dist/web/ is missing or older than the sources.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
process.chdir(root);
const out = 'dist/web';
const started = Date.now();
if (!existsSync('build/initramfs.cpio')) { console.error("build-web: no build/initramfs.cpio: run 'npm run build' first"); process.exit(1); }
mkdirSync(out, { recursive: true });

const common = { bundle: true, platform: 'browser', target: 'chrome110', minify: true, sourcemap: 'linked', logLevel: 'warning', legalComments: 'none' };
await Promise.all([
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

for (const f of ['index.html', 'style.css']) copyFileSync(path.join('src/web', f), path.join(out, f));
copyFileSync('node_modules/@xterm/xterm/css/xterm.css', path.join(out, 'xterm.css'));
copyFileSync('build/initramfs.cpio', path.join(out, 'initramfs.cpio'));
// Checked here with the schema, so the page trusts the shape and carries no zod.
const { parsePreset } = await import(path.join(root, 'dist/src/presets/schema.js'));
const presets = readdirSync('src/presets').filter((f) => f.endsWith('.json')).sort().map((f) => parsePreset(JSON.parse(readFileSync(path.join('src/presets', f), 'utf8')), path.join('src/presets', f)));
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
// The claims page judges C5 on this build's trusted computing base, counted by the lab's own code from the sources.
const { countTcb } = await import(path.join(root, 'dist/src/lab/tcb.js'));
const tcb = countTcb(presets.map((p) => p.name));
writeFileSync(path.join(out, 'system.json'), JSON.stringify({ release: version, presets, tcb }));
if (!process.argv.includes('--quiet')) {
  const kib = readdirSync(out).filter((f) => f.endsWith('.js')).reduce((n, f) => n + statSync(path.join(out, f)).size, 0) / 1024;
  console.error(`build-web: ${out}/, ${kib.toFixed(0)} KiB of scripts, ${Date.now() - started} ms`);
}
