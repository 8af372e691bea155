import type { PodModel, ServicePortModel } from '../model/types';

/**
 * podutil.FindPort: a numeric targetPort is used as is; a name must match a container port by name AND
 * protocol (containers first, then native sidecars).
 */
export function findPort(pod: PodModel, sp: ServicePortModel): number | undefined {
  if (typeof sp.targetPort === 'number') return sp.targetPort;
  const name = sp.targetPort;
  const main = pod.ports.find((p) => !p.sidecar && p.name === name && p.protocol === sp.protocol);
  if (main) return main.containerPort;
  return pod.ports.find((p) => p.sidecar && p.name === name && p.protocol === sp.protocol)?.containerPort;
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
