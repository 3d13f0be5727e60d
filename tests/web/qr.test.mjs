// The portal's QR encoder (web/qr.js) against the standard, without a
// decoder: the format and version information against ISO/IEC 18004's
// tables, Reed-Solomon against its worked example (annex I: "01234567",
// 1-M), the function patterns where the standard puts them, both format
// copies naming the mask used, the mask the one of lowest penalty, and the
// data modules read back in placement order giving the codewords, which
// start with byte mode, the length and the text. When zbarimg (zbar-tools)
// is installed, symbols of every version 1–13 are also decoded by it, and an
// EPC QR code ("GiroCode") of the longest kind fits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { qrMatrix, formatBits, versionBits, rsRemainder, interleave, placementOrder, penalty, MASKS } from '../../web/qr.js';

const URI = 'otpauth://totp/ECU%20Chip%20Service:owner%40weber-autotechnik.example?secret=BOEWO6U6EHP5YNQK2CKAMRPYTGUH7JGN'
  + '&issuer=ECU%20Chip%20Service&algorithm=SHA1&digits=6&period=30';

test('format information for level M is the standard\'s table', () => {
  const table = ['101010000010010', '101000100100101', '101111001111100', '101101101001011',
    '100010111111001', '100000011001110', '100111110010111', '100101010100000'];
  for (let mask = 0; mask < 8; mask++) assert.equal(formatBits(mask).toString(2).padStart(15, '0'), table[mask], `mask ${mask}`);
});

test('version information is the standard\'s table', () => {
  assert.equal(versionBits(7), 0x07c94);
  assert.equal(versionBits(8), 0x085bc);
  assert.equal(versionBits(9), 0x09a99);
  assert.equal(versionBits(10), 0x0a4d3);
  assert.equal(versionBits(11), 0x0bbf6);
  assert.equal(versionBits(12), 0x0c762);
  assert.equal(versionBits(13), 0x0d847);
});

test('Reed-Solomon gives the error correction of the standard\'s worked example', () => {
  const data = [0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11];
  assert.deepEqual(rsRemainder(data, 10), [0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55]);
});

function finderAt(q, x0, y0) {
  for (let dy = -1; dy <= 7; dy++) {
    for (let dx = -1; dx <= 7; dx++) {
      const x = x0 + dx, y = y0 + dy;
      if (x < 0 || y < 0 || x >= q.size || y >= q.size) continue;
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
      assert.equal(q.dark[y][x], ring !== 2 && ring !== 4, `finder at ${x0},${y0}: module ${x},${y}`);
    }
  }
}

// The format bits as read from each copy (bit 14 first).
function formatCopies(q) {
  const n = q.size, d = (x, y) => (q.dark[y][x] ? 1 : 0);
  const a = [], b = [];
  for (let i = 0; i <= 5; i++) a[i] = d(8, i);
  a[6] = d(8, 7); a[7] = d(8, 8); a[8] = d(7, 8);
  for (let i = 9; i < 15; i++) a[i] = d(14 - i, 8);
  for (let i = 0; i < 8; i++) b[i] = d(n - 1 - i, 8);
  for (let i = 8; i < 15; i++) b[i] = d(8, n - 15 + i);
  const value = (bits) => bits.reduce((v, bit, i) => v | (bit << i), 0);
  return [value(a), value(b)];
}

function checkStructure(q) {
  assert.equal(q.size, 17 + 4 * q.version);
  finderAt(q, 0, 0);
  finderAt(q, q.size - 7, 0);
  finderAt(q, 0, q.size - 7);
  for (let i = 8; i < q.size - 8; i++) {
    assert.equal(q.dark[6][i], i % 2 === 0, `horizontal timing at ${i}`);
    assert.equal(q.dark[i][6], i % 2 === 0, `vertical timing at ${i}`);
  }
  assert.equal(q.dark[q.size - 8][8], true, 'the dark module');
  const [a, b] = formatCopies(q);
  assert.equal(a, formatBits(q.mask), 'format copy around the top-left finder');
  assert.equal(b, formatBits(q.mask), 'format copy beside the other finders');
  if (q.version >= 7) {
    let tr = 0, bl = 0;
    for (let i = 0; i < 18; i++) {
      const a6 = q.size - 11 + (i % 3), b6 = Math.floor(i / 3);
      tr |= (q.dark[b6][a6] ? 1 : 0) << i;
      bl |= (q.dark[a6][b6] ? 1 : 0) << i;
    }
    assert.equal(tr, versionBits(q.version), 'version block at the top right');
    assert.equal(bl, versionBits(q.version), 'version block at the bottom left');
  }
}

