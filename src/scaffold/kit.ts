import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { environmentError, lastOutputLine } from '../errors.js';

/** The kit's own folder: dist/scaffold/kit.js → the package root. */
export const kitRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const templatesDir = join(kitRoot, 'templates');

/** Where a generated project keeps the packed kit it depends on when the kit is not published. */
export const VENDOR_DIR = 'vendor';

export function kitVersion(): string {
  return (JSON.parse(readFileSync(join(kitRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/** How a generated project depends on the kit. */
export interface KitDependency {
  /** The `genai-kit` devDependency spec written into package.json. */
  spec: string;
  /** The packed kit the project carries (a project-relative path and the tarball), when the spec points at it. */
  vendored?: { path: string; content: Buffer };
}

/** True when this copy of the kit was installed by npm (it sits in a node_modules folder). */
export const installedFromRegistry = (): boolean => kitRoot.split(sep).includes('node_modules');

/**
 * The published version when the kit was installed from the registry. Otherwise (a source checkout) the
 * kit packed into the project as vendor/genai-kit-<version>.tgz and a relative `file:` spec on it, so the
 * project installs on any machine, a CI runner included; a path to this checkout would exist only here.
 */
export async function defaultKitDependency(): Promise<KitDependency> {
  if (installedFromRegistry()) return { spec: kitVersion() };
  const packed = await packKit();
  const path = `${VENDOR_DIR}/${packed.fileName}`;
  return { spec: `file:${path}`, vendored: { path, content: packed.content } };
}

let packing: Promise<{ fileName: string; content: Buffer }> | undefined;

/**
 * `npm pack` of this kit: exactly what a publish would upload (package.json `files`). Scripts are not run,
 * so a prepack or prepare script can neither rebuild nor delete dist/; the kit must be built already.
 * One pack per process: the kit does not change under a running command.
 */
export function packKit(): Promise<{ fileName: string; content: Buffer }> {
  packing ??= pack().catch((err: unknown) => {
    packing = undefined;
    throw err;
  });
  return packing;
}

async function pack(): Promise<{ fileName: string; content: Buffer }> {
  if (!existsSync(join(kitRoot, 'dist', 'index.js'))) {
    throw environmentError(
      'E_KIT_NOT_BUILT',
      `genai-kit at ${kitRoot} is not built (no dist/), so it cannot be packed`,
      {
        fix: 'run npm run build in the kit, or pass --kit-spec with a published version',
      },
    );
  }
  // execa costs ~90 ms to load; only a source checkout packs.
  const { execa } = await import('execa');
  const out = await mkdtemp(join(tmpdir(), 'genai-kit-pack-'));
  try {
    const result = await execa(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--loglevel=error', '--pack-destination', out],
      { cwd: kitRoot, reject: false, all: true },
    );
    if (result.failed) {
      const last = lastOutputLine(result.all, result.shortMessage);
      throw environmentError('E_KIT_PACK', `npm pack of genai-kit failed: ${last}`, {
        fix: 'check that npm works in the kit folder, or pass --kit-spec',
      });
    }
    const [info] = JSON.parse(String(result.stdout)) as { filename: string }[];
    if (!info) throw environmentError('E_KIT_PACK', 'npm pack of genai-kit printed no file name');
    return { fileName: info.filename, content: await readFile(join(out, info.filename)) };
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
