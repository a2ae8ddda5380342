/** This build's version: package.json's version and the build's label (commit, or APP_BUILD), set by vite.config.ts. */
declare const __APP_VERSION__: string;

export const APP_VERSION: string = __APP_VERSION__;
