import { defineConfig } from "vite";

// Preact through esbuild's automatic JSX runtime: no framework plugin needed.
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: { target: "safari15", outDir: "dist", emptyOutDir: true },
  clearScreen: false,
  test: { environment: "node", include: ["src/**/*.test.ts"] },
} as any);
