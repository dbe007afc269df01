// End-to-end flow of a satisfaction survey, as the customer and the agent live it: the agent
// solves a ticket, the survey email arrives at the run's SMTP server, the customer opens its
// link on a phone (no sideways scrolling), answers "bad" and is asked why, the agent sees the
// answer on the ticket and in its activity as it comes in, the customer changes it while the
// ticket is open and no longer once it is closed, and a made-up link is a not-found page.
// Called from run.mjs with its helpers and its mailbox.
import { randomBytes } from 'node:crypto';
import { overflow } from './ticket.mjs';

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** Laid out at the phone's width (its viewport meta tag works) and nothing to scroll sideways. */
async function fitsThePhone(phone, expect, where) {
  const size = await overflow(phone);
  expect(size.width === PHONE.viewport.width, `${where}: laid out ${size.width} px wide on a ${PHONE.viewport.width} px phone`);
  expect(size.scroll <= size.width, `${where}: ${size.scroll} px wide at ${size.width}: ${size.wide}`);
}

export async function surveyFlows({ page, step, call, expect, base, shot, mailbox, publicUrl }) {
  const run = Date.now().toString(36).slice(-5);
  const requester = { email: `sam.survey.${run}@example.com`, name: 'Sam Survey' };
  const reason = `Three days for a one-line answer (${run}).`;
  const satisfaction = page.getByLabel('Customer satisfaction');
  let key = '';
  let link = null; // the survey URL from the email
  let phone = null;
  let csatBefore = null;

  const needLink = () => expect(link, 'no survey link: the email step failed');

  await step('survey: a solved ticket’s survey email arrives over SMTP', async () => {
    csatBefore = await call('GET', '/settings/csat');
    await call('PUT', '/settings/csat', { enabled: true, scale: 'good_bad', delay_minutes: 0 });
    // one long word in the subject: the phone page must wrap it, not scroll
    const ticket = await call('POST', '/tickets', { subject: `Survey ${run}: the-export-button-does-nothing-on-the-billing-page-since-the-update`, requester });
    key = ticket.key;
    await page.goto(`${base}/tickets/${key}`);
    await page.getByRole('heading', { name: ticket.subject }).waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('resolved');
    await page.locator('.ticket-header [data-status="resolved"]').waitFor();
    const mail = await mailbox.waitFor((m) => m.rcpt_tos.includes(requester.email) && /How did we do\?/.test(m.subject), `asking ${requester.email} how we did`);
    expect(mail.subject.includes(key), `the survey names the ticket: ${mail.subject}`);
    const url = mail.text.match(/https?:\/\/\S+\/survey\/\S+/)?.[0];
    expect(url, `a survey link in the text:\n${mail.text}`);
    link = new URL(url);
    expect(link.origin === publicUrl && /^\/survey\/[\w-]{40,}$/.test(link.pathname), `a long token on the public URL: ${url}`);
    expect(mail.html.includes(`href="${url}?rating=bad"`) && mail.html.includes(`href="${url}?rating=good"`), 'the HTML has a button per answer');
    const activity = await call('GET', `/tickets/${key}/activity?type=ticket.survey_sent`);
    expect(activity.items.length === 1, `recorded as sent once: ${activity.items.length}`);
  });

  /** The email's link, on this run's server (its public URL is not served here). */
  const open = (target) => phone.goto(`${base}${target.pathname}${target.search}`);

  await step('survey: on a phone, "bad" asks a reason and the answer is saved', async () => {
    needLink();
    const context = await page.context().browser().newContext(PHONE);
    context.setDefaultTimeout(30_000);
    phone = await context.newPage();
    const response = await open(link);
    expect(response.status() === 200, `the survey page: ${response.status()}`);
    await phone.getByRole('heading', { name: 'How did we do?' }).waitFor();
    await phone.getByText(`Ticket ${key}:`).waitFor();
    await fitsThePhone(phone, expect, 'the survey');
    const why = phone.getByLabel('What could we have done better?');
    expect(!(await why.isVisible()), 'no reason asked before an answer');
    await phone.getByText("Bad, I'm unsatisfied").tap();
    await why.waitFor({ state: 'visible' });
    await why.fill(reason);
    await fitsThePhone(phone, expect, 'the survey asking a reason');
    await shot('survey-phone');
    await phone.getByRole('button', { name: 'Send' }).tap();
    await phone.waitForURL(/saved=1/);
    await phone.getByRole('status').getByText('Thank you! Your answer is saved.').waitFor();
    await fitsThePhone(phone, expect, 'the thank-you');
  });

  await step('survey: the agent sees the answer on the ticket and in its activity', async () => {
    needLink();
    // the agent's page is still open on the ticket: the answer arrives live
    await satisfaction.filter({ hasText: /^Bad/ }).waitFor({ timeout: 60_000 });
    const shown = await satisfaction.textContent();
    expect(shown.includes(reason), `the reason is on the ticket: ${shown}`);
    await page.getByRole('tab', { name: 'History' }).click();
    const answered = page.locator('.timeline li[data-type="ticket.csat_received"]');
    await answered.filter({ hasText: `rated the support bad: “${reason}”` }).filter({ hasText: requester.name }).waitFor();
    await shot('survey-agent');
    const stored = await call('GET', `/tickets/${key}`);
    expect(stored.csat?.rating === 'bad' && stored.csat.comment === reason, `stored on the ticket: ${JSON.stringify(stored.csat)}`);
  });

  await step('survey: the answer can be changed while the ticket is open, not once it is closed', async () => {
    needLink();
    await open(link);
    await phone.getByText('Your answer: Bad, unsatisfied. You can change it below.').waitFor();
    expect(await phone.getByLabel("Bad, I'm unsatisfied").isChecked(), 'the answer given is chosen');
    await phone.getByText("Good, I'm satisfied").tap();
    await phone.getByLabel('What could we have done better?').waitFor({ state: 'hidden' });
    await phone.getByRole('button', { name: 'Update my answer' }).tap();
    await phone.getByRole('status').getByText('Thank you! Your answer is saved.').waitFor();
    await satisfaction.filter({ hasText: /^Good/ }).waitFor({ timeout: 60_000 });
    await page.locator('.timeline li[data-type="ticket.csat_received"]').filter({ hasText: 'rated the support good' }).waitFor();
    const answers = await call('GET', `/tickets/${key}/activity?type=ticket.csat_received`);
    expect(answers.items.length === 2, `both answers in the activity: ${answers.items.length}`);
    await page.getByRole('tab', { name: 'Conversation' }).click();

    await call('PATCH', `/tickets/${key}`, { status: 'closed' });
    const closed = await open(link);
    expect(closed.status() === 410, `a closed ticket's survey: ${closed.status()}`);
    await phone.getByText('This ticket is closed, so its survey can no longer be changed.').waitFor();
    await phone.getByText('Your answer: Good, satisfied.').waitFor();
    expect((await phone.getByRole('button').count()) === 0, 'nothing left to send');
    await fitsThePhone(phone, expect, 'the closed survey');
  });

  await step('survey: a made-up link is a not-found page, and the token opens no API', async () => {
    try {
      const made = await phone.goto(`${base}/survey/${randomBytes(32).toString('base64url')}`);
      expect(made.status() === 404, `a made-up token: ${made.status()}`);
      await phone.getByRole('heading', { name: 'This survey link does not work' }).waitFor();
      expect((await phone.locator('form').count()) === 0, 'no form on the not-found page');
      await fitsThePhone(phone, expect, 'the not-found page');
      needLink();
      const token = link.pathname.split('/').pop();
      for (const path of ['/me', `/tickets/${key}`]) {
        const response = await fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
        expect(response.status === 401, `the survey token on ${path}: ${response.status}`);
      }
    } finally {
      await phone?.context().close();
      if (csatBefore) await call('PUT', '/settings/csat', csatBefore);
    }
  });
}
