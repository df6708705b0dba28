/**
 * A seeded, deterministic corpus for the sanitizer (issue 15, item 4): real-format secrets of every
 * family the sanitizer must know, the carriers they travel in, and real-format benign values (the ids
 * and texts the product handles) that must never change. Shared by the corpus test and the bench.
 */
import { seededRandom } from '../../infra/local/graph-sim-data.js';

export interface SecretSample {
  kind: string;
  /** How the secret shows up in the wild (with its header, key or URL around it). */
  text: string;
  /** The distinctive part: neither it nor any 8-character stretch of it may survive. */
  core: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const B64 = `${ALNUM}+/`;
const B64URL = `${ALNUM}-_`;
const ENTRA = `${ALNUM}._~-`;
const HEX = '0123456789abcdef';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const WORDS = ['correct', 'horse', 'battery', 'staple', 'purple', 'monkey', 'dishwasher', 'lantern', 'granite', 'velvet', 'orbit', 'cactus', 'harbor', 'mosaic', 'thunder', 'walnut', 'glacier', 'saffron', 'pebble', 'quartz'];

export class Gen {
  constructor(readonly rnd: () => number) {}
  int(n: number) { return Math.floor(this.rnd() * n); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  chars(alphabet: string, n: number) { let s = ''; for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)]; return s; }
  b64(bytes: number) { return Buffer.from(Array.from({ length: bytes }, () => this.int(256))).toString('base64'); }
  b64url(bytes: number) { return Buffer.from(Array.from({ length: bytes }, () => this.int(256))).toString('base64url'); }
  guid() { return `${this.chars(HEX, 8)}-${this.chars(HEX, 4)}-4${this.chars(HEX, 3)}-${this.pick(['8', '9', 'a', 'b'])}${this.chars(HEX, 3)}-${this.chars(HEX, 12)}`; }
  ulid() { return `01${this.chars('0123456789ABCDEFGHJKMNPQRS', 1)}${this.chars(CROCKFORD, 7)}${this.chars(CROCKFORD, 16)}`; }
  iso() { return new Date(Date.UTC(2024 + this.int(4), this.int(12), 1 + this.int(28), this.int(24), this.int(60), this.int(60), this.int(1000))).toISOString(); }
  words(n: number) { return Array.from({ length: n }, () => this.pick(WORDS)).join(' '); }
}

