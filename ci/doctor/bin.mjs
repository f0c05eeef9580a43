#!/usr/bin/env node
// `npx delivery-doctor …` (package.json "bin"): the doctor's CLI, TypeScript loaded through tsx.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("./cli.ts");
runCli();
