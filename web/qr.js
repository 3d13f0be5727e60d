// A small QR code encoder (ISO/IEC 18004), written for the portal's
// two-factor enrolment and the invoices' EPC QR codes: byte mode, error
// correction level M, versions 1 to 13 (up to 331 bytes, the EPC QR code's
// limit), the mask with the lowest penalty score. qrMatrix(text)
// gives the modules; qrSvg(text) draws them as an SVG element.
//
// The steps, in the standard's order: the data bit stream (mode, length,
// bytes, terminator, pad codewords), Reed-Solomon error correction per block
// over GF(256) (polynomial x^8+x^4+x^3+x^2+1), the blocks' codewords
// interleaved, the function patterns (finders, separators, timing,
// alignment, dark module, format and version information), the codewords
// placed in the two-column zig-zag from the bottom right, and each of the
// eight masks tried.

// Level M, per version: [blocks in group 1, data codewords each, blocks in
// group 2 (one codeword more each), EC codewords per block].
const BLOCKS_M = [null,
  [1, 16, 0, 10], [1, 28, 0, 16], [1, 44, 0, 26], [2, 32, 0, 18], [2, 43, 0, 24],
  [4, 27, 0, 16], [4, 31, 0, 18], [2, 38, 2, 22], [3, 36, 2, 22], [4, 43, 1, 26],
  [1, 50, 4, 30], [6, 36, 2, 22], [8, 37, 1, 22]];
// The centres of the alignment patterns per version (rows and columns alike).
const ALIGN = [null, [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34],
  [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50], [6, 30, 54], [6, 32, 58], [6, 34, 62]];
export const VERSION_MAX = 13;
const EC_BITS_M = 0; // the format's two error-correction bits: L 01, M 00, Q 11, H 10

// ---- GF(256) and Reed-Solomon -------------------------------------------

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
}

function mul(a, b) { return a && b ? EXP[LOG[a] + LOG[b]] : 0; }

// The generator polynomial (x - a^0)(x - a^1)...(x - a^(n-1)), highest
// degree first, its leading 1 left out.
function generator(n) {
  let g = [1];
  for (let i = 0; i < n; i++) {
    const next = new Array(g.length + 1).fill(0);
    for (let j = 0; j < g.length; j++) {
      next[j] ^= g[j];
      next[j + 1] ^= mul(g[j], EXP[i]);
    }
    g = next;
  }
  return g.slice(1);
}

// The n error correction codewords of data: the remainder of data(x)·x^n
// divided by the generator.
export function rsRemainder(data, n) {
  const g = generator(n);
  const r = new Array(n).fill(0);
  for (const byte of data) {
    const factor = byte ^ r.shift();
    r.push(0);
    for (let i = 0; i < n; i++) r[i] ^= mul(g[i], factor);
  }
  return r;
}

// ---- format and version information ------------------------------------

// BCH remainder of value·x^(degree of poly) modulo poly.
function bch(value, poly) {
  const deg = Math.floor(Math.log2(poly));
  let r = value << deg;
  for (let bit = Math.floor(Math.log2(r || 1)); bit >= deg; bit--)
    if (r & (1 << bit)) r ^= poly << (bit - deg);
  return (value << deg) | r;
}

// The 15 format bits of level M and a mask (the BCH(15,5) code, masked with
// 101010000010010 so that no format is all light).
export function formatBits(mask) { return bch((EC_BITS_M << 3) | mask, 0x537) ^ 0x5412; }

// The 18 version bits (BCH(18,6)), versions 7 and up.
export function versionBits(version) { return bch(version, 0x1f25); }

// ---- the symbol ---------------------------------------------------------

function capacity(version) {
  const [b1, d1, b2] = BLOCKS_M[version];
  return b1 * d1 + b2 * (d1 + 1);
}

