import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type FieldPath = readonly PropertyKey[];

/** Where a problem sits: the field path in words and the `file:line:col` a user opens. */
export interface SourcePosition {
  location: string;
  /** Character offset in the file, for ordering problems as they appear. */
  offset: number;
}

/** `environments.prod.region`, `constraints.regions[1]`. */
export function fieldName(path: FieldPath): string {
  return path.reduce<string>((name, segment) => {
    if (typeof segment === 'number') return `${name}[${segment}]`;
    return name ? `${name}.${String(segment)}` : String(segment);
  }, '');
}

interface Step {
  key?: Node | undefined;
  value?: Node | undefined;
}

/**
 * Walks the YAML tree along a field path. Returns one step per segment found (the key node and value
 * node of each), stopping at the first segment that is not there.
 */
function walk(document: Document, path: FieldPath): Step[] {
  const steps: Step[] = [];
  let current: unknown = document.contents;
  for (const segment of path) {
    if (isAlias(current)) current = current.resolve(document);
    if (isMap(current)) {
      const pair = current.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      steps.push({ key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined });
      current = pair.value;
    } else if (isSeq(current) && typeof segment === 'number') {
      const item = current.items[segment];
      if (item === undefined) break;
      steps.push({ value: item as Node });
      current = item;
    } else {
      break;
    }
  }
  return steps;
}

/** A value written as nothing (`key:`) has no place of its own; its key is where to look. */
function isEmpty(node: Node | undefined): boolean {
  return node === undefined || (isScalar(node) && node.value === null && !node.source);
}

function offsetOf(node: Node | undefined): number | undefined {
  return node?.range?.[0];
}

/**
 * The offset of a field: `value` points at the value (or, when absent, the deepest part of the path
 * that exists), `key` at the key itself, `parent` at the mapping that holds the field (for a missing
 * field).
 */
export function offsetFor(document: Document, path: FieldPath, mode: 'value' | 'key' | 'parent'): number {
  const root = offsetOf(document.contents ?? undefined) ?? 0;
  if (mode === 'parent') {
    if (path.length <= 1) return root;
    const steps = walk(document, path.slice(0, -1));
    return deepest(steps) ?? root;
  }
  const steps = walk(document, path);
  if (steps.length === path.length && path.length > 0) {
    const last = steps[steps.length - 1]!;
    if (mode === 'key' && last.key) return offsetOf(last.key) ?? root;
    if (!isEmpty(last.value)) return offsetOf(last.value) ?? root;
    return offsetOf(last.key) ?? root;
  }
  return deepest(steps) ?? root;
}

function deepest(steps: Step[]): number | undefined {
  const last = steps[steps.length - 1];
  if (!last) return undefined;
  return isEmpty(last.value) ? offsetOf(last.key) : offsetOf(last.value);
}

export function positionAt(file: string, lineCounter: LineCounter, offset: number): SourcePosition {
  const { line, col } = lineCounter.linePos(offset);
  return { location: `${file}:${line}:${col}`, offset };
}

export function locate(
  file: string,
  document: Document,
  lineCounter: LineCounter,
  path: FieldPath,
  mode: 'value' | 'key' | 'parent' = 'value',
): SourcePosition {
  return positionAt(file, lineCounter, offsetFor(document, path, mode));
}
