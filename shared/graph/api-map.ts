/**
 * Where each policy category lives in Microsoft Graph and how its full content is read and written
 * (issue 13 §1), taken from ../shared/GRAPH-PATHS.md (Microsoft's generated SDK path trees, one per
 * API version). Every template below is a literal row of ../shared/graph-paths.json for the version
 * it is used with; test/unit/graph-contract.test.ts checks that, and every URL the client builds.
 *
 *   category                   version  content
 *   deviceConfigurations       v1.0     the item (settings are properties of the subtype) + $expand=assignments
 *   deviceCompliancePolicies   v1.0     $expand=assignments,scheduledActionsForRule($expand=scheduledActionConfigurations)
 *                                       (a direct GET of …/scheduledActionsForRule answers 400: GRAPH-PATHS.md)
 *   configurationPolicies      beta     $expand=settings (following settings@odata.nextLink) + …/assignments
 *                                       (beta only; $expand=assignments was reported empty on single reads)
 *   groupPolicyConfigurations  beta     …/definitionValues?$expand=definition, per value
 *                                       …/presentationValues?$expand=presentation, + …/assignments
 *                                       ($expand=definitionValues on the item is reported to return [])
 *   managedAppPolicies         beta     base list for @odata.type, then the subtype collection's item
 *                                       with its $expand (apps, assignments, WIP AppLocker files);
 *                                       beta, since windowsManagedAppProtections exists only there
 *   deviceEnrollmentConfigurations v1.0 the item + $expand=assignments
 */
import type { Category } from '../runs/catalog.js';

export type GraphVersion = 'v1.0' | 'beta';

/** One subtype collection of deviceAppManagement that holds a managedAppPolicy's assignments. */
export interface AppSubtype {
  odataType: string;
  collection: string;
  /** the $expand of its item read: relationships kept in the content, plus assignments */
  expand: string[];
  /** whether `…/{id}/assign` exists in the path tree (only targetedManagedAppConfigurations and windowsManagedAppProtections) */
  assign: boolean;
}

export interface CategoryApi {
  category: Category;
  version: GraphVersion;
  /** the list path (also the collection the item paths hang off) */
  collection: string;
  /** how the full content is read (see the table above) */
  read: 'expand' | 'settingsCatalog' | 'adminTemplates' | 'appSubtype';
  /** relationships the item read expands (the assignments among them are split off into `assignments`) */
  expand: string[];
  /** assignments come from `…/{id}/assignments` (else from the expanded `assignments`) */
  assignmentsPath: boolean;
  /** `…/{id}/assign` exists for the category itself (app policies: per subtype) */
  assign: boolean;
}

const WIP_EXPAND = ['protectedAppLockerFiles', 'exemptAppLockerFiles', 'assignments'];

export const APP_SUBTYPES: readonly AppSubtype[] = [
  { odataType: '#microsoft.graph.iosManagedAppProtection', collection: 'deviceAppManagement/iosManagedAppProtections', expand: ['apps', 'assignments'], assign: false },
  { odataType: '#microsoft.graph.androidManagedAppProtection', collection: 'deviceAppManagement/androidManagedAppProtections', expand: ['apps', 'assignments'], assign: false },
  { odataType: '#microsoft.graph.windowsManagedAppProtection', collection: 'deviceAppManagement/windowsManagedAppProtections', expand: ['apps', 'assignments'], assign: true },
  { odataType: '#microsoft.graph.targetedManagedAppConfiguration', collection: 'deviceAppManagement/targetedManagedAppConfigurations', expand: ['apps', 'assignments'], assign: true },
  { odataType: '#microsoft.graph.mdmWindowsInformationProtectionPolicy', collection: 'deviceAppManagement/mdmWindowsInformationProtectionPolicies', expand: WIP_EXPAND, assign: false },
  { odataType: '#microsoft.graph.windowsInformationProtectionPolicy', collection: 'deviceAppManagement/windowsInformationProtectionPolicies', expand: WIP_EXPAND, assign: false },
];

export function appSubtypeOf(odataType: unknown): AppSubtype | null {
  return APP_SUBTYPES.find((s) => s.odataType === odataType) ?? null;
}

