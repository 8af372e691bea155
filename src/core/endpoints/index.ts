export * from './controller';
export * from './findPort';
export * from './service';
