// gunzip: gzip -d (FILE.gz → FILE, or stdin to stdout). See util/gzip-cli.ts.
import { run } from '../util/io.js';
import { gzipMain } from '../util/gzip-cli.js';

export function main(argv: string[]): number {
  return run('gunzip', () => gzipMain('gunzip', argv.slice(1), { decompress: true, toStdout: false }));
}
