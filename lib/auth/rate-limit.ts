/** A fixed-window limiter per key (login attempts per address and account), in memory. */

export interface RateLimiter {
  /** Records an attempt; returns the seconds to wait when over the limit, else 0. */
  hit(key: string, now?: number): number;
  /** The seconds to wait before another attempt is allowed (0 = allowed), without recording one. */
  peek(key: string, now?: number): number;
  reset(key: string): void;
}

/** Allows `limit` attempts per `windowMs` per key. */
export function createRateLimiter(limit: number, windowMs: number): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    hit(key, now = Date.now()) {
      if (windows.size > 10_000) for (const [k, w] of windows) if (now - w.start >= windowMs) windows.delete(k);
      const w = windows.get(key);
      if (!w || now - w.start >= windowMs) {
        windows.set(key, { start: now, count: 1 });
        return 0;
      }
      w.count++;
      return w.count > limit ? Math.ceil((w.start + windowMs - now) / 1000) : 0;
    },
    peek(key, now = Date.now()) {
      const w = windows.get(key);
      if (!w || now - w.start >= windowMs || w.count < limit) return 0;
      return Math.ceil((w.start + windowMs - now) / 1000);
    },
    reset(key) {
      windows.delete(key);
    },
  };
}
