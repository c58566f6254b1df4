import { config } from 'zod/mini';
import { en } from 'zod/v4/locales';

/**
 * The functions' zod: zod/mini, the tree-shakable build of zod 4 (same core, same checks, same issues),
 * instead of the classic build whose methods pull all of zod, every locale included, into every bundle.
 * zod/mini registers no locale, so the English messages the classic build registers on first use are
 * registered here: the reasons a rejected record gets are word for word the same.
 * Import it as a namespace (`import * as z`) and never re-export that namespace object: an object that
 * escapes keeps every export of zod in the bundle.
 */
config(en());

export * from 'zod/mini';
