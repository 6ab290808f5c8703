/**
 * Duplicate object keys in a JSON body. JSON.parse keeps the last one, other parsers (the
 * upstream's) may keep the first: the gateway would price one request and forward another
 * (`{"speed":"standard","speed":"fast"}`). Such bodies are refused, so the bytes forwarded mean
 * exactly what was priced. One pass over the bytes; keys are compared after unescaping.
 */

/** The first duplicated key (as a dotted path hint), or undefined. The input must be valid JSON. */
export function findDuplicateKey(text: string): string | undefined {
  // Stack of open containers: a Set of keys for objects, null for arrays.
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // "
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i++;
          continue;
        }
        if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (top && expectKey) {
        const raw = text.slice(start + 1, i);
        const key = escaped ? (JSON.parse(text.slice(start, i + 1)) as string) : raw;
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
    } else if (c === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } // {
    else if (c === 0x5b) {
      stack.push(null);
      expectKey = false;
    } // [
    else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } // } ]
    else if (c === 0x2c) expectKey = stack[stack.length - 1] != null; // , inside an object: a key follows
  }
  return undefined;
}
