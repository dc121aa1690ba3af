/**
 * Vite build of the dashboard: vanilla TypeScript, every asset bundled (no CDN), relative asset
 * URLs so `mfrec serve --web DIR` can serve it from any path. The app imports the library
 * core as the `mfrec` package (browser-safe), so the seed view runs the same fitSync as Node.
 */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  publicDir: false,
  build: {
    outDir: resolve(here, "../dist/web"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    fs: { allow: [resolve(here, "../../..")] },
  },
});
