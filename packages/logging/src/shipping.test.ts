import { ConfigError } from '@eticket/config';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadShippingConfig, registerShipperMetrics } from './shipping';
import { LogShipper } from './shipper';

describe('log shipping configuration', () => {
  it('is off without LOGSTASH_URL', () => {
    expect(loadShippingConfig({})).toBeUndefined();
  });

  it('reads tcp://host:port and the buffer size', () => {
    expect(loadShippingConfig({ LOGSTASH_URL: 'tcp://logstash:5000', LOGSTASH_BUFFER_BYTES: '1048576' })).toEqual({ host: 'logstash', port: 5000, maxBufferBytes: 1_048_576 });
  });

  it.each(['http://logstash:5000', 'tcp://logstash', 'logstash:5000', 'tcp://user:pass@logstash:5000'])('refuses %s, naming the variable', (url) => {
    expect(() => loadShippingConfig({ LOGSTASH_URL: url })).toThrow(ConfigError);
    expect(() => loadShippingConfig({ LOGSTASH_URL: url })).toThrow(/LOGSTASH_URL/);
  });

  it('publishes the dropped-line count and connection state as metrics', async () => {
    const shipper = new LogShipper({ host: '127.0.0.1', port: 1, maxBufferBytes: 100 });
    for (let i = 0; i < 5; i += 1) shipper.write(`${'x'.repeat(60)}\n`);
    const registry = new Registry();
    registerShipperMetrics(registry, shipper);
    const text = await registry.metrics();
    await shipper.close(10);
    expect(text).toContain('eticket_log_lines_dropped_total 4');
    expect(text).toContain('eticket_log_shipper_connected 0');
  });
});
