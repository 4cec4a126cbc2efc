// CSV as RFC 4180 writes it: fields separated by commas, rows by CRLF, a field quoted (and its quotes
// doubled) when it holds a comma, a quote or a line break. The project's one CSV writer.

export type CsvField = string | number | null | undefined;

/** One field: numbers as JavaScript writes them (shortest text that reads back the same), null as empty. */
function field(value: CsvField): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? (Number.isFinite(value) ? String(value) : "") : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** `header` and `rows` as CSV text, ending with a line break. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvField[]>): string {
  const lines = [header.map(field).join(",")];
  for (const row of rows) lines.push(row.map(field).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
