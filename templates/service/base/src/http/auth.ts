import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * Checks presented keys against a set without leaking, through timing, how much of a key matched: both
 * sides are hashed to 32 bytes (so lengths never differ) and compared with `timingSafeEqual`, against
 * every configured key, without stopping at the first match.
 */
export class KeySet {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  get size(): number {
    return this.digests.length;
  }

  /** The index of the matching key (an id for rate limits and logs that is not the key), or -1. */
  match(presented: string | undefined): number {
    if (presented === undefined) return -1;
    const candidate = digest(presented);
    let found = -1;
    this.digests.forEach((known, index) => {
      if (timingSafeEqual(known, candidate) && found === -1) found = index;
    });
    return found;
  }
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
