/**
 * The secrets this process holds (issue 15, item 1): every secret it loads or receives — Graph client
 * secrets, the access tokens it obtains, a caller's delegated Graph token, the cursor signing key — is
 * registered here as it arrives, and the sanitizer replaces every occurrence of each, also in its
 * URL-encoded, form-encoded, JSON-escaped and base64 (standard and url-safe, at any byte alignment) forms.
 *
 * Bounded: at most MAX_SECRETS values, least recently registered dropped first; values shorter than
 * MIN_SECRET_LENGTH are not registered (they would redact ordinary words). Fast: the forms are indexed
 * by their first 8 characters, so one scan of the text with a hash lookup per position finds them all,
 * whatever the registry's size; the index is rebuilt only when the registry changes.
 */
export const MIN_SECRET_LENGTH = 8;
export const MAX_SECRETS = 256;
const PREFIX = 8;

const registered = new Map<string, true>(); // insertion order = recency
let index: Map<string, string[]> | null = null;

/** Registers a secret the process holds; returns it, so a call can wrap the value where it arrives. */
export function registerSecret<T extends string | null | undefined>(value: T): T {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return value;
  if (registered.has(value)) {
    registered.delete(value); // refresh its place; the forms are unchanged
    registered.set(value, true);
    return value;
  }
  registered.set(value, true);
  while (registered.size > MAX_SECRETS) registered.delete(registered.keys().next().value as string);
  index = null;
  return value;
}

/** For tests: forget every registered secret. */
export function clearSecretRegistry(): void {
  registered.clear();
  index = null;
}

export function registeredSecretCount(): number {
  return registered.size;
}

/** Every form in which `secret` may show up in text (each at least 8 characters long). */
export function secretForms(secret: string): string[] {
  const forms = new Set<string>([secret]);
  // JSON-escaped, up to three levels deep (a JSON string inside a JSON string inside …).
  let json = secret;
  for (let depth = 0; depth < 3; depth++) {
    json = JSON.stringify(json).slice(1, -1);
    forms.add(json);
  }
  // URL-encoded (path/query and form bodies, which also encode `~` and write spaces as `+`).
  const uri = encodeURIComponent(secret);
  forms.add(uri);
  forms.add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  forms.add(new URLSearchParams({ v: secret }).toString().slice(2));
  forms.add(encodeURIComponent(uri)); // encoded twice (a URL inside a query parameter)
  // base64, standard and url-safe, at each of the three byte alignments inside a longer encoding
  // (as in `Basic base64(user:secret)`): only the characters that depend on the secret's bytes alone.
  const bytes = Buffer.from(secret, 'utf8');
  for (let lead = 0; lead < 3; lead++) {
    const b64 = Buffer.concat([Buffer.alloc(lead), bytes]).toString('base64');
    const from = Math.ceil((lead * 8) / 6);
    const to = Math.floor(((lead + bytes.length) * 8) / 6);
    const core = b64.slice(from, to);
    forms.add(core);
    forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    if (lead === 0) {
      forms.add(b64);
      forms.add(b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    }
  }
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

function build(): Map<string, string[]> {
  const idx = new Map<string, string[]>();
  for (const secret of registered.keys()) {
    for (const form of secretForms(secret)) {
      const key = form.slice(0, PREFIX);
      const list = idx.get(key);
      if (!list) idx.set(key, [form]);
      else if (!list.includes(form)) list.push(form);
    }
  }
  for (const list of idx.values()) list.sort((a, b) => b.length - a.length); // longest form wins
  return idx;
}

/** Replaces every occurrence of every registered secret (in any of its forms) with `replacement`. */
export function redactRegistered(text: string, replacement: string): string {
  if (registered.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  const idx = (index ??= build());
  let out = '';
  let last = 0;
  const end = text.length - PREFIX;
  for (let i = 0; i <= end; i++) {
    const list = idx.get(text.substr(i, PREFIX));
    if (!list) continue;
    const hit = list.find((form) => text.startsWith(form, i));
    if (!hit) continue;
    out += text.slice(last, i) + replacement;
    i += hit.length - 1;
    last = i + 1;
  }
  return last === 0 ? text : out + text.slice(last);
}
