// The YAML and CSV dataset readers, loaded only for such a dataset (JSONL needs neither parser).
import { parse as parseCsv } from 'csv-parse/sync';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { usageError } from '../errors.js';
import { formatPath, type RawCase } from './dataset-schema.js';

export function readYaml(text: string, shown: string): RawCase[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const error = doc.errors[0]!;
    throw usageError('E_EVAL_DATASET_YAML', `not valid YAML: ${error.message.split('\n')[0]}`, {
      location: `${shown}:${position(error.pos[0])}`,
      fix: 'fix the YAML syntax',
    });
  }
  let list: YamlNode | null | undefined = doc.contents as YamlNode | null;
  if (isMap(list)) list = list.get('cases', true) as YamlNode | undefined;
  if (!isSeq(list)) {
    throw usageError('E_EVAL_DATASET_YAML', 'expected a list of cases (or a `cases:` list)', {
      location: `${shown}:1`,
      fix: 'write the cases as a YAML list: "- id: …"',
    });
  }
  return list.items.map((item) => {
    const node = item as YamlNode;
    const start = node.range?.[0] ?? 0;
    return {
      value: (node as { toJSON?: () => unknown }).toJSON?.() ?? node,
      line: lineCounter.linePos(start).line,
      locate: (path: PropertyKey[]) => {
        let current: unknown = node;
        for (const key of path) {
          const next = isMap(current) || isSeq(current) ? (current.get(key as never, true) as unknown) : undefined;
          if (!next) break;
          current = next;
        }
        const range = (current as YamlNode).range;
        return range ? position(range[0]) : undefined;
      },
    };
  });
}

const csvColumns: Record<string, string> = {
  id: 'id',
  question: 'question',
  input: 'question',
  answer: 'answer',
  expected_answer: 'answer',
  expectedanswer: 'answer',
  facts: 'facts',
  expected_facts: 'facts',
  document_ids: 'documentIds',
  documentids: 'documentIds',
  expected_document_ids: 'documentIds',
  refusal: 'refusal',
  tags: 'tags',
  assert: 'assert',
  assertions: 'assert',
};

/**
 * CSV columns: id, question, answer, facts, document_ids, tags (lists separated by "|"), refusal
 * (true/false) and assert (a JSON array). Unknown columns are an error so that a typo is not ignored.
 */
export function readCsv(text: string, shown: string): RawCase[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw usageError('E_EVAL_DATASET_CSV', `not valid CSV: ${(err as Error).message}`, {
      location: shown,
      fix: 'fix the CSV syntax',
    });
  }
  const header = Object.keys(records[0]?.record ?? {});
  for (const column of header) {
    if (!csvColumns[column.toLowerCase()]) {
      throw usageError('E_EVAL_DATASET_CSV', `unknown column "${column}"`, {
        location: `${shown}:1`,
        fix: `use the columns ${[...new Set(Object.keys(csvColumns))].join(', ')}`,
      });
    }
  }
  const list = (value: string | undefined) =>
    value
      ? value
          .split('|')
          .map((part) => part.trim())
          .filter(Boolean)
      : undefined;
  return records.map(({ record, info }) => {
    const get = (field: string) => {
      const column = header.find((name) => csvColumns[name.toLowerCase()] === field);
      const value = column ? record[column] : undefined;
      return value === '' ? undefined : value;
    };
    const columnFor = (field: string) => header.find((name) => csvColumns[name.toLowerCase()] === field);
    let assertions: unknown;
    const assertText = get('assert');
    if (assertText) {
      try {
        assertions = JSON.parse(assertText);
      } catch {
        assertions = assertText;
      }
    }
    const refusal = get('refusal');
    // Absent keys, not undefined ones: `expected` counts its keys, and a row validates like a JSONL line.
    const expected = {
      ...(get('answer') ? { answer: get('answer') } : {}),
      ...(get('facts') ? { facts: list(get('facts')) } : {}),
      ...(get('documentIds') ? { documentIds: list(get('documentIds')) } : {}),
      ...(refusal
        ? { refusal: /^(true|yes|1)$/i.test(refusal) ? true : /^(false|no|0)$/i.test(refusal) ? false : refusal }
        : {}),
    };
    const value = {
      id: get('id'),
      input: { question: get('question') },
      ...(Object.keys(expected).length ? { expected } : {}),
      ...(get('tags') ? { tags: list(get('tags')) } : {}),
      ...(assertions !== undefined ? { assert: assertions } : {}),
    };
    return {
      value,
      line: info.lines,
      columnOf: (path: PropertyKey[]) => {
        const [first, second] = path;
        if (first === 'input') return columnFor('question');
        if (first === 'expected' && typeof second === 'string') return columnFor(second);
        if (typeof first === 'string') return columnFor(first) ?? formatPath(path);
        return formatPath(path);
      },
    };
  });
}
