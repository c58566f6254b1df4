import * as path from 'node:path';

/** Repository root: entries, the lockfile and tsconfig are resolved from here, never from the cwd. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
