// WebKitGTK reports the POSIX locale ("C", when LANG is unset) as
// navigator.language, which Intl rejects; uPlot formats numbers with it when
// it loads. Fall back to Japanese. Imported first by main.tsx.
try {
  new Intl.NumberFormat(navigator.language);
} catch {
  Object.defineProperty(navigator, "language", { value: "ja-JP", configurable: true });
}
export {};
