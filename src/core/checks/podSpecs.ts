/** KSD401-KSD402: probe ports and container port names in pod specs (workload templates and Pods). */
import type { Diagnostic } from '../diagnostics';
import type { LoadedObject } from '../manifest/load';
import { arr, dig, int, rec, str } from '../model/read';
import type { ClusterState } from '../model/types';
import { inFocus } from './scope';
import type { Check, CheckContext } from './types';
import { closeEnough, diag, fix, portNameProblems, replaceValue } from './util';

interface PodSpecAt {
  loaded: LoadedObject;
  path: (string | number)[];
  describe: string;
}

/** Every pod spec written in the inputs (workload templates and Pod objects), of the subjects in focus. */
export function podSpecs(ctx: CheckContext): PodSpecAt[] {
  const state: ClusterState = ctx.state;
  const out: PodSpecAt[] = [];
  for (const w of state.workloads) if (w.loaded && w.template && inFocus(ctx, w.loaded)) out.push({ loaded: w.loaded, path: [...w.templatePath, 'spec'], describe: `${w.kind} "${w.name}"` });
  for (const o of ctx.focus ?? state.objects) if (o.kind === 'Pod' && !o.partial) out.push({ loaded: o, path: ['spec'], describe: `Pod "${o.name}"` });
  return out;
}

function containers(at: PodSpecAt): { c: Record<string, unknown>; path: (string | number)[] }[] {
  const spec = dig(at.loaded.object, ...at.path);
  const out: { c: Record<string, unknown>; path: (string | number)[] }[] = [];
  arr(rec(spec)['containers']).forEach((c, i) => out.push({ c: rec(c), path: [...at.path, 'containers', i] }));
  arr(rec(spec)['initContainers']).forEach((c, i) => {
    if (rec(c)['restartPolicy'] === 'Always') out.push({ c: rec(c), path: [...at.path, 'initContainers', i] });
  });
  return out;
}

const PROBES = ['readinessProbe', 'livenessProbe', 'startupProbe'] as const;
const HANDLERS = ['httpGet', 'tcpSocket', 'grpc'] as const;

export const probePortCheck: Check = {
  reads: 'object',
  code: 'KSD401',
  id: 'probe-port-not-exposed',
  title: 'Probe port not exposed by the container',
  defaultSeverity: 'error',
  description: 'A probe on a named port the container does not declare always fails (a failing readiness probe keeps the pod out of every Service); a numeric probe port no container declares is reported as info.',
  run(ctx) {
    const out: Diagnostic[] = [];
    const specs = podSpecs(ctx);
    for (let at_ = 0; at_ < specs.length; at_++) {
      const at = specs[at_]!;
      for (const { c, path } of containers(at)) {
        const ports = arr(c['ports']).map(rec);
        const cname = str(c['name']) ?? '';
        for (let pi = 0; pi < PROBES.length; pi++) {
          const probe = PROBES[pi]!;
          // Most containers have no probes: skip before building anything.
          const pv = c[probe];
          if (typeof pv !== 'object' || pv === null) continue;
          for (let hi = 0; hi < HANDLERS.length; hi++) {
            const h = HANDLERS[hi]!;
            const handler = rec(rec(pv)[h]);
            const port = handler['port'];
            if (port === undefined || port === null) continue;
            // The finding's path and wording are made only for a probe that is reported.
            const ppath = () => [...path, probe, h, 'port'];
            const what = () => `the ${probe} (${h}) of container "${cname}" in ${at.describe}`;
            if (typeof port === 'string' && !/^\d+$/.test(port)) {
              if (ports.some((p) => p['name'] === port)) continue;
              const names = ports.map((p) => str(p['name'])).filter((n): n is string => !!n);
              const near = names.find((n) => closeEnough(port, n)) ?? (names.length === 1 ? names[0] : undefined);
              const effect = probe === 'readinessProbe' ? 'so the pod never becomes Ready and no Service sends it traffic' : probe === 'livenessProbe' ? 'so the kubelet keeps restarting the container' : 'so the container never finishes starting';
              out.push(diag(at.loaded, ppath(), 'error', 'KSD401', `${what()} uses port "${port}", but the container declares no port with that name (${names.length ? `it has ${names.map((n) => `"${n}"`).join(', ')}` : 'it declares no named ports'}): the probe fails, ${effect}.`, { fixes: near ? fix(`Use port "${near}"`, [replaceValue(at.loaded, ppath(), near)], true) : [] }));
              continue;
            }
            const num = int(port);
            if (num === undefined || !ports.length) continue;
            if (ports.some((p) => int(p['containerPort']) === num)) continue;
            const declared = ports.map((p) => `${String(p['containerPort'])}`).join(', ');
            out.push(diag(at.loaded, ppath(), 'info', 'KSD401', `${what()} checks port ${num}, which the container does not declare (it declares ${declared}). This works if the process listens on ${num}, but check that the probe targets the right port.`));
          }
        }
      }
    }
    return out;
  },
};

export const containerPortNameCheck: Check = {
  reads: 'object',
  code: 'KSD402',
  id: 'invalid-container-port',
  title: 'Invalid or duplicate container port name',
  defaultSeverity: 'error',
  description: 'Container port names must be valid IANA service names (15 characters at most, lowercase letters, digits and single hyphens, at least one letter) and unique within the container; containerPort must be 1-65535.',
  run(ctx) {
    const out: Diagnostic[] = [];
    const specs = podSpecs(ctx);
    for (let at_ = 0; at_ < specs.length; at_++) {
      const at = specs[at_]!;
      for (const { c, path } of containers(at)) {
        const seen = new Set<string>();
        arr(c['ports']).forEach((p, i) => {
          const pr = rec(p);
          const name = pr['name'];
          // The finding's path is made only for a port that is reported.
          const npath = () => [...path, 'ports', i, 'name'];
          if (typeof name === 'string' && name !== '') {
            const probs = portNameProblems(name);
            if (probs.length) {
              const fixed = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/-+/g, '-').replace(/^-|-$/g, '').slice(0, 15).replace(/-$/, '');
              out.push(diag(at.loaded, npath(), 'error', 'KSD402', `Container port name "${name}" in ${at.describe} is invalid: ${probs.join('; ')}. The API server rejects it, and a Service cannot target it by name.`, { fixes: fixed && !portNameProblems(fixed).length ? fix(`Rename to "${fixed}" (update targetPorts that use it)`, [replaceValue(at.loaded, npath(), fixed)]) : [] }));
            }
            if (seen.has(name)) out.push(diag(at.loaded, npath(), 'error', 'KSD402', `Container port name "${name}" is used twice in container "${str(c['name']) ?? ''}" of ${at.describe}; the API server rejects duplicate port names.`));
            seen.add(name);
          }
          const cp = pr['containerPort'];
          const n = int(cp);
          if (cp !== undefined && (typeof cp !== 'number' || n === undefined || n < 1 || n > 65535)) {
            out.push(diag(at.loaded, [...path, 'ports', i, 'containerPort'], 'error', 'KSD402', `containerPort ${JSON.stringify(cp)} in ${at.describe} must be an integer from 1 to 65535.`));
          }
        });
      }
    }
    return out;
  },
};
