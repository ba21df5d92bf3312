//! LOLWUT: a piece of computer art and the version. Versions 5 and 6 (the
//! default) draw squares that fall into disorder row after row, after Georg
//! Nees's "Schotter", in braille characters; other versions print only the
//! version line.

use super::util::{int_arg, is};
use crate::command::spec::{flags as f, CommandSpec, Exec};
use crate::resp::Reply;
use crate::server::client::Client;
use crate::server::shared::splitmix;
use bytes::Bytes;

const VERSION_LINE: &str = "Redis ver. 7.0.15\n";

pub fn commands() -> Vec<CommandSpec> {
    vec![CommandSpec::new("lolwut", -1, f::READONLY | f::FAST, Exec::Client(lolwut)).group("server").doc(
        "5.0.0",
        "Display some computer art and the Redis version",
        "",
    )]
}

/// LOLWUT [VERSION v [columns [squares per row [squares per column]]]]
fn lolwut(_c: &mut Client, a: &[Bytes]) -> Reply {
    let mut version = 6;
    let mut rest = &a[1..];
    if rest.len() >= 2 && is(&rest[0], "version") {
        match int_arg(&rest[1]) {
            Ok(v) => version = v,
            Err(e) => return e,
        }
        rest = &rest[2..];
    } else {
        rest = &[];
    }
    if version != 5 && version != 6 {
        return Reply::Verbatim(Bytes::from_static(VERSION_LINE.as_bytes()));
    }
    let mut params = [66, 8, 12];
    for (p, arg) in params.iter_mut().zip(rest) {
        match int_arg(arg) {
            Ok(n) => *p = n,
            Err(e) => return e,
        }
    }
    let cols = params[0].clamp(1, 1000) as usize;
    let (per_row, per_col) = (params[1].clamp(1, 200) as usize, params[2].clamp(1, 200) as usize);
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64);
    let mut art = schotter(cols, per_row, per_col, seed).render();
    art.push_str("\nSchotter, after Georg Nees (1968). ");
    art.push_str(VERSION_LINE);
    Reply::Verbatim(Bytes::from(art))
}

/// A monochrome bitmap.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<bool>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Canvas {
        Canvas { width, height, pixels: vec![false; width * height] }
    }

    fn set(&mut self, x: i64, y: i64) {
        if x >= 0 && y >= 0 && (x as usize) < self.width && (y as usize) < self.height {
            self.pixels[y as usize * self.width + x as usize] = true;
        }
    }

    fn get(&self, x: usize, y: usize) -> bool {
        x < self.width && y < self.height && self.pixels[y * self.width + x]
    }

    /// A straight line, one pixel wide (Bresenham).
    fn line(&mut self, (mut x0, mut y0): (i64, i64), (x1, y1): (i64, i64)) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let mut err = dx + dy;
        loop {
            self.set(x0, y0);
            if x0 == x1 && y0 == y1 {
                return;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x0 += sx;
            }
            if e2 <= dx {
                err += dx;
                y0 += sy;
            }
        }
    }

    /// The bitmap as braille characters, 2x4 pixels each, one text line per
    /// four pixel rows.
    fn render(&self) -> String {
        // Bit of each dot of a braille cell, by (column, row).
        const DOTS: [[u32; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
        let mut out = String::new();
        for cy in (0..self.height).step_by(4) {
            for cx in (0..self.width).step_by(2) {
                let mut bits = 0;
                for (dx, column) in DOTS.iter().enumerate() {
                    for (dy, bit) in column.iter().enumerate() {
                        if self.get(cx + dx, cy + dy) {
                            bits |= bit;
                        }
                    }
                }
                out.push(char::from_u32(0x2800 + bits).unwrap_or(' '));
            }
            out.push('\n');
        }
        out
    }
}

/// A grid of squares, `per_row` wide and `per_col` deep, on a canvas
/// `cols` braille characters wide: each row turns and shifts its squares a
/// little more at random.
fn schotter(cols: usize, per_row: usize, per_col: usize, seed: u64) -> Canvas {
    let width = cols * 2;
    let side = (width / (per_row + 2)).max(1);
    let mut canvas = Canvas::new(width, side * (per_col + 2));
    let mut state = seed;
    let mut random = move || {
        state = splitmix(state);
        (state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let half = side as f64 / 2.0;
    for row in 0..per_col {
        let disorder = row as f64 / per_col as f64;
        for col in 0..per_row {
            let angle = random() * disorder * std::f64::consts::FRAC_PI_4;
            let cx = (col + 1) as f64 * side as f64 + half + random() * disorder * half;
            let cy = (row + 1) as f64 * side as f64 + half + random() * disorder * half;
            let (sin, cos) = angle.sin_cos();
            let corner = |dx: f64, dy: f64| {
                ((cx + dx * cos - dy * sin).round() as i64, (cy + dx * sin + dy * cos).round() as i64)
            };
            let corners = [corner(-half, -half), corner(half, -half), corner(half, half), corner(-half, half)];
            for i in 0..4 {
                canvas.line(corners[i], corners[(i + 1) % 4]);
            }
        }
    }
    canvas
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orderly_first_row() {
        // One row: no disorder, so a plain square outline.
        let art = schotter(6, 1, 1, 7).render();
        let lines: Vec<&str> = art.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.chars().count() == 6));
        assert!(art.chars().any(|c| c != '\u{2800}' && c != '\n'));
    }

    #[test]
    fn every_size_draws() {
        for (cols, r, c) in [(1, 1, 1), (1, 200, 200), (66, 8, 12), (1000, 1, 1)] {
            let canvas = schotter(cols, r, c, 42);
            assert_eq!(canvas.render().lines().count(), canvas.height.div_ceil(4));
        }
    }
}
