export * from './types';
export * from './names';
export * from './lookup';
export * from './resolver';
export * from './records';
export * from './sliceEndpoints';
