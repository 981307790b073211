/**
 * Compile-time proof that a schema's written type is the type zod infers for it.
 *
 * An exported schema carries an explicit type (JSR's "no slow types"), and zod's types are
 * covariant: `z.object({ a, b })` is assignable to `z.ZodObject<{ a }>`, so an annotation alone
 * would let the written type drift from the schema. Each schema module therefore keeps the schema
 * itself in a private const and adds `const _x: Same<typeof raw, typeof XSchema> = true`, which
 * only compiles when both types are identical. (zod gives `$strict` and `$strip` objects one type,
 * so that marker in an annotation is documentation; what is stripped or refused at run time is
 * decided by the schema itself.)
 *
 * @module
 */

/** `true` when `A` and `B` are the same type (not merely assignable either way), else `false`. */
export type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
