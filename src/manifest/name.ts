import { builtinModules } from 'node:module';

// This file imports nothing heavy: `genai init` validates names with it without loading zod or yaml.

export const AWS_REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}$/;

/** Length bounds of a project name: a DNS label has at most 63 characters; one letter says too little. */
export const PROJECT_NAME_MIN_LENGTH = 2;
export const PROJECT_NAME_MAX_LENGTH = 63;
/** The rule in words, for descriptions and fixes. */
export const PROJECT_NAME_RULE = `${PROJECT_NAME_MIN_LENGTH} to ${PROJECT_NAME_MAX_LENGTH} lower-case ASCII letters, digits and hyphens, starting with a letter and ending with a letter or digit`;

/** A project name is both an npm package name and a DNS label (it names stacks, images and hosts). */
export const PROJECT_NAME_PATTERN = new RegExp(
  `^[a-z][a-z0-9-]{${PROJECT_NAME_MIN_LENGTH - 2},${PROJECT_NAME_MAX_LENGTH - 2}}[a-z0-9]$`,
);

/** Names npm refuses although they look like package names. */
const NPM_RESERVED = new Set(['node_modules', 'favicon.ico']);

/** A package named like a core module would be shadowed by it (`import 'http'`). */
const CORE_MODULES = new Set(builtinModules.map((name) => name.replace(/^node:/, '')));

/**
 * What is wrong with a project name, in words ("must start with a lower-case letter"), or undefined
 * when it is fine. Pure, so that `init` can check a name before writing anything.
 */
export function validateProjectName(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'must not be empty';
  if (NPM_RESERVED.has(name.toLowerCase())) return 'is a name npm reserves';
  if (name.length > PROJECT_NAME_MAX_LENGTH) return `is ${name.length} characters long; ${lengthRule}`;
  if (/[\u0080-\uffff]/.test(name)) return 'contains non-ASCII characters; use only a-z, 0-9 and hyphens';
  if (/[A-Z]/.test(name)) return 'contains upper-case letters; use lower case';
  const other = /[^a-z0-9-]/.exec(name);
  if (other) return `contains ${describeCharacter(other[0])}; use only lower-case letters, digits and hyphens`;
  if (!/^[a-z]/.test(name)) return 'must start with a lower-case letter';
  if (name.length < PROJECT_NAME_MIN_LENGTH) return `is ${name.length} character long; ${lengthRule}`;
  if (name.endsWith('-')) return 'must not end with a hyphen';
  if (CORE_MODULES.has(name)) return 'is the name of a Node core module';
  return undefined;
}

const lengthRule = `a name has ${PROJECT_NAME_MIN_LENGTH} to ${PROJECT_NAME_MAX_LENGTH} characters`;

function describeCharacter(character: string): string {
  if (character === ' ') return 'a space';
  if (/\s/.test(character)) return 'white space';
  return `"${character}"`;
}

/** A valid name close to what the user wrote, for fixes: "Cycle Assistant" → cycle-assistant. */
export function suggestProjectName(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 55)
    .replace(/-+$/, '')
    .replace(/-{2,}/g, '-');
  if (cleaned.length < 2) return 'my-service';
  return validateProjectName(cleaned) === undefined ? cleaned : `${cleaned}-service`;
}
