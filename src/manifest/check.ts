import {
  availability,
  CATALOG_CHECKED,
  catalogIds,
  findCatalogEntry,
  isCataloguedProvider,
  type CatalogKind,
} from './catalog.js';
import { assumedValue } from './assumptions.js';
import type { ManifestProblem } from './issues.js';
import { MANIFEST_FILE, readManifest, validateManifest, type LoadedManifest } from './load.js';
import { fieldName, locate, type FieldPath } from './locate.js';
import type { Manifest } from './schema.js';
import { nearest } from './suggest.js';

export type FindingLevel = 'error' | 'warning';

/** What `genai check` reports: an error fails the check (exit 2), a warning is for a human to weigh. */
export interface Finding {
  level: FindingLevel;
  code: string;
  message: string;
  fix: string;
  location: string;
  field: string;
}

export interface CheckReport {
  ok: boolean;
  findings: Finding[];
}

interface Located extends Finding {
  offset: number;
}

type Section = 'model' | 'embeddings';
const kindOf: Record<Section, CatalogKind> = { model: 'model', embeddings: 'embedding' };

/**
 * The checks beyond the schema that need no cloud: environments inside the allowed regions, model
 * ids offered where they run, data that may not leave the machine, the offline provider where a real
 * model is expected, and budgets that add up. Pure: reads only the loaded manifest.
 */
export function checkManifest(loaded: LoadedManifest): Finding[] {
  const findings: Located[] = [];
  const add = (level: FindingLevel, code: string, path: FieldPath, message: string, fix: string) => {
    const { location, offset } = locate(loaded.file, loaded.document, loaded.lineCounter, path);
    findings.push({ level, code, message, fix, location, field: fieldName(path), offset });
  };
  const { manifest } = loaded;
  checkAssumed(loaded, add);
  checkRegions(manifest, add);
  for (const section of ['model', 'embeddings'] as const) {
    checkCatalog(manifest, section, add);
    checkDataEgress(manifest, section, add);
    checkOfflineInCloud(manifest, section, add);
  }
  checkBudgets(manifest, add);
  return findings.sort((a, b) => a.offset - b.offset).map(({ offset: _offset, ...finding }) => finding);
}

/**
 * A check another module contributes (the budget check of src/cost, the dataset check of src/evals), run
 * on a valid manifest.
 */
export type ExtraCheck = (
  loaded: LoadedManifest,
  locateField: (field: string) => string,
) => Finding[] | Promise<Finding[]>;

/** Reads, validates and checks the manifest in `cwd`: schema problems are error findings. */
export async function checkProject(
  cwd: string,
  file = MANIFEST_FILE,
  extraChecks: ExtraCheck[] = [],
): Promise<CheckReport> {
  const { path, text } = await readManifest(cwd, file);
  const { manifest, problems, assumed, document, lineCounter } = validateManifest(text, file);
  let findings = problems.map(problemToFinding);
  if (manifest) {
    const loaded = { manifest, path, file, document, lineCounter, assumed };
    const locateField = (field: string) => locate(file, document, lineCounter, field.split('.')).location;
    const extra = await Promise.all(extraChecks.map((check) => check(loaded, locateField)));
    findings = [...checkManifest(loaded), ...extra.flat()];
  }
  return { ok: !findings.some((finding) => finding.level === 'error'), findings };
}

export function problemToFinding({ code, message, fix, location, field }: ManifestProblem): Finding {
  return { level: 'error', code, message, fix, location, field };
}

/** `error genai.yaml:12:14 environments.prod.region: … — fix: …` */
export function formatFinding(finding: Finding): string {
  const where = finding.field ? `${finding.location} ${finding.field}` : finding.location;
  return `${finding.level} ${where}: ${finding.message} — fix: ${finding.fix}`;
}

