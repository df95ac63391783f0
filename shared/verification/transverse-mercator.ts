/**
 * Transverse Mercator (Gauss–Krüger) on an ellipsoid, by Krüger's series in the
 * third flattening n to order n⁶ as given by Karney, "Transverse Mercator with
 * an accuracy of a few nanometers" (J. Geodesy 85, 2011), eqs. 35–36. Within a
 * 3° or 6° zone the series is accurate to well under a millimetre; the extent
 * check needs metres. The inverse recovers latitude from the conformal latitude
 * by Newton's method (Karney eqs. 19–21) rather than a further series.
 */
export interface Ellipsoid {
  readonly a: number;
  readonly f: number;
}

export const cgcs2000Ellipsoid: Ellipsoid = { a: 6378137, f: 1 / 298.257222101 };

export interface TransverseMercator {
  readonly ellipsoid: Ellipsoid;
  /** Degrees. */
  readonly centralMeridian: number;
  /** Degrees. */
  readonly latitudeOfOrigin: number;
  readonly scale: number;
  readonly falseEasting: number;
  readonly falseNorthing: number;
}

/** A CGCS2000 Gauss–Krüger zone: scale 1, latitude of origin 0, false northing 0. */
export function gaussKruger(centralMeridian: number, falseEasting: number): TransverseMercator {
  return { ellipsoid: cgcs2000Ellipsoid, centralMeridian, latitudeOfOrigin: 0, scale: 1, falseEasting, falseNorthing: 0 };
}

const RAD = Math.PI / 180;

interface Series {
  e: number;
  e2: number;
  /** Rectifying radius. */
  A: number;
  alpha: number[];
  beta: number[];
}

const seriesCache = new Map<string, Series>();

function series({ a, f }: Ellipsoid): Series {
  const key = `${a}/${f}`;
  const cached = seriesCache.get(key);
  if (cached) return cached;
  const n = f / (2 - f);
  const n2 = n * n;
  const n3 = n2 * n;
  const n4 = n3 * n;
  const n5 = n4 * n;
  const n6 = n5 * n;
  const s: Series = {
    e2: f * (2 - f),
    e: Math.sqrt(f * (2 - f)),
    A: (a / (1 + n)) * (1 + n2 / 4 + n4 / 64 + n6 / 256),
    alpha: [
      n / 2 - (2 * n2) / 3 + (5 * n3) / 16 + (41 * n4) / 180 - (127 * n5) / 288 + (7891 * n6) / 37800,
      (13 * n2) / 48 - (3 * n3) / 5 + (557 * n4) / 1440 + (281 * n5) / 630 - (1983433 * n6) / 1935360,
      (61 * n3) / 240 - (103 * n4) / 140 + (15061 * n5) / 26880 + (167603 * n6) / 181440,
      (49561 * n4) / 161280 - (179 * n5) / 168 + (6601661 * n6) / 7257600,
      (34729 * n5) / 80640 - (3418889 * n6) / 1995840,
      (212378941 * n6) / 319334400,
    ],
    beta: [
      n / 2 - (2 * n2) / 3 + (37 * n3) / 96 - n4 / 360 - (81 * n5) / 512 + (96199 * n6) / 604800,
      n2 / 48 + n3 / 15 - (437 * n4) / 1440 + (46 * n5) / 105 - (1118711 * n6) / 3870720,
      (17 * n3) / 480 - (37 * n4) / 840 - (209 * n5) / 4480 + (5569 * n6) / 90720,
      (4397 * n4) / 161280 - (11 * n5) / 504 - (830251 * n6) / 7257600,
      (4583 * n5) / 161280 - (108847 * n6) / 3991680,
      (20648693 * n6) / 638668800,
    ],
  };
  seriesCache.set(key, s);
  return s;
}

/** tan of the conformal latitude from tan of the geodetic latitude (Karney eq. 7–9). */
function conformalTan(tau: number, e: number): number {
  const sigma = Math.sinh(e * Math.atanh((e * tau) / Math.hypot(1, tau)));
  return tau * Math.hypot(1, sigma) - sigma * Math.hypot(1, tau);
}

/** Inverse of conformalTan by Newton's method (Karney eqs. 19–21). */
function geodeticTan(tauPrime: number, e: number, e2: number): number {
  let tau = tauPrime;
  for (let i = 0; i < 8; i++) {
    const tp = conformalTan(tau, e);
    const dtau = ((tauPrime - tp) / Math.hypot(1, tp)) * ((1 + (1 - e2) * tau * tau) / ((1 - e2) * Math.hypot(1, tau)));
    tau += dtau;
    if (Math.abs(dtau) < 1e-14 * Math.max(1, Math.abs(tau))) break;
  }
  return tau;
}

/** ξ, η (Gauss–Krüger coordinates on the unit rectifying sphere) for lon/lat in radians relative to the central meridian. */
function forwardXiEta(s: Series, phi: number, lambda: number): { xi: number; eta: number } {
  const tauPrime = conformalTan(Math.tan(phi), s.e);
  const xiP = Math.atan2(tauPrime, Math.cos(lambda));
  const etaP = Math.asinh(Math.sin(lambda) / Math.hypot(tauPrime, Math.cos(lambda)));
  let xi = xiP;
  let eta = etaP;
  s.alpha.forEach((al, j) => {
    const k = 2 * (j + 1);
    xi += al * Math.sin(k * xiP) * Math.cosh(k * etaP);
    eta += al * Math.cos(k * xiP) * Math.sinh(k * etaP);
  });
  return { xi, eta };
}

/** Projected easting/northing (metres) of a longitude/latitude in degrees. */
export function tmForward(tm: TransverseMercator, lon: number, lat: number): { easting: number; northing: number } {
  const s = series(tm.ellipsoid);
  const { xi, eta } = forwardXiEta(s, lat * RAD, (lon - tm.centralMeridian) * RAD);
  const xi0 = tm.latitudeOfOrigin === 0 ? 0 : forwardXiEta(s, tm.latitudeOfOrigin * RAD, 0).xi;
  return {
    easting: tm.falseEasting + tm.scale * s.A * eta,
    northing: tm.falseNorthing + tm.scale * s.A * (xi - xi0),
  };
}

/** Longitude/latitude in degrees of a projected easting/northing (metres). */
export function tmInverse(tm: TransverseMercator, easting: number, northing: number): { lon: number; lat: number } {
  const s = series(tm.ellipsoid);
  const xi0 = tm.latitudeOfOrigin === 0 ? 0 : forwardXiEta(s, tm.latitudeOfOrigin * RAD, 0).xi;
  const xi = (northing - tm.falseNorthing) / (tm.scale * s.A) + xi0;
  const eta = (easting - tm.falseEasting) / (tm.scale * s.A);
  let xiP = xi;
  let etaP = eta;
  s.beta.forEach((be, j) => {
    const k = 2 * (j + 1);
    xiP -= be * Math.sin(k * xi) * Math.cosh(k * eta);
    etaP -= be * Math.cos(k * xi) * Math.sinh(k * eta);
  });
  const tauPrime = Math.sin(xiP) / Math.hypot(Math.sinh(etaP), Math.cos(xiP));
  const lambda = Math.atan2(Math.sinh(etaP), Math.cos(xiP));
  const tau = geodeticTan(tauPrime, s.e, s.e2);
  return { lon: tm.centralMeridian + lambda / RAD, lat: Math.atan(tau) / RAD };
}
