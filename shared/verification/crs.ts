import { child, children, epsgOf, nameOf, numberArg, parseWkt, type WktNode } from './wkt.ts';

/**
 * Coordinate system rules. Survey results are delivered in CGCS2000 (2000国家
 * 大地坐标系): geographic EPSG:4490, or its Gauss–Krüger projections
 * EPSG:4491–4554. The EPSG blocks:
 *   4491–4501  6° zones 13–23, false easting with the zone prefix (zone·10⁶ + 500 000)
 *   4502–4512  6° zones by central meridian 75°E–135°E, false easting 500 000
 *   4513–4533  3° zones 25–45, with the zone prefix
 *   4534–4554  3° zones by central meridian 75°E–135°E, false easting 500 000
 * 6° zone z has central meridian 6z − 3; 3° zone z has 3z. Every Gauss–Krüger
 * zone here is a Transverse Mercator with scale 1, latitude of origin 0 and
 * false northing 0 on the CGCS2000 ellipsoid (a = 6378137, 1/f = 298.257222101).
 */
export type CrsInfo =
  | { family: 'cgcs2000'; kind: 'geographic'; epsg: number | null; name: string }
  | {
      family: 'cgcs2000';
      kind: 'gauss-kruger';
      epsg: number | null;
      name: string;
      centralMeridian: number;
      falseEasting: number;
      zoneWidth: 3 | 6 | null;
      zone: number | null;
    }
  | { family: 'other'; epsg: number | null; name: string; reason: string };

export type Cgcs2000Crs = Extract<CrsInfo, { family: 'cgcs2000' }>;

export const CGCS2000 = { a: 6378137, inverseFlattening: 298.257222101, epsg: 4490 } as const;

export function isCgcs2000(crs: CrsInfo): crs is Cgcs2000Crs {
  return crs.family === 'cgcs2000';
}

/** The CGCS2000 member for an EPSG code, or null when the code is outside the family. */
export function cgcs2000ByEpsg(code: number): Cgcs2000Crs | null {
  if (code === 4490) return { family: 'cgcs2000', kind: 'geographic', epsg: 4490, name: 'China Geodetic Coordinate System 2000' };
  const gk = (zoneWidth: 3 | 6, zone: number | null, cm: number) => {
    const falseEasting = zone === null ? 500000 : zone * 1_000_000 + 500000;
    const name = `CGCS2000 / ${zoneWidth === 3 ? '3-degree ' : ''}Gauss-Kruger ${zone === null ? `CM ${cm}E` : `zone ${zone}`}`;
    return { family: 'cgcs2000', kind: 'gauss-kruger', epsg: code, name, centralMeridian: cm, falseEasting, zoneWidth, zone } as const;
  };
  if (code >= 4491 && code <= 4501) {
    const zone = 13 + (code - 4491);
    return gk(6, zone, 6 * zone - 3);
  }
  if (code >= 4502 && code <= 4512) return gk(6, null, 75 + 6 * (code - 4502));
  if (code >= 4513 && code <= 4533) {
    const zone = 25 + (code - 4513);
    return gk(3, zone, 3 * zone);
  }
  if (code >= 4534 && code <= 4554) return gk(3, null, 75 + 3 * (code - 4534));
  return null;
}

/** The EPSG code of a Gauss–Krüger member given its parameters, when the zone width is known. */
function gkEpsg(zoneWidth: 3 | 6 | null, zone: number | null, cm: number): number | null {
  if (zoneWidth === 6) return zone !== null ? 4491 + (zone - 13) : 4502 + (cm - 75) / 6;
  if (zoneWidth === 3) return zone !== null ? 4513 + (zone - 25) : 4534 + (cm - 75) / 3;
  return null;
}

export interface TmDefinition {
  name: string;
  ellipsoidName: string;
  datumName: string;
  a: number | undefined;
  inverseFlattening: number | undefined;
  centralMeridian: number | undefined;
  latitudeOfOrigin: number | undefined;
  scale: number | undefined;
  falseEasting: number | undefined;
  falseNorthing: number | undefined;
  linearUnitMetres: number | undefined;
}

