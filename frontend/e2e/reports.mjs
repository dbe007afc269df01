// End-to-end flow of the Reports dashboard on the seeded demo history: it renders with the
// demo data (the same numbers as the API), a queue filter changes them, a bar opens the queue
// with the same filters and the bucket's dates, and axe-core finds nothing serious, light or
// dark. Called from run.mjs with its helpers.
import { axeViolations, describeViolations, scannerPage } from './admin.mjs';

/** The number a totals tile shows ("Created" → 60). */
async function tile(page, label) {
  const text = await page.getByRole('group', { name: 'Totals' }).locator('.report-tile', { hasText: label }).locator('strong').textContent();
  return Number(text);
}

const days = (params) => (Date.parse(params.get('to')) - Date.parse(params.get('from'))) / 86_400_000;

/** The answer of the ungrouped created-volume report (the tiles' and the chart's) whose query
 * passes `wanted` (an answer for the page's previous settings may still be on its way). */
function createdReport(page, wanted) {
  return page
    .waitForResponse((r) => {
      const url = new URL(r.url());
      return url.pathname === '/api/v1/reports/volume' && url.searchParams.get('metric') === 'created' && !url.searchParams.has('group_by') && r.ok() && wanted(url.searchParams);
    })
    .then(async (r) => ({ params: new URL(r.url()).searchParams, body: await r.json() }));
}

/** How many tickets the queue counts with these filters and the report's range. */
async function queueCount(call, params, extra = '') {
  const range = `created_after=${encodeURIComponent(params.get('from'))}&created_before=${encodeURIComponent(params.get('to'))}`;
  return (await call('GET', `/tickets/stats?${range}${extra}`)).total;
}

export async function reportFlows({ page, step, call, expect, until, base, shot }) {
  const volume = page.locator('section[data-report="volume"]');

  await step('reports: the dashboard renders the demo history (as the API and the queue count it)', async () => {
    await page.getByRole('link', { name: 'Reports' }).click();
    await page.waitForURL(/\/reports/);
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    const answer = createdReport(page, (p) => days(p) > 89 && p.get('interval') === 'day');
    await page.getByLabel('Range').selectOption('90');
    await page.waitForURL(/range=90/);
    const { params, body } = await answer;
    expect(params.get('interval') === 'day' && body.buckets.length >= 90, `90 daily buckets, got ${body.buckets.length}`);
    const weekly = createdReport(page, (p) => days(p) > 89 && p.get('interval') === 'week');
    await page.getByLabel('Interval').selectOption('week');
    await page.waitForURL(/interval=week/);
    const week = await weekly;
    await volume.locator('.recharts-bar-rectangle').first().waitFor();
    const shown = await until(async () => {
      const n = await tile(page, 'Created');
      return Number.isFinite(n) && n > 0 ? n : null;
    }, 'the Created tile shows a number');
    const counted = await queueCount(call, week.params);
    expect(shown === week.body.total && shown === counted, `Created tile ${shown}, report ${week.body.total}, queue ${counted}`);
    const me = await call('GET', '/me');
    await page.getByText(`Time zone: ${me.workspace.timezone}`).waitFor();
    // every card has drawn something: charts for the history, a table of agents
    for (const id of ['breakdown', 'times', 'sla', 'csat']) {
      await page.locator(`section[data-report="${id}"] .recharts-surface`).first().waitFor();
    }
    const agents = page.getByRole('table', { name: 'Agents' }).locator('tbody tr');
    await agents.first().waitFor();
    expect((await agents.count()) >= 3, 'several agents in the table');
    await shot('reports');
  });

  await step('reports: a queue filter changes the numbers', async () => {
    const all = await until(async () => {
      const n = await tile(page, 'Created');
      return Number.isFinite(n) && n > 0 ? n : null;
    }, 'the Created tile shows a number');
    await page.getByRole('button', { name: '+ Filter' }).click();
    await page.getByRole('menuitem', { name: 'Priority' }).click();
    const answer = createdReport(page, (p) => p.get('priority') === 'urgent');
    await page.getByRole('dialog', { name: 'Priority filter' }).getByRole('checkbox', { name: 'Urgent' }).check();
    await page.waitForURL(/priority=urgent/);
    await page.keyboard.press('Escape');
    await page.getByRole('list', { name: 'Filters' }).getByRole('button', { name: 'Priority: Urgent' }).waitFor();
    const { params, body } = await answer;
    expect(params.get('priority') === 'urgent', 'the report got the filter');
    const urgent = await until(async () => {
      const n = await tile(page, 'Created');
      return Number.isFinite(n) && n !== all ? n : null;
    }, `the Created tile stays at ${all}`);
    const counted = await queueCount(call, params, '&priority=urgent');
    expect(urgent > 0 && urgent < all && urgent === body.total && urgent === counted, `urgent: tile ${urgent} of ${all}, report ${body.total}, queue ${counted}`);
  });
  await step('reports: a bar opens the queue with the same filters and the bucket', async () => {
    // the newest week's Created bar (the first series)
    const bars = volume.locator('.recharts-bar').first().locator('.recharts-bar-rectangle path');
    await bars.last().waitFor();
    await bars.last().click();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.has('created_after'));
    const params = new URL(page.url()).searchParams;
    expect(params.get('priority') === 'urgent', `the filter came along: ${page.url()}`);
    const after = new Date(params.get('created_after'));
    const beforeAt = new Date(params.get('created_before'));
    expect(beforeAt > after && beforeAt - after <= 7 * 86_400_000 + 3_600_000, `one week: ${after.toISOString()} to ${beforeAt.toISOString()}`);
    await page.getByRole('list', { name: 'Filters' }).getByText(/^Created: from /).waitFor();
    const rows = page.locator('table.tickets tbody tr');
    await rows.first().waitFor();
    const priorities = await page.locator('table.tickets [data-priority]').evaluateAll((els) => els.map((e) => e.getAttribute('data-priority')));
    expect(priorities.length > 0 && priorities.every((p) => p === 'urgent'), `only urgent tickets, got ${priorities}`);
    const listed = await call('GET', `/tickets/stats?${params.toString()}`);
    expect(listed.total === priorities.length, `the queue lists the bar's ${listed.total} tickets (${priorities.length} shown)`);
    await page.goBack();
    await page.waitForURL(/\/reports/);
  });

  await step('reports: axe-core finds no serious or critical violations (light and dark)', async () => {
    const scanner = await scannerPage(page);
    const scans = [];
    try {
      await scanner.goto(`${base}/reports?range=90&interval=week`);
      await scanner.locator('section[data-report="volume"] .recharts-bar-rectangle').first().waitFor();
      await scanner.getByRole('table', { name: 'Agents' }).waitFor();
      scans.push(['reports', await axeViolations(scanner)]);
      await scanner.emulateMedia({ colorScheme: 'dark' });
      await scanner.reload();
      await scanner.locator('section[data-report="volume"] .recharts-bar-rectangle').first().waitFor();
      scans.push(['reports, dark', await axeViolations(scanner)]);
    } finally {
      await scanner.context().close();
    }
    const failed = scans.filter(([, v]) => v.length);
    expect(failed.length === 0, failed.map(([where, v]) => `${where}:\n    ${describeViolations(v)}`).join('\n  '));
  });
}
