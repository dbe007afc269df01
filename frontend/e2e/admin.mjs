// End-to-end flows for the admin forms, the queue's look, and access: an SLA policy and an
// automation built with the forms and seen acting on new tickets, an axe-core scan, dark mode,
// the narrow screen and the notification bell. Called from run.mjs with its helpers.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const axePath = require.resolve('axe-core/axe.min.js');

/**
 * A page of the same signed-in agent in a context that lets axe-core's script in (the app's
 * Content-Security-Policy, script-src 'self', rightly refuses injected scripts).
 */
export async function scannerPage(page) {
  const context = await page.context().browser().newContext({ viewport: page.viewportSize(), storageState: await page.context().storageState(), bypassCSP: true });
  context.setDefaultTimeout(30_000);
  return context.newPage();
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(0, 2).join(' ')}`) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function describeViolations(violations) {
  return violations.map((v) => `${v.impact} ${v.id} (${v.help}):\n      ${v.nodes.join('\n      ')}`).join('\n    ');
}

/** The page is not wider than the screen (nothing to scroll sideways). */
async function noOverflow(page, where) {
  const { width, inner } = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, inner: window.innerWidth }));
  if (width > inner) throw new Error(`${where}: the page is ${width - inner} px wider than the ${inner} px screen`);
}

function luminance(rgb) {
  const [r, g, b] = rgb.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export async function adminFlows({ page, step, call, expect, until, base, shot, readmeShot }) {
  const outer = page;
  const rows = page.locator('table.tickets tbody tr');
  const run = Date.now().toString(36).slice(-5);
  const policyName = `E2E ${run}: VIP urgent`;
  const ruleName = `E2E ${run}: printer tickets`;
  const vip = `vip-${run}`;
  const hardware = `hardware-${run}`;
  const printer = `printer-${run}`;

  await step('admin: an SLA policy built with the form (its 422 at the cell) times new tickets', async () => {
    await page.goto(`${base}/admin/sla`);
    await page.getByRole('button', { name: 'New policy' }).click();
    const form = page.getByRole('form', { name: 'New policy' });
    await form.getByLabel('Name', { exact: true }).fill(policyName);
    await form.getByRole('group', { name: 'Priority' }).getByRole('checkbox', { name: 'Urgent' }).check();
    const labels = form.getByLabel('Label (any of)');
    await labels.fill(vip);
    await labels.press('Enter');
    await form.getByLabel('Urgent first response', { exact: true }).fill('2');
    await form.getByLabel('Urgent first response unit', { exact: true }).selectOption('hours');
    // more than a year: the server answers 422, shown at that cell
    const resolution = form.getByLabel('Urgent resolution', { exact: true });
    await resolution.fill('10000');
    await form.getByRole('button', { name: 'Create policy' }).click();
    await until(async () => (await resolution.getAttribute('aria-invalid')) === 'true', 'the resolution cell is marked invalid');
    await form.locator('td[data-invalid]').getByText(/less than or equal/i).waitFor();
    expect(!(await call('GET', '/sla-policies')).some((p) => p.name === policyName), 'nothing stored from the refused form');
    await resolution.fill('8');
    await form.getByRole('button', { name: 'Create policy' }).click();
    const row = page.getByRole('table', { name: 'Policies' }).getByRole('row').filter({ hasText: policyName });
    await row.getByText(`priority urgent, label ${vip}`).waitFor();
    await row.getByText('Urgent: first response 2 h, resolution 8 h').waitFor();
    // first by position, so it is the policy that applies (the demo may have others)
    const position = async () => (await call('GET', '/sla-policies')).findIndex((p) => p.name === policyName);
    for (let before = await position(); before > 0; before = await position()) {
      await page.getByRole('button', { name: `Move ${policyName} up` }).click();
      await until(async () => (await position()) < before, 'the policy moved up');
    }
    const ticket = await call('POST', '/tickets', { subject: 'SLA: VIP cannot pay', priority: 'urgent', labels: [vip] });
    const minutes = (iso) => (Date.parse(iso) - Date.parse(ticket.created_at)) / 60_000;
    expect(Math.abs(minutes(ticket.sla.first_response_due_at) - 120) < 1, `first response due 2 h after creation: ${ticket.sla.first_response_due_at}`);
    expect(Math.abs(minutes(ticket.sla.resolution_due_at) - 480) < 1, `resolution due 8 h after creation: ${ticket.sla.resolution_due_at}`);
    expect((await call('GET', `/tickets/${ticket.key}/sla`)).policy?.name === policyName, 'the explanation names the policy');
    // the queue shows the due time
    await page.goto(`${base}/?q=${ticket.key}`);
    await page.locator(`tr[data-key="${ticket.key}"] time.due`).filter({ hasText: /in (1h 5\dm|2h)/ }).waitFor();
    // the form again, as an admin sees it, for the README
    await page.goto(`${base}/admin/sla`);
    await page.getByRole('button', { name: `Edit ${policyName}` }).click();
    const editing = page.getByRole('form', { name: `Edit policy ${policyName}` });
    await editing.waitFor();
    await shot('admin-sla');
    await readmeShot('admin', page.locator('main.content'));
    await page.getByRole('button', { name: 'Cancel' }).click();
  });

  await step('admin: an automation built with the rule builder labels and raises a new ticket', async () => {
    await page.goto(`${base}/admin/automations`);
    await page.getByRole('button', { name: 'New automation' }).click();
    const form = page.getByRole('form', { name: 'New automation' });
    await form.getByLabel('Name', { exact: true }).fill(ruleName);
    await form.getByLabel('When', { exact: true }).selectOption('ticket.created');
    // an incomplete condition is marked before anything is sent
    await form.getByRole('button', { name: 'Create automation' }).click();
    await form.getByText('Give a value.').waitFor();
    await form.getByLabel('All condition 1 field').selectOption('subject');
    await form.getByLabel('All condition 1 operator').selectOption('contains');
    await form.getByLabel('All condition 1 value').fill(printer);
    await form.getByLabel('Action 1 type').selectOption('add_labels');
    const label = form.getByLabel('Action 1 value');
    await label.fill(hardware);
    await label.press('Enter');
    await form.getByRole('button', { name: '+ Action' }).click();
    await form.getByLabel('Action 2 type').selectOption('set_priority');
    await form.getByLabel('Action 2 value').selectOption('high');
    await form.getByRole('button', { name: 'Create automation' }).click();
    await page.getByRole('table', { name: 'Automations' }).getByRole('row').filter({ hasText: ruleName }).getByText(`subject contains ${printer}`).waitFor();
    const stored = (await call('GET', '/automations')).find((a) => a.name === ruleName);
    expect(JSON.stringify(stored?.conditions.all) === JSON.stringify([{ field: 'subject', op: 'contains', value: printer }]), `conditions stored: ${JSON.stringify(stored?.conditions)}`);
    const ticket = await call('POST', '/tickets', { subject: `The ${printer} on floor 3 is jammed`, priority: 'low' });
    expect(ticket.labels.includes(hardware) && ticket.priority === 'high', `the rule acted: ${JSON.stringify({ labels: ticket.labels, priority: ticket.priority })}`);
    const other = await call('POST', '/tickets', { subject: 'Coffee machine is empty', priority: 'low' });
    expect(!other.labels.includes(hardware) && other.priority === 'low', 'a ticket that does not match is left alone');
    // switched off from the list, it stops acting
    await page.getByLabel(`Active: ${ruleName}`).click();
    await until(async () => !(await call('GET', '/automations')).find((a) => a.name === ruleName).active, 'rule switched off');
    const later = await call('POST', '/tickets', { subject: `${printer} again`, priority: 'low' });
    expect(!later.labels.includes(hardware), 'an inactive rule does not act');
  });

  await step('queue: per-view counts in the sidebar, finished urgent tickets muted', async () => {
    await page.goto(base);
    await rows.first().waitFor();
    const urgent = (await call('GET', '/tickets/stats?priority=urgent')).total;
    const count = page.getByRole('navigation', { name: 'Main' }).getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Urgent', exact: true }) }).locator('.nav-count');
    await until(async () => (await count.textContent().catch(() => null)) === String(urgent), `Urgent shows ${urgent}`);
    const done = await call('POST', '/tickets', { subject: 'Finished: urgent but solved', priority: 'urgent' });
    await call('PATCH', `/tickets/${done.key}`, { status: 'resolved' });
    await page.goto(`${base}/?q=${encodeURIComponent(done.key)}`);
    const row = page.locator(`tr[data-key="${done.key}"]`);
    await row.waitFor();
    expect((await row.getAttribute('class')).includes('finished') && !(await row.getAttribute('class')).includes('urgent'), 'a solved urgent ticket is muted, not flagged');
    const bg = await row.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(!/rgb\(25[0-5], 2[0-4]\d, 2[0-4]\d\)/.test(bg) || bg === 'rgba(0, 0, 0, 0)', `no red tint: ${bg}`);
    await page.goto(base);
    await rows.first().waitFor();
    await shot('queue');
  });

  await step('look: axe-core finds no serious or critical violations (queue, admin forms, dark mode)', async () => {
    const scans = [];
    const page = await scannerPage(outer);
    const rows = page.locator('table.tickets tbody tr');
    try {
      await page.goto(base);
      await rows.first().waitFor();
      scans.push(['queue', await axeViolations(page)]);
      await page.getByRole('button', { name: '+ Filter' }).click();
      await page.getByRole('menuitem', { name: 'Priority' }).click();
      await page.getByRole('dialog', { name: 'Priority filter' }).waitFor();
      scans.push(['queue with a chip editor open', await axeViolations(page)]);
      await page.keyboard.press('Escape');
      await page.goto(`${base}/admin/sla`);
      await page.getByRole('button', { name: 'New policy' }).click();
      await page.getByRole('form', { name: 'New policy' }).waitFor();
      scans.push(['SLA policy form', await axeViolations(page)]);
      await page.goto(`${base}/admin/automations`);
      await page.getByRole('button', { name: 'New automation' }).click();
      await page.getByRole('form', { name: 'New automation' }).waitFor();
      scans.push(['automation form', await axeViolations(page)]);
      await page.goto(`${base}/admin/webhooks`);
      await page.getByRole('form', { name: 'Add a webhook' }).waitFor();
      scans.push(['webhooks', await axeViolations(page)]);
      await page.goto(`${base}/admin/macros`);
      await page.getByRole('button', { name: 'New macro' }).click();
      const macro = page.getByRole('form', { name: 'New macro' });
      await macro.getByRole('button', { name: '+ Action' }).click();
      await macro.getByLabel('Reply', { exact: true }).fill('Hi {{ requester.first_name }}');
      scans.push(['macro form', await axeViolations(page)]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.goto(base);
      await rows.first().waitFor();
      scans.push(['queue, dark', await axeViolations(page)]);
      await page.goto(`${base}/admin/sla`);
      await page.getByRole('button', { name: 'New policy' }).click();
      await page.getByRole('form', { name: 'New policy' }).waitFor();
      scans.push(['SLA policy form, dark', await axeViolations(page)]);
    } finally {
      await page.context().close();
    }
    const failed = scans.filter(([, v]) => v.length);
    expect(failed.length === 0, failed.map(([where, v]) => `${where}:\n    ${describeViolations(v)}`).join('\n  '));
  });

  await step('look: axe-core on a ticket page; Copy on one line and the assignee readable at 1440 px', async () => {
    const ticket = await call('POST', '/tickets', { subject: 'A11y: the ticket page', description: 'Checking the ticket page.' });
    await page.setViewportSize({ width: 1440, height: 900 });
    try {
      await page.goto(`${base}/tickets/${ticket.key}`);
      await page.getByRole('heading', { name: 'A11y: the ticket page' }).waitFor();
      await page.waitForLoadState('networkidle').catch(() => {});
      const wrapped = await page.evaluate(() =>
        [...document.querySelectorAll('button')]
          .filter((b) => /^\s*Copy/.test(b.textContent ?? '') && b.offsetParent)
          .filter((b) => b.getBoundingClientRect().height > parseFloat(getComputedStyle(b).lineHeight || '20') * 1.6 + 12)
          .map((b) => b.textContent),
      );
      expect(wrapped.length === 0, `a Copy button wraps: ${wrapped}`);
      const squeezed = await page.evaluate(() =>
        [...document.querySelectorAll('select')]
          .filter((s) => /assign/i.test(`${s.getAttribute('aria-label') ?? ''} ${s.labels?.[0]?.textContent ?? ''}`) && s.offsetParent)
          .filter((s) => s.getBoundingClientRect().width < 150)
          .map((s) => `${s.getAttribute('aria-label') ?? s.labels?.[0]?.textContent}: ${Math.round(s.getBoundingClientRect().width)} px`),
      );
      expect(squeezed.length === 0, `the assignee select is squeezed: ${squeezed}`);
      const scanner = await scannerPage(page);
      try {
        await scanner.goto(`${base}/tickets/${ticket.key}`);
        await scanner.getByRole('heading', { name: 'A11y: the ticket page' }).waitFor();
        const violations = await axeViolations(scanner);
        expect(violations.length === 0, `ticket page:\n    ${describeViolations(violations)}`);
      } finally {
        await scanner.context().close();
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  await step('look: dark mode from the system and from the toggle (kept across reloads)', async () => {
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await page.goto(base);
      await rows.first().waitFor();
      expect(luminance(await background()) < 0.05, `a dark page when the system is dark: ${await background()}`);
      const text = await rows.first().locator('td.subject').evaluate((el) => getComputedStyle(el).color);
      expect(luminance(text) > 0.5, `light text on it: ${text}`);
      await shot('queue-dark');
      const toggle = page.getByRole('button', { name: 'Dark mode' });
      expect((await toggle.getAttribute('aria-pressed')) === 'true', 'the toggle says dark');
      await toggle.click();
      await until(async () => luminance(await background()) > 0.8, 'light after the toggle');
      await page.reload();
      await rows.first().waitFor();
      expect(luminance(await background()) > 0.8, 'the choice survives a reload, over the system setting');
      await page.getByRole('button', { name: 'Dark mode' }).click();
      await until(async () => luminance(await background()) < 0.05, 'dark again');
    } finally {
      await page.evaluate(() => localStorage.removeItem('ticketdesk.theme'));
      await page.emulateMedia({ colorScheme: 'light' });
    }
    await page.reload();
    await rows.first().waitFor();
    expect(luminance(await background()) > 0.8, 'back to the light system setting');
  });

  await step('look: nothing wider than a 390 px screen; the bell shows its unread pill and keeps its icon open', async () => {
    // another agent assigns the admin a ticket: one unread notification
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'ada@demo.test', password: 'demo-password' }) });
    const ada = (await login.json()).access_token;
    const me = (await call('GET', '/me')).user;
    const assigned = await fetch(`${base}/api/v1/tickets`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${ada}` }, body: JSON.stringify({ subject: 'Bell: for the admin', assignee_id: me.id }) });
    expect(assigned.ok, `Ada gave the admin a ticket: ${assigned.status}`);
    await page.goto(base);
    await rows.first().waitFor();
    const pill = page.locator('.sidebar .bell-count');
    await pill.waitFor();
    const box = await pill.boundingBox();
    expect(box && box.width >= 14 && box.height >= 14, `the unread pill has a size: ${JSON.stringify(box)}`);
    expect(Number((await pill.getAttribute('data-count')).replace('+', '')) >= 1, 'it shows a number');
    const bell = page.getByRole('button', { name: /Notifications \(\d+ unread\)/ });
    await bell.click();
    await page.getByRole('dialog', { name: 'Notifications' }).waitFor();
    const icon = await bell.evaluate((el) => {
      const svg = el.querySelector('svg');
      const r = svg.getBoundingClientRect();
      let bg = getComputedStyle(el).backgroundColor;
      for (let node = el; bg === 'rgba(0, 0, 0, 0)' && node.parentElement; node = node.parentElement) bg = getComputedStyle(node.parentElement).backgroundColor;
      return { width: r.width, height: r.height, color: getComputedStyle(svg).color, bg };
    });
    const [hi, lo] = [luminance(icon.color), luminance(icon.bg)].sort((a, b) => b - a);
    expect(icon.width > 10 && (hi + 0.05) / (lo + 0.05) >= 3, `the open bell keeps a visible icon: ${JSON.stringify(icon)}`);
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Notifications' }).waitFor({ state: 'detached' });

    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(base);
      await rows.first().waitFor();
      await noOverflow(page, 'queue');
      await page.getByRole('button', { name: '+ Filter' }).click();
      await page.getByRole('menuitem', { name: 'Status', exact: true }).click();
      await page.getByRole('dialog', { name: 'Status filter' }).waitFor();
      await noOverflow(page, 'queue with a chip editor');
      await page.keyboard.press('Escape');
      for (const [path, open] of [
        ['/admin/sla', 'New policy'],
        ['/admin/sla?tab=hours', 'New schedule'],
        ['/admin/automations', 'New automation'],
        ['/admin/automations?tab=auto-assign', null],
        ['/admin/macros', 'New macro'],
        ['/macros', 'New macro'],
        ['/admin/webhooks', null],
        ['/admin/email?tab=settings', null],
        ['/admin/email?tab=form', null],
        ['/admin/workspace', null],
      ]) {
        await page.goto(`${base}${path}`);
        await page.locator('.admin-page h1').waitFor();
        await page.locator('.admin-page .spinner').waitFor({ state: 'detached' }).catch(() => {});
        if (open) await page.getByRole('button', { name: open }).click();
        await noOverflow(page, path);
      }
      await page.goto(`${base}/admin/sla`);
      await page.getByRole('button', { name: 'New policy' }).click();
      await shot('narrow-admin-sla');
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
    await page.goto(base);
    await rows.first().waitFor();
  });
}
