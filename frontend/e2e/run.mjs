// End-to-end: the built app in Debian's headless Chromium against a real `ticketdesk serve`
// on a fresh SQLite data dir seeded with demo tickets, sending its email to a real SMTP server
// of the run's own (mailbox.mjs). Plain Node; a handful of agent flows.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { adminFlows } from './admin.mjs';
import { customerFlows } from './customers.mjs';
import { fieldFlows } from './fields.mjs';
import { startMailbox } from './mailbox.mjs';
import { reportFlows } from './reports.mjs';
import { surveyFlows } from './survey.mjs';
import { ticketFlows } from './ticket.mjs';
import { triageFlows } from './triage.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const python = process.env.TICKETDESK_PYTHON ?? join(root, '.venv/bin/python');
const artifacts = join(root, 'frontend/test-results');
const started = Date.now();

const dataDir = mkdtempSync(join(tmpdir(), 'ticketdesk-e2e-'));
const env = { ...process.env, TICKETDESK_DATA_DIR: dataDir, PYTHONPATH: join(root, 'src'), TICKETDESK_WEBHOOK_ALLOW_PRIVATE: 'true' };
delete env.TICKETDESK_DATABASE_URL;
delete env.TICKETDESK_REDIS_URL;
const seed = spawnSync(python, ['-m', 'ticketdesk', 'seed', '--tickets', '60'], { env, encoding: 'utf8' });
if (seed.status !== 0) {
  console.error(seed.stdout, seed.stderr);
  process.exit(1);
}
// The server sends its email (every flow's) through a real SMTP server the flows can read.
// Its links are made on a public URL of their own (the server's port is not known before it
// binds); a flow opens a link's path on the server.
const mailbox = await startMailbox(python).catch((error) => {
  console.error(error.message);
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
});
const publicUrl = 'http://desk.e2e.test';
const serverEnv = { ...env, TICKETDESK_SMTP_URL: mailbox.url, TICKETDESK_PUBLIC_URL: publicUrl };
// port 0: the kernel picks a free port as the server binds it (no window for another process
// to take it), and uvicorn's start line says which
const server = spawn(python, ['-m', 'ticketdesk', 'serve', '--port', '0'], { env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
let serverLog = '';
server.stdout.on('data', (d) => (serverLog += d));
server.stderr.on('data', (d) => (serverLog += d));
let stopping = false;
server.on('exit', (code, signal) => stopping || console.log(`    the server exited mid-run (code ${code}, signal ${signal})`));
let base = '';

async function waitHealthy() {
  // a deadline, not a count of tries: a loaded machine starts the server slowly
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && server.exitCode === null) {
    const bound = serverLog.match(/Uvicorn running on (http:\/\/127\.0\.0\.1:\d+)/);
    if (bound) {
      base = bound[1];
      try {
        if ((await fetch(`${base}/healthz`)).ok) return;
      } catch {
        /* not up yet */
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server did not start:\n${serverLog}`);
}

async function until(check, message, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(message);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let adminToken = '';
async function call(method, path, body, headers = {}) {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const shots = process.env.E2E_SCREENSHOTS;
async function shot(name) {
  if (shots) await page.screenshot({ path: join(shots, `${name}.png`) });
}
/** The README's pictures (docs/queue.png, docs/ticket.png, docs/admin.png, docs/insights.png): written there with
 * UPDATE_SCREENSHOT=1, else to test-results; `target` clips to one element (smaller files). */
const README_SHOTS = ['queue', 'ticket', 'admin', 'insights'];
async function readmeShot(name, target) {
  if (!README_SHOTS.includes(name)) throw new Error(`not a README screenshot: ${name}`);
  const dir = process.env.UPDATE_SCREENSHOT ? join(root, 'docs') : artifacts;
  mkdirSync(dir, { recursive: true });
  await (target ?? page).screenshot({ path: join(dir, `${name}.png`) });
}

const results = [];
let browser;
let page;
async function step(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push([name, true, Date.now() - t0]);
    console.log(`  ✓ ${name} (${Date.now() - t0} ms)`);
  } catch (error) {
    results.push([name, false, Date.now() - t0]);
    console.log(`  ✗ ${name}\n    ${String(error?.stack ?? error).split('\n').slice(0, 6).join('\n    ')}`);
    mkdirSync(artifacts, { recursive: true });
    await page?.screenshot({ path: join(artifacts, `${name.replace(/\W+/g, '-')}.png`) }).catch(() => {});
  }
}

try {
  await waitHealthy();
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@demo.test', password: 'demo-password' }),
  });
  adminToken = (await login.json()).access_token;
  const users = await call('GET', '/users');
  const ada = users.find((u) => u.email === 'ada@demo.test');

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(30_000); // generous: Chromium on a loaded 2-core machine is slow
  page = await context.newPage();
  page.on('pageerror', (e) => console.log('    page error:', e.message));
  const rows = page.locator('table.tickets tbody tr');

  await step('sign in (bad password, then good; kept across reload)', async () => {
    await page.goto(base);
    await page.getByLabel('Email').fill('admin@demo.test');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await rows.first().waitFor();
    await page.reload();
    await rows.first().waitFor();
    expect((await rows.count()) === 50, 'first page of 50');
    await page.locator('.table-foot').scrollIntoViewIfNeeded();
    await page.getByText('All 60 tickets shown.').waitFor();
    expect((await rows.count()) === 60, 'infinite scroll loaded the next keyset page');
    await page.evaluate(() => window.scrollTo(0, 0));
  });

  await step('queue screenshot', async () => {
    await page.getByRole('heading', { name: 'Tickets' }).waitFor();
    await page.waitForTimeout(300);
    await readmeShot('queue');
  });

  await step('filter the queue (stat bar, priority, URL survives reload)', async () => {
    // Wait on what the agent sees, not on the address bar alone: the URL changes as the click is
    // handled, the list only once the filtered page has come back from the server.
    const shownStatuses = () => page.locator('table.tickets [data-status]').evaluateAll((els) => els.map((e) => e.getAttribute('data-status')));
    const openStat = page.getByRole('group', { name: 'Tickets by status' }).getByRole('button', { name: /Open/ });
    await openStat.click();
    await page.waitForURL(/status=open/);
    await openStat.and(page.locator('[aria-pressed="true"]')).waitFor();
    let statuses = [];
    await until(async () => {
      statuses = await shownStatuses();
      return statuses.length > 0 && statuses.every((s) => s === 'open');
    }, 'only open tickets listed').catch((error) => {
      throw new Error(`${error.message}; still showing ${statuses}`);
    });
    // a filter chip: "+ Filter", Priority, tick Urgent
    await page.getByRole('button', { name: '+ Filter' }).click();
    await page.getByRole('menuitem', { name: 'Priority' }).click();
    const urgent = page.getByRole('dialog', { name: 'Priority filter' }).getByRole('checkbox', { name: 'Urgent' });
    await urgent.check();
    await page.waitForURL(/priority=urgent/);
    await page.getByRole('list', { name: 'Filters' }).getByRole('button', { name: 'Priority: Urgent' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Priority filter' }).waitFor({ state: 'detached' });
    await page.reload();
    await page.locator('table.tickets, .empty-state').first().waitFor();
    const priorities = await page.locator('table.tickets [data-priority]').evaluateAll((els) => els.map((e) => e.getAttribute('data-priority')));
    expect(priorities.every((p) => p === 'urgent'), `only urgent after reload, got ${priorities}`);
    await page.getByRole('list', { name: 'Filters' }).getByRole('button', { name: 'Priority: Urgent' }).waitFor();
  });

  await step('save a view and open it from the sidebar', async () => {
    await page.getByRole('button', { name: 'Save view' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save this view' });
    await dialog.getByLabel('View name').fill('Urgent open');
    await dialog.getByRole('button', { name: 'Save view' }).click();
    await dialog.waitFor({ state: 'detached' });
    const link = page.getByRole('list', { name: 'Saved views' }).getByRole('link', { name: 'Urgent open' });
    await link.waitFor();
    await page.getByRole('link', { name: 'All tickets' }).click();
    await page.waitForURL((url) => url.search === '');
    await link.click();
    await page.waitForURL(/priority=urgent/);
    expect(page.url().includes('status=open'), 'view restores every filter');
    const stored = (await call('GET', '/views')).find((v) => v.name === 'Urgent open');
    expect(stored?.filters.status === 'open' && stored.filters.priority === 'urgent' && stored.pinned, `stored through /views: ${JSON.stringify(stored)}`);
    // it is the server's, not this browser's: a fresh load still shows it
    await page.reload();
    await link.waitFor();
  });

  await step('export the filtered queue as CSV (server export)', async () => {
    const [request, download] = await Promise.all([
      page.waitForRequest((r) => r.url().includes('/api/v1/tickets/export.csv')),
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(/status=open/.test(request.url()) && /priority=urgent/.test(request.url()), `export carries the filters: ${request.url()}`);
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(await download.path(), 'utf8');
    const lines = text.trim().split(/\r?\n/);
    const expected = (await call('GET', '/tickets/stats?status=open&priority=urgent')).total;
    expect(lines.length - 1 === expected, `one row per matching ticket: ${lines.length - 1} vs ${expected}`);
  });

  await step('share a saved view with the team', async () => {
    await page.getByRole('link', { name: 'Manage views…' }).click();
    await page.getByLabel('Shared: Urgent open').click();
    await until(
      async () => (await call('GET', '/views')).find((v) => v.name === 'Urgent open')?.shared,
      'shared through PATCH /views/{id}',
    );
    await page.getByLabel('Shared: Urgent open').and(page.locator(':checked')).waitFor();
  });

  let ticketKey = '';
  await step('open a ticket and change its status', async () => {
    await page.goto(`${base}/?status=open`);
    await rows.first().waitFor();
    ticketKey = await rows.first().getAttribute('data-key');
    await rows.first().locator('td.subject').click();
    await page.waitForURL(new RegExp(`/tickets/${ticketKey}$`));
    await page.getByLabel('Status', { exact: true }).selectOption('in_progress');
    await page.locator('.ticket-header [data-status="in_progress"]').waitFor();
    expect((await call('GET', `/tickets/${ticketKey}`)).status === 'in_progress', 'status saved through the API');
    await shot('ticket-details');
  });

  await step('reply to the requester and add an internal note with a mention', async () => {
    await page.getByPlaceholder('Write your reply to the requester…').fill('Thanks, we are on it.');
    await page.getByLabel('Attach files to this comment').setInputFiles({ name: 'steps.txt', mimeType: 'text/plain', buffer: Buffer.from('1. open\n2. close\n') });
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('.comment.public', { hasText: 'Thanks, we are on it.' }).getByRole('button', { name: /steps\.txt/ }).waitFor();
    // the server's sanitized HTML is rendered: Markdown yes, scripts no
    await call('POST', `/tickets/${ticketKey}/comments`, { body: '**Bold move** <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>', visibility: 'internal' });
    await page.locator('.comment.internal strong', { hasText: 'Bold move' }).waitFor();
    expect((await page.evaluate(() => window.__xss)) === undefined, 'no script ran from a comment');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.comment.public', { hasText: 'Thanks, we are on it.' }).getByRole('button', { name: /steps\.txt/ }).click(),
    ]);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(await download.path(), 'utf8') === '1. open\n2. close\n', 'attachment downloads with the token');
    await page.getByLabel('Internal note').check();
    const note = page.getByPlaceholder('Write an internal note…');
    await note.fill('Please check logs ');
    await note.pressSequentially('@ada');
    await page.getByRole('listbox', { name: 'Mention a teammate' }).getByRole('option', { name: /Ada Lovelace/ }).click();
    await note.pressSequentially('thanks');
    expect((await note.inputValue()).includes('@Ada Lovelace thanks'), 'mention inserted by name');
    await shot('composer-note');
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page.locator('.comment.internal', { hasText: 'Please check logs' }).waitFor();
    const comments = await call('GET', `/tickets/${ticketKey}/comments`);
    expect(comments.some((c) => c.visibility === 'public' && c.body === 'Thanks, we are on it.' && c.attachments[0]?.filename === 'steps.txt'), 'public reply stored with its file');
    expect(comments.some((c) => c.visibility === 'internal' && c.body.startsWith('Please check logs')), 'internal note stored');
  });

  await step('history shows the status change', async () => {
    await page.getByRole('tab', { name: 'History' }).click();
    await page.locator('.timeline li[data-type="ticket.status_changed"]').first().waitFor();
    await shot('history');
  });

  // Live updates would refresh the page before we act; hold its re-reads of the ticket until the
  // agent's change is sent, so the page still shows the old version when it acts (a real race).
  const holdTicketReads = async (key) => {
    const held = [];
    let patched = false;
    const path = `**/api/v1/tickets/${key}`;
    await page.route(path, async (route) => {
      if (route.request().method() === 'GET' && !patched) return held.push(route);
      if (route.request().method() === 'PATCH') patched = true;
      await route.continue();
      for (const r of held.splice(0)) await r.continue().catch(() => {});
    });
    const statuses = [];
    const onResponse = (r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/tickets/${key}`) && statuses.push(r.status());
    page.on('response', onResponse);
    return {
      patchStatuses: statuses,
      release: async () => {
        page.off('response', onResponse);
        await page.unroute(path);
        for (const r of held.splice(0)) await r.continue().catch(() => {});
      },
    };
  };

  await step('a 412 on a field nobody else changed re-applies the change on the new version', async () => {
    await page.getByLabel('Priority', { exact: true }).waitFor();
    const current = await call('GET', `/tickets/${ticketKey}`);
    const other = current.priority === 'low' ? 'high' : 'low';
    const hold = await holdTicketReads(ticketKey);
    try {
      // another agent changes the priority; this agent, on the older version, the status
      await call('PATCH', `/tickets/${ticketKey}`, { priority: other });
      await page.getByLabel('Status', { exact: true }).selectOption('waiting');
      await page.locator('.ticket-header [data-status="waiting"]').waitFor();
      await until(async () => (await page.getByLabel('Priority', { exact: true }).inputValue()) === other, 'the other agent’s priority is shown');
    } finally {
      await hold.release();
    }
    expect(JSON.stringify(hold.patchStatuses) === '[412,200]', `one stale PATCH, then one on the new version: ${hold.patchStatuses}`);
    expect(!(await page.getByText('Someone else changed this ticket').isVisible()), 'no conflict shown');
    const saved = await call('GET', `/tickets/${ticketKey}`);
    expect(saved.status === 'waiting' && saved.priority === other, `both changes kept: ${saved.status}, ${saved.priority}`);
  });

  await step('a 412 on a field someone else changed shows their value instead of overwriting', async () => {
    const hold = await holdTicketReads(ticketKey);
    try {
      await call('PATCH', `/tickets/${ticketKey}`, { status: 'in_progress' });
      await page.getByLabel('Status', { exact: true }).selectOption('open');
      const alert = page.getByRole('alert').filter({ hasText: 'Someone else changed this ticket' });
      await alert.getByRole('listitem').filter({ hasText: 'Status: Waiting → In progress' }).waitFor();
    } finally {
      await hold.release();
    }
    await page.locator('.ticket-header [data-status="in_progress"]').waitFor();
    await shot('conflict');
    expect((await call('GET', `/tickets/${ticketKey}`)).status === 'in_progress', 'our stale change was not applied');
    // the agent still wants it: one click applies it on the version now shown
    await page.getByRole('button', { name: 'Apply my change anyway' }).click();
    await page.locator('.ticket-header [data-status="open"]').waitFor();
    await page.getByText('Someone else changed this ticket').waitFor({ state: 'detached' });
    expect((await call('GET', `/tickets/${ticketKey}`)).status === 'open', 'applied on the new version');
  });

  await step('bulk assign selected tickets', async () => {
    await page.goto(`${base}/?assignee=none&sort=created_at`);
    await rows.first().waitFor();
    const keys = await rows.evaluateAll((els) => els.slice(0, 3).map((e) => e.getAttribute('data-key')));
    for (const key of keys) await page.getByLabel(`Select ${key}`, { exact: true }).check();
    await page.getByText('3 selected').waitFor();
    const patches = [];
    const onRequest = (r) => r.method() === 'PATCH' && patches.push(r.url());
    page.on('request', onRequest);
    const [bulk] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/v1/tickets/bulk')),
      page.getByLabel('Assign to').selectOption({ label: 'Ada Lovelace' }),
    ]);
    await page.getByText('3 of 3 tickets updated').waitFor();
    // assigned, they left this "unassigned" list, and the selection with them
    await page.waitForFunction((gone) => gone.every((k) => !document.querySelector(`tr[data-key="${k}"]`)), keys);
    expect(!(await page.getByText('3 selected').isVisible()), 'the bulk bar no longer counts tickets that are not listed');
    page.off('request', onRequest);
    expect(JSON.stringify(bulk.postDataJSON().tickets) === JSON.stringify(keys), 'one bulk request for the selected tickets');
    expect(patches.length === 0, `no per-ticket PATCH: ${patches}`);
    await shot('bulk');
    for (const key of keys) {
      expect((await call('GET', `/tickets/${key}`)).assignee?.id === ada.id, `${key} assigned to Ada`);
    }
  });

  await step('a change made through the API appears live (over the socket)', async () => {
    // what the server pushes: proof that the change came over the socket, not by a poll,
    // without a stopwatch (a loaded machine may take longer than the polling interval)
    const frames = [];
    const listen = (socket) => socket.on('framereceived', (frame) => frames.push(String(frame.payload)));
    page.on('websocket', listen);
    try {
      await page.goto(base);
      await rows.first().waitFor();
      // connected: the queue stops polling, so only a pushed event can refresh it
      await page.locator('.sidebar-footer').getByText('live', { exact: true }).waitFor();
      const created = await call('POST', '/tickets', { subject: 'Live: printer on fire', priority: 'urgent' });
      let t0 = Date.now();
      await page.locator(`tr[data-key="${created.key}"]`).waitFor();
      const shownAfter = Date.now() - t0;
      const pushed = (type) => frames.some((f) => f.includes(`"${type}"`) && f.includes(`"${created.key}"`));
      expect(pushed('ticket.created'), `ticket.created for ${created.key} came over the socket`);
      t0 = Date.now();
      await call('PATCH', `/tickets/${created.key}`, { status: 'waiting' });
      await page.locator(`tr[data-key="${created.key}"] [data-status="waiting"]`).waitFor();
      const changedAfter = Date.now() - t0;
      expect(pushed('ticket.status_changed'), 'the status change came over the socket');
      console.log(`    pushed in ${shownAfter} ms / ${changedAfter} ms`);
    } finally {
      page.off('websocket', listen);
    }
  });

  await step('presence: two agents on the same ticket see each other', async () => {
    const me = (await call('GET', '/me')).user;
    const target = (await call('POST', '/tickets', { subject: 'Presence: two agents here' })).key;
    const other = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    other.setDefaultTimeout(30_000);
    try {
      const pageB = await other.newPage();
      await pageB.goto(base);
      await pageB.getByLabel('Email').fill('ada@demo.test');
      await pageB.getByLabel('Password').fill('demo-password');
      await pageB.getByRole('button', { name: 'Sign in' }).click();
      await pageB.locator('table.tickets tbody tr').first().waitFor();
      await page.goto(`${base}/tickets/${target}`);
      await pageB.goto(`${base}/tickets/${target}`);
      await page.locator('.presence-warning', { hasText: 'Ada Lovelace is viewing this ticket too' }).waitFor();
      // Ada was mentioned in an internal note earlier: the bell says so, and marks read
      // (the bell says 0 until its first fetch answers: wait for the count, not the first render)
      const bell = pageB.getByRole('button', { name: /Notifications \([1-9]\d* unread\)/ });
      await bell.waitFor();
      await bell.click();
      await pageB.getByRole('dialog', { name: 'Notifications' }).getByText(`${me.name} mentioned you on`).first().waitFor();
      await pageB.getByRole('button', { name: 'Mark all read' }).click();
      await pageB.getByRole('button', { name: 'Notifications (0 unread)' }).waitFor();
      await pageB.getByRole('button', { name: 'Notifications (0 unread)' }).click();
      await pageB.getByRole('dialog', { name: 'Notifications' }).waitFor({ state: 'detached' });
      await pageB.locator('.presence-warning', { hasText: `${me.name} is viewing this ticket too` }).waitFor();
      // B starts writing a reply: A sees the typing signal
      await pageB.getByPlaceholder('Write your reply to the requester…').pressSequentially('On it');
      await page.locator('.presence-warning', { hasText: 'Ada Lovelace is typing on this ticket too' }).waitFor();
      await shot('presence');
      // B leaves: A's warning goes away
      await pageB.goto(base);
      await page.locator('.presence-warning').waitFor({ state: 'detached' });
    } finally {
      await other.close();
    }
    await page.goto(base);
    await rows.first().waitFor();
  });

  await step('merge a duplicate into the original; watch and link', async () => {
    const original = await call('POST', '/tickets', { subject: 'Merge: VPN drops every hour' });
    const duplicate = await call('POST', '/tickets', { subject: 'Merge: VPN keeps disconnecting' });
    await page.goto(`${base}/tickets/${duplicate.key}`);
    // watchers and links on the details tab
    await page.getByRole('region', { name: 'Watchers' }).getByRole('button', { name: 'Watch' }).click();
    await page.getByRole('region', { name: 'Watchers' }).getByRole('button', { name: 'Unwatch' }).waitFor();
    const me = (await call('GET', '/me')).user;
    expect((await call('GET', `/tickets/${duplicate.key}/watchers`)).some((w) => w.id === me.id), 'watching through the API');
    await page.getByLabel('Link kind').selectOption('duplicate');
    await page.getByLabel('Ticket to link').fill(original.key.toLowerCase());
    await page.getByRole('button', { name: 'Link', exact: true }).click();
    await page.getByRole('region', { name: 'Linked tickets' }).getByRole('link', { name: original.key }).waitFor();
    await page.getByRole('button', { name: 'Why these times?' }).click();
    await page.locator('.sla-why p').waitFor();
    await shot('relations');
    await page.getByRole('button', { name: 'Merge…' }).click();
    await page.getByPlaceholder('TKT-123').first().fill(original.key);
    await page.getByRole('button', { name: 'Merge', exact: true }).click();
    await page.waitForURL(new RegExp(`/tickets/${original.key}$`));
    await page.getByRole('heading', { name: 'Merge: VPN drops every hour' }).waitFor();
    const merged = await call('GET', `/tickets/${duplicate.key}`);
    expect(merged.merged_into === original.key, `merged_into set: ${merged.merged_into}`);
    await page.goto(base);
    await rows.first().waitFor();
  });

  await step('split a comment out into a new ticket', async () => {
    const source = await call('POST', '/tickets', { subject: 'Split: two problems in one' });
    await call('POST', `/tickets/${source.key}/comments`, { body: 'Problem one: the printer', visibility: 'internal' });
    const moved = await call('POST', `/tickets/${source.key}/comments`, { body: 'Problem two: the coffee machine', visibility: 'internal' });
    await page.goto(`${base}/tickets/${source.key}?tab=comments`);
    await page.getByRole('button', { name: 'Split…' }).click();
    await page.locator('.comment', { hasText: 'Problem two' }).getByRole('checkbox').check();
    await page.getByLabel('New subject').fill('Coffee machine broken');
    await page.getByRole('button', { name: 'Split into new ticket' }).click();
    await page.getByRole('heading', { name: 'Coffee machine broken' }).waitFor();
    const newKey = page.url().split('/').pop();
    expect(newKey !== source.key, 'on the new ticket');
    const left = await call('GET', `/tickets/${source.key}/comments`);
    const taken = await call('GET', `/tickets/${newKey}/comments`);
    expect(!left.some((c) => c.id === moved.id) && taken.some((c) => c.body.includes('coffee machine')), 'the comment moved');
    await page.goto(base);
    await rows.first().waitFor();
  });

  await step('conversation tab shows the chat transcript and the visitor', async () => {
    const conversation = await call('POST', '/conversations', {
      visitor: { name: 'Vera Visitor', email: 'vera@example.com' },
      messages: [
        { author: 'visitor', body: 'Hi, my export is empty' },
        { author: 'ai', author_name: 'Helper bot', body: 'Let me get a human for you.' },
      ],
    });
    const ticket = await call('POST', `/conversations/${conversation.id}/tickets`, { subject: 'Chat: export is empty' });
    await page.goto(`${base}/tickets/${ticket.key}?tab=conversation`);
    await page.locator('.chat-msg', { hasText: 'Hi, my export is empty' }).waitFor();
    await page.locator('.chat-msg.chat-ai', { hasText: 'Helper bot' }).waitFor();
    await page.getByRole('region', { name: 'Visitor' }).getByText('vera@example.com').waitFor();
    await shot('conversation');
    await page.goto(base);
    await rows.first().waitFor();
  });

  await step('keyboard: j/k, a assigns to me, / search by key, enter opens', async () => {
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('j');
    await page.locator('tr.cursor[data-row-index="1"]').waitFor();
    const key = await page.locator('tr.cursor').getAttribute('data-key');
    await page.keyboard.press('a');
    await page.getByText(`${key} assigned to you.`).waitFor();
    const me = (await call('GET', '/me')).user;
    expect((await call('GET', `/tickets/${key}`)).assignee?.id === me.id, 'a assigned the ticket to me');
    await page.keyboard.press('/');
    expect(await page.locator('#queue-search').evaluate((el) => el === document.activeElement), 'search focused');
    await page.locator('#queue-search').fill(key);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`q=${key}`));
    await page.locator(`tr[data-key="${key}"]`).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('table.tickets tbody tr').length === 1, null, { timeout: 30_000 }).catch(() => {});
    expect((await rows.count()) === 1, 'a ticket key finds exactly that ticket');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/tickets/${key}$`));
  });

  await ticketFlows({ page, step, call, expect, until, base, shot, readmeShot, mailbox });

  if (shots) {
    await step('narrow screen', async () => {
      await page.setViewportSize({ width: 390, height: 800 });
      await page.goto(base);
      await rows.first().waitFor();
      await shot('narrow-queue');
      await page.getByRole('button', { name: 'Menu' }).click();
      await shot('narrow-menu');
      await page.setViewportSize({ width: 1280, height: 800 });
      for (const path of ['users', 'teams', 'statuses', 'tokens']) {
        await page.goto(`${base}/admin/${path}`);
        await page.locator('.admin-page h1').waitFor();
        await page.waitForTimeout(300);
        await shot(`admin-${path}`);
      }
      await page.goto(`${base}/tickets/new`);
      await page.getByRole('heading', { name: 'New ticket' }).waitFor();
      await shot('new-ticket');
    });
  }

  await step('admin: webhook shows its secret once, deliveries with status and latency, redeliver', async () => {
    const received = [];
    const receiver = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise((ok) => receiver.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${receiver.address().port}/hook`;
      await page.goto(`${base}/admin/webhooks`);
      await page.getByLabel('URL').fill(url);
      await page.getByRole('checkbox', { name: 'ticket.status_changed' }).uncheck();
      await page.getByRole('checkbox', { name: 'ticket.created' }).check();
      await page.getByRole('button', { name: 'Create webhook' }).click();
      const secret = await page.locator('.secret-once code.secret').textContent();
      expect(secret && secret.length >= 16, 'secret shown after create');
      const hooks = (await call('GET', '/webhooks')).items;
      expect(hooks.some((h) => h.url === url && !('secret' in h)), 'listed without its secret');
      await call('POST', '/tickets', { subject: 'Webhook: hello receiver' });
      for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(received.length >= 1, 'the receiver got the event');
      // the demo has a webhook of its own: open this one's log
      await page.getByRole('table', { name: 'Webhooks' }).getByRole('row').filter({ hasText: url }).getByRole('button', { name: 'Deliveries' }).click();
      const row = page.getByRole('table', { name: 'Deliveries' }).locator('tbody tr').first();
      await row.getByText('200', { exact: true }).waitFor();
      expect(/\d+ ms/.test(await row.textContent()), 'latency shown');
      await shot('admin-webhooks');
      const before = received.length;
      await row.getByRole('button', { name: 'Redeliver' }).click();
      for (let i = 0; i < 50 && received.length === before; i++) await new Promise((r) => setTimeout(r, 100));
      expect(received.length > before, 'redelivered to the receiver');
    } finally {
      receiver.close();
      for (const hook of (await call('GET', '/webhooks')).items) await call('DELETE', `/webhooks/${hook.id}`);
    }
    for (const path of ['sla', 'automations', 'email']) {
      await page.goto(`${base}/admin/${path}`);
      await page.locator('.admin-page h1').waitFor();
      await page.locator('.admin-page .spinner').waitFor({ state: 'detached' }).catch(() => {});
      await shot(`admin-${path}`);
    }
    // email template preview
    await page.goto(`${base}/admin/email`);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('region', { name: 'Preview' }).waitFor();
  });

  await adminFlows({ page, step, call, expect, until, base, shot, readmeShot });

  await fieldFlows({ page, step, call, expect, until, base, shot });

  await customerFlows({ page, step, call, expect, base, shot });
  await reportFlows({ page, step, call, expect, until, base, shot });
  await triageFlows({ page, step, call, expect, until, base, shot, readmeShot });
  await surveyFlows({ page, step, call, expect, base, shot, mailbox, publicUrl });

  await step('create a ticket on behalf of a customer', async () => {
    await page.getByRole('link', { name: 'New ticket' }).click();
    await page.getByLabel('Customer email').fill('walk.in@example.com');
    await page.getByLabel('Customer name').fill('Walk In');
    await page.getByLabel('Subject').fill('Phoned in: invoice address wrong');
    await page.getByLabel('Priority').selectOption('high');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.getByRole('heading', { name: 'Phoned in: invoice address wrong' }).waitFor();
    const key = page.url().split('/').pop();
    const created = await call('GET', `/tickets/${key}`);
    expect(created.requester?.email === 'walk.in@example.com' && created.channel === 'agent' && created.priority === 'high', 'created for the customer');
    // the form's assignee starts at the agent who opens the ticket
    const me = (await call('GET', '/me')).user;
    expect(created.assignee?.id === me.id, `owned by its creator (assignee ${created.assignee?.id}, me ${me.id})`);
  });

  await step('sign out and back in', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill('admin@demo.test');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // back on the page the agent left
    await page.getByRole('heading', { name: 'Phoned in: invoice address wrong' }).waitFor();
  });

  await step('an expired session sends the agent back to sign in with a message', async () => {
    const token = await page.evaluate(() => localStorage.getItem('ticketdesk.token'));
    await fetch(`${base}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    // the next request (a click, or the auto-refresh within 10 s) finds the session gone
    // (a refetch or the live socket may notice first; otherwise the click does)
    // (a click that cannot happen in 3 s is fine: the refresh or the socket notices instead)
    await page.getByRole('link', { name: 'Unassigned' }).click({ timeout: 3_000 }).catch(() => {});
    await page.getByText('Your session has expired').waitFor({ timeout: 60_000 });
    await page.getByLabel('Email').waitFor();
  });
} catch (error) {
  console.error(error);
  results.push(['setup', false, 0]);
} finally {
  await browser?.close().catch(() => {});
  stopping = true;
  server.kill('SIGTERM');
  mailbox.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const failed = results.filter(([, ok]) => !ok);
console.log(`e2e: ${results.length - failed.length}/${results.length} passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (failed.length) {
  console.log(serverLog.split('\n').filter((l) => /Error|Traceback/.test(l)).slice(-10).join('\n'));
  process.exit(1);
}
