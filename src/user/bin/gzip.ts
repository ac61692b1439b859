// gzip: compresses files (FILE → FILE.gz) or stdin; -d decompresses. See util/gzip-cli.ts.
import { run } from '../util/io.js';
import { gzipMain } from '../util/gzip-cli.js';

export function main(argv: string[]): number {
  return run('gzip', () => gzipMain('gzip', argv.slice(1), { decompress: false, toStdout: false }));
}
