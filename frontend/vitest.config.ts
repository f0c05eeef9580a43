// Component and unit tests of the frontend (happy-dom + Testing Library).
import path from "node:path";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { "@": path.join(import.meta.dirname, "src") } },
  test: {
    name: "frontend",
    root: import.meta.dirname,
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
