import type { Check } from './types';
import { clusterIPConflictCheck, clusterIPRangeCheck, invalidAddressCheck, ipFamilyCheck } from './addresses';
import { allUnreadyCheck, selectorlessCheck, singleEndpointCheck } from './endpointChecks';
import { selectorLabelCheck, serviceNameCheck } from './names';
import { networkPolicyCheck } from './networkPolicy';
import { nodePortConflictCheck, nodePortOnClusterIPCheck, nodePortRangeCheck } from './nodePorts';
import { containerPortNameCheck, probePortCheck } from './podSpecs';
import { podCountCheck } from './workloadCounts';
import { duplicatePortCheck, duplicatePortNameCheck, portNameCheck, portRangeCheck, portTypeCheck, quotedTargetPortCheck, unnamedPortCheck } from './portSyntax';
import { backendPortCheck, missingBackendServiceCheck, referenceGrantCheck } from './routes';
import { selectorManyWorkloadsCheck, selectorNoMatchCheck, workloadSelectorCheck } from './selectorChecks';
import { enumValueCheck, externalNameCheck, fieldForTypeCheck, headlessAffinityCheck, missingPortsCheck, sessionAffinityCheck } from './serviceFields';
import { namedTargetPortCheck, namedTargetPortProtocolCheck, numericTargetPortCheck } from './targetPorts';

/** Every check, in code order. */
export const ALL_CHECKS: readonly Check[] = [
  selectorNoMatchCheck,
  selectorManyWorkloadsCheck,
  workloadSelectorCheck,
  selectorLabelCheck,
  namedTargetPortCheck,
  namedTargetPortProtocolCheck,
  numericTargetPortCheck,
  quotedTargetPortCheck,
  portTypeCheck,
  portNameCheck,
  duplicatePortNameCheck,
  unnamedPortCheck,
  duplicatePortCheck,
  portRangeCheck,
  nodePortRangeCheck,
  nodePortConflictCheck,
  nodePortOnClusterIPCheck,
  clusterIPRangeCheck,
  clusterIPConflictCheck,
  invalidAddressCheck,
  ipFamilyCheck,
  fieldForTypeCheck,
  externalNameCheck,
  sessionAffinityCheck,
  headlessAffinityCheck,
  missingPortsCheck,
  enumValueCheck,
  serviceNameCheck,
  probePortCheck,
  containerPortNameCheck,
  podCountCheck,
  missingBackendServiceCheck,
  backendPortCheck,
  referenceGrantCheck,
  allUnreadyCheck,
  singleEndpointCheck,
  selectorlessCheck,
  networkPolicyCheck,
];
