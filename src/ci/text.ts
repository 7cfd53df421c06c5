/**
 * Pipelines are written as YAML text rather than serialised from objects: comments explain each choice
 * to the reader of the generated file, and the text is laid out as Prettier would lay it out.
 */

/** Words YAML 1.1 reads as booleans or null: a value spelled like one is quoted. */
const YAML_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null']);

/** An environment name as a YAML value: plain, or single-quoted where YAML would read it as something else. */
export const scalar = (value: string): string => (YAML_WORDS.has(value.toLowerCase()) ? `'${value}'` : value);

/** Removes the indentation common to every non-blank line, and the first and last line when blank. */
export function dedent(text: string): string[] {
  const lines = text
    .replace(/^\n/, '')
    .replace(/\n[ \t]*$/, '')
    .split('\n');
  const widths = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const common = widths.length ? Math.min(...widths) : 0;
  return lines.map((l) => l.slice(common));
}

/** Indents every non-blank line by `by` spaces. */
export const indent = (lines: string[], by: number): string[] => lines.map((l) => (l.trim() ? ' '.repeat(by) + l : ''));

/** One file's text from blocks of lines: blocks are separated by one blank line; the file ends with a newline. */
export const joinBlocks = (blocks: string[][]): string =>
  blocks
    .filter((b) => b.length > 0)
    .map((b) => b.join('\n'))
    .join('\n\n') + '\n';

/** Lines of a `# ` comment, wrapped before `width` columns. */
export function comment(text: string, width = 110): string[] {
  const out: string[] = [];
  let line = '#';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + 1 + word.length > width && line !== '#') {
      out.push(line);
      line = '#';
    }
    line += ` ${word}`;
  }
  if (line !== '#') out.push(line);
  return out;
}

/** `a`, `a and b`, `a, b and c`. */
export function listing(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