export const CATEGORY_API: Record<Category, CategoryApi> = {
  deviceConfigurations: { category: 'deviceConfigurations', version: 'v1.0', collection: 'deviceManagement/deviceConfigurations', read: 'expand', expand: ['assignments'], assignmentsPath: false, assign: true },
  deviceCompliancePolicies: {
    category: 'deviceCompliancePolicies', version: 'v1.0', collection: 'deviceManagement/deviceCompliancePolicies', read: 'expand',
    expand: ['assignments', 'scheduledActionsForRule($expand=scheduledActionConfigurations)'], assignmentsPath: false, assign: true,
  },
  configurationPolicies: { category: 'configurationPolicies', version: 'beta', collection: 'deviceManagement/configurationPolicies', read: 'settingsCatalog', expand: ['settings'], assignmentsPath: true, assign: true },
  groupPolicyConfigurations: { category: 'groupPolicyConfigurations', version: 'beta', collection: 'deviceManagement/groupPolicyConfigurations', read: 'adminTemplates', expand: [], assignmentsPath: true, assign: true },
  managedAppPolicies: { category: 'managedAppPolicies', version: 'beta', collection: 'deviceAppManagement/managedAppPolicies', read: 'appSubtype', expand: [], assignmentsPath: false, assign: false },
  deviceEnrollmentConfigurations: { category: 'deviceEnrollmentConfigurations', version: 'v1.0', collection: 'deviceManagement/deviceEnrollmentConfigurations', read: 'expand', expand: ['assignments'], assignmentsPath: false, assign: true },
};

/**
 * The tenant's organization (issue 19, the connection check): `GET /organization` (v1.0; Microsoft
 * Graph docs "List organization", least-privileged application permission Organization.Read.All).
 * The Intune path trees of ../shared/graph-paths.json do not cover the directory's organization, so
 * this one path is listed in GRAPH_PATHS_SUPPLEMENT (infra/local/graph-sim.ts), which the simulator
 * serves and the contract test accepts next to the trees.
 */
export const ORGANIZATION = { version: 'v1.0' as GraphVersion, path: 'organization' };

/**
 * The application permission each category's list needs (Microsoft Graph docs, the "Permissions"
 * table of each list API; the least privileged read permission). The connection check names it
 * when Graph answers 403.
 */
export const READ_PERMISSION: Record<Category | 'organization', string> = {
  organization: 'Organization.Read.All',
  deviceConfigurations: 'DeviceManagementConfiguration.Read.All',
  deviceCompliancePolicies: 'DeviceManagementConfiguration.Read.All',
  configurationPolicies: 'DeviceManagementConfiguration.Read.All',
  groupPolicyConfigurations: 'DeviceManagementConfiguration.Read.All',
  managedAppPolicies: 'DeviceManagementApps.Read.All',
  deviceEnrollmentConfigurations: 'DeviceManagementServiceConfig.Read.All',
};

/** Directory groups: v1.0 (both trees have them). */
export const GROUPS_VERSION: GraphVersion = 'v1.0';

/**
 * Every path template (a graph-paths.json row) the client may request, per version — the contract
 * test's static half. Kept next to the map so a new read or write is listed where it is designed.
 */
export function templatesUsed(): Array<{ version: GraphVersion; template: string }> {
  const out: Array<{ version: GraphVersion; template: string }> = [];
  for (const api of Object.values(CATEGORY_API)) {
    const v = api.version;
    const c = api.collection;
    out.push({ version: v, template: c }, { version: v, template: `${c}/{id}` });
    if (api.assignmentsPath) out.push({ version: v, template: `${c}/{id}/assignments` });
    if (api.assign) out.push({ version: v, template: `${c}/{id}/assign` });
  }
  const cp = CATEGORY_API.deviceCompliancePolicies;
  out.push({ version: cp.version, template: `${cp.collection}/{id}/scheduleActionsForRules` });
  const gp = CATEGORY_API.groupPolicyConfigurations.collection;
  out.push(
    { version: 'beta', template: `${gp}/{id}/definitionValues` },
    { version: 'beta', template: `${gp}/{id}/definitionValues/{id}/presentationValues` },
    { version: 'beta', template: `${gp}/{id}/updateDefinitionValues` },
  );
  const app = CATEGORY_API.managedAppPolicies;
  out.push({ version: app.version, template: `${app.collection}/{id}/targetApps` });
  for (const s of APP_SUBTYPES) {
    out.push({ version: app.version, template: `${s.collection}/{id}` });
    if (s.assign) out.push({ version: app.version, template: `${s.collection}/{id}/assign` });
  }
  out.push({ version: GROUPS_VERSION, template: 'groups' });
  out.push({ version: ORGANIZATION.version, template: ORGANIZATION.path });
  return out;
}

/** Fills a template's `{id}` holes in order; the ids must already be validated Graph ids. */
export function fill(template: string, ...ids: string[]): string {
  let k = 0;
  const out = template.replace(/\{id\}/g, () => encodeURIComponent(ids[k++] ?? ''));
  if (k !== ids.length) throw new Error(`template ${template} takes ${k} ids, got ${ids.length}`);
  return out;
}
