/**
 * Exact rational numbers on bigint. Prices are decimal strings ("0.0000166667") and
 * quantities carry awkward denominators (GB-seconds = ms x MB / 1,024,000), so no
 * fixed-point scale is exact for every product; a reduced fraction is.
 */

/** A number the cost engine accepts as a quantity: integers, decimal strings, finite numbers. */
export type Quantity = bigint | number | string | Rational;

const abs = (a: bigint): bigint => (a < 0n ? -a : a);

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

const DECIMAL = /^([+-])?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export class Rational {
  private constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {}

  static readonly ZERO = new Rational(0n, 1n);
  static readonly ONE = new Rational(1n, 1n);

  /** num/den, reduced, with a positive denominator. */
  static from(num: bigint, den: bigint = 1n): Rational {
    if (den === 0n) throw new RangeError("division by zero");
    if (den < 0n) [num, den] = [-num, -den];
    const g = gcd(num, den) || 1n;
    return new Rational(num / g, den / g);
  }

  /** Parses a decimal such as "0.0000166667", "-3", "1.5e9" exactly. */
  static parse(text: string): Rational {
    const m = DECIMAL.exec(text.trim());
    if (!m) throw new RangeError(`"${text}" is not a decimal number`);
    const [, sign, int, frac = "", exp = "0"] = m;
    let num = BigInt(int + frac);
    let den = 10n ** BigInt(frac.length);
    const e = Number(exp);
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
    return Rational.from(sign === "-" ? -num : num, den);
  }

  /** Any accepted quantity as an exact rational (numbers go through their shortest decimal form). */
  static of(q: Quantity): Rational {
    if (q instanceof Rational) return q;
    if (typeof q === "bigint") return Rational.from(q);
    if (typeof q === "number") {
      if (!Number.isFinite(q)) throw new RangeError(`${q} is not a finite number`);
      return Rational.parse(String(q));
    }
    return Rational.parse(q);
  }

  add(o: Quantity): Rational {
    const b = Rational.of(o);
    return Rational.from(this.num * b.den + b.num * this.den, this.den * b.den);
  }

  sub(o: Quantity): Rational {
    const b = Rational.of(o);
    return Rational.from(this.num * b.den - b.num * this.den, this.den * b.den);
  }

  mul(o: Quantity): Rational {
    const b = Rational.of(o);
    return Rational.from(this.num * b.num, this.den * b.den);
  }

  div(o: Quantity): Rational {
    const b = Rational.of(o);
    if (b.num === 0n) throw new RangeError("division by zero");
    return Rational.from(this.num * b.den, this.den * b.num);
  }

  neg(): Rational {
    return new Rational(-this.num, this.den);
  }

  cmp(o: Quantity): -1 | 0 | 1 {
    const b = Rational.of(o);
    const d = this.num * b.den - b.num * this.den;
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }

  lt(o: Quantity): boolean {
    return this.cmp(o) < 0;
  }

  gt(o: Quantity): boolean {
    return this.cmp(o) > 0;
  }

  eq(o: Quantity): boolean {
    return this.cmp(o) === 0;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  isNegative(): boolean {
    return this.num < 0n;
  }

  isInteger(): boolean {
    return this.den === 1n;
  }

  min(o: Quantity): Rational {
    const b = Rational.of(o);
    return this.cmp(b) <= 0 ? this : b;
  }

  max(o: Quantity): Rational {
    const b = Rational.of(o);
    return this.cmp(b) >= 0 ? this : b;
  }

  /** Largest integer <= this. */
  floor(): bigint {
    const q = this.num / this.den;
    return this.num < 0n && q * this.den !== this.num ? q - 1n : q;
  }

  /** Smallest integer >= this. */
  ceil(): bigint {
    return -this.neg().floor();
  }

  /** Nearest integer, halves away from zero (how amounts are rounded for display and µ$). */
  roundHalfUp(): bigint {
    const n = abs(this.num);
    const r = (2n * n + this.den) / (2n * this.den);
    return this.num < 0n ? -r : r;
  }

  /** Approximate float, for statistics and display only. */
  toNumber(): number {
    return Number(this.num) / Number(this.den);
  }

  /** Decimal text rounded half-up to `places` digits, trailing zeros trimmed. */
  toDecimal(places = 12): string {
    const scaled = this.mul(10n ** BigInt(places)).roundHalfUp();
    const neg = scaled < 0n;
    const digits = abs(scaled).toString().padStart(places + 1, "0");
    const int = digits.slice(0, digits.length - places);
    const frac = digits.slice(digits.length - places).replace(/0+$/, "");
    return `${neg ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
  }

  /** Exact decimal text when the fraction terminates, else 12 decimal places. */
  toString(): string {
    let d = this.den;
    while (d % 2n === 0n) d /= 2n;
    while (d % 5n === 0n) d /= 5n;
    if (d !== 1n) return this.toDecimal(12);
    let places = 0;
    while (!Rational.from(this.num * 10n ** BigInt(places), this.den).isInteger()) places++;
    return this.toDecimal(places);
  }
}
