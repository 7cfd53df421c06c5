import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The kit's own folder: dist/scaffold/kit.js → the package root. */
export const kitRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const templatesDir = join(kitRoot, 'templates');

export function kitVersion(): string {
  return (JSON.parse(readFileSync(join(kitRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * How a generated project depends on the kit: the published version when the kit was installed from the
 * registry, else a path to this copy of the kit (a source checkout is not published).
 */
export function defaultKitDependency(): string {
  const installed = kitRoot.split(sep).includes('node_modules');
  return installed ? kitVersion() : `file:${kitRoot}`;
}
