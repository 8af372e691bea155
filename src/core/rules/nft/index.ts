export * from './types';
export * from './parse';
export { tokenize } from './tokens';
export { parseDuration, parsePriority } from './blocks';
export * from './print';
