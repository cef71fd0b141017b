import { defineConfig } from "vite";

// `npm run dev` serves the app with hot reload and sends the API paths to a running akko
// (AKKO_URL, default http://127.0.0.1:8080).
const akko = process.env.AKKO_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  base: "/",
  server: {
    proxy: Object.fromEntries(["/api", "/ready", "/health", "/metrics"].map((path) => [path, akko])),
  },
  // The output directory comes from the command line (src/cockpit/CMakeLists.txt builds into
  // the CMake build tree), so several build trees never share one dist/.
  build: {
    assetsDir: "assets",
    // ECharts and CodeMirror make a chunk of about a megabyte; it is cached for a year under
    // its hashed name, so the warning would only be noise.
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
    reportCompressedSize: false,
  },
});
