// Light or dark: the system's choice (prefers-color-scheme) unless the agent picked one, kept
// in localStorage. Applied as <html data-theme="…"> before the first render (styles.css holds
// both palettes as CSS variables).
export type ThemeChoice = 'system' | 'light' | 'dark';

const KEY = 'ticketdesk.theme';

export function storedTheme(): ThemeChoice {
  try {
    const value = globalThis.localStorage?.getItem(KEY);
    return value === 'light' || value === 'dark' ? value : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(choice: ThemeChoice): void {
  const root = globalThis.document?.documentElement;
  if (!root) return;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

export function saveTheme(choice: ThemeChoice): void {
  try {
    if (choice === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, choice);
  } catch {
    /* private mode: this page only */
  }
  applyTheme(choice);
}

/** What the page shows now (the system's scheme when the agent has not picked). */
export function effectiveTheme(choice: ThemeChoice): 'light' | 'dark' {
  if (choice !== 'system') return choice;
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

applyTheme(storedTheme());
