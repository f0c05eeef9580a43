// @vitest-environment node
// The password policy on its own: zxcvbn-ts's estimate, not hand rules.
import { describe, expect, it } from "vitest";
import { estimate, passwordProblem } from "./password-policy";

describe("password policy", () => {
  it("refuses repeats, sequences, digits, keyboard rows and leaked passwords, naming what is wrong", () => {
    expect(passwordProblem("aaaaaaaaaa")).toBe('Repeated characters like "aaa" are easy to guess. Choose a harder one: a few unrelated words make a strong password.');
    expect(passwordProblem("abcdefghij")).toMatch(/^Common character sequences like "abc" are easy to guess\. Choose a harder one/);
    expect(passwordProblem("0000000000")).toMatch(/^Repeated characters/);
    for (const password of ["1234567890", "qwertyuiop", "Qwertyuiop", "password123", "password1234", "iloveyou12", "P@ssw0rd123", "1111122222", "zxcvbnm,./"]) {
      expect({ password, problem: passwordProblem(password) }).toEqual({ password, problem: expect.stringMatching(/Choose a harder one/) });
    }
  });

  it("refuses a password built on the person's own email or name", () => {
    // Strong for a stranger, weak for someone who knows the account's email.
    const inputs = ["zorblax.quimby@example.com", "Zorblax Quimby", "zorblax", "quimby", "example", "com"];
    expect(passwordProblem("quimbyzorblax")).toBeNull();
    expect(passwordProblem("quimbyzorblax", inputs)).toMatch(/Choose a harder one/);
  });

  it("accepts a decent passphrase and a long random password", () => {
    for (const password of ["lantern orbit pebble", "correct horse battery", "tidy-lamp-orbit-42", "Xk9#mP2$vQ7w"]) {
      expect({ password, problem: passwordProblem(password) }).toEqual({ password, problem: null });
    }
  });

  it("keeps the length limits, with their own messages", () => {
    expect(passwordProblem("Xk9#mP2$v")).toBe("Choose a password of at least 10 characters.");
    expect(passwordProblem("x".repeat(129))).toBe("Choose a password of at most 128 characters.");
  });
});
