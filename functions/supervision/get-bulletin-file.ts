import { http } from '#runtime/http.ts';
import { bulletinFiles, bulletinReader } from '#runtime/ports/supervision.ts';
import { readBulletin } from '#shared/supervision/bulletin.ts';
import { bulletinView } from '#shared/schemas/supervision.ts';
import { supervision } from './context.ts';

const types = { html: 'text/html; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', json: 'application/json; charset=utf-8' } as const;

/** GET /supervision/bulletins/{bulletinId}/files/{format} — the stored file; 404 outside the reader's scope. */
export const handler = http(supervision, 'GetBulletinFile', [bulletinReader, bulletinFiles], async (req, p) => {
  const { format, bulletinId } = req.path;
  const { bulletin, body } = await readBulletin({ identity: p.identity, bulletins: p.bulletins, files: p.files }, { actor: req.principal, bulletinId, format });
  const fileName = bulletin.keys[format].split('/').pop()!;
  const file =
    format === 'xlsx'
      ? { base64: Buffer.from(body).toString('base64') }
      : { text: new TextDecoder().decode(body) };
  return { body: { bulletin: bulletinView(bulletin), fileName, contentType: types[format], ...file }, headers: { 'cache-control': 'no-store' } };
});
