import { defineConfig } from "vite";

// Static files for balint-server --web-root: index.html and content-hashed
// assets under assets/ (the server caches those for a year).
export default defineConfig({
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2022",
    sourcemap: true,
    // libsodium arrives as one module with its WebAssembly inside (about
    // 400 kB of the bundle); there is nothing to split.
    chunkSizeWarningLimit: 1024,
  },
});
