/**
 * Form fields generated from an operation type's input JSON Schema (GET /operation-types), and the
 * reverse: reading the fields back into an input object. Only the shapes the catalog uses:
 *   array of enum → checkboxes      array of string → textarea (one per line or comma-separated)
 *   string → text input             boolean → checkbox
 *   object of string → string (groupMapping) → textarea of key=value lines
 * Empty optional fields are left out, so the server applies its defaults. The server validates.
 */
import { h } from './dom.js';
import type { JsonSchema } from './types.js';

type Reader = () => { value: unknown; present: boolean };

export interface GeneratedFields { element: HTMLElement; read: () => Record<string, unknown> }

const humanize = (name: string) => name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
const splitList = (text: string) => text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);

export function fieldsFor(schema: JsonSchema, idPrefix: string): GeneratedFields {
  const required = new Set(schema.required ?? []);
  const readers: Array<[string, Reader]> = [];
  const parts: HTMLElement[] = [];
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    const id = `${idPrefix}-${name}`;
    const label = `${humanize(name)}${required.has(name) ? '' : ' (optional)'}`;
    const hintId = `${id}-hint`;
    if (prop.type === 'array' && prop.items?.enum) {
      const boxes = prop.items.enum.map((v) => h('input', { type: 'checkbox', name, value: v, id: `${id}-${v}` }));
      parts.push(h('fieldset', { class: 'field' },
        h('legend', {}, label),
        h('p', { class: 'hint' }, required.has(name) ? 'Choose at least one.' : 'None chosen means all.'),
        boxes.map((b) => h('div', { class: 'check' }, b, h('label', { for: b.id }, humanize(b.value)))),
      ));
      readers.push([name, () => { const v = boxes.filter((b) => b.checked).map((b) => b.value); return { value: v, present: v.length > 0 }; }]);
    } else if (prop.type === 'array') {
      const area = h('textarea', { id, name, rows: 3, 'aria-describedby': hintId, required: required.has(name) });
      parts.push(h('div', { class: 'field' }, h('label', { for: id }, label), h('p', { class: 'hint', id: hintId }, 'One id per line, or comma-separated.'), area));
      readers.push([name, () => { const v = splitList(area.value); return { value: v, present: v.length > 0 }; }]);
    } else if (prop.type === 'boolean') {
      const box = h('input', { type: 'checkbox', id, name });
      parts.push(h('div', { class: 'field check' }, box, h('label', { for: id }, humanize(name))));
      readers.push([name, () => ({ value: box.checked, present: box.checked })]);
    } else if (prop.type === 'object') {
      const area = h('textarea', { id, name, rows: 3, 'aria-describedby': hintId, required: required.has(name) });
      parts.push(h('div', { class: 'field' }, h('label', { for: id }, label), h('p', { class: 'hint', id: hintId }, 'One source=target pair per line.'), area));
      readers.push([name, () => {
        const entries = area.value.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
          const i = l.indexOf('=');
          // A line without "=" is passed on as-is so the server's validation names the bad entry.
          return i < 0 ? [l, ''] : [l.slice(0, i).trim(), l.slice(i + 1).trim()];
        });
        return { value: Object.fromEntries(entries), present: entries.length > 0 };
      }]);
    } else {
      const input = h('input', { type: 'text', id, name, required: required.has(name), autocomplete: 'off' });
      parts.push(h('div', { class: 'field' }, h('label', { for: id }, label), input));
      readers.push([name, () => ({ value: input.value.trim(), present: input.value.trim() !== '' })]);
    }
  }
  return {
    element: h('div', { class: 'fields' }, parts.length ? parts : h('p', { class: 'hint' }, 'This operation takes no input.')),
    read: () => {
      const input: Record<string, unknown> = {};
      for (const [name, read] of readers) {
        const r = read();
        if (r.present) input[name] = r.value;
      }
      return input;
    },
  };
}
