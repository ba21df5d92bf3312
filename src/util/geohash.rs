//! Geohashes as Redis's GEO commands compute them: longitude and latitude
//! quantised to 26 bits each and interleaved into a 52-bit integer (the
//! sorted set score), decoded to the centre of their cell; the cells
//! around a search shape and the distances (haversine on Redis's earth
//! radius). The floating-point steps follow Redis's order of operations so
//! that scores, positions and distances come out bit for bit the same.

/// Bits per coordinate of a stored position (26 * 2 = 52 bits).
pub const STEP_MAX: u8 = 26;
pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
/// The latitude range of Web Mercator, which the geohash covers.
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;

/// Earth's quadratic mean radius in metres (the WGS-84 value Redis uses).
const EARTH_RADIUS: f64 = 6372797.560856;
/// Half the length of the Mercator projection's equator, in metres.
const MERCATOR_MAX: f64 = 20037726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

fn deg_rad(a: f64) -> f64 {
    a * D_R
}

fn rad_deg(a: f64) -> f64 {
    a / D_R
}

/// A geohash of `step` bits per coordinate; `bits == 0 && step == 0` is
/// "no cell".
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Hash {
    pub bits: u64,
    pub step: u8,
}

impl Hash {
    pub fn is_zero(&self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The 52-bit value of this cell's first position (its score range
    /// starts there).
    pub fn align52(&self) -> u64 {
        self.bits.checked_shl(52 - 2 * self.step.min(26) as u32).unwrap_or(0)
    }
}

/// A coordinate interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

/// A cell's extent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Area {
    pub lon: Range,
    pub lat: Range,
}

const WGS84_LON: Range = Range { min: LONG_MIN, max: LONG_MAX };
const WGS84_LAT: Range = Range { min: LAT_MIN, max: LAT_MAX };
/// The standard geohash ranges (GEOHASH's strings use them).
pub const STANDARD_LAT: Range = Range { min: -90.0, max: 90.0 };

/// Spreads the bits of `x` to the even positions and those of `y` to the
/// odd ones.
fn interleave(x: u32, y: u32) -> u64 {
    fn spread(v: u32) -> u64 {
        let mut v = v as u64;
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        (v | (v << 1)) & 0x5555_5555_5555_5555
    }
    spread(x) | (spread(y) << 1)
}

/// The inverse of `interleave`: even bits in the low half, odd bits in the
/// high half.
fn deinterleave(v: u64) -> (u32, u32) {
    fn squash(mut v: u64) -> u32 {
        v &= 0x5555_5555_5555_5555;
        v = (v | (v >> 1)) & 0x3333_3333_3333_3333;
        v = (v | (v >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v >> 16)) & 0x0000_0000_FFFF_FFFF;
        v as u32
    }
    (squash(v), squash(v >> 1))
}

/// Encodes a position over the given ranges; None outside them (or
/// outside the WGS-84 limits).
pub fn encode(lon_r: Range, lat_r: Range, lon: f64, lat: f64, step: u8) -> Option<Hash> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < lat_r.min || lat > lat_r.max || lon < lon_r.min || lon > lon_r.max {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_off = (lat - lat_r.min) / (lat_r.max - lat_r.min) * scale;
    let lon_off = (lon - lon_r.min) / (lon_r.max - lon_r.min) * scale;
    Some(Hash { bits: interleave(lat_off as u32, lon_off as u32), step })
}

/// Encodes a position in the WGS-84 ranges GEOADD uses.
pub fn encode_wgs84(lon: f64, lat: f64, step: u8) -> Option<Hash> {
    encode(WGS84_LON, WGS84_LAT, lon, lat, step)
}

/// The cell a hash names.
pub fn decode(lon_r: Range, lat_r: Range, h: Hash) -> Option<Area> {
    if h.is_zero() {
        return None;
    }
    let (ilat, ilon) = deinterleave(h.bits);
    let div = (1u64 << h.step.min(63)) as f64;
    let lat_scale = lat_r.max - lat_r.min;
    let lon_scale = lon_r.max - lon_r.min;
    Some(Area {
        lat: Range {
            min: lat_r.min + (ilat as f64 * 1.0 / div) * lat_scale,
            max: lat_r.min + ((ilat as f64 + 1.0) * 1.0 / div) * lat_scale,
        },
        lon: Range {
            min: lon_r.min + (ilon as f64 * 1.0 / div) * lon_scale,
            max: lon_r.min + ((ilon as f64 + 1.0) * 1.0 / div) * lon_scale,
        },
    })
}

