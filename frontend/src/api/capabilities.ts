// Seams for features whose API is documented in /work/shared/API.md but not yet in
// openapi/openapi.json on this branch. Each flag names the code that falls back today;
// when the endpoint lands (and the client is regenerated), switch the flag and fill the seam.
export const capabilities = {
  /** POST /tickets/bulk — used by `bulkUpdate`. */
  bulkEndpoint: true,
  /** GET /tickets/export.csv — used by `downloadExport`. */
  exportEndpoint: true,
  /** /views — used by `useSavedViews`. */
  savedViewsApi: true,
  /** POST /tickets/{t}/merge — MergeDialog. Split (POST /tickets/{t}/split) is not wired yet. */
  mergeSplit: true,
  /** links and watchers on a ticket — RelationsPanel. */
  linksWatchers: true,
  /** attachments on tickets and comments — Attachments.tsx, api/attachments.ts. */
  attachments: true,
  /** GET /tickets/{t}/transcript — ConversationTab. */
  transcript: true,
  /** SLA policies, business hours, automations, webhooks, email templates admin pages. */
  slaAdmin: false,
  automationsAdmin: false,
  webhooksAdmin: false,
  emailTemplatesAdmin: false,
} as const;
