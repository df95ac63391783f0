import { defineContext } from '#runtime/define.ts';
import { submissionContracts } from './contracts.ts';
import { verification } from '../verification/context.ts';

/** The submission context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const submission = defineContext({
  name: 'submission',
  functions: {
    RegisterSurveyTask: {
      entry: './register-survey-task.ts',
      description: 'An organiser registers a survey task (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    ListSurveyTasks: {
      entry: './list-survey-tasks.ts',
      description: 'Survey tasks of an organisation, with their R6.1 deadlines.',
      tables: {
        registry: 'read',
      },
    },
    GetSurveyTask: {
      entry: './get-survey-task.ts',
      description: 'One survey task, its R6.1 deadline and its submissions.',
      tables: {
        registry: 'read',
      },
    },
    RecordTaskCompletion: {
      entry: './record-task-completion.ts',
      description: 'The implementer records the completion date; starts the R6.1 clock (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    OpenSubmission: {
      entry: './open-submission.ts',
      description: 'Opens a submission with its R9.2 catalogue and the v1 manifest (up to 10,000 file items); classified → held offline (audited).',
      memoryMb: 1024,
      timeoutSeconds: 29,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    CreateSubmissionVersion: {
      entry: './create-submission-version.ts',
      description: 'The next version after a return (R7.2), with its manifest (audited).',
      memoryMb: 1024,
      timeoutSeconds: 29,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
    IssueUploadUrls: {
      entry: './issue-upload-urls.ts',
      description: 'Presigned PUT / UploadPart URLs with signed checksum headers; starts multipart uploads (audited).',
      memoryMb: 1024,
      timeoutSeconds: 29,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        uploads: 'readWrite',
      },
    },
    GetUploadStatus: {
      entry: './get-upload-status.ts',
      description: 'What of a version has arrived (ListObjectsV2, ListParts) and what is still to send.',
      memoryMb: 1024,
      timeoutSeconds: 29,
      tables: {
        registry: 'read',
      },
      buckets: {
        uploads: 'read',
      },
    },
    CompleteFileUpload: {
      entry: './complete-file-upload.ts',
      description: 'CompleteMultipartUpload of one file (audited).',
      timeoutSeconds: 29,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        uploads: 'readWrite',
      },
    },
    AbortUploads: {
      entry: './abort-uploads.ts',
      description: 'AbortMultipartUpload for every open multipart upload of a version (audited).',
      timeoutSeconds: 29,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        uploads: 'readWrite',
      },
    },
    CompleteVersion: {
      entry: './complete-version.ts',
      description: 'Checks every manifest file arrived, seals the version and starts Verification exactly once (audited).',
      memoryMb: 1024,
      timeoutSeconds: 29,
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
      buckets: {
        uploads: 'read',
      },
    },
    GetSubmission: {
      entry: './get-submission.ts',
      description: 'A submission with its versions, outcomes and deadlines.',
      tables: {
        registry: 'read',
      },
    },
    GetSubmissionTimeline: {
      entry: './get-submission-timeline.ts',
      description: 'A submission\'s events and deadlines in time order.',
      tables: {
        registry: 'read',
      },
    },
  },
  routes: {
    RegisterSurveyTask: {
      method: 'POST',
      path: '/survey-tasks',
      auth: ['reviewer', 'administrator'],
      summary: '登记调查监测任务',
      contract: submissionContracts.RegisterSurveyTask,
    },
    ListSurveyTasks: {
      method: 'GET',
      path: '/survey-tasks',
      auth: 'any',
      summary: '调查监测任务列表',
      contract: submissionContracts.ListSurveyTasks,
    },
    GetSurveyTask: {
      method: 'GET',
      path: '/survey-tasks/{taskId}',
      auth: 'any',
      summary: '调查监测任务详情与汇交期限',
      contract: submissionContracts.GetSurveyTask,
    },
    RecordTaskCompletion: {
      method: 'PUT',
      path: '/survey-tasks/{taskId}/completion',
      auth: ['submitter'],
      summary: '登记调查工作完成日期',
      contract: submissionContracts.RecordTaskCompletion,
    },
    OpenSubmission: {
      method: 'POST',
      path: '/survey-tasks/{taskId}/submissions',
      auth: ['submitter'],
      summary: '新建汇交（目录信息与文件清单）',
      contract: submissionContracts.OpenSubmission,
    },
    CreateSubmissionVersion: {
      method: 'POST',
      path: '/submissions/{submissionId}/versions',
      auth: ['submitter'],
      summary: '退回后提交新版本',
      contract: submissionContracts.CreateSubmissionVersion,
    },
    IssueUploadUrls: {
      method: 'POST',
      path: '/submissions/{submissionId}/versions/{n}/upload-urls',
      auth: ['submitter'],
      summary: '申请预签名上传地址',
      contract: submissionContracts.IssueUploadUrls,
    },
    GetUploadStatus: {
      method: 'GET',
      path: '/submissions/{submissionId}/versions/{n}/uploads',
      auth: 'any',
      summary: '上传进度（续传）',
      contract: submissionContracts.GetUploadStatus,
    },
    CompleteFileUpload: {
      method: 'POST',
      path: '/submissions/{submissionId}/versions/{n}/files/complete',
      auth: ['submitter'],
      summary: '完成分片上传',
      contract: submissionContracts.CompleteFileUpload,
    },
    AbortUploads: {
      method: 'DELETE',
      path: '/submissions/{submissionId}/versions/{n}/uploads',
      auth: ['submitter'],
      summary: '取消未完成的上传',
      contract: submissionContracts.AbortUploads,
    },
    CompleteVersion: {
      method: 'POST',
      path: '/submissions/{submissionId}/versions/{n}/complete',
      auth: ['submitter'],
      summary: '完成上传：封存并启动核验',
      contract: submissionContracts.CompleteVersion,
    },
    GetSubmission: {
      method: 'GET',
      path: '/submissions/{submissionId}',
      auth: 'any',
      summary: '汇交详情',
      contract: submissionContracts.GetSubmission,
    },
    GetSubmissionTimeline: {
      method: 'GET',
      path: '/submissions/{submissionId}/timeline',
      auth: 'any',
      summary: '汇交时间线',
      contract: submissionContracts.GetSubmissionTimeline,
    },
  },
  starts: {
    CompleteVersion: [verification.machine.Verification],
  },
});
