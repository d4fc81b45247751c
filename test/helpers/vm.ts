/** The VM harness is part of the library (lib/verify/boot.ts); tests use it from there. */
export * from '../../lib/verify/boot.js';
