/** KSD204-KSD210: Service port fields the API server rejects (types, names, duplicates, ranges). */
import type { Diagnostic, Fix } from '../diagnostics';
import { arr, rec } from '../model/read';
import type { LoadedObject } from '../manifest/load';
import type { ServiceModel } from '../model/types';
import { focusServices } from './scope';
import type { Check, CheckContext } from './types';
import { diag, dnsLabelProblems, fix, portNameProblems, prependEntry, replaceValue } from './util';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

/**
 * A Service's ports as written, per loaded object (six checks read them for every Service; a loaded object
 * is never edited, a changed document loads as new objects). Read-only.
 */
const portsAsWritten = new WeakMap<LoadedObject, readonly Record<string, unknown>[]>();

function rawPorts(svc: ServiceModel): readonly Record<string, unknown>[] {
  const o = svc.loaded;
  if (!o) return [];
  let ports = portsAsWritten.get(o);
  if (!ports) portsAsWritten.set(o, (ports = arr(rec(o.object['spec'])['ports']).map(rec)));
  return ports;
}

function each(ctx: CheckContext, fn: (svc: ServiceModel, out: Diagnostic[]) => void): Diagnostic[] {
  const out: Diagnostic[] = [];
  // Indexed: a for-of allocates per Service while this runs unoptimised (once per check in a first analysis).
  const services = focusServices(ctx);
  for (let i = 0; i < services.length; i++) {
    const svc = services[i]!;
    if (svc.loaded) fn(svc, out);
  }
  return out;
}

const isQuotedInt = (v: unknown) => typeof v === 'string' && /^\s*\d+\s*$/.test(v);

export const quotedTargetPortCheck: Check = {
  reads: 'object',
  code: 'KSD204',
  id: 'quoted-target-port',
  title: 'targetPort is a quoted number',
  defaultSeverity: 'error',
  description: 'targetPort: "8080" is a string, so the API reads it as a port name, and a port name needs a letter: the Service is rejected.',
  run: (ctx) =>
    each(ctx, (svc, out) =>
      rawPorts(svc).forEach((p, i) => {
        const tp = p['targetPort'];
        if (!isQuotedInt(tp)) return;
        const n = Number(String(tp).trim());
        const path = ['spec', 'ports', i, 'targetPort'];
        out.push(diag(svc.loaded, path, 'error', 'KSD204', `targetPort "${String(tp).trim()}" is quoted, so it is a port name rather than a number, and a port name needs at least one letter: the API server rejects the Service. Write it without quotes: targetPort: ${n}.`, { fixes: fix(`Unquote: targetPort: ${n}`, [replaceValue(svc.loaded, path, n)], true) }));
      }),
    ),
};

export const portTypeCheck: Check = {
  reads: 'object',
  code: 'KSD205',
  id: 'port-not-a-number',
  title: 'port or nodePort is not a number',
  defaultSeverity: 'error',
  description: 'port and nodePort are integers; a quoted number or any other text fails to decode, so kubectl rejects the manifest.',
  run: (ctx) =>
    each(ctx, (svc, out) =>
      rawPorts(svc).forEach((p, i) => {
        for (const field of ['port', 'nodePort'] as const) {
          const v = p[field];
          if (v === undefined || v === null || (typeof v === 'number' && Number.isInteger(v))) continue;
          const path = ['spec', 'ports', i, field];
          if (isQuotedInt(v)) {
            const n = Number(String(v).trim());
            out.push(diag(svc.loaded, path, 'error', 'KSD205', `${field} "${String(v).trim()}" is quoted: ${field} must be an integer, and the API rejects a string here. Write ${field}: ${n}.`, { fixes: fix(`Unquote: ${field}: ${n}`, [replaceValue(svc.loaded, path, n)], true) }));
          } else {
            out.push(diag(svc.loaded, path, 'error', 'KSD205', `${field} must be an integer port number (1-65535), not ${JSON.stringify(v)}.`));
          }
        }
      }),
    ),
};

