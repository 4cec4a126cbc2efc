// Kept for ColorBar.ts and exportPng.ts, which stay here until they move into overlay/ (then delete this file).
export * from "./overlay/overlayScale.js";
