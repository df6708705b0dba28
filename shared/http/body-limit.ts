/**
 * The first check every route makes (413) and the types middlewares share, free of dependencies
 * (no zod, no logger, no store): shared by the full middleware chain (./middleware.ts) and the
 * public static handlers (./public-handler.ts), which must stay small (issue 18).
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { problems, titleOf } from './problem-core.js';

export const MAX_BODY_BYTES = 64 * 1024;

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;

/** A problem a middleware (or a handler) can answer: documented in /openapi.json. */
export interface ProblemDoc {
  status: number;
  title: string;
  description: string;
}

/** One concern: reads the request built so far (`In`), adds `Add` to it or throws its problem. */
export interface Middleware<In, Add> {
  readonly name: string;
  readonly problems: readonly ProblemDoc[];
  readonly run: (req: In) => Promise<Add> | Add;
}

function rawBodyOf(event: ApiEvent): string | undefined {
  if (event.body === undefined || event.body === null) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** 413: the body, decoded, is at most MAX_BODY_BYTES. */
export const limitBodySize: Middleware<{ event: ApiEvent }, { rawBody: string | undefined }> = {
  name: 'limitBodySize',
  problems: [{ status: 413, title: titleOf(413), description: `the request body exceeds ${MAX_BODY_BYTES} bytes` }],
  run: ({ event }) => {
    const rawBody = rawBodyOf(event);
    if (rawBody !== undefined && Buffer.byteLength(rawBody, 'utf8') > MAX_BODY_BYTES) throw problems.tooLarge(MAX_BODY_BYTES);
    return { rawBody };
  },
};

