/**
 * JSON-like values as Python source: `true` → `True`, `null` → `None`, dicts one key per line
 * (black's style for a dict that does not fit on one line), so generated settings read like
 * hand-written ones.
 */
export function pyLiteral(value: unknown, indent = 0): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} as a Python literal.`);
    return String(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  const pad = ' '.repeat(indent + 4);
  const end = ' '.repeat(indent);
  if (Array.isArray(value)) {
    const items = value.map((v) => pyLiteral(v, indent + 4));
    const flat = `[${items.join(', ')}]`;
    if (flat.length <= 60 && !flat.includes('\n')) return flat;
    return `[\n${items.map((item) => `${pad}${item},\n`).join('')}${end}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{\n${entries.map(([k, v]) => `${pad}${JSON.stringify(k)}: ${pyLiteral(v, indent + 4)},\n`).join('')}${end}}`;
  }
  throw new Error(`Cannot write a ${typeof value} as a Python literal.`);
}

/** camelCase → snake_case, for the Python side's names of the lab's fields. */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
