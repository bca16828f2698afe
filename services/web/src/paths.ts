import { fileURLToPath } from 'node:url';

/** The React sources Vite builds. */
export const CLIENT_DIR = fileURLToPath(new URL('../client', import.meta.url));
/** Where the build goes and what the service serves by default. */
export const DEFAULT_DIST_DIR = fileURLToPath(new URL('../dist', import.meta.url));
