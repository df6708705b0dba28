/**
 * Opt-in: import this module first in a function's entry to trace every AWS SDK call of that function
 * as an X-Ray subsegment with Powertools Tracer (~117 KiB and ~40 ms of cold import; see tracer.ts).
 * Outside Lambda (tests, `npm start`) the Tracer disables itself.
 */
import { Tracer } from '@aws-lambda-powertools/tracer';
import { settings } from '../settings.js';
import { useClientTracing } from './tracer.js';

export const tracer = new Tracer({ serviceName: settings().observability.serviceName });

useClientTracing((client) => (tracer.isTracingEnabled() ? (tracer.captureAWSv3Client(client as never) as typeof client) : client));
