// Seams for features whose API is documented in /work/shared/API.md but not yet in
// openapi/openapi.json on this branch. Each flag names the code that falls back today;
// when the endpoint lands (and the client is regenerated), switch the flag and fill the seam.
export const capabilities = {
  /** POST /tickets/bulk — today `bulkUpdate` applies the changes with one PATCH per ticket. */
  bulkEndpoint: false,
  /** GET /tickets/export.csv — today `exportCsv` builds the file from listed pages. */
  exportEndpoint: false,
  /** /views — today saved views live in localStorage (per user). */
  savedViewsApi: false,
  /** POST /tickets/{t}/merge and /split — buttons hidden until then. */
  mergeSplit: false,
  /** links and watchers on a ticket — section hidden until then. */
  linksWatchers: false,
  /** POST /tickets/{t}/attachments — attach button hidden until then. */
  attachments: false,
  /** GET /tickets/{t}/transcript — the Conversation tab says so until then. */
  transcript: false,
  /** SLA policies, business hours, automations, webhooks, email templates admin pages. */
  slaAdmin: false,
  automationsAdmin: false,
  webhooksAdmin: false,
  emailTemplatesAdmin: false,
} as const;
