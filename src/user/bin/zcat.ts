// zcat: gzip -dc, the decompressed files one after another on stdout. See util/gzip-cli.ts.
import { run } from '../util/io.js';
import { gzipMain } from '../util/gzip-cli.js';

export function main(argv: string[]): number {
  return run('zcat', () => gzipMain('zcat', argv.slice(1), { decompress: true, toStdout: true }));
}
