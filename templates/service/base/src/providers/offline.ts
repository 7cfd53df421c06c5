import type { ProviderConfig } from '../config.js';
import { plainText, sentences } from '../text.js';
import { estimateTokens, type Context, type Generation, type Provider } from './types.js';

/**
 * A real, deterministic provider that needs no model: hashed word features for embeddings and an
 * extractive answer (the retrieved sentences that best match the question). Good for development, tests
 * and CI; it cannot paraphrase, reason across documents or understand synonyms.
 */
export function createOfflineProvider(config: Extract<ProviderConfig, { kind: 'offline' }>): Provider {
  const { dimensions } = config;
  return {
    kind: 'offline',
    system: 'offline',
    chatModel: 'offline-extractive',
    // Named like the manifest's model ids; the dimensions are part of what the vectors mean.
    embeddingModel: `offline-hash-${dimensions}`,
    dimensions,
    // Hashed features of a short question against a whole chunk score low even when on topic;
    // unrelated questions score near zero.
    minRetrievalScore: config.minRetrievalScore ?? 0.12,
    async embed(texts) {
      return {
        vectors: texts.map((text) => hashedEmbedding(text, dimensions)),
        tokens: texts.reduce((sum, text) => sum + estimateTokens(text), 0),
      };
    },
    async generate(question, contexts) {
      return extractiveAnswer(question, contexts);
    },
  };
}

const stopWords = new Set(
  (
    'a about after all also am an and any are as at be been before being but by can could did do does doing ' +
    'for from get got had has have having he her here how i if in into is it its just me more my no not of ' +
    'on once only or other our out over own please same she should so some such than that the their them ' +
    'then there these they this those through to too under until up very was we were what when where which ' +
    'while who whom why will with would you your yours yourself'
  ).split(' '),
);

/** A light, consistent stemmer: enough that "reminders", "reminder" and "reminding" meet. */
function stem(word: string): string {
  let w = word;
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  if (/([b-df-hj-np-tv-z])\1$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** Lower-cased, stemmed content words in order. */
export function terms(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return words.filter((w) => (w.length > 1 || /\d/.test(w)) && !stopWords.has(w)).map(stem);
}

/** Unigrams and bigrams of the content words. */
export function features(text: string): string[] {
  const words = terms(text);
  const bigrams = words.slice(1).map((w, i) => `${words[i]} ${w}`);
  return [...words, ...bigrams];
}

/** 32-bit FNV-1a; a different offset basis gives an independent hash for the sign. */
function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Signed feature hashing with sub-linear counts, L2-normalised so that a dot product is the cosine. */
export function hashedEmbedding(text: string, dimensions: number): number[] {
  const counts = new Map<string, number>();
  for (const feature of features(text)) counts.set(feature, (counts.get(feature) ?? 0) + 1);
  const vector = new Array<number>(dimensions).fill(0);
  for (const [feature, count] of counts) {
    const index = fnv1a(feature) % dimensions;
    const sign = fnv1a(feature, 0x050c5d1f) & 1 ? 1 : -1;
    vector[index] = (vector[index] ?? 0) + sign * (1 + Math.log(count));
  }
  const norm = Math.hypot(...vector);
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

interface Candidate {
  sentence: string;
  documentId: string;
  rank: number;
  position: number;
  overlap: number;
  weight: number;
}

const maxSentences = 4;

const howQuestion = /\bhow\b/i;
const instruction = /\s>\s|\b(?:go to|tap|open|choose|select|turn on)\b/i;

/**
 * Up to four sentences of the retrieved chunks that share the most words with the question, weighted by
 * how well their chunk was retrieved, in reading order and cited as [n]. Sentences come from the
 * document of the best sentence, the two that follow it, plus any other document's that match about as well. No overlap, no
 * answer: the output guard then refuses rather than guess.
 */
export function extractiveAnswer(question: string, contexts: Context[]): Generation {
  const questionTerms = new Set(terms(question));
  const questionBigrams = new Set(features(question).filter((f) => f.includes(' ')));
  const asksHow = howQuestion.test(question);
  const topScore = Math.max(...contexts.map((c) => c.score), Number.EPSILON);
  const inputTokens = estimateTokens(question) + contexts.reduce((sum, c) => sum + estimateTokens(c.text), 0);

  const candidates: Candidate[] = contexts.flatMap((context, rank) =>
    sentences(plainText(context.text)).map((sentence, position) => {
      const sentenceFeatures = new Set(features(sentence));
      let overlap = 0;
      for (const term of questionTerms) if (sentenceFeatures.has(term)) overlap += 1;
      for (const bigram of questionBigrams) if (sentenceFeatures.has(bigram)) overlap += 1.5;
      // "How do I…" is best answered by the sentence with the steps.
      if (overlap > 0 && asksHow && instruction.test(sentence)) overlap += 1;
      const weight = (overlap * Math.max(context.score, 0)) / topScore;
      return { sentence, documentId: context.documentId, rank, position, overlap, weight };
    }),
  );

  const ranked = candidates
    .filter((c) => c.overlap > 0 && c.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.rank - b.rank || a.position - b.position);
  const best = ranked[0];
  if (!best) return { answer: '', citations: [], inputTokens, outputTokens: 0 };

  const chosen: Candidate[] = [];
  const take = (candidate: Candidate) => {
    if (chosen.length < maxSentences && !chosen.some((c) => c.sentence === candidate.sentence)) chosen.push(candidate);
  };
  for (const candidate of ranked) {
    if (candidate.documentId === best.documentId && candidate.weight >= best.weight * 0.4) take(candidate);
  }
  for (const candidate of ranked) {
    if (candidate.documentId !== best.documentId && candidate.weight >= best.weight * 0.9) take(candidate);
  }
  // Steps and their result usually follow the best sentence: keep reading the passage after it.
  for (let offset = 1; offset <= 2; offset++) {
    const next = candidates.find((c) => c.rank === best.rank && c.position === best.position + offset);
    if (next) take(next);
  }
  chosen.sort((a, b) => a.rank - b.rank || a.position - b.position);

  const citations = [...new Set(chosen.map((c) => c.documentId))];
  const answer = chosen.map((c) => `${c.sentence} [${citations.indexOf(c.documentId) + 1}]`).join(' ');
  return { answer, citations, inputTokens, outputTokens: estimateTokens(answer) };
}
