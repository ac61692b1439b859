// Users and permissions on every preset: an ordinary user (uid 1000, `user` in
// /etc/passwd) is refused what root may do. Each test is named after the hole it pins
// ("everyone is root"); the lines run as the user through `su user -c`, which is
// what `kernelkit run --user user` runs as init.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PRESETS, boot, sh, noLeaks, type RunResult } from './harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bin/kernelkit.js');

/** Runs `line` in sh as user `user`, through su (as `kernelkit run --user user` does). */
function asUser(preset: string, line: string, extra: Parameters<typeof boot>[2] = {}): Promise<RunResult> {
  return boot(preset, ['/bin/su', 'user', '-c', line], extra);
}

/** A fresh ext2 image made by `kernelkit mkfs`. */
function image(tag: string): string {
  const img = path.join(os.tmpdir(), `kk-perm-${process.pid}-${tag}.img`);
  const r = spawnSync(process.execPath, [bin, 'mkfs', img, '--size', '8M'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return img;
}

for (const p of PRESETS) {
  test(`regression: ordinary-user-could-read-root-only-file (${p})`, async () => {
    const r = await sh(p, "echo secret > /tmp/s; chmod 600 /tmp/s; su user -c 'cat /tmp/s; echo cat=$?; id -u'; cat /tmp/s; ls -l /tmp/s");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /cat: \/tmp\/s: Permission denied/);
    assert.match(r.stdout, /^cat=1\n1000\nsecret\n/m, 'the user is refused, root reads it');
    assert.match(r.stdout, /^-rw------- 1 root root 7 .* \/tmp\/s$/m);
    assert.equal(noLeaks(r), undefined);
  });

  test(`regression: mode-000-file-was-readable-and-writable (${p})`, async () => {
    const r = await asUser(p, "echo a > /tmp/f; chmod 000 /tmp/f; echo b >> /tmp/f; echo w=$?; cat /tmp/f; echo r=$?; chmod 600 /tmp/f; cat /tmp/f");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^w=1\nr=1\na\n$/m, 'the owner too is refused until it restores the bits');
    assert.equal((r.stderr.match(/Permission denied/g) ?? []).length, 2, r.stderr);
    // Root overrides the bits (CAP_DAC_OVERRIDE).
    const root = await sh(p, 'echo a > /tmp/f; chmod 000 /tmp/f; echo b >> /tmp/f; cat /tmp/f');
    assert.equal(root.stdout, 'a\nb\n', root.stderr);
    assert.equal(noLeaks(r), undefined);
  });

  test(`regression: any-user-could-load-modules-inject-faults-and-mount (${p})`, async () => {
    const r = await asUser(p, 'insmod echo; echo insmod=$?; rmmod echo; echo rmmod=$?; fault blk crash; echo fault=$?; mount -t ramfs none /mnt; echo mount=$?; umount /tmp; echo umount=$?; lsmod | grep -c echo; dmesg | grep -c armed');
    assert.equal(r.status, 1, 'the last grep counts 0 faults armed');
    assert.match(r.stdout, /^insmod=1\nrmmod=1\nfault=1\nmount=1\numount=1\n0\n0\n$/m, r.stdout + r.stderr);
    assert.equal((r.stderr.match(/Operation not permitted/g) ?? []).length, 5, r.stderr);
    const root = await sh(p, 'insmod echo && lsmod | grep -c echo && rmmod echo && mount -t ramfs none /mnt && umount /mnt && echo root-ok');
    assert.equal(root.stdout, '1\nroot-ok\n', root.stderr);
    assert.equal(noLeaks(r), undefined);
  });

  test(`regression: any-user-could-kill-roots-processes (${p})`, async () => {
    // Root's sleeper survives the user's kill -9 of it, and of everything (-1), which
    // reaches only the user's own processes other than the caller (as in Linux): here
    // there are none, so it fails too and the shell ends with its status.
    const r = await sh(p, "sleep 5 & echo $! > /tmp/pid; su user -c 'kill -9 $(cat /tmp/pid); echo kill=$?; kill -9 1; echo init=$?; kill -9 -1'; echo su=$?; kill -0 $(cat /tmp/pid) && echo alive; kill $(cat /tmp/pid); wait");
    assert.match(r.stdout, /^kill=1\ninit=1\nsu=1\nalive$/m, r.stdout + r.stderr);
    assert.match(r.stderr, /Operation not permitted/);
    assert.equal(noLeaks(r), undefined);
  });

  test(`regression: sticky-tmp-let-users-delete-others-files (${p})`, async () => {
    const r = await sh(p, "echo x > /tmp/rootfile; chmod 666 /tmp/rootfile; su user -c 'rm /tmp/rootfile; echo rm=$?; echo y > /tmp/mine; rm /tmp/mine; echo own=$?; echo z >> /tmp/rootfile; echo write=$?'; cat /tmp/rootfile; ls -ld /tmp");
    assert.match(r.stdout, /^rm=1\nown=0\nwrite=0\nx\nz\ndrwxrwxrwt /m, r.stdout + r.stderr);
    assert.match(r.stderr, /rm: .*rootfile.*Operation not permitted/);
    assert.equal(noLeaks(r), undefined);
  });

  test(`regression: users-could-create-in-others-directories (${p})`, async () => {
    const r = await asUser(p, 'touch /etc/x; echo etc=$?; mkdir /bin/d; echo bin=$?; rm /bin/cat; echo rm=$?; ls /root; echo root=$?; cd /root; echo cd=$?; echo hi > ~/f; cat ~/f; ls -l ~/f');
    assert.match(r.stdout, /^etc=1\nbin=1\nrm=1\nroot=1\ncd=1\nhi\n-rw-r--r-- 1 user user 3 /m, r.stdout + r.stderr);
    assert.equal(noLeaks(r), undefined);
  });

  test(`setuid executables run as their owner; umask applies on create (${p})`, async () => {
    const r = await sh(p, [
      'cp /bin/id /tmp/suid-id; chmod 4755 /tmp/suid-id; cp /bin/id /tmp/plain-id',
      "su user -c '/tmp/suid-id; /tmp/plain-id; cp /bin/id ~/mine; chmod u+s ~/mine; ~/mine -u; umask 077; touch ~/u; mkdir ~/ud; ls -ld ~/u ~/ud; umask'",
    ].join('; '));
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^uid=1000\(user\) gid=1000\(user\) euid=0\(root\) /, 'set-user-id root: euid 0');
    assert.match(lines[1]!, /^uid=1000\(user\) gid=1000\(user\) groups=/, 'a plain copy runs as the user');
    assert.equal(lines[2], '1000', "the user's own set-user-id file gives nothing more");
    assert.match(lines[3]!, /^-rw------- 1 user user 0 .*\/u$/);
    assert.match(lines[4]!, /^drwx------ 2 user user 0 .*\/ud$/);
    assert.equal(lines[5], '0077');
    assert.equal(noLeaks(r), undefined);
  });

  test(`regression: processes-per-user-had-no-limit (${p})`, async () => {
    // su (root) + the user's sh + 2 sleeps = the user's 3 of maxProcessesPerUser 3: the third sleep fails.
    const r = await asUser(p, 'sleep 1 & sleep 1 & sleep 1; echo third=$?; wait', { params: { maxProcessesPerUser: 3 } });
    assert.match(r.stdout, /^third=126$/m, r.stdout + r.stderr);
    assert.match(r.stderr, /Resource temporarily unavailable/);
    assert.equal(noLeaks(r), undefined);
  });

  test(`regression: root-could-not-raw-write-a-mounted-disk (${p})`, async () => {
    const img = image(`raw-${p}`);
    try {
      // Root writes the boot block (bytes 0-1023, which ext2 leaves alone): CAP_SYS_RAWIO.
      // The user: EACCES from the node (root:disk 0660); with the node opened to all
      // (mode 666) the write itself is refused, EBUSY, and reading is still allowed.
      const r = await boot(p, ['/bin/sh', '-c', "echo junk > /dev/blk0; echo root=$?; su user -c 'echo user > /dev/blk0; echo user=$?; cat /dev/blk0 > /dev/null; echo read=$?'; chmod 666 /dev/blk0; su user -c 'echo user > /dev/blk0; echo open-to-all=$?; head -c 4 /dev/blk0; echo; echo read=$?'"], { disk: img });
      assert.match(r.stdout, /^root=0\nuser=1\nread=1\nopen-to-all=1\njunk\nread=0$/m, r.stdout + r.stderr);
      assert.equal((r.stderr.match(/blk0: Permission denied/g) ?? []).length, 2, 'the user: EACCES from the node');
      assert.equal((r.stderr.match(/Device or resource busy/g) ?? []).length, 1, 'the user with the node open to all: EBUSY, the disk is mounted');
      assert.equal(fs.readFileSync(img).subarray(0, 5).toString('latin1'), 'junk\n', "root's bytes reached the disk");
      const e2 = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
      assert.equal(e2.status, 0, e2.stdout + e2.stderr);
    } finally { fs.rmSync(img, { force: true }); }
  });

  test(`ownership survives on ext2: e2fsck clean, debugfs shows the uid (${p})`, async () => {
    const img = image(`own-${p}`);
    try {
      const r = await boot(p, ['/bin/sh', '-c', "mkdir /data; chown user:users /data; chmod 1770 /data; su user -c 'umask 027; echo hi > /data/f; ls -ln /data/f'"], { disk: img });
      assert.match(r.stdout, /^-rw-r----- 1 1000 1000 3 /m, r.stdout + r.stderr);
      const again = await boot(p, ['/bin/sh', '-c', 'ls -ld /data; ls -l /data/f'], { disk: img });
      assert.match(again.stdout, /^drwxrwx--T 2 user users .* \/data\n-rw-r----- 1 user user 3 .* \/data\/f\n$/, again.stdout + again.stderr);
      const e2 = spawnSync('e2fsck', ['-fn', img], { encoding: 'utf8' });
      assert.equal(e2.status, 0, e2.stdout + e2.stderr);
      const dbg = spawnSync('debugfs', ['-R', 'stat /data/f', img], { encoding: 'utf8' });
      assert.match(dbg.stdout, /User:\s+1000\s+Group:\s+1000/, dbg.stdout + dbg.stderr);
      assert.match(dbg.stdout, /Mode:\s+0640/);
      const dir = spawnSync('debugfs', ['-R', 'stat /data', img], { encoding: 'utf8' });
      assert.match(dir.stdout, /User:\s+1000\s+Group:\s+100/, dir.stdout);
    } finally { fs.rmSync(img, { force: true }); }
  });

  test(`hostfs: the guest sees host files as root's and vfs enforces their mode bits (${p})`, async () => {
    const host = fs.mkdtempSync(path.join(os.tmpdir(), 'kk-perm-share-'));
    try {
      fs.writeFileSync(path.join(host, 'private'), 'p\n', { mode: 0o600 });
      fs.writeFileSync(path.join(host, 'public'), 'q\n', { mode: 0o644 });
      fs.chmodSync(path.join(host, 'private'), 0o600);
      fs.chmodSync(host, 0o755);
      const r = await asUser(p, 'ls -l /share; cat /share/public; cat /share/private; echo r=$?; echo x > /share/new; echo w=$?', { mounts: [{ host, guest: '/share', readOnly: false }] });
      assert.match(r.stdout, /^-rw------- 1 root root 2 .* private$/m, r.stdout + r.stderr);
      assert.match(r.stdout, /^q\nr=1\nw=1$/m, r.stdout + r.stderr);
      assert.equal(fs.existsSync(path.join(host, 'new')), false, 'nothing was created on the host');
    } finally { fs.rmSync(host, { recursive: true, force: true }); }
  });
}

