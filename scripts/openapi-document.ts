/**
 * Writes shared/http/openapi.document.json: GET /openapi.json's document, generated from the route
 * declarations and their validation schemas (shared/http/openapi.ts, SPEC §5) ahead of time, so the
 * deployed function serves a JSON module and bundles neither zod nor the routes (issue 18).
 *
 *   npm run openapi            regenerate (after changing a route, a schema or a middleware's problems)
 *
 * test/unit/openapi-lint.test.ts fails while the file differs from what the schemas generate.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPENAPI_DOCUMENT_FILE = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'shared/http/openapi.document.json');

/** The document as the file holds it (two-space JSON, one trailing newline: readable diffs). */
export const serializeDocument = (doc: unknown) => `${JSON.stringify(doc, null, 2)}\n`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // Building the document reads no setting, but the modules it imports expect a valid environment.
  process.env.CURSOR_SECRET ??= 'openapi-document-generation';
  const { buildOpenApi } = await import('../shared/http/openapi.js');
  writeFileSync(OPENAPI_DOCUMENT_FILE, serializeDocument(buildOpenApi()));
  console.log(`wrote ${OPENAPI_DOCUMENT_FILE}`);
}
