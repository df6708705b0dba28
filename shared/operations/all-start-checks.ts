/** Imports every module that registers a start check, so the start handler sees them all. */
export {};
