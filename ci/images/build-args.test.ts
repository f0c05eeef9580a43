import { describe, expect, it } from "vitest";
import { withoutCredentials } from "./build-args.js";

describe("withoutCredentials", () => {
  it("drops a user or token from a repository URL before it becomes an image label", () => {
    expect(withoutCredentials("https://x-access-token:ghs_abc123@github.com/acme/todo.git")).toBe("https://github.com/acme/todo.git");
    expect(withoutCredentials("https://ci@git.example.com/acme/todo")).toBe("https://git.example.com/acme/todo");
  });

  it("keeps URLs without credentials, and scp-style remotes, as they are", () => {
    expect(withoutCredentials("https://github.com/acme/todo.git")).toBe("https://github.com/acme/todo.git");
    expect(withoutCredentials("git@github.com:acme/todo.git")).toBe("git@github.com:acme/todo.git");
    expect(withoutCredentials("")).toBe("");
  });
});
