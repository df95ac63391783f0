import { defineContext } from '#runtime/define.ts';
import { identityContracts } from '#shared/schemas/identity-contracts.ts';

/** The identity context: its functions, routes, state machines, schedules and streams (see runtime/define.ts). */
export const identity = defineContext({
  name: 'identity',
  functions: {
    GetMe: {
      entry: './get-me.ts',
      description: 'The signed-in user, with organisation, roles and clearance.',
      tables: {
        registry: 'read',
      },
    },
    ListOrganisations: {
      entry: './list-organisations.ts',
      description: 'Organisations, optionally under a parent.',
      tables: {
        registry: 'read',
      },
    },
    GetOrganisation: {
      entry: './get-organisation.ts',
      description: 'One organisation and its users.',
      tables: {
        registry: 'read',
      },
    },
    ListUsers: {
      entry: './list-users.ts',
      description: 'Users of an organisation.',
      tables: {
        registry: 'read',
      },
    },
    ListSecurityRecords: {
      entry: './list-security-records.ts',
      description: 'Security records (R20.1) of an organisation and those below it, for its supervisor: one key query per organisation.',
      tables: {
        registry: 'read',
        logs: 'read',
      },
    },
    UpdateUserClearance: {
      entry: './update-user-clearance.ts',
      description: 'An administrator changes a user clearance (audited).',
      tables: {
        registry: 'readWrite',
        logs: 'readWrite',
      },
    },
  },
  routes: {
    GetMe: {
      method: 'GET',
      path: '/me',
      auth: 'any',
      summary: '当前用户',
      contract: identityContracts.GetMe,
    },
    ListOrganisations: {
      method: 'GET',
      path: '/orgs',
      auth: 'any',
      summary: '组织列表',
      contract: identityContracts.ListOrganisations,
    },
    GetOrganisation: {
      method: 'GET',
      path: '/orgs/{code}',
      auth: 'any',
      summary: '组织详情',
      contract: identityContracts.GetOrganisation,
    },
    ListUsers: {
      method: 'GET',
      path: '/orgs/{code}/users',
      auth: 'any',
      summary: '组织用户',
      contract: identityContracts.ListUsers,
    },
    ListSecurityRecords: {
      method: 'GET',
      path: '/security-records',
      auth: ['supervisor', 'administrator'],
      summary: '安全记录（拒绝的请求与涉密读取）',
      contract: identityContracts.ListSecurityRecords,
    },
    UpdateUserClearance: {
      method: 'PUT',
      path: '/users/{userId}/clearance',
      auth: ['administrator'],
      summary: '调整用户密级权限',
      contract: identityContracts.UpdateUserClearance,
    },
  },
});
