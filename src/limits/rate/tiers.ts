/**
 * Usage tiers: which rate limits (and monthly spend ceiling) an organization gets, chosen by
 * its total spend to date. "You advance immediately upon reaching the threshold."
 *
 * Default schedule (DEFAULT_TIER_SCHEDULE) — documented decisions:
 *  - Thresholds and RPM/TPM are the guide's table (README, "Limits and errors"):
 *    Tier 1–4 at $0 / $50 / $200 / $500 total spend; Sonnet 50/40K, 1,000/80K, 2,000/160K,
 *    4,000/400K and Opus 50/20K, 1,000/40K, 2,000/80K, 4,000/200K (RPM/TPM). (Anthropic's own
 *    Jan–Jun 2026 thresholds were $5/$40/$200/$400 of credit purchases — https://docs.claude.com/en/api/rate-limits; we keep
 *    the guide's, which suit a gateway that bills in arrears.)
 *  - The guide gives one TPM per class. Rule: ITPM = guide TPM, OTPM = TPM / 5 (Anthropic's
 *    published tables use an ITPM:OTPM ratio of 3.75–5, e.g. 30K/8K, 450K/90K).
 *  - Monthly spend ceilings are Anthropic's 2026 Tier 1–4 monthly limits (https://docs.claude.com/en/api/rate-limits):
 *    $100 / $500 / $1,000 / $200,000. `null` would mean no ceiling (a "monthly invoicing" tier).
 *  - Classes: `claude-sonnet-4`, `claude-opus-4`, and `default` for every other rate class in
 *    the catalog (Haiku, Sonnet 3.x, other providers). `default` uses the Sonnet row: the guide
 *    has nothing else, and Anthropic never limits Haiku below Sonnet at a tier.
 *
 * Custom schedules load from JSON through `parseTierSchedule` (USD as decimal strings, since
 * JSON has no bigint).
 */
import { z } from 'zod';
import { picoToUsd, usdToPico } from '../../core/money.ts';

/** Per-minute limits of one rate class. */
export interface ClassLimits {
  rpm: number;
  itpm: number;
  otpm: number;
}

export interface TierDefinition {
  tier: number;
  name: string;
  /** Total spend (pico-USD) at which an org reaches this tier. */
  minSpendPico: bigint;
  /** Monthly spend ceiling (pico-USD), `null` = none. */
  monthlySpendCapPico: bigint | null;
  /** By rate class; `default` applies to every class not listed. */
  limits: Record<string, ClassLimits>;
}

export interface TierSchedule {
  tiers: TierDefinition[];
}

export const DEFAULT_RATE_CLASS = 'default';

const usd = (s: string) => usdToPico(s);
/** ITPM = guide TPM, OTPM = TPM / 5. */
const fromGuide = (rpm: number, tpm: number): ClassLimits => ({ rpm, itpm: tpm, otpm: tpm / 5 });

function guideTier(tier: number, minUsd: string, capUsd: string, sonnet: [number, number], opus: [number, number]): TierDefinition {
  const s = fromGuide(...sonnet);
  return {
    tier,
    name: `Tier ${tier}`,
    minSpendPico: usd(minUsd),
    monthlySpendCapPico: usd(capUsd),
    limits: { 'claude-sonnet-4': s, 'claude-opus-4': fromGuide(...opus), [DEFAULT_RATE_CLASS]: { ...s } },
  };
}

export const DEFAULT_TIER_SCHEDULE: TierSchedule = {
  tiers: [
    guideTier(1, '0', '100', [50, 40_000], [50, 20_000]),
    guideTier(2, '50', '500', [1_000, 80_000], [1_000, 40_000]),
    guideTier(3, '200', '1000', [2_000, 160_000], [2_000, 80_000]),
    guideTier(4, '500', '200000', [4_000, 400_000], [4_000, 200_000]),
  ],
};

/** The highest tier whose threshold `totalSpendPico` has reached (the lowest tier if none). */
export function tierForSpend(schedule: TierSchedule, totalSpendPico: bigint): number {
  let best: TierDefinition | undefined;
  let lowest: TierDefinition | undefined;
  for (const t of schedule.tiers) {
    if (!lowest || t.minSpendPico < lowest.minSpendPico) lowest = t;
    if (t.minSpendPico <= totalSpendPico && (!best || t.minSpendPico > best.minSpendPico)) best = t;
  }
  const chosen = best ?? lowest;
  if (!chosen) throw new Error('tier schedule has no tiers');
  return chosen.tier;
}

