import type { Manifest } from './schema.js';

/**
 * The order releases move in: `promotion.order` when genai.yaml sets it, else the environments in the
 * order genai.yaml lists them. A promotion may skip ahead but never go back (that is a rollback).
 */
export function promotionOrder(manifest: Pick<Manifest, 'promotion' | 'environments'>): string[] {
  return manifest.promotion.order ?? Object.keys(manifest.environments);
}
