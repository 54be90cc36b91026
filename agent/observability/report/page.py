"""The report as one self-contained HTML page, and as a one-screen text summary (pure).

No scripts, no web fonts, no CDN: the page is a file an operator can mail or attach to a
ticket and open anywhere.
"""

from __future__ import annotations

import time
from html import escape

from agent.observability.report import svg
from agent.observability.report.summary import LATENCY_SERIES, Summary

OUTCOME_COLORS = {"resolved": "#16a34a", "escalated": "#d97706", "abandoned": "#9ca3af"}
MAX_COST_COLUMNS = 300

_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;max-width:1200px;color:#1f2937;
background:#f9fafb}h1{font-size:24px;margin:0 0 4px}h2{font-size:16px;margin:0 0 12px}
.sub{color:#6b7280;margin-bottom:20px}.tiles{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:20px}
.tile{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:12px 16px;min-width:150px}
.tile b{display:block;font-size:22px}.tile span{color:#6b7280;font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:16px}
section{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:16px;min-width:0}
svg.chart{display:block;width:100%;height:auto}
table{border-collapse:collapse;font-size:13px}td,th{padding:4px 12px;text-align:right;border-bottom:1px solid #f3f4f6}
th:first-child,td:first-child{text-align:left}.warn{color:#b45309}
"""


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts)) if ts is not None else "-"


def _bucket_label(bucket_s: int):  # type: ignore[no-untyped-def]
    fmt = "%m-%d" if bucket_s >= 86400 else "%H:%M"
    return lambda ts: time.strftime(fmt, time.gmtime(ts))


def _money(value: float | None, currency: str) -> str:
    return "-" if value is None else f"{value:,.4f} {currency}".strip()


def tiles(s: Summary) -> list[tuple[str, str]]:
    latency = s.stages.get("latency")
    return [
        ("calls", f"{s.calls}"),
        ("automation rate (resolved, no person)", f"{s.rate('resolved'):.0%}"),
        ("escalated to a person", f"{s.rate('escalated'):.0%}"),
        ("p95 response latency", f"{latency.p95:,.0f} ms" if latency else "-"),
        ("cost per call", _money(s.cost_per_call if s.costs else None, s.currency)),
        ("cost per resolved call", _money(s.cost_per_resolved, s.currency)),
    ]


def render_html(s: Summary, *, title: str = "switchboard calls", source: str = "") -> str:
    label = _bucket_label(s.bucket_s or 3600)
    series = {q: {k: [(start, getattr(p[k], q)) for start, p in s.stages_over_time if k in p]
                  for k in LATENCY_SERIES if any(k in p for _, p in s.stages_over_time)}
              for q in ("p50", "p95")}
    costs = s.costs[-MAX_COST_COLUMNS:]
    charts = [
        ("Latency p50 per stage over time", svg.line_chart(
            "latency-p50", "Latency p50 per stage over time", series["p50"], label)),
        ("Latency p95 per stage over time", svg.line_chart(
            "latency-p95", "Latency p95 per stage over time", series["p95"], label)),
        ("Automation vs escalation", svg.share_bar("outcomes", "Call outcomes", [
            (k, float(s.outcomes.get(k, 0)), OUTCOME_COLORS[k]) for k in OUTCOME_COLORS]
            + [(k, float(v), "#6b7280") for k, v in s.outcomes.items() if k not in OUTCOME_COLORS])),
        ("Route mix", svg.bar_chart("routes", "Routes by target",
                                    [(k, float(v)) for k, v in s.routes.most_common()],
                                    value_label=lambda v: f"{v:.0f}")),
        ("Top escalation reasons", svg.bar_chart("escalations", "Top escalation reasons",
                                                 [(k, float(v)) for k, v in s.escalation_reasons.most_common(10)],
                                                 value_label=lambda v: f"{v:.0f}")),
        (f"Cost per call ({escape(s.currency) or 'no price table'}; last {len(costs)} calls; green resolved, "
         "orange escalated, grey abandoned)", svg.column_chart(
            "cost", "Estimated cost per call", [(c, OUTCOME_COLORS.get(o, "#6b7280")) for _, c, o in costs],
            unit=s.currency)),
    ]
    rows = "".join(
        f"<tr><td>{escape(k)}</td><td>{p.n}</td><td>{p.p50:,.1f}</td><td>{p.p90:,.1f}</td><td>{p.p95:,.1f}</td></tr>"
        for k, p in ((k, s.stages[k]) for k in LATENCY_SERIES if k in s.stages))
    tool_rows = "".join(f"<tr><td>{escape(k)}</td><td>{v}</td></tr>" for k, v in s.tool_errors.most_common(10))
    warn = (f'<p class="warn">{s.skipped_lines} malformed line(s) in the call records were skipped.</p>'
            if s.skipped_lines else "")
    parts = [
        f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{escape(title)}</h1>",
        f'<div class="sub">{s.calls} calls, {_when(s.first_at)} to {_when(s.last_at)} UTC'
        f'{" from " + escape(source) if source else ""}</div>{warn}<div class="tiles">',
        *(f'<div class="tile"><b>{escape(v)}</b><span>{escape(k)}</span></div>' for k, v in tiles(s)),
        '</div><div class="grid">',
        *(f"<section><h2>{h}</h2>{chart}</section>" for h, chart in charts),
        "<section><h2>Latency percentiles (ms, all turns)</h2><table><tr><th>stage</th><th>turns</th>"
        f"<th>p50</th><th>p90</th><th>p95</th></tr>{rows}</table></section>",
        f"<section><h2>Tool errors ({sum(s.tool_errors.values())} of {s.tool_calls} calls to tools)</h2>"
        f"<table><tr><th>tool</th><th>errors</th></tr>{tool_rows}</table></section>",
        f"<section><h2>Audio</h2><table><tr><td>caller audio</td><td>{s.audio_in_s / 60:,.1f} min</td></tr>"
        f"<tr><td>agent audio</td><td>{s.audio_out_s / 60:,.1f} min</td></tr></table></section>",
        "</div></body></html>",
    ]
    return "".join(parts)


def render_text(s: Summary, *, width: int = 78) -> str:
    """What fits on one terminal screen."""
    lines = [f"switchboard calls: {s.calls} ({_when(s.first_at)} to {_when(s.last_at)} UTC)", "-" * width]
    lines += [f"  {k:<40} {v}" for k, v in tiles(s)[1:]]
    if s.stages:
        lines.append("  latency ms        p50      p90      p95   turns")
        lines += [f"    {k:<12} {p.p50:>8,.0f} {p.p90:>8,.0f} {p.p95:>8,.0f} {p.n:>7}"
                  for k, p in ((k, s.stages[k]) for k in LATENCY_SERIES if k in s.stages)]
    if s.routes:
        lines.append("  routes: " + ", ".join(f"{k} {v}" for k, v in s.routes.most_common(6)))
    if s.escalation_reasons:
        lines.append("  top escalation reasons: " + ", ".join(
            f"{k} {v}" for k, v in s.escalation_reasons.most_common(5)))
    if s.tool_errors:
        lines.append(f"  tool errors: {sum(s.tool_errors.values())} of {s.tool_calls} tool calls")
    if s.skipped_lines:
        lines.append(f"  ({s.skipped_lines} malformed record line(s) skipped)")
    return "\n".join(line[:width] for line in lines)
