/// <reference types="vitest/config" />
// The window's build: Vite bundles ui/src into ui/dist, which the app embeds. Preact's JSX
// is compiled by esbuild directly (tsconfig's jsxImportSource), so no plugin is needed.
import { defineConfig } from "vite";

export default defineConfig({
  clearScreen: false,
  // The app icon is shared with src-tauri, one folder up.
  server: { port: 1420, strictPort: true, fs: { allow: [".."] } },
  build: { target: "es2022", sourcemap: false, outDir: "dist", emptyOutDir: true },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
