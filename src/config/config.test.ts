import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

test('defaults: embedded SQLite, port 8787, $5 free credits, 80 % alerts', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8787);
  assert.equal(c.databaseUrl, './data/tollgate.db');
  assert.equal(c.freeCreditsUsd, '5');
  assert.deepEqual(c.defaultNotify, [80]);
  assert.ok(Object.isFrozen(c));
});

test('every problem is listed at once, named by its environment variable', () => {
  try {
    loadConfig({
      PORT: 'eighty',
      REDIS_URL: 'http://x',
      LOG_LEVEL: 'loud',
      TOLLGATE_MASTER_KEY: 'short',
      TOLLGATE_FREE_CREDITS_USD: '-1',
      ANTHROPIC_BASE_URL: 'not a url',
    });
    assert.fail('should throw');
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    const names = e.problems.map((p) => p.split(' ')[0]);
    for (const n of ['PORT', 'REDIS_URL', 'LOG_LEVEL', 'TOLLGATE_MASTER_KEY', 'TOLLGATE_FREE_CREDITS_USD', 'ANTHROPIC_BASE_URL'])
      assert.ok(names.includes(n), `${n} in ${e.problems.join('; ')}`);
  }
});

test('a config file is overlaid by the environment', async () => {
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const dir = mkdtempSync('/tmp/tg-cfg-');
  writeFileSync(
    `${dir}/c.json`,
    JSON.stringify({ port: 9000, upstreams: [{ name: 'local', kind: 'ollama', baseUrl: 'http://127.0.0.1:11434/v1', models: ['llama3'] }] }),
  );
  const c = loadConfig({ TOLLGATE_CONFIG: `${dir}/c.json`, PORT: '9100' });
  assert.equal(c.port, 9100);
  assert.equal(c.upstreams[0]!.kind, 'ollama');
});
