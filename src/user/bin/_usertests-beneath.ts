// The cases of usertests (bin/usertests.ts) for RESOLVE_BENEATH on the *at calls that
// name a file without opening it: linkat, symlinkat, unlinkat, readlinkat, utimensat.
// Each works in a scratch box: an absolute path, an absolute symlink, or '..' above
// the directory fd must be EXDEV and leave the file outside untouched; the same calls
// inside the box work.

import * as libc from '../libc/index.js';
import { Errno, O, AT } from '../libc/index.js';
import { TESTS, check, expectErrno } from './_usertests-cases.js';

const B = AT.RESOLVE_BENEATH;

/**
 * Makes /tmp/ut-PID-box (with sub/, f, abs -> the outside file, absdir -> /tmp,
 * up -> ../outside) beside the file /tmp/ut-PID-out, runs `body` with the box open,
 * then removes everything.
 */
function inBox(tag: string, body: (box: number, outside: string) => void): void {
  const root = `/tmp/ut-${libc.getpid()}-${tag}`;
  const outside = `${root}-out`;
  libc.mkdir(root);
  libc.mkdir(`${root}/sub`);
  libc.writeFile(`${root}/f`, 'inside');
  libc.writeFile(outside, 'outside');
  libc.symlink(outside, `${root}/abs`);
  libc.symlink('/tmp', `${root}/absdir`);
  libc.symlink(`../${outside.split('/').pop()!}`, `${root}/up`);
  const box = libc.openat(AT.FDCWD, root, O.RDONLY | O.DIRECTORY);
  try {
    body(box, outside);
    check(new TextDecoder().decode(libc.readFile(outside)) === 'outside', 'the file outside the box is untouched');
  } finally {
    libc.close(box);
    removeTree(root);
    libc.unlink(outside);
  }
}

function removeTree(path: string): void {
  if (!libc.isDir(libc.lstat(path).mode)) { libc.unlink(path); return; }
  const fd = libc.openat(AT.FDCWD, path, O.RDONLY | O.DIRECTORY);
  let names: string[];
  try {
    names = libc.getdents(fd).map((e) => e.name).filter((n) => n !== '.' && n !== '..');
  } finally {
    libc.close(fd);
  }
  for (const n of names) removeTree(`${path}/${n}`);
  libc.rmdir(path);
}

TESTS['linkat-resolve-beneath-reaches-outside-the-directory'] = () => {
  inBox('link', (box, outside) => {
    const name = outside.split('/').pop()!;
    expectErrno(Errno.EXDEV, () => libc.linkat(box, `../${name}`, box, 'stolen', B), 'linkat from ..');
    expectErrno(Errno.EXDEV, () => libc.linkat(box, outside, box, 'stolen', B), 'linkat from an absolute path');
    expectErrno(Errno.EXDEV, () => libc.linkat(box, 'abs', box, 'stolen', B | AT.SYMLINK_FOLLOW), 'linkat following an absolute link');
    expectErrno(Errno.EXDEV, () => libc.linkat(box, 'up', box, 'stolen', B | AT.SYMLINK_FOLLOW), 'linkat following a link up');
    expectErrno(Errno.EXDEV, () => libc.linkat(box, 'f', box, '../planted', B), 'linkat to ..');
    expectErrno(Errno.EXDEV, () => libc.linkat(box, 'f', box, 'absdir/planted', B), 'linkat into an absolute link to a directory');
    expectErrno(Errno.ENOENT, () => libc.fstatat(box, 'stolen', AT.SYMLINK_NOFOLLOW), 'nothing was linked');
    expectErrno(Errno.ENOENT, () => libc.lstat(`${outside}-planted`), 'nothing was planted');
    libc.linkat(box, 'f', box, 'sub/g', B);
    check(libc.fstatat(box, 'f', B).nlink === 2, 'a link inside the box works');
    libc.linkat(box, 'abs', box, 'abs2', B);
    check(libc.readlinkat(box, 'abs2', B) === outside, 'linking the absolute link itself (no follow) works');
  });
};

