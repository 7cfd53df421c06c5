import type { JudgeSpec } from './spec.js';

/** One answer of a judge: the raw grade as the judge gave it, and its rationale. */
export interface Verdict {
  raw: number | string;
  rationale: string;
}

export class MalformedVerdict extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedVerdict';
  }
}

/**
 * Parses a judge's reply strictly: one JSON object (a single ```json fence around it is tolerated),
 * with the field the output type requires, in range. Anything else is malformed, never a pass.
 */
export function parseVerdict(text: string, spec: JudgeSpec): Verdict {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n?([\s\S]*?)\n?```$/.exec(trimmed);
  const body = (fenced ? fenced[1]! : trimmed).trim();
  if (!body.startsWith('{') || !body.endsWith('}')) throw new MalformedVerdict(`not a JSON object: "${clip(body)}"`);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new MalformedVerdict(`not valid JSON: "${clip(body)}"`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new MalformedVerdict('not a JSON object');
  const rationale = typeof parsed.rationale === 'string' ? parsed.rationale : undefined;
  if (rationale === undefined) throw new MalformedVerdict('no "rationale" string');
  switch (spec.output) {
    case 'pass-fail': {
      const verdict = typeof parsed.verdict === 'string' ? parsed.verdict.toLowerCase() : undefined;
      if (verdict !== 'pass' && verdict !== 'fail') throw new MalformedVerdict('"verdict" is not "pass" or "fail"');
      return { raw: verdict, rationale };
    }
    case 'scale': {
      const score = parsed.score;
      if (typeof score !== 'number' || !Number.isInteger(score) || score < 1 || score > 5) {
        throw new MalformedVerdict('"score" is not an integer from 1 to 5');
      }
      return { raw: score, rationale };
    }
    case 'labels': {
      const label = parsed.label;
      if (typeof label !== 'string' || !spec.labels!.includes(label)) {
        throw new MalformedVerdict(`"label" is not one of ${spec.labels!.join(', ')}`);
      }
      return { raw: label, rationale };
    }
  }
}

/** The raw grade as a value in 0..1 (higher is better) and whether it passes the case. */
export function gradeOf(raw: number | string, spec: JudgeSpec): { value: number; pass: boolean } {
  switch (spec.output) {
    case 'pass-fail':
      return { value: raw === 'pass' ? 1 : 0, pass: raw === 'pass' };
    case 'scale':
      return { value: ((raw as number) - 1) / 4, pass: (raw as number) >= (spec.passAt ?? 4) };
    case 'labels': {
      const labels = spec.labels!;
      const index = labels.indexOf(raw as string);
      return {
        value: labels.length > 1 ? 1 - index / (labels.length - 1) : 1,
        pass: (spec.passLabels ?? [labels[0]!]).includes(raw as string),
      };
    }
  }
}

/**
 * The verdict of K repetitions: the grade a strict majority gave; without one, the conservative choice
 * (a tie between pass and fail fails; for scales the lower median; for labels the worst tied label).
 * Agreement is the share of repetitions that gave the chosen grade.
 */
export function majority(
  raws: readonly (number | string)[],
  spec: JudgeSpec,
): { raw: number | string; agreement: number } {
  const counts = new Map<number | string, number>();
  for (const raw of raws) counts.set(raw, (counts.get(raw) ?? 0) + 1);
  const top = Math.max(...counts.values());
  let chosen: number | string;
  const strict = [...counts].find(([, n]) => n > raws.length / 2);
  if (strict) {
    chosen = strict[0];
  } else if (spec.output === 'scale') {
    const sorted = [...(raws as number[])].sort((a, b) => a - b);
    chosen = sorted[Math.floor((sorted.length - 1) / 2)]!;
  } else if (spec.output === 'pass-fail') {
    chosen = counts.get('pass') === top && counts.get('fail') !== top ? 'pass' : 'fail';
  } else {
    const tied = [...counts].filter(([, n]) => n === top).map(([label]) => label as string);
    chosen = tied.sort((a, b) => spec.labels!.indexOf(b) - spec.labels!.indexOf(a))[0]!;
  }
  return { raw: chosen, agreement: (counts.get(chosen) ?? 0) / raws.length };
}

const clip = (text: string) => (text.length > 60 ? `${text.slice(0, 59)}…` : text);
