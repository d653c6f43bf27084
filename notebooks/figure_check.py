"""Checks that a reader can see everything in the notebooks' matplotlib figures.

``build.py`` and ``tests/test_notebooks.py`` run this inside the notebook's kernel, before
the first cell and invisibly (no cell, no output, no execution count): :func:`install`
wraps matplotlib's ``FigureCanvasBase.print_figure``, which every inline figure goes
through when it is shown, so each figure is checked exactly as it is when the reader sees
it. :func:`report` returns what was found. The notebooks themselves never import this.

A figure passes when, drawn at its own size and dpi:

* **nothing is outside the figure**: the box ``bbox_inches='tight'`` would save
  (``Figure.get_tightbbox``) lies inside the figure's own extent. Jupyter saves with
  ``bbox_inches='tight'`` and so shows such overhangs, but ``savefig`` without it, and
  other front ends, cut them off; they are also a sign of a layout that was not done;
* **no text is cut off**: every text lies inside the figure, inside its clip box if it has
  one, and a text placed inside an axes (``ax.text``, ``ax.annotate``) stays inside that
  axes instead of running over its frame;
* **no text is smaller than 8 pt** (``MIN_FONT_PT``), tick labels and legends included;
* **text on an image can be read**: a text written over an ``imshow`` cell (a number in a
  heat map) has a contrast ratio of at least 4.5 (``MIN_CONTRAST``, the WCAG level for
  normal text) with the cell's colour: white on dark cells, black on light ones;
* **no two texts overlap or touch** (titles, axis labels, tick labels, annotations,
  legends' texts): there is at least a pixel between any two;
* **no legend covers data**: no plotted line, marker, scatter point or bar passes under a
  legend, and no text written in an axes (``ax.text``, ``ax.annotate``) sits on a curve or
  on scatter points;
* **no curve hides another**: no solid line lies on top of another line of about its
  width (within a couple of pixels) over most of the lower one's length, so that a reader
  could not see both; and no curve runs along a horizontal or vertical reference line
  (``axhline``, ``axvline``), where it is taken for the line. A wide line under a thin
  one, or any line under a dashed one, stays visible and passes; where an overlap is the
  point anyway, give one of the lines ``gid="overlap-ok"``.

Each problem is a short sentence naming the figure's titles, so that a failing test says
which picture to fix.
"""
from __future__ import annotations

import json

import numpy as np

MIN_FONT_PT = 8.0
MIN_CONTRAST = 4.5     # WCAG AA for normal text; black or white always reaches it on some cell
TOL_PX = 1.5           # rounding slack for extents, in pixels
CLOSE_PX = 2.0         # two curves closer than this (plus half their widths) coincide
HIDDEN_SHARE = 0.8     # ... over this share of the lower curve's length: it is hidden
OVERLAP_OK = "overlap-ok"

PROBLEMS: list[dict] = []
_FIGURES_SEEN = [0]
_INSTALLED = [False]


def _describe(fig) -> str:
    titles = []
    if getattr(fig, "_suptitle", None) is not None and fig._suptitle.get_text():
        titles.append(fig._suptitle.get_text())
    for ax in fig.axes:
        for loc in ("center", "left", "right"):
            t = ax.get_title(loc)
            if t:
                titles.append(t)
    text = " | ".join(titles) if titles else "(untitled)"
    return text if len(text) < 160 else text[:157] + "..."


def _short(s: str, n: int = 50) -> str:
    s = " ".join(s.split())
    return repr(s if len(s) <= n else s[: n - 3] + "...")


def _inside(inner, outer, tol=TOL_PX) -> bool:
    return (inner.x0 >= outer.x0 - tol and inner.y0 >= outer.y0 - tol
            and inner.x1 <= outer.x1 + tol and inner.y1 <= outer.y1 + tol)


def _overhang(inner, outer) -> str:
    parts = []
    for side, d in (("left", outer.x0 - inner.x0), ("bottom", outer.y0 - inner.y0),
                    ("right", inner.x1 - outer.x1), ("top", inner.y1 - outer.y1)):
        if d > TOL_PX:
            parts.append(f"{d:.0f} px {side}")
    return ", ".join(parts)


def _draw_collecting_texts(fig):
    """Draw ``fig`` and return (renderer, the Text artists actually drawn, non-empty)."""
    from matplotlib.text import Text

    drawn = []
    original = Text.draw

    def draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append(self)

    Text.draw = draw
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original
    renderer = fig.canvas.get_renderer()
    seen, unique = set(), []
    for t in drawn:                      # an Annotation draws through Text.draw once
        if id(t) not in seen:
            seen.add(id(t))
            unique.append(t)
    return renderer, unique


