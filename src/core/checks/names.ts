/** KSD104, KSD311: selector labels and Service names the API server rejects. */
import type { Diagnostic } from '../diagnostics';
import { rec } from '../model/read';
import { focusServices } from './scope';
import type { Check } from './types';
import { diag } from './util';

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** validation.IsQualifiedName: an optional DNS-subdomain prefix and a name of at most 63 characters. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a label key has at most one "/"';
  const [prefix, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : ['', parts[0]!];
  if (parts.length === 2 && (!prefix || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `the prefix "${prefix}" must be a lowercase DNS subdomain`;
  if (!name || name.length > 63 || !NAME.test(name)) return 'the name part must be 1-63 characters of letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

/** validation.IsValidLabelValue. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) return 'a label value must be at most 63 characters of letters, digits, "-", "_" or ".", starting and ending with a letter or digit';
  return undefined;
}

export const selectorLabelCheck: Check = {
  reads: 'object',
  code: 'KSD104',
  id: 'invalid-selector-label',
  title: 'Service selector label is invalid',
  defaultSeverity: 'error',
  description: 'Selector keys must be qualified names and values valid label values; the API server rejects others (a value like "app=web" is a common slip).',
  run(ctx) {
    const out: Diagnostic[] = [];
    const services = focusServices(ctx);
    for (let at_ = 0; at_ < services.length; at_++) {
      const svc = services[at_]!;
      const sel = rec(rec(svc.loaded?.object['spec'])['selector']);
      for (const [k, v] of Object.entries(sel)) {
        const kp = labelKeyProblem(k);
        if (kp) out.push(diag(svc.loaded, ['spec', 'selector', k], 'error', 'KSD104', `Selector key "${k}" is invalid: ${kp}. The API server rejects the Service.`, { which: 'key' }));
        const value = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
        if (value === undefined && v !== null) {
          out.push(diag(svc.loaded, ['spec', 'selector', k], 'error', 'KSD104', `Selector value for "${k}" must be a string, not ${Array.isArray(v) ? 'a list' : 'a map'}.`));
          continue;
        }
        if (typeof v === 'number' || typeof v === 'boolean') {
          out.push(diag(svc.loaded, ['spec', 'selector', k], 'error', 'KSD104', `Selector value ${String(v)} for "${k}" is a YAML ${typeof v}, but label values are strings: quote it ("${String(v)}"), or kubectl rejects the manifest.`));
          continue;
        }
        const vp = value ? labelValueProblem(value) : undefined;
        if (vp) out.push(diag(svc.loaded, ['spec', 'selector', k], 'error', 'KSD104', `Selector value "${value}" for "${k}" is invalid: ${vp}. The API server rejects the Service.`));
      }
    }
    return out;
  },
};

export const serviceNameCheck: Check = {
  reads: 'object',
  code: 'KSD311',
  id: 'invalid-service-name',
  title: 'Service name is not a valid DNS label',
  defaultSeverity: 'error',
  description: 'A Service name becomes a DNS label: at most 63 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit (RFC 1035).',
  run(ctx) {
    const out: Diagnostic[] = [];
    const services = focusServices(ctx);
    for (let at_ = 0; at_ < services.length; at_++) {
      const svc = services[at_]!;
      if (!svc.name || /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(svc.name) && svc.name.length <= 63) continue;
      out.push(diag(svc.loaded, ['metadata', 'name'], 'error', 'KSD311', `Service name "${svc.name}" is invalid: a Service name becomes a DNS label, so it must be at most 63 lowercase letters, digits and hyphens, start with a letter and end with a letter or digit. The API server rejects it.`));
    }
    return out;
  },
};
