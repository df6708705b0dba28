/** Every API route declaration (defineRoute), in one list: /openapi.json is built from it. */
import { isRouteSpec, type RouteSpec } from './api.js';
import * as backup from './backup-schemas.js';
import * as fleet from './fleet-schemas.js';
import * as members from './member-schemas.js';
import * as notifications from './notification-schemas.js';
import * as reads from './read-schemas.js';
import * as runs from './schemas.js';
import * as schedules from './schedule-schemas.js';
import * as tenants from './tenant-schemas.js';

export const routeSpecs: ReadonlyArray<RouteSpec<unknown>> = [runs, notifications, reads, backup, schedules, fleet, members, tenants].flatMap((m) => Object.values(m).filter(isRouteSpec));
