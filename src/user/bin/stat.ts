// stat: file status in GNU stat's layout, or with -c FORMAT (%n name, %N quoted name
// with link target, %s size, %b blocks, %B block unit, %f raw mode hex, %a octal
// permissions, %A mode string, %F file type, %i inode, %h links, %u uid, %g gid,
// %U %G owner names, %d device, %t %T device major/minor (hex), %o IO block, %X %Y
// %Z times in seconds, %x %y %z times readable, %%). -L follows symlinks.
import { stat, lstat, readlink, isLnk, isChr, isBlk, type Stat } from '../libc/index.js';
import { majorOf, minorOf } from '../../abi/fs.js';
import { run, complain, reasonOf, stdout } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { modeString, fileTypeName, fullDate } from '../util/format.js';

function ownerName(id: number): string {
  return id === 0 ? 'root' : 'UNKNOWN';
}

function format(fmt: string, path: string, st: Stat): string {
  return fmt.replace(/%(.)/g, (whole, c: string) => {
    switch (c) {
      case 'n': return path;
      case 'N': return isLnk(st.mode) ? `'${path}' -> '${safeReadlink(path)}'` : `'${path}'`;
      case 's': return String(st.size);
      case 'b': return String(st.blocks);
      case 'B': return '512';
      case 'f': return st.mode.toString(16);
      case 'a': return (st.mode & 0o7777).toString(8);
      case 'A': return modeString(st.mode);
      case 'F': return fileTypeName(st.mode, st.size);
      case 'i': return String(st.ino);
      case 'h': return String(st.nlink);
      case 'u': return String(st.uid);
      case 'g': return String(st.gid);
      case 'U': return ownerName(st.uid);
      case 'G': return ownerName(st.gid);
      case 'd': return String(st.dev);
      case 't': return majorOf(st.rdev).toString(16);
      case 'T': return minorOf(st.rdev).toString(16);
      case 'o': return String(st.blksize);
      case 'X': return String(Math.floor(st.atimeNs / 1e9));
      case 'Y': return String(Math.floor(st.mtimeNs / 1e9));
      case 'Z': return String(Math.floor(st.ctimeNs / 1e9));
      case 'x': return fullDate(st.atimeNs, st.atimeNsec);
      case 'y': return fullDate(st.mtimeNs, st.mtimeNsec);
      case 'z': return fullDate(st.ctimeNs, st.ctimeNsec);
      case '%': return '%';
      default: return whole;
    }
  });
}

function safeReadlink(p: string): string {
  try { return readlink(p); } catch { return '?'; }
}

function standard(path: string, st: Stat): string {
  const name = isLnk(st.mode) ? `${path} -> ${safeReadlink(path)}` : path;
  const device = isChr(st.mode) || isBlk(st.mode) ? `  Device type: ${majorOf(st.rdev)},${minorOf(st.rdev)}` : '';
  return [
    `  File: ${name}`,
    `  Size: ${String(st.size).padEnd(10)}\tBlocks: ${String(st.blocks).padEnd(10)} IO Block: ${String(st.blksize).padEnd(6)} ${fileTypeName(st.mode, st.size)}`,
    `Device: ${st.dev}\tInode: ${String(st.ino).padEnd(11)} Links: ${st.nlink}${device}`,
    `Access: (${(st.mode & 0o7777).toString(8).padStart(4, '0')}/${modeString(st.mode)})  Uid: (${String(st.uid).padStart(5)}/${ownerName(st.uid).padStart(8)})   Gid: (${String(st.gid).padStart(5)}/${ownerName(st.gid).padStart(8)})`,
    `Access: ${fullDate(st.atimeNs, st.atimeNsec)}`,
    `Modify: ${fullDate(st.mtimeNs, st.mtimeNsec)}`,
    `Change: ${fullDate(st.ctimeNs, st.ctimeNsec)}`,
    ` Birth: -`,
  ].join('\n');
}

export function main(argv: string[]): number {
  return run('stat', () => {
    const args = parseArgs(argv.slice(1), { flags: 'Lt', options: 'c', long: { dereference: 'L', format: 'c' } });
    if (args.operands.length === 0) { complain('stat', 'missing operand'); return 2; }
    const fmt = args.options.get('c');
    let status = 0;
    for (const p of args.operands) {
      try {
        const st = args.flags.has('L') ? stat(p) : lstat(p);
        stdout.line(fmt !== undefined ? format(fmt, p, st) : standard(p, st));
      } catch (e) {
        complain('stat', `cannot stat '${p}': ${reasonOf(e)}`);
        status = 1;
      }
    }
    return status;
  });
}
