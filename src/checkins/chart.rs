//! The chart of `stats`: the on-time share per month, a line per top-level team, as a PNG.
//!
//! Drawn in memory with plotters and encoded with `png`; the text uses Lato (SIL Open Font
//! License, `assets/fonts/OFL.txt`), embedded in the binary, so the chart looks the same on
//! a machine without any fonts installed.

use std::sync::Once;

use plotters::prelude::*;

use super::stats::Stats;
use crate::ids::UserId;

/// The chart's width in pixels.
pub const WIDTH: u32 = 900;
/// The chart's height in pixels.
pub const HEIGHT: u32 = 450;

/// The family name the embedded font is registered under.
const FONT: &str = "career-bot-sans";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/Lato-Regular.ttf");
static REGISTER: Once = Once::new();

/// Drawing or encoding the chart failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw the chart: {0}")]
pub struct ChartError(String);

fn failed(error: impl std::fmt::Display) -> ChartError {
    ChartError(error.to_string())
}

/// Colours that stay apart for eight lines.
const COLOURS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// The PNG of `stats`' on-time share per month; `label` names each team's top manager.
pub fn on_time_png(
    stats: &Stats,
    label: &dyn Fn(&UserId) -> String,
) -> Result<Vec<u8>, ChartError> {
    REGISTER.call_once(|| {
        // The bytes are a valid TrueType font checked in with the code; a failure would
        // show as missing text, which the chart test would catch.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES);
    });
    let mut pixels = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    draw(stats, label, &mut pixels)?;
    encode(&pixels)
}

fn draw(
    stats: &Stats,
    label: &dyn Fn(&UserId) -> String,
    pixels: &mut [u8],
) -> Result<(), ChartError> {
    let root = BitMapBackend::with_buffer(pixels, (WIDTH, HEIGHT)).into_drawing_area();
    root.fill(&WHITE).map_err(failed)?;
    let months = stats.months.len().max(1);
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "Share of conversations held on time, {} to {}",
                stats.from, stats.to
            ),
            (FONT, 20),
        )
        .margin(12)
        .margin_right(36)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(0usize..months.saturating_sub(1).max(1), 0f64..100f64)
        .map_err(failed)?;
    let month_label = |index: &usize| {
        stats
            .months
            .get(*index)
            .map(|month| month.format("%b %y").to_string())
            .unwrap_or_default()
    };
    chart
        .configure_mesh()
        .x_labels(months.min(12))
        .x_label_formatter(&month_label)
        .y_label_formatter(&|share| format!("{share:.0}%"))
        .label_style((FONT, 13))
        .draw()
        .map_err(failed)?;
    for (index, team) in stats.teams.iter().enumerate() {
        let colour = COLOURS[index % COLOURS.len()];
        let points: Vec<(usize, f64)> = team
            .on_time
            .iter()
            .enumerate()
            .filter_map(|(month, share)| share.map(|share| (month, share * 100.0)))
            .collect();
        let name = match &team.team {
            Some(manager) => label(manager),
            None => "others".to_owned(),
        };
        chart
            .draw_series(LineSeries::new(points.clone(), colour.stroke_width(2)))
            .map_err(failed)?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], colour.stroke_width(2))
            });
        chart
            .draw_series(
                points
                    .into_iter()
                    .map(|point| Circle::new(point, 3, colour.filled())),
            )
            .map_err(failed)?;
    }
    if !stats.teams.is_empty() {
        chart
            .configure_series_labels()
            .label_font((FONT, 13))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::LowerLeft)
            .draw()
            .map_err(failed)?;
    }
    root.present().map_err(failed)?;
    Ok(())
}

fn encode(pixels: &[u8]) -> Result<Vec<u8>, ChartError> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(failed)?;
    writer.write_image_data(pixels).map_err(failed)?;
    writer.finish().map_err(failed)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::checkins::Cadence;
    use crate::checkins::org::Org;
    use crate::checkins::stats::{Answer, Conversation, Conversations, Scope, compute};

    #[test]
    fn the_chart_is_a_png_of_the_stated_size() {
        let held_on: NaiveDate = "2026-03-10".parse().expect("date");
        let mut conversations = Conversations::default();
        let boss = conversations.manager("boss");
        conversations.push(Conversation {
            manager: boss,
            held_on,
            previous: Some("2026-01-01".parse().expect("date")),
            cadence: Cadence::default(),
            answer: Answer::Confirmed,
        });
        let stats = compute(&conversations, &Org::default(), Scope::Everyone, held_on, 6);
        let png = on_time_png(&stats, &|id| id.to_string()).expect("chart");
        let decoder = png::Decoder::new(std::io::Cursor::new(&png));
        let reader = decoder.read_info().expect("a PNG");
        assert_eq!((reader.info().width, reader.info().height), (WIDTH, HEIGHT));
        // Text and lines were drawn: not every pixel is white.
        let mut reader = reader;
        let mut pixels = vec![0; reader.output_buffer_size()];
        reader.next_frame(&mut pixels).expect("frame");
        assert!(pixels.iter().any(|byte| *byte < 128));
    }
}
