/**
 * Personal data redaction: what a question may carry that must never reach the interaction store, a span
 * or an exporter. Patterns, not a model: fast, deterministic, and biased to over-redact (a long number that
 * is not an ID loses little). Each kind is replaced by a typed placeholder so the text stays readable.
 */

export type PiiKind = 'email' | 'card' | 'iban' | 'phone' | 'id' | 'name';

export interface Redaction {
  text: string;
  /** How many of each kind were replaced; the kinds only, never the values. */
  found: Partial<Record<PiiKind, number>>;
}

/** Luhn checksum over the digits: what makes 16 digits a card number rather than an order id. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 12 && sum % 10 === 0;
}

const email = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** 12–19 digits, optionally grouped by spaces or dashes. */
const cardLike = /\b\d(?:[ -]?\d){11,18}\b/g;
const iban = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b/g;
/** A phone number: an optional +country, 8 to 15 digits with spaces, dots, dashes or brackets between. */
const phone = /(?:\+|\b00)?\(?\d{1,4}\)?(?:[ .-]?\(?\d{1,4}\)?){2,6}\d\b/g;
/** National ids, passports, insurance numbers: a letter or two and 6+ digits, or 6+ digits on their own. */
const idLike = /\b(?:[A-Z]{1,3}[ -]?)?\d(?:[ -]?\d){5,}[A-Z]?\b/g;
/** A US social security number: before phone numbers, which it would otherwise look like. */
const ssn = /\b\d{3}-\d{2}-\d{4}\b/g;
/** Dates are digits too, and no one's secret. */
const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$|^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(s);
const capitalised = "[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?";
/** Names where a cue says one follows: "my name is", "I am", "this is", titles, "signed". */
const nameCue = new RegExp(
  `\\b(?:(?:[Mm]y name is|[Nn]ame:|I am|I'm|[Tt]his is|[Ss]igned|[Rr]egards,?|[Tt]hanks,?)\\s+|(?:Mr|Mrs|Ms|Miss|Dr|Prof)\\.?\\s+)(${capitalised}(?:\\s+${capitalised})?)`,
  'g',
);
/** Words after "I am" that are not names. */
const notNames = new Set([
  'Not',
  'Pregnant',
  'Sure',
  'Using',
  'Trying',
  'Having',
  'Unable',
  'On',
  'In',
  'So',
  'Very',
  'The',
  'A',
  'An',
]);

const digitCount = (s: string) => s.replace(/\D/g, '').length;

export function redactPii(input: string): Redaction {
  const found: Partial<Record<PiiKind, number>> = {};
  const count = (kind: PiiKind) => (found[kind] = (found[kind] ?? 0) + 1);
  let text = input.replace(email, () => (count('email'), '[EMAIL]'));
  text = text.replace(cardLike, (match) => {
    const digits = match.replace(/\D/g, '');
    return digits.length >= 13 && luhnValid(digits) ? (count('card'), '[CARD]') : match;
  });
  text = text.replace(iban, (match) => (digitCount(match) >= 8 ? (count('iban'), '[IBAN]') : match));
  text = text.replace(ssn, () => (count('id'), '[ID]'));
  text = text.replace(phone, (match) => {
    const digits = digitCount(match);
    // Dates (2024-05-01) and times are short digit groups; a phone number has 8 or more digits.
    if (digits < 8 || digits > 15 || isDate(match)) return match;
    return (count('phone'), '[PHONE]');
  });
  text = text.replace(idLike, (match) => (digitCount(match) >= 6 && !isDate(match) ? (count('id'), '[ID]') : match));
  text = text.replace(nameCue, (match, name: string) => {
    const first = name.split(/\s+/)[0] ?? '';
    if (notNames.has(first)) return match;
    count('name');
    return match.slice(0, match.length - name.length) + '[NAME]';
  });
  return { text, found };
}

/** The number of redactions in a result, for counters and span attributes. */
export const redactionCount = (found: Redaction['found']): number =>
  Object.values(found).reduce((sum, n) => sum + (n ?? 0), 0);
