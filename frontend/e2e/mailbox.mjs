// The e2e run's mail: smtp_sink.py (a real SMTP server, aiosmtpd from the venv) as a child of
// run.mjs, which the ticketdesk server sends through; each message it accepted is a JSON file
// in a directory of its own, read back here the way a customer would get it (decoded text and
// HTML, the envelope's recipients).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const sinkScript = join(dirname(fileURLToPath(import.meta.url)), 'smtp_sink.py');

/** Start the relay; resolves once it accepts connections, with its `smtp://` URL. */
export async function startMailbox(python) {
  const dir = mkdtempSync(join(tmpdir(), 'ticketdesk-e2e-mail-'));
  const sink = spawn(python, [sinkScript, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  sink.stdout.on('data', (d) => (log += d));
  sink.stderr.on('data', (d) => (log += d));
  // a deadline, not a count of tries: a loaded machine starts Python slowly
  const deadline = Date.now() + 60_000;
  let address = null;
  while (!address && Date.now() < deadline && sink.exitCode === null) {
    address = log.match(/SMTP sink on (127\.0\.0\.1:\d+)/)?.[1];
    if (!address) await new Promise((r) => setTimeout(r, 100));
  }
  if (!address) {
    sink.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the SMTP sink did not start:\n${log}`);
  }

  /** Every message received so far, oldest first. */
  function messages() {
    return readdirSync(dir)
      .filter((name) => /^\d+\.json$/.test(name))
      .sort()
      .map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')));
  }

  return {
    url: `smtp://${address}`,
    messages,
    /** The first message `match` accepts, polled for (the server sends from a job, after its
     * commit): generous, as the machine may be loaded. */
    async waitFor(match, what, timeoutMs = 120_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const found = messages().find(match);
        if (found) return found;
        if (Date.now() > until || sink.exitCode !== null) {
          const seen = messages().map((m) => `${m.rcpt_tos.join(', ')}: ${m.subject}`);
          throw new Error(`no email ${what} in ${timeoutMs / 1000} s; got ${seen.length}:\n      ${seen.slice(-10).join('\n      ')}${sink.exitCode !== null ? `\n    the sink exited:\n${log}` : ''}`);
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    stop() {
      sink.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
