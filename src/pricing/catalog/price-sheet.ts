/**
 * The operator's price-sheet import: JSON or CSV, prices as decimal USD per million tokens.
 *
 * JSON — either a bare array of entries or an object:
 *
 *   { "effective_from": "2026-09-01",            // optional default for every entry
 *     "currency": "USD",                         // optional; only USD
 *     "note": "…",                               // optional free text (also `source`, `description`, `name`, `$schema`)
 *     "models": [
 *       { "model": "claude-sonnet-4-5-20250929", "input": "3", "output": 15,
 *         "cache_write_5m": "3.75", "cache_write_1h": "6", "cache_read": "0.30",   // each optional
 *         "effective_from": "2026-09-01",                                          // optional, ISO date or date-time
 *         "aliases": ["claude-sonnet-4-5"] } ] }                                   // optional
 *
 * CSV — a header row naming the columns (any order): `model,input,output` are required;
 * `cache_write_5m,cache_write_1h,cache_read,effective_from,aliases` are optional (aliases
 * separated by `;` or `|` in one cell). Empty cells are "missing". Blank lines and lines starting
 * with `#` are ignored; RFC 4180 quoting is understood.
 *
 * Prices are strings or JSON numbers, non-negative, at most 6 decimals (µUSD/MTok resolution);
 * an explicit 0 is accepted as an operator's decision. Unknown fields are errors (a typo such as
 * `cache_write` must not silently fall back to a derived price).
 *
 * Missing cache prices, Anthropic models (ids starting `claude`, or as the caller says): derived
 * from the input price with Anthropic's standard multipliers —
 * 5m write 1.25×, 1h write 2×, read 0.1× — in exact integer µUSD/MTok arithmetic.
 * Other providers do not follow Anthropic's rule (gpt-4o's cached input is half its input, not a
 * tenth): their `cache_read` is REQUIRED; a missing cache-write price is their input price (OpenAI,
 * Google, DeepSeek and the OpenAI-compatible hosts charge no cache-write premium). When the exact
 * product is not a whole µUSD/MTok (input not a multiple of 4 µUSD for 1.25×, of 10 µUSD for
 * 0.1×) it is rounded half up to the nearest µUSD/MTok, i.e. by less than $0.000001 per million
 * tokens. Each entry lists the kinds it derived in `derived`.
 *
 * Every problem in the file is reported at once in one `PriceSheetError`, each prefixed with
 * where it is (`line 4` for CSV, `models[2]` for JSON) and the field.
 */
import { z } from 'zod';
import { usdPerMTokToMicro } from '../../core/money.ts';
import type { PriceVector, TokenKind } from '../types.ts';

export interface ParsedPriceSheetEntry {
  model: string;
  prices: PriceVector;
  effectiveFrom?: string;
  aliases?: string[];
  /** Cache kinds that were derived from the input price (absent from the sheet). */
  derived?: TokenKind[];
}

