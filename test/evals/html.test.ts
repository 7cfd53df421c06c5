import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runEval } from '../../src/evals/index.js';
import type { EvalReport } from '../../src/evals/reports/report.js';
import { answerHandler, startServer, type TestServer } from './helpers/servers.js';

const chromium = '/usr/bin/chromium';
const hasChromium = existsSync(chromium);
const missingChromium = `no Chromium at ${chromium}: install it with apt-get install chromium (.ci/run does)`;
// On a developer's machine a missing browser skips the test; in CI it fails it, so that it cannot pass unseen.
const inCi = (process.env.CI ?? '') !== '';
if (!hasChromium && !inCi) console.warn(`skipping the HTML report browser test: ${missingChromium}`);

/** A run with a baseline, failures and an error, so the page has every part to show. */
let html: string;
let report: EvalReport;
let server: TestServer;
beforeAll(async () => {
  const project = await mkdtemp(join(tmpdir(), 'genai-html-'));
  await writeFile(
    join(project, 'dataset.jsonl'),
    await readFile(join(import.meta.dirname, '..', 'fixtures', 'evals', 'dataset.jsonl')),
  );
  let broken = false;
  const handler = answerHandler();
  server = await startServer((r) => {
    if (broken && r.path === '/v1/answer') {
      const question = (r.body as { question: string }).question;
      if (question.includes('Team plan')) return { status: 500, body: { error: 'boom' } };
      const reply = handler(r);
      if (reply !== 'hang' && question.includes('password')) (reply.body as { citations: unknown[] }).citations = [];
      return reply;
    }
    return handler(r);
  });
  const evals = {
    dataset: 'dataset.jsonl',
    judges: ['correctness' as const, 'groundedness' as const, 'safety' as const],
    thresholds: { citations: 0.9, groundedness: 0.5 },
  };
  const base = {
    cwd: project,
    evals,
    target: { kind: 'url' as const, url: server.url },
    openTarget: async () => ({ url: server.url }),
    retries: 0,
    cache: false,
  };
  await runEval({ ...base, saveBaseline: 'prod' });
  broken = true;
  const outcome = await runEval({ ...base, baseline: 'prod', maxErrorRate: 0.5 });
  report = outcome.report;
  html = await readFile(outcome.files.html, 'utf8');
});
afterAll(async () => {
  await server?.close();
});

describe('the HTML report', () => {
  it('is one self-contained file: no external script, style, image or font', () => {
    expect(html).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=/i);
    expect(html).not.toMatch(/url\(|@import|https?:\/\/(?!127\.0\.0\.1)/);
    expect(html).toContain('<svg class="chart"');
    expect(html).toContain('offline heuristic');
  });

  it.skipIf(!hasChromium && !inCi)(
    'opens from disk in headless Chromium with cards, a delta chart and a filterable case table',
    async () => {
      expect(hasChromium, `CI is set and the browser test needs Chromium: ${missingChromium}`).toBe(true);
      const { chromium: browserType } = await import('playwright-core');
      const browser = await browserType.launch({
        executablePath: chromium,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
        const requests: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        const file = join(await mkdtemp(join(tmpdir(), 'genai-html-page-')), 'report.html');
        await writeFile(file, html);
        await page.goto(`file://${file}`);
        expect(errors).toEqual([]);
        expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
        expect(await page.locator('.card').count()).toBeGreaterThan(8);
        expect(await page.locator('.card.bad[data-metric="citations"]').count()).toBe(1);
        expect(await page.locator('svg.chart rect').count()).toBeGreaterThan(0);
        expect(await page.locator('tr.case').count()).toBe(5);
        await page.selectOption('#state', 'errored');
        expect(await page.locator('tr.case').allTextContents()).toEqual([expect.stringContaining('team-plan-price')]);
        await page.selectOption('#state', '');
        await page.fill('#q', 'password');
        expect(await page.locator('tr.case').count()).toBe(1);
        await page.locator('tr.case').first().click();
        const details = await page.locator('tr.details').innerText();
        expect(details).toContain('Forgot password');
        expect(details).toMatch(/Trace\s+trace-/);
        expect(details).toContain('offline heuristic');
        await page.fill('#q', '');
        await page.selectOption('#metric', 'citations');
        expect(await page.locator('#shown').innerText()).toBe('1 of 5 cases');
        await page.selectOption('#metric', '');
        await page.locator('tr.case[data-id="export-csv"]').click();
        const screenshot = process.env.GENAI_HTML_SCREENSHOT ?? join(tmpdir(), 'genai-eval-report.png');
        await page.screenshot({ path: screenshot, fullPage: true });
        expect(report.gate.pass).toBe(false);
      } finally {
        await browser.close();
      }
    },
  );
});
