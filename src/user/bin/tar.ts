// tar: creates (-c), lists (-t) and extracts (-x) ustar archives; the format is in
// util/tar-format.ts. Reading takes GNU tar's own format too, and gzip-compressed
// archives (detected by their magic; -z compresses on -c).
//   tar -c [-vz] [-f ARCHIVE] [-C DIR] FILE...   tar -t|-x [-vOk] [-f ARCHIVE] [-C DIR] [MEMBER]...
// Extraction never writes outside the current directory (or -C DIR): a leading '/' is
// removed, a member whose name holds '..' is skipped, and nothing is written through
// a symbolic link the archive itself made.
import {
  open, close, write, lstat, stat, fstat, readlink, readdir, mkdir, unlink, rmdir, symlink, link, chdir, chmod, chown, fchmod, fchown,
  futimens, utimens, umask, geteuid, isDir, isReg, isLnk, O, S, SysError, Errno, UTIME_NOW,
} from '../libc/index.js';
import { run, stdout, complain, errorText, isatty, UsageError } from '../util/io.js';
import { parseArgs } from '../util/args.js';
import { readInput } from '../util/bytes.js';
import { modeString } from '../util/format.js';
import { strftime } from '../util/strftime.js';
import { userById, groupById, userByName, groupByName } from '../util/passwd.js';
import { majorOf, minorOf } from '../../abi/fs.js';
import { BLOCK, RECORD, TYPE, encodeHeader, readArchive, TarFormatError, type TarEntry } from '../util/tar-format.js';
import { gzipEncode, gzipDecode, isGzip, GzipFormatError } from '../util/gzip-format.js';

export function main(argv: string[]): number {
  return run('tar', () => {
    let args = argv.slice(1);
    // "tar cvf x.tar dir": the first word's letters are options.
    if (args[0] !== undefined && /^[A-Za-z]+$/.test(args[0])) args = ['-' + args[0], ...args.slice(1)];
    const a = parseArgs(args, {
      flags: 'ctxvzOkp',
      options: 'fC',
      long: { create: 'c', list: 't', extract: 'x', get: 'x', verbose: 'v', gzip: 'z', gunzip: 'z', 'to-stdout': 'O', 'keep-old-files': 'k', 'preserve-permissions': 'p', file: 'f', directory: 'C' },
    });
    const modes = ['c', 't', 'x'].filter((m) => a.flags.has(m));
    if (modes.length === 0) throw new UsageError("You must specify one of the '-ctx' options");
    if (modes.length > 1) throw new UsageError("You may not specify more than one '-ctx' option");
    const file = a.options.get('f') ?? '-';
    const t = new Tar(a.flags.has('v'), a.options.get('C'));
    if (modes[0] === 'c') return t.create(file, a.operands, a.flags.has('z'));
    return t.read(file, a.operands, modes[0] === 'x', a.flags.has('O'), a.flags.has('k'));
  });
}

class Tar {
  private status = 0;
  private warnedSlash = false;
  // Extracted symbolic links: nothing is written through them.
  private readonly madeLinks = new Set<string>();
  // Directories made or met, to get their modes and times once their contents are in.
  private readonly dirs: { name: string; entry: TarEntry }[] = [];

  constructor(private readonly verbose: boolean, private readonly directory: string | undefined) {}

  private fail(message: string): void { complain('tar', message); this.status = 2; }

  private stripName(name: string): string {
    let n = name;
    if (n.startsWith('/')) {
      n = n.replace(/^\/+/, '');
      if (!this.warnedSlash) { complain('tar', "Removing leading `/' from member names"); this.warnedSlash = true; }
    }
    return n;
  }

  // ---- create -------------------------------------------------------------------------