/** A datum named for CGCS2000 on the CGCS2000 ellipsoid (GRS 80 has the same shape, so the name decides). */
export function isCgcs2000Datum(datumName: string, a: number | undefined, invf: number | undefined): boolean {
  const n = datumName.toLowerCase().replace(/[^a-z0-9]/g, '');
  const named = /china2000|cgcs2000|chinageodeticcoordinatesystem2000/.test(n);
  const shaped = a === undefined || (Math.abs(a - CGCS2000.a) < 1e-3 && invf !== undefined && Math.abs(invf - CGCS2000.inverseFlattening) < 1e-6);
  return named && shaped;
}

/**
 * Decide whether Transverse Mercator parameters describe a CGCS2000 Gauss–Krüger
 * zone; `hint` (a CRS name) settles whether a zone without prefix is a 3° or 6° one.
 */
export function classifyTransverseMercator(d: TmDefinition, epsgHint: number | null): CrsInfo {
  const other = (reason: string): CrsInfo => ({ family: 'other', epsg: epsgHint, name: d.name, reason });
  if (!isCgcs2000Datum(d.datumName, d.a, d.inverseFlattening)) return other(`基准面为“${d.datumName || '未知'}”，不是 CGCS2000`);
  const { centralMeridian: cm, falseEasting: fe } = d;
  if (cm === undefined || fe === undefined) return other('投影参数不完整（缺少中央经线或东偏移）');
  if ((d.scale ?? 1) !== 1) return other(`比例因子为 ${d.scale}，高斯-克吕格投影应为 1`);
  if ((d.latitudeOfOrigin ?? 0) !== 0 || (d.falseNorthing ?? 0) !== 0) return other('起始纬度与北偏移应为 0');
  if ((d.linearUnitMetres ?? 1) !== 1) return other('长度单位应为米');
  if (!Number.isInteger(cm) || cm % 3 !== 0 || cm < 75 || cm > 135) return other(`中央经线 ${cm}° 不属于 CGCS2000 高斯-克吕格 3°/6° 分带`);

  let zone: number | null = null;
  let zoneWidth: 3 | 6 | null = null;
  if (fe !== 500000) {
    const prefix = (fe - 500000) / 1_000_000;
    if (!Number.isInteger(prefix)) return other(`东偏移 ${fe} 不是 500000 或“带号×10⁶+500000”`);
    if (prefix >= 13 && prefix <= 23 && 6 * prefix - 3 === cm) zoneWidth = 6;
    else if (prefix >= 25 && prefix <= 45 && 3 * prefix === cm) zoneWidth = 3;
    else return other(`东偏移中的带号 ${prefix} 与中央经线 ${cm}° 不符`);
    zone = prefix;
  } else {
    const sixDegree = (cm + 3) % 6 === 0;
    const hint = d.name.toLowerCase();
    if (!sixDegree || /3[-_ ]?degree|3度/.test(hint)) zoneWidth = 3;
    else if (/(^|[^0-9])6[-_ ]?degree|6度|gk_cm|gauss-kruger cm/.test(hint)) zoneWidth = 6;
  }
  const epsg = epsgHint !== null && cgcs2000ByEpsg(epsgHint)?.kind === 'gauss-kruger' ? epsgHint : gkEpsg(zoneWidth, zone, cm);
  return { family: 'cgcs2000', kind: 'gauss-kruger', epsg, name: d.name, centralMeridian: cm, falseEasting: fe, zoneWidth, zone };
}

// --- WKT (.prj, GeoPackage definitions) ----------------------------------------

const geographicKeywords = ['GEOGCS', 'GEOGCRS', 'GEOGRAPHICCRS', 'GEODCRS', 'GEODETICCRS', 'BASEGEOGCRS', 'BASEGEODCRS'];
const projectedKeywords = ['PROJCS', 'PROJCRS', 'PROJECTEDCRS'];

