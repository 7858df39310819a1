//! Band views (Imager, Multiband): bands split by crossover lines over a spectrum. The
//! crossovers are drawn as draggable lines; a band spans from one crossover to the next (the
//! processors keep them sorted, so the spans are taken from the sorted values). The mouse
//! handling turns a press-drag-release on any grabbed handle into one host gesture on the
//! handle's parameter; double-click resets the handle under the pointer.

use crate::theme;
use crate::views::freq_to_x;
use egui::{pos2, Pos2, Rect, Response, Shape, Stroke, Ui};
use nice_plug::prelude::{FloatParam, Param, ParamSetter};

/// Grab distance of a handle (points); a crossover line takes 3/4 of it.
pub const GRAB: f32 = 8.0;

/// Band `b`'s extent in x, between the sorted crossovers `hz` (any order given).
pub fn band_span(rect: Rect, hz: &[f32], b: usize) -> (f32, f32) {
    let mut sorted = [0.0f32; 8];
    let n = hz.len().min(sorted.len());
    sorted[..n].copy_from_slice(&hz[..n]);
    sorted[..n].sort_by(f32::total_cmp);
    let left = if b == 0 {
        rect.left()
    } else {
        freq_to_x(rect, f64::from(sorted[b - 1]))
    };
    let right = if b >= n {
        rect.right()
    } else {
        freq_to_x(rect, f64::from(sorted[b]))
    };
    (left, right)
}

/// The band under x.
pub fn band_at(rect: Rect, hz: &[f32], x: f32) -> usize {
    (0..=hz.len())
        .find(|&b| x < band_span(rect, hz, b).1)
        .unwrap_or(hz.len())
}

/// The crossover (index into `hz`) whose line is under `pos`.
pub fn crossover_at(rect: Rect, hz: &[f32], pos: Pos2) -> Option<usize> {
    hz.iter()
        .position(|&f| (pos.x - freq_to_x(rect, f64::from(f))).abs() <= GRAB * 0.75)
}

/// The crossover lines with a grip at the top; `active` is drawn thicker.
pub fn draw_crossovers(ui: &Ui, rect: Rect, hz: &[f32], active: Option<usize>) {
    let painter = ui.painter_at(rect);
    for (k, &f) in hz.iter().enumerate() {
        let x = freq_to_x(rect, f64::from(f));
        let width = if active == Some(k) { 2.5 } else { 1.5 };
        painter.line_segment(
            [pos2(x, rect.top()), pos2(x, rect.bottom())],
            Stroke::new(width, theme::TEXT),
        );
        painter.add(Shape::convex_polygon(
            vec![
                pos2(x - 5.0, rect.top()),
                pos2(x + 5.0, rect.top()),
                pos2(x, rect.top() + 7.0),
            ],
            theme::TEXT,
            Stroke::NONE,
        ));
    }
}

/// One press-drag-release on a handle is one host gesture on its parameter: `grab_at` finds
/// the handle under a point, `param` its parameter, `value_at` the value for a pointer
/// position. `dragging` holds the open gesture between frames. Double-click resets the
/// handle under the pointer to its default. Returns the handle a drag started on.
pub fn drag_handles<'a, G: Copy + PartialEq>(
    ui: &Ui,
    response: &Response,
    setter: &ParamSetter,
    dragging: &mut Option<G>,
    grab_at: impl Fn(Pos2) -> Option<G>,
    param: impl Fn(G) -> &'a FloatParam,
    value_at: impl Fn(G, Pos2) -> f32,
) -> Option<G> {
    let mut started = None;
    if response.drag_started() {
        let origin = ui.input(|i| i.pointer.press_origin());
        if let Some(g) = origin.and_then(&grab_at) {
            *dragging = Some(g);
            started = Some(g);
            setter.begin_set_parameter(param(g));
        }
    }
    if let (Some(g), Some(pos)) = (*dragging, response.interact_pointer_pos()) {
        if response.dragged() {
            setter.set_parameter(param(g), value_at(g, pos));
        }
    }
    if response.drag_stopped() || (dragging.is_some() && !response.dragged()) {
        if let Some(g) = dragging.take() {
            setter.end_set_parameter(param(g));
        }
    }
    if response.double_clicked() {
        if let Some(g) = response.interact_pointer_pos().and_then(&grab_at) {
            let p = param(g);
            setter.begin_set_parameter(p);
            setter.set_parameter(p, p.default_plain_value());
            setter.end_set_parameter(p);
        }
    }
    started
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::x_to_freq;

    #[test]
    fn spans_follow_the_sorted_crossovers() {
        let rect = Rect::from_min_size(pos2(10.0, 0.0), egui::vec2(600.0, 100.0));
        let hz = [2000.0, 200.0];
        let x = |f: f64| freq_to_x(rect, f);
        assert_eq!(band_span(rect, &hz, 0), (rect.left(), x(200.0)));
        assert_eq!(band_span(rect, &hz, 1), (x(200.0), x(2000.0)));
        assert_eq!(band_span(rect, &hz, 2), (x(2000.0), rect.right()));
        assert_eq!(band_at(rect, &hz, x(100.0)), 0);
        assert_eq!(band_at(rect, &hz, x(1000.0)), 1);
        assert_eq!(band_at(rect, &hz, rect.right()), 2);
        assert_eq!(
            crossover_at(rect, &hz, pos2(x(2000.0) + 3.0, 50.0)),
            Some(0)
        );
        assert_eq!(crossover_at(rect, &hz, pos2(x(700.0), 50.0)), None);
        assert!((x_to_freq(rect, x(200.0)) - 200.0).abs() < 1e-3);
    }
}