export const portNameCheck: Check = {
  reads: 'object',
  code: 'KSD206',
  id: 'invalid-port-name',
  title: 'Invalid Service port name or targetPort name',
  defaultSeverity: 'error',
  description: 'Service port names must be DNS labels and a named targetPort must be a valid IANA service name (15 characters at most, lowercase letters, digits and single hyphens, at least one letter).',
  run: (ctx) =>
    each(ctx, (svc, out) =>
      rawPorts(svc).forEach((p, i) => {
        const name = p['name'];
        if (typeof name === 'string' && name !== '') {
          const probs = dnsLabelProblems(name);
          if (probs.length) {
            const lower = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
            const ok = lower && !dnsLabelProblems(lower).length;
            out.push(diag(svc.loaded, ['spec', 'ports', i, 'name'], 'error', 'KSD206', `Port name "${name}" is invalid: ${probs.join('; ')}. The API server rejects the Service.`, { fixes: ok ? fix(`Rename to "${lower}"`, [replaceValue(svc.loaded, ['spec', 'ports', i, 'name'], lower)], true) : [] }));
          }
        }
        const tp = p['targetPort'];
        if (typeof tp === 'string' && tp !== '' && !isQuotedInt(tp)) {
          const probs = portNameProblems(tp);
          if (probs.length) out.push(diag(svc.loaded, ['spec', 'ports', i, 'targetPort'], 'error', 'KSD206', `targetPort "${tp}" is not a valid port name: ${probs.join('; ')}. The API server rejects the Service; use the container port's number or its (valid) name.`));
        }
      }),
    ),
};

export const duplicatePortNameCheck: Check = {
  reads: 'object',
  code: 'KSD207',
  id: 'duplicate-port-name',
  title: 'Duplicate Service port name',
  defaultSeverity: 'error',
  description: 'Every port of a Service needs its own name; the API server rejects duplicates.',
  run: (ctx) =>
    each(ctx, (svc, out) => {
      const seen = new Map<string, number>();
      rawPorts(svc).forEach((p, i) => {
        const name = p['name'];
        if (typeof name !== 'string' || name === '') return;
        const first = seen.get(name);
        if (first === undefined) seen.set(name, i);
        else out.push(diag(svc.loaded, ['spec', 'ports', i, 'name'], 'error', 'KSD207', `Port name "${name}" is already used by ports[${first}]; the API server rejects duplicate port names. Give this port its own name.`));
      });
    }),
};

/** A name for an unnamed port: the named targetPort, a well-known name, or port-N, unused and valid. */
export function proposeName(p: Record<string, unknown>, used: Set<string>): string {
  const port = typeof p['port'] === 'number' ? p['port'] : Number(p['port']);
  const tp = p['targetPort'];
  const proto = typeof p['protocol'] === 'string' ? p['protocol'].toLowerCase() : 'tcp';
  const wellKnown: Record<number, string> = { 80: 'http', 8080: 'http', 443: 'https', 8443: 'https', 53: 'dns', 9090: 'metrics', 5432: 'postgres', 3306: 'mysql', 6379: 'redis', 9376: 'http' };
  const candidates = [typeof tp === 'string' && !portNameProblems(tp).length ? tp : '', wellKnown[port] ?? '', `${proto === 'tcp' ? 'port' : proto}-${port}`, `port-${port}-${proto}`];
  for (const c of candidates) if (c && !used.has(c)) return c;
  let n = 1;
  while (used.has(`port-${n}`)) n++;
  return `port-${n}`;
}

const named = (p: Record<string, unknown>) => typeof p['name'] === 'string' && p['name'] !== '';

