/**
 * What bundles get for `import … from 'node:process'` (esbuild alias: bundling-options.ts
 * BUILTIN_SHIMS). Node's ESM facade of a built-in copies every export when it is first imported, and
 * for `process` that means reading every property — lazy getters included (report, permission,
 * allowedNodeEnvironmentFlags, …): 7–40 ms of a cold import on the 2-core VM, for the two names the
 * AWS SDK's user-agent code reads. The same object without the facade; the named exports are the
 * values the facade would hold (it copies them once too). A dependency importing a name not listed
 * here fails the build ("No matching export"), it cannot get `undefined`.
 */
const nodeProcess = globalThis.process;
export default nodeProcess;
export const { env, versions, platform, arch, argv } = nodeProcess;