def _text_extent(t, renderer):
    from matplotlib.text import Text

    return Text.get_window_extent(t, renderer)     # the text alone, not an annotation's arrow


def _text_polygon(t, ext, renderer):
    """The corners of a text's own (possibly rotated) rectangle, in display coordinates."""
    angle = t.get_rotation() % 180
    if min(angle % 90, 90 - angle % 90) < 1e-6:          # horizontal or vertical: its extent
        return np.array([[ext.x0, ext.y0], [ext.x1, ext.y0], [ext.x1, ext.y1], [ext.x0, ext.y1]])
    from matplotlib.text import Text

    rotation = t.get_rotation()
    t.set_rotation(0)
    try:
        flat = Text.get_window_extent(t, renderer)
    finally:
        t.set_rotation(rotation)
    w, h = flat.width / 2, flat.height / 2
    c, s = np.cos(np.radians(rotation)), np.sin(np.radians(rotation))
    centre = np.array([(ext.x0 + ext.x1) / 2, (ext.y0 + ext.y1) / 2])
    corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]])
    return centre + corners @ np.array([[c, s], [-s, c]])


def _overlaps(p, q):
    """Overlap of two convex polygons projected on each axis normal to one of their edges."""
    out, seen = [], []
    for poly in (p, q):
        for k in range(len(poly)):
            edge = poly[(k + 1) % len(poly)] - poly[k]
            norm = np.hypot(*edge)
            if norm < 1e-9:
                continue
            angle = np.degrees(np.arctan2(edge[1], edge[0])) % 180
            if any(min(abs(angle - a), 180 - abs(angle - a)) < 1e-6 for a in seen):
                continue                                  # parallel edges: the same axis
            seen.append(angle)
            normal = np.array([-edge[1], edge[0]]) / norm
            a, b = p @ normal, q @ normal
            out.append(min(a.max(), b.max()) - max(a.min(), b.min()))
    return out


def _clip_extent(t):
    from matplotlib.transforms import Bbox

    if not t.get_clip_on():
        return None
    box = t.get_clip_box()
    path = t.get_clip_path()
    if path is not None:
        path_box = path.get_fully_transformed_path().get_extents()
        return path_box if box is None else Bbox.intersection(box, path_box)
    return box


def _line_display_xy(line):
    """A line's points in display coordinates (NaN breaks kept), or None if not drawable."""
    if not line.get_visible():
        return None
    path = line.get_transform().transform_path(line.get_path())
    xy = np.asarray(path.vertices, dtype=float)
    if len(xy) == 0 or not np.isfinite(xy).any():
        return None
    return xy


def _has_stroke(line) -> bool:
    return line.get_linestyle() not in ("None", "none", "", " ") and line.get_linewidth() > 0


def _has_markers(line) -> bool:
    return line.get_marker() not in (None, "None", "none", "", " ")


def _is_solid(line) -> bool:
    return line.get_linestyle() in ("-", "solid")


def _is_straight(line) -> bool:
    """A reference line: horizontal or vertical across the whole axes (axhline, axvline)."""
    xy = _line_display_xy(line)
    xy = xy[np.isfinite(xy).all(axis=1)] if xy is not None else None
    if xy is None or len(xy) < 2 or line.axes is None:
        return False
    box = line.axes.bbox
    return bool((np.ptp(xy[:, 1]) < 0.5 and np.ptp(xy[:, 0]) >= 0.99 * box.width)
                or (np.ptp(xy[:, 0]) < 0.5 and np.ptp(xy[:, 1]) >= 0.99 * box.height))


