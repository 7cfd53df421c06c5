/**
 * The input guard: requests for a diagnosis, medication or treatment are refused before any retrieval
 * or model call, with a pointer to a clinician. Rules are deterministic and fast; each names its
 * category for the span. App questions that merely mention health words ("set a pill reminder",
 * "export a report for my doctor") pass.
 */

export type MedicalCategory = 'diagnosis' | 'medication' | 'treatment';

export type InputVerdict = { allowed: true } | { allowed: false; category: MedicalCategory; refusal: string };

export const medicalRefusal =
  "I can't help with diagnoses, medication or treatment, and I won't guess about your health. " +
  'Please talk to a clinician (your doctor, a nurse or a pharmacist); if your symptoms are severe or sudden, seek urgent care. ' +
  'I can help with using the app, for example exporting a report to share with your clinician.';

const conditions =
  /\b(?:endometriosis|pcos|polycystic|cysts?|fibroids?|cancer|tumou?rs?|infections?|uti|stds?|stis?|thrush|anaemia|anemia|diabetes|thyroid|disease|disorder|illness|syndrome|infertil\w*|miscarri\w*|pregnan\w*|menopause|perimenopause|pmdd|pms)\b/;
const symptoms =
  /\b(?:symptoms?|cramps?|cramping|pain|painful|bleed\w*|spotting|discharge|nausea|headaches?|migraines?|fever|dizzy|dizziness|lumps?|irregular|missed period|late period|heavy (?:period|flow|bleeding))\b/;
const medicines =
  /\b(?:medications?|medicines?|meds|drugs?|painkillers?|ibuprofen|paracetamol|acetaminophen|aspirin|naproxen|antibiotics?|supplements?|hormones?|contraceptives?|birth control|pills?|tablets?|dose|dosage|mg)\b/;
const bodyTopics = /\b(?:cycle|period|flow|ovulation|temperature|discharge|bleeding|spotting|cramps?)\b/;
/** Words that make "is it normal…" a question about the app, not the body. */
const appTopics =
  /\b(?:app|reminders?|notifications?|predictions?|calendar|sync\w*|exports?|account|settings?|widgets?)\b/;

interface Rule {
  category: MedicalCategory;
  test: (q: string) => boolean;
}

const rules: Rule[] = [
  { category: 'diagnosis', test: (q) => /\bdiagnos(?:e|es|is|ing|ed)\b/.test(q) },
  { category: 'diagnosis', test: (q) => /\bwhat(?:'s| is) wrong with me\b/.test(q) },
  {
    category: 'diagnosis',
    test: (q) =>
      /\b(?:do|could|might|can|would) i (?:have|be having|get)\b/.test(q) && (conditions.test(q) || symptoms.test(q)),
  },
  {
    category: 'diagnosis',
    test: (q) => /\b(?:am i|could i be|might i be|i think i(?:'m| am))\b.*\b(?:pregnant|infertile|sick|ill)\b/.test(q),
  },
  {
    category: 'diagnosis',
    test: (q) =>
      /\b(?:is|are) (?:it|this|that|my \w+(?: \w+)?) (?:normal|serious|dangerous|a (?:sign|symptom))\b/.test(q) &&
      (bodyTopics.test(q) || symptoms.test(q) || conditions.test(q)) &&
      !appTopics.test(q),
  },
  {
    category: 'diagnosis',
    test: (q) => /\b(?:why|what causes?|what could cause)\b/.test(q) && (symptoms.test(q) || conditions.test(q)),
  },
  {
    category: 'medication',
    test: (q) =>
      /\b(?:what|which) (?:medications?|medicines?|meds|drugs?|painkillers?|pills?|supplements?|contraceptives?|birth control)\b(?! reminders?)/.test(
        q,
      ),
  },
  {
    category: 'medication',
    test: (q) =>
      /\b(?:should|can|could|do|may) i (?:take|stop taking|start taking|switch|double|skip)\b/.test(q) &&
      medicines.test(q),
  },
  { category: 'medication', test: (q) => /\b(?:dose|dosage|overdose)\b/.test(q) },
  {
    category: 'medication',
    test: (q) =>
      /\bhow (?:much|many)\b/.test(q) &&
      /\b(?:ibuprofen|paracetamol|acetaminophen|aspirin|naproxen|tablets?|pills?|mg)\b/.test(q) &&
      !/\breminders?\b/.test(q),
  },
  {
    category: 'medication',
    test: (q) =>
      /\b(?:missed|forgot|skipped) (?:a |my |the )?(?:pill|dose)\b/.test(q) &&
      /\b(?:what (?:should|do) i do|safe|protected)\b/.test(q),
  },
  { category: 'medication', test: (q) => /\bis it safe\b/.test(q) && (medicines.test(q) || conditions.test(q)) },
  {
    category: 'treatment',
    test: (q) =>
      /\b(?:treat|treats|treating|treatment|cure|remedy|remedies|get rid of|relieve|ease|helps?)\b/.test(q) &&
      (conditions.test(q) || symptoms.test(q)),
  },
];

export function guardInput(question: string): InputVerdict {
  const q = question.toLowerCase().replace(/[’‘]/g, "'").replace(/\s+/g, ' ');
  const rule = rules.find((r) => r.test(q));
  return rule ? { allowed: false, category: rule.category, refusal: medicalRefusal } : { allowed: true };
}
