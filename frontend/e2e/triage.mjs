// End-to-end flow of triage on the demo workspace: solved tickets with the replies that solved
// them are imported (the demo's 60 alone are few per category), an admin trains the model from
// its page and sees the quality against the baseline; on an open ticket the Insights panel
// suggests its category, Apply sets it, a suggested reply goes into the composer; on New ticket
// a subject typed brings a category chip that fills the empty field. Called from run.mjs.

const KINDS = {
  shipping: {
    subjects: ['Where is my {thing}? It has not arrived', 'Tracking for my {thing} shows no movement', 'My {thing} was delivered to the wrong address', 'Delivery of the {thing} is late'],
    things: ['parcel', 'order', 'package', 'replacement', 'shipment'],
    reply: 'Your parcel is with the courier; here is the new tracking link for it.',
  },
  billing: {
    subjects: ['I was charged twice for my {thing}', 'Refund for the {thing} please', 'Invoice for my {thing} is wrong', 'Why did my card get billed for the {thing}'],
    things: ['subscription', 'annual plan', 'invoice', 'payment', 'renewal'],
    reply: 'I have refunded the duplicate charge; it shows on your card in 3-5 days.',
  },
  technical: {
    subjects: ['The {thing} crashes when I log in', 'Error 500 on the {thing}', 'Cannot sync the {thing}, it times out', 'The {thing} is down and shows an error'],
    things: ['mobile app', 'dashboard', 'desktop client', 'API', 'export'],
    reply: 'We fixed the crash in version 2.4.1; please update the app and log in again.',
  },
};

export async function triageFlows({ page, step, call, expect, until, base, shot, readmeShot }) {
  let ticketKey = '';

  await step('triage: train the model from its admin page on solved history', async () => {
    // the newest tickets of the workspace (seconds ago, the kinds interleaved), so the newest
    // 20 % the model is measured on are theirs
    const start = Date.now() - 40_000;
    let n = 0;
    for (let i = 0; i < 12; i++) {
      for (const [category, kind] of Object.entries(KINDS)) {
        const at = new Date(start + n * 1_000);
        const subject = kind.subjects[i % kind.subjects.length].replace('{thing}', kind.things[(i * 3 + n) % kind.things.length]);
        await call('POST', '/tickets/import', {
          subject,
          status: 'resolved',
          category,
          created_at: at.toISOString(),
          requester: { email: `history.${n}@example.com` },
          comments: [{ body: kind.reply, author_email: 'ada@demo.test', created_at: new Date(at.getTime() + 500).toISOString() }],
        });
        n++;
      }
    }
    const before = (await call('GET', '/triage/model')).version ?? null;
    await page.goto(`${base}/admin/triage`);
    await page.getByRole('heading', { name: 'Triage model', level: 1 }).waitFor();
    await page.getByRole('button', { name: /^Train/ }).click();
    const state = page.getByRole('definition').filter({ hasText: /^Ready · version \d+$/ });
    await until(async () => {
      const model = await call('GET', '/triage/model');
      if (model.last_error && model.state !== 'training') throw new Error(`training failed: ${model.last_error}`);
      return model.state === 'ready' && model.version !== before;
    }, 'a new model version', 120_000);
    await state.waitFor({ timeout: 60_000 });
    const model = await call('GET', '/triage/model');
    expect(model.fields.category && model.fields.category.accuracy > model.fields.category.baseline_accuracy, `category beats the baseline: ${JSON.stringify(model.fields.category)}`);
    const row = page.getByRole('table', { name: 'Quality per field' }).locator('tr[data-field="category"]');
    await row.waitFor();
    expect((await row.textContent()).includes(`${(model.fields.category.accuracy * 100).toFixed(1)} %`), 'the page shows the measured accuracy');
    await shot('admin-triage');
  });

  await step('triage: the ticket suggests its category; Apply sets it; a suggested reply goes into the composer', async () => {
    const ticket = await call('POST', '/tickets', { subject: 'Where is my parcel? The tracking shows no movement', requester: { email: 'waiting.for.parcel@example.com' } });
    ticketKey = ticket.key;
    expect(!ticket.category, 'the new ticket has no category');
    await page.goto(`${base}/tickets/${ticketKey}`);
    const panel = page.getByRole('region', { name: 'Insights' });
    const apply = panel.getByRole('button', { name: 'Apply Category: shipping' });
    await apply.waitFor();
    await panel.getByRole('list', { name: 'Suggested replies' }).waitFor();
    await page.waitForTimeout(200);
    await readmeShot('insights', panel);
    await apply.click();
    await panel.getByLabel('Category: shipping is set').waitFor();
    await until(async () => (await page.getByRole('region', { name: 'Properties' }).getByLabel('Category', { exact: true }).inputValue()) === 'shipping', 'the category shows in Properties');
    const saved = await call('GET', `/tickets/${ticketKey}`);
    expect(saved.category === 'shipping', `category saved: ${saved.category}`);
    await panel.getByRole('button', { name: /^Insert the reply from / }).first().click();
    const box = page.getByPlaceholder('Write your reply to the requester…');
    await until(async () => (await box.inputValue()) === KINDS.shipping.reply, 'the reply is in the composer');
  });

  await step('triage: New ticket suggests a category as the subject is typed', async () => {
    await page.goto(`${base}/tickets/new`);
    await page.getByRole('heading', { name: 'New ticket' }).waitFor();
    await page.getByLabel('Subject').pressSequentially('My package was delivered to the wrong address', { delay: 10 });
    const chip = page.getByRole('region', { name: 'Suggestions' }).getByRole('button', { name: /^Use category shipping/ });
    await chip.click();
    await until(async () => (await page.getByLabel('Category', { exact: true }).inputValue()) === 'shipping', 'the chip filled the category');
    await chip.waitFor({ state: 'detached' });
    // the agent's own choice is never replaced: a typed category takes no chip
    await page.getByLabel('Category', { exact: true }).fill('billing');
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/triage/predict') && r.ok());
    await page.getByLabel('Subject').pressSequentially(' again', { delay: 10 });
    await answered;
    await page.getByRole('region', { name: 'Suggestions' }).getByRole('button', { name: /^Use category/ }).waitFor({ state: 'detached' });
    expect((await page.getByLabel('Category', { exact: true }).inputValue()) === 'billing', 'the agent’s category stays');
  });
}