def _resample(xy, step=2.0, max_points=600):
    """Points every ``step`` px along a polyline (NaN = a break), at most ``max_points``."""
    out = []
    for a, b in zip(xy[:-1], xy[1:]):
        if not (np.isfinite(a).all() and np.isfinite(b).all()):
            continue
        n = max(1, int(np.hypot(*(b - a)) // step))
        t = np.arange(n) / n
        out.append(a + t[:, None] * (b - a))
    if len(xy) and np.isfinite(xy[-1]).all():
        out.append(xy[-1:])
    if not out:
        return np.empty((0, 2))
    pts = np.concatenate(out)
    if len(pts) > max_points:
        pts = pts[np.linspace(0, len(pts) - 1, max_points).astype(int)]
    return pts


def _distance_to_polyline(points, xy):
    """Distance from each point to the nearest segment of the polyline ``xy``."""
    a, b = xy[:-1], xy[1:]
    ok = np.isfinite(a).all(axis=1) & np.isfinite(b).all(axis=1)
    a, b = a[ok], b[ok]
    if len(a) == 0:
        finite = xy[np.isfinite(xy).all(axis=1)]
        if len(finite) == 0:
            return np.full(len(points), np.inf)
        return np.min(np.linalg.norm(points[:, None] - finite[None], axis=2), axis=1)
    best = np.full(len(points), np.inf)
    for lo in range(0, len(a), 2000):          # chunks keep the arrays small
        sa, sb = a[lo:lo + 2000], b[lo:lo + 2000]
        d = sb - sa
        L2 = np.maximum((d ** 2).sum(axis=1), 1e-12)
        t = np.clip(((points[:, None] - sa[None]) * d[None]).sum(axis=2) / L2, 0, 1)
        proj = sa[None] + t[..., None] * d[None]
        best = np.minimum(best, np.linalg.norm(points[:, None] - proj, axis=2).min(axis=1))
    return best


def _luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour in [0, 1]."""
    c = np.asarray(rgb[:3], dtype=float)
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2])


def contrast_ratio(fg, bg) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    from matplotlib.colors import to_rgba

    a, b = _luminance(to_rgba(fg)), _luminance(to_rgba(bg))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def _colour_under(ax, x, y, renderer):
    """The colour of the topmost image of ``ax`` at display point (x, y), on white; or None."""
    from types import SimpleNamespace

    from matplotlib.colors import to_rgba

    for im in sorted(ax.images, key=lambda i: i.get_zorder(), reverse=True):
        if not im.get_visible() or not im.get_window_extent(renderer).contains(x, y):
            continue
        value = im.get_cursor_data(SimpleNamespace(x=x, y=y, inaxes=ax))
        if value is None:
            continue
        arr = np.asarray(value, dtype=float)
        if arr.ndim == 0:
            if np.ma.is_masked(value) or not np.isfinite(arr):
                continue
            rgba = np.asarray(im.to_rgba(float(arr)), dtype=float)
        else:                                   # an RGB(A) image
            rgba = arr / (255.0 if arr.max() > 1 else 1.0)
            if len(rgba) == 3:
                rgba = np.r_[rgba, 1.0]
        alpha = rgba[3] * (im.get_alpha() if im.get_alpha() is not None else 1.0)
        face = np.asarray(to_rgba(ax.get_facecolor()))[:3]
        return alpha * rgba[:3] + (1 - alpha) * face
    return None


def _lines_under(ax, ext):
    """The curves and scatter points of ``ax`` that pass under the box ``ext``."""
    inner = (ext.x0 + 1, ext.y0 + 1, ext.x1 - 1, ext.y1 - 1)
    box = ax.bbox
    found = []

    def inside(pts):
        return ((pts[:, 0] > inner[0]) & (pts[:, 0] < inner[2]) & (pts[:, 1] > inner[1])
                & (pts[:, 1] < inner[3]) & (pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1)
                & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1))

    for line in ax.lines:
        if line.get_gid() == OVERLAP_OK:
            continue
        xy = _line_display_xy(line)
        if xy is None:
            continue
        pts = _resample(xy, step=1.0, max_points=20000) if _has_stroke(line) else xy[np.isfinite(xy).all(axis=1)]
        if len(pts) and inside(pts).any():
            found.append(_label(line))
    centre = np.array([(ext.x0 + ext.x1) / 2, (ext.y0 + ext.y1) / 2])
    for coll in ax.collections:
        if coll.get_visible() and type(coll).__name__ == "PathCollection" and coll.get_gid() != OVERLAP_OK:
            offsets = np.asarray(coll.get_offset_transform().transform(coll.get_offsets()), dtype=float)
            if not len(offsets):
                continue
            # a text centred on a marker big enough to hold it is that marker's label (a node)
            sizes = np.resize(np.asarray(coll.get_sizes(), dtype=float), len(offsets))
            radius = np.sqrt(sizes) / 2 * ax.figure.dpi / 72
            labelled = np.linalg.norm(offsets - centre, axis=1) <= radius
            if (inside(offsets) & ~labelled).any():
                found.append(f"scatter points of {_label(coll)}")
    return found


def _label(artist) -> str:
    lab = artist.get_label() or ""
    return _short(lab, 40) if lab and not lab.startswith("_") else f"an unlabelled {type(artist).__name__}"


def check_figure(fig) -> list[str]:
    """Everything a reader could not see in ``fig``, as short sentences (empty: all fine)."""
    from matplotlib.collections import Collection
    from matplotlib.legend import Legend
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import Bbox

    problems: list[str] = []
    renderer, texts = _draw_collecting_texts(fig)
    fig_box = fig.bbox
    px_per_pt = fig.dpi / 72

    # 1. the whole drawing inside the figure (what bbox_inches='tight' would add)
    tight = fig.get_tightbbox(renderer)
    if tight is not None:
        tight_px = Bbox.from_extents(*(np.array(tight.extents) * fig.dpi))
        if not _inside(tight_px, fig_box):
            problems.append(f"the drawing extends beyond the figure ({_overhang(tight_px, fig_box)}); "
                            "bbox_inches='tight' hides this in Jupyter, savefig cuts it off")

    # 2. texts: size, inside the figure, inside their clip box and their axes
    axes_of_text = {}
    for ax in fig.axes:
        for t in ax.texts:
            axes_of_text[id(t)] = ax
    extents, small, low_contrast = [], {}, []
    for t in texts:
        ext = _text_extent(t, renderer)
        extents.append(ext)
        size = t.get_fontsize()
        if size < MIN_FONT_PT - 1e-6:
            small.setdefault(size, []).append(t.get_text())
        if not _inside(ext, fig_box):
            problems.append(f"text {_short(t.get_text())} is cut off by the figure's edge "
                            f"({_overhang(ext, fig_box)})")
        clip = _clip_extent(t)
        if clip is not None and not _inside(ext, clip):
            problems.append(f"text {_short(t.get_text())} is clipped ({_overhang(ext, clip)})")
        ax = axes_of_text.get(id(t))
        if ax is not None and ax.images and t.get_bbox_patch() is None:
            cx, cy = (ext.x0 + ext.x1) / 2, (ext.y0 + ext.y1) / 2
            under = _colour_under(ax, cx, cy, renderer)
            if under is not None:
                ratio = contrast_ratio(t.get_color(), under)
                if ratio < MIN_CONTRAST:
                    low_contrast.append((ratio, t.get_text()))
        if ax is not None and t.get_gid() != OVERLAP_OK:
            under = _lines_under(ax, ext)
            if under:
                problems.append(f"text {_short(t.get_text())} is written over {', '.join(under)}")
        if ax is not None:
            box = ax.get_window_extent(renderer)
            overlaps = ext.x1 > box.x0 and ext.x0 < box.x1 and ext.y1 > box.y0 and ext.y0 < box.y1
            if overlaps and not _inside(ext, box):
                problems.append(f"text {_short(t.get_text())} runs over the edge of its axes "
                                f"{_short(ax.get_title(), 40)} ({_overhang(ext, box)})")

    for size, words in sorted(small.items()):
        examples = ", ".join(_short(w, 25) for w in words[:3])
        problems.append(f"{len(words)} text{'s' if len(words) > 1 else ''} at {size:g} pt, under "
                        f"{MIN_FONT_PT:g} pt: {examples}{', ...' if len(words) > 3 else ''}")

    if low_contrast:
        worst = min(r for r, _ in low_contrast)
        examples = ", ".join(_short(w, 25) for _, w in low_contrast[:3])
        problems.append(f"{len(low_contrast)} text{'s' if len(low_contrast) > 1 else ''} on an image "
                        f"with too little contrast (lowest {worst:.1f}, need {MIN_CONTRAST:g}): "
                        f"{examples}{', ...' if len(low_contrast) > 3 else ''}")

    # 3. texts on top of each other, or touching (no gap between them)
    shapes = [_text_polygon(t, ext, renderer) for t, ext in zip(texts, extents)]
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            a, b = extents[i], extents[j]
            if min(a.x1, b.x1) - max(a.x0, b.x0) <= -1 or min(a.y1, b.y1) - max(a.y0, b.y0) <= -1:
                continue                                  # far apart
            # the overlap of the two shapes along each axis that could separate them
            # (> 0: overlap, < 0: the gap); they collide when no axis has a 1 px gap and
            # they overlap by more than 2 px along all axes but one (corners that just meet pass)
            overlaps = _overlaps(shapes[i], shapes[j])
            if min(overlaps) > -1 and sum(o > 2 for o in overlaps) >= len(overlaps) - 1:
                problems.append(f"texts {_short(texts[i].get_text(), 35)} and "
                                f"{_short(texts[j].get_text(), 35)} overlap or touch")

    # 4. legends over data, 5. curves on top of curves
    legends = [(a, a.get_legend()) for a in fig.axes if a.get_legend() is not None]
    legends += [(None, leg) for leg in fig.legends]
    for owner, leg in legends:
        if not leg.get_visible():
            continue
        lbox = leg.get_window_extent(renderer)
        inner = Bbox.from_extents(lbox.x0 + TOL_PX, lbox.y0 + TOL_PX,
                                        lbox.x1 - TOL_PX, lbox.y1 - TOL_PX)
        for ax in fig.axes:
            abox = ax.get_window_extent(renderer)
            if not (inner.x1 > abox.x0 and inner.x0 < abox.x1 and inner.y1 > abox.y0 and inner.y0 < abox.y1):
                continue
            covered = []
            for line in ax.lines:
                xy = _line_display_xy(line)
                if xy is None:
                    continue
                pts = _resample(xy, step=1.0, max_points=20000) if _has_stroke(line) else xy
                if _has_markers(line):
                    pts = np.concatenate([pts, xy[np.isfinite(xy).all(axis=1)]])
                inside = ((pts[:, 0] > inner.x0) & (pts[:, 0] < inner.x1)
                          & (pts[:, 1] > inner.y0) & (pts[:, 1] < inner.y1)
                          & (pts[:, 0] > abox.x0) & (pts[:, 0] < abox.x1)
                          & (pts[:, 1] > abox.y0) & (pts[:, 1] < abox.y1))
                if inside.any():
                    covered.append(_label(line))
            for coll in ax.collections:
                if not coll.get_visible() or type(coll).__name__ != "PathCollection":
                    continue             # scatter points; filled areas and images may sit under a legend
                offsets = coll.get_offset_transform().transform(coll.get_offsets())
                if len(offsets) == 0:
                    continue
                inside = ((offsets[:, 0] > inner.x0) & (offsets[:, 0] < inner.x1)
                          & (offsets[:, 1] > inner.y0) & (offsets[:, 1] < inner.y1))
                if inside.any():
                    covered.append(f"{int(inside.sum())} scatter points of {_label(coll)}")
            for patch in ax.patches:
                if not isinstance(patch, Rectangle) or not patch.get_visible():
                    continue
                pb = patch.get_window_extent(renderer)
                pb = Bbox.intersection(pb, abox)
                if pb is None or pb.width < 1 or pb.height < 1:
                    continue
                if pb.x1 > inner.x0 and pb.x0 < inner.x1 and pb.y1 > inner.y0 and pb.y0 < inner.y1:
                    covered.append("bars")
                    break
            if covered:
                where = "the figure's legend" if owner is None else f"the legend of {_short(owner.get_title(), 40)}"
                problems.append(f"{where} covers data: {', '.join(sorted(set(covered)))}")

    for ax in fig.axes:
        box = ax.get_window_extent(renderer)
        lines = [ln for ln in ax.lines if _line_display_xy(ln) is not None and _has_stroke(ln)]
        samples = {}
        for ln in lines:
            pts = _resample(_line_display_xy(ln))
            keep = ((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1)
                    & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)) if len(pts) else []
            samples[id(ln)] = pts[keep] if len(pts) else pts
        order = sorted(range(len(lines)), key=lambda k: (lines[k].get_zorder(), k))
        for pos, k in enumerate(order):
            low = lines[k]
            pts = samples[id(low)]
            if len(pts) < 5 or low.get_gid() == OVERLAP_OK:
                continue
            covered = np.zeros(len(pts), dtype=bool)
            on_reference, by = False, []
            for m in order[pos + 1:]:                # drawn later, on top
                high = lines[m]
                if high.get_gid() == OVERLAP_OK:
                    continue
                reference = _is_straight(low) or _is_straight(high)
                # two data curves: the lower one still shows if it is clearly wider (a halo)
                # or the upper one has gaps (dashed, dotted); on a reference line, a curve
                # is lost however it is drawn
                if not reference and (low.get_linewidth() >= 1.5 * high.get_linewidth()
                                      or not _is_solid(high)):
                    continue
                tol = CLOSE_PX + px_per_pt * (low.get_linewidth() + high.get_linewidth()) / 2
                near = _distance_to_polyline(pts, _line_display_xy(high)) <= tol
                if near.mean() > 0.05:
                    covered |= near
                    by.append(_label(high))
                    on_reference |= reference
            share = float(covered.mean())
            if share >= HIDDEN_SHARE:
                what = (f"the reference line {_label(low)}" if _is_straight(low)
                        else f"the curve {_label(low)}")
                where = "runs along a reference line" if on_reference else "is hidden"
                problems.append(f"in {_short(ax.get_title(), 40)}, {what} {where}: "
                                f"{share:.0%} of it lies under {', '.join(by)}")
    return problems


def _checked_print_figure(original):
    def print_figure(self, *args, **kwargs):
        fig = self.figure
        if not hasattr(fig, "_figure_check_done"):       # once per figure, however often shown
            fig._figure_check_done = True
            _FIGURES_SEEN[0] += 1
            try:
                found = check_figure(fig)
            except Exception as err:                      # a checker bug must not hide a figure
                found = [f"the figure checker failed: {type(err).__name__}: {err}"]
            for problem in found:
                PROBLEMS.append({"figure": _FIGURES_SEEN[0], "titles": _describe(fig), "problem": problem})
        return original(self, *args, **kwargs)

    return print_figure


def install() -> None:
    """Check every figure from now on, when it is printed (shown inline or saved)."""
    if _INSTALLED[0]:
        return
    from matplotlib.backend_bases import FigureCanvasBase

    FigureCanvasBase.print_figure = _checked_print_figure(FigureCanvasBase.print_figure)
    _INSTALLED[0] = True


def report() -> str:
    """The problems found so far, as JSON: {"figures": n, "problems": [...], "cpu_s": t}.

    ``cpu_s`` is the kernel's CPU time so far: unlike the wall time, it hardly changes when
    other programs share the cores.
    """
    import time

    return json.dumps({"figures": _FIGURES_SEEN[0], "problems": PROBLEMS,
                       "cpu_s": round(time.process_time(), 2)})


# ---- the host side: run a notebook with the check installed -------------------------------

# Run silently in the kernel (no cell, no output, no execution count, no names left behind).
_SETUP = ("__import__('sys').path.insert(0, {here!r}); __import__('figure_check').install(); "
          "__import__('sys').path.remove({here!r})")
_REPORT = "__import__('figure_check').report()"


def checking_client(nb, **kwargs):
    """An ``nbclient.NotebookClient`` for ``nb`` that checks every figure the notebook shows.

    After ``client.execute()``, ``client.figure_report`` is ``{"figures": n, "problems":
    [{"figure": i, "titles": ..., "problem": ...}, ...]}`` (``None`` if a cell failed).
    """
    import ast
    from pathlib import Path

    from nbclient import NotebookClient
    from nbclient.util import ensure_async

    here = str(Path(__file__).resolve().parent)

    class CheckingClient(NotebookClient):
        figure_report = None
        _check_installed = False

        async def _silent(self, code, expression=None):
            exprs = {"r": expression} if expression else {}
            msg_id = await ensure_async(self.kc.execute(code, silent=True, store_history=False,
                                                        user_expressions=exprs))
            reply = await self.async_wait_for_reply(msg_id)
            content = (reply or {}).get("content", {})
            if content.get("status") != "ok":
                raise RuntimeError(f"figure check: {code!r} failed in the kernel: "
                                   f"{content.get('ename')}: {content.get('evalue')}")
            if expression:
                value = content["user_expressions"]["r"]
                if value.get("status") != "ok":
                    raise RuntimeError(f"figure check: {expression!r} failed: {value.get('evalue')}")
                return json.loads(ast.literal_eval(value["data"]["text/plain"]))
            return None

        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            if not self._check_installed:
                await self._silent(_SETUP.format(here=here))
                self._check_installed = True
            out = await super().async_execute_cell(cell, cell_index, execution_count=execution_count,
                                                   store_history=store_history)
            if cell_index == len(self.nb.cells) - 1:
                self.figure_report = await self._silent("pass", _REPORT)
            return out

    return CheckingClient(nb, **kwargs)


def format_problems(report: dict) -> str:
    """One line per problem, grouped by figure."""
    lines = []
    for p in report["problems"]:
        lines.append(f"  figure {p['figure']} ({p['titles']}): {p['problem']}")
    return "\n".join(lines)
