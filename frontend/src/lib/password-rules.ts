// The password policy's numbers, safe to import from client components (the
// estimator and its dictionaries stay on the server: password-policy.ts).
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;
/** zxcvbn's score (0–4) a new password needs: 3 is "safely unguessable", about 10^8 guesses or more. */
export const MIN_PASSWORD_SCORE = 3;
