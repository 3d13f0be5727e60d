// A real SMTP server on 127.0.0.1 for the mail tests (npm's smtp-server),
// keeping every message it accepted, parsed by mailparser, and a bounded
// wait for the one a test expects.
import assert from 'node:assert/strict';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export async function startRelay() {
  const messages = [];
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        const parsed = await simpleParser(raw);
        messages.push({ raw: raw.toString('utf8'), parsed, to: session.envelope.rcptTo.map((r) => r.address) });
        callback(null, 'queued');
      });
    },
  });
  server.on('error', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.server.address().port,
    messages,
    env: { CREDITD_SMTP_URL: `smtp://127.0.0.1:${server.server.address().port}`, CREDITD_MAIL_FROM: 'noreply@shop.example' },
    close: () => new Promise((r) => server.close(r)),
  };
}

// Waits (bounded) until pick finds a message, and returns it.
export async function waitForMail(relay, pick, what) {
  for (let i = 0; i < 200; i++) {
    const m = relay.messages.find(pick);
    if (m) return m;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`no mail: ${what}; got: ${relay.messages.map((m) => `${m.to} ${m.parsed.subject}`).join(' | ')}`);
}
