// Inputs and pipelines for the tools' differential test (tools-diff.test.ts): files
// drawn from a seeded generator, and pipelines over the options both kernelkit and
// GNU support, some with randomly chosen fields, widths and sets.

type Random = () => number;

const vocabulary = ['apple', 'Banana', 'cherry', 'date', 'Elder', 'fig', 'grape', 'kiwi', 'lemon', 'Mango', 'nut', 'olive', 'pear', 'quince', 'x', 'Zed', '10', '9', '-3', '2.5'];

const pick = <T>(r: Random, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
const int = (r: Random, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

function lines(r: Random, count: number, line: () => string): string {
  let s = '';
  for (let i = 0; i < count; i++) s += line() + '\n';
  return s;
}

/** The input files by name. */
export function toolInputs(r: Random): Map<string, Uint8Array> {
  const files = new Map<string, string | Uint8Array>();
  files.set('words.txt', lines(r, 60, () => Array.from({ length: int(r, 1, 4) }, () => pick(r, vocabulary)).join(pick(r, [' ', ' ', '  ', '\t']))));
  files.set('dups.txt', lines(r, 50, () => pick(r, vocabulary.slice(0, 6))));
  files.set('nums.txt', lines(r, 50, () => pick(r, ['', ' ', '  ']) + String(int(r, -500, 500) / pick(r, [1, 1, 10, 100])) + pick(r, ['', ' kg', 'x'])));
  files.set('data.csv', lines(r, 40, () => [pick(r, vocabulary), int(r, 0, 99), pick(r, vocabulary), int(r, -20, 20), pick(r, ['', 'a b'])].join(',')));
  files.set('passwd.txt', lines(r, 30, () => [pick(r, vocabulary).toLowerCase(), 'x', int(r, 0, 2000), int(r, 0, 2000), `User ${pick(r, vocabulary)}`, `/home/${pick(r, vocabulary)}`, pick(r, ['/bin/sh', '/bin/bash'])].join(':')));
  const prose = Array.from({ length: 300 }, () => pick(r, [...vocabulary, 'the', 'a', 'of', 'and', 'supercalifragilistic'])).join(' ');
  files.set('text.txt', prose.replace(/(([^ ]+ ){7})/g, (m) => (r() < 0.3 ? m + '\n' : r() < 0.1 ? m + '\t' : m)) + '\n\n\nend without newline');
  files.set('empty.txt', '');
  files.set('one.txt', 'single line\n');
  files.set('bin.dat', Uint8Array.from({ length: 333 }, () => int(r, 0, 255)));
  files.set('seq.txt', lines(r, 100, () => String(int(r, 1, 20))));
  const base = lines(r, 40, () => Array.from({ length: int(r, 1, 3) }, () => pick(r, vocabulary)).join(' ')).split('\n');
  const changed = base.map((l) => (r() < 0.12 ? pick(r, vocabulary) : l)).filter(() => r() > 0.08);
  changed.splice(int(r, 0, changed.length), 0, 'inserted line', 'another');
  files.set('a.txt', base.join('\n'));
  files.set('b.txt', changed.join('\n'));
  files.set('c.txt', base.join('\n'));
  // Pairs over a small alphabet: many equally short edit scripts, so diff must break ties as GNU does.
  for (let k = 0; k < 24; k++) {
    const alphabet = 'abcdefgh'.slice(0, int(r, 2, 8));
    const make = (): string => lines(r, int(r, 0, 30), () => alphabet[int(r, 0, alphabet.length - 1)] as string);
    files.set(`p${k}.a`, make());
    files.set(`p${k}.b`, make());
  }
  const out = new Map<string, Uint8Array>();
  for (const [name, data] of files) out.set(name, typeof data === 'string' ? new TextEncoder().encode(data) : data);
  return out;
}

/** The pipelines, as shell text (run in the directory holding the inputs). */
export function toolPipelines(r: Random): string[] {
  const p: string[] = [];
  const text = ['words.txt', 'dups.txt', 'nums.txt', 'data.csv', 'passwd.txt', 'text.txt', 'empty.txt', 'one.txt'];
  // sort
  for (const f of text) for (const o of ['', '-r', '-u', '-n', '-nr', '-f', '-b']) p.push(`sort ${o} ${f}`);
  for (let i = 0; i < 12; i++) p.push(`sort -t, -k${int(r, 1, 4)}${pick(r, ['', ',' + int(r, 1, 4), 'n', 'n,' + int(r, 1, 4), 'r'])} ${pick(r, ['', '-n', '-r', '-u', '-s'])} data.csv`);
  for (let i = 0; i < 8; i++) p.push(`sort -t: -k${int(r, 3, 4)},${int(r, 3, 4)}n passwd.txt`);
  for (let i = 0; i < 8; i++) p.push(`sort -k${int(r, 1, 3)}${pick(r, ['', ',2', '.2', 'r'])} ${pick(r, ['', '-u', '-n', '-b'])} words.txt`);
  p.push('sort -k2n -k1 words.txt', 'sort -t, -k3,3 -k2,2nr data.csv', 'sort -un nums.txt', 'sort -c dups.txt', 'sort dups.txt | sort -c', 'sort missing.txt');
  // uniq
  for (const o of ['', '-c', '-d', '-u', '-i', '-ci', '-dc', '-f1', '-s2']) { p.push(`sort dups.txt | uniq ${o}`); p.push(`uniq ${o} seq.txt`); }
  p.push('sort -n seq.txt | uniq -c | sort -nr', 'uniq empty.txt', 'uniq words.txt');
  // cut
  for (let i = 0; i < 12; i++) p.push(`cut -d: -f${pick(r, ['1', '1,3', '2-4', '5-', '-3', '1,6-', '3,1'])} passwd.txt`);
  for (let i = 0; i < 8; i++) p.push(`cut -c${pick(r, ['1', '1-5', '3-', '-4', '2,4,6', '1-2,5-'])} ${pick(r, text)}`);
  p.push('cut -d, -f2,4 data.csv', 'cut -d" " -f2 words.txt', 'cut -d" " -s -f1 words.txt', 'cut -f2 words.txt', 'cut -f1 -s words.txt', 'cut -b1-3 one.txt', 'cut -d, --complement -f1 data.csv');
  // tr
  for (const f of ['words.txt', 'text.txt', 'data.csv']) {
    p.push(`tr a-z A-Z < ${f}`, `tr '[:upper:]' '[:lower:]' < ${f}`, `tr -d '[:digit:]' < ${f}`, `tr -s ' ' < ${f}`, `tr -d aeiou < ${f}`, `tr -c '[:alnum:]\\n' _ < ${f}`, `tr -cd '[:alpha:]\\n' < ${f}`,
      `tr -s '[:space:]' '\\n' < ${f}`, `tr ',:' '\\t\\t' < ${f}`, `tr a-e xyz < ${f}`, `tr -ds a-m ' ' < ${f}`, `tr '[:lower:]' '[A*]' < ${f}`);
  }
  p.push('tr -d "\\000-\\037" < bin.dat | od -c', 'tr "\\200-\\377" "[x*]" < bin.dat | od -An -c');
  // basename, dirname
  for (const name of ['/a/b/c.txt', 'c.txt', '/', '//', 'a/b/', '/usr/lib/', '.', '..', 'a//b//']) {
    p.push(`basename ${name}`, `dirname ${name}`, `basename ${name} .txt`);
  }
  p.push('basename -a /x/y a/b/c', 'basename -s .c a.c b.c d.h', 'dirname a/b c/d/e');
  // nl, fold
  for (const f of ['words.txt', 'text.txt', 'empty.txt']) p.push(`nl ${f}`, `nl -b a ${f}`, `nl -ba -w3 -s: ${f}`, `nl -n ln ${f}`, `nl -n rz -v 5 -i 2 ${f}`);
  for (let i = 0; i < 10; i++) p.push(`fold ${pick(r, ['-w', '-sw', '-bw'])} ${int(r, 5, 40)} text.txt`);
  p.push('fold text.txt', 'fold -w 8 words.txt', 'fold -s -w 10 words.txt', 'printf "a\\tb\\tc\\td\\n" | fold -w 10');
  // cmp
  p.push('cmp a.txt c.txt', 'cmp a.txt b.txt', 'cmp -s a.txt b.txt', 'cmp one.txt empty.txt', 'cmp -l a.txt b.txt | head -5', 'cmp words.txt words.txt', 'head -c 50 a.txt | cmp - a.txt');
  // xargs
  p.push('xargs < words.txt', 'xargs -n 3 < words.txt', 'head -5 dups.txt | xargs -n 1 echo x', 'head -4 dups.txt | xargs -I{} echo [{}]', 'printf "a b\\nc\\n" | xargs printf "<%s>"', 'xargs < empty.txt', 'echo "one \'two three\' \\"4 5\\"" | xargs -n 1', 'echo words.txt one.txt | xargs wc -l');
  // readlink, date
  p.push('readlink link', 'readlink words.txt', 'readlink -n link');
  for (const t of [0, 1234567890, 951782400, 1700000000, 4102444799]) {
    p.push(`date -u -d @${t}`, `date -u -d @${t} '+%Y-%m-%d %H:%M:%S %j %a %A %b %B %e %y %C %u %w %s'`, `date -u -d @${t} +%F_%T_%D_%R_%r_%p_%I_%l_%k`);
  }
  // od, xxd, hexdump
  for (const f of ['bin.dat', 'one.txt', 'empty.txt', 'words.txt']) {
    p.push(`od ${f}`, `od -c ${f}`, `od -x ${f}`, `od -An -c ${f}`, `od -Ax -x ${f}`, `od -Ad -c ${f}`, `od -An -tx1 ${f}`, `xxd ${f}`, `xxd -p ${f}`, `hexdump -C ${f}`);
  }
  p.push('head -c 100 bin.dat | od -c', 'printf "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\n" | od -c', 'printf "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" | hexdump -C', 'echo hi | xxd');
  // sha256sum, md5sum
  for (const f of ['bin.dat', 'empty.txt', 'words.txt', 'text.txt']) p.push(`sha256sum ${f}`, `md5sum ${f}`, `sha256sum < ${f}`, `md5sum < ${f}`);
  p.push('sha256sum a.txt b.txt', 'md5sum a.txt b.txt missing.txt', 'sha256sum words.txt > sums; sha256sum -c sums', 'md5sum one.txt > m5; md5sum -c m5');
  // diff
  p.push('diff a.txt c.txt', 'diff -u a.txt b.txt | tail -n +3', 'diff -u b.txt a.txt | tail -n +3', 'diff -u --label A --label B a.txt b.txt', 'diff -U1 --label A --label B a.txt b.txt', 'diff -u --label x --label y empty.txt one.txt', 'diff -u --label x --label y one.txt empty.txt', 'diff -u --label x --label y words.txt dups.txt', 'diff -u --label x --label y text.txt words.txt', 'diff -u --label x --label y nums.txt seq.txt', 'diff a.txt b.txt');
  for (let k = 0; k < 24; k++) p.push(k % 2 === 0 ? `diff p${k}.a p${k}.b` : `diff -U${k % 4} --label a --label b p${k}.a p${k}.b`);
  // realpath, readlink -f, which (with the directory's own name taken off, as it differs)
  for (const f of ['link', 'sub/../words.txt', 'sub/up/link', 'chain', './sub//inner.txt', 'missing', 'sub/missing']) {
    p.push(`realpath ${f} | sed "s|^$(pwd)/||"`, `readlink -f ${f} | sed "s|^$(pwd)/||"`);
  }
  p.push('realpath -e sub/missing', 'readlink chain', 'which sort | xargs basename', 'which no-such-program');
  // sed
  for (const f of ['words.txt', 'data.csv']) {
    p.push(`sed 's/a/A/' ${f}`, `sed 's/a/A/g' ${f}`, `sed -n '2,5p' ${f}`, `sed '3d' ${f}`, `sed '$d' ${f}`, `sed -n '$p' ${f}`, `sed '/apple/d' ${f}`, `sed -n '/an/p' ${f}`,
      `sed 's/\\([a-z]*\\) \\([a-z]*\\)/\\2 \\1/' ${f}`, `sed -E 's/([a-z]+),([0-9]+)/\\2:\\1/g' ${f}`, `sed 's/[0-9][0-9]*/<&>/g' ${f}`, `sed -n '/fig/,/pear/p' ${f}`, `sed '2,/lemon/d' ${f}`,
      `sed 's/^/> /' ${f}`, `sed 's/x*/-/g' ${f}`, `sed -e 's/a/b/' -e 's/b/c/g' ${f}`, `sed 's|/|_|g; s/e/E/2' ${f}`, `sed -n 'p' ${f}`, `sed 'p' ${f}`, `sed -E 's/(an)+/[&]/g' ${f}`,
      `sed 's/[[:upper:]]/*/g' ${f}`, `sed '1!d' ${f}`, `sed -n '1~3p' ${f}`, `sed 's/a\\{2,\\}/AA/g' ${f}`);
  }
  p.push(`sed -n '$=' words.txt`, "sed '1~2d' dups.txt", "sed 's/ /\\n/' words.txt", 'sed G one.txt', "sed -n 'h;n;G;p' dups.txt", "sed '$!N;s/\\n/ /' dups.txt",
    "sed = one.txt | sed 'N;s/\\n/\\t/'", "sed '/^$/d' text.txt", "sed 'y/abc/xyz/' words.txt", "sed '2i\\\ninserted' one.txt seq.txt", "sed '3a appended' dups.txt", "sed '2c changed' dups.txt",
    "sed 2q dups.txt", "sed -s 1d one.txt dups.txt", "sed -n '/apple/{p;p}' words.txt", "sed ':a;s/^\\(x*\\)a/\\1x/;ta' words.txt", "sed -E 's/(a|e)+$/!/' words.txt", "sed 's/e/E/3g' words.txt",
    "sed -n '/cherry/,+2p' words.txt", "sed '0~4d' seq.txt", "sed -n '/^$/!p' text.txt", "sed 's/[^[:alnum:]]//g' data.csv", "sed 's/.*/\\U&/' one.txt | head -c 0; echo", "printf 'no newline' | sed p");
  for (const f of ['bin.dat', 'words.txt']) p.push(`od -t d2 ${f}`, `od -t u1 ${f}`, `od -t x4 ${f}`, `od -b ${f}`, `od -d ${f}`, `od -o ${f}`, `od -j 5 -N 20 -c ${f}`, `xxd -c 8 -g 1 ${f}`, `xxd -u ${f}`, `hexdump ${f}`);
  p.push("tr -s '\\n' < text.txt", "tr -d '\\n' < one.txt", "tr '[:space:]' '[_*]' < data.csv", "uniq -c text.txt", "cut -d' ' -f2- text.txt", "fold -w1 one.txt", "nl -ba text.txt | tail -3");
  p.push('cp words.txt w2; sed -i "s/apple/APPLE/g" w2; cat w2', 'sed -n "1p;3p" dups.txt', 'sed "=" one.txt', 'sed "s/\\./,/g" nums.txt', 'sed -E "s/^ +//; s/-?[0-9]+/N/" nums.txt');
  // awk (compared with gawk)
  for (const f of ['words.txt', 'data.csv', 'passwd.txt', 'nums.txt', 'text.txt', 'empty.txt']) {
    p.push(`awk '{ print NF ": " $1 }' ${f}`, `awk '{ print $NF }' ${f}`, `awk 'END { print NR }' ${f}`, `awk '{ n += length($0) } END { print n + 0 }' ${f}`,
      `awk '{ $1 = ""; print }' ${f}`, `awk 'NR % 3 == 1' ${f}`, `awk '{ print toupper(substr($0, 2, 5)) }' ${f}`, `awk '{ for (i = NF; i > 0; i--) printf "%s%s", $i, (i > 1 ? OFS : ORS) }' ${f}`);
  }
  for (let i = 0; i < 10; i++) p.push(`awk -F, '$${int(r, 2, 4)} ${pick(r, ['>', '<', '==', '!=', '>='])} ${int(r, -10, 60)} { print $1, $${int(r, 1, 5)} }' data.csv`);
  for (let i = 0; i < 6; i++) p.push(`awk -F: -v 'OFS=${pick(r, ['-', ':', '|'])}' '{ print $${int(r, 1, 7)}, $${int(r, 1, 7)} }' passwd.txt`);
  p.push(`awk -F, '{ s[$1] += $2 } END { for (k in s) print k, s[k] }' data.csv | sort`,
    `awk '{ c[$1]++ } END { for (w in c) print c[w], w }' dups.txt | sort -k2`,
    `awk '!seen[$0]++' dups.txt`, `awk 'length > 12' words.txt`, `awk '/an/,/fig/' words.txt`, `awk '/^[A-Z]/ { print NR": "$0 }' words.txt`,
    `awk '$1 ~ /^[a-m]/ && $2 !~ /e/' words.txt`, `awk '{ printf "%-10s|%5d|%8.3f|%x|%c\\n", $1, $2, $2 / 7, $2 < 0 ? 0 : $2, 65 + NR % 26 }' data.csv`,
    `awk '{ print $1 * 2, $1 / 4, $1 % 7, -$1, $1 ^ 2 }' nums.txt`, `awk '{ s += $1 } END { print s, s / NR }' nums.txt`, `awk '$1 > 0 { print $1 }' nums.txt`,
    `awk '{ gsub(/[aeiou]/, "<&>"); print }' words.txt`, `awk '{ n = gsub(/a/, "A"); print n, $0 }' words.txt`, `awk '{ sub(/[0-9]+/, "#"); print }' data.csv`,
    `awk '{ print index($0, "an"), length($1), match($0, /[0-9]+/), RSTART, RLENGTH }' data.csv`,
    `awk '{ n = split($0, a, /[ \\t]+/); print n, a[1], a[n] }' words.txt`, `awk -F: '{ split($6, p, "/"); print p[3] }' passwd.txt`,
    `awk 'BEGIN { for (i = 1; i <= 10; i++) s = s i; print s, length(s); x = 7; x += 3; x *= 2; x -= 1; x /= 3; x %= 4; print x }'`,
    `awk 'BEGIN { print 1/3, 100/3, 1e6, 1e17, 0.1 + 0.2, 2^10, 2^0.5, int(-3.7), int("12abc") }'`,
    `awk 'BEGIN { OFMT = "%.2f"; print 3.14159; CONVFMT = "%.3f"; x = 2.71828; print (x "") }'`,
    `awk 'BEGIN { printf "%5s|%-5s|%.2s|%05d|%+d|% d|%e|%g|%G|%o|%X|%%\\n", "ab", "cd", "efgh", 42, 5, 7, 12345.678, 0.0001234, 1e20, 8, 255 }'`,
    `awk 'BEGIN { printf "%*d|%-*d|%.*f\\n", 6, 42, 4, 7, 2, 3.14159 }'`,
    `awk 'BEGIN { print substr("hello", 0), substr("hello", -1, 3), substr("hello", 2), substr("hello", 4, 100), substr("hello", 1.5, 2) }'`,
    `awk 'BEGIN { s = "aaa"; print gsub(/x*/, "-", s), s; t = "abc"; gsub(/b*/, "-", t); print t; u = "a.b.c"; gsub(".", "X", u); print u; v = "a&b"; sub(/&/, "\\\\&&", v); print v }'`,
    `awk 'function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) } BEGIN { for (i = 0; i < 12; i++) print i, fact(i) }'`,
    `awk 'function fill(arr, n,   i) { for (i = 1; i <= n; i++) arr[i] = i * i } BEGIN { fill(sq, 5); for (i = 1; i <= 5; i++) printf "%d ", sq[i]; print "" }'`,
    `awk 'BEGIN { a["x"] = 1; a["y"] = 2; delete a["x"]; print ("x" in a), ("y" in a), length(a); delete a; print length(a) }'`,
    `awk 'BEGIN { a[1, 2] = 3; for (k in a) { split(k, p, SUBSEP); print p[1], p[2], a[k] }; if ((1, 2) in a) print "yes" }'`,
    `awk 'NR == 3 { exit } { print }' words.txt`, `awk 'BEGIN { exit 3 } END { print "end" }'`, `awk '{ if (NR > 2) exit NR; print }' words.txt`,
    `awk 'NR == 2 { next } NR < 5' words.txt`, `awk '{ $3 = "X"; print; print NF }' one.txt`, `awk '{ NF = 2; print }' words.txt`, `awk '{ $0 = "a b c"; print $2, NF }' one.txt`,
    `awk -v x=5 -v s='a\\tb' 'BEGIN { print x + 1, s }'`, `awk '{ print v, $1 }' v=1 one.txt v=2 one.txt`, `awk -F'\\t' '{ print NF }' words.txt`, `awk -F '[ae]' '{ print $1 "|" $2 }' words.txt`,
    `awk 'BEGIN { FS = "," } { print $2 }' data.csv`, `awk 'BEGIN { RS = "" } { print NR ": " $1 " " NF }' text.txt`, `awk 'BEGIN { RS = "a" } END { print NR }' text.txt`,
    `awk '{ print > "out.txt" } END { close("out.txt"); while ((getline l < "out.txt") > 0) n++; print n }' words.txt`,
    `awk 'NR == 1 { while ((getline line) > 0) last = line } END { print NR, last }' words.txt`,
    `awk 'BEGIN { while (("cat one.txt" | getline l) > 0) print "got " l; print "sorted:"; print "b\\na" | "sort"; close("sort"); print "after" }'`,
    `awk 'BEGIN { x; if (x == 0 && x == "") print "uninit both"; y = "10"; z = 9; print (y < z), ($1 < 2) }'`, `echo "10 9" | awk '{ print ($1 < $2), ($1 < "9") }'`,
    `awk 'BEGIN { i = 0; do { i++ } while (i < 5); print i; while (1) { if (++j > 3) break }; print j; for (;;) { k++; if (k == 2) continue; if (k > 4) break }; print k }'`,
    `awk 'BEGIN { printf "%d %d %s\\n", "0x1A", "1e3", 1e3 }'`, `awk 'BEGIN { print length("abc") length("") }'`, `awk 'BEGIN { print tolower("MiXeD 123"), toupper("MiXeD") }'`,
    `printf 'BEGIN { FS = "," }\\n{ total += $2 }\\nEND { printf "total %d\\\\n", total }\\n' > prog.awk; awk -f prog.awk data.csv`,
    `awk 'BEGIN { print substr("abc", 2) > "/dev/stderr" }' 2>&1`, `awk '{ print $(NF - 1) }' passwd.txt`, `awk -F: '{ print $(1 + 2) + 0 }' passwd.txt`,
    `awk 'BEGIN { print 1 " " -1; print 2 - 1, 2 -1; x = "A"; print x x x }'`, `awk 'BEGIN { print index("foobar", "bar") ; print 10 % 3, -10 % 3, 7.5 % 2 }'`,
    `awk 'BEGIN { n = split("a:b:c", arr, ":"); for (i = n; i >= 1; i--) printf "%s ", arr[i]; print ""; print split("", e), length(e) }'`,
    `awk 'BEGIN { "date +%Y" | getline y; print (y > 2000) }'`, `awk 'BEGIN { print system("exit 3"), system("true") }'`);
  // gzip and tar round trips (the archive test compares with GNU's files themselves)
  for (const f of ['words.txt', 'bin.dat', 'empty.txt', 'text.txt']) {
    p.push(`gzip -c ${f} | gunzip | cmp - ${f} && echo same`, `gzip -9 -c ${f} | zcat | wc -c`, `gzip -1 < ${f} | gzip -d | md5sum`, `cp ${f} z.tmp && gzip z.tmp && gzip -t z.tmp.gz && gunzip z.tmp.gz && cmp z.tmp ${f} && echo back; rm -f z.tmp z.tmp.gz`);
  }
  p.push('gzip -c words.txt > w.gz; gzip -c one.txt >> w.gz; zcat w.gz | md5sum', 'echo plain | gzip -dc', 'gzip -dc empty.txt');
  p.push('tar -cf x.tar words.txt one.txt empty.txt && tar -tf x.tar', 'tar -cf - one.txt words.txt | tar -tf -', 'tar -cf - one.txt | tar -xOf -', 'tar -czf x.tgz words.txt && tar -xzOf x.tgz | cmp - words.txt && echo same',
    'tar cf y.tar one.txt && mkdir -p xt && tar xf y.tar -C xt && cat xt/one.txt', 'tar -cf z.tar a.txt b.txt && tar -tf z.tar b.txt', 'tar -tf missing.tar');
  // ed (GNU ed's answers): each script edits a copy, then the copy is shown
  const edScripts = ['2,4p', '$=', ',n', '/apple/p', '?fig?p', '1d\nw', '3,5d\n.=\nw', 's/a/A/\nw', '1,$s/a/A/g\nw', ',s/[aeiou]\\(.\\)/<\\1>/2\nw', '2a\nnew line\nanother\n.\nw', '1i\nfirst\n.\n1,2p\nw',
    '3c\nchanged\n.\nw', '2,3j\nw', '1,2m$\nw', '1t0\nw', '$-2,$l', '/Mango/+1p', '1;+2p', '5\n\n\np', '7p\nH\n900p\nh', 'q', 'd\nq\nq', 's/zzz/y/\nH\ns/zzz/y/', 'r one.txt\nw', ',p\nQ', '1,3w part.txt\nQ', 'i\nx\n.\nwq', 'e one.txt\np', 'f'];
  for (const f of ['words.txt', 'dups.txt']) {
    for (const e of edScripts) p.push(`cp ${f} e.txt; printf '${e.replace(/\n/g, '\\n')}\\n' | ed -s e.txt; echo "status $?"; cat e.txt; cat part.txt 2>/dev/null; rm -f part.txt`);
  }
  p.push("printf 'w\\nq\\n' | ed one.txt", "printf 'a\\nhello\\n.\\nw new.txt\\nq\\n' | ed; cat new.txt; rm -f new.txt", "printf ',p\\n' | ed -s missing.txt; echo $?", "printf 'P\\n1p\\nq\\n' | ed -s -p '> ' one.txt");
  return p;
}
