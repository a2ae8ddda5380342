import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { VitePWA } from "vite-plugin-pwa";

export default defineConfig({
  plugins: [
    react(),
    VitePWA({
      // "prompt": a new version waits for the staff's consent (never mid-tube); the PWA issue adds the prompt UI.
      registerType: "prompt",
      injectRegister: false,
      includeAssets: ["icon.svg"],
      manifest: {
        id: "/",
        name: "采样登记 · SamplePoint",
        short_name: "采样登记",
        description: "核酸采样点登记 · Registration for mass-testing sampling points",
        lang: "zh-CN",
        start_url: "/",
        scope: "/",
        display: "standalone",
        theme_color: "#0b57d0",
        background_color: "#f4f6f8",
        icons: [{ src: "icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" }],
      },
      // Our own service worker (src/client/sw.ts: precache, navigation fallback, Background Sync upload), built by
      // Vite with the precache list injected.
      strategies: "injectManifest",
      srcDir: "src/client",
      filename: "sw.ts",
      injectManifest: {
        globPatterns: ["**/*.{js,css,html,svg,png,ico,webmanifest,wasm}"],
        // A classic script: every browser that registers service workers can run it.
        rollupFormat: "iife",
      },
    }),
  ],
  // ES-module workers can split: the decoder worker loads only the engine it picks.
  worker: { format: "es" },
  server: { proxy: { "/api": "http://localhost:8080" } },
  build: { outDir: "dist", sourcemap: true },
});
