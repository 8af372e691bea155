import type { PodModel, ServicePortModel } from '../model/types';

/**
 * podutil.FindPort: a numeric targetPort is used as is; a name must match a container port by name AND
 * protocol (containers first, then native sidecars).
 */
export function findPort(pod: PodModel, sp: ServicePortModel): number | undefined {
  if (typeof sp.targetPort === 'number') return sp.targetPort;
  const name = sp.targetPort;
  // Two indexed passes, no callbacks: this runs per pod and port of a first analysis before V8 optimises it.
  const ports = pod.ports;
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    if (!p.sidecar && p.name === name && p.protocol === sp.protocol) return p.containerPort;
  }
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    if (p.sidecar && p.name === name && p.protocol === sp.protocol) return p.containerPort;
  }
  return undefined;
}

/** Why findPort fails, in words. */
export function portNotFoundReason(pod: PodModel, sp: ServicePortModel): string {
  const name = String(sp.targetPort);
  const sameName = pod.ports.find((p) => p.name === name);
  if (sameName) return `named port "${name}" is ${sameName.protocol} on container "${sameName.container}", but the Service port is ${sp.protocol}`;
  const names = pod.ports.map((p) => p.name).filter(Boolean);
  return names.length
    ? `no container port is named "${name}" (the pod declares ${names.map((n) => `"${n}"`).join(', ')})`
    : `no container port is named "${name}" (the pod declares no named ports)`;
}