  create(file: string, operands: string[], gzip: boolean): number {
    if (operands.length === 0) { complain('tar', 'Cowardly refusing to create an empty archive'); return 2; }
    if (file === '-' && isatty(1)) { complain('tar', 'Refusing to write archive contents to terminal (missing -f option?)'); return 2; }
    const fd = file === '-' ? 1 : open(file, O.WRONLY | O.CREAT | O.TRUNC, 0o666);
    const self = fstat(fd);
    const parts: Uint8Array[] = [];
    let written = 0;
    const out = (b: Uint8Array): void => {
      parts.push(b);
      written += b.length;
      if (!gzip && written >= RECORD) flush();
    };
    const flush = (): void => {
      const all = concat(parts);
      parts.length = 0;
      let at = 0;
      while (at < all.length) at += write(fd, all.subarray(at));
    };
    const seen = new Map<string, string>();
    if (this.directory !== undefined) chdir(this.directory);
    const add = (path: string): void => {
      let st;
      try { st = lstat(path); } catch (e) { this.fail(errorText(e, `${path}: Cannot stat`)); return; }
      if (fd !== 1 && st.dev === self.dev && st.ino === self.ino && isReg(st.mode)) { complain('tar', `${path}: file is the archive; not dumped`); return; }
      const name = this.stripName(path);
      const entry: TarEntry = {
        name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeNs / 1e9), type: TYPE.FILE, linkname: '',
        uname: userById(st.uid)?.name ?? '', gname: groupById(st.gid)?.name ?? '', devmajor: 0, devminor: 0,
      };
      let body: Uint8Array | undefined;
      const key = `${st.dev}:${st.ino}`;
      const type = st.mode & S.IFMT;
      if (type === S.IFDIR) {
        entry.type = TYPE.DIR;
        if (!entry.name.endsWith('/')) entry.name += '/';
      } else if (type === S.IFLNK) {
        entry.type = TYPE.SYMLINK;
        entry.linkname = readlink(path);
      } else if (type === S.IFREG && st.nlink > 1 && seen.has(key)) {
        entry.type = TYPE.HARDLINK;
        entry.linkname = seen.get(key) as string;
      } else if (type === S.IFREG) {
        try { body = readInput(path); } catch (e) { this.fail(errorText(e, `${path}: Cannot open`)); return; }
        entry.size = body.length;
        if (st.nlink > 1) seen.set(key, name);
      } else if (type === S.IFCHR || type === S.IFBLK) {
        entry.type = type === S.IFCHR ? TYPE.CHAR : TYPE.BLOCK;
        entry.devmajor = majorOf(st.rdev);
        entry.devminor = minorOf(st.rdev);
      } else if (type === S.IFIFO) {
        entry.type = TYPE.FIFO;
      } else {
        complain('tar', `${path}: socket ignored`);
        return;
      }
      let header: Uint8Array;
      try { header = encodeHeader(entry); } catch (e) { this.fail(e instanceof Error ? e.message : String(e)); return; }
      out(header);
      if (body !== undefined) {
        out(body);
        if (body.length % BLOCK !== 0) out(new Uint8Array(BLOCK - (body.length % BLOCK)));
      }
      // GNU tar names the members on stderr when the archive itself goes to stdout.
      if (this.verbose) { if (fd === 1) write(2, entry.name + '\n'); else stdout.line(entry.name); }
      if (type === S.IFDIR) {
        let names: string[];
        try { names = readdir(path).map((d) => d.name).filter((n) => n !== '.' && n !== '..').sort(); } catch (e) { this.fail(errorText(e, `${path}: Cannot open`)); return; }
        for (const n of names) add(path.endsWith('/') ? path + n : `${path}/${n}`);
      }
    };
    try {
      for (const p of operands) add(p);
      out(new Uint8Array(2 * BLOCK));
      if (gzip) {
        const all = concat(parts);
        parts.length = 0;
        const padded = new Uint8Array(Math.ceil(all.length / RECORD) * RECORD);
        padded.set(all);
        parts.push(gzipEncode(padded, 6, undefined, 0));
      } else {
        const rest = written % RECORD;
        if (rest !== 0) out(new Uint8Array(RECORD - rest));
      }
      flush();
    } finally {
      if (fd !== 1) close(fd);
    }
    return this.status;
  }

  // ---- list and extract --------------------------------------------------------------------

  read(file: string, members: string[], extract: boolean, toStdout: boolean, keepOld: boolean): number {
    let data: Uint8Array;
    try { data = readInput(file); } catch (e) { complain('tar', errorText(e, `${file}: Cannot open`)); return 2; }
    if (isGzip(data)) {
      try { data = gzipDecode(data).data; } catch (e) { complain('tar', `${file}: ${e instanceof GzipFormatError ? e.message : String(e)}`); return 2; }
    }
    if (this.directory !== undefined) chdir(this.directory);
    const found = new Set<string>();
    const wanted = (name: string): boolean => {
      if (members.length === 0) return true;
      const n = name.replace(/\/+$/, '');
      const m = members.find((w) => { const x = w.replace(/\/+$/, ''); return n === x || n.startsWith(x + '/'); });
      if (m !== undefined) found.add(m);
      return m !== undefined;
    };
    const mask = umask(0);
    umask(mask);
    const root = geteuid() === 0;
    try {
      for (const { entry, body } of readArchive(data)) {
        if (!wanted(entry.name)) continue;
        if (!extract) { this.list(entry); continue; }
        if (toStdout) { if (entry.type === TYPE.FILE) stdout.bytes(body); continue; }
        this.extractOne(entry, body, keepOld, root, mask);
      }
    } catch (e) {
      if (!(e instanceof TarFormatError)) throw e;
      this.fail(e.message);
      if (e.message.startsWith('This does not')) { complain('tar', 'Exiting with failure status due to previous errors'); return 2; }
    }
    // Directories last, deepest first: their contents are in, so their times hold.
    for (const d of this.dirs.reverse()) {
      try {
        const st = stat(d.name);
        if (root && (st.uid !== this.uidOf(d.entry) || st.gid !== this.gidOf(d.entry))) chown(d.name, this.uidOf(d.entry), this.gidOf(d.entry));
        utimens(d.name, UTIME_NOW, d.entry.mtime * 1e9);
      } catch { /* a directory we could not make was reported already */ }
    }
    for (const m of members) if (!found.has(m)) this.fail(`${m}: Not found in archive`);
    if (this.status !== 0) complain('tar', 'Exiting with failure status due to previous errors');
    return this.status;
  }

  private list(e: TarEntry): void {
    if (!this.verbose) { stdout.line(e.name); return; }
    const typeBits = { [TYPE.DIR]: S.IFDIR, [TYPE.SYMLINK]: S.IFLNK, [TYPE.CHAR]: S.IFCHR, [TYPE.BLOCK]: S.IFBLK, [TYPE.FIFO]: S.IFIFO }[e.type] ?? S.IFREG;
    let mode = modeString(typeBits | e.mode);
    if (e.type === TYPE.HARDLINK) mode = 'h' + mode.slice(1);
    const owner = `${e.uname !== '' ? e.uname : e.uid}/${e.gname !== '' ? e.gname : e.gid}`;
    const size = e.type === TYPE.CHAR || e.type === TYPE.BLOCK ? `${e.devmajor},${e.devminor}` : String(e.size);
    // GNU tar's column: owner/group and size share a field at least 19 wide, growing as needed.
    const pad = owner.length + 1 + size.length;
    this.ugsWidth = Math.max(this.ugsWidth, pad);
    let line = `${mode} ${owner} ${size.padStart(this.ugsWidth - pad + size.length)} ${strftime('%Y-%m-%d %H:%M', e.mtime * 1e9)} ${e.name}`;
    if (e.type === TYPE.SYMLINK) line += ` -> ${e.linkname}`;
    if (e.type === TYPE.HARDLINK) line += ` link to ${e.linkname}`;
    stdout.line(line);
  }

  private ugsWidth = 19;

  private extractOne(e: TarEntry, body: Uint8Array, keepOld: boolean, root: boolean, mask: number): void {
    const name = this.stripName(e.name).replace(/\/+$/, '');
    if (name === '' || name === '.') return;
    if (name.split('/').includes('..')) { this.fail(`${e.name}: Member name contains '..'`); return; }
    if (this.throughLink(name)) { this.fail(`${name}: Cannot open: a symbolic link from this archive is in the path`); return; }
    if (this.verbose) stdout.line(e.name);
    try {
      this.parents(name, mask);
      const mode = root ? e.mode : e.mode & ~mask & 0o777;
      switch (e.type) {
        case TYPE.DIR: {
          try { mkdir(name, 0o700); } catch (err) { if (!(err instanceof SysError && err.errno === Errno.EEXIST && isDir(stat(name).mode))) throw err; }
          this.dirs.push({ name, entry: e });
          chmod(name, mode);
          return;
        }
        case TYPE.SYMLINK:
          if (!this.replace(name, keepOld)) return;
          symlink(e.linkname, name);
          this.madeLinks.add(name);
          if (root) {
            const st = lstat(name);
            const uid = this.uidOf(e), gid = this.gidOf(e);
            if (st.uid !== uid || st.gid !== gid) chown(name, uid, gid, false);
          }
          return;
        case TYPE.HARDLINK: {
          const target = this.stripName(e.linkname);
          if (target.split('/').includes('..') || this.throughLink(target)) { this.fail(`${name}: Cannot hard link to '${e.linkname}'`); return; }
          if (!this.replace(name, keepOld)) return;
          link(target, name);
          return;
        }
        case TYPE.FILE: {
          if (!this.replace(name, keepOld)) return;
          const fd = open(name, O.WRONLY | O.CREAT | O.EXCL | O.NOFOLLOW, 0o600);
          try {
            let at = 0;
            while (at < body.length) at += write(fd, body.subarray(at));
            fchmod(fd, mode);
            futimens(fd, UTIME_NOW, e.mtime * 1e9);
            if (root) this.owner(name, fd, e);
          } finally { close(fd); }
          return;
        }
        default:
          this.fail(`${name}: Cannot mknod: Operation not supported`);
      }
    } catch (err) {
      this.fail(errorText(err, `${name}: Cannot open`));
    }
  }

  // Root gives the member its owner back (by name where the name is known here); a
  // file that already has it is left alone (a filesystem may refuse chown altogether).
  private owner(name: string, fd: number, e: TarEntry): void {
    const uid = this.uidOf(e), gid = this.gidOf(e);
    const st = fstat(fd);
    if (st.uid === uid && st.gid === gid) return;
    try { fchown(fd, uid, gid); } catch (err) { this.fail(errorText(err, `${name}: Cannot change ownership to uid ${uid}, gid ${gid}`)); }
  }

  private uidOf(e: TarEntry): number { return (e.uname !== '' ? userByName(e.uname)?.uid : undefined) ?? e.uid; }
  private gidOf(e: TarEntry): number { return (e.gname !== '' ? groupByName(e.gname)?.gid : undefined) ?? e.gid; }

  // Whether a directory on the way to `name` is a symbolic link this archive made.
  private throughLink(name: string): boolean {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) if (this.madeLinks.has(parts.slice(0, i).join('/'))) return true;
    return false;
  }

  // Makes the missing directories above `name`.
  private parents(name: string, mask: number): void {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      try { mkdir(dir, 0o777 & ~mask); } catch (e) { if (!(e instanceof SysError && e.errno === Errno.EEXIST)) throw e; }
    }
  }

  // Clears the way for a new member: false (reported) when it exists and must be kept.
  private replace(name: string, keepOld: boolean): boolean {
    let st;
    try { st = lstat(name); } catch { return true; }
    if (keepOld) { this.fail(`${name}: Cannot open: File exists`); return false; }
    if (isDir(st.mode) && !isLnk(st.mode)) rmdir(name); else unlink(name);
    return true;
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