test('kernelkit run --user runs the line as that user; root stays the default', () => {
  const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } => spawnSync(process.execPath, [bin, 'run', ...args], { encoding: 'utf8', timeout: 120_000 });
  const u = run('--user', 'user', '--', 'whoami; id; pwd; echo $HOME');
  assert.equal(u.status, 0, u.stderr);
  assert.equal(u.stdout, 'user\nuid=1000(user) gid=1000(user) groups=1000(user),100(users)\n/\n/home/user\n');
  assert.equal(run('--', 'whoami').stdout, 'root\n');
  const bad = run('--user', 'nobody-here', '--', 'true');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /su: user nobody-here does not exist/);
  assert.equal(run('--user', 'bad name', '--', 'true').status, 2);
});

test('kernelkit boot --login asks for a name, refuses unknown ones, starts the login shell', () => {
  const r = spawnSync(process.execPath, [bin, 'boot', '--login'], { input: 'nosuch\nuser\nid -un\npwd\nexit 4\n', encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stdout, /kernelkit login: Login incorrect\nkernelkit login: /);
  assert.match(r.stdout, /\/home\/user\$ user\n/, 'id -un in the shell login started');
  assert.match(r.stdout, /\$ \/home\/user\n/, 'it starts in the home directory');
  assert.equal(spawnSync(process.execPath, [bin, 'boot', '--login', '--user', 'user'], { encoding: 'utf8', input: '' }).status, 2, '--login and --user exclude each other');
});
