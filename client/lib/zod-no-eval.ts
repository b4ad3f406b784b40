import { config } from 'zod';

// zod compiles fast parsers with `new Function` unless told not to; the page's
// Content-Security-Policy forbids eval, and the probe alone logs a violation.
config({ jitless: true });