export const unnamedPortCheck: Check = {
  reads: 'object',
  code: 'KSD208',
  id: 'unnamed-port-in-multi-port-service',
  title: 'Unnamed port in a multi-port Service',
  defaultSeverity: 'error',
  description: 'When a Service has more than one port, every port needs a name; the API server rejects the Service otherwise.',
  run: (ctx) =>
    each(ctx, (svc, out) => {
      const ports = rawPorts(svc);
      // Every port named (the usual case): nothing to propose, so no names are collected.
      if (ports.length < 2 || ports.every(named)) return;
      const used = new Set(ports.map((p) => p['name']).filter((n): n is string => typeof n === 'string' && n !== ''));
      const unnamed = ports.map((p, i) => ({ p, i })).filter(({ p }) => !named(p));
      const names = unnamed.map(({ p }) => {
        const n = proposeName(p, used);
        used.add(n);
        return n;
      });
      const all: Fix[] = fix(`Name every port (${names.join(', ')})`, unnamed.map(({ i }, k) => prependEntry(svc.loaded, ['spec', 'ports', i], 'name', names[k]!)));
      unnamed.forEach(({ i }, k) => {
        const one = fix(`Add name: ${names[k]}`, [prependEntry(svc.loaded, ['spec', 'ports', i], 'name', names[k]!)], true);
        out.push(diag(svc.loaded, ['spec', 'ports', i], 'error', 'KSD208', `ports[${i}] has no name, but this Service has ${ports.length} ports and then each needs a name (the API server rejects the Service). Add, for example, name: ${names[k]}.`, { fixes: [...one, ...(unnamed.length > 1 ? all : [])] }));
      });
    }),
};

export const duplicatePortCheck: Check = {
  reads: 'object',
  code: 'KSD209',
  id: 'duplicate-port',
  title: 'Duplicate Service port and protocol',
  defaultSeverity: 'error',
  description: 'Two entries with the same port number and protocol are rejected by the API server.',
  run: (ctx) =>
    each(ctx, (svc, out) => {
      const seen = new Map<string, number>();
      for (const sp of svc.ports) {
        if (!sp.port) continue;
        const key = `${sp.protocol}/${sp.port}`;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, sp.index);
        else out.push(diag(svc.loaded, ['spec', 'ports', sp.index, 'port'], 'error', 'KSD209', `Port ${sp.port}/${sp.protocol} is already declared by ports[${first}]; the API server rejects duplicate port and protocol pairs. Remove one or change its number.`));
      }
    }),
};

export const portRangeCheck: Check = {
  reads: 'object',
  code: 'KSD210',
  id: 'invalid-port-number-or-protocol',
  title: 'Port number out of range or unsupported protocol',
  defaultSeverity: 'error',
  description: 'port and numeric targetPort must be 1-65535; protocol must be TCP, UDP or SCTP.',
  run: (ctx) =>
    each(ctx, (svc, out) =>
      rawPorts(svc).forEach((p, i) => {
        for (const field of ['port', 'targetPort'] as const) {
          const v = p[field];
          if (typeof v !== 'number' || !Number.isInteger(v)) continue;
          if (field === 'targetPort' && v === 0) continue; // 0 means "default to port"
          if (v < 1 || v > 65535) out.push(diag(svc.loaded, ['spec', 'ports', i, field], 'error', 'KSD210', `${field} ${v} is out of range: it must be between 1 and 65535.`));
        }
        if (p['port'] === undefined) out.push(diag(svc.loaded, ['spec', 'ports', i], 'error', 'KSD210', `ports[${i}] has no port number; the API server requires one.`));
        const proto = p['protocol'];
        if (proto !== undefined && !PROTOCOLS.includes(String(proto))) {
          const up = String(proto).toUpperCase();
          out.push(diag(svc.loaded, ['spec', 'ports', i, 'protocol'], 'error', 'KSD210', `protocol ${JSON.stringify(proto)} is not supported: use TCP, UDP or SCTP (upper case).`, { fixes: PROTOCOLS.includes(up) ? fix(`Change to ${up}`, [replaceValue(svc.loaded, ['spec', 'ports', i, 'protocol'], up)], true) : [] }));
        }
      }),
    ),
};
