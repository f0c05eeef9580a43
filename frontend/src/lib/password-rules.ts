// The password policy's numbers, safe to import from client components (the
// common-password list itself stays on the server: password-policy.ts).
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 128;
