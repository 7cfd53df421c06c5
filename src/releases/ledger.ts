import { existsSync } from 'node:fs';
import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { environmentError } from '../errors.js';
import { isAlive } from '../environments/index.js';
import { createExclusive, readIfExists, removeIfUnchanged } from './exclusive-file.js';
import { sha256 } from './hash.js';
import type { LedgerEntry, LedgerRecord, LedgerStamp } from './ledger-types.js';
import { LEDGER_FILE, releasePaths } from './paths.js';

/**
 * The ledger: `.genai/ledger.jsonl`, one JSON record per line, appended and never rewritten. Each append
 * is one write followed by fsync, so a crash can at worst leave an incomplete last line. Reading ignores
 * such a torn tail (and says so); the next append cuts it off first. Damage anywhere else is an error,
 * because a record in the middle is history that later records rely on.
 */

/** A last line that a crash cut short or garbled: ignored by readers, removed by the next append. */
export interface TornTail {
  /** 1-based line number in the file. */
  line: number;
  reason: string;
}

export interface LedgerRead {
  entries: LedgerEntry[];
  tornTail?: TornTail;
}

const SUM_LENGTH = 16;
const SUMMED = /^(\{.*),"sum":"([0-9a-f]{16})"\}$/;
/** How long an append waits for another one to finish before it gives up. */
const MUTEX_WAIT_MS = 10_000;
/** An append holds the ledger's mutex for milliseconds: one older than this was left by a crash. */
const MUTEX_STALE_MS = 60_000;

const checksum = (body: string) => sha256(body).slice(0, SUM_LENGTH);

/** The stored line for a record: `{seq, at, kind, ...fields, sum}` and a newline. */
export function formatEntry<R extends LedgerRecord>(
  seq: number,
  at: Date,
  record: R,
): { entry: R & LedgerStamp; line: string } {
  const { kind, ...fields } = record;
  const body = JSON.stringify({ seq, at: at.toISOString(), kind, ...fields });
  const sum = checksum(body);
  return {
    entry: { ...(JSON.parse(body) as R), seq, at: at.toISOString(), sum },
    line: `${body.slice(0, -1)},"sum":"${sum}"}\n`,
  };
}

/** Why a line is not a valid record following `previousSeq`, or the record. */
function checkLine(text: string, previousSeq: number): LedgerEntry | string {
  const summed = SUMMED.exec(text);
  if (!summed) return text.trim() ? 'it is not a complete record with a checksum' : 'it is empty';
  if (checksum(`${summed[1]}}`) !== summed[2]) return 'its checksum does not match its content';
  let value: Partial<LedgerEntry>;
  try {
    value = JSON.parse(text) as Partial<LedgerEntry>;
  } catch {
    return 'it is not JSON';
  }
  if (typeof value.kind !== 'string' || typeof value.at !== 'string') return 'it has no kind or time';
  if (value.seq !== previousSeq + 1) return `its seq is ${String(value.seq)} where ${previousSeq + 1} was due`;
  return value as LedgerEntry;
}

/**
 * Parses the ledger's bytes. Also returns how many leading bytes hold valid records, which is where the
 * next append cuts a torn tail.
 */
export function parseLedger(data: Uint8Array): LedgerRead & { validBytes: number } {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const entries: LedgerEntry[] = [];
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    line += 1;
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    const result =
      newline === -1
        ? 'it is incomplete (no newline at its end)'
        : checkLine(bytes.subarray(start, end).toString('utf8'), entries.at(-1)?.seq ?? 0);
    if (typeof result === 'string') {
      if (newline === -1 || newline === bytes.length - 1) {
        return { entries, tornTail: { line, reason: result }, validBytes: start };
      }
      throw environmentError(
        'E_LEDGER_DAMAGED',
        `the ledger is damaged: line ${line} is not a valid record (${result})`,
        {
          location: `${LEDGER_FILE}:${line}`,
          fix: `restore ${LEDGER_FILE} from a backup; genai never rewrites the ledger's history, so it will not guess`,
        },
      );
    }
    entries.push(result);
    start = end + 1;
  }
  return { entries, validBytes: start };
}

async function readBytes(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Every record of the project's ledger, oldest first (none when there is no ledger yet). */
export async function readLedger(projectDir: string): Promise<LedgerRead> {
  const bytes = await readBytes(releasePaths(projectDir).ledger);
  if (!bytes) return { entries: [] };
  const { entries, tornTail } = parseLedger(bytes);
  return tornTail ? { entries, tornTail } : { entries };
}

/** Appends one record durably and returns it as stored. */
export async function appendLedger<R extends LedgerRecord>(
  projectDir: string,
  record: R,
  now = new Date(),
): Promise<R & LedgerStamp> {
  return (await appendLedgerUnless(projectDir, record, () => false, now))!;
}

/**
 * Appends `record` unless `skip` says the ledger already has what it records; the check and the append
 * happen under the ledger's mutex, so two processes cannot both decide to append.
 */
export async function appendLedgerUnless<R extends LedgerRecord>(
  projectDir: string,
  record: R,
  skip: (entries: LedgerEntry[]) => boolean,
  now = new Date(),
): Promise<(R & LedgerStamp) | undefined> {
  const paths = releasePaths(projectDir);
  await mkdir(paths.root, { recursive: true });
  return withMutex(paths.ledgerMutex, async () => {
    const existed = existsSync(paths.ledger);
    const bytes = existed ? await readBytes(paths.ledger) : undefined;
    const parsed = bytes ? parseLedger(bytes) : { entries: [], validBytes: 0 };
    if (skip(parsed.entries)) return undefined;
    if (parsed.tornTail) await truncate(paths.ledger, parsed.validBytes);
    const { entry, line } = formatEntry((parsed.entries.at(-1)?.seq ?? 0) + 1, now, record);
    const handle = await open(paths.ledger, 'a');
    try {
      await handle.write(line);
      await handle.sync();
    } finally {
      await handle.close();
    }
    // A new file's name lives in its folder: sync that too, or a crash may lose the whole ledger.
    if (!existed) await syncFolder(dirname(paths.ledger));
    return entry;
  });
}

async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms cannot open or sync a folder; the file itself is synced.
  }
}

interface MutexHolder {
  pid: number;
  host: string;
  at: string;
}

function isStaleMutex(text: string): boolean {
  let holder: Partial<MutexHolder>;
  try {
    holder = JSON.parse(text) as Partial<MutexHolder>;
  } catch {
    return true;
  }
  if (!holder.at || Date.now() - Date.parse(holder.at) > MUTEX_STALE_MS) return true;
  return holder.host === hostname() && !isAlive(holder.pid);
}

/** Runs `fn` while holding the ledger's mutex: one append at a time, across processes. */
async function withMutex<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const mine = JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() });
  const deadline = Date.now() + MUTEX_WAIT_MS;
  while (!(await createExclusive(path, mine))) {
    const held = await readIfExists(path);
    if (held !== undefined && isStaleMutex(held)) {
      await removeIfUnchanged(path, held);
      continue;
    }
    if (Date.now() > deadline) {
      throw environmentError(
        'E_LEDGER_BUSY',
        `another genai process has held the ledger for ${MUTEX_WAIT_MS / 1000} s`,
        {
          location: '.genai/ledger.lock',
          fix: 'wait for it to finish; if no genai command is running, delete .genai/ledger.lock',
        },
      );
    }
    await sleep(5 + Math.random() * 20);
  }
  try {
    return await fn();
  } finally {
    await removeIfUnchanged(path, mine);
  }
}
