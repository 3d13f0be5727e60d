// Throw-away PostgreSQL clusters for the cluster tests: a primary, streaming
// standbys (pg_basebackup -R), promotion and a crash (-m immediate), all on
// 127.0.0.1 through scripts/pg_cluster.sh, each in a directory of its own
// that stop() removes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../scripts/pg_cluster.sh', import.meta.url));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function script(...args) {
  return execFileSync('bash', [SCRIPT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// One SQL statement on the cluster at port (database postgres unless given);
// returns the rows as psql -At prints them.
export function sql(port, text, db = 'postgres') {
  return execFileSync('psql', ['-qAtX', '-v', 'ON_ERROR_STOP=1', `postgresql://postgres@127.0.0.1:${port}/${db}`, '-c', text],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

class Cluster {
  constructor(dir, port) {
    this.dir = dir;
    this.port = port;
  }

  url(db) { return `postgresql://postgres@127.0.0.1:${this.port}/${db}`; }
  createdb(name) { return script('createdb', this.dir, String(this.port), name); }
  sql(text, db) { return sql(this.port, text, db); }
  promote() { script('promote', this.dir); }
  crash() { script('crash', this.dir); }
  stop() {
    try { script('stop', this.dir); } catch { /* already gone */ }
    rmSync(this.dir, { recursive: true, force: true });
  }

  // A streaming standby of this cluster, started. With sync, the primary
  // waits for it at every commit (synchronous_standby_names).
  async standby({ sync = false } = {}) {
    const dir = mkdtempSync('/tmp/creditd-stb.');
    rmSync(dir, { recursive: true, force: true });
    const port = await freePort();
    script('standby', String(this.port), dir, String(port));
    const s = new Cluster(dir, port);
    if (sync) {
      const name = dir.split('/').pop().replace(/[^a-zA-Z0-9_]/g, '_');
      this.sql(`ALTER SYSTEM SET synchronous_standby_names = '"${name}"'`);
      this.sql('SELECT pg_reload_conf()');
      for (let i = 0; i < 100; i++) {
        if (this.sql(`SELECT sync_state FROM pg_stat_replication WHERE application_name = '${name}'`) === 'sync') return s;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('the standby did not become synchronous');
    }
    return s;
  }
}

// A new primary cluster on a free port.
export async function startCluster() {
  const dir = mkdtempSync('/tmp/creditd-pg.');
  const port = await freePort();
  script('start', dir, String(port));
  return new Cluster(dir, port);
}

// The creditd CLI on a database; returns stdout, throws on a non-zero exit.
export function cli(db, ...args) {
  const bin = process.env.CREDITD_BIN || 'build/creditd';
  return execFileSync(bin, [...args, '--db', db], { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

export function initDb(db, email, password) {
  const bin = process.env.CREDITD_BIN || 'build/creditd';
  execFileSync(bin, ['init', '--db', db, '--admin-email', email, '--admin-password-stdin'],
    { input: `${password}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