function normalise(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function geographicParts(geog: WktNode | undefined) {
  const datum = geog ? child(geog, 'DATUM', 'GEODETICDATUM', 'TRF') : undefined;
  const ellipsoid = datum ? child(datum, 'SPHEROID', 'ELLIPSOID') : undefined;
  const primem = geog ? child(geog, 'PRIMEM', 'PRIMEMERIDIAN') : undefined;
  return {
    datumName: nameOf(datum),
    ellipsoidName: nameOf(ellipsoid),
    a: numberArg(ellipsoid, 1),
    inverseFlattening: numberArg(ellipsoid, 2),
    primeMeridian: numberArg(primem, 1) ?? 0,
  };
}

function parameter(projcs: WktNode, ...names: string[]): number | undefined {
  const wanted = names.map(normalise);
  const holders = [projcs, ...children(projcs, 'CONVERSION')];
  for (const holder of holders) {
    for (const p of children(holder, 'PARAMETER')) {
      if (wanted.includes(normalise(nameOf(p)))) return numberArg(p, 1);
    }
  }
  return undefined;
}

/** Classify a WKT CRS definition; throws WktSyntaxError when it cannot be parsed. */
export function classifyWkt(wkt: string): CrsInfo {
  return classifyWktNode(parseWkt(wkt.trim()));
}

function classifyWktNode(root: WktNode): CrsInfo {
  const keyword = root.keyword.toUpperCase();
  const epsg = epsgOf(root);
  const name = nameOf(root);

  if (geographicKeywords.includes(keyword)) {
    const g = geographicParts(root);
    if (!isCgcs2000Datum(g.datumName, g.a, g.inverseFlattening) || g.primeMeridian !== 0) {
      return { family: 'other', epsg, name, reason: `基准面为“${g.datumName || '未知'}”，不是 CGCS2000` };
    }
    if (epsg !== null && epsg !== 4490) return { family: 'other', epsg, name, reason: `EPSG:${epsg} 不是 CGCS2000 地理坐标系 EPSG:4490` };
    return { family: 'cgcs2000', kind: 'geographic', epsg: 4490, name };
  }

  if (projectedKeywords.includes(keyword)) {
    const g = geographicParts(child(root, 'GEOGCS', 'BASEGEOGCRS', 'BASEGEODCRS', 'GEOGCRS'));
    const method = nameOf(child(root, 'PROJECTION')) || nameOf(child(child(root, 'CONVERSION') ?? root, 'METHOD'));
    if (!/^(gausskruger|transversemercator|gaussk?ruger)$/.test(normalise(method))) {
      return { family: 'other', epsg, name, reason: `投影方法为“${method || '未知'}”，不是高斯-克吕格（横轴墨卡托）` };
    }
    const unit = child(root, 'UNIT', 'LENGTHUNIT');
    return classifyTransverseMercator(
      {
        name,
        datumName: g.datumName,
        ellipsoidName: g.ellipsoidName,
        a: g.a,
        inverseFlattening: g.inverseFlattening,
        centralMeridian: parameter(root, 'central_meridian', 'longitude_of_origin', 'longitude of natural origin', 'longitude_of_center'),
        latitudeOfOrigin: parameter(root, 'latitude_of_origin', 'latitude of natural origin'),
        scale: parameter(root, 'scale_factor', 'scale factor at natural origin'),
        falseEasting: parameter(root, 'false_easting', 'false easting'),
        falseNorthing: parameter(root, 'false_northing', 'false northing'),
        linearUnitMetres: numberArg(unit, 1),
      },
      epsg,
    );
  }

  if (keyword === 'COMPD_CS' || keyword === 'COMPOUNDCRS') {
    // CGCS2000 + a vertical datum (e.g. 1985 国家高程基准): the horizontal part decides.
    const horizontal = root.args.find(
      (a): a is WktNode => typeof a === 'object' && [...geographicKeywords, ...projectedKeywords].includes(a.keyword.toUpperCase()),
    );
    if (horizontal) return classifyWktNode(horizontal);
  }
  return { family: 'other', epsg, name, reason: `坐标系类型 ${root.keyword} 不是地理或投影坐标系` };
}

// --- GeoTIFF GeoKeys ------------------------------------------------------------

export type GeoKeyValue = number | number[] | string;

/** GeoKey ids (OGC GeoTIFF 1.1). */
export const geoKey = {
  GTModelType: 1024,
  GTCitation: 1026,
  GeographicType: 2048,
  GeogCitation: 2049,
  GeogGeodeticDatum: 2050,
  GeogSemiMajorAxis: 2057,
  GeogInvFlattening: 2059,
  ProjectedCSType: 3072,
  PCSCitation: 3073,
  ProjCoordTrans: 3075,
  ProjLinearUnits: 3076,
  ProjNatOriginLong: 3080,
  ProjNatOriginLat: 3081,
  ProjFalseEasting: 3082,
  ProjFalseNorthing: 3083,
  ProjScaleAtNatOrigin: 3092,
} as const;

const USER_DEFINED = 32767;
const DATUM_CHINA_2000 = 1043;
const CT_TRANSVERSE_MERCATOR = 1;

function num(keys: ReadonlyMap<number, GeoKeyValue>, id: number): number | undefined {
  const v = keys.get(id);
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && typeof v[0] === 'number') return v[0];
  return undefined;
}

