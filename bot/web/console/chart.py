"""The dashboard's chart: reminders per day as grouped bars, drawn as SVG on the server."""

from __future__ import annotations

from markupsafe import escape


def svg(series: list[tuple[str, int, int, int]], labels: dict[str, str]) -> str:
    """Grouped bars, drawn here as SVG: no script, no CDN, works offline and under a strict CSP."""
    width, height, left, bottom = 640, 220, 36, 24
    top = max([1] + [max(s, d, f) for _, s, d, f in series])
    slot = (width - left) / len(series)
    bar = max(1.0, slot / 4)
    colors = (("sent", "#4a6fa5"), ("delivered", "#3c8d5a"), ("failed", "#c0392b"))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 20}" role="img" '
        f'aria-label="{escape(labels["title"])}" class="chart">'
    ]
    for n in (0, top):
        y = height - bottom - (height - bottom - 10) * n / top
        parts.append(f'<text x="2" y="{y + 4:.0f}" font-size="10">{n}</text>')
    for i, (day, *values) in enumerate(series):
        x0 = left + i * slot
        for j, ((_, color), value) in enumerate(zip(colors, values, strict=True)):
            h = (height - bottom - 10) * value / top
            parts.append(
                f'<rect x="{x0 + j * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{color}"><title>{day} {escape(labels[colors[j][0]])}: {value}'
                "</title></rect>"
            )
        if i % 7 == 0:
            parts.append(f'<text x="{x0:.0f}" y="{height - 6}" font-size="10">{day[5:]}</text>')
    for j, (key, color) in enumerate(colors):
        parts.append(
            f'<rect x="{left + j * 120}" y="{height + 6}" width="10" height="10" fill="{color}"/>'
            f'<text x="{left + j * 120 + 14}" y="{height + 15}" font-size="11">{escape(labels[key])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
