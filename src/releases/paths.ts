import { join } from 'node:path';

/** Where releases, their dependency sets, the ledger and the environment locks live: all under `.genai/`. */
export function releasePaths(projectDir: string) {
  const root = join(projectDir, '.genai');
  return {
    root,
    ledger: join(root, 'ledger.jsonl'),
    /** Held for the few milliseconds of one append, so that sequence numbers never repeat. */
    ledgerMutex: join(root, 'ledger.lock'),
    locks: join(root, 'locks'),
    lock: (env: string) => join(root, 'locks', `${env}.lock`),
    releases: join(root, 'releases'),
    release: (id: string) => join(root, 'releases', id),
    deps: join(root, 'deps'),
  };
}

/** The ledger's path as messages show it, relative to the project. */
export const LEDGER_FILE = '.genai/ledger.jsonl';
export const RELEASES_DIR = '.genai/releases';
