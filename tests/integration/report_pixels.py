"""Check an HTML report's bar charts in a screenshot (python3-pil, test-only).

Usage: report_pixels.py REPORT_H PNG CHARTS MEDIAN_X ROW:LENGTH:KIND...

REPORT_H is src/report/report.h: the geometry and colours are read from
its #defines (the ones docs/REPORT.md draws), never repeated here. The
charts are found by their ground colour: the first pixel of that colour
is the top-left corner of the first chart; the others start below it in
the column between names and bars, where the ground begins again after
the page's white.
At least CHARTS charts must be in the screenshot and each one is
checked: in row ROW the bar starts at REPORT_BAR_X, is LENGTH pixels long
and has the colour of KIND (bar or outlier); the median line is at x =
MEDIAN_X above the first row. Exits 1 naming the first pixel that is wrong.
"""
import re
import sys

from PIL import Image


def defines(path):
    out = {}
    for line in open(path):
        m = re.match(r'#define (REPORT_\w+) (\d+|"#[0-9a-f]{6}")', line)
        if m:
            v = m.group(2)
            out[m.group(1)] = (tuple(int(v[i:i + 2], 16) for i in (2, 4, 6))
                               if v.startswith('"') else int(v))
    return out


def main():
    g = defines(sys.argv[1])
    im = Image.open(sys.argv[2]).convert("RGB")
    px = im.load()
    want_charts, median_x = int(sys.argv[3]), int(sys.argv[4])
    rows = [tuple(a.split(":")) for a in sys.argv[5:]]
    w, h = im.size
    ground = g["REPORT_COLOUR_GROUND"]

    def near(p, c):
        return all(abs(a - b) <= 3 for a, b in zip(p, c))

    def fail(what, x, y, colour):
        sys.exit("report_pixels: %s: pixel (%d, %d) is %s, expected %s"
                 % (what, x, y, px[x, y], colour))

    def expect(what, x, y, colour):
        if not near(px[x, y], colour):
            fail(what, x, y, colour)

    def expect_not(what, x, y, colour):
        if near(px[x, y], colour):
            sys.exit("report_pixels: %s: pixel (%d, %d) is %s" % (what, x, y, colour))

    # The chart's top-left corner: the first pixel of the ground colour
    # that starts a run of it (antialiased text may touch the colour).
    first = next(((x, y) for y in range(h) for x in range(w - 64)
                  if all(px[x + i, y] == ground for i in range(64))), None)
    if first is None:
        sys.exit("report_pixels: no chart in the screenshot")
    x0 = first[0]
    # Between the names (they end at REPORT_BAR_X - 6) and the bars, a
    # chart is ground from top to bottom.
    gap = x0 + g["REPORT_BAR_X"] - 3
    tops, inside = [], False
    for y in range(first[1], h):
        g_here = px[gap, y] == ground
        if g_here and not inside:
            tops.append(y)
        inside = g_here
    if len(tops) < want_charts:
        sys.exit("report_pixels: %d charts found, %d expected" % (len(tops), want_charts))
    bar_x, top = g["REPORT_BAR_X"], g["REPORT_CHART_TOP"]
    for k, y0 in enumerate(tops[:want_charts]):
        where = "chart %d at (%d, %d)" % (k, x0, y0)
        expect(where + ": ground at its right edge", x0 + g["REPORT_CHART_WIDTH"] - 1, y0, ground)
        expect_not(where + ": past its right edge", x0 + g["REPORT_CHART_WIDTH"], y0, ground)
        for row, length, kind in rows:
            colour = g["REPORT_COLOUR_" + kind.upper()]
            y = y0 + top + int(row) * g["REPORT_ROW_HEIGHT"] + g["REPORT_BAR_OFFSET"] + g["REPORT_BAR_HEIGHT"] // 2
            what = "%s: row %s (%s, %s px)" % (where, row, kind, length)
            expect(what + " starts", x0 + bar_x + 1, y, colour)
            expect(what + " ends", x0 + bar_x + int(length) - 2, y, colour)
            expect(what + " ends", x0 + bar_x + int(length) + 1, y, ground)
        expect(where + ": median line", x0 + median_x - 1, y0 + top - 2, g["REPORT_COLOUR_MEDIAN"])
        expect(where + ": beside the median line", x0 + median_x + 2, y0 + top - 2, ground)
    print("report_pixels: %d charts checked" % want_charts)


main()
