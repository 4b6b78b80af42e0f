#!/usr/bin/env python3
"""png_pixels.py FILE.png WIDTH HEIGHT COLOUR... — checks a screenshot of a plot.

Decodes the PNG with zlib alone (8-bit RGB or RGBA, non-interlaced, the five scanline filters),
then requires the size WIDTH×HEIGHT, at least 3% non-white pixels (not blank) and, for each COLOUR
(#rrggbb), at least 150 pixels within a distance of 40 of it (the colour is drawn, not just named).
Prints the counts; exit code 1 on a failed check."""
import struct, sys, zlib

def decode(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride = zlib.decompress(idat), w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows

def main():
    path, width, height, colours = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    w, h, bpp, rows = decode(path)
    ok = True
    if (w, h) != (width, height):
        print(f"size {w}x{h}, expected {width}x{height}")
        ok = False
    targets = [tuple(int(c[k:k + 2], 16) for k in (1, 3, 5)) for c in colours]
    near = [0] * len(targets)
    ink = 0
    for line in rows:
        for x in range(w):
            px = tuple(line[x * bpp:x * bpp + 3])
            if min(px) < 245:
                ink += 1
            for k, t in enumerate(targets):
                if sum((px[j] - t[j]) ** 2 for j in range(3)) < 40 ** 2:
                    near[k] += 1
    print(f"{w}x{h}: {ink} non-white pixels ({100.0 * ink / (w * h):.1f}%), near {colours}: {near}")
    if ink < 0.03 * w * h:
        print("blank: fewer than 3% non-white pixels")
        ok = False
    for c, n in zip(colours, near):
        if n < 150:
            print(f"colour {c}: only {n} pixels")
            ok = False
    sys.exit(0 if ok else 1)

main()
