/**
 * The simulated Graph's deterministic datasets (§10): a seeded PRNG per tenant, so every start of the
 * local runtime and every test sees the same policies and groups. No Math.random for data.
 */
import { CATEGORIES, type Category } from '../../shared/runs/catalog.js';
import type { DirectoryGroup } from '../../shared/graph/client.js';

export interface SimPolicy {
  id: string;
  category: Category;
  /** the policy's own properties (what a plain GET answers), `@odata.type` included for subtyped categories */
  content: Record<string, unknown>;
  /** relationships, served only when `$expand`ed or read by their own path: settings, scheduledActionsForRule, definitionValues, apps, … */
  relations: Record<string, Array<Record<string, unknown>>>;
  assignments: Array<{ id: string; target: Record<string, unknown> }>;
}

/** An administrative-template definition (groupPolicyDefinitions) with its presentations. */
export interface SimDefinition {
  id: string;
  displayName: string;
  classType: 'user' | 'machine';
  categoryPath: string;
  presentations: Array<{ id: string; '@odata.type': string; label: string }>;
}

/** A simulated group has exactly the shape the Graph client reads. */
export type SimGroup = DirectoryGroup;

export interface SimTenantData {
  policies: Map<string, SimPolicy>;
  groups: Map<string, SimGroup>;
  /** the tenant's administrative-template catalog (deviceManagement/groupPolicyDefinitions) */
  definitions: Map<string, SimDefinition>;
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

export function guid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

const DEPARTMENTS = ['Sales', 'Finance', 'Engineering', 'Marketing', 'Support', 'Legal', 'Operations', 'Research', 'Human Resources', 'Executive'];
const GROUP_KINDS = ['Users', 'Devices', 'Pilot Ring', 'Admins', 'Contractors', 'Kiosks'];
const PLATFORMS = ['Windows 10', 'iOS', 'Android', 'macOS'];

const SETTING_DEFINITIONS = [
  'device_vendor_msft_policy_config_defender_allowrealtimemonitoring',
  'device_vendor_msft_policy_config_defender_allowcloudprotection',
  'device_vendor_msft_policy_config_browser_allowpasswordmanager',
  'device_vendor_msft_policy_config_devicelock_devicepasswordenabled',
  'device_vendor_msft_policy_config_update_activehoursstart',
  'device_vendor_msft_bitlocker_requiredeviceencryption',
  'device_vendor_msft_policy_config_experience_allowcortana',
  'device_vendor_msft_policy_config_system_allowtelemetry',
];

/** Properties of a new policy, its relationships, and (app policies) its id prefix. */
type Built = { content: Record<string, unknown>; relations: SimPolicy['relations']; id?: (guid: string) => string };

const APP_TYPES = [
  '#microsoft.graph.iosManagedAppProtection', '#microsoft.graph.androidManagedAppProtection', '#microsoft.graph.windowsManagedAppProtection',
  '#microsoft.graph.targetedManagedAppConfiguration', '#microsoft.graph.mdmWindowsInformationProtectionPolicy',
] as const;

const CONTENT: Record<Category, (rand: () => number, name: string, defs: SimDefinition[]) => Built> = {
  deviceConfigurations: (r, name) => ({
    content: {
      '@odata.type': '#microsoft.graph.windows10GeneralConfiguration', displayName: name, description: 'Baseline device restrictions',
      passwordRequired: r() > 0.3, passwordMinimumLength: 8 + Math.floor(r() * 8), cameraBlocked: r() > 0.7, storageRequireMobileDeviceEncryption: true,
    },
    relations: {},
  }),
  deviceCompliancePolicies: (r, name) => ({
    content: {
      '@odata.type': '#microsoft.graph.windows10CompliancePolicy', displayName: name, description: 'Compliance rules',
      osMinimumVersion: pick(r, ['10.0.19045', '10.0.22621', '10.0.22631']), bitLockerEnabled: r() > 0.2, secureBootEnabled: true, passwordExpirationDays: 30 + Math.floor(r() * 60),
    },
    relations: {
      // Exactly one block action, as Graph requires of a compliance policy.
      scheduledActionsForRule: [{
        id: guid(r), ruleName: 'PasswordRequired',
        scheduledActionConfigurations: [
          { id: guid(r), actionType: 'block', gracePeriodHours: 0, notificationTemplateId: '', notificationMessageCCList: [] },
          ...(r() > 0.5 ? [{ id: guid(r), actionType: 'notification', gracePeriodHours: 24, notificationTemplateId: guid(r), notificationMessageCCList: [] }] : []),
        ],
      }],
    },
  }),
  configurationPolicies: (r, name) => {
    // 3…40 settings: more than 25 makes Graph page them (settings@odata.nextLink).
    const n = 3 + Math.floor(r() * 38);
    const settings = Array.from({ length: n }, (_, k) => {
      const def = `${SETTING_DEFINITIONS[k % SETTING_DEFINITIONS.length]}${k >= SETTING_DEFINITIONS.length ? `_${k}` : ''}`;
      return {
        id: String(k),
        settingInstance: {
          '@odata.type': '#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance', settingDefinitionId: def,
          choiceSettingValue: { value: `${def}_${r() > 0.2 ? 1 : 0}`, children: [] },
        },
      };
    });
    return {
      content: {
        name, description: 'Settings catalog profile', platforms: 'windows10', technologies: 'mdm', roleScopeTagIds: ['0'], settingCount: n,
        templateReference: { templateId: '', templateFamily: 'none', templateDisplayName: null, templateDisplayVersion: null },
      },
      relations: { settings },
    };
  },
  groupPolicyConfigurations: (r, name, defs) => {
    const chosen = [...new Set(Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, defs)))];
    return {
      content: { displayName: name, description: 'Administrative templates', policyConfigurationIngestionType: 'builtIn', roleScopeTagIds: ['0'] },
      relations: {
        definitionValues: chosen.map((d) => ({
          id: guid(r), enabled: r() > 0.2, configurationType: 'policy',
          definition: { id: d.id, displayName: d.displayName, classType: d.classType, categoryPath: d.categoryPath },
          presentationValues: d.presentations.map((p) => ({ id: guid(r), '@odata.type': '#microsoft.graph.groupPolicyPresentationValueText', value: `value ${Math.floor(r() * 100)}`, presentation: { ...p } })),
        })),
      },
    };
  },
  managedAppPolicies: (r, name) => {
    const type = pick(r, APP_TYPES);
    const ios = type.includes('ios');
    const wip = type.includes('InformationProtection');
    const config = type.includes('Configuration');
    return {
      content: {
        '@odata.type': type, displayName: name, description: config ? 'App configuration' : wip ? 'Windows Information Protection' : 'App protection',
        ...(wip ? { enforcementLevel: 'encryptAndAuditOnly', enterpriseDomain: 'contoso.example' }
          : config ? { customSettings: [{ name: 'com.microsoft.outlook.Mail.FocusedInbox', value: r() > 0.5 ? 'true' : 'false' }] }
          : { pinRequired: r() > 0.2, minimumPinLength: 4 + Math.floor(r() * 4), dataBackupBlocked: r() > 0.5 }),
      },
      relations: wip
        ? { protectedAppLockerFiles: [] as Array<Record<string, unknown>>, exemptAppLockerFiles: [] as Array<Record<string, unknown>> } as SimPolicy['relations']
        : { apps: [{ id: `com.microsoft.office.outlook.${ios ? 'ios' : 'android'}`, mobileAppIdentifier: ios ? { '@odata.type': '#microsoft.graph.iosMobileAppIdentifier', bundleId: 'com.microsoft.office.outlook' } : { '@odata.type': '#microsoft.graph.androidMobileAppIdentifier', packageId: 'com.microsoft.office.outlook' } }] },
      // App protection ids are T_<guid>, app configuration ids A_<guid> (composite Graph ids).
      id: (g) => `${config ? 'A' : 'T'}_${g}`,
    };
  },
  deviceEnrollmentConfigurations: (r, name) => ({
    content: {
      '@odata.type': '#microsoft.graph.deviceEnrollmentLimitConfiguration', displayName: name, description: 'Enrollment limits',
      limit: 5 + Math.floor(r() * 10), priority: Math.floor(r() * 10),
    },
    relations: {},
    // Enrollment configurations carry <guid>_<Name> ids.
    id: (g) => `${g}_Limit`,
  }),
};

