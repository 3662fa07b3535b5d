"""A horizontal bar chart written as a PNG in pure Python (zlib + a 5x7 bitmap font): no plotting library.

    write_bar_chart("bench.png", "TITLE", [Bar("SYNC GET", 1.37, target=1.10), ...])

Each bar is a ratio to its floor (1.0 = as fast as the floor), on a logarithmic axis; a red mark shows the
bar's target. Bars that meet their target are green, the others orange, those without one blue.
Text is drawn upper-case, plus ``x``.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

_GLYPHS_SOURCE = {
    "0": ".###.#...##..###.#.###..##...#.###.",
    "1": "..#...##....#....#....#....#...###.",
    "2": ".###.#...#....#...#...#...#...#####",
    "3": "#####...#...#.....#.....##...#.###.",
    "4": "...#...##..#.#.#..#.#####...#....#.",
    "5": "######....####.....#....##...#.###.",
    "6": "..##..#...#....####.#...##...#.###.",
    "7": "#####....#...#...#...#....#....#...",
    "8": ".###.#...##...#.###.#...##...#.###.",
    "9": ".###.#...##...#.####....#...#..##..",
    "A": ".###.#...##...#######...##...##...#",
    "B": "####.#...##...#####.#...##...#####.",
    "C": ".###.#...##....#....#....#...#.###.",
    "D": "###..#..#.#...##...##...##..#.###..",
    "E": "######....#....####.#....#....#####",
    "F": "######....#....####.#....#....#....",
    "G": ".###.#...##....#.####...##...#.####",
    "H": "#...##...##...#######...##...##...#",
    "I": ".###...#....#....#....#....#...###.",
    "J": "..###...#....#....#....#.#..#..##..",
    "K": "#...##..#.#.#..##...#.#..#..#.#...#",
    "L": "#....#....#....#....#....#....#####",
    "M": "#...###.###.#.##.#.##...##...##...#",
    "N": "#...##...###..##.#.##..###...##...#",
    "O": ".###.#...##...##...##...##...#.###.",
    "P": "####.#...##...#####.#....#....#....",
    "Q": ".###.#...##...##...##.#.##..#..##.#",
    "R": "####.#...##...#####.#.#..#..#.#...#",
    "S": ".#####....#.....###.....#....#####.",
    "T": "#####..#....#....#....#....#....#..",
    "U": "#...##...##...##...##...##...#.###.",
    "V": "#...##...##...##...##...#.#.#...#..",
    "W": "#...##...##...##.#.##.#.##.#.#.#.#.",
    "X": "#...##...#.#.#...#...#.#.#...##...#",
    "Y": "#...##...#.#.#...#....#....#....#..",
    "Z": "#####....#...#...#...#...#....#####",
    "x": "..........#...#.#.#...#...#.#.#...#",
    ".": "..........................##...##..",
    ",": ".....................##....#...#...",
    ":": "......##...##........##...##.......",
    "-": "...............#####...............",
    "+": ".......#....#..#####..#....#.......",
    "(": "...#...#...#....#....#.....#.....#.",
    ")": ".#.....#.....#....#....#...#...#...",
    "/": ".........#...#...#...#...#.........",
    "%": "##...##..#...#...#...#...#..##...##",
    "<": "...#...#...#...#.....#.....#.....#.",
    ">": ".#.....#.....#.....#...#...#...#...",
    "=": "..........#####.....#####..........",
    "_": "..............................#####",
    "|": "..#....#....#....#....#....#....#..",
    " ": "." * 35,
}
_GLYPHS = {char: rows.ljust(35, ".")[:35] for char, rows in _GLYPHS_SOURCE.items()}
_SCALE = 2
_CHAR_W = 6 * _SCALE
_WHITE = (255, 255, 255)
_BLACK = (30, 30, 30)
_GREY = (200, 200, 200)
_GREEN = (60, 160, 90)
_ORANGE = (230, 140, 40)
_RED = (200, 40, 40)
_BLUE = (110, 140, 190)
_LOW = 0.5  # the left end of the logarithmic axis, unless a bar is shorter


@dataclass(frozen=True)
class Bar:
    label: str
    ratio: float
    target: float | None = None
    met: bool | None = None  # None: judged by ``target`` (no target: grey)


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(_WHITE) * (width * height))

    def rect(self, x: int, y: int, w: int, h: int, color: tuple[int, int, int]) -> None:
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(self.width, x + w), min(self.height, y + h)
        if x1 <= x0 or y1 <= y0:
            return
        line = bytes(color) * (x1 - x0)
        for row in range(y0, y1):
            start = (row * self.width + x0) * 3
            self.pixels[start : start + len(line)] = line

    def text(self, x: int, y: int, text: str, color: tuple[int, int, int] = _BLACK) -> None:
        for index, char in enumerate(text):
            glyph = _GLYPHS.get(char) or _GLYPHS.get(char.upper(), _GLYPHS["_"])
            for cell, on in enumerate(glyph):
                if on == "#":
                    col, row = cell % 5, cell // 5
                    self.rect(x + index * _CHAR_W + col * _SCALE, y + row * _SCALE, _SCALE, _SCALE, color)

    def png(self) -> bytes:
        stride = self.width * 3
        raw = b"".join(
            b"\x00" + bytes(self.pixels[row * stride : (row + 1) * stride]) for row in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )


def _upper(text: str) -> str:
    # Upper-case everything except a lone "x" after a digit (the ratio sign).
    out = []
    for index, char in enumerate(text):
        if char == "x" and index > 0 and text[index - 1].isdigit():
            out.append("x")
        else:
            out.append(char.upper())
    return "".join(out)


def render_bar_chart(title: str, bars: Sequence[Bar], note: str = "") -> bytes:
    """The PNG bytes of the chart (see the module docstring)."""
    label_chars = max([len(bar.label) for bar in bars] + [10])
    left = 20 + label_chars * _CHAR_W + 16
    plot_w = 520
    width = left + plot_w + 12 * _CHAR_W
    row_h = 34
    top = 70
    height = top + row_h * max(1, len(bars)) + 60
    canvas = _Canvas(width, height)
    canvas.text(20, 18, _upper(title))
    # Logarithmic: ratios run from below 1 to tens, and 1.2x vs 1.1x must stay visible.
    scale_max = max([bar.ratio for bar in bars] + [bar.target or 0.0 for bar in bars] + [2.0]) * 1.2
    low = min([bar.ratio * 0.8 for bar in bars if bar.ratio > 0] + [_LOW])

    def x_of(value: float) -> int:
        value = min(max(value, low), scale_max)
        return left + int(plot_w * math.log(value / low) / math.log(scale_max / low))

    for index, bar in enumerate(bars):
        y = top + index * row_h
        canvas.text(20, y + 8, _upper(bar.label))
        met = bar.met if bar.met is not None else (None if bar.target is None else bar.ratio <= bar.target)
        color = _BLUE if met is None else (_GREEN if met else _ORANGE)
        canvas.rect(left, y + 4, max(2, x_of(bar.ratio) - left), row_h - 10, color)
        canvas.text(x_of(bar.ratio) + 8, y + 8, f"{bar.ratio:.2f}x")
        if bar.target is not None:
            canvas.rect(x_of(bar.target) - 1, y, 3, row_h - 2, _RED)
    floor_x = x_of(1.0)
    canvas.rect(floor_x, top - 8, 1, row_h * len(bars) + 8, _BLACK)
    axis_y = top + row_h * len(bars) + 6
    canvas.rect(left, axis_y, plot_w, 1, _GREY)
    for tick in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100):
        if low <= tick <= scale_max:
            canvas.rect(x_of(tick), axis_y - 3, 1, 7, _BLACK)
            canvas.text(x_of(tick) - _CHAR_W, axis_y + 8, f"{tick:g}x")
    if note:
        canvas.text(20, axis_y + 30, _upper(note))
    return canvas.png()


def write_bar_chart(path: str, title: str, bars: Sequence[Bar], note: str = "") -> None:
    """Write the chart to ``path``."""
    with open(path, "wb") as handle:
        handle.write(render_bar_chart(title, bars, note))
