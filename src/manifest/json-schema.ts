import { z } from 'zod';
import { manifestSchema } from './schema.js';

export const MANIFEST_SCHEMA_ID = 'https://unpkg.com/genai-kit/schema/genai.schema.json';

/**
 * genai.yaml as JSON Schema (draft 2020-12) for editors. It describes what a user writes (the input
 * side: fields with defaults are optional); rules across fields (approval names an environment,
 * chunkOverlap below chunkSize, min ≤ max) are only checked by genai itself.
 */
export function manifestJsonSchema(): Record<string, unknown> {
  const { $schema, ...generated } = z.toJSONSchema(manifestSchema, { target: 'draft-2020-12', io: 'input' });
  return { $schema, $id: MANIFEST_SCHEMA_ID, title: 'genai.yaml', ...generated };
}
