import { config } from 'zod/mini';

// zod compiles fast parsers with `new Function` unless told not to; the page's
// Content-Security-Policy forbids eval, and the probe alone logs a violation.
// (zod/mini and classic zod share this one setting: the flow editor's classic
// schemas and the contract's mini ones both run without eval.)
config({ jitless: true });
