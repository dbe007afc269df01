// The weekly-hours editor's model: open intervals per day as the API takes them ("09:00" to
// "17:00", "24:00" for midnight), shown in time inputs (which write midnight as "00:00").

export const DAYS = [
  { key: 'mon', label: 'Monday' },
  { key: 'tue', label: 'Tuesday' },
  { key: 'wed', label: 'Wednesday' },
  { key: 'thu', label: 'Thursday' },
  { key: 'fri', label: 'Friday' },
  { key: 'sat', label: 'Saturday' },
  { key: 'sun', label: 'Sunday' },
] as const;
export type Day = (typeof DAYS)[number]['key'];
export type Interval = [string, string];
export type Week = Record<Day, Interval[]>;

export function emptyWeek(): Week {
  return { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
}

export function officeWeek(start = '09:00', end = '17:00'): Week {
  const week = emptyWeek();
  for (const d of ['mon', 'tue', 'wed', 'thu', 'fri'] as const) week[d] = [[start, end]];
  return week;
}

/** The API's weekly hours in the editor ("24:00" ends show as "00:00"). */
export function weekFromJson(weekly: Record<string, string[][]> | undefined): Week {
  const week = emptyWeek();
  for (const { key } of DAYS) {
    week[key] = (weekly?.[key] ?? []).map(([a = '09:00', b = '17:00']) => [a === '24:00' ? '00:00' : a, b === '24:00' ? '00:00' : b]);
  }
  return week;
}

/** The editor's week for the API: an end at "00:00" means midnight ("24:00"); closed days left out. */
export function weekToJson(week: Week): Record<string, string[][]> {
  const out: Record<string, string[][]> = {};
  for (const { key } of DAYS) {
    if (!week[key].length) continue;
    out[key] = week[key].map(([a, b]) => [a, b === '00:00' ? '24:00' : b]);
  }
  return out;
}

/** "Mon–Fri 09:00–17:00, Sat 10:00–14:00" */
export function describeWeek(weekly: Record<string, string[][]>): string {
  const spans = DAYS.map((d) => ({ day: d.label.slice(0, 3), text: (weekly[d.key] ?? []).map(([a, b]) => `${a}–${b}`).join(', ') }));
  const parts: string[] = [];
  let i = 0;
  while (i < spans.length) {
    const { day, text } = spans[i]!;
    let j = i;
    while (j + 1 < spans.length && spans[j + 1]!.text === text) j++;
    if (text) parts.push(`${j > i ? `${day}–${spans[j]!.day}` : day} ${text}`);
    i = j + 1;
  }
  return parts.join(', ') || 'closed every day';
}
