export { ExitCode, GenaiError } from './errors.js';
