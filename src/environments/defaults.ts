// Dependency-free, so that `genai init` and the command files' help texts can read these without loading
// the environments module.

/** Loopback address every local environment's service binds to. */
export const LOCAL_HOST = '127.0.0.1';

/** Local environments take the first free port from here, unless genai.yaml or --port sets one. */
export const FIRST_LOCAL_PORT = 8787;

/** Services started for one eval run (`genai eval --local`) search from here, away from the environments. */
export const FIRST_EPHEMERAL_PORT = 18_787;