// The codewords read back from the data modules, unmasked.
function readBack(q) {
  const bits = placementOrder(q).map(([x, y]) => (q.dark[y][x] !== MASKS[q.mask](x, y) ? 1 : 0));
  const words = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) words.push(parseInt(bits.slice(i, i + 8).join(''), 2));
  return words;
}

test('a small text: version 1, the patterns in place, the data read back as byte mode', () => {
  const q = qrMatrix('creditd');
  assert.equal(q.version, 1);
  checkStructure(q);
  const words = readBack(q);
  assert.equal(words.length, 26); // 16 data and 10 EC codewords; no remainder bits in version 1
  // 0100 (byte mode), 00000111 (7 bytes), then the bytes.
  assert.equal(words[0], 0x40);
  assert.equal(words[1] >> 4, 7);
  let text = '';
  for (let i = 0; i < 7; i++) text += String.fromCharCode(((words[1 + i] & 15) << 4) | (words[2 + i] >> 4));
  assert.equal(text, 'creditd');
  assert.deepEqual(words.slice(16), rsRemainder(words.slice(0, 16), 10));
});

test('an otpauth URI: version 8 with its alignment and version blocks, interleaved codewords', () => {
  const uri = URI.replaceAll('ECU%20Chip%20Service', 'Shop');
  const q = qrMatrix(uri);
  assert.equal(q.version, 8);
  checkStructure(q);
  // The alignment pattern centred at (24, 24).
  for (let dy = -2; dy <= 2; dy++)
    for (let dx = -2; dx <= 2; dx++) assert.equal(q.dark[24 + dy][24 + dx], Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
  const words = readBack(q).slice(0, 242);
  // De-interleaved, the data codewords start with byte mode and the length.
  const data = [];
  const blocks = [[], [], [], []];
  for (let i = 0; i < 154; i++) {
    const col = i < 152 ? Math.floor(i / 4) : 38;
    const block = i < 152 ? i % 4 : 2 + (i - 152);
    blocks[block][col] = words[i];
  }
  for (const b of blocks) data.push(...b);
  assert.equal(data[0] >> 4, 0b0100);
  assert.equal(((data[0] & 15) << 4) | (data[1] >> 4), uri.length);
  assert.deepEqual(interleave(8, data), words);
});

test('the mask chosen has the lowest penalty of the eight', () => {
  for (const text of ['creditd', URI, 'x'.repeat(100)]) {
    const q = qrMatrix(text);
    for (let mask = 0; mask < 8; mask++) assert.ok(penalty(q.dark) <= penalty(qrMatrix(text, { mask }).dark), `${text.slice(0, 10)} mask ${mask}`);
    for (let mask = 0; mask < 8; mask++) checkStructure(qrMatrix(text, { mask }));
  }
});

test('too long for version 13-M is refused: the 331 bytes of an EPC QR code fit', () => {
  assert.equal(qrMatrix('a'.repeat(213)).version, 10);
  assert.equal(qrMatrix('a'.repeat(214)).version, 11);
  assert.equal(qrMatrix('a'.repeat(331)).version, 13);
  assert.throws(() => qrMatrix('a'.repeat(332)), RangeError);
  // A transfer to a name of 70 umlauts (140 bytes) with the longest IBAN.
  const epc = `BCD\n002\n1\nSCT\nCOBADEFFXXX\n${'ü'.repeat(70)}\nLC14BOSL123456789012345678901234\nEUR999999999.99\n\n\nECS-2026-000001`;
  assert.ok(qrMatrix(epc).version <= 13);
});

function hasZbar() {
  try { execFileSync('zbarimg', ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
}

test('zbarimg reads every version back (when zbar-tools is installed)', { skip: !hasZbar() && 'zbarimg not installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'creditd-qr-'));
  try {
    for (const n of [5, 20, 40, 60, 80, 100, 115, 140, 170, 200, 240, 280, 331]) {
      const text = URI.slice(0, Math.min(n, URI.length)) + 'q'.repeat(Math.max(0, n - URI.length));
      const q = qrMatrix(text);
      const scale = 3, border = 4, w = (q.size + 2 * border) * scale;
      const rows = [];
      for (let y = 0; y < w; y++) {
        const row = [];
        for (let x = 0; x < w; x++) {
          const mx = Math.floor(x / scale) - border, my = Math.floor(y / scale) - border;
          row.push(mx >= 0 && my >= 0 && mx < q.size && my < q.size && q.dark[my][mx] ? 1 : 0);
        }
        rows.push(row.join(' '));
      }
      const file = join(dir, `v${q.version}.pbm`);
      writeFileSync(file, `P1\n${w} ${w}\n${rows.join('\n')}\n`);
      const got = execFileSync('zbarimg', ['-q', '--raw', file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).replace(/\n$/, '');
      assert.equal(got, text, `version ${q.version}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
