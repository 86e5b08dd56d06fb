#!/usr/bin/env python3
"""Generate the illustrations used by Nashr's demo publication.

Every picture is drawn procedurally with Pillow (gradients, layered
silhouettes, soft blur and film-like grain) from a fixed random seed, so the
output is the same on every run.  The results are dedicated to the public
domain (CC0 1.0, see images/LICENSE.txt).

Usage:  python nashr/site/demo/make_images.py [--out DIR]
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

HERE = Path(__file__).resolve().parent
OUT = HERE / "images"
W, H = 1600, 1000
SEED = 2026
JPEG = dict(quality=82, progressive=True, optimize=True)


# ---------------------------------------------------------------- helpers

def lerp(a, b, t):
    return a + (b - a) * t


def mix(c1, c2, t):
    t = max(0.0, min(1.0, t))
    return tuple(int(round(lerp(a, b, t))) for a, b in zip(c1, c2))


def ramp(stops, t):
    """Colour at position t (0..1) along a list of (position, rgb) stops."""
    if t <= stops[0][0]:
        return stops[0][1]
    for (p0, c0), (p1, c1) in zip(stops, stops[1:]):
        if t <= p1:
            return mix(c0, c1, 0 if p1 == p0 else (t - p0) / (p1 - p0))
    return stops[-1][1]


def vgrad(w, h, stops):
    col = Image.new("RGB", (1, h))
    col.putdata([ramp(stops, y / max(1, h - 1)) for y in range(h)])
    return col.resize((w, h), Image.NEAREST)


def hgrad(w, h, stops):
    row = Image.new("RGB", (w, 1))
    row.putdata([ramp(stops, x / max(1, w - 1)) for x in range(w)])
    return row.resize((w, h), Image.NEAREST)


_RADIAL = Image.radial_gradient("L")  # 0 at centre, 181 at radius 128


def radial(w, h, cx, cy, rx, ry, power=1.0, size=None):
    """'L' mask: 255 at (cx, cy) falling to 0 at the ellipse (rx, ry)."""
    g = _RADIAL.point(lambda v: int(255 * max(0.0, 1 - v / 181) ** power))
    rx, ry = max(1, int(rx)), max(1, int(ry))
    g = g.resize((2 * rx, 2 * ry), Image.BILINEAR)
    m = Image.new("L", size or (w, h), 0)
    m.paste(g, (int(cx - rx), int(cy - ry)))
    return m


def scale_mask(mask, k):
    return mask.point(lambda v: int(v * k))


def glow(img, cx, cy, rx, ry, colour, strength=1.0, power=1.5):
    """Add light (screen blend) in an elliptical soft spot."""
    m = radial(*img.size, cx, cy, rx, ry, power)
    if strength != 1.0:
        m = scale_mask(m, strength)
    layer = Image.composite(Image.new("RGB", img.size, colour),
                            Image.new("RGB", img.size, 0), m)
    return ImageChops.screen(img, layer)


def paint(img, mask, fill):
    """Composite a colour or image onto img through mask."""
    if not isinstance(fill, Image.Image):
        fill = Image.new("RGB", img.size, fill)
    return Image.composite(fill, img, mask)


def poly_mask(points, size=(W, H), blur=0.0):
    m = Image.new("L", size, 0)
    ImageDraw.Draw(m).polygon([(float(x), float(y)) for x, y in points], fill=255)
    if blur:
        m = m.filter(ImageFilter.GaussianBlur(blur))
    return m


def ridge(rng, w, y0, amp, rough=0.55, levels=9):
    """Midpoint-displacement ridge line as a list of (x, y)."""
    n = 2 ** levels
    ys = [0.0] * (n + 1)
    ys[0] = y0 + rng.uniform(-amp, amp)
    ys[n] = y0 + rng.uniform(-amp, amp)
    step, scale = n, amp
    while step > 1:
        half = step // 2
        for i in range(half, n, step):
            ys[i] = (ys[i - half] + ys[i + half]) / 2 + rng.uniform(-scale, scale)
        scale *= rough
        step = half
    return [(i * w / n, ys[i]) for i in range(n + 1)]


def darken(img, k):
    return img.point(lambda v: int(v * k))


def hsmear(img, k=10):
    """Horizontal blur (for reflections on water)."""
    w, h = img.size
    return img.resize((max(1, w // k), h), Image.BILINEAR).resize((w, h), Image.BILINEAR)


def finish(img, rng, grain=5.0, vignette=0.30, soften=0.6):
    w, h = img.size
    if soften:
        img = img.filter(ImageFilter.GaussianBlur(soften))
    # film grain: low-amplitude noise generated at half resolution
    nw, nh = w // 2, h // 2
    noise = Image.frombytes("L", (nw, nh), rng.randbytes(nw * nh))
    noise = noise.filter(ImageFilter.GaussianBlur(0.6))
    noise = noise.point(lambda v: int(128 + (v - 128) * grain / 70))
    noise = noise.resize((w, h), Image.BILINEAR)
    img = ImageChops.add(img, Image.merge("RGB", (noise, noise, noise)), 1.0, -128)
    if vignette:
        m = radial(w, h, w / 2, h / 2, w * 0.78, h * 0.92, power=0.55)
        img = Image.composite(img, darken(img, 1 - vignette), m)
    return img


# ---------------------------------------------------------------- scenes

def desert_dawn(rng):
    img = vgrad(W, H, [(0, (24, 32, 74)), (0.25, (70, 62, 118)), (0.45, (196, 118, 112)),
                       (0.56, (246, 176, 124)), (0.62, (252, 214, 160)), (1, (250, 214, 168))])
    sx, sy = W * 0.68, H * 0.57
    img = glow(img, sx, sy, 760, 420, (255, 150, 80), 0.75, 1.6)
    img = glow(img, sx, sy, 220, 180, (255, 226, 170), 0.9, 2.2)
    sun = Image.new("L", (W, H), 0)
    ImageDraw.Draw(sun).ellipse((sx - 42, sy - 42, sx + 42, sy + 42), fill=255)
    img = paint(img, sun.filter(ImageFilter.GaussianBlur(3)), (255, 244, 214))
    # thin high clouds
    for i in range(7):
        cy = H * rng.uniform(0.18, 0.45)
        cx = W * rng.uniform(0.1, 0.95)
        m = radial(W, H, cx, cy, rng.uniform(200, 420), rng.uniform(6, 16), 1.2)
        img = paint(img, scale_mask(m, 0.45), (255, 190, 160))
    layers = [
        (0.600, 14, (224, 150, 116), (176, 104, 94), 3.0),
        (0.655, 26, (214, 132, 88), (150, 82, 70), 1.8),
        (0.735, 44, (196, 112, 66), (118, 60, 48), 1.0),
        (0.860, 70, (150, 78, 46), (70, 34, 30), 0.5),
    ]
    caravan_y = None
    for li, (base, amp, lit, shade, blur) in enumerate(layers):
        freqs = [(rng.uniform(0.002, 0.005), rng.uniform(0, 6.3), 1.0),
                 (rng.uniform(0.006, 0.012), rng.uniform(0, 6.3), 0.45),
                 (rng.uniform(0.015, 0.03), rng.uniform(0, 6.3), 0.12)]

        def y_at(x):
            f0, p0, _ = freqs[0]
            main = 1 - abs(math.sin(x * f0 + p0))  # sharp crests, soft troughs
            rest = sum(a * math.sin(x * f + p) for f, p, a in freqs[1:])
            return H * base - amp * (main + rest)

        ys = [y_at(x) for x in range(W + 1)]
        row = []
        for x in range(W):
            slope = ys[x + 1] - ys[x]
            t = 0.5 + max(-0.5, min(0.5, slope * 1.6))
            row.append(mix(shade, lit, t))
        top = int(min(ys)) - 2
        band = Image.new("RGB", (W, 1))
        band.putdata(row)
        band = band.resize((W, H - top), Image.BILINEAR).filter(ImageFilter.BoxBlur(2))
        shaded = Image.new("RGB", (W, H), 0)
        shaded.paste(band, (0, top))
        fill = vgrad(W, H, [(0, mix(lit, shade, 0.5)), (base, mix(lit, shade, 0.6)), (1, mix(shade, (20, 10, 10), 0.5))])
        crest = poly_mask([(x, ys[x] - 2) for x in range(0, W + 1, 4)] + [(x, ys[x] + amp * 1.4) for x in range(W, -1, -4)],
                          blur=amp * 0.5)
        fill = Image.composite(shaded, fill, crest)
        m = poly_mask([(x, ys[x]) for x in range(0, W + 1, 4)] + [(W, H), (0, H)], blur=blur)
        img = paint(img, m, fill)
        if li == 2:
            caravan_y = ys
        if li < 3:  # haze in front of the distant dunes
            hz = vgrad(W, H, [(0, (250, 200, 160)), (1, (250, 200, 160))])
            hm = radial(W, H, W / 2, H * (base + 0.03), W * 0.9, 70, 1.0)
            img = paint(img, scale_mask(hm, 0.35), hz)
    # caravan on the third ridge
    d = ImageDraw.Draw(img)
    x0 = 420
    for i in range(5):
        x = x0 + i * 46
        y = caravan_y[int(x)] - 2
        c = (70, 36, 36)
        d.ellipse((x - 14, y - 26, x + 10, y - 14), fill=c)            # body
        d.ellipse((x - 8, y - 33, x + 2, y - 22), fill=c)              # hump
        d.line((x + 8, y - 22, x + 16, y - 34), fill=c, width=4)       # neck
        d.ellipse((x + 13, y - 38, x + 22, y - 32), fill=c)            # head
        for lx in (-11, -6, 3, 7):
            d.line((x + lx, y - 16, x + lx + rng.uniform(-2, 2), y), fill=c, width=2)
        if i % 2 == 0:
            d.line((x - 4, y - 32, x - 3, y - 44), fill=c, width=4)    # rider
            d.ellipse((x - 7, y - 50, x + 1, y - 42), fill=c)
    return finish(img, rng, grain=5, vignette=0.28)


def city_night(rng):
    hy = int(H * 0.64)
    img = vgrad(W, H, [(0, (5, 8, 26)), (0.4, (16, 26, 62)), (0.6, (52, 46, 92)), (0.64, (110, 70, 96)),
                       (0.66, (30, 30, 52)), (1, (6, 8, 20))])
    d = ImageDraw.Draw(img)
    for _ in range(260):
        x, y = rng.uniform(0, W), rng.uniform(0, hy * 0.7) ** 1.0
        b = int(rng.uniform(90, 230) * (1 - y / hy))
        r = rng.choice((0.6, 0.8, 1.0, 1.4))
        d.ellipse((x - r, y - r, x + r, y + r), fill=(b, b, min(255, b + 20)))
    mx, my = W * 0.18, H * 0.16
    img = glow(img, mx, my, 260, 260, (90, 100, 150), 0.7, 2.0)
    moon = Image.new("L", (W, H), 0)
    ImageDraw.Draw(moon).ellipse((mx - 34, my - 34, mx + 34, my + 34), fill=255)
    img = paint(img, moon.filter(ImageFilter.GaussianBlur(1.5)), (236, 232, 214))
    img = glow(img, W * 0.55, hy, 900, 180, (150, 80, 70), 0.55, 1.2)

    def skyline(img, h_range, colour, win_p, blur, wmin=40, wmax=120, spire=False):
        layer = Image.new("RGB", (W, H), 0)
        mask = Image.new("L", (W, H), 0)
        ld, md = ImageDraw.Draw(layer), ImageDraw.Draw(mask)
        x = -20
        while x < W:
            bw = rng.randint(wmin, wmax)
            bh = rng.randint(*h_range)
            top = hy - bh
            shade = mix(colour, (0, 0, 0), rng.uniform(0, 0.35))
            ld.rectangle((x, top, x + bw, hy), fill=shade)
            md.rectangle((x, top, x + bw, hy), fill=255)
            if spire and rng.random() < 0.18:
                ld.polygon([(x + bw / 2 - 6, top), (x + bw / 2 + 6, top), (x + bw / 2, top - rng.randint(40, 110))], fill=shade)
                md.polygon([(x + bw / 2 - 6, top), (x + bw / 2 + 6, top), (x + bw / 2, top - 110)], fill=255)
                ld.ellipse((x + bw / 2 - 3, top - 115, x + bw / 2 + 3, top - 109), fill=(255, 70, 60))
            if win_p:
                warm = rng.random() < 0.7
                for wy in range(top + 8, hy - 6, 14):
                    for wx in range(x + 6, x + bw - 8, 11):
                        if rng.random() < win_p:
                            c = (rng.randint(220, 255), rng.randint(170, 215), rng.randint(90, 140)) if warm else \
                                (rng.randint(170, 210), rng.randint(200, 230), 255)
                            c = mix(c, shade, rng.uniform(0, 0.5))
                            ld.rectangle((wx, wy, wx + 5, wy + 7), fill=c)
            x += bw + rng.randint(-8, 10)
        if blur:
            layer = layer.filter(ImageFilter.GaussianBlur(blur))
            mask = mask.filter(ImageFilter.GaussianBlur(blur))
        return Image.composite(layer, img, mask)

    img = skyline(img, (60, 200), (44, 48, 84), 0.10, 2.2, 30, 80)
    img = skyline(img, (90, 330), (22, 26, 50), 0.22, 0.8, 50, 120, spire=True)
    img = skyline(img, (30, 120), (10, 12, 24), 0.30, 0, 70, 160)
    # reflection on the water
    top = img.crop((0, hy - (H - hy), W, hy)).transpose(Image.FLIP_TOP_BOTTOM)
    top = hsmear(top, 14)
    rows = Image.new("RGB", top.size, 0)
    for y in range(top.size[1]):
        sh = int(10 * math.sin(y * 0.35) + 6 * math.sin(y * 0.11 + 1))
        rows.paste(top.crop((0, y, W, y + 1)), (sh, y))
    rows = darken(rows, 0.55)
    water = vgrad(W, H - hy, [(0, (18, 20, 42)), (1, (4, 6, 14))])
    refl = Image.blend(water, rows, 0.75)
    img.paste(refl, (0, hy))
    d = ImageDraw.Draw(img)
    for _ in range(140):  # glints
        x, y = rng.uniform(0, W), rng.uniform(hy + 4, H)
        l = rng.uniform(10, 60)
        c = rng.randint(60, 140)
        d.line((x, y, x + l, y), fill=(c, int(c * 0.85), int(c * 0.6)), width=1)
    return finish(img, rng, grain=5, vignette=0.35)


def harbour(rng):
    hy = int(H * 0.60)
    img = vgrad(W, H, [(0, (98, 140, 184)), (0.35, (170, 186, 200)), (0.58, (246, 206, 160)), (0.6, (250, 214, 170)), (1, (250, 214, 170))])
    sx = W * 0.74
    img = glow(img, sx, hy - 40, 600, 300, (255, 190, 120), 0.7, 1.6)
    img = glow(img, sx, hy - 40, 60, 60, (255, 250, 225), 1.0, 0.8)
    # far hills
    far = ridge(rng, W, hy - 40, 30, 0.5, 8)
    img = paint(img, poly_mask(far + [(W, hy + 5), (0, hy + 5)], blur=2), (150, 146, 160))
    sea = vgrad(W, H - hy, [(0, (200, 170, 150)), (0.25, (96, 116, 136)), (1, (30, 50, 70))])
    img.paste(sea, (0, hy))
    img = glow(img, sx, hy + 120, 90, 330, (255, 200, 140), 0.6, 1.2)
    d = ImageDraw.Draw(img)
    for _ in range(420):
        y = rng.uniform(hy + 2, H)
        t = (y - hy) / (H - hy)
        x = rng.uniform(0, W)
        l = rng.uniform(20, 120) * (0.3 + t)
        near_sun = abs(x - sx) < 140 + 150 * t
        c = (255, 214, 160) if near_sun and rng.random() < 0.7 else mix((120, 140, 160), (20, 36, 52), rng.random())
        d.line((x, y, x + l, y), fill=c, width=1 if t < 0.4 else 2)
    # quay with containers and cranes (left side)
    qy = hy + 18
    quay = Image.new("RGB", (W, H), 0)
    qm = Image.new("L", (W, H), 0)
    qd, qmd = ImageDraw.Draw(quay), ImageDraw.Draw(qm)
    qd.rectangle((0, qy - 6, 900, qy + 10), fill=(48, 48, 58))
    qmd.rectangle((0, qy - 6, 900, qy + 10), fill=255)
    palette = [(150, 64, 52), (52, 84, 120), (190, 130, 60), (70, 110, 90), (130, 130, 140), (160, 90, 60)]
    x = 20
    while x < 820:
        stack = rng.randint(1, 4)
        cw = rng.choice((46, 92))
        for s in range(stack):
            c = mix(rng.choice(palette), (230, 200, 170), 0.18)
            box = (x, qy - 6 - (s + 1) * 20, x + cw, qy - 6 - s * 20 - 1)
            qd.rectangle(box, fill=c, outline=mix(c, (0, 0, 0), 0.35))
            qmd.rectangle(box, fill=255)
        x += cw + rng.randint(1, 8)
    for cx in (180, 470, 720):
        c = (40, 42, 54)
        h = rng.randint(190, 240)
        for lx in (-26, 26):
            qd.line((cx + lx, qy - 6, cx + lx * 0.6, qy - h), fill=c, width=6)
            qmd.line((cx + lx, qy - 6, cx + lx * 0.6, qy - h), fill=255, width=6)
        qd.line((cx - 60, qy - h, cx + 190, qy - h), fill=c, width=8)
        qmd.line((cx - 60, qy - h, cx + 190, qy - h), fill=255, width=8)
        qd.line((cx + 120, qy - h, cx + 120, qy - h + 70), fill=c, width=2)
        qmd.line((cx + 120, qy - h, cx + 120, qy - h + 70), fill=255, width=2)
        for k in range(6):
            a = (cx - 60 + k * 40, qy - h)
            qd.line((a[0], a[1], a[0] + 20, a[1] - 16), fill=c, width=3)
            qmd.line((a[0], a[1], a[0] + 20, a[1] - 16), fill=255, width=3)
    # lighthouse on the right breakwater
    qd.rectangle((1120, qy - 2, 1600, qy + 8), fill=(60, 58, 66))
    qmd.rectangle((1120, qy - 2, 1600, qy + 8), fill=255)
    lx = 1460
    qd.polygon([(lx - 14, qy - 2), (lx + 14, qy - 2), (lx + 8, qy - 110), (lx - 8, qy - 110)], fill=(226, 222, 214))
    qmd.polygon([(lx - 14, qy - 2), (lx + 14, qy - 2), (lx + 8, qy - 110), (lx - 8, qy - 110)], fill=255)
    for band in (qy - 40, qy - 80):
        qd.rectangle((lx - 12, band, lx + 12, band + 12), fill=(180, 60, 50))
    qd.rectangle((lx - 10, qy - 126, lx + 10, qy - 110), fill=(60, 60, 66))
    qmd.rectangle((lx - 10, qy - 126, lx + 10, qy - 110), fill=255)
    qm = qm.filter(ImageFilter.GaussianBlur(0.8))
    quay = quay.filter(ImageFilter.GaussianBlur(0.6))
    img = Image.composite(quay, img, qm)
    img = glow(img, lx, qy - 118, 40, 40, (255, 240, 190), 0.9, 1.0)
    # fishing boats in the foreground with reflections
    for bx, by, s, hull in ((330, 860, 1.6, (196, 70, 54)), (760, 800, 1.1, (40, 90, 140)), (1180, 900, 1.9, (230, 226, 214))):
        boat = Image.new("RGB", (W, H), 0)
        bm = Image.new("L", (W, H), 0)
        bd, bmd = ImageDraw.Draw(boat), ImageDraw.Draw(bm)
        pts = [(bx - 120 * s, by - 30 * s), (bx + 130 * s, by - 36 * s), (bx + 95 * s, by), (bx - 95 * s, by)]
        bd.polygon(pts, fill=hull)
        bmd.polygon(pts, fill=255)
        bd.rectangle((bx - 115 * s, by - 30 * s, bx + 125 * s, by - 24 * s), fill=mix(hull, (255, 255, 255), 0.5))
        cab = (bx - 30 * s, by - 70 * s, bx + 30 * s, by - 32 * s)
        bd.rectangle(cab, fill=(236, 232, 222))
        bmd.rectangle(cab, fill=255)
        bd.rectangle((bx - 22 * s, by - 62 * s, bx + 22 * s, by - 50 * s), fill=(60, 80, 96))
        bd.line((bx + 60 * s, by - 34 * s, bx + 60 * s, by - 150 * s), fill=(50, 46, 44), width=int(3 * s))
        bmd.line((bx + 60 * s, by - 34 * s, bx + 60 * s, by - 150 * s), fill=255, width=int(3 * s))
        bd.line((bx + 60 * s, by - 150 * s, bx - 110 * s, by - 32 * s), fill=(70, 66, 60), width=1)
        bmd.line((bx + 60 * s, by - 150 * s, bx - 110 * s, by - 32 * s), fill=255, width=1)
        shade = hgrad(W, H, [(0, (0, 0, 0)), (1, (0, 0, 0))])
        boat = Image.composite(Image.blend(boat, shade, 0.12), boat, Image.new("L", (W, H), 0))
        # reflection
        rb = boat.crop((0, int(by - 160 * s), W, int(by))).transpose(Image.FLIP_TOP_BOTTOM)
        rm = bm.crop((0, int(by - 160 * s), W, int(by))).transpose(Image.FLIP_TOP_BOTTOM)
        rb = darken(hsmear(rb, 6), 0.6)
        rm = scale_mask(hsmear(rm, 6), 0.55)
        img.paste(Image.composite(rb, img.crop((0, int(by), W, int(by + rb.size[1]))), rm), (0, int(by)))
        img = Image.composite(boat, img, bm.filter(ImageFilter.GaussianBlur(0.7)))
    d = ImageDraw.Draw(img)
    for _ in range(9):  # gulls
        x, y, s = rng.uniform(300, 1300), rng.uniform(120, 380), rng.uniform(6, 14)
        d.arc((x - s, y, x, y + s), 200, 340, fill=(50, 50, 60), width=2)
        d.arc((x, y, x + s, y + s), 200, 340, fill=(50, 50, 60), width=2)
    return finish(img, rng, grain=5, vignette=0.28)


def market(rng):
    vx, vy = W * 0.5, H * 0.44

    def P(X, Y, z):
        s = 1.0 / (1.0 + z)
        return (vx + X * s, vy + Y * s)

    img = vgrad(W, H, [(0, (250, 236, 200)), (0.45, (255, 226, 170)), (0.6, (196, 150, 104)), (1, (120, 84, 56))])
    img = glow(img, vx, vy - 20, 360, 280, (255, 250, 220), 1.0, 1.2)
    zf = 14.0
    # ground with paving lines
    ground = [P(-820, 560, 0), P(820, 560, 0), P(820, 560, zf), P(-820, 560, zf)]
    gimg = vgrad(W, H, [(0, (200, 170, 130)), (0.44, (206, 178, 136)), (1, (118, 90, 64))])
    img = paint(img, poly_mask(ground), gimg)
    d = ImageDraw.Draw(img)
    for X in range(-800, 801, 100):
        d.line((P(X, 560, 0), P(X, 560, zf)), fill=(150, 120, 90), width=1)
    z = 0.0
    while z < zf:
        d.line((P(-820, 560, z), P(820, 560, z)), fill=(150, 120, 90), width=1)
        z += 0.5 + z * 0.2
    # walls
    wall = vgrad(W, H, [(0, (190, 150, 110)), (1, (120, 86, 60))])
    for side in (-1, 1):
        X = side * 820
        img = paint(img, poly_mask([P(X, -900, 0), P(X, -900, zf), P(X, 560, zf), P(X, 560, 0)]),
                    Image.blend(wall, Image.new("RGB", (W, H), (80, 60, 50)), 0.25 if side < 0 else 0.1))
    # stalls, awnings and lanterns, back to front
    stripes = [((190, 52, 46), (236, 222, 196)), ((34, 92, 120), (232, 214, 180)),
               ((200, 140, 40), (240, 226, 196)), ((60, 120, 80), (230, 220, 190))]
    fruit = [(232, 120, 30), (214, 60, 40), (120, 160, 50), (240, 200, 60), (150, 40, 70), (200, 90, 40)]
    slots = []
    z = 0.05
    while z < 11:
        length = 0.55 + z * 0.22
        slots.append((z, z + length))
        z += length + 0.08 + z * 0.03
    for z0, z1 in reversed(slots):
        for side in (-1, 1):
            c1, c2 = rng.choice(stripes)
            Xw, Xo = side * 820, side * 520
            # stall counter and produce
            front = [P(Xw, 300, z0 + 0.06), P(side * 600, 300, z0 + 0.06), P(side * 600, 560, z0 + 0.06), P(Xw, 560, z0 + 0.06)]
            ImageDraw.Draw(img).polygon(front, fill=mix((96, 62, 40), (0, 0, 0), rng.uniform(0, 0.3)))
            top = [P(Xw, 300, z0 + 0.06), P(side * 600, 300, z0 + 0.06), P(side * 600, 300, z1 - 0.04), P(Xw, 300, z1 - 0.04)]
            ImageDraw.Draw(img).polygon(top, fill=(90, 60, 40))
            d = ImageDraw.Draw(img)
            col = rng.choice(fruit)
            for _ in range(int(60 / (1 + z0 * 0.3))):
                X = rng.uniform(min(Xw, side * 610), max(Xw, side * 610))
                zz = rng.uniform(z0 + 0.08, z1 - 0.06)
                x, y = P(X, 296, zz)
                r = 14 / (1 + zz)
                c = mix(col if rng.random() < 0.7 else rng.choice(fruit), (0, 0, 0), rng.uniform(0, 0.3))
                d.ellipse((x - r, y - r, x + r, y + r), fill=c)
            # awning: sloped striped canopy
            k = 7
            for i in range(k):
                za, zb = lerp(z0, z1, i / k), lerp(z0, z1, (i + 1) / k)
                q = [P(Xw, -160, za), P(Xo, -20, za), P(Xo, -20, zb), P(Xw, -160, zb)]
                d.polygon(q, fill=c1 if i % 2 == 0 else c2)
            # valance
            q = [P(Xo, -20, z0), P(Xo, 30, z0), P(Xo, 30, z1), P(Xo, -20, z1)]
            d.polygon(q, fill=mix(c1, (0, 0, 0), 0.2))
            # shadow under awning on the wall
            sh = poly_mask([P(Xw, -160, z0), P(Xw, -160, z1), P(Xw, 300, z1), P(Xw, 300, z0)], blur=2)
            img = paint(img, scale_mask(sh, 0.45), (40, 26, 20))
        # string of lanterns across the lane
        for X in range(-420, 421, 140):
            zz = z0 + 0.1
            x, y = P(X, -230 - 70 * abs(X) / 820 + 34, zz)  # hanging just below the string
            r = 20 / (1 + zz)
            lc = rng.choice(((255, 170, 60), (255, 120, 70), (250, 210, 110)))
            img = glow(img, x, y, r * 5, r * 5, lc, 0.55, 1.5)
            ImageDraw.Draw(img).ellipse((x - r, y - r * 1.3, x + r, y + r * 1.3), fill=mix(lc, (255, 255, 255), 0.35))
        a, b = P(-820, -300, z0 + 0.1), P(820, -300, z0 + 0.1)
        ImageDraw.Draw(img).line((a, P(0, -230, z0 + 0.1), b), fill=(60, 40, 30), width=max(1, int(3 / (1 + z0))))
    # passers-by (soft silhouettes)
    people = Image.new("L", (W, H), 0)
    pd = ImageDraw.Draw(people)
    for _ in range(9):
        zz = rng.uniform(1.2, 8)
        X = rng.uniform(-380, 380)
        x, yb = P(X, 560, zz)
        s = 1 / (1 + zz)
        hgt, wid = 380 * s, 70 * s
        pd.ellipse((x - wid * 0.28, yb - hgt, x + wid * 0.28, yb - hgt + wid * 0.56), fill=255)
        pd.polygon([(x - wid / 2, yb - hgt * 0.82), (x + wid / 2, yb - hgt * 0.82), (x + wid * 0.6, yb), (x - wid * 0.6, yb)], fill=255)
    img = paint(img, scale_mask(people.filter(ImageFilter.GaussianBlur(2.5)), 0.8), (60, 40, 32))
    img = glow(img, vx, vy, 200, 160, (255, 240, 200), 0.45, 1.0)
    return finish(img, rng, grain=6, vignette=0.35)


def circuit(rng):
    img = ImageChops.multiply(
        vgrad(W, H, [(0, (14, 56, 46)), (1, (6, 26, 30))]),
        hgrad(W, H, [(0, (200, 220, 220)), (0.6, (255, 255, 255)), (1, (170, 190, 200))]))
    g = 20
    traces = Image.new("L", (W, H), 0)
    td = ImageDraw.Draw(traces)
    pads = []
    dirs = [(1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1), (0, -1), (1, -1)]
    for _ in range(190):
        x, y = rng.randrange(0, W // g) * g, rng.randrange(0, H // g) * g
        di = rng.randrange(0, 8, 2)
        pts = [(x, y)]
        for _ in range(rng.randint(3, 9)):
            dx, dy = dirs[di]
            n = rng.randint(2, 12)
            x, y = x + dx * n * g, y + dy * n * g
            pts.append((x, y))
            di = (di + rng.choice((-1, 1))) % 8 if rng.random() < 0.8 else di
            if di % 2 == 1 and rng.random() < 0.5:
                di = (di + rng.choice((-1, 1))) % 8
        td.line(pts, fill=255, width=rng.choice((3, 3, 4, 6)), joint="curve")
        pads += [pts[0], pts[-1]]
    img = paint(img, traces, (40, 122, 92))
    img = paint(img, scale_mask(traces.filter(ImageFilter.GaussianBlur(1)), 0.3), (120, 200, 150))
    d = ImageDraw.Draw(img)
    for (x, y) in pads:
        r = rng.choice((6, 7, 9))
        d.ellipse((x - r, y - r, x + r, y + r), fill=(196, 170, 96))
        d.ellipse((x - r / 2.5, y - r / 2.5, x + r / 2.5, y + r / 2.5), fill=(14, 30, 26))
    # chips
    for cx, cy, cw, ch in ((560, 470, 260, 220), (1160, 300, 160, 160), (1100, 700, 220, 120), (240, 200, 140, 90)):
        sh = Image.new("L", (W, H), 0)
        ImageDraw.Draw(sh).rectangle((cx - cw / 2 + 10, cy - ch / 2 + 14, cx + cw / 2 + 14, cy + ch / 2 + 18), fill=255)
        img = paint(img, scale_mask(sh.filter(ImageFilter.GaussianBlur(10)), 0.7), (0, 0, 0))
        d = ImageDraw.Draw(img)
        for i in range(int(cw / 18)):
            px = cx - cw / 2 + 12 + i * 18
            d.rectangle((px, cy - ch / 2 - 14, px + 7, cy - ch / 2), fill=(200, 200, 196))
            d.rectangle((px, cy + ch / 2, px + 7, cy + ch / 2 + 14), fill=(200, 200, 196))
        for i in range(int(ch / 18)):
            py = cy - ch / 2 + 12 + i * 18
            d.rectangle((cx - cw / 2 - 14, py, cx - cw / 2, py + 7), fill=(200, 200, 196))
            d.rectangle((cx + cw / 2, py, cx + cw / 2 + 14, py + 7), fill=(200, 200, 196))
        chip = vgrad(W, H, [(0, (44, 46, 52)), (1, (16, 17, 20))])
        cm = Image.new("L", (W, H), 0)
        ImageDraw.Draw(cm).rounded_rectangle((cx - cw / 2, cy - ch / 2, cx + cw / 2, cy + ch / 2), 6, fill=255)
        img = paint(img, cm, chip)
        d = ImageDraw.Draw(img)
        d.ellipse((cx - cw / 2 + 12, cy - ch / 2 + 12, cx - cw / 2 + 24, cy - ch / 2 + 24), fill=(30, 31, 36))
        d.line((cx - cw / 2 + 2, cy - ch / 2 + 2, cx + cw / 2 - 2, cy - ch / 2 + 2), fill=(90, 92, 100), width=2)
    # signals: glowing trace fragments
    sig = Image.new("L", (W, H), 0)
    sd = ImageDraw.Draw(sig)
    for _ in range(14):
        x, y = rng.randrange(0, W // g) * g, rng.randrange(0, H // g) * g
        pts = [(x, y)]
        for _ in range(3):
            dx, dy = rng.choice(dirs[::2])
            n = rng.randint(4, 14)
            x, y = x + dx * n * g, y + dy * n * g
            pts.append((x, y))
        sd.line(pts, fill=255, width=4, joint="curve")
    img = paint(img, scale_mask(sig.filter(ImageFilter.GaussianBlur(9)), 0.9), (60, 230, 220))
    img = paint(img, scale_mask(sig.filter(ImageFilter.GaussianBlur(1)), 0.9), (200, 255, 250))
    img = glow(img, W * 0.72, H * 0.2, 700, 400, (40, 120, 140), 0.5, 1.4)
    # shallow depth of field: sharp diagonal band
    blurred = img.filter(ImageFilter.GaussianBlur(7))
    focus = ImageOps.invert(radial(W, H, W * 0.45, H * 0.5, W * 0.75, H * 0.55, 0.5))
    img = Image.composite(blurred, img, focus)
    return finish(img, rng, grain=4, vignette=0.4, soften=0.6)


def pitch(rng):
    img = vgrad(W, H, [(0, (40, 96, 52)), (1, (34, 86, 46))])
    x0, y0, x1, y1 = 90, 90, 1510, 910
    d = ImageDraw.Draw(img)
    n = 18
    sw = (x1 - x0) / n
    for i in range(-2, n + 2):
        c = (56, 142, 68) if i % 2 == 0 else (48, 128, 60)
        d.rectangle((x0 + i * sw, 0, x0 + (i + 1) * sw, H), fill=c)
    # subtle turf texture
    tex = Image.frombytes("L", (W // 4, H // 4), rng.randbytes((W // 4) * (H // 4))).resize((W, H), Image.BICUBIC)
    tex = tex.filter(ImageFilter.GaussianBlur(3)).point(lambda v: int(128 + (v - 128) * 0.25))
    img = ImageChops.add(img, Image.merge("RGB", (tex, tex, tex)), 1.0, -128)
    d = ImageDraw.Draw(img)
    white = (236, 240, 232)
    lw = 5
    d.rectangle((x0, y0, x1, y1), outline=white, width=lw)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    d.line((cx, y0, cx, y1), fill=white, width=lw)
    r = 124
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=white, width=lw)
    d.ellipse((cx - 6, cy - 6, cx + 6, cy + 6), fill=white)
    for side in (0, 1):
        bx = x0 if side == 0 else x1
        s = 1 if side == 0 else -1
        d.rectangle(sorted_box(bx, cy - 243, bx + s * 223, cy + 243), outline=white, width=lw)
        d.rectangle(sorted_box(bx, cy - 110, bx + s * 74, cy + 110), outline=white, width=lw)
        px = bx + s * 149
        d.ellipse((px - 5, cy - 5, px + 5, cy + 5), fill=white)
        a0, a1 = (-53, 53) if side == 0 else (127, 233)
        d.arc((px - r, cy - r, px + r, cy + r), a0, a1, fill=white, width=lw)
        d.rectangle(sorted_box(bx, cy - 44, bx - s * 28, cy + 44), outline=(250, 250, 250), width=4)
        for k in (-1, 1):
            d.arc((bx - 18, cy + k * (y1 - y0) / 2 - 18, bx + 18, cy + k * (y1 - y0) / 2 + 18), 0, 360, fill=white, width=3)
    # players
    formation_a = [(0.04, 0.5), (0.18, 0.2), (0.16, 0.4), (0.17, 0.62), (0.2, 0.82), (0.33, 0.3), (0.36, 0.52),
                   (0.31, 0.72), (0.47, 0.18), (0.52, 0.5), (0.46, 0.84)]
    formation_b = [(0.96, 0.5), (0.78, 0.26), (0.8, 0.46), (0.79, 0.66), (0.74, 0.86), (0.62, 0.2), (0.6, 0.44),
                   (0.64, 0.62), (0.57, 0.8), (0.55, 0.34), (0.6, 0.55)]
    shadows = Image.new("L", (W, H), 0)
    sd = ImageDraw.Draw(shadows)
    bodies = []
    for form, kit, gk in ((formation_a, (200, 36, 48), (240, 200, 40)), (formation_b, (236, 236, 240), (60, 180, 90))):
        for i, (fx, fy) in enumerate(form):
            px = x0 + (x1 - x0) * (fx + rng.uniform(-0.02, 0.02))
            py = y0 + (y1 - y0) * (fy + rng.uniform(-0.03, 0.03))
            sd.ellipse((px + 4, py + 8, px + 30, py + 20), fill=255)
            bodies.append((px, py, gk if i == 0 else kit))
    img = paint(img, scale_mask(shadows.filter(ImageFilter.GaussianBlur(3)), 0.5), (10, 40, 16))
    d = ImageDraw.Draw(img)
    for px, py, kit in bodies:
        d.ellipse((px - 11, py - 8, px + 11, py + 8), fill=mix(kit, (0, 0, 0), 0.15))
        d.ellipse((px - 5, py - 5, px + 5, py + 5), fill=(60, 40, 30))
    bx, by = x0 + (x1 - x0) * 0.545, y0 + (y1 - y0) * 0.47
    img = paint(img, scale_mask(radial(W, H, bx + 6, by + 8, 8, 6, 1), 0.6), (10, 40, 16))
    ImageDraw.Draw(img).ellipse((bx - 5, by - 5, bx + 5, by + 5), fill=(250, 250, 250))
    # stadium-roof shadow across a corner
    sm = poly_mask([(0, 0), (W * 0.62, 0), (W * 0.34, H * 0.38), (0, H * 0.58)], blur=18)
    img = Image.composite(darken(img, 0.62), img, sm)
    return finish(img, rng, grain=4, vignette=0.38, soften=0.5)


def sorted_box(a, b, c, d_):
    return (min(a, c), min(b, d_), max(a, c), max(b, d_))


def books(rng):
    img = ImageChops.multiply(vgrad(W, H, [(0, (92, 60, 40)), (1, (60, 38, 26))]),
                              hgrad(W, H, [(0, (150, 150, 150)), (0.7, (255, 255, 255)), (1, (220, 220, 220))]))
    palette = [(128, 36, 40), (34, 52, 92), (40, 84, 62), (196, 150, 60), (224, 212, 186), (110, 70, 44),
               (30, 96, 110), (88, 88, 96), (150, 76, 40), (70, 40, 70), (170, 60, 50), (60, 110, 140)]
    shelves = [(40, 300), (330, 640), (670, 980)]
    for top, bottom in shelves:
        x = 20
        while x < W - 30:
            if rng.random() < 0.07:  # horizontal stack
                bw = rng.randint(150, 220)
                y = bottom
                for _ in range(rng.randint(3, 6)):
                    th = rng.randint(22, 42)
                    c = rng.choice(palette)
                    box = (x + rng.randint(0, 16), y - th, x + bw - rng.randint(0, 16), y)
                    spine = vgrad(box[2] - box[0], th, [(0, mix(c, (255, 255, 255), 0.15)), (0.5, c), (1, mix(c, (0, 0, 0), 0.4))])
                    img.paste(spine, (int(box[0]), int(box[1])))
                    y -= th
                x += bw + 6
                continue
            bw = rng.randint(24, 66)
            bh = int((bottom - top) * rng.uniform(0.62, 0.94))
            c = rng.choice(palette)
            c = mix(c, (0, 0, 0), rng.uniform(0, 0.2))
            spine = hgrad(bw, bh, [(0, mix(c, (0, 0, 0), 0.5)), (0.25, mix(c, (255, 255, 255), 0.12)),
                                   (0.6, c), (1, mix(c, (0, 0, 0), 0.55))])
            sd = ImageDraw.Draw(spine)
            accent = (200, 170, 100) if rng.random() < 0.6 else mix(c, (0, 0, 0), 0.5)
            for yy in (int(bh * 0.08), int(bh * 0.9)):
                sd.rectangle((2, yy, bw - 3, yy + rng.choice((2, 3, 5))), fill=accent)
            if rng.random() < 0.5:
                ly = int(bh * rng.uniform(0.25, 0.4))
                sd.rectangle((5, ly, bw - 6, ly + int(bh * 0.16)), fill=mix(c, (236, 226, 200), 0.7))
            if rng.random() < 0.08 and x > 60:
                ang = rng.uniform(6, 12)
                m = Image.new("L", spine.size, 255).rotate(-ang, expand=True, resample=Image.BICUBIC)
                sp = spine.rotate(-ang, expand=True, resample=Image.BICUBIC)
                img.paste(sp, (x, bottom - sp.size[1]), m)
                x += sp.size[0] + 2
                continue
            # shadow to the left of each book
            sm = Image.new("L", (W, H), 0)
            ImageDraw.Draw(sm).rectangle((x - 8, bottom - bh + 4, x, bottom), fill=255)
            img = paint(img, scale_mask(sm.filter(ImageFilter.GaussianBlur(4)), 0.4), (20, 10, 6))
            img.paste(spine, (x, bottom - bh))
            x += bw + rng.choice((0, 0, 1, 2))
        # shelf plank and its shadow
        plank = vgrad(W, 30, [(0, (170, 120, 80)), (0.25, (140, 96, 62)), (1, (80, 52, 34))])
        img.paste(plank, (0, bottom))
        shm = Image.new("L", (W, H), 0)
        ImageDraw.Draw(shm).rectangle((0, bottom + 30, W, bottom + 60), fill=255)
        img = paint(img, scale_mask(shm.filter(ImageFilter.GaussianBlur(12)), 0.55), (20, 10, 6))
        ImageDraw.Draw(img).line((0, bottom + 1, W, bottom + 1), fill=(196, 150, 104), width=2)
    # warm window light from the right, softer focus at the top and bottom
    img = glow(img, W * 0.95, H * 0.3, 900, 900, (120, 80, 40), 0.55, 1.3)
    blurred = img.filter(ImageFilter.GaussianBlur(5))
    focus = ImageOps.invert(radial(W, H, W * 0.5, H * 0.52, W * 1.3, H * 0.62, 0.7))
    img = Image.composite(blurred, img, focus)
    return finish(img, rng, grain=5, vignette=0.35)


def wheat(rng):
    hy = int(H * 0.52)
    img = vgrad(W, H, [(0, (120, 160, 200)), (0.3, (190, 200, 206)), (0.5, (252, 214, 160)), (0.52, (250, 200, 140)), (1, (150, 100, 40))])
    sx, sy = W * 0.78, hy - 60
    img = glow(img, sx, sy, 800, 500, (255, 170, 80), 0.6, 1.4)
    trees = ridge(rng, W, hy - 18, 14, 0.7, 8)
    img = paint(img, poly_mask(trees + [(W, hy + 4), (0, hy + 4)], blur=2.5), (86, 96, 80))
    field = vgrad(W, H - hy, [(0, (232, 186, 110)), (0.3, (214, 160, 72)), (1, (150, 96, 30))])
    img.paste(field, (0, hy))
    img = glow(img, sx, sy, 220, 220, (255, 246, 210), 1.0, 1.6)
    d = ImageDraw.Draw(img)
    for i in range(7000):
        t = rng.random() ** 1.6
        y = hy + 4 + t * (H - hy)
        x = rng.uniform(-20, W + 20)
        ln = 3 + 40 * t
        ang = math.radians(rng.uniform(-14, 10))
        c = mix((246, 206, 120), (120, 76, 24), rng.random() * (0.4 + 0.6 * t))
        if abs(x - sx) < 380 and rng.random() < 0.3:
            c = mix(c, (255, 226, 160), 0.35)
        d.line((x, y, x + ln * math.sin(ang), y - ln * math.cos(ang)), fill=c, width=1 if t < 0.5 else 2)
    # foreground ears of wheat, backlit, in two depth planes
    for blur, count, scale, ybase in ((3.5, 16, 1.0, 0.72), (1.2, 9, 1.5, 0.9)):
        fg = Image.new("RGB", (W, H), 0)
        fm = Image.new("L", (W, H), 0)
        fd, fmd = ImageDraw.Draw(fg), ImageDraw.Draw(fm)
        for _ in range(count):
            bx = rng.uniform(-40, W + 40)
            if abs(bx - sx) < 120:
                bx += 260
            topy = H * rng.uniform(ybase - 0.22, ybase)
            lean = rng.uniform(-50, 50)
            c = mix((150, 100, 40), (90, 58, 24), rng.random())
            pts = [(bx + lean * (1 - k / 12) ** 2, topy + (H + 20 - topy) * k / 12) for k in range(13)]
            for dd, f in ((fd, c), (fmd, 255)):
                dd.line(pts, fill=f, width=int(3 * scale))
            hx, hy2 = pts[0]
            ang = math.atan2(pts[0][0] - pts[1][0], pts[1][1] - pts[0][1])
            ln = 110 * scale
            for k in range(10):
                t = k / 10
                px = hx + math.sin(ang) * ln * t
                py = hy2 - math.cos(ang) * ln * t
                w_ = (6 + 3 * math.sin(t * math.pi)) * scale
                for side in (-1, 1):
                    ex = px + side * w_ * 0.8
                    kc = mix(c, (250, 210, 130), 0.25 + 0.3 * rng.random())
                    fd.polygon([(ex, py - 9 * scale), (ex + side * w_ * 0.9, py), (ex, py + 9 * scale), (ex - side * w_ * 0.5, py)], fill=kc)
                    fmd.polygon([(ex, py - 9 * scale), (ex + side * w_ * 0.9, py), (ex, py + 9 * scale), (ex - side * w_ * 0.5, py)], fill=255)
                    # awns catch the light
                    ax, ay = ex + side * w_ * 2.5 + math.sin(ang) * 20, py - 34 * scale
                    fd.line((ex, py - 6 * scale, ax, ay), fill=(255, 226, 160), width=1)
                    fmd.line((ex, py - 6 * scale, ax, ay), fill=200, width=1)
        fg = fg.filter(ImageFilter.GaussianBlur(blur))
        fm = fm.filter(ImageFilter.GaussianBlur(blur))
        img = Image.composite(fg, img, fm)
    img = glow(img, sx, sy, 1000, 700, (120, 60, 10), 0.35, 1.0)
    return finish(img, rng, grain=6, vignette=0.3)


def mountain_road(rng):
    img = vgrad(W, H, [(0, (120, 156, 196)), (0.45, (208, 218, 226)), (0.6, (236, 226, 210)), (1, (236, 226, 210))])
    img = glow(img, W * 0.25, H * 0.3, 700, 400, (255, 236, 200), 0.6, 1.4)
    layers = [(0.42, 90, (160, 176, 196), 2.5), (0.50, 80, (126, 146, 170), 1.8), (0.58, 70, (92, 116, 138), 1.2),
              (0.66, 60, (62, 88, 102), 0.8)]
    for base, amp, colour, blur in layers:
        line = ridge(rng, W, H * base, amp, 0.56, 9)
        top = min(y for _, y in line)
        fill = vgrad(W, H, [(0, mix(colour, (255, 255, 255), 0.1)), (max(0.01, top / H), colour), (1, mix(colour, (20, 30, 40), 0.4))])
        img = paint(img, poly_mask(line + [(W, H), (0, H)], blur=blur), fill)
        mist = radial(W, H, W / 2, H * base + 60, W * 1.0, 60, 1.0)
        img = paint(img, scale_mask(mist, 0.45), (230, 232, 234))
    # foreground slope
    fgl = ridge(rng, W, H * 0.72, 30, 0.5, 8)
    fg = vgrad(W, H, [(0, (96, 110, 70)), (0.7, (84, 96, 56)), (1, (50, 58, 34))])
    img = paint(img, poly_mask(fgl + [(W, H), (0, H)], blur=0.8), fg)
    patches = Image.new("L", (W // 8, H // 8), 0)
    patches.putdata(list(rng.randbytes((W // 8) * (H // 8))))
    patches = patches.resize((W, H), Image.BICUBIC).filter(ImageFilter.GaussianBlur(18))
    patches = ImageChops.multiply(patches.point(lambda v: max(0, min(255, (v - 110) * 4))), poly_mask(fgl + [(W, H), (0, H)], blur=2))
    img = paint(img, scale_mask(patches, 0.35), (150, 140, 90))
    # winding road
    def centre(t):  # t=0 bottom, 1 horizon
        y = H + 20 - t * (H + 20 - H * 0.735)
        x = W * 0.55 + 360 * math.sin(t * 3.4 + 0.3) * (1 - t) ** 1.2 - 140 * t
        return x, y

    left, right, mid = [], [], []
    N = 160
    for i in range(N + 1):
        t = i / N
        x, y = centre(t)
        hw = 250 * (1 - t) ** 1.25 + 4
        left.append((x - hw, y))
        right.append((x + hw, y))
        mid.append((x, y, hw))
    road = vgrad(W, H, [(0, (120, 122, 124)), (0.75, (96, 98, 102)), (1, (70, 72, 76))])
    img = paint(img, poly_mask(left + right[::-1], blur=0.8), road)
    d = ImageDraw.Draw(img)
    d.line(left, fill=(220, 220, 214), width=3)
    d.line(right, fill=(220, 220, 214), width=3)
    for i in range(0, N, 8):
        a, b = mid[i], mid[min(N, i + 4)]
        d.line((a[0], a[1], b[0], b[1]), fill=(240, 210, 90), width=max(1, int(a[2] / 30)))
    # roadside posts
    for i in range(4, N - 20, 12):
        x, y, hw = mid[i]
        ph = hw * 0.35
        d.line((x + hw * 1.12, y, x + hw * 1.12, y - ph), fill=(236, 236, 230), width=max(1, int(hw / 40)))
        d.line((x + hw * 1.12, y - ph, x + hw * 1.12, y - ph * 0.8), fill=(200, 60, 40), width=max(1, int(hw / 40)))
    # sparse shrubs on the slope
    for _ in range(110):
        x = rng.uniform(0, W)
        y = H * 0.74 + (H * 0.26) * rng.random() ** 0.7
        s = 3 + (y - H * 0.74) / 18
        cx, _ = centre((H + 20 - y) / (H + 20 - H * 0.735))
        if abs(x - cx) < 300 * ((y - H * 0.7) / (H * 0.3)) + 40:
            continue
        base_c = mix((40, 56, 30), (70, 86, 46), rng.random())
        for _ in range(3):
            ox, oy = rng.uniform(-s, s), rng.uniform(-s * 0.4, 0)
            d.ellipse((x + ox - s * 0.7, y + oy - s * 0.6, x + ox + s * 0.7, y + oy + s * 0.3), fill=base_c)
        d.ellipse((x - s * 0.5, y - s * 0.9, x + s * 0.2, y - s * 0.3), fill=mix(base_c, (150, 160, 100), 0.35))
    return finish(img, rng, grain=5, vignette=0.3)


def rain_window(rng):
    bg = vgrad(W, H, [(0, (18, 30, 48)), (0.6, (30, 44, 60)), (1, (14, 20, 30))])
    bokeh = Image.new("RGB", (W, H), 0)
    for layer_i, (count, rmin, rmax, blur) in enumerate(((40, 50, 110, 18), (90, 20, 60, 6))):
        lay = Image.new("RGB", (W, H), 0)
        d = ImageDraw.Draw(lay)
        for _ in range(count):
            x = rng.uniform(-50, W + 50)
            y = rng.gauss(H * 0.55, H * 0.18)
            r = rng.uniform(rmin, rmax)
            c = rng.choice(((255, 170, 70), (255, 120, 60), (250, 220, 160), (120, 200, 255), (255, 60, 60), (140, 255, 180)))
            c = mix(c, (0, 0, 0), rng.uniform(0.3, 0.7))
            d.ellipse((x - r, y - r, x + r, y + r), fill=c)
        bokeh = ImageChops.add(bokeh, lay.filter(ImageFilter.GaussianBlur(blur)))
    bg = ImageChops.screen(bg, bokeh)
    bg = bg.filter(ImageFilter.GaussianBlur(4))
    # condensation haze
    img = Image.blend(bg, vgrad(W, H, [(0, (70, 84, 100)), (1, (40, 48, 60))]), 0.22)
    # droplets act as tiny inverted lenses of the background
    clear = bg
    for _ in range(520):
        r = int(max(3, rng.paretovariate(2.2) * 4))
        r = min(r, 26)
        x, y = rng.uniform(0, W), rng.uniform(0, H)
        box = (int(x - r * 4), int(y - r * 4), int(x + r * 4), int(y + r * 4))
        src = clear.crop(box).rotate(180).resize((2 * r, 2 * r), Image.BILINEAR)
        src = Image.blend(src, Image.new("RGB", src.size, (200, 210, 220)), 0.08)
        m = Image.new("L", (2 * r, 2 * r), 0)
        sq = rng.uniform(0.8, 1.0)
        ImageDraw.Draw(m).ellipse((0, (1 - sq) * r, 2 * r - 1, 2 * r - 1), fill=255)
        img.paste(src, (int(x - r), int(y - r)), m.filter(ImageFilter.GaussianBlur(0.6)))
        d = ImageDraw.Draw(img)
        d.arc((x - r, y - r + (1 - sq) * r, x + r - 1, y + r - 1), 20, 160, fill=(10, 14, 22), width=max(1, r // 5))
        hr = max(1, r // 4)
        d.ellipse((x - r * 0.45 - hr, y - r * 0.45 - hr, x - r * 0.45 + hr, y - r * 0.45 + hr), fill=(230, 236, 244))
        if r > 9 and rng.random() < 0.25:  # trail left behind
            ty = y - r
            tx = x
            length = rng.uniform(80, 300)
            pts = []
            for k in range(int(length / 6)):
                pts.append((tx + math.sin(k * 0.7) * 1.5, ty - k * 6))
            tm = Image.new("L", (W, H), 0)
            ImageDraw.Draw(tm).line(pts, fill=200, width=max(2, r // 2))
            img = Image.composite(clear, img, tm.filter(ImageFilter.GaussianBlur(1)))
    return finish(img, rng, grain=5, vignette=0.35, soften=0.3)


def lab(rng):
    img = vgrad(W, H, [(0, (200, 220, 232)), (0.6, (226, 236, 240)), (0.62, (190, 200, 206)), (1, (150, 160, 168))])
    # blurred window and shelves in the background
    bgd = ImageDraw.Draw(img)
    for wx in (120, 520, 920, 1320):
        bgd.rectangle((wx, 60, wx + 300, 520), fill=(244, 250, 252))
        bgd.line((wx + 150, 60, wx + 150, 520), fill=(190, 206, 214), width=10)
        bgd.line((wx, 290, wx + 300, 290), fill=(190, 206, 214), width=10)
    for _ in range(30):
        x, y = rng.uniform(0, W), rng.uniform(300, 560)
        bgd.rectangle((x, y, x + rng.uniform(20, 60), y + rng.uniform(30, 90)),
                      fill=mix(rng.choice(((80, 140, 170), (180, 120, 90), (120, 160, 120), (160, 160, 170))), (230, 236, 240), 0.5))
    img = img.filter(ImageFilter.GaussianBlur(14))
    bench_y = int(H * 0.66)
    bench = vgrad(W, H - bench_y, [(0, (236, 240, 242)), (0.1, (206, 214, 220)), (1, (150, 160, 170))])
    img.paste(bench, (0, bench_y))
    ImageDraw.Draw(img).line((0, bench_y, W, bench_y), fill=(250, 252, 252), width=3)

    def vessel(img, kind, cx, base, s, liquid, level):
        shape = Image.new("L", (W, H), 0)
        sd = ImageDraw.Draw(shape)
        if kind == "erlenmeyer":
            body = [(cx - 28 * s, base - 260 * s), (cx + 28 * s, base - 260 * s), (cx + 28 * s, base - 190 * s),
                    (cx + 120 * s, base - 10 * s), (cx + 112 * s, base), (cx - 112 * s, base), (cx - 120 * s, base - 10 * s),
                    (cx - 28 * s, base - 190 * s)]
            sd.polygon(body, fill=255)
            sd.rectangle((cx - 34 * s, base - 272 * s, cx + 34 * s, base - 258 * s), fill=255)
        elif kind == "round":
            sd.ellipse((cx - 110 * s, base - 220 * s, cx + 110 * s, base), fill=255)
            sd.rectangle((cx - 24 * s, base - 380 * s, cx + 24 * s, base - 180 * s), fill=255)
        elif kind == "beaker":
            sd.rounded_rectangle((cx - 90 * s, base - 240 * s, cx + 90 * s, base), int(10 * s), fill=255)
        elif kind == "tube":
            sd.rounded_rectangle((cx - 18 * s, base - 300 * s, cx + 18 * s, base), int(18 * s), fill=255)
        # contact shadow
        sh = radial(W, H, cx + 20 * s, base + 4, 150 * s, 16 * s, 1.0)
        img = paint(img, scale_mask(sh, 0.45), (90, 100, 110))
        # glass tint and refraction of the background
        behind = img.filter(ImageFilter.GaussianBlur(6))
        glass = Image.blend(behind, Image.new("RGB", (W, H), (214, 232, 238)), 0.35)
        img = Image.composite(glass, img, shape)
        # liquid
        top = base - level * s
        lm = ImageChops.multiply(shape, poly_mask([(0, top), (W, top), (W, H), (0, H)]))
        lq = vgrad(W, H, [(0, mix(liquid, (255, 255, 255), 0.3)), (max(0.01, top / H), liquid), (min(1, base / H), mix(liquid, (0, 0, 0), 0.35)), (1, liquid)])
        img = Image.composite(Image.blend(lq, img, 0.18), img, lm)
        img = glow(img, cx, base - level * s * 0.4, 90 * s, 60 * s, mix(liquid, (255, 255, 255), 0.4), 0.35, 1.2)
        # edges and highlights
        edge = ImageChops.subtract(shape, shape.filter(ImageFilter.MinFilter(5)))
        img = paint(img, scale_mask(edge.filter(ImageFilter.GaussianBlur(0.8)), 0.7), (70, 90, 100))
        hl = ImageChops.multiply(shape, hgrad(W, H, [(0, (0, 0, 0)), (max(0, (cx - 70 * s) / W), (0, 0, 0)),
                                                    ((cx - 50 * s) / W, (255, 255, 255)), ((cx - 36 * s) / W, (0, 0, 0)), (1, (0, 0, 0))]).convert("L"))
        img = paint(img, scale_mask(hl.filter(ImageFilter.GaussianBlur(2)), 0.75), (255, 255, 255))
        ImageDraw.Draw(img).line((cx - 18 * s, base - level * s, cx + 18 * s, base - level * s), fill=mix(liquid, (255, 255, 255), 0.5), width=2)
        return img

    img = vessel(img, "beaker", 280, bench_y + 90, 1.2, (220, 150, 40), 120)
    img = vessel(img, "round", 1250, bench_y + 70, 1.25, (170, 50, 120), 90)
    img = vessel(img, "erlenmeyer", 760, bench_y + 130, 1.45, (30, 150, 160), 120)
    for i, col in enumerate(((60, 120, 220), (230, 90, 60), (90, 190, 90), (240, 200, 60))):
        img = vessel(img, "tube", 1470 + (i - 1.5) * 46, bench_y + 20, 0.75, col, 150 - i * 20)
    # out-of-focus flask in the very foreground
    img = glow(img, W * 0.6, H * 0.1, 900, 400, (255, 255, 255), 0.3, 1.0)
    return finish(img, rng, grain=4, vignette=0.28)


def solar(rng):
    hy = int(H * 0.44)
    img = vgrad(W, H, [(0, (70, 130, 200)), (0.4, (160, 196, 226)), (0.44, (220, 220, 210)), (0.46, (222, 196, 150)), (1, (190, 150, 100))])
    img = glow(img, W * 0.2, H * 0.12, 500, 400, (255, 250, 230), 0.8, 1.3)
    hills = ridge(rng, W, hy - 10, 24, 0.5, 8)
    img = paint(img, poly_mask(hills + [(W, hy + 4), (0, hy + 4)], blur=2.5), (180, 170, 160))
    vx, vy = W * 1.35, hy
    d = ImageDraw.Draw(img)
    rows = []
    y = hy + 12
    k = 0
    while y < H + 200:
        rows.append(y)
        k += 1
        y += 10 + k * k * 2.2
    for ri, ry in enumerate(rows):
        ph = 8 + (ry - hy) * 0.32  # panel height in px
        # rows run towards a vanishing point on the right
        x = -200
        while x < W + 50:
            def proj(px, py):
                t = (px + 200) / (vx + 200)
                return px, py + (vy - py) * t * 0.65
            pw = ph * 1.35
            a = proj(x, ry - ph)
            b = proj(x + pw, ry - ph)
            c = proj(x + pw, ry)
            e = proj(x, ry)
            skew = ph * 0.35
            quad = [(a[0] + skew, a[1]), (b[0] + skew, b[1]), c, e]
            if quad[2][1] < hy:
                x += pw + 3
                continue
            t = rng.uniform(-0.06, 0.06)
            top = mix((120, 160, 210), (30, 50, 100), 0.35 + t)
            m = poly_mask(quad)
            bb = m.getbbox()
            if bb:
                panel = vgrad(W, H, [(0, top), (max(0.01, bb[1] / H), top), (min(1, bb[3] / H), (18, 28, 60)), (1, (18, 28, 60))])
                sub = Image.composite(panel.crop(bb), img.crop(bb), m.crop(bb))
                img.paste(sub, bb[:2])
                d = ImageDraw.Draw(img)
                if ph > 18:
                    for g in range(1, 4):
                        p1 = (lerp(quad[0][0], quad[1][0], g / 4), lerp(quad[0][1], quad[1][1], g / 4))
                        p2 = (lerp(quad[3][0], quad[2][0], g / 4), lerp(quad[3][1], quad[2][1], g / 4))
                        d.line((p1, p2), fill=(150, 176, 210), width=1)
                    for g in range(1, 3):
                        p1 = (lerp(quad[0][0], quad[3][0], g / 3), lerp(quad[0][1], quad[3][1], g / 3))
                        p2 = (lerp(quad[1][0], quad[2][0], g / 3), lerp(quad[1][1], quad[2][1], g / 3))
                        d.line((p1, p2), fill=(150, 176, 210), width=1)
                d.line((quad[3], quad[2]), fill=(200, 206, 214), width=max(1, int(ph / 40)))
                d.line((e[0] + pw * 0.5, e[1], e[0] + pw * 0.5, e[1] + ph * 0.25), fill=(70, 60, 50), width=max(1, int(ph / 30)))
            x += pw + max(2, ph * 0.06)
        # shadow strip on the sand
        sm = Image.new("L", (W, H), 0)
        ImageDraw.Draw(sm).polygon([(-200, ry), (W, ry - (ry - vy) * 0.65 * (W + 200) / (vx + 200)),
                                    (W, ry - (ry - vy) * 0.65 * (W + 200) / (vx + 200) + ph * 0.22), (-200, ry + ph * 0.22)], fill=255)
        img = paint(img, scale_mask(sm.filter(ImageFilter.GaussianBlur(3)), 0.35), (90, 60, 40))
    img = glow(img, W * 0.3, H * 0.7, 260, 120, (255, 255, 240), 0.5, 1.5)
    return finish(img, rng, grain=5, vignette=0.3)


def old_town(rng):
    hy = int(H * 0.70)
    img = vgrad(W, H, [(0, (22, 30, 72)), (0.35, (60, 58, 118)), (0.55, (170, 96, 120)), (0.68, (246, 160, 100)), (1, (250, 190, 120))])
    img = glow(img, W * 0.45, hy, 900, 260, (255, 170, 90), 0.6, 1.2)
    d = ImageDraw.Draw(img)
    for _ in range(60):
        x, y = rng.uniform(0, W), rng.uniform(0, H * 0.3)
        b = rng.randint(120, 220)
        d.point((x, y), fill=(b, b, b + 20 if b < 235 else 255))
    # crescent moon
    mx, my, mr = W * 0.8, H * 0.18, 28
    img = glow(img, mx, my, 150, 150, (120, 110, 160), 0.6, 2)
    mm = Image.new("L", (W, H), 0)
    md = ImageDraw.Draw(mm)
    md.ellipse((mx - mr, my - mr, mx + mr, my + mr), fill=255)
    md.ellipse((mx - mr + 12, my - mr - 6, mx + mr + 12, my + mr - 6), fill=0)
    img = paint(img, mm.filter(ImageFilter.GaussianBlur(1)), (250, 240, 210))

    def town(img, base, hrange, colour, blur, windows, tall=False):
        lay = Image.new("RGB", (W, H), 0)
        m = Image.new("L", (W, H), 0)
        ld, md = ImageDraw.Draw(lay), ImageDraw.Draw(m)
        x = -30
        placed_minaret = False
        while x < W:
            bw = rng.randint(60, 170)
            bh = rng.randint(*hrange)
            top = base - bh
            c = mix(colour, (0, 0, 0), rng.uniform(0, 0.25))
            for dd in (ld, md):
                f = c if dd is ld else 255
                dd.rectangle((x, top, x + bw, H), fill=f)
                if rng.random() < 0.4:  # parapet
                    dd.rectangle((x - 2, top - 6, x + bw + 2, top), fill=f)
            r = rng.random()
            if r < 0.22 and bw > 90:
                dw = bw * 0.7
                for dd in (ld, md):
                    f = c if dd is ld else 255
                    dd.rectangle((x + bw / 2 - dw / 2, top - 16, x + bw / 2 + dw / 2, top), fill=f)
                    dd.pieslice((x + bw / 2 - dw / 2, top - 16 - dw * 0.6, x + bw / 2 + dw / 2, top - 16 + dw * 0.6), 180, 360, fill=f)
                    dd.line((x + bw / 2, top - 16 - dw * 0.6, x + bw / 2, top - 30 - dw * 0.6), fill=f, width=2)
            elif tall and not placed_minaret and x > W * 0.55:
                placed_minaret = True
                mx0 = x + bw / 2
                for dd in (ld, md):
                    f = c if dd is ld else 255
                    dd.rectangle((mx0 - 16, top - 300, mx0 + 16, top), fill=f)
                    dd.rectangle((mx0 - 26, top - 230, mx0 + 26, top - 218), fill=f)
                    dd.rectangle((mx0 - 12, top - 360, mx0 + 12, top - 300), fill=f)
                    dd.polygon([(mx0 - 16, top - 360), (mx0 + 16, top - 360), (mx0, top - 420)], fill=f)
                    dd.line((mx0, top - 420, mx0, top - 445), fill=f, width=2)
                ld.rectangle((mx0 - 6, top - 350, mx0 + 6, top - 320), fill=(255, 214, 140))
            elif r < 0.35:  # water tank
                for dd in (ld, md):
                    f = c if dd is ld else 255
                    dd.rectangle((x + 14, top - 24, x + 44, top), fill=f)
            if windows:
                for _ in range(rng.randint(0, 4)):
                    wx = rng.uniform(x + 8, x + bw - 22)
                    wy = rng.uniform(top + 14, base - 30)
                    if rng.random() < 0.6:
                        wc = mix((255, 196, 110), c, rng.uniform(0, 0.4))
                        ld.rectangle((wx, wy + 8, wx + 12, wy + 26), fill=wc)
                        ld.pieslice((wx, wy, wx + 12, wy + 16), 180, 360, fill=wc)
            x += bw + rng.randint(-12, 4)
        if blur:
            lay, m = lay.filter(ImageFilter.GaussianBlur(blur)), m.filter(ImageFilter.GaussianBlur(blur))
        return Image.composite(lay, img, m)

    img = town(img, hy - 30, (40, 130), (120, 80, 110), 2.0, False)
    img = glow(img, W * 0.5, hy - 40, 1000, 90, (250, 170, 120), 0.35, 1.0)
    img = town(img, hy + 60, (60, 200), (44, 30, 52), 0.6, True)
    img = town(img, H + 40, (110, 260), (22, 16, 28), 0, True, tall=True)
    d = ImageDraw.Draw(img)
    for _ in range(14):
        x, y, s = rng.gauss(W * 0.35, 120), rng.gauss(H * 0.3, 50), rng.uniform(4, 9)
        d.line((x - s, y - s * 0.5, x, y, x + s, y - s * 0.5), fill=(30, 24, 40), width=2)
    return finish(img, rng, grain=5, vignette=0.35)


def olive_grove(rng):
    hy = int(H * 0.42)
    img = vgrad(W, H, [(0, (150, 186, 214)), (0.42, (230, 226, 206)), (0.44, (206, 176, 140)), (1, (150, 96, 66))])
    img = glow(img, W * 0.12, H * 0.2, 600, 400, (255, 244, 214), 0.7, 1.4)
    far = ridge(rng, W, hy - 50, 40, 0.55, 8)
    img = paint(img, poly_mask(far + [(W, H), (0, H)], blur=3), (150, 160, 160))
    near = ridge(rng, W, hy, 22, 0.5, 8)
    soil = vgrad(W, H, [(0, (200, 164, 124)), (0.5, (176, 122, 84)), (1, (126, 78, 52))])
    img = paint(img, poly_mask(near + [(W, H), (0, H)], blur=1.5), soil)
    # furrows
    d = ImageDraw.Draw(img)
    for i in range(50):
        y = hy + 10 + (i / 50) ** 2 * (H - hy)
        d.line((0, y, W, y + rng.uniform(-6, 6)), fill=(150, 100, 70), width=1 + int(i / 20))
    rows = []
    for r in range(7):
        depth = r / 6
        y = hy + 30 + (1 - depth) ** 2.2 * (H - hy - 10)
        rows.append((y, 1 - depth))
    for y, near_t in reversed(rows):
        size = 30 + 230 * near_t ** 1.8
        spacing = size * 2.6
        x = rng.uniform(-spacing, 0)
        while x < W + spacing:
            tx, ty = x + rng.uniform(-size * 0.2, size * 0.2), y
            # shadow
            sh = radial(W, H, tx + size * 0.9, ty + size * 0.08, size * 1.1, size * 0.18, 1.0)
            img = paint(img, scale_mask(sh, 0.5), (80, 50, 36))
            d = ImageDraw.Draw(img)
            # trunk
            tw = size * 0.09
            d.polygon([(tx - tw * 1.4, ty), (tx + tw * 1.6, ty), (tx + tw * 0.6, ty - size * 0.55), (tx - tw * 0.8, ty - size * 0.6)], fill=(70, 56, 44))
            d.line((tx, ty - size * 0.5, tx - size * 0.25, ty - size * 0.8), fill=(70, 56, 44), width=max(1, int(tw)))
            d.line((tx, ty - size * 0.5, tx + size * 0.3, ty - size * 0.85), fill=(70, 56, 44), width=max(1, int(tw)))
            # canopy of many leaf clusters, lit from the upper left
            cx, cy = tx, ty - size * 0.95
            n = int(40 + 60 * near_t)
            for _ in range(n):
                a = rng.uniform(0, 2 * math.pi)
                rr = rng.random() ** 0.6
                px = cx + math.cos(a) * rr * size * 0.75
                py = cy + math.sin(a) * rr * size * 0.42
                lr = size * rng.uniform(0.08, 0.16)
                light = 0.5 - 0.5 * ((px - cx) / (size * 0.75) * 0.6 + (py - cy) / (size * 0.42) * 0.6)
                light = max(0, min(1, light + rng.uniform(-0.2, 0.2)))
                c = mix((58, 74, 52), (168, 180, 140), light)
                c = mix(c, (200, 200, 190), (1 - near_t) * 0.35)
                d.ellipse((px - lr, py - lr * 0.75, px + lr, py + lr * 0.75), fill=c)
            x += spacing * rng.uniform(0.9, 1.1)
        if near_t < 0.5:  # atmospheric haze on distant rows
            hz = radial(W, H, W / 2, y - size, W, size * 1.4, 0.6)
            img = paint(img, scale_mask(hz, 0.15 * (1 - near_t)), (230, 226, 210))
    return finish(img, rng, grain=5, vignette=0.3)


# ---------------------------------------------------------------- portraits

def portrait(rng, bg1, bg2, skin_tone, style, accent):
    S = 600
    img = radial_bg(S, bg1, bg2)
    img = glow(img, S * 0.3, S * 0.25, S * 0.6, S * 0.6, mix(bg1, (255, 255, 255), 0.5), 0.35, 1.4)
    sil = Image.new("L", (S, S), 0)
    d = ImageDraw.Draw(sil)
    cx = S * 0.5
    head_y = S * 0.40
    hr_x, hr_y = 92, 118
    # shoulders / torso
    d.rounded_rectangle((cx - 230, S * 0.74, cx + 230, S + 200), 150, fill=255)
    d.polygon([(cx - 48, head_y + 70), (cx + 48, head_y + 70), (cx + 60, S * 0.78), (cx - 60, S * 0.78)], fill=255)  # neck
    d.ellipse((cx - hr_x, head_y - hr_y, cx + hr_x, head_y + hr_y), fill=255)
    if style == "hijab":
        d.ellipse((cx - hr_x - 26, head_y - hr_y - 24, cx + hr_x + 26, head_y + hr_y + 20), fill=255)
        d.polygon([(cx - hr_x - 26, head_y), (cx + hr_x + 26, head_y), (cx + 170, S * 0.82), (cx - 170, S * 0.82)], fill=255)
    elif style == "long":
        d.ellipse((cx - hr_x - 18, head_y - hr_y - 16, cx + hr_x + 18, head_y + hr_y - 10), fill=255)
        d.rounded_rectangle((cx - hr_x - 22, head_y - 40, cx + hr_x + 22, S * 0.8), 60, fill=255)
    elif style == "short":
        d.ellipse((cx - hr_x - 6, head_y - hr_y - 14, cx + hr_x + 6, head_y + 10), fill=255)
    elif style == "curly":
        for a in range(0, 360, 24):
            px = cx + math.cos(math.radians(a)) * (hr_x + 4)
            py = head_y - 30 + math.sin(math.radians(a)) * (hr_y - 10)
            if py < head_y + 10:
                d.ellipse((px - 34, py - 34, px + 34, py + 34), fill=255)
    elif style == "beard":
        d.ellipse((cx - hr_x - 4, head_y - hr_y - 10, cx + hr_x + 4, head_y + 0), fill=255)
        d.ellipse((cx - hr_x + 6, head_y + 10, cx + hr_x - 6, head_y + hr_y + 18), fill=255)
    # ears
    if style in ("short", "beard", "curly"):
        d.ellipse((cx - hr_x - 16, head_y - 10, cx - hr_x + 14, head_y + 40), fill=255)
        d.ellipse((cx + hr_x - 14, head_y - 10, cx + hr_x + 16, head_y + 40), fill=255)
    # rim light: the silhouette shifted and blurred, in a light colour behind the figure
    rim = ImageChops.offset(sil, -8, -6).filter(ImageFilter.GaussianBlur(10))
    img = paint(img, scale_mask(rim, 0.55), mix(bg1, (255, 255, 255), 0.7))
    body = vgrad(S, S, [(0, mix(skin_tone, (0, 0, 0), 0.55)), (0.6, mix(skin_tone, (0, 0, 0), 0.7)), (1, mix(accent, (0, 0, 0), 0.6))])
    body = ImageChops.multiply(body, hgrad(S, S, [(0, (255, 255, 255)), (1, (170, 170, 170))]))
    img = paint(img, sil.filter(ImageFilter.GaussianBlur(1.2)), body)
    if style != "hijab":  # hair (and beard) a shade darker than the face
        face = Image.new("L", (S, S), 0)
        fd = ImageDraw.Draw(face)
        low = head_y + hr_y * (0.45 if style == "beard" else 1.0)
        fd.ellipse((cx - hr_x + 4, head_y - hr_y * 0.62, cx + hr_x - 4, low), fill=255)
        fd.rectangle((cx - 44, head_y + 40, cx + 44, S), fill=255)
        if style in ("short", "beard", "curly"):
            fd.ellipse((cx - hr_x - 16, head_y - 10, cx - hr_x + 14, head_y + 40), fill=255)
            fd.ellipse((cx + hr_x - 14, head_y - 10, cx + hr_x + 16, head_y + 40), fill=255)
        hair = ImageChops.subtract(sil, face.filter(ImageFilter.GaussianBlur(3)))
        hair_col = vgrad(S, S, [(0, (40, 32, 30)), (1, (18, 14, 14))])
        img = paint(img, hair.filter(ImageFilter.GaussianBlur(1.5)), hair_col)
    # clothing tone for the torso
    torso = Image.new("L", (S, S), 0)
    ImageDraw.Draw(torso).rounded_rectangle((cx - 230, S * 0.76, cx + 230, S + 200), 150, fill=255)
    if style != "hijab":
        img = paint(img, torso.filter(ImageFilter.GaussianBlur(1.5)), vgrad(S, S, [(0, mix(accent, (0, 0, 0), 0.4)), (1, mix(accent, (0, 0, 0), 0.7))]))
        collar = Image.new("L", (S, S), 0)
        ImageDraw.Draw(collar).polygon([(cx - 60, S * 0.76), (cx + 60, S * 0.76), (cx, S * 0.88)], fill=255)
        img = paint(img, collar.filter(ImageFilter.GaussianBlur(1.5)), mix(skin_tone, (0, 0, 0), 0.62))
    else:
        scarf = ImageChops.subtract(sil, radial(S, S, cx, head_y + 6, hr_x + 2, hr_y - 4, 0.05))
        img = paint(img, scale_mask(scarf.filter(ImageFilter.GaussianBlur(1.5)), 0.85),
                    vgrad(S, S, [(0, mix(accent, (0, 0, 0), 0.35)), (1, mix(accent, (0, 0, 0), 0.65))]))
    img = glow(img, cx - 60, head_y - 40, 120, 150, mix(skin_tone, (255, 255, 255), 0.2), 0.18, 1.5)
    return finish(img, rng, grain=4, vignette=0.25, soften=0.4)


def radial_bg(S, c_in, c_out):
    m = radial(S, S, S * 0.5, S * 0.42, S * 0.85, S * 0.85, 0.8, size=(S, S))
    return Image.composite(Image.new("RGB", (S, S), c_in), Image.new("RGB", (S, S), c_out), m)


SCENES = {
    "desert-dawn": desert_dawn,
    "city-night": city_night,
    "harbour": harbour,
    "market": market,
    "circuit-board": circuit,
    "football-pitch": pitch,
    "bookshelf": books,
    "wheat-field": wheat,
    "mountain-road": mountain_road,
    "rain-window": rain_window,
    "lab-flasks": lab,
    "solar-farm": solar,
    "old-town-dusk": old_town,
    "olive-grove": olive_grove,
}

PORTRAITS = {
    # name: (inner bg, outer bg, skin tone, style, clothing accent)
    "author-salma": ((214, 120, 96), (90, 40, 50), (196, 150, 120), "hijab", (40, 70, 110)),
    "author-karim": ((90, 150, 190), (20, 40, 70), (180, 130, 100), "beard", (60, 60, 70)),
    "author-layla": ((220, 186, 110), (110, 60, 30), (200, 160, 130), "long", (120, 40, 60)),
    "author-omar": ((110, 190, 160), (20, 60, 60), (170, 120, 90), "short", (40, 50, 90)),
    "author-yousef": ((200, 150, 200), (50, 30, 80), (150, 100, 76), "curly", (150, 90, 40)),
}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--only", nargs="*", help="generate only these keys")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for i, (name, fn) in enumerate(SCENES.items()):
        if args.only and name not in args.only:
            continue
        rng = random.Random(SEED * 100 + i)
        img = fn(rng).convert("RGB")
        path = args.out / f"{name}.jpg"
        img.save(path, "JPEG", **JPEG)
        print(f"{path.name:24} {path.stat().st_size // 1024:4d} KB")
    for i, (name, spec) in enumerate(PORTRAITS.items()):
        if args.only and name not in args.only:
            continue
        rng = random.Random(SEED * 1000 + i)
        img = portrait(rng, *spec).convert("RGB")
        path = args.out / f"{name}.jpg"
        img.save(path, "JPEG", **JPEG)
        print(f"{path.name:24} {path.stat().st_size // 1024:4d} KB")


if __name__ == "__main__":
    main()
