import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { PasswordHasher } from './ports';

// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). The
// enum is a `const enum` in the typings, which isolated modules cannot
// inline, hence the literal.
const ARGON2ID = 2 as Algorithm;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const argon2Hasher: PasswordHasher = {
  hash: (password) => hash(password, OPTIONS),
  verify: async (passwordHash, password) => {
    try {
      return await verify(passwordHash, password);
    } catch {
      // A malformed stored hash is a failed verification, never a crash.
      return false;
    }
  },
};
