import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';

/** A stable JSON text: object keys sorted, so that equal requests hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

export const cacheKey = (parts: unknown) => createHash('sha256').update(canonicalJson(parts)).digest('hex');

/**
 * Content-addressed store of target and judge responses: one file per key, written to a temporary
 * name and renamed, so that a kill mid-write never leaves a half entry. A corrupt entry reads as a miss.
 */
export class ResponseCache {
  private readonly made = new Set<string>();
  hits = 0;
  misses = 0;

  constructor(
    private readonly dir: string,
    readonly enabled: boolean,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    if (!this.enabled) return undefined;
    try {
      const value = JSON.parse(await readFile(this.path(key), 'utf8')) as T;
      this.hits++;
      return value;
    } catch {
      this.misses++;
      return undefined;
    }
  }

  async set(key: string, value: unknown): Promise<void> {
    if (!this.enabled) return;
    const folder = join(this.dir, key.slice(0, 2));
    if (!this.made.has(folder)) {
      await mkdir(folder, { recursive: true });
      this.made.add(folder);
    }
    await writeFileAtomic(this.path(key), JSON.stringify(value));
  }

  private path(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }
}