const ADMX = [
  ['Turn off Autoplay', 'machine', '\\Windows Components\\AutoPlay Policies'],
  ['Prevent access to registry editing tools', 'user', '\\System'],
  ['Set the default search provider', 'user', '\\Microsoft Edge'],
  ['Configure Automatic Updates', 'machine', '\\Windows Components\\Windows Update'],
  ['Specify the maximum log file size', 'machine', '\\Windows Components\\Event Log Service\\Application'],
] as const;

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
  const definitions = new Map<string, SimDefinition>();
  for (const [displayName, classType, categoryPath] of ADMX) {
    const d: SimDefinition = { id: guid(rand), displayName, classType, categoryPath, presentations: [{ id: guid(rand), '@odata.type': '#microsoft.graph.groupPolicyPresentationTextBox', label: `${displayName}:` }] };
    definitions.set(d.id, d);
  }
  const defs = [...definitions.values()];
  const policies = new Map<string, SimPolicy>();
  for (let i = 0; i < size.policies; i++) {
    const category = CATEGORIES[i % CATEGORIES.length];
    const rawId = guid(rand);
    const name = `${NAMES[category]} - ${pick(rand, PLATFORMS)} ${String(Math.floor(i / CATEGORIES.length) + 1).padStart(2, '0')}`;
    const created = new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 300) * 86_400_000).toISOString();
    const built = CONTENT[category](rand, name, defs);
    const id = built.id ? built.id(rawId) : rawId;
    const content = { id, ...built.content, createdDateTime: created, lastModifiedDateTime: created, version: 1 };
    const assigned = groupIds.length ? Math.floor(rand() * 3) : 0;
    const assignments = Array.from({ length: assigned }, (_, k) => ({
      id: `${id}_${k}`,
      target: { '@odata.type': '#microsoft.graph.groupAssignmentTarget', groupId: pick(rand, groupIds) },
    }));
    policies.set(id, { id, category, content, relations: built.relations, assignments });
  }
  return { policies, groups, definitions };
}
