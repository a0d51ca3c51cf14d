"""A small server-rendered SVG line chart for the monthly trend (no JavaScript)."""

from flask_babel import gettext as _
from markupsafe import Markup, escape

from wg.formatting import format_number, format_percent
from wg.i18n import text_direction

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 58, 58, 16, 50
AXIS_TITLE_INSET = 14  # distance of the vertical axis titles from the chart's edges


def trend_chart(points, chart_id, title):
    """points: [(label, percent or None, overdue count)]; percent on the left axis (0–100 %),
    overdue actions on the right axis; each axis has its title (months along the bottom). On
    right-to-left pages the chart is mirrored: time runs
    from right to left and the percent axis is on the right (the Arabic catalog says so)."""
    rtl = text_direction() == "rtl"
    n = len(points)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_count = max([p[2] for p in points] + [1])

    def mx(value):
        return WIDTH - value if rtl else value

    def x(i):
        return mx(LEFT + (plot_w * i / (n - 1) if n > 1 else plot_w / 2))

    # SVG anchors follow the text direction: on a right-to-left chart "start" is the right end,
    # so the same logical anchors place every label on the mirrored side.
    start, end = "start", "end"

    def y_pct(v):
        return TOP + plot_h * (1 - v / 100)

    def y_cnt(v):
        return TOP + plot_h * (1 - v / top_count)

    description = _("Percent complete (blue line, left axis) and overdue actions (orange dashed "
                    "line, right axis) at the end of each month; the table below has the "
                    "figures.")
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" class="trend-chart w-100" role="img" '
             f'direction="{"rtl" if rtl else "ltr"}" '
             f'aria-labelledby="{chart_id}-t {chart_id}-d" style="max-height:260px">',
             f'<title id="{chart_id}-t">{escape(title)}</title>',
             f'<desc id="{chart_id}-d">{escape(description)}</desc>']
    for v in (0, 25, 50, 75, 100):
        yy = y_pct(v)
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     f'stroke="#dee2e6" stroke-width="1"/>')
        parts.append(f'<text x="{mx(LEFT - 6)}" y="{yy + 4:.1f}" text-anchor="{end}" '
                     f'font-size="11" fill="#495057">{escape(format_percent(v / 100))}</text>')
    parts.append(f'<text x="{mx(WIDTH - RIGHT + 6)}" y="{TOP + 4}" text-anchor="{start}" '
                 f'font-size="11" fill="#b35c00">{escape(format_number(top_count))}</text>')
    parts.append(f'<text x="{mx(WIDTH - RIGHT + 6)}" y="{TOP + plot_h + 4}" '
                 f'text-anchor="{start}" font-size="11" fill="#b35c00">'
                 f'{escape(format_number(0))}</text>')
    # Axis titles, each vertical one turned to face outwards from its side of the chart.
    middle = TOP + plot_h / 2
    for xx, turn, color, text in ((mx(AXIS_TITLE_INSET), -90, "#0a58ca", _("Percent complete")),
                                  (mx(WIDTH - AXIS_TITLE_INSET), 90, "#b35c00",
                                   _("Overdue actions"))):
        turn = -turn if rtl else turn
        parts.append(f'<text x="{xx}" y="{middle:.1f}" text-anchor="middle" font-size="11" '
                     f'fill="{color}" class="axis-title" transform="rotate({turn} {xx} '
                     f'{middle:.1f})">{escape(text)}</text>')
    parts.append(f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT - 4}" text-anchor="middle" font-size="11" '
                 f'fill="#495057" class="axis-title">{escape(_("Month end"))}</text>')
    step = max(1, n // 6)
    for i, (label, _pct, _count) in enumerate(points):
        if i % step == 0 or (i == n - 1 and i % step > step // 2):
            # The first month label hangs inwards, clear of the axis figures; the last is shown
            # only when it does not crowd the one before.
            anchor = start if i == 0 else "middle"
            parts.append(f'<text x="{x(i):.1f}" y="{TOP + plot_h + 18}" text-anchor="{anchor}" '
                         f'font-size="11" fill="#495057">{escape(label)}</text>')
    overdue = " ".join(f"{x(i):.1f},{y_cnt(p[2]):.1f}" for i, p in enumerate(points))
    if n:
        parts.append(f'<polyline points="{overdue}" fill="none" stroke="#d97706" '
                     f'stroke-width="2" stroke-dasharray="5 3"/>')
    segment = []
    segments = []
    for i, p in enumerate(points):
        if p[1] is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i):.1f},{y_pct(p[1]):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        parts.append(f'<polyline points="{" ".join(seg)}" fill="none" stroke="#0d6efd" '
                     f'stroke-width="2.5"/>')
    for i, p in enumerate(points):
        if p[1] is not None:
            tip = escape(_("%(month)s: %(percent)s", month=p[0],
                           percent=format_percent(p[1] / 100, 1)))
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y_pct(p[1]):.1f}" r="3" '
                         f'fill="#0d6efd"><title>{tip}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))
