/** Fuzz of the OpenAI surface, part 1 of 4 (see fuzz-support.ts: seeded, bounded, no 5xx allowed). */
import { fuzzSuite } from './fuzz-support.ts';

fuzzSuite('openai', 5);
