import type { EnvironmentOutputs } from './driver.js';

/** Labels of the fields every target or some target reports; anything else prints under its own name. */
const labels: Record<string, string> = { dataDir: 'data', logFile: 'log' };
const hidden = new Set(['env', 'target', 'changed']);

/** `genai outputs ENV` as text: one `key value` line per field, whatever the target. */
export function renderOutputs(outputs: EnvironmentOutputs): string {
  const rows = Object.entries(outputs)
    .filter(([key, value]) => !hidden.has(key) && value !== undefined)
    .map(([key, value]) => [labels[key] ?? key, formatValue(key, value)] as const);
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return rows.map(([label, value]) => `${label.padEnd(Math.max(width, 9))}${value}`).join('\n');
}

function formatValue(key: string, value: unknown): string {
  if (value === null) return key === 'release' ? 'none (started from the project folder)' : 'none';
  if (key === 'snapshot' && typeof value === 'object') {
    const s = value as { id: string; documents: number; chunks: number };
    return `${s.id} (${s.documents} documents, ${s.chunks} chunks)`;
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
