// The password policy, applied by Better Auth wherever a password is set
// (sign-up, change, reset): at least MIN_PASSWORD_LENGTH characters and not
// one of the 49,000 most common passwords. The list is the "passwords-common"
// dictionary of @zxcvbn-ts/language-common (maintained, MIT, no network:
// ranked from leaked-password corpora, as zxcvbn uses it).
import { dictionary } from "@zxcvbn-ts/language-common";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "./password-rules";

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH };

let common: Set<string> | undefined;

/** Whether the password (case-insensitively) is on the common-password list. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary["passwords-common"]);
  return common.has(password.toLowerCase());
}

/** What is wrong with a new password, as a sentence a person can act on; null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Choose a password of at most ${MAX_PASSWORD_LENGTH} characters.`;
  if (isCommonPassword(password)) return "That password is one of the most common ones and easy to guess. Choose another.";
  return null;
}
