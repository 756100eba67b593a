/** Input checks shared by the cost functions: each failure names the field. */
import { Rational, type Quantity } from "./rational.ts";

/** Invalid input to a cost function; the message names the field. */
export class CostInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CostInputError";
  }
}

function parse(q: Quantity, name: string): Rational {
  try {
    return Rational.of(q);
  } catch {
    throw new CostInputError(`${name} must be a number (got ${String(q)})`);
  }
}

/** A whole number >= min, as bigint. */
export function integerInput(q: Quantity, name: string, min = 0n): bigint {
  const r = parse(q, name);
  if (!r.isInteger()) throw new CostInputError(`${name} must be a whole number (got ${r})`);
  if (r.num < min) throw new CostInputError(`${name} must be at least ${min} (got ${r})`);
  return r.num;
}

/** A number >= 0, exact. */
export function nonNegativeInput(q: Quantity, name: string): Rational {
  const r = parse(q, name);
  if (r.isNegative()) throw new CostInputError(`${name} must not be negative (got ${r})`);
  return r;
}