/** The tier's definition; throws on an unknown tier number. */
export function tierDefinition(schedule: TierSchedule, tier: number): TierDefinition {
  const t = schedule.tiers.find((x) => x.tier === tier);
  if (!t) throw new Error(`unknown rate-limit tier ${tier}`);
  return t;
}

/** Limits of `rateClass` at `tier`, falling back to the tier's `default` class. */
export function limitsFor(schedule: TierSchedule, tier: number, rateClass: string): ClassLimits {
  const t = tierDefinition(schedule, tier);
  const l = Object.hasOwn(t.limits, rateClass) ? t.limits[rateClass] : t.limits[DEFAULT_RATE_CLASS];
  if (!l) throw new Error(`tier ${tier} has no limits for ${rateClass} and no '${DEFAULT_RATE_CLASS}' class`);
  return l;
}

// ---- JSON config ------------------------------------------------------------------------

const usdString = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    try {
      return usdToPico(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: `not a USD amount: ${String(v)}` });
      return z.NEVER;
    }
  })
  .refine((v) => v >= 0n, 'must not be negative');

const perMinute = z.number().int().positive();
const classLimitsSchema = z.strictObject({ rpm: perMinute, itpm: perMinute, otpm: perMinute });

const tierSchema = z.strictObject({
  tier: z.number().int().positive(),
  name: z.string().min(1).optional(),
  /** e.g. "50" or 50 (USD). */
  minSpendUsd: usdString,
  /** e.g. "500"; null = no monthly ceiling. */
  monthlySpendCapUsd: usdString.nullable(),
  limits: z.record(z.string().min(1), classLimitsSchema).refine((l) => Object.hasOwn(l, DEFAULT_RATE_CLASS), {
    message: `every tier needs a '${DEFAULT_RATE_CLASS}' class`,
  }),
});

/**
 * JSON form of a schedule: `{ tiers: [{ tier, name?, minSpendUsd, monthlySpendCapUsd,
 * limits: { "<class>" | "default": { rpm, itpm, otpm } } }] }`. Tiers must have distinct
 * numbers, thresholds strictly rising with the tier number, and the lowest tier at $0.
 */
export const tierScheduleSchema = z
  .strictObject({ tiers: z.array(tierSchema).min(1) })
  .superRefine((s, ctx) => {
    const sorted = [...s.tiers].sort((a, b) => a.tier - b.tier);
    for (let i = 0; i < sorted.length; i++) {
      const t = sorted[i]!;
      if (i === 0 && t.minSpendUsd !== 0n) ctx.addIssue({ code: 'custom', message: `lowest tier (${t.tier}) must start at $0`, path: ['tiers'] });
      if (i > 0 && t.tier === sorted[i - 1]!.tier) ctx.addIssue({ code: 'custom', message: `tier ${t.tier} defined twice`, path: ['tiers'] });
      else if (i > 0 && t.minSpendUsd <= sorted[i - 1]!.minSpendUsd) {
        ctx.addIssue({ code: 'custom', message: `tier ${t.tier} threshold must exceed tier ${sorted[i - 1]!.tier}'s`, path: ['tiers'] });
      }
    }
  })
  .transform(
    (s): TierSchedule => ({
      tiers: [...s.tiers]
        .sort((a, b) => a.tier - b.tier)
        .map((t) => ({
          tier: t.tier,
          name: t.name ?? `Tier ${t.tier}`,
          minSpendPico: t.minSpendUsd,
          monthlySpendCapPico: t.monthlySpendCapUsd,
          limits: t.limits,
        })),
    }),
  );

/** Parses and validates a JSON (already `JSON.parse`d) schedule; throws a ZodError. */
export function parseTierSchedule(json: unknown): TierSchedule {
  return tierScheduleSchema.parse(json);
}

/** The JSON form of a schedule (round-trips through parseTierSchedule). */
export function tierScheduleToJson(schedule: TierSchedule): unknown {
  return {
    tiers: schedule.tiers.map((t) => ({
      tier: t.tier,
      name: t.name,
      minSpendUsd: picoToUsd(t.minSpendPico),
      monthlySpendCapUsd: t.monthlySpendCapPico === null ? null : picoToUsd(t.monthlySpendCapPico),
      limits: t.limits,
    })),
  };
}
