export * from './types';
export * from './parse';
export * from './ipset';
export * from './diff';