// The data codewords of bytes in the smallest version that holds them.
function dataCodewords(bytes) {
  let version = 1;
  const bitsNeeded = (v) => 4 + (v < 10 ? 8 : 16) + 8 * bytes.length;
  while (version <= VERSION_MAX && bitsNeeded(version) > 8 * capacity(version)) version++;
  if (version > VERSION_MAX) throw new RangeError(`QR: ${bytes.length} bytes do not fit version ${VERSION_MAX}-M`);
  const bits = [];
  const put = (value, n) => { for (let i = n - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  put(0b0100, 4); // byte mode
  put(bytes.length, version < 10 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  const total = 8 * capacity(version);
  put(0, Math.min(4, total - bits.length)); // terminator
  while (bits.length % 8) bits.push(0);
  const words = [];
  for (let i = 0; i < bits.length; i += 8) words.push(parseInt(bits.slice(i, i + 8).join(''), 2));
  for (let pad = 0xec; words.length < capacity(version); pad ^= 0xec ^ 0x11) words.push(pad);
  return { version, words };
}

// The codewords in the order they are placed: the blocks' data codewords
// column by column, then their EC codewords the same way.
export function interleave(version, words) {
  const [b1, d1, b2, ec] = BLOCKS_M[version];
  const blocks = [];
  let at = 0;
  for (let i = 0; i < b1 + b2; i++) {
    const n = i < b1 ? d1 : d1 + 1;
    const data = words.slice(at, at + n);
    at += n;
    blocks.push({ data, ec: rsRemainder(data, ec) });
  }
  const out = [];
  for (let i = 0; i < d1 + 1; i++) for (const b of blocks) if (i < b.data.length) out.push(b.data[i]);
  for (let i = 0; i < ec; i++) for (const b of blocks) out.push(b.ec[i]);
  return out;
}

// A grid of modules (dark: true) and which of them are function patterns.
function grid(size) {
  return {
    size,
    dark: Array.from({ length: size }, () => new Array(size).fill(false)),
    fixed: Array.from({ length: size }, () => new Array(size).fill(false)),
    set(x, y, dark) { this.dark[y][x] = dark; this.fixed[y][x] = true; },
  };
}

function drawFinder(g, cx, cy) {
  // 7×7 rings around (cx, cy) and the light separator around them.
  for (let dy = -4; dy <= 4; dy++) {
    for (let dx = -4; dx <= 4; dx++) {
      const x = cx + dx, y = cy + dy;
      if (x < 0 || y < 0 || x >= g.size || y >= g.size) continue;
      const ring = Math.max(Math.abs(dx), Math.abs(dy));
      g.set(x, y, ring !== 2 && ring !== 4);
    }
  }
}

function drawAlignment(g, cx, cy) {
  for (let dy = -2; dy <= 2; dy++)
    for (let dx = -2; dx <= 2; dx++) g.set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
}

// Both copies of the format bits (bit 14 the most significant).
function drawFormat(g, mask) {
  const f = formatBits(mask), n = g.size;
  const bit = (i) => ((f >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) g.set(8, i, bit(i));
  g.set(8, 7, bit(6));
  g.set(8, 8, bit(7));
  g.set(7, 8, bit(8));
  for (let i = 9; i < 15; i++) g.set(14 - i, 8, bit(i));
  for (let i = 0; i < 8; i++) g.set(n - 1 - i, 8, bit(i));
  for (let i = 8; i < 15; i++) g.set(8, n - 15 + i, bit(i));
  g.set(8, n - 8, true); // the dark module
}

function drawVersion(g, version) {
  if (version < 7) return;
  const v = versionBits(version), n = g.size;
  for (let i = 0; i < 18; i++) {
    const dark = ((v >>> i) & 1) === 1;
    const a = n - 11 + (i % 3), b = Math.floor(i / 3);
    g.set(a, b, dark); // the block left of the top-right finder
    g.set(b, a, dark); // the block above the bottom-left finder
  }
}

function drawFunctionPatterns(g, version) {
  const n = g.size;
  for (let i = 0; i < n; i++) {
    g.set(6, i, i % 2 === 0);
    g.set(i, 6, i % 2 === 0);
  }
  drawFinder(g, 3, 3);
  drawFinder(g, n - 4, 3);
  drawFinder(g, 3, n - 4);
  const at = ALIGN[version], last = at.length - 1;
  for (let i = 0; i < at.length; i++)
    for (let j = 0; j < at.length; j++)
      if (!((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0))) drawAlignment(g, at[i], at[j]);
  drawFormat(g, 0); // reserved now, written for the chosen mask later
  drawVersion(g, version);
}

// The free modules in placement order: pairs of columns from the right,
// up then down, the vertical timing column skipped.
export function placementOrder(g) {
  const order = [];
  for (let right = g.size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let v = 0; v < g.size; v++) {
      const y = upward ? g.size - 1 - v : v;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        if (!g.fixed[y][x]) order.push([x, y]);
      }
    }
  }
  return order;
}

export const MASKS = [
  (x, y) => (x + y) % 2 === 0,
  (x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(y / 2) + Math.floor(x / 3)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

// The standard's penalty score: runs of five or more (3 + the run past 5),
// 2×2 blocks of one colour (3 each), finder-like 1:1:3:1:1 runs with four
// light modules on a side (40 each), and the distance of the dark share from
// half (10 per 5 %).
export function penalty(dark) {
  const n = dark.length;
  let score = 0;
  const line = (get) => {
    let run = 1;
    for (let i = 1; i <= n; i++) {
      if (i < n && get(i) === get(i - 1)) { run++; continue; }
      if (run >= 5) score += 3 + (run - 5);
      run = 1;
    }
    const pattern = [true, false, true, true, true, false, true];
    for (let i = 0; i + 7 <= n; i++) {
      if (!pattern.every((p, k) => get(i + k) === p)) continue;
      const lightBefore = [1, 2, 3, 4].every((k) => i - k < 0 || !get(i - k));
      const lightAfter = [0, 1, 2, 3].every((k) => i + 7 + k >= n || !get(i + 7 + k));
      if (lightBefore) score += 40;
      if (lightAfter) score += 40;
    }
  };
  for (let y = 0; y < n; y++) line((i) => dark[y][i]);
  for (let x = 0; x < n; x++) line((i) => dark[i][x]);
  let darkCount = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      if (dark[y][x]) darkCount++;
      if (x + 1 < n && y + 1 < n && dark[y][x] === dark[y][x + 1] && dark[y][x] === dark[y + 1][x] && dark[y][x] === dark[y + 1][x + 1]) score += 3;
    }
  }
  score += 10 * Math.floor(Math.abs((darkCount * 100) / (n * n) - 50) / 5);
  return score;
}

// The symbol of text (UTF-8) as {version, size, mask, dark[y][x]}. mask
// forces one (0–7) instead of the lowest penalty.
export function qrMatrix(text, { mask: forced } = {}) {
  const bytes = [...new TextEncoder().encode(text)];
  const { version, words } = dataCodewords(bytes);
  const codewords = interleave(version, words);
  const size = 17 + 4 * version;
  const base = grid(size);
  drawFunctionPatterns(base, version);
  const order = placementOrder(base);
  let best = null;
  for (let mask = 0; mask < 8; mask++) {
    if (forced !== undefined && mask !== forced) continue;
    const g = grid(size);
    g.dark = base.dark.map((row) => row.slice());
    g.fixed = base.fixed.map((row) => row.slice());
    order.forEach(([x, y], i) => {
      const bit = i < codewords.length * 8 ? ((codewords[i >> 3] >>> (7 - (i & 7))) & 1) === 1 : false;
      g.dark[y][x] = bit !== MASKS[mask](x, y);
    });
    drawFormat(g, mask);
    const score = penalty(g.dark);
    if (best === null || score < best.score) best = { version, size, mask, dark: g.dark, fixed: g.fixed, score };
  }
  return best;
}

// An SVG of the symbol with a quiet zone of `border` modules: one path of
// unit squares, crisp at any size.
export function qrSvg(text, { border = 4, size = 200, label = 'QR code' } = {}) {
  const q = qrMatrix(text);
  const total = q.size + 2 * border;
  let d = '';
  for (let y = 0; y < q.size; y++)
    for (let x = 0; x < q.size; x++) if (q.dark[y][x]) d += `M${x + border} ${y + border}h1v1h-1z`;
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${total} ${total}`);
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('class', 'qr');
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', String(total));
  bg.setAttribute('height', String(total));
  bg.setAttribute('fill', '#fff');
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  svg.append(bg, path);
  return svg;
}
