import type { WorkloadKind } from './types';

/** Where each workload kind keeps its pod template (read by the loader's fragment test and the model). */
export const TEMPLATE_PATHS: Readonly<Record<WorkloadKind, readonly string[]>> = {
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return Object.prototype.hasOwnProperty.call(TEMPLATE_PATHS, kind);
}
