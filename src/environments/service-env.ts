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
