/**
 * Prompt-injection detection: heuristics over the question, fast and deterministic, with the rule that
 * fired named for the span. A model-based check (a classifier endpoint, Bedrock Guardrails) plugs in
 * through `InjectionCheck`; the heuristics stay the first line because they cost nothing.
 */
export interface InjectionVerdict {
  flagged: boolean;
  /** Names of the rules that matched. */
  rules: string[];
}

/** A check that may call a model; the pipeline runs it after the heuristics pass. */
export interface InjectionCheck {
  readonly name: string;
  check(question: string): Promise<InjectionVerdict>;
}

export const injectionRefusal =
  'I can only answer questions about the app from its help centre, and I can’t change how I work. Please ask your question directly.';

const rules: [name: string, pattern: RegExp][] = [
  [
    'override-instructions',
    /\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:previous|prior|above|earlier|all|your|the|any)\b.{0,20}\b(?:instructions?|rules?|prompts?|guidelines?|directions?|context)\b/,
  ],
  [
    'reveal-prompt',
    /\b(?:reveal|show|print|repeat|output|tell me|what (?:is|are))\b.{0,30}\b(?:system|hidden|initial|original)\s+(?:prompt|instructions?|message)\b/,
  ],
  [
    'role-play',
    /\b(?:you are now|from now on,? you|act as|pretend (?:to be|you are)|roleplay as)\b.{0,40}\b(?:dan|jailbreak|unfiltered|unrestricted|developer mode|evil|no (?:rules|limits|restrictions))\b/,
  ],
  ['developer-mode', /\b(?:developer|debug|god|admin|sudo)\s+mode\b/],
  [
    'fake-system-turn',
    /(?:^|\n)\s*(?:system|assistant)\s*:|<\/?(?:system|im_start|im_end)\b|<\|im_(?:start|end)\|>|\[\/?INST\]|<<SYS>>/,
  ],
  ['new-instructions', /\b(?:new|updated|real)\s+instructions?\s*:/],
  ['exfiltrate', /\b(?:send|post|upload|forward)\b.{0,40}\b(?:to|at)\s+(?:https?:\/\/|www\.)/],
];

/** The heuristics: lower-cased, whitespace folded, then every rule. */
export function detectInjection(question: string): InjectionVerdict {
  const text = question.toLowerCase().replace(/[’‘]/g, "'");
  const matched = rules.filter(([name, pattern]) =>
    name === 'fake-system-turn'
      ? pattern.test(question) || pattern.test(text)
      : pattern.test(text.replace(/\s+/g, ' ')),
  );
  return { flagged: matched.length > 0, rules: matched.map(([name]) => name) };
}
