// End-to-end flow of the customers view: search a demo contact, open them and see their
// tickets, the organisations tab opens the queue filtered by domain, and New ticket picks a
// requester from the lookup with the keyboard. Called from run.mjs.

export async function customerFlows({ page, step, call, expect, base, shot }) {
  let contact = null;

  await step('customers: search a demo contact, open them, see their tickets', async () => {
    // a demo requester with a name and a few tickets, as the API lists them
    const listed = (await call('GET', '/contacts?limit=100')).items;
    contact = listed.find((c) => c.name && c.tickets_total >= 1);
    expect(contact, 'the demo has named requesters with tickets');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
    const table = page.getByRole('table', { name: 'Customers' });
    await table.waitFor();
    await page.getByRole('searchbox', { name: 'Search customers' }).fill(contact.name.toUpperCase());
    const row = table.getByRole('row').filter({ hasText: contact.email });
    await row.waitFor();
    const cells = await row.getByRole('cell').allInnerTexts();
    expect(cells[3] === String(contact.tickets_open) && cells[4] === String(contact.tickets_total), `counts shown: ${cells.join(' | ')}`);
    await shot('customers');
    await row.getByRole('link', { name: contact.name }).click();
    await page.getByRole('heading', { name: contact.name }).waitFor();
    await page.getByRole('region', { name: 'Customer details' }).getByText(contact.email).waitFor();
    const tickets = page.locator('table.tickets tbody tr');
    await tickets.first().waitFor();
    const theirs = (await call('GET', `/tickets?requester=${encodeURIComponent(contact.email)}&limit=100`)).items;
    const shown = await tickets.count();
    expect(shown === Math.min(theirs.length, 50), `their tickets listed: ${shown} of ${theirs.length}`);
    await shot('customer');
  });

  await step('customers: an organisation opens the queue filtered by its domain', async () => {
    await page.goto(`${base}/customers`);
    await page.getByRole('link', { name: 'Organisations' }).click();
    const table = page.getByRole('table', { name: 'Organisations' });
    await table.waitFor();
    const domain = contact.organization;
    expect(domain, `the demo contact has an organisation: ${contact.email}`);
    const org = (await call('GET', `/organizations/${domain}`));
    await table.getByRole('link', { name: `${org.tickets_total} tickets from ${domain}` }).click();
    await page.waitForURL((url) => url.searchParams.get('organization') === domain);
    await page.locator('table.tickets tbody tr').first().waitFor();
    const stats = await call('GET', `/tickets/stats?organization=${domain}`);
    expect(stats.total === org.tickets_total, `the queue counts the organisation's tickets: ${stats.total} vs ${org.tickets_total}`);
  });

  await step('customers: New ticket picks the requester from the lookup', async () => {
    await page.getByRole('link', { name: 'New ticket' }).click();
    const email = page.getByRole('combobox', { name: 'Customer email' });
    await email.pressSequentially(contact.email.split('@')[0]);
    const option = page.getByRole('option').filter({ hasText: contact.email });
    await option.waitFor();
    // arrow down to the contact, then Enter picks it (and does not submit the form)
    const options = await page.getByRole('option').allInnerTexts();
    const index = options.findIndex((text) => text.includes(contact.email));
    for (let i = 0; i <= index; i += 1) await email.press('ArrowDown');
    expect((await option.getAttribute('aria-selected')) === 'true', 'the contact is highlighted');
    await email.press('Enter');
    expect((await email.inputValue()) === contact.email, 'the email is filled in');
    expect((await page.getByLabel('Customer name').inputValue()) === contact.name, 'and their name');
    expect((await email.getAttribute('aria-expanded')) === 'false', 'the list closed');
    await page.getByLabel('Subject').fill('Called about their order');
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.getByRole('heading', { name: 'Called about their order' }).waitFor();
    const key = page.url().split('/').pop();
    const created = await call('GET', `/tickets/${key}`);
    expect(created.requester?.id === contact.id, `filed for the picked contact: ${JSON.stringify(created.requester)}`);
    // the requester card links to the customer's page
    await page.getByRole('region', { name: 'Requester' }).getByRole('link', { name: contact.name }).click();
    await page.getByRole('heading', { name: contact.name }).waitFor();
  });
}
