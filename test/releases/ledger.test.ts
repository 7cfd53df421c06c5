import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GenaiError } from '../../src/errors.js';
import { appendLedger, readLedger, type LedgerRecord } from '../../src/releases/index.js';
import { builtReleases, runNode, tempDir } from './helpers.js';

const ledgerFile = (dir: string) => join(dir, '.genai', 'ledger.jsonl');
const lines = async (dir: string) => (await readFile(ledgerFile(dir), 'utf8')).split('\n').filter(Boolean);

const deployed = (env: string, releaseId: string): LedgerRecord => ({ kind: 'deploy.finished', env, releaseId });

async function ledgerWith(count: number): Promise<string> {
  const dir = await tempDir('ledger');
  for (let i = 1; i <= count; i++) await appendLedger(dir, deployed('dev', `r-00000000000${i}`));
  return dir;
}

async function damage(dir: string, line: number, edit: (text: string) => string) {
  const all = (await readFile(ledgerFile(dir), 'utf8')).split('\n');
  all[line - 1] = edit(all[line - 1]!);
  await writeFile(ledgerFile(dir), all.join('\n'));
}

async function readError(dir: string): Promise<GenaiError> {
  const error = await readLedger(dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(GenaiError);
  return error as GenaiError;
}

describe('the ledger', () => {
  it('appends one checksummed line per record, numbered from 1, and reads them back in order', async () => {
    const dir = await tempDir('ledger');
    const first = await appendLedger(dir, {
      kind: 'release.created',
      releaseId: 'r-1',
      createdBy: 'ci',
      artifact: { kind: 'image', digest: 'sha256:ab' },
    });
    await appendLedger(dir, {
      kind: 'gate.decided',
      from: 'dev',
      to: 'prod',
      releaseId: 'r-1',
      pass: false,
      reasons: ['groundedness 0.81 < 0.85'],
    });
    expect(first).toMatchObject({ seq: 1, kind: 'release.created', releaseId: 'r-1' });
    expect(first.sum).toMatch(/^[0-9a-f]{16}$/);
    const stored = await lines(dir);
    expect(stored).toHaveLength(2);
    expect(stored[0]).toMatch(
      /^\{"seq":1,"at":"\d{4}-\d\d-\d\dT[\d:.]+Z","kind":"release\.created",.*,"sum":"[0-9a-f]{16}"\}$/,
    );
    const { entries, tornTail } = await readLedger(dir);
    expect(tornTail).toBeUndefined();
    expect(entries.map((e) => [e.seq, e.kind])).toEqual([
      [1, 'release.created'],
      [2, 'gate.decided'],
    ]);
    expect(entries[1]).toMatchObject({ pass: false, reasons: ['groundedness 0.81 < 0.85'] });
  });

  it('reads a missing ledger as empty', async () => {
    expect(await readLedger(await tempDir('ledger'))).toEqual({ entries: [] });
  });

  it('ignores a torn last line (a crash mid-write), reports it, and the next append cuts it off', async () => {
    const dir = await ledgerWith(2);
    await appendFile(ledgerFile(dir), '{"seq":3,"at":"2025-01-31T10:02:11.000Z","kind":"deploy.sta');
    const read = await readLedger(dir);
    expect(read.entries.map((e) => e.seq)).toEqual([1, 2]);
    expect(read.tornTail).toEqual({ line: 3, reason: expect.stringContaining('incomplete') });

    const next = await appendLedger(dir, deployed('prod', 'r-000000000009'));
    expect(next.seq).toBe(3);
    const stored = await lines(dir);
    expect(stored).toHaveLength(3);
    expect(stored.join('\n')).not.toContain('deploy.sta');
    expect(await readLedger(dir)).toEqual({ entries: expect.any(Array) });
  });

  it('treats a complete last line whose checksum fails as torn too', async () => {
    const dir = await ledgerWith(3);
    await damage(dir, 3, (line) => line.replace('r-000000000003', 'r-000000000666'));
    const read = await readLedger(dir);
    expect(read.entries).toHaveLength(2);
    expect(read.tornTail).toEqual({ line: 3, reason: 'its checksum does not match its content' });
    await appendLedger(dir, deployed('dev', 'r-000000000004'));
    expect((await readLedger(dir)).entries.map((e) => (e.kind === 'deploy.finished' ? e.releaseId : ''))).toEqual([
      'r-000000000001',
      'r-000000000002',
      'r-000000000004',
    ]);
  });

  it('refuses a damaged line in the middle with its location, exit 3 and a fix', async () => {
    const dir = await ledgerWith(3);
    await damage(dir, 2, (line) => line.slice(0, 20));
    const error = await readError(dir);
    expect(error).toMatchObject({ code: 'E_LEDGER_DAMAGED', location: '.genai/ledger.jsonl:2', exitCode: 3 });
    expect(error.fix).toMatch(/restore .genai\/ledger.jsonl/);
    expect(error.toLine()).toMatch(/^\.genai\/ledger\.jsonl:2: the ledger is damaged: line 2 .* — fix: /);
    // And it does not append over damage it cannot explain.
    await expect(appendLedger(dir, deployed('dev', 'r-1'))).rejects.toMatchObject({ code: 'E_LEDGER_DAMAGED' });
  });

  it('checks the checksum: an edited field in valid JSON is caught', async () => {
    const dir = await ledgerWith(3);
    await damage(dir, 2, (line) => line.replace('"env":"dev"', '"env":"prod"'));
    expect(JSON.parse((await lines(dir))[1]!)).toMatchObject({ env: 'prod' });
    const error = await readError(dir);
    expect(error.location).toBe('.genai/ledger.jsonl:2');
    expect(error.message).toContain('its checksum does not match');
  });

  it('catches a line removed from the middle by its sequence number', async () => {
    const dir = await ledgerWith(4);
    const stored = await lines(dir);
    await writeFile(ledgerFile(dir), [stored[0], stored[2], stored[3], ''].join('\n'));
    const error = await readError(dir);
    expect(error.location).toBe('.genai/ledger.jsonl:2');
    expect(error.message).toContain('its seq is 3 where 2 was due');
  });

  it('numbers appends from two processes at once without gaps or repeats', async () => {
    const dir = await tempDir('ledger');
    const writer = (name: string) =>
      runNode(`
        const { appendLedger } = await import(${JSON.stringify(builtReleases)});
        for (let i = 0; i < 25; i++) {
          await appendLedger(${JSON.stringify(dir)}, { kind: 'deploy.started', env: '${name}', releaseId: 'r-' + i });
        }`);
    const results = await Promise.all([writer('a'), writer('b')]);
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    const { entries, tornTail } = await readLedger(dir);
    expect(tornTail).toBeUndefined();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});