/// The position a stored score stands for: the centre of its cell,
/// clamped to the WGS-84 limits.
pub fn decode_score(score: f64) -> Option<(f64, f64)> {
    let a = decode(WGS84_LON, WGS84_LAT, Hash { bits: score as u64, step: STEP_MAX })?;
    let lon = ((a.lon.min + a.lon.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let lat = ((a.lat.min + a.lat.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    Some((lon, lat))
}

/// The score GEOADD stores for a position.
pub fn score_of(lon: f64, lat: f64) -> Option<f64> {
    encode_wgs84(lon, lat, STEP_MAX).map(|h| h.align52() as f64)
}

/// Longitude bits (odd positions) and latitude bits (even positions).
const LON_BITS: u64 = 0xaaaa_aaaa_aaaa_aaaa;
const LAT_BITS: u64 = 0x5555_5555_5555_5555;

/// Moves a hash one cell along the coordinate whose bits `axis` selects:
/// forward (east, north) when `d` > 0, else backward. The other
/// coordinate's bits are filled in so the carry runs through them.
fn step_along(h: &mut Hash, axis: u64, d: i8) {
    let width = 64 - 2 * h.step as u32;
    let other = !axis;
    let mut moving = h.bits & axis;
    let zz = other.checked_shr(width).unwrap_or(0);
    if d > 0 {
        moving = moving.wrapping_add(zz.wrapping_add(1));
    } else {
        moving |= zz;
        moving = moving.wrapping_sub(zz.wrapping_add(1));
    }
    moving &= axis.checked_shr(width).unwrap_or(0);
    h.bits = moving | (h.bits & other);
}

/// A cell and its eight neighbours, in the order Redis searches them:
/// centre, north, south, east, west, north-east, north-west, south-east,
/// south-west.
pub fn neighbourhood(h: Hash) -> [Hash; 9] {
    let at = |dx: i8, dy: i8| {
        let mut n = h;
        if dx != 0 {
            step_along(&mut n, LON_BITS, dx);
        }
        if dy != 0 {
            step_along(&mut n, LAT_BITS, dy);
        }
        n
    };
    [h, at(0, 1), at(0, -1), at(1, 0), at(-1, 0), at(1, 1), at(-1, 1), at(1, -1), at(-1, -1)]
}

/// Distance in metres between two latitudes on one meridian.
fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Great-circle distance in metres (haversine).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let (lon1r, lon2r) = (deg_rad(lon1), deg_rad(lon2));
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1r, lat2r) = (deg_rad(lat1), deg_rad(lat2));
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS * a.sqrt().asin()
}

/// The cell size (bits per coordinate) that covers `range` metres.
fn steps_for(range: f64, lat: f64) -> u8 {
    if range == 0.0 {
        return 26;
    }
    let (mut range, mut step) = (range, 1i32);
    while range < MERCATOR_MAX && step < 1100 {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

/// What a search covers: a circle or a box (in the unit's metres factor)
/// around a centre.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub lon: f64,
    pub lat: f64,
    /// Metres per unit of the radius / width / height.
    pub conversion: f64,
    pub kind: ShapeKind,
}

#[derive(Debug, Clone, Copy)]
pub enum ShapeKind {
    Radius(f64),
    Box { width: f64, height: f64 },
}

impl Shape {
    /// [min lon, min lat, max lon, max lat] around the shape.
    fn bounds(&self) -> [f64; 4] {
        let (h, w) = match self.kind {
            ShapeKind::Radius(r) => (r, r),
            ShapeKind::Box { width, height } => (height / 2.0, width / 2.0),
        };
        let (height, width) = (self.conversion * h, self.conversion * w);
        let lat_delta = rad_deg(height / EARTH_RADIUS);
        let lon_delta_top = rad_deg(width / EARTH_RADIUS / deg_rad(self.lat + lat_delta).cos());
        let lon_delta_bottom = rad_deg(width / EARTH_RADIUS / deg_rad(self.lat - lat_delta).cos());
        let delta = if self.lat < 0.0 { lon_delta_bottom } else { lon_delta_top };
        [self.lon - delta, self.lat - lat_delta, self.lon + delta, self.lat + lat_delta]
    }

    /// The cells to scan: the centre's cell and its neighbours, those the
    /// shape cannot reach zeroed.
    pub fn cells(&self) -> [Hash; 9] {
        let [min_lon, min_lat, max_lon, max_lat] = self.bounds();
        let radius = match self.kind {
            ShapeKind::Radius(r) => r,
            ShapeKind::Box { width, height } => {
                ((width / 2.0) * (width / 2.0) + (height / 2.0) * (height / 2.0)).sqrt()
            }
        } * self.conversion;
        let mut steps = steps_for(radius, self.lat);
        let around = |steps| {
            let h = encode(WGS84_LON, WGS84_LAT, self.lon, self.lat, steps).unwrap_or_default();
            (neighbourhood(h), decode(WGS84_LON, WGS84_LAT, h))
        };
        let (mut cells, mut area) = around(steps);
        let area_of = |h: Hash| decode(WGS84_LON, WGS84_LAT, h);
        let too_small = [
            area_of(cells[1]).is_some_and(|a| a.lat.max < max_lat),
            area_of(cells[2]).is_some_and(|a| a.lat.min > min_lat),
            area_of(cells[3]).is_some_and(|a| a.lon.max < max_lon),
            area_of(cells[4]).is_some_and(|a| a.lon.min > min_lon),
        ];
        if steps > 1 && too_small.contains(&true) {
            steps -= 1;
            (cells, area) = around(steps);
        }
        if let (true, Some(a)) = (steps >= 2, area) {
            const ZERO: Hash = Hash { bits: 0, step: 0 };
            // cells[1..9] are north, south, east, west, ne, nw, se, sw.
            let beyond = [
                (a.lat.min < min_lat, [2, 7, 8]),
                (a.lat.max > max_lat, [1, 5, 6]),
                (a.lon.min < min_lon, [4, 8, 6]),
                (a.lon.max > max_lon, [3, 7, 5]),
            ];
            for (_, side) in beyond.into_iter().filter(|(cut, _)| *cut) {
                for i in side {
                    cells[i] = ZERO;
                }
            }
        }
        cells
    }

    /// The distance from the centre when (lon, lat) is inside the shape.
    pub fn contains(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.kind {
            ShapeKind::Radius(r) => {
                let d = distance(self.lon, self.lat, lon, lat);
                (d <= r * self.conversion).then_some(d)
            }
            ShapeKind::Box { width, height } => {
                if lat_distance(lat, self.lat) > height * self.conversion / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > width * self.conversion / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }
}

/// The 11-character standard geohash string of a stored score.
pub fn geohash_string(score: f64) -> Option<String> {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (lon, lat) = decode_score(score)?;
    let h = encode(WGS84_LON, STANDARD_LAT, lon, lat, STEP_MAX)?;
    Some(
        (0..11)
            .map(|i| {
                let idx = if i == 10 { 0 } else { (h.bits >> (52 - (i + 1) * 5)) & 0x1f };
                ALPHABET[idx as usize] as char
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleaving_round_trips() {
        let v = interleave(0x0123_4567, 0x89ab_cdef);
        assert_eq!(deinterleave(v), (0x0123_4567, 0x89ab_cdef));
    }

    #[test]
    fn palermo_as_redis() {
        // GEOADD Sicily 13.361389 38.115556 "Palermo" stores this score.
        let score = score_of(13.361389, 38.115556).unwrap();
        assert_eq!(score, 3479099956230698.0);
        let (lon, lat) = decode_score(score).unwrap();
        assert_eq!(format!("{lon:.17}"), "13.36138933897018433");
        assert_eq!(format!("{lat:.17}"), "38.11555639549629859");
        assert_eq!(geohash_string(score).as_deref(), Some("sqc8b49rny0"));
        let catania = decode_score(score_of(15.087269, 37.502669).unwrap()).unwrap();
        let d = distance(lon, lat, catania.0, catania.1);
        assert_eq!(format!("{:.4}", d), "166274.1516");
    }
}
