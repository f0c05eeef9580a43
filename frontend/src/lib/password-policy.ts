// The password policy, applied by Better Auth wherever a password is set
// (sign-up, change, reset): MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH
// characters, and hard to guess as zxcvbn-ts estimates it (score ≥ 3, about
// 10^8 guesses or more). zxcvbn matches the password against leaked-password,
// English-word and name dictionaries, keyboard patterns, repeats
// (`aaaaaaaaaa`), sequences (`abcdefghij`), dates and l33t substitutions,
// instead of hand-written rules; the person's own email and name count as
// dictionary words too. Server only: the dictionaries are a few megabytes.
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as en from "@zxcvbn-ts/language-en";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, MIN_PASSWORD_SCORE } from "./password-rules";

export { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, MIN_PASSWORD_SCORE };

let estimator: ZxcvbnFactory | undefined;

function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return estimator;
}

/** The estimator's verdict: score 0–4 and its warning sentence, if any. */
export function estimate(password: string, userInputs: string[] = []): { score: number; warning: string | null } {
  const result = zxcvbn().check(password, userInputs.filter(Boolean));
  return { score: result.score, warning: result.feedback.warning || null };
}

/**
 * What is wrong with a new password, as sentences a person can act on; null
 * when it is acceptable. `userInputs` (email, name) are words the password
 * must not lean on. The sign-up form shows this same text: its server action
 * passes on Better Auth's answer.
 */
export function passwordProblem(password: string, userInputs: string[] = []): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters.`;
  if (password.length > MAX_PASSWORD_LENGTH) return `Choose a password of at most ${MAX_PASSWORD_LENGTH} characters.`;
  const { score, warning } = estimate(password, userInputs);
  if (score >= MIN_PASSWORD_SCORE) return null;
  return `${warning ?? "This password is easy to guess."} Choose a harder one: a few unrelated words make a strong password.`;
}