/** Classify GeoTIFF GeoKeys; null when the file declares no CRS at all. */
export function classifyGeoKeys(keys: ReadonlyMap<number, GeoKeyValue>): CrsInfo | null {
  const model = num(keys, geoKey.GTModelType);
  const pcs = num(keys, geoKey.ProjectedCSType);
  const gcs = num(keys, geoKey.GeographicType);
  const citation = [geoKey.PCSCitation, geoKey.GTCitation, geoKey.GeogCitation]
    .map((k) => keys.get(k))
    .find((v): v is string => typeof v === 'string') ?? '';

  if (model === 1 || (model === undefined && pcs !== undefined)) {
    if (pcs !== undefined && pcs !== USER_DEFINED) {
      return cgcs2000ByEpsg(pcs) ?? { family: 'other', epsg: pcs, name: citation || `EPSG:${pcs}`, reason: `投影坐标系 EPSG:${pcs} 不属于 CGCS2000` };
    }
    const datum = num(keys, geoKey.GeogGeodeticDatum);
    const baseIsCgcs2000 = gcs === 4490 || datum === DATUM_CHINA_2000;
    if (!baseIsCgcs2000) return { family: 'other', epsg: null, name: citation || '自定义投影', reason: '自定义投影的基准面不是 CGCS2000' };
    if (num(keys, geoKey.ProjCoordTrans) !== CT_TRANSVERSE_MERCATOR) {
      return { family: 'other', epsg: null, name: citation || '自定义投影', reason: '自定义投影不是横轴墨卡托（高斯-克吕格）' };
    }
    return classifyTransverseMercator(
      {
        name: citation,
        datumName: 'China 2000',
        ellipsoidName: 'CGCS2000',
        a: num(keys, geoKey.GeogSemiMajorAxis),
        inverseFlattening: num(keys, geoKey.GeogInvFlattening),
        centralMeridian: num(keys, geoKey.ProjNatOriginLong),
        latitudeOfOrigin: num(keys, geoKey.ProjNatOriginLat),
        scale: num(keys, geoKey.ProjScaleAtNatOrigin),
        falseEasting: num(keys, geoKey.ProjFalseEasting),
        falseNorthing: num(keys, geoKey.ProjFalseNorthing),
        linearUnitMetres: num(keys, geoKey.ProjLinearUnits) === undefined || num(keys, geoKey.ProjLinearUnits) === 9001 ? 1 : undefined,
      },
      null,
    );
  }
  if (model === 2 || (model === undefined && gcs !== undefined)) {
    if (gcs === 4490) return cgcs2000ByEpsg(4490);
    if (gcs === USER_DEFINED && num(keys, geoKey.GeogGeodeticDatum) === DATUM_CHINA_2000) {
      return { family: 'cgcs2000', kind: 'geographic', epsg: null, name: citation || 'CGCS2000' };
    }
    return { family: 'other', epsg: gcs ?? null, name: citation || (gcs ? `EPSG:${gcs}` : '未知'), reason: `地理坐标系${gcs ? ` EPSG:${gcs} ` : ''}不是 CGCS2000（EPSG:4490）` };
  }
  if (model === undefined) return null;
  return { family: 'other', epsg: null, name: citation, reason: `模型类型 ${model} 不是地理或投影坐标系` };
}

/** A Chinese description for reports. */
export function crsLabel(crs: CrsInfo): string {
  const code = crs.epsg !== null ? `，EPSG:${crs.epsg}` : '';
  if (crs.family === 'other') return `${crs.name || '未知坐标系'}${code}`;
  if (crs.kind === 'geographic') return `CGCS2000 地理坐标系${code}`;
  const width = crs.zoneWidth === null ? '' : `${crs.zoneWidth}°分带`;
  const zone = crs.zone === null ? '' : ` 第 ${crs.zone} 带`;
  return `CGCS2000 高斯-克吕格投影 ${width}${zone}（中央经线 ${crs.centralMeridian}°E${code}）`;
}
