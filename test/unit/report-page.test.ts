import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as reportPageHandler } from '#functions/verification/report-page.ts';
import { chinaDateTime } from '#shared/calendar/dates.ts';
import { reportPage, reportPageUrl } from '#shared/verification/report-page.ts';
import { HttpSubmissionApi } from '../../cli/api.ts';
import { statusLines } from '../../cli/follow.ts';
import { FakeCloud } from './cli-fakes.ts';
import { lambdaContext } from './tasks-fakes.ts';

const submissionId = '0c8b5d3e-2f4a-4c1e-9b7d-5a6e8f9d0a1b';

function pageEvent(id: string, n: string): APIGatewayProxyEventV2 {
  const rawPath = `/submissions/${id}/versions/${n}/report/page`;
  return {
    version: '2.0',
    routeKey: 'GET /submissions/{submissionId}/versions/{n}/report/page',
    rawPath,
    rawQueryString: '',
    headers: {},
    pathParameters: { submissionId: id, n },
    requestContext: { requestId: 'r1', http: { method: 'GET', path: rawPath } },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

describe('R7.2 report page: the report link opens a public shell that shows the report only once signed in', () => {
  it('serves an HTML shell with no report content, only the way to sign in and come back', async () => {
    const handler = reportPageHandler.with({ signInUrl: '/local-auth/' });

    const res = (await handler(pageEvent(submissionId, '2'), lambdaContext)) as APIGatewayProxyStructuredResultV2;

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['content-type']).toMatch(/text\/html/);
    expect(String(res.headers?.['content-security-policy'])).toMatch(/script-src 'nonce-[^']+'; /);
    expect(res.headers?.['cache-control']).toBe('no-store');
    const body = String(res.body);
    expect(body).toContain('chengguo.idToken');
    expect(body).toContain(`/local-auth/?next=${encodeURIComponent(`/submissions/${submissionId}/versions/2/report/page`)}`);
    expect(body).toContain(`/versions/' + encodeURIComponent(String(config.n))`);
    expect(body).not.toMatch(/核验结论|问题清单|文件明细|SHA-256/);
    expect(body).not.toMatch(/<iframe|<table/);
  });

  it('answers a link that cannot name a report with the same 200 and an invalid-link page, loading nothing', async () => {
    const handler = reportPageHandler.with({ signInUrl: '/local-auth/' });

    const badVersion = (await handler(pageEvent(submissionId, '0'), lambdaContext)) as APIGatewayProxyStructuredResultV2;
    const badId = (await handler(pageEvent('x', '1'), lambdaContext)) as APIGatewayProxyStructuredResultV2;

    for (const res of [badVersion, badId]) {
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('核验报告链接无效');
      expect(res.body).not.toContain('<script');
    }
  });

  it('escapes what it embeds, so no path value can close the script element', () => {
    const page = reportPage({ submissionId: '</script><script>alert(1)</script>', n: 1, signInUrl: '/local-auth/' });

    expect(page.html).not.toContain('</script><script>alert(1)');
    expect(page.html.match(/<\/script>/g)).toHaveLength(1);
  });

  it('gives people the page link, never the token-only report.html', () => {
    expect(reportPageUrl('https://chengguo.example.gov.cn/', submissionId, 3)).toBe(`https://chengguo.example.gov.cn/submissions/${submissionId}/versions/3/report/page`);
  });
});

describe('issue-3 times for people: China time, minutes, marked 北京时间', () => {
  it('shows an instant as the date and time in Beijing, across midnight', () => {
    expect(chinaDateTime('2026-11-28T14:04:08.780Z')).toBe('2026-11-28 22:04（北京时间）');
    expect(chinaDateTime(new Date('2026-12-31T16:30:00Z'))).toBe('2027-01-01 00:30（北京时间）');
  });

  it('shows anything that is not a time as given', () => {
    expect(chinaDateTime('not a time')).toBe('not a time');
  });

  it('prints the sealing and decision times of `chengguo status` in China time, and the report page as the link', async () => {
    const cloud = new FakeCloud();
    const opened = await cloud.api.openSubmission('11111111-1111-4111-8111-111111111111', {
      catalogue: { name: '从化区国土变更调查成果', content: '地类图斑', format: 'Shapefile', spatialScope: { regionCode: '440000' }, timePoint: '2026-06-30', classification: 'internal', sharingMode: 'conditional' },
      files: [{ path: 'data/a.shp', size: 10, sha256: 'a'.repeat(64), role: 'data' }],
    } as never);
    const version = { ...opened.versions[0]!, status: 'verified' as const, statusLabel: '核验通过', sealedAt: '2026-11-28T14:03:00.155Z', decidedAt: '2026-11-28T16:05:00.000Z' };

    const lines = statusLines(new HttpSubmissionApi('http://api.test', 'token'), { submission: { ...opened, status: 'verified', versions: [version] }, task: null }).join('\n');

    expect(lines).toContain('封存于 2026-11-28 22:03（北京时间）');
    expect(lines).toContain('核验通过（2026-11-29 00:05（北京时间））');
    expect(lines).toContain(`核验报告：http://api.test/submissions/${opened.submissionId}/versions/1/report/page`);
    expect(lines).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });
});
