/**
 * The service's variables besides PORT, HOST, GENAI_ENV and GENAI_DATA_DIR travel in this variable of the
 * supervisor's own environment, never in its config file: they may hold credentials (a URL with a password).
 */
export const SERVICE_ENV_VARIABLE = 'GENAI_SUPERVISED_SERVICE_ENV';

/** The variables a service process runs with: ours last, so no stray PORT or GENAI_* of the shell wins. */
export function serviceProcessEnv(settings: {
  host: string;
  port: number;
  env: string;
  dataDir: string;
  serviceEnv: Record<string, string>;
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...settings.serviceEnv,
    HOST: settings.host,
    PORT: String(settings.port),
    GENAI_ENV: settings.env,
    GENAI_DATA_DIR: settings.dataDir,
  };
}
