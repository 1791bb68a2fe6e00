// oidc-provider, imported without its start-up warning. On Node 20 it prints
// "Unsupported runtime" when it loads: the emulator runs there on purpose (the
// workspace's Node), and the warning repeated in every test process hid real output.
// Only that exact warning is held back, and only while the module loads.

const UNSUPPORTED_RUNTIME = /^oidc-provider WARNING: Unsupported runtime\b/;

const warn = console.warn;
console.warn = (...args) => {
  if (typeof args[0] === 'string' && UNSUPPORTED_RUNTIME.test(args[0])) return;
  warn(...args);
};
let oidc;
try {
  oidc = await import('oidc-provider');
} finally {
  console.warn = warn;
}

export const Provider = oidc.default;
export const errors = oidc.errors;
