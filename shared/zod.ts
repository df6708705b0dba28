/**
 * The project's zod: `zod/mini`, zod 4's tree-shakable functional API (checks are functions:
 * `z.string().check(z.minLength(1))`, wrappers too: `z.optional(s)`), with the English messages
 * the classic API loads by default — the same core checks, so the same issues, messages and JSON
 * Schemas. Classic `zod` puts every method of every schema in every bundle (~100 KiB; mini ~30 KiB,
 * issue 18); `test/unit/import-rules.test.ts` keeps it out of shared/ and functions/.
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';
