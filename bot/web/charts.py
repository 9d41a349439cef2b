"""Small server-side SVG charts (no JavaScript library, no download): radar and lines."""

from __future__ import annotations

import math
from datetime import datetime
from html import escape
from typing import Dict, List, Sequence, Tuple


def radar(values: Dict[str, float | None], size: int = 320, maximum: float = 3.0) -> str:
    """A radar of averages (0-3) per axis label; ``None`` axes are drawn empty."""
    labels = list(values)
    n = max(len(labels), 3)
    cx = cy = size / 2
    r = size / 2 - 60
    parts = [
        f'<svg class="chart radar" viewBox="0 0 {size} {size}" role="img" '
        f'aria-label="Radar des compétences" xmlns="http://www.w3.org/2000/svg">'
    ]

    def point(i: int, frac: float) -> Tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * frac * math.cos(angle), cy + r * frac * math.sin(angle)

    for level in (1, 2, 3):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, level / maximum) for i in range(n)))
        parts.append(f'<polygon points="{ring}" fill="none" stroke="#c8ccd4" stroke-width="1"/>')
    for i, label in enumerate(labels):
        x, y = point(i, 1)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#c8ccd4"/>')
        lx, ly = point(i, 1.22)
        anchor = "middle" if abs(lx - cx) < 10 else ("start" if lx > cx else "end")
        parts.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" font-size="11" text-anchor="{anchor}" fill="#333">{escape(label)}</text>'
        )
    shape = " ".join(
        f"{x:.1f},{y:.1f}" for x, y in (point(i, (values[label] or 0) / maximum) for i, label in enumerate(labels))
    )
    parts.append(f'<polygon points="{shape}" fill="#2f6fde" fill-opacity="0.35" stroke="#2f6fde" stroke-width="2"/>')
    parts.append("</svg>")
    return "".join(parts)


PALETTE = ["#2f6fde", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c2255c", "#5c940d"]


def lines(series: Dict[str, Sequence[Tuple[datetime, float]]], width: int = 640, height: int = 260) -> str:
    """Scores (0-3) over time, one line per series, with a legend."""
    points = [p for s in series.values() for p in s]
    parts = [
        f'<svg class="chart lines" viewBox="0 0 {width} {height + 20 * ((len(series) + 3) // 4)}" role="img" '
        f'aria-label="Progression dans le temps" xmlns="http://www.w3.org/2000/svg">'
    ]
    left, right, top, bottom = 40, width - 10, 10, height - 30
    for level, name in enumerate(("TI", "I", "S", "TS")):
        y = bottom - (bottom - top) * level / 3
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="#e3e5ea"/>')
        parts.append(f'<text x="4" y="{y + 4:.1f}" font-size="11" fill="#555">{name}</text>')
    if points:
        t0 = min(p[0] for p in points).timestamp()
        t1 = max(p[0] for p in points).timestamp()
        span = max(t1 - t0, 1.0)
        for k, (name, data) in enumerate(series.items()):
            colour = PALETTE[k % len(PALETTE)]
            coords: List[str] = []
            for moment, score in data:
                x = left + (right - left) * ((moment.timestamp() - t0) / span if len(points) > 1 else 0.5)
                y = bottom - (bottom - top) * score / 3
                coords.append(f"{x:.1f},{y:.1f}")
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
            parts.append(f'<polyline points="{" ".join(coords)}" fill="none" stroke="{colour}" stroke-width="2"/>')
            lx = left + (k % 4) * 150
            ly = height + 20 * (k // 4)
            parts.append(f'<rect x="{lx}" y="{ly - 9}" width="10" height="10" fill="{colour}"/>')
            parts.append(f'<text x="{lx + 14}" y="{ly}" font-size="11" fill="#333">{escape(name)}</text>')
    else:
        parts.append(
            f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="#777">Aucune séance notée</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