export function formatSummary(report: CheckReport, file = MANIFEST_FILE): string {
  const errors = report.findings.filter((finding) => finding.level === 'error').length;
  const warnings = report.findings.length - errors;
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`;
  return report.ok ? `${file} is valid: ${counts}` : `${file} has problems: ${counts}`;
}

type Add = (level: FindingLevel, code: string, path: FieldPath, message: string, fix: string) => void;

/** A constraint left out takes its default: fine to start with, but a human should choose it. */
function checkAssumed(loaded: LoadedManifest, add: Add): void {
  for (const key of loaded.assumed) {
    const value = assumedValue(key);
    add(
      'warning',
      'E_CHECK_DEFAULTED',
      ['constraints', key],
      `not set; genai assumes the default ${value}`,
      `set ${key} under constraints in ${loaded.file}, e.g. ${key}: ${value}`,
    );
  }
}

function checkRegions(manifest: Manifest, add: Add): void {
  const allowed = manifest.constraints.regions;
  for (const [name, environment] of Object.entries(manifest.environments)) {
    if (environment.target !== 'aws' || allowed.includes(environment.region)) continue;
    const choice = allowed.length === 1 ? allowed[0] : `one of ${allowed.join(', ')}`;
    add(
      'error',
      'E_CHECK_REGION',
      ['environments', name, 'region'],
      `environment ${name} is in ${environment.region}, outside constraints.regions (${allowed.join(', ')})`,
      `use ${choice}, or add ${environment.region} to constraints.regions if the data may live there`,
    );
  }
}

function awsRegions(manifest: Manifest): Map<string, string[]> {
  const byRegion = new Map<string, string[]>();
  for (const [name, environment] of Object.entries(manifest.environments)) {
    if (environment.target === 'aws')
      byRegion.set(environment.region, [...(byRegion.get(environment.region) ?? []), name]);
  }
  return byRegion;
}

function checkCatalog(manifest: Manifest, section: Section, add: Add): void {
  const { provider, id } = manifest[section];
  if (!isCataloguedProvider(provider)) return;
  const kind = kindOf[section];
  if (availability(kind, provider, id) === 'unknown') {
    const known = nearest(id, catalogIds(kind, provider));
    add(
      'warning',
      'E_CHECK_UNKNOWN_ID',
      [section, 'id'],
      `${id} is not a ${provider} ${kind} id genai knows (catalog of ${CATALOG_CHECKED}); nearest known: ${known.join(', ')}`,
      `check the id with ${provider}, or use one of ${known.join(', ')}`,
    );
    return;
  }
  if (provider === 'bedrock') {
    for (const [region, environments] of awsRegions(manifest)) {
      if (availability(kind, provider, id, region) !== 'not-in-region') continue;
      const there = nearest(id, catalogIds(kind, provider, region));
      const offered = there.length
        ? `nearest offered there: ${there.join(', ')}`
        : `no catalogued ${kind} is offered there`;
      add(
        'warning',
        'E_CHECK_ID_REGION',
        [section, 'id'],
        `${id} is not offered on Bedrock in ${region} (environment${environments.length === 1 ? '' : 's'} ${environments.join(', ')}) as of ${CATALOG_CHECKED}; ${offered}`,
        there.length
          ? `use ${there[0]} or another ${kind} offered in ${region}, or confirm availability in the Bedrock console`
          : `confirm availability in the Bedrock console, or run that environment in another allowed region`,
      );
    }
  }
  const entry = findCatalogEntry(kind, provider, id);
  if (section === 'embeddings' && entry?.dimensions && !entry.dimensions.includes(manifest.embeddings.dimensions)) {
    add(
      'warning',
      'E_CHECK_DIMENSIONS',
      ['embeddings', 'dimensions'],
      `${id} returns vectors of ${entry.dimensions.join(' or ')} dimensions, not ${manifest.embeddings.dimensions}`,
      `set dimensions to ${entry.dimensions[entry.dimensions.length - 1]}`,
    );
  }
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]';
}

function checkDataEgress(manifest: Manifest, section: Section, add: Add): void {
  const { dataClass } = manifest.constraints;
  const settings = manifest[section];
  if ((dataClass !== 'phi' && dataClass !== 'pii') || settings.provider !== 'openai-compatible' || !settings.baseUrl)
    return;
  if (isLoopback(settings.baseUrl)) return;
  const host = new URL(settings.baseUrl).host;
  add(
    'warning',
    'E_CHECK_DATA_EGRESS',
    [section, 'baseUrl'],
    `dataClass is ${dataClass} but ${section}.baseUrl sends ${section === 'model' ? 'prompts' : 'documents'} to ${host}, which is not this machine`,
    `serve the ${kindOf[section]} on localhost or inside your compliance boundary, and confirm ${host} may process ${dataClass} data`,
  );
}

function checkOfflineInCloud(manifest: Manifest, section: Section, add: Add): void {
  if (manifest[section].provider !== 'offline') return;
  const cloud = Object.entries(manifest.environments).filter(([, environment]) => environment.target !== 'local');
  if (cloud.length === 0) return;
  const names = cloud.map(([name]) => name).join(', ');
  const serves =
    section === 'model' ? 'extractive answers instead of a model' : 'hashed-feature embeddings instead of a model';
  const instead =
    section === 'model' ? 'bedrock, sagemaker, vllm or openai-compatible' : 'bedrock or openai-compatible';
  add(
    'warning',
    'E_CHECK_OFFLINE_IN_CLOUD',
    [section, 'provider'],
    `${section}.provider is offline, so cloud environment${cloud.length === 1 ? '' : 's'} ${names} would serve ${serves}`,
    `set ${section}.provider to ${instead} before deploying ${names}`,
  );
}

function checkBudgets(manifest: Manifest, add: Add): void {
  const total = Object.values(manifest.environments).reduce(
    (sum, environment) => sum + (environment.budgetUsdPerMonth ?? 0),
    0,
  );
  const limit = manifest.constraints.budgetUsdPerMonth;
  if (total <= limit) return;
  add(
    'warning',
    'E_CHECK_BUDGET',
    ['constraints', 'budgetUsdPerMonth'],
    `the environments' budgets add up to $${total} a month, more than constraints.budgetUsdPerMonth ($${limit})`,
    'lower the environment budgets, or raise budgetUsdPerMonth',
  );
}
