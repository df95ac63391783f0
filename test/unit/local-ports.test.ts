import { describe, expect, it } from 'vitest';
import { fetchBadPorts, localPorts } from '#infra/local/ports.ts';

describe('local cloud ports: a base that fetch cannot reach is refused before anything starts', () => {
  it('gives seven consecutive ports from the base (the seventh: the Lambda Invoke API, issue 10)', () => {
    expect(localPorts(4100)).toEqual({ api: 4100, s3: 4101, dynamodb: 4102, sfn: 4103, smtp: 4104, inbox: 4105, lambda: 4106 });
  });

  it('refuses a base whose ports include one of fetch\'s bad ports, naming it', () => {
    expect(() => localPorts(5998)).toThrow(/inbox=6003|sfn=6001|dynamodb=6000/);
    expect(() => localPorts(6664)).toThrow(/s3=6665/);
    expect(() => localPorts(10075)).toThrow(/inbox=10080/);
  });

  it('refuses a base that is not a usable port number', () => {
    expect(() => localPorts(Number('abc'))).toThrow(/CHENGGUO_PORT_BASE/);
    expect(() => localPorts(80)).toThrow(/1024/);
  });

  it('knows the ports Node\'s fetch really refuses', async () => {
    // Node's fetch (undici) refuses a bad port before connecting; a free ordinary port fails with a connect error instead.
    const refused = await fetch('http://127.0.0.1:6000/').then(() => 'connected', (e: Error) => String((e.cause as Error | undefined)?.message ?? e.message));
    expect(refused).toMatch(/bad port/i);
    expect(fetchBadPorts.has(6000)).toBe(true);
  });
});
