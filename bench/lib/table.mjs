// Plain-text and Markdown tables for the console and BENCHMARKS.md.

/** Rows as aligned text columns; `columns` is `[[header, row => value], ...]`. */
export function textTable(rows, columns) {
  const cells = [columns.map(([h]) => h), ...rows.map((r) => columns.map(([, get]) => String(get(r))))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i].length)));
  return cells.map((line) => line.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}

/** Rows as a Markdown table, first column left-aligned, the rest right-aligned. */
export function markdownTable(rows, columns) {
  const head = `| ${columns.map(([h]) => h).join(' | ')} |`;
  const rule = `|${columns.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`;
  return [head, rule, ...rows.map((r) => `| ${columns.map(([, get]) => String(get(r))).join(' | ')} |`)];
}

/** Bytes as KB with one decimal (1 KB = 1000 bytes, as the Angular CLI counts). */
export const kb = (bytes) => (bytes / 1000).toFixed(1);
/** A signed KB delta. */
export const signedKb = (bytes) => `${bytes >= 0 ? '+' : ''}${kb(bytes)}`;
