/**
 * Money is exact integers. Units:
 *  - prices: micro-USD per million tokens (µUSD/MTok), e.g. $3/MTok = 3_000_000n
 *  - amounts: pico-USD (1e-12 USD), so tokens × price is an exact integer amount
 *    ($1 = 1_000_000_000_000n). A bigint column holds up to ≈ $9.2 million per value.
 * Rounding happens once, to cents, on statements and displays (half away from zero).
 */
export const PICO_PER_USD = 1_000_000_000_000n;
export const PICO_PER_CENT = 10_000_000_000n;
export const MICRO_PER_USD = 1_000_000n;
/** The largest amount stored in one value: $10^24 (money columns are NUMERIC(38,0) wide). */
export const MAX_AMOUNT_PICO = 10n ** 36n;

/** Parses a decimal USD string ("12.5", "0.000003") into pico-USD, exactly. Rejects more than 12 decimals. */
export function usdToPico(usd: string | number): bigint {
  const s = typeof usd === 'number' ? numberToPlain(usd) : usd.trim();
  const m = /^(-)?(\d+)(?:\.(\d{0,12}))?$/.exec(s);
  if (!m) throw new Error(`not a USD amount: ${JSON.stringify(usd)}`);
  const [, neg, whole, frac = ''] = m;
  const v = BigInt(whole!) * PICO_PER_USD + BigInt(frac.padEnd(12, '0') || '0');
  if (v > MAX_AMOUNT_PICO) throw new Error(`amount too large: at most $${MAX_AMOUNT_PICO / PICO_PER_USD}`);
  return neg ? -v : v;
}

/** Parses a price per million tokens in USD ("3", "0.30", "1.25") into µUSD/MTok. */
export function usdPerMTokToMicro(usd: string | number): bigint {
  const s = typeof usd === 'number' ? numberToPlain(usd) : usd.trim();
  const m = /^(\d+)(?:\.(\d{0,6}))?$/.exec(s);
  if (!m) throw new Error(`not a price per million tokens with at most 6 decimals: ${JSON.stringify(usd)}`);
  return BigInt(m[1]!) * MICRO_PER_USD + BigInt((m[2] ?? '').padEnd(6, '0') || '0');
}

function numberToPlain(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite amount: ${n}`);
  // toFixed avoids exponent notation; 12 decimals is our resolution.
  return n.toFixed(12).replace(/\.?0+$/, '');
}

/** Exact decimal string of a pico-USD amount, trimmed ("0.0045", "12", "-0.5"). */
export function picoToUsd(pico: bigint): string {
  const neg = pico < 0n;
  const a = neg ? -pico : pico;
  const whole = a / PICO_PER_USD;
  const frac = (a % PICO_PER_USD).toString().padStart(12, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac ? '.' + frac : ''}`;
}

/** Rounds pico-USD to whole cents, half away from zero. */
export function picoToCents(pico: bigint): bigint {
  const neg = pico < 0n;
  const a = neg ? -pico : pico;
  const c = (a + PICO_PER_CENT / 2n) / PICO_PER_CENT;
  return neg ? -c : c;
}

/** "$12.34" style string, rounded to cents. */
export function formatCents(pico: bigint): string {
  const c = picoToCents(pico);
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? '-' : ''}$${a / 100n}.${(a % 100n).toString().padStart(2, '0')}`;
}

/** µUSD/MTok as a decimal USD string per million tokens. */
export function microToUsd(micro: bigint): string {
  const whole = micro / MICRO_PER_USD;
  const frac = (micro % MICRO_PER_USD).toString().padStart(6, '0').replace(/0+$/, '');
  return `${whole}${frac ? '.' + frac : ''}`;
}

/** "$0.017834" style: exact to the micro-dollar (rounded half up), for messages about small amounts. */
export function formatUsd(pico: bigint): string {
  const micro = (pico >= 0n ? pico + 500_000n : pico - 500_000n) / 1_000_000n;
  const neg = micro < 0n;
  const a = neg ? -micro : micro;
  const frac = (a % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${neg ? '-' : ''}$${a / 1_000_000n}.${frac}`;
}
