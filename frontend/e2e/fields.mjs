// End-to-end flow of typed custom fields, ticket types and approvals: an admin defines a field
// and a type through the forms, reorders fields by drag and drop, a ticket of that type is
// refused a status by a rule (required field, shown at the field), the field is filled in on the
// ticket page, an agent's change waits for approval, and the admin approves it from the
// Approvals page; the bulk bar sets a field (one ticket refused, shown), and on the ticket page a
// stale approval is refused (409, shown at the button) and rejected with a comment. Called from
// run.mjs.

/** Sign in through the API as a demo user. */
async function tokenFor(base, email) {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo-password' }),
  });
  if (!response.ok) throw new Error(`login ${email} → ${response.status}`);
  return (await response.json()).access_token;
}

export async function fieldFlows({ page, step, call, expect, until, base, shot }) {
  const run = Date.now().toString(36).slice(-5);
  const fieldKey = `refund_${run}`;
  const typeKey = `return_${run}`;
  const noteKey = `note_${run}`;
  let ticketKey = '';

  await step('fields: define a decimal field and a type with a required field and an approval gate', async () => {
    await page.goto(`${base}/admin/fields`);
    await page.getByRole('button', { name: 'New field' }).click();
    const form = page.getByRole('form', { name: 'New field' });
    await form.getByLabel('Label', { exact: true }).fill(`Refund ${run}`);
    expect((await form.getByLabel('Key', { exact: true }).inputValue()) === fieldKey, 'the key follows the label');
    await form.getByLabel('Kind').selectOption('decimal');
    await form.getByLabel('Minimum').fill('0');
    await form.getByRole('button', { name: 'Create field' }).click();
    await page.getByRole('table', { name: 'Custom fields' }).getByText(`Refund ${run}`).waitFor();
    const field = (await call('GET', '/custom-fields')).find((f) => f.key === fieldKey);
    expect(field?.kind === 'decimal' && field.validation.min === '0', `field stored: ${JSON.stringify(field)}`);

    await page.goto(`${base}/admin/ticket-types`);
    await page.getByRole('button', { name: 'New ticket type' }).click();
    const type = page.getByRole('form', { name: 'New ticket type' });
    await type.getByLabel('Name', { exact: true }).fill(`Return ${run}`);
    // the lifecycle as a grid: only some moves, resolving by anyone
    await type.getByLabel('Any status may move to any other').uncheck();
    await type.getByRole('checkbox', { name: 'Open to Closed' }).uncheck();
    await type.locator('summary', { hasText: 'Resolved' }).first().click();
    await type.getByRole('group', { name: 'Required for Resolved' }).getByRole('checkbox', { name: `Refund ${run}` }).check();
    await type.getByRole('button', { name: '+ Approval rule' }).click();
    await type.getByLabel('Rule 1: target status').selectOption('resolved');
    await type.getByLabel('Rule 1: condition field').selectOption(fieldKey);
    await type.getByLabel('Rule 1: operator').selectOption('gt');
    await type.getByLabel('Rule 1: value').fill('200');
    await shot('admin-ticket-type');
    await type.getByRole('button', { name: 'Create type' }).click();
    await page.getByRole('table', { name: 'Ticket types' }).getByText(`Return ${run}`).waitFor();
    const stored = (await call('GET', '/ticket-types')).find((t) => t.key === typeKey);
    expect(stored?.required_fields.resolved?.includes(fieldKey), `required field stored: ${JSON.stringify(stored?.required_fields)}`);
    expect(stored.approvals[0]?.to === 'resolved' && stored.approvals[0]?.when?.value === 200, `approval rule stored: ${JSON.stringify(stored.approvals)}`);
    expect(stored.transitions.some((t) => t.from === 'open' && t.to.includes('resolved')) && !stored.transitions.some((t) => t.from === 'open' && t.to.includes('closed')), `grid stored: ${JSON.stringify(stored.transitions)}`);
  });

  await step('fields: drag a field to the top of the builder; the order survives a reload', async () => {
    // a second field, for tickets of the new type only (the bulk step below uses its scope)
    await call('POST', '/custom-fields', { key: noteKey, label: `Note ${run}`, kind: 'text', ticket_types: [typeKey] });
    await page.goto(`${base}/admin/fields`);
    const table = page.getByRole('table', { name: 'Custom fields' });
    const names = () => table.locator('tbody tr strong').allTextContents();
    await table.getByText(`Note ${run}`).waitFor();
    const before = await names();
    expect(before.length >= 2 && before.at(-1) === `Note ${run}`, `the new field comes last: ${before}`);
    // drag by the handle (dnd-kit: pointer down, move past its few pixels, over the first row, up)
    const handle = page.getByRole('button', { name: `Drag Note ${run} to reorder` });
    const row = table.locator('tbody tr', { has: handle });
    const [grip, dragged, first] = [await handle.boundingBox(), await row.boundingBox(), await table.locator('tbody tr').first().boundingBox()];
    const x = grip.x + grip.width / 2;
    const y = grip.y + grip.height / 2;
    const offset = y - (dragged.y + dragged.height / 2); // the grip's place in its row
    await page.mouse.move(x, y);
    await page.mouse.down();
    await page.mouse.move(x, y - 10, { steps: 4 });
    await page.mouse.move(x, first.y + first.height / 2 + offset, { steps: 20 });
    await page.mouse.up();
    await until(async () => (await names())[0] === `Note ${run}`, 'dropped first (shown at once)');
    await until(async () => (await call('GET', '/custom-fields'))[0]?.key === noteKey, 'the new order is saved');
    await page.getByRole('button', { name: `Move Note ${run} down` }).and(page.locator(':enabled')).waitFor();
    await page.reload();
    await table.getByText(`Note ${run}`).waitFor();
    const after = await names();
    expect(after[0] === `Note ${run}` && after.slice(1).join('|') === before.slice(0, -1).join('|'), `the order kept after a reload: ${after}`);
    // and by keyboard: Space lifts, an arrow moves, Space drops, each step read out
    const said = (text) => page.locator('[id^="DndLiveRegion"]').filter({ hasText: text }).waitFor({ state: 'attached' });
    await handle.focus();
    await page.keyboard.press('Space');
    // lifted (the announcement moves on to where it is over at once: wait on the row instead)
    await table.locator('tbody tr.dragging', { has: handle }).waitFor();
    await page.keyboard.press('ArrowDown');
    await said(`Note ${run} is over position 2`);
    await page.keyboard.press('Space');
    await said(`Note ${run} dropped at position 2`);
    await until(async () => (await names())[1] === `Note ${run}`, 'moved one place down by keyboard');
    await until(async () => (await call('GET', '/custom-fields'))[1]?.key === noteKey, 'the keyboard move is saved');
  });

  await step('fields: a rule refuses the status at the field; filling it in satisfies it', async () => {
    const users = await call('GET', '/users');
    const ada = users.find((u) => u.email === 'ada@demo.test');
    // a ticket of the new type through the New ticket form (the field shows, left empty)
    await page.goto(`${base}/tickets/new`);
    await page.getByLabel('Subject').fill(`Return ${run}: broken kettle`);
    await page.getByLabel('Type').selectOption(typeKey);
    await page.locator(`[data-field="${fieldKey}"] input`).waitFor();
    await page.getByLabel('Assignee').selectOption({ label: ada.name });
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.getByRole('heading', { name: `Return ${run}: broken kettle` }).waitFor();
    ticketKey = page.url().split('/').pop();
    const created = await call('GET', `/tickets/${ticketKey}`);
    expect(created.type === typeKey && created.assignee?.id === ada.id, `created with its type: ${created.type}`);
    const status = page.locator(`#prop-status-${ticketKey}`);
    await status.waitFor();
    // the lifecycle's moves only: closed is not offered from open
    await page.waitForFunction((key) => ![...document.querySelectorAll(`#prop-status-${key} option`)].some((o) => o.value === 'closed'), ticketKey);
    await status.selectOption('resolved');
    const row = page.locator(`.prop-row[data-field="${fieldKey}"]`);
    await row.locator('.field-error').filter({ hasText: 'must be filled in' }).waitFor();
    expect((await call('GET', `/tickets/${ticketKey}`)).status === 'open', 'refused: still open');
    const input = row.locator('input');
    await input.fill('250.00');
    await input.blur();
    await page.waitForFunction(async ([key, field]) => {
      const token = localStorage.getItem('ticketdesk.token');
      const t = await (await fetch(`/api/v1/tickets/${key}`, { headers: { authorization: `Bearer ${token}` } })).json();
      return t.custom_fields?.[field] === '250.00';
    }, [ticketKey, fieldKey]);
    await row.locator('.field-error').waitFor({ state: 'detached' });
  });

  await step('fields: an agent’s change waits for approval; the admin approves it from the Approvals page', async () => {
    const adaToken = await tokenFor(base, 'ada@demo.test');
    const current = await call('GET', `/tickets/${ticketKey}`);
    const response = await fetch(`${base}/api/v1/tickets/${ticketKey}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adaToken}`, 'if-match': `"${current.version}"` },
      body: JSON.stringify({ status: 'resolved' }),
    });
    expect(response.status === 202, `needs approval: ${response.status} ${await response.text()}`);
    await page.goto(`${base}/approvals`);
    await page.locator('.nav-badge').waitFor();
    const item = page.getByRole('listitem', { name: new RegExp(ticketKey) });
    await item.waitFor();
    await shot('approvals');
    await item.getByRole('button', { name: 'Approve' }).click();
    await item.waitFor({ state: 'detached' });
    const after = await call('GET', `/tickets/${ticketKey}`);
    expect(after.status === 'resolved', `approved and applied: ${after.status}`);
  });

  await step('fields: the queue filters on the field (a range chip) and shows it as a chosen column', async () => {
    await page.goto(`${base}/?cf.${fieldKey}.gte=200`);
    await page.getByRole('list', { name: 'Field filters' }).getByRole('button', { name: `Refund ${run}: ≥ 200` }).waitFor();
    await page.locator(`tr[data-key="${ticketKey}"]`).waitFor();
    expect((await page.locator('table.tickets tbody tr').count()) === 1, 'only the ticket with a refund of 200 or more');
    await page.locator('.column-picker summary').click();
    await page.getByRole('group', { name: 'Field columns' }).getByRole('checkbox', { name: `Refund ${run}` }).check();
    await page.locator(`tr[data-key="${ticketKey}"] td.col-field`, { hasText: '250.00' }).waitFor();
  });

  await step('fields: the bulk bar sets a field on the selected tickets; a ticket outside its scope is refused, shown', async () => {
    const inScope = await call('POST', '/tickets', { subject: `Bulk ${run} return`, type: typeKey });
    const outside = await call('POST', '/tickets', { subject: `Bulk ${run} question` });
    await page.goto(`${base}/?q=${encodeURIComponent(`Bulk ${run}`)}`);
    await page.locator(`tr[data-key="${inScope.key}"]`).waitFor();
    await page.locator(`tr[data-key="${outside.key}"]`).waitFor();
    await page.getByLabel(`Select ${inScope.key}`).check();
    await page.getByLabel(`Select ${outside.key}`).check();
    const bar = page.getByRole('region', { name: 'Bulk actions' });
    await bar.getByRole('combobox', { name: 'Set field' }).selectOption({ label: `Note ${run}` });
    await bar.getByRole('textbox', { name: `New Note ${run}` }).fill('Checked by bulk');
    await bar.getByRole('button', { name: `Set Note ${run}` }).click();
    const outcome = page.locator('.bulk-results');
    await outcome.getByText('1 of 2 tickets updated.').waitFor();
    const refusal = outcome.locator(`li[data-ticket="${outside.key}"]`);
    await refusal.waitFor();
    expect(/note/i.test(await refusal.textContent()), `the refusal names the field: ${await refusal.textContent()}`);
    expect((await call('GET', `/tickets/${inScope.key}`)).custom_fields[noteKey] === 'Checked by bulk', 'set on the ticket of the type');
    expect(!(noteKey in (await call('GET', `/tickets/${outside.key}`)).custom_fields), 'nothing written on the refused ticket');
  });

  await step('fields: on the ticket page a stale approval is refused at the button, then rejected with a comment', async () => {
    const users = await call('GET', '/users');
    const ada = users.find((u) => u.email === 'ada@demo.test');
    const adaToken = await tokenFor(base, 'ada@demo.test');
    const ticket = await call('POST', '/tickets', { subject: `Return ${run}: second kettle`, type: typeKey, assignee_id: ada.id, custom_fields: { [fieldKey]: '300.00' } });
    const asked = await fetch(`${base}/api/v1/tickets/${ticket.key}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adaToken}`, 'if-match': `"${ticket.version}"` },
      body: JSON.stringify({ status: 'resolved' }),
    });
    expect(asked.status === 202, `needs approval: ${asked.status}`);
    await page.goto(`${base}/tickets/${ticket.key}`);
    const panel = page.getByRole('region', { name: 'Waiting for approval' });
    const item = panel.getByRole('listitem');
    await item.waitFor();
    // the refund changes after the agent asked: approving it now would apply a stale decision
    const current = await call('GET', `/tickets/${ticket.key}`);
    await call('PATCH', `/tickets/${ticket.key}`, { custom_fields: { [fieldKey]: '900.00' } }, { 'if-match': `"${current.version}"` });
    await item.getByRole('button', { name: 'Approve', exact: true }).click();
    await item.getByRole('alert').filter({ hasText: 'changed since this approval was asked' }).waitFor();
    expect((await call('GET', `/tickets/${ticket.key}`)).status !== 'resolved', 'not applied');
    await item.getByRole('button', { name: 'Reject or comment…' }).click();
    await item.getByRole('button', { name: 'Reject', exact: true }).click();
    await item.getByRole('alert').filter({ hasText: 'Say why you reject it' }).waitFor();
    await item.getByPlaceholder('Why (the requester reads it)').fill('The refund changed: ask again for 900.');
    await item.getByRole('button', { name: 'Reject', exact: true }).click();
    await panel.waitFor({ state: 'detached' });
    const decided = (await call('GET', `/approvals?state=rejected&ticket=${ticket.key}`)).items[0];
    expect(decided?.comment === 'The refund changed: ask again for 900.', `rejected with the comment: ${JSON.stringify(decided)}`);
  });
}
