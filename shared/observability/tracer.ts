/**
 * X-Ray tracing with Powertools Tracer: in Lambda (active tracing is on in the stack) every AWS SDK
 * call becomes a subsegment; elsewhere (tests, `npm start`) the Tracer disables itself.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { settings } from '../settings.js';

export const tracer = new Tracer({ serviceName: settings().observability.serviceName });

/** Instruments an AWS SDK v3 client when tracing is on; returns it unchanged otherwise. */
export function traced<T>(client: T): T {
  return tracer.isTracingEnabled() ? (tracer.captureAWSv3Client(client as never) as T) : client;
}
