/** Fuzz of the Anthropic surface, part 3 of 4 (see fuzz-support.ts: seeded, bounded, no 5xx allowed). */
import { fuzzSuite } from './fuzz-support.ts';

fuzzSuite('anthropic', 3);
