import { describe, expect, it } from 'vitest';
import { handler as completeVersionHandler } from '#functions/submission/complete-version.ts';
import { handler as getSubmissionHandler } from '#functions/submission/get-submission.ts';
import { handler as issueUrlsHandler } from '#functions/submission/issue-upload-urls.ts';
import { handler as openSubmission } from '#functions/submission/open-submission.ts';
import { handler as createVersionHandler } from '#functions/submission/create-submission-version.ts';
import { returnVersion } from '#shared/submission/outcomes.ts';
import { completeVersion } from '#shared/submission/uploads.ts';
import { objectKey } from '#shared/submission/manifest.ts';
import { call, catalogue, portsFor, openedSubmission, registeredTask, standardFiles, submissionWorld } from './submission-fakes.ts';

describe('R5.1 classified results are refused for upload and held offline by the custodian', () => {
  it.each(['secret', 'confidential', 'topSecret'] as const)('refuses %s with 409 CLASSIFIED_HELD_OFFLINE and keeps the audited record, with no version and no URL', async (classification) => {
    const world = await submissionWorld();
    const task = await registeredTask(world);
    const before = world.snapshot();

    const r = await call(openSubmission.with(portsFor(world)), 'POST', `/survey-tasks/${task.taskId}/submissions`, {
      user: 'li.na',
      pathParameters: { taskId: task.taskId },
      body: { catalogue: catalogue({ classification }), files: standardFiles },
    });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CLASSIFIED_HELD_OFFLINE');
    expect(r.body.error.message).toContain('不得上传至云存储');
    expect(r.body.error.message).toContain('440000-CUS');
    const sub = r.body.submission;
    expect(sub).toMatchObject({ status: 'heldOffline', currentVersion: 0, classification, heldOffline: { recordedBy: 'li.na', fileCount: 4 } });
    expect(sub.versions).toEqual([]);
    expect(world.snapshot()).toEqual({ registry: before.registry + 1 + 2, audit: before.audit + 1 });
    expect(world.identity.auditRecords().at(-1)).toMatchObject({ action: 'submission.open.heldOffline', detail: { classification, custodian: '440000-CUS' } });
    expect(world.objects.calls).toEqual([]);
  });

  it('signs nothing and starts nothing for a held-offline submission', async () => {
    const world = await submissionWorld();
    const task = await registeredTask(world);
    const opened = await call(openSubmission.with(portsFor(world)), 'POST', `/survey-tasks/${task.taskId}/submissions`, {
      user: 'li.na',
      pathParameters: { taskId: task.taskId },
      body: { catalogue: catalogue({ classification: 'secret' }), files: standardFiles },
    });
    const id = opened.body.submission.submissionId;
    const params = { pathParameters: { submissionId: id, n: '1' } };

    // li.na (内部) declared it 秘密: from then on it is above her clearance and absent for her (the access rule).
    const hidden = await call(issueUrlsHandler.with(portsFor(world)), 'POST', `/submissions/${id}/versions/1/upload-urls`, { user: 'li.na', ...params });
    const linaUser = await world.user('li.na');
    await world.identity.updateClearance(
      { userId: 'li.na', from: 'internal', to: 'secret' },
      { actor: 'wang.qiang', orgCode: '440000-NR', action: 'identity.user.clearance.update', target: 'USER#li.na', outcome: 'success', requestId: 't' },
    );
    const urls = await call(issueUrlsHandler.with(portsFor(world)), 'POST', `/submissions/${id}/versions/1/upload-urls`, { user: 'li.na', ...params });
    const complete = await call(completeVersionHandler.with(portsFor(world)), 'POST', `/submissions/${id}/versions/1/complete`, { user: 'li.na', ...params });
    const read = await call(getSubmissionHandler.with(portsFor(world)), 'GET', `/submissions/${id}`, { user: 'zhang.wei', pathParameters: { submissionId: id } });

    expect(linaUser.clearance).toBe('internal');
    expect(hidden.status).toBe(404);
    expect(urls.status).toBe(409);
    expect(urls.body.error.code).toBe('CLASSIFIED_HELD_OFFLINE');
    expect(complete.status).toBe(409);
    expect(world.objects.calls).toEqual([]);
    expect(world.workflow.starts).toEqual([]);
    expect(read.body.submission.statusLabel).toBe('涉密成果，由保管单位离线保管');
  });

  it('holds a resubmission offline when its new catalogue is classified, creating no version', async () => {
    const world = await submissionWorld();
    const { submission } = await openedSubmission(world);
    const id = submission.submissionId;
    for (const f of standardFiles) world.objects.putObject(objectKey(id, 1, f.path), f.size);
    await completeVersion({ actor: await world.user('li.na'), submissionId: id, n: 1, requestId: 'c' }, world.ports);
    await returnVersion(world.ports, { submissionId: id, n: 1, reasons: ['成果涉密，应离线汇交'], defects: [], decidedBy: 'chen.jing' });

    const r = await call(createVersionHandler.with(portsFor(world)), 'POST', `/submissions/${id}/versions`, {
      user: 'li.na',
      pathParameters: { submissionId: id },
      body: { catalogue: catalogue({ classification: 'confidential' }), files: standardFiles },
    });

    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('CLASSIFIED_HELD_OFFLINE');
    expect(r.body.submission).toMatchObject({ status: 'heldOffline', currentVersion: 1, classification: 'confidential' });
    expect(await world.store.getVersion(id, 2)).toBeUndefined();
  });
});
