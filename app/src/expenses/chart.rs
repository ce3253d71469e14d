//! The spending chart: one horizontal bar per category, drawn as SVG.

use leptos::prelude::*;

use super::model::CategoryTotal;

const ROW: f32 = 28.0;
const LABEL_WIDTH: f32 = 110.0;
const BAR_WIDTH: f32 = 300.0;

/// Bars for the totals in `currency` (other currencies are listed apart by the page).
#[component]
pub fn CategoryChart(totals: Vec<CategoryTotal>, currency: String) -> impl IntoView {
    let rows: Vec<CategoryTotal> = totals
        .into_iter()
        .filter(|t| t.currency == currency)
        .collect();
    let max = rows.iter().map(|t| t.total.0).max().unwrap_or(1).max(1) as f32;
    let height = ROW * rows.len().max(1) as f32;
    let width = LABEL_WIDTH + BAR_WIDTH + 90.0;
    let summary = rows
        .iter()
        .map(|t| format!("{} {} {}", t.category.as_str(), t.total, t.currency))
        .collect::<Vec<_>>()
        .join(", ");
    let bars = rows
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let y = i as f32 * ROW;
            let w = (t.total.0 as f32 / max * BAR_WIDTH).max(2.0);
            view! {
                <g data-category=t.category.as_str()>
                    <text x="0" y=y + ROW * 0.65 class="fill-slate-700 text-[12px] dark:fill-slate-300">{t.category.as_str()}</text>
                    <rect x=LABEL_WIDTH y=y + 5.0 width=w height=ROW - 10.0 rx="3" fill=t.category.color()></rect>
                    <text x=LABEL_WIDTH + w + 6.0 y=y + ROW * 0.65 class="fill-slate-700 text-[12px] dark:fill-slate-300">
                        {t.total.to_string()}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <svg role="img" aria-label=format!("Spending by category: {summary}") viewBox=format!("0 0 {width} {height}")
            class="h-auto w-full max-w-xl" preserveAspectRatio="xMinYMin meet">
            {bars}
        </svg>
    }
}
