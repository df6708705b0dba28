/**
 * The simulated Graph's deterministic datasets (§10): a seeded PRNG per tenant, so every start of the
 * local runtime and every test sees the same policies and groups. No Math.random for data.
 */
import { CATEGORIES, type Category } from '../../shared/runs/catalog.js';
import type { DirectoryGroup } from '../../shared/graph/client.js';

export interface SimPolicy {
  id: string;
  category: Category;
  content: Record<string, unknown>;
  assignments: Array<{ id: string; target: Record<string, unknown> }>;
}

/** A simulated group has exactly the shape the Graph client reads. */
export type SimGroup = DirectoryGroup;

export interface SimTenantData {
  policies: Map<string, SimPolicy>;
  groups: Map<string, SimGroup>;
}

export interface DatasetSize {
  policies: number;
  groups: number;
}

export const DEFAULT_DATASETS: Record<string, DatasetSize> = {
  contoso: { policies: 60, groups: 40 },
  fabrikam: { policies: 25, groups: 10 },
};

/** mulberry32: tiny, fast, good enough for fixtures. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

function guid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

const DEPARTMENTS = ['Sales', 'Finance', 'Engineering', 'Marketing', 'Support', 'Legal', 'Operations', 'Research', 'Human Resources', 'Executive'];
const GROUP_KINDS = ['Users', 'Devices', 'Pilot Ring', 'Admins', 'Contractors', 'Kiosks'];
const PLATFORMS = ['Windows 10', 'iOS', 'Android', 'macOS'];

const CONTENT: Record<Category, (rand: () => number, name: string) => Record<string, unknown>> = {
  deviceConfigurations: (r, name) => ({
    '@odata.type': '#microsoft.graph.windows10GeneralConfiguration', displayName: name, description: 'Baseline device restrictions',
    passwordRequired: r() > 0.3, passwordMinimumLength: 8 + Math.floor(r() * 8), cameraBlocked: r() > 0.7, storageRequireMobileDeviceEncryption: true,
  }),
  deviceCompliancePolicies: (r, name) => ({
    '@odata.type': '#microsoft.graph.windows10CompliancePolicy', displayName: name, description: 'Compliance rules',
    osMinimumVersion: pick(r, ['10.0.19045', '10.0.22621', '10.0.22631']), bitLockerEnabled: r() > 0.2, secureBootEnabled: true, passwordExpirationDays: 30 + Math.floor(r() * 60),
  }),
  configurationPolicies: (r, name) => ({
    name, description: 'Settings catalog profile', platforms: 'windows10', technologies: 'mdm',
    settings: [{ settingDefinitionId: 'device_vendor_msft_policy_config_defender_allowrealtimemonitoring', value: r() > 0.1 ? 1 : 0 }],
  }),
  groupPolicyConfigurations: (r, name) => ({
    displayName: name, description: 'Administrative templates', policyConfigurationIngestionType: 'builtIn', roleScopeTagIds: ['0'],
    enabledSettings: Math.floor(r() * 20),
  }),
  managedAppPolicies: (r, name) => ({
    '@odata.type': pick(r, ['#microsoft.graph.androidManagedAppProtection', '#microsoft.graph.iosManagedAppProtection']), displayName: name,
    description: 'App protection', pinRequired: r() > 0.2, minimumPinLength: 4 + Math.floor(r() * 4), dataBackupBlocked: r() > 0.5,
  }),
  deviceEnrollmentConfigurations: (r, name) => ({
    '@odata.type': '#microsoft.graph.deviceEnrollmentLimitConfiguration', displayName: name, description: 'Enrollment limits',
    limit: 5 + Math.floor(r() * 10), priority: Math.floor(r() * 10),
  }),
};

const NAMES: Record<Category, string> = {
  deviceConfigurations: 'Device restrictions',
  deviceCompliancePolicies: 'Compliance',
  configurationPolicies: 'Settings catalog',
  groupPolicyConfigurations: 'Admin templates',
  managedAppPolicies: 'App protection',
  deviceEnrollmentConfigurations: 'Enrollment limit',
};

export function buildTenantData(tenantId: string, size: DatasetSize): SimTenantData {
  const rand = seededRandom(seedOf(tenantId));
  const groups = new Map<string, SimGroup>();
  for (let i = 0; i < size.groups; i++) {
    const dept = DEPARTMENTS[i % DEPARTMENTS.length];
    const kind = GROUP_KINDS[Math.floor(i / DEPARTMENTS.length) % GROUP_KINDS.length];
    const round = Math.floor(i / (DEPARTMENTS.length * GROUP_KINDS.length));
    const displayName = `${dept} ${kind}${round ? ` ${round + 1}` : ''}`;
    const mailEnabled = kind === 'Users' || kind === 'Admins';
    const g: SimGroup = {
      id: guid(rand), displayName, description: `${displayName} of ${tenantId}`,
      mail: mailEnabled ? `${displayName.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@${tenantId}.example` : null,
      securityEnabled: true, mailEnabled,
    };
    groups.set(g.id, g);
  }
  const groupIds = [...groups.keys()];
  const policies = new Map<string, SimPolicy>();
  for (let i = 0; i < size.policies; i++) {
    const category = CATEGORIES[i % CATEGORIES.length];
    const id = guid(rand);
    const name = `${NAMES[category]} - ${pick(rand, PLATFORMS)} ${String(Math.floor(i / CATEGORIES.length) + 1).padStart(2, '0')}`;
    const created = new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 300) * 86_400_000).toISOString();
    const content = { id, ...CONTENT[category](rand, name), createdDateTime: created, lastModifiedDateTime: created, version: 1 };
    const assigned = groupIds.length ? Math.floor(rand() * 3) : 0;
    const assignments = Array.from({ length: assigned }, (_, k) => ({
      id: `${id}_${k}`,
      target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: pick(rand, groupIds) },
    }));
    policies.set(id, { id, category, content, assignments });
  }
  return { policies, groups };
}
