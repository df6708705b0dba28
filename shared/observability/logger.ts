/**
 * The structured logger (Powertools Logger) whose every line passes the sanitizer (§9): the message
 * and all extra attributes, errors included, are redacted before they are written.
 */
import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { sanitizeText, sanitizeValue } from '../runs/sanitize.js';
import { settings } from '../settings.js';

function sanitizeAttribute(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: sanitizeText(value.message), stack: value.stack ? sanitizeText(value.stack) : undefined };
  }
  return sanitizeValue(value);
}

export class SanitizingLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const extra: LogAttributes = {};
    for (const [k, v] of Object.entries(additional)) extra[k] = sanitizeAttribute(v) as never;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: sanitizeText(String(attributes.message ?? '')),
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: attributes.lambdaContext?.coldStart,
        function_name: attributes.lambdaContext?.functionName,
        function_request_id: attributes.lambdaContext?.awsRequestId,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(extra);
  }

  formatError(error: Error) {
    const base = super.formatError(error);
    return sanitizeValue({ ...base, message: sanitizeText(error.message), stack: error.stack ? sanitizeText(error.stack) : undefined }) as never;
  }
}

export function makeLogger(serviceName = settings().observability.serviceName) {
  return new Logger({ serviceName, logFormatter: new SanitizingLogFormatter(), logLevel: settings().observability.logLevel });
}

export const logger = makeLogger();
