// Light formatting for the composer. Comments are stored as Markdown and rendered (and
// sanitized) by the server, so the toolbar and its shortcuts only edit the text.

export type Format = 'bold' | 'italic' | 'code' | 'list' | 'numbered';
export type Edit = { text: string; start: number; end: number };

const WRAP: Record<'bold' | 'italic' | 'code', string> = { bold: '**', italic: '_', code: '`' };

/** Apply a format to the selection [start, end) of `text`; returns the new text and selection. */
export function applyFormat(text: string, start: number, end: number, format: Format): Edit {
  if (format === 'list' || format === 'numbered') return prefixLines(text, start, end, format);
  const selected = text.slice(start, end);
  if (format === 'code' && selected.includes('\n')) {
    const before = start > 0 && text[start - 1] !== '\n' ? '\n' : '';
    const block = `${before}\`\`\`\n${selected}\n\`\`\`\n`;
    return { text: text.slice(0, start) + block + text.slice(end), start: start + before.length + 4, end: start + before.length + 4 + selected.length };
  }
  const mark = WRAP[format];
  // already wrapped: unwrap (the toolbar toggles)
  if (text.slice(start - mark.length, start) === mark && text.slice(end, end + mark.length) === mark) {
    return {
      text: text.slice(0, start - mark.length) + selected + text.slice(end + mark.length),
      start: start - mark.length,
      end: end - mark.length,
    };
  }
  return {
    text: text.slice(0, start) + mark + selected + mark + text.slice(end),
    start: start + mark.length,
    end: end + mark.length,
  };
}

function prefixLines(text: string, start: number, end: number, format: 'list' | 'numbered'): Edit {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const endAt = end > start && text[end - 1] === '\n' ? end - 1 : end;
  const nextBreak = text.indexOf('\n', endAt);
  const lineEnd = nextBreak === -1 ? text.length : nextBreak;
  const lines = text.slice(lineStart, lineEnd).split('\n');
  const pattern = format === 'list' ? /^- / : /^\d+\. /;
  const toggleOff = lines.every((l) => pattern.test(l));
  const changed = lines.map((line, i) => (toggleOff ? line.replace(pattern, '') : `${format === 'list' ? '- ' : `${i + 1}. `}${line}`));
  const block = changed.join('\n');
  const next = text.slice(0, lineStart) + block + text.slice(lineEnd);
  const caret = lineStart + block.length;
  return { text: next, start: lines.length === 1 && start === end ? caret : lineStart, end: caret };
}

/**
 * Enter on a list line: continue the list ("- " or the next number), or end it when the item
 * is empty. Null when the caret's line is not a list item.
 */
export function continueList(text: string, caret: number): Edit | null {
  const lineStart = text.lastIndexOf('\n', caret - 1) + 1;
  const line = text.slice(lineStart, caret);
  const match = /^(\s*)(- |\* |(\d+)\. )(.*)$/.exec(line);
  if (!match) return null;
  const [, indent = '', marker = '', number, rest = ''] = match;
  if (!rest.trim()) {
    // an empty item ends the list: drop its marker
    const next = text.slice(0, lineStart) + text.slice(caret);
    return { text: next, start: lineStart, end: lineStart };
  }
  const nextMarker = number ? `${Number(number) + 1}. ` : marker;
  const insert = `\n${indent}${nextMarker}`;
  return { text: text.slice(0, caret) + insert + text.slice(caret), start: caret + insert.length, end: caret + insert.length };
}

/** ⌘/Ctrl + B, I, E in the composer. */
export function formatForKey(event: { key: string; metaKey: boolean; ctrlKey: boolean; shiftKey: boolean; altKey: boolean }): Format | null {
  if (!(event.metaKey || event.ctrlKey) || event.altKey || event.shiftKey) return null;
  const key = event.key.toLowerCase();
  return key === 'b' ? 'bold' : key === 'i' ? 'italic' : key === 'e' ? 'code' : null;
}