const jsonB64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Each family: a generator of one real-format secret. */
export const SECRET_FAMILIES: Record<string, (g: Gen) => SecretSample> = {
  'entra-client-secret': (g) => {
    const s = `${g.chars(ALNUM, 3)}${g.int(10)}Q~${g.chars(ENTRA, 34)}`;
    return { kind: 'entra-client-secret', text: g.pick([s, `client_secret=${s}`, `Invalid client secret provided: ${s}`]), core: s };
  },
  jwt: (g) => {
    const header = jsonB64url({ typ: 'JWT', alg: 'RS256', kid: g.chars(B64URL, 27) });
    const payload = jsonB64url({ aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${g.guid()}/`, oid: g.guid(), tid: g.guid(), uti: g.chars(B64URL, 22), exp: 1_700_000_000 + g.int(1e8) });
    const sig = g.b64url(256);
    const jwt = `${header}.${payload}.${sig}`;
    return { kind: 'jwt', text: g.pick([jwt, `token ${jwt}`, `id_token=${jwt}`]), core: `${payload}.${sig}` };
  },
  bearer: (g) => {
    const t = `EwB${g.chars(B64URL + '.~+/', 40 + g.int(160))}${g.pick(['', '=', '=='])}`;
    return { kind: 'bearer', text: g.pick([`Authorization: Bearer ${t}`, `Bearer ${t}`, `bearer ${t}`]), core: t.replace(/=+$/, '') };
  },
  basic: (g) => {
    const b = Buffer.from(`${g.pick(['admin', 'svc-intune', 'backup'])}:${g.chars(ALNUM + '!#$%*', 12 + g.int(20))}`).toString('base64');
    return { kind: 'basic', text: g.pick([`Authorization: Basic ${b}`, `Basic ${b}`]), core: b.replace(/=+$/, '') };
  },
  'aws-access-key-id': (g) => {
    const id = `${g.pick(['AKIA', 'ASIA'])}${g.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}`;
    return { kind: 'aws-access-key-id', text: g.pick([id, `aws_access_key_id=${id}`, `"AccessKeyId": "${id}"`]), core: id };
  },
  'aws-secret-access-key': (g) => {
    const k = g.chars(B64, 40);
    return { kind: 'aws-secret-access-key', text: g.pick([`aws_secret_access_key = ${k}`, `"SecretAccessKey": "${k}"`, `AWS_SECRET_ACCESS_KEY=${k}`, `secretAccessKey: '${k}'`]), core: k };
  },
  'aws-session-token': (g) => {
    const t = `IQoJb3JpZ2luX2Vj${g.b64(200 + g.int(300))}`;
    return { kind: 'aws-session-token', text: g.pick([`aws_session_token=${t}`, `"SessionToken": "${t}"`, `X-Amz-Security-Token: ${t}`, `sessionToken=${t}`]), core: t.replace(/=+$/, '') };
  },
  'azure-storage-key': (g) => {
    const k = g.b64(64);
    return { kind: 'azure-storage-key', text: g.pick([k, `storage key ${k} rejected`]), core: k.slice(0, 86) };
  },
  'azure-connection-string': (g) => {
    const k = g.b64(64);
    return { kind: 'azure-connection-string', text: `DefaultEndpointsProtocol=https;AccountName=st${g.chars('abcdefghij0123456789', 10)};AccountKey=${k};EndpointSuffix=core.windows.net`, core: k.slice(0, 86) };
  },
  'azure-sas-connection-string': (g) => {
    const sig = g.b64(32);
    const sas = `sv=2022-11-02&ss=bfqt&srt=sco&sp=rwdlacupiytfx&se=2027-01-01T00:00:00Z&st=2026-01-01T00:00:00Z&spr=https&sig=${encodeURIComponent(sig)}`;
    return { kind: 'azure-sas-connection-string', text: `BlobEndpoint=https://acct.blob.core.windows.net/;SharedAccessSignature=${sas}`, core: encodeURIComponent(sig) };
  },
  'service-bus-key': (g) => {
    const k = g.b64(32);
    return { kind: 'service-bus-key', text: `Endpoint=sb://ns-${g.int(999)}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${k}`, core: k.replace(/=+$/, '') };
  },
  'sas-url': (g) => {
    const sig = g.b64(32);
    return { kind: 'sas-url', text: `https://acct${g.int(99)}.blob.core.windows.net/backups/${g.guid()}.json?sv=2022-11-02&se=2027-01-01&sr=b&sp=r&sig=${encodeURIComponent(sig)}`, core: encodeURIComponent(sig) };
  },
  'url-userinfo': (g) => {
    const pw = g.chars(ALNUM + '!$*@:', 12 + g.int(20));
    return { kind: 'url-userinfo', text: `${g.pick(['https', 'http', 'ftp', 'postgres'])}://${g.pick(['admin', 'svc', 'backup'])}:${encodeURIComponent(pw)}@${g.pick(['proxy.contoso.com:8080', 'db.internal', 'files.fabrikam.net'])}/${g.pick(['', 'v1/items', 'backup'])}`, core: encodeURIComponent(pw) };
  },
  cookie: (g) => {
    const v = g.b64url(48);
    return { kind: 'cookie', text: `Cookie: ESTSAUTH=${v}; buid=${g.b64url(24)}; x-ms-gateway-slice=estsfd`, core: v };
  },
  'set-cookie': (g) => {
    const v = g.b64url(48);
    return { kind: 'set-cookie', text: `Set-Cookie: esctx=${v}; domain=.login.microsoftonline.com; path=/; secure; HttpOnly; SameSite=None`, core: v };
  },
  pem: (g) => {
    const lines = Array.from({ length: 3 + g.int(4) }, () => g.b64(48));
    const label = g.pick(['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'OPENSSH PRIVATE KEY']);
    const block = `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----`;
    const cert = `-----BEGIN CERTIFICATE-----\nMIIC${g.b64(45)}\n-----END CERTIFICATE-----`;
    return { kind: 'pem', text: g.pick([block, `${cert}\n${block}`]), core: lines.join('\n') };
  },
  'key-value-with-spaces': (g) => {
    const v = g.words(3 + g.int(3));
    const key = g.pick(['password', 'client_secret', 'passphrase', 'clientSecret', 'api_key', 'pwd']);
    const depth = g.int(4);
    let text = JSON.stringify({ [key]: v, user: 'admin' });
    for (let d = 0; d < depth; d++) text = JSON.stringify(text).slice(1, -1);
    return { kind: 'key-value-with-spaces', text: g.pick([text, `${key}="${v}"`, `${key}: '${v}'`]), core: v };
  },
};

/** The carriers each secret travels in. */
export const CARRIERS: Record<string, (text: string) => string> = {
  sentence: (t) => `Graph answered 400 Bad Request: ${t}. Please retry later.`,
  'form body': (t) => `grant_type=client_credentials&client_id=0f8fad5b-d9cb-469f-a165-70867728950e&note=${new URLSearchParams({ x: t }).toString().slice(2)}&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default`,
  json: (t) => JSON.stringify({ error: { code: 'BadRequest', message: `Invalid request: ${t}`, innerError: { date: '2026-11-27T10:00:00', 'request-id': 'b1e5c0a2-3f4d-4e6f-8a9b-0c1d2e3f4a5b' } } }),
  'double-escaped json': (t) => JSON.stringify({ body: JSON.stringify({ error: { message: t } }) }),
  'triple-escaped json': (t) => JSON.stringify({ log: JSON.stringify({ body: JSON.stringify({ detail: t }) }) }),
  header: (t) => (/^[A-Za-z-]+: /.test(t) ? `${t}\r\nContent-Type: application/json` : `X-Ms-Diagnostics: ${t}\r\nContent-Type: application/json`),
  url: (t) => `https://graph.microsoft.com/beta/deviceManagement/deviceConfigurations?$filter=${encodeURIComponent(t)}&$top=100`,
};

/** n secrets, families round-robin, each from its own place in one seeded stream. */
export function secretCorpus(n: number, seed = 15): SecretSample[] {
  const g = new Gen(seededRandom(seed));
  const families = Object.values(SECRET_FAMILIES);
  return Array.from({ length: n }, (_, i) => families[i % families.length](g));
}

const NAMES = ['DefaultWindows10EnrollmentCompletionPageConfiguration', 'DefaultWindowsHelloForBusiness', 'DefaultPlatformRestrictions', 'DefaultLimit', 'DeviceCompliancePolicyScript', 'Windows10EndpointProtectionConfiguration', 'AppleDEPProfile2', 'IosUpdateConfiguration', 'M365AppsBaseline'];
const SETTING_PARTS = [['device', 'user'], ['vendor_msft'], ['policy_config', 'bitlocker', 'firewall_mdmstore', 'laps_policies', 'defender'], ['defender', 'browser', 'devicelock', 'experience', 'update', 'localpoliciessecurityoptions', 'admx_grouppolicy'], ['allowarchivescanning', 'requiredeviceencryption', 'enablefirewall', 'mindevicepasswordlength', 'allowaddressbardropdown', 'backupdirectory', 'passwordagedays', 'devicepasswordenabled', 'allowcortana', 'defersqualityupdatesperiodindays']];
const APPLE_SETTINGS = ['com.apple.managedclient.preferences_enforcementlevel', 'com.apple.mcx.filevault2_enable', 'com.apple.screensaver_askforpassword', 'com.apple.applicationaccess_allowcamera', 'com.apple.security.firewall_enablefirewall', 'com.apple.softwareupdate_automaticcheckenabled'];
const ODATA = ['#microsoft.graph.windows10GeneralConfiguration', '#microsoft.graph.windows10CompliancePolicy', '#microsoft.graph.iosGeneralDeviceConfiguration', '#microsoft.graph.deviceManagementConfigurationPolicy', '#microsoft.graph.deviceManagementConfigurationChoiceSettingInstance', '#microsoft.graph.windows81TrustedRootCertificate', '#microsoft.graph.macOSCustomConfiguration', '#microsoft.graph.group', '#microsoft.graph.windowsAutopilotDeploymentProfile', '#microsoft.graph.deviceEnrollmentPlatformRestrictionsConfiguration'];
const COLLECTIONS = ['deviceConfigurations', 'deviceCompliancePolicies', 'configurationPolicies', 'deviceEnrollmentConfigurations', 'groupPolicyConfigurations', 'windowsAutopilotDeploymentProfiles', 'deviceManagementScripts', 'intents', 'roleScopeTags'];

function settingId(g: Gen): string {
  if (g.int(4) === 0) return g.pick(APPLE_SETTINGS);
  const base = SETTING_PARTS.map((p) => g.pick(p)).join('_');
  return g.pick([base, `${base}_${g.int(3)}`, `${base}_${g.pick(['enabled', 'disabled', 'block', 'allow'])}`]);
}

/** Benign families: what the product handles every day and must keep intact. */
export const BENIGN_FAMILIES: Record<string, (g: Gen) => string> = {
  guid: (g) => g.guid(),
  'composite T_ id': (g) => `T_${g.guid()}`,
  'composite guid_Name id': (g) => `${g.guid()}_${g.pick(NAMES)}`,
  'composite guid_guid id': (g) => `${g.guid()}_${g.guid()}`,
  'setting definition id': (g) => settingId(g),
  'odata type': (g) => g.pick(ODATA),
  'graph path': (g) => `${g.pick(['https://graph.microsoft.com/beta', 'https://graph.microsoft.com/v1.0', ''])}/deviceManagement/${g.pick(COLLECTIONS)}/${g.guid()}${g.pick(['', '/settings?$expand=settingDefinitions', '/assignments', `?$select=id,displayName,lastModifiedDateTime&$top=${1 + g.int(999)}`, `/settings/${g.int(50)}`])}`,
  'graph url with filter': (g) => `https://graph.microsoft.com/beta/deviceManagement/${g.pick(COLLECTIONS)}?$filter=${encodeURIComponent(`id eq '${g.pick([`T_${g.guid()}`, g.guid()])}'`)}&$top=100`,
  ulid: (g) => g.ulid(),
  timestamp: (g) => g.iso(),
  'failure message': (g) => g.pick([
    `Graph answered 403 for deviceManagement/${g.pick(COLLECTIONS)}/${g.guid()}`,
    `policy ${g.pick([`T_${g.guid()}`, `${g.guid()}_${g.pick(NAMES)}`])} could not be read: Forbidden`,
    `setting ${settingId(g)} is not applicable to ${g.pick(ODATA)}`,
    `run ${g.ulid()} completed at ${g.iso()} with ${g.int(50)} of ${50 + g.int(500)} items failed`,
    `Inventory sync partially succeeded — ${g.int(10)} of ${10 + g.int(90)} items failed`,
    `The Graph request ${g.guid()} was throttled (429); retried after ${1 + g.int(30)} s`,
    `Access token has expired or is not yet valid. Correlation id ${g.guid()}`,
    `backup set ${g.ulid()} references ${g.pick(COLLECTIONS)} that no longer exist`,
    `Resource '${g.guid()}' does not exist or one of its queried reference-property objects are not present.`,
  ]),
};

export function benignCorpus(n: number, seed = 1015): Array<{ kind: string; value: string }> {
  const g = new Gen(seededRandom(seed));
  const families = Object.entries(BENIGN_FAMILIES);
  return Array.from({ length: n }, (_, i) => { const [kind, make] = families[i % families.length]; return { kind, value: make(g) }; });
}
