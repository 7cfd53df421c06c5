import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../atomic-write.js';
import type { EnvironmentOutputs } from '../driver.js';
import { environmentPaths } from '../paths.js';

/**
 * A cloud environment's outputs as its last up or refresh left them, in .genai/envs/ENV/outputs.json,
 * beside where a local environment keeps its state: `genai outputs ENV` and `genai eval --env ENV` read
 * them through the driver without starting Pulumi.
 */
export interface CloudOutputs extends EnvironmentOutputs {
  target: 'aws' | 'kubernetes';
  status: 'provisioned';
  vectorStoreUrl: string;
  modelEndpoint: string;
  dashboardUrl: string;
  /** PROJECT/ENV in the state backend. */
  stack: string;
  updatedAt: string;
}

export async function readOutputs(projectDir: string, env: string): Promise<CloudOutputs | undefined> {
  try {
    return JSON.parse(await readFile(environmentPaths(projectDir, env).outputs, 'utf8')) as CloudOutputs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function writeOutputs(projectDir: string, outputs: CloudOutputs): Promise<void> {
  const path = environmentPaths(projectDir, outputs.env).outputs;
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(outputs, null, 2)}\n`);
}

export async function removeOutputs(projectDir: string, env: string): Promise<string[]> {
  const { home } = environmentPaths(projectDir, env);
  const existed = (await readOutputs(projectDir, env)) !== undefined;
  await rm(home, { recursive: true, force: true });
  return existed ? [home] : [];
}
