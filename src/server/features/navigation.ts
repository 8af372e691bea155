/**
 * Go to definition (selector -> the template labels it matches; named targetPort -> the containerPort)
 * and find references (template or pod labels -> the Services selecting them).
 */
import type { Location } from 'vscode-languageserver/node';
import { matchesServiceSelector, type ClusterState, type PathSegment } from '../../core';
import { labelOwners, rangeIn, selects, serviceOf, workloadOf } from './lookup';
import { startsWith, type Located } from './locate';

export function definition(state: ClusterState, at: Located): Location[] {
  if (at.object.kind !== 'Service') return [];
  const svc = serviceOf(state, at.object);
  if (!svc) return [];
  if (startsWith(at.path, ['spec', 'selector'])) {
    const key = typeof at.path[2] === 'string' ? at.path[2] : undefined;
    const out: Location[] = [];
    for (const o of labelOwners(state, svc.namespace)) {
      if (!selects(svc, o)) continue;
      const r = rangeIn(o.object, key ? [...o.labelsPath, key] : o.labelsPath, 'key');
      if (r && o.object.source) out.push({ uri: o.object.source.file, range: r });
    }
    return out;
  }
  if (startsWith(at.path, ['spec', 'ports']) && at.path[3] === 'targetPort' && typeof at.path[2] === 'number') {
    const sp = svc.ports[at.path[2]];
    if (!sp || typeof sp.targetPort !== 'string') return [];
    // A port of that name with another protocol (KSD202) is where a person wants to go when none matches both.
    const out: Location[] = [];
    const nameOnly: Location[] = [];
    for (const o of labelOwners(state, svc.namespace)) {
      if (!selects(svc, o) || !o.object.source) continue;
      const specPath: PathSegment[] = o.object.kind === 'Pod' ? ['spec'] : [...(workloadOf(state, o.object)?.templatePath ?? []), 'spec'];
      for (const [list, sidecarOnly] of [['containers', false], ['initContainers', true]] as const) {
        const containers = dig(o.object.object, [...specPath, list]);
        if (!Array.isArray(containers)) continue;
        containers.forEach((c, ci) => {
          if (sidecarOnly && rec(c)['restartPolicy'] !== 'Always') return;
          const ports = rec(c)['ports'];
          if (!Array.isArray(ports)) return;
          ports.forEach((p, pi) => {
            const pr = rec(p);
            const proto = typeof pr['protocol'] === 'string' ? pr['protocol'] : 'TCP';
            if (pr['name'] !== sp.targetPort) return;
            const exact = proto === sp.protocol;
            const r = rangeIn(o.object, [...specPath, list, ci, 'ports', pi, exact ? 'containerPort' : 'name']);
            if (r) (exact ? out : nameOnly).push({ uri: o.object.source!.file, range: r });
          });
        });
      }
    }
    return out.length ? out : nameOnly;
  }
  return [];
}

export function references(state: ClusterState, at: Located, includeDeclaration: boolean): Location[] {
  const owner = labelOwners(state).find((o) => o.object === at.object && startsWith(at.path, o.labelsPath));
  if (!owner) return [];
  const key = typeof at.path[owner.labelsPath.length] === 'string' ? (at.path[owner.labelsPath.length] as string) : undefined;
  const out: Location[] = [];
  if (includeDeclaration && owner.object.source) {
    const r = rangeIn(owner.object, key ? [...owner.labelsPath, key] : owner.labelsPath, 'key');
    if (r) out.push({ uri: owner.object.source.file, range: r });
  }
  for (const svc of state.services) {
    if (!svc.loaded?.source || !selects(svc, owner)) continue;
    if (key && !(key in (svc.selector ?? {}))) continue;
    const r = rangeIn(svc.loaded, key ? ['spec', 'selector', key] : ['spec', 'selector'], 'key');
    if (r && matchesServiceSelector(svc.selector, owner.labels)) out.push({ uri: svc.loaded.source.file, range: r });
  }
  return out;
}

function rec(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
function dig(v: unknown, path: readonly PathSegment[]): unknown {
  let cur = v;
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = rec(cur)[p];
  }
  return cur;
}
