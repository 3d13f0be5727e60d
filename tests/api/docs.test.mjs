// docs/api.md against the running server: every route of the OpenAPI
// document has a "### METHOD /pattern" section and every section names a
// route; each section's "Roles:" line is the route's x-roles and its
// "Idempotent:" line its x-idempotent. CREDITD_API_MD overrides the path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, Client } from './harness.mjs';

const md = process.env.CREDITD_API_MD
  || join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'api.md');

let server;
let routes; // "METHOD /pattern" → OpenAPI operation
let sections; // "METHOD /pattern" → section text

function parseSections(text) {
  const out = new Map();
  const dupes = [];
  let current = null;
  let inFence = false;
  for (const line of text.split('\n')) {
    if (/^```/.test(line)) inFence = !inFence;
    if (inFence) { if (current) out.get(current).push(line); continue; }
    const m = /^### (GET|POST|PATCH|PUT|DELETE|HEAD|OPTIONS) (\/\S*)\s*$/.exec(line);
    if (m) {
      current = `${m[1]} ${m[2]}`;
      if (out.has(current)) dupes.push(current);
      out.set(current, []);
    } else if (/^#{1,3} /.test(line)) {
      current = null;
    } else if (current) {
      out.get(current).push(line);
    }
  }
  return { sections: new Map([...out].map(([k, v]) => [k, v.join('\n')])), dupes };
}

before(async () => {
  server = await startServer();
  const r = await new Client(server.url).get('/api/v1/openapi.json');
  assert.equal(r.status, 200, r.text);
  routes = new Map();
  for (const [path, ops] of Object.entries(r.json.paths))
    for (const [method, op] of Object.entries(ops)) routes.set(`${method.toUpperCase()} ${path}`, op);
  const parsed = parseSections(readFileSync(md, 'utf8'));
  sections = parsed.sections;
  assert.deepEqual(parsed.dupes, [], `routes documented twice in ${md}`);
});
after(async () => { await server.stop(); });

test('every route has a section in docs/api.md and every section a route', () => {
  const missing = [...routes.keys()].filter((k) => !sections.has(k)).sort();
  const extra = [...sections.keys()].filter((k) => !routes.has(k)).sort();
  if (missing.length) console.log(`routes without a "### METHOD /pattern" section:\n  ${missing.join('\n  ')}`);
  if (extra.length) console.log(`sections naming no route:\n  ${extra.join('\n  ')}`);
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
});

test('each section names the roles of its route', () => {
  const wrong = [];
  for (const [k, op] of routes) {
    const text = sections.get(k);
    if (text === undefined) continue; // reported by the test above
    const m = /^Roles: (.+)$/m.exec(text);
    const documented = m ? m[1].split(',').map((s) => s.trim().replace(/[`.]/g, '')).filter(Boolean).sort() : [];
    const actual = [...(op['x-roles'] || [])].sort();
    if (JSON.stringify(documented) !== JSON.stringify(actual))
      wrong.push(`${k}: documented [${documented.join(', ')}], route [${actual.join(', ')}]`);
  }
  assert.deepEqual(wrong, []);
});

test('each section says whether its route honours Idempotency-Key', () => {
  const wrong = [];
  for (const [k, op] of routes) {
    const text = sections.get(k);
    if (text === undefined) continue;
    const m = /^Idempotent: (yes|no)\b/m.exec(text);
    const actual = op['x-idempotent'] ? 'yes' : 'no';
    if (!m || m[1] !== actual) wrong.push(`${k}: documented ${m ? m[1] : 'nothing'}, route ${actual}`);
  }
  assert.deepEqual(wrong, []);
});
