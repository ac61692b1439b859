// md5sum: prints or checks MD5 digests ("DIGEST  NAME"; -c LIST checks a list).
import { checksumMain } from '../util/checksum.js';
import { md5 } from '../util/digest.js';

export function main(argv: string[]): number {
  return checksumMain('md5sum', argv, md5, 'MD5');
}
