import type { Check } from './types';

/** Every check, in code order. */
export const ALL_CHECKS: readonly Check[] = [];
