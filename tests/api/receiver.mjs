// A webhook receiver on 127.0.0.1 for the tests: it keeps every request it
// got (headers, raw body, parsed JSON) and answers what the test tells it:
// a status per request (a function of the request number), optionally late.
import http from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

export async function startReceiver({ answer = () => 200, delayMs = 0 } = {}) {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let json = null;
      try { json = JSON.parse(raw.toString('utf8')); } catch { json = null; }
      const entry = { method: req.method, url: req.url, headers: req.headers, raw, json, at: Date.now() };
      got.push(entry);
      const status = answer(got.length, entry);
      setTimeout(() => {
        res.writeHead(status, { 'Content-Type': 'text/plain' });
        res.end(status < 300 ? 'ok' : `failing on purpose (${status})`);
      }, delayMs);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/hook`,
    got,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); }),
  };
}

// Checks a Creditd-Signature header over raw with secret, as a receiver
// would: the MAC over "<t>.<body>" and a timestamp within tolerance.
export function signatureIsValid(secret, header, raw, toleranceS = 300, nowS = Date.now() / 1000) {
  const parts = Object.fromEntries(String(header).split(',').map((p) => p.split('=', 2)));
  if (!/^\d+$/.test(parts.t || '') || !/^[0-9a-f]{64}$/.test(parts.v1 || '')) return false;
  if (Math.abs(nowS - Number(parts.t)) > toleranceS) return false;
  const mac = createHmac('sha256', secret).update(`${parts.t}.`).update(raw).digest();
  return timingSafeEqual(mac, Buffer.from(parts.v1, 'hex'));
}
