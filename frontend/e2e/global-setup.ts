import type { TestProject } from "vitest/node";
import { startStack } from "./stack";

declare module "vitest" {
  export interface ProvidedContext {
    frontendUrl: string;
    backendUrl: string;
  }
}

export default async function setup(project: TestProject) {
  // E2E_SKIP_BUILD=1 reuses the last build; E2E_BACKEND_ENTRY points at a prebuilt backend server.
  const stack = await startStack({
    build: process.env.E2E_SKIP_BUILD !== "1",
    backendEntry: process.env.E2E_BACKEND_ENTRY || undefined,
  });
  project.provide("frontendUrl", stack.frontendUrl);
  project.provide("backendUrl", stack.backendUrl);
  return () => stack.stop();
}
