// Prints one value of todo.config.yaml, for shell scripts: `tsx scripts/config-get.ts versions.helm`.
import { loadProjectConfig } from "../ci/config/load.js";

const key = process.argv[2];
if (!key) {
  console.error("usage: tsx scripts/config-get.ts <dotted.key>   e.g. versions.helm");
  process.exit(2);
}
let value: unknown = loadProjectConfig();
for (const part of key.split(".")) {
  value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined;
}
if (value === undefined) {
  console.error(`todo.config.yaml has no key "${key}"`);
  process.exit(1);
}
console.log(typeof value === "object" ? JSON.stringify(value) : String(value));
