/** Types of scripts/build.mjs (the bench imports it). */
export const STAMP: string;
export function sourceMtime(): number;
export function stale(): boolean;
export function build(opts?: { quiet?: boolean }): void;
