import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../atomic-write.js';
import type { AssumedConstraint } from './defaults.js';
import type { Manifest } from './schema.js';

/**
 * A cache of validated manifests, so that read-only commands on the hot path (`genai cost`) need not load
 * zod and yaml (about 90 ms of a 300 ms budget) when genai.yaml has not changed. An entry is keyed by the
 * file's text and by the code that validated it, so an edited file or another build of genai never reads
 * a stale entry. This file imports nothing heavy; it is the one part of the module besides name.ts that
 * others may import directly for that reason.
 */
const codeDir = dirname(fileURLToPath(import.meta.url));
let codeFingerprint: string | undefined;

/** sha256 of this module's compiled code: the schema, its sections and the loader. */
function fingerprint(): string {
  if (codeFingerprint) return codeFingerprint;
  const hash = createHash('sha256');
  const files = readdirSync(codeDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.js'))
    .sort();
  for (const file of files) hash.update(file).update(readFileSync(join(codeDir, file)));
  codeFingerprint = hash.digest('hex');
  return codeFingerprint;
}

const entryKey = (file: string, text: string) =>
  createHash('sha256').update(fingerprint()).update('\0').update(file).update('\0').update(text).digest('hex');

const cachePath = (projectDir: string) => join(projectDir, '.genai', 'cache', 'manifest.json');

interface Entry {
  key: string;
  manifest: Manifest;
  /** The constraints the file leaves out (see assumptions.ts), so that `genai cost` can list them. */
  assumed: AssumedConstraint[];
}

/** The validated manifest of `cwd/file` when its text is what was validated last; else undefined. */
export async function readCachedManifest(
  cwd: string,
  file = 'genai.yaml',
): Promise<{ manifest: Manifest; assumed: AssumedConstraint[]; path: string } | undefined> {
  const directory = resolve(cwd);
  const path = resolve(directory, file);
  try {
    const [text, raw] = await Promise.all([readFile(path, 'utf8'), readFile(cachePath(directory), 'utf8')]);
    const entry = JSON.parse(raw) as Entry;
    return entry.key === entryKey(file, text) ? { manifest: entry.manifest, assumed: entry.assumed, path } : undefined;
  } catch {
    return undefined;
  }
}

/** Records a manifest that passed validation. Best effort: a read-only project just goes without. */
export async function writeCachedManifest(
  cwd: string,
  file: string,
  text: string,
  manifest: Manifest,
  assumed: AssumedConstraint[],
): Promise<void> {
  const target = cachePath(resolve(cwd));
  try {
    await mkdir(dirname(target), { recursive: true });
    await writeFileAtomic(target, JSON.stringify({ key: entryKey(file, text), manifest, assumed } satisfies Entry));
  } catch {
    /* no cache this time */
  }
}
