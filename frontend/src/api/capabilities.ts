// What the app uses of the API beyond tickets/comments/admin basics; each flag names the code.
// All of these are real endpoints now; nothing falls back to a stand-in.
export const capabilities = {
  /** POST /tickets/bulk — used by `bulkUpdate`. */
  bulkEndpoint: true,
  /** GET /tickets/export.csv — used by `downloadExport`. */
  exportEndpoint: true,
  /** /views — `useSavedViews`, the sidebar and ViewsPage (pin, share, order, rename). */
  savedViewsApi: true,
  /** POST /tickets/{t}/merge and /split — MergeDialog, SplitBar in CommentsTab. */
  mergeSplit: true,
  /** links and watchers on a ticket — RelationsPanel. */
  linksWatchers: true,
  /** attachments on tickets and comments — Attachments.tsx, api/attachments.ts. */
  attachments: true,
  /** GET /tickets/{t}/transcript — ConversationTab. */
  transcript: true,
  /** SLA policies, business hours, automations, webhooks, email templates: admin/MoreAdmin.tsx. */
  slaAdmin: true,
  automationsAdmin: true,
  webhooksAdmin: true,
  emailTemplatesAdmin: true,
} as const;