TESTS['symlinkat-resolve-beneath-creates-outside-the-directory'] = () => {
  inBox('symlink', (box, outside) => {
    expectErrno(Errno.EXDEV, () => libc.symlinkat('f', box, '../planted', B), 'symlinkat at ..');
    expectErrno(Errno.EXDEV, () => libc.symlinkat('f', box, `${outside}-planted`, B), 'symlinkat at an absolute path');
    expectErrno(Errno.EXDEV, () => libc.symlinkat('f', box, 'absdir/planted', B), 'symlinkat through an absolute link');
    expectErrno(Errno.ENOENT, () => libc.lstat(`${outside}-planted`), 'nothing was planted');
    // The target is only stored: an absolute one may be made, but not followed beneath.
    libc.symlinkat('/etc', box, 'sub/etc', B);
    check(libc.readlinkat(box, 'sub/etc', B) === '/etc', 'a link inside the box works');
    expectErrno(Errno.EXDEV, () => libc.fstatat(box, 'sub/etc', B), 'following it beneath');
  });
};

TESTS['unlinkat-resolve-beneath-removes-outside-the-directory'] = () => {
  inBox('unlink', (box, outside) => {
    const name = outside.split('/').pop()!;
    expectErrno(Errno.EXDEV, () => libc.unlinkat(box, `../${name}`, B), 'unlinkat ..');
    expectErrno(Errno.EXDEV, () => libc.unlinkat(box, outside, B), 'unlinkat an absolute path');
    expectErrno(Errno.EXDEV, () => libc.unlinkat(box, `absdir/${name}`, B), 'unlinkat through an absolute link');
    expectErrno(Errno.EXDEV, () => libc.unlinkat(box, `sub/../../${name}`, B), 'unlinkat climbing from a subdirectory');
    libc.mkdir(`${outside}-dir`);
    try {
      expectErrno(Errno.EXDEV, () => libc.unlinkat(box, `../${name}-dir`, AT.REMOVEDIR | B), 'rmdir ..');
      check(libc.stat(`${outside}-dir`).nlink >= 2, 'the directory outside is still there');
    } finally {
      libc.rmdir(`${outside}-dir`);
    }
    libc.unlinkat(box, 'abs', B);
    libc.unlinkat(box, 'sub', AT.REMOVEDIR | B);
    expectErrno(Errno.ENOENT, () => libc.fstatat(box, 'sub', AT.SYMLINK_NOFOLLOW), 'removing inside the box works');
  });
};

TESTS['readlinkat-resolve-beneath-reads-outside-the-directory'] = () => {
  inBox('readlink', (box, outside) => {
    const name = outside.split('/').pop()!;
    libc.symlink('secret', `${outside}-link`);
    try {
      expectErrno(Errno.EXDEV, () => libc.readlinkat(box, `../${name}-link`, B), 'readlinkat ..');
      expectErrno(Errno.EXDEV, () => libc.readlinkat(box, `${outside}-link`, B), 'readlinkat an absolute path');
      expectErrno(Errno.EXDEV, () => libc.readlinkat(box, `absdir/${name}-link`, B), 'readlinkat through an absolute link');
      check(libc.readlinkat(box, 'abs', B) === outside, 'reading an absolute link in the box works (the last link is not followed)');
      check(libc.readlinkat(box, 'sub/../up', B) === `../${name}`, 'reading a link that points up works');
    } finally {
      libc.unlink(`${outside}-link`);
    }
  });
};

TESTS['utimensat-resolve-beneath-touches-outside-the-directory'] = () => {
  inBox('utimens', (box, outside) => {
    const name = outside.split('/').pop()!;
    const before = libc.stat(outside).mtimeNs;
    const t = 1_000_000 * 1_000_000_000; // 1970-01-12, far from any time the test runs at
    expectErrno(Errno.EXDEV, () => libc.utimensat(box, `../${name}`, t, t, B), 'utimensat ..');
    expectErrno(Errno.EXDEV, () => libc.utimensat(box, outside, t, t, B), 'utimensat an absolute path');
    expectErrno(Errno.EXDEV, () => libc.utimensat(box, 'abs', t, t, B), 'utimensat following an absolute link');
    expectErrno(Errno.EXDEV, () => libc.utimensat(box, 'up', t, t, B), 'utimensat following a link up');
    check(libc.stat(outside).mtimeNs === before, 'the outside file keeps its times');
    libc.utimensat(box, 'abs', t, t, B | AT.SYMLINK_NOFOLLOW);
    check(libc.fstatat(box, 'abs', AT.SYMLINK_NOFOLLOW).mtimeNs === t, "the link's own times (no follow) may be set");
    libc.utimensat(box, 'sub/../f', t, t, B);
    check(libc.fstatat(box, 'f', B).mtimeNs === t, 'a file in the box may be touched');
  });
};