export class PriceSheetError extends Error {
  constructor(
    readonly filename: string,
    readonly problems: string[],
  ) {
    super(`price sheet ${filename}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PriceSheetError';
  }
}

/** Standard cache prices from an input price (µUSD/MTok), exact, rounding half up to whole µUSD. */
export function deriveCachePrices(input: bigint): Pick<PriceVector, 'cache_write_5m' | 'cache_write_1h' | 'cache_read'> {
  return {
    cache_write_5m: (input * 5n + 2n) / 4n, // 1.25×
    cache_write_1h: input * 2n, // 2×
    cache_read: (input + 5n) / 10n, // 0.1×
  };
}

const Price = z.unknown().transform((v, ctx) => {
  if (v === undefined) {
    ctx.addIssue({ code: 'custom', message: 'required' });
    return z.NEVER;
  }
  if ((typeof v === 'string' && v.trim() !== '') || typeof v === 'number') {
    try {
      return usdPerMTokToMicro(v);
    } catch {
      /* reported below */
    }
  }
  ctx.addIssue({ code: 'custom', message: `expected a non-negative decimal USD per million tokens with at most 6 decimals, got ${JSON.stringify(v)}` });
  return z.NEVER;
});
const ModelName = z.string().trim().min(1, 'must not be empty').max(200).regex(/^\S+$/, 'must not contain whitespace');
const EffectiveFrom = z.union([z.iso.date(), z.iso.datetime({ offset: true })], { error: 'expected an ISO date (YYYY-MM-DD) or date-time' });

export const PriceSheetEntrySchema = z.strictObject({
  model: ModelName,
  input: Price,
  output: Price,
  cache_write_5m: Price.optional(),
  cache_write_1h: Price.optional(),
  cache_read: Price.optional(),
  effective_from: EffectiveFrom.optional(),
  aliases: z.array(ModelName).optional(),
});

const SheetHeader = z.strictObject({
  models: z.array(z.unknown()),
  effective_from: EffectiveFrom.optional(),
  currency: z.literal('USD', { error: 'only USD price sheets are supported' }).optional(),
  note: z.string().optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  name: z.string().optional(),
  $schema: z.string().optional(),
});

const CSV_COLUMNS = ['model', 'input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'effective_from', 'aliases'] as const;

interface RawRecord {
  where: string;
  record: Record<string, unknown>;
  /** A structural problem found while reading; the record is not validated further. */
  error?: string;
}

function formatIssue(where: string, record: Record<string, unknown> | undefined, issue: z.core.$ZodIssue): string {
  const model = record && typeof record.model === 'string' && record.model.trim() ? ` (${record.model.trim()})` : '';
  if (issue.code === 'unrecognized_keys')
    return `${where}${model}: unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  const field = issue.path.length ? issue.path.map(String).join('.') : '';
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  return `${where}${model}: ${field ? `field ${field}: ` : ''}${missing ? 'required' : issue.message}`;
}

/** Drops null and empty-string values so they count as "missing". */
function dropEmpty(r: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (v !== null && !(typeof v === 'string' && v.trim() === '')) out[k] = v;
  return out;
}

function readJson(text: string, problems: string[]): RawRecord[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    problems.push(`not valid JSON: ${(e as Error).message}`);
    return [];
  }
  let items: unknown[];
  let prefix: string;
  let defaultFrom: string | undefined;
  if (Array.isArray(doc)) {
    items = doc;
    prefix = '';
  } else if (doc && typeof doc === 'object') {
    const h = SheetHeader.safeParse(doc);
    if (!h.success) {
      for (const i of h.error.issues) problems.push(formatIssue('top level', undefined, i));
      const models = (doc as { models?: unknown }).models;
      if (!Array.isArray(models)) return [];
      items = models;
    } else {
      items = h.data.models;
      defaultFrom = h.data.effective_from;
    }
    prefix = 'models';
  } else {
    problems.push('top level: expected an array of entries or an object with "models"');
    return [];
  }
  const out: RawRecord[] = [];
  items.forEach((item, i) => {
    const where = `${prefix}[${i}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      out.push({ where, record: {}, error: 'expected an object' });
      return;
    }
    const record = dropEmpty(item as Record<string, unknown>);
    if (defaultFrom !== undefined && record.effective_from === undefined) record.effective_from = defaultFrom;
    out.push({ where, record });
  });
  return out;
}

/** RFC 4180 records with the 1-based line each starts on. */
function csvRecords(text: string): Array<{ line: number; cells: string[]; quoted: boolean[] }> {
  const out: Array<{ line: number; cells: string[]; quoted: boolean[] }> = [];
  let cells: string[] = [];
  let quoted: boolean[] = [];
  let cell = '';
  let isQuoted = false;
  let inQuotes = false;
  let line = 1;
  let start = 1;
  const endCell = () => {
    cells.push(isQuoted ? cell : cell.trim());
    quoted.push(isQuoted);
    cell = '';
    isQuoted = false;
  };
  const endRecord = () => {
    endCell();
    out.push({ line: start, cells, quoted });
    cells = [];
    quoted = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && !isQuoted && cell.trim() === '') {
      inQuotes = true;
      isQuoted = true;
      cell = '';
    } else if (c === ',') endCell();
    else if (isQuoted && (c === ' ' || c === '\t'))
      continue; // blanks after a closing quote
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else cell += c;
  }
  if (cell !== '' || cells.length || isQuoted) endRecord();
  return out.filter((r) => !(r.cells.length === 1 && r.cells[0] === '' && !r.quoted[0]) && !(!r.quoted[0] && r.cells[0]!.startsWith('#')));
}

function readCsv(text: string, problems: string[]): RawRecord[] {
  const rows = csvRecords(text);
  const header = rows.shift();
  if (!header) {
    problems.push('empty CSV: expected a header row model,input,output,cache_write_5m,cache_write_1h,cache_read');
    return [];
  }
  const cols = header.cells.map((c) => c.toLowerCase());
  const known = new Set<string>(CSV_COLUMNS);
  const unknown = cols.filter((c) => !known.has(c));
  const dup = cols.filter((c, i) => cols.indexOf(c) !== i);
  if (unknown.length)
    problems.push(
      `line ${header.line}: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((c) => JSON.stringify(c)).join(', ')} (allowed: ${CSV_COLUMNS.join(', ')})`,
    );
  if (dup.length) problems.push(`line ${header.line}: duplicate column${dup.length > 1 ? 's' : ''} ${[...new Set(dup)].join(', ')}`);
  const missing = ['model', 'input', 'output'].filter((c) => !cols.includes(c));
  if (missing.length) problems.push(`line ${header.line}: header lacks required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (unknown.length || dup.length || missing.length) return [];
  const out: RawRecord[] = [];
  for (const r of rows) {
    const where = `line ${r.line}`;
    if (r.cells.length > cols.length) {
      out.push({ where, record: {}, error: `${r.cells.length} cells but the header has ${cols.length} columns` });
      continue;
    }
    const rec: Record<string, unknown> = {};
    cols.forEach((c, i) => {
      rec[c] = r.cells[i] ?? '';
    });
    const record = dropEmpty(rec);
    if (typeof record.aliases === 'string')
      record.aliases = record.aliases
        .split(/[;|]/)
        .map((a) => a.trim())
        .filter(Boolean);
    out.push({ where, record });
  }
  return out;
}

function isCsv(text: string, filename: string): boolean {
  const f = filename.toLowerCase();
  if (f.endsWith('.csv')) return true;
  if (f.endsWith('.json')) return false;
  return !/^\s*[[{]/.test(text);
}

/** Parses a price-sheet file. Throws one PriceSheetError listing every problem. */
export function parsePriceSheet(text: string, filename: string, opts: { isAnthropic?: (model: string) => boolean } = {}): { entries: ParsedPriceSheetEntry[] } {
  const isAnthropic = opts.isAnthropic ?? ((m: string) => /^claude/i.test(m));
  const problems: string[] = [];
  const body = text.replace(/^\uFEFF/, '');
  const raw = isCsv(body, filename) ? readCsv(body, problems) : readJson(body, problems);

  const entries: ParsedPriceSheetEntry[] = [];
  const wheres: string[] = [];
  for (const { where, record, error } of raw) {
    if (error) {
      problems.push(`${where}: ${error}`);
      continue;
    }
    const r = PriceSheetEntrySchema.safeParse(record);
    if (!r.success) {
      for (const i of r.error.issues) problems.push(formatIssue(where, record, i));
      continue;
    }
    const d = r.data;
    const anthropic = isAnthropic(d.model);
    if (!anthropic && d.cache_read === undefined) {
      problems.push(
        `${where} (${d.model}): field cache_read: required for non-Anthropic models (Anthropic's 0.1× rule is not theirs): give the provider's cached-input price, or the input price if it has no cache discount`,
      );
      continue;
    }
    const derivedPrices = anthropic ? deriveCachePrices(d.input) : { cache_write_5m: d.input, cache_write_1h: d.input, cache_read: d.input };
    const derived: TokenKind[] = [];
    const pick = (k: 'cache_write_5m' | 'cache_write_1h' | 'cache_read'): bigint => {
      if (d[k] !== undefined) return d[k];
      derived.push(k);
      return derivedPrices[k];
    };
    const e: ParsedPriceSheetEntry = {
      model: d.model,
      prices: {
        input: d.input,
        output: d.output,
        cache_write_5m: pick('cache_write_5m'),
        cache_write_1h: pick('cache_write_1h'),
        cache_read: pick('cache_read'),
      },
    };
    if (d.effective_from !== undefined) e.effectiveFrom = d.effective_from;
    if (d.aliases?.length) e.aliases = d.aliases;
    if (derived.length) e.derived = derived;
    entries.push(e);
    wheres.push(where);
  }

  // Cross-entry checks: one row per (model, effective_from); an alias names one model only.
  const seen = new Map<string, string>();
  const nameOwner = new Map<string, { model: string; where: string }>();
  entries.forEach((e, i) => {
    if (!nameOwner.has(e.model.toLowerCase())) nameOwner.set(e.model.toLowerCase(), { model: e.model, where: wheres[i]! });
  });
  entries.forEach((e, i) => {
    const where = `${wheres[i]} (${e.model})`;
    const key = `${e.model.toLowerCase()}\0${e.effectiveFrom ?? ''}`;
    const prev = seen.get(key);
    if (prev) problems.push(`${where}: duplicate of ${prev} (same model and effective_from)`);
    else seen.set(key, wheres[i]!);
    for (const a of e.aliases ?? []) {
      const owner = nameOwner.get(a.toLowerCase());
      if (a.toLowerCase() === e.model.toLowerCase()) problems.push(`${where}: field aliases: ${a} is the model itself`);
      else if (owner && owner.model.toLowerCase() !== e.model.toLowerCase())
        problems.push(`${where}: field aliases: ${a} already names ${owner.model} (${owner.where})`);
      else if (!owner) nameOwner.set(a.toLowerCase(), { model: e.model, where: wheres[i]! });
    }
  });

  if (!problems.length && !entries.length) problems.push('no entries');
  if (problems.length) throw new PriceSheetError(filename, problems);
  return { entries };
}
