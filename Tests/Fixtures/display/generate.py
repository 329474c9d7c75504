#!/usr/bin/env python3
"""Reference display bundles from IPython itself, for Tests/ScriptTests/DisplayBuiltinsTests.swift.

Each case is code that runs unchanged in Apus and in Python. `FORMAT` cases give the bundle
IPython's display formatter makes for an expression (what a cell's result shows); `PUBLISH`
cases record every display IPython publishes while the code runs (data, metadata, display id,
update flag). Images are tiny files written here. Run with a Python that has IPython
(`pip install ipython`; made with IPython 9.18.1); writes expected.json.
"""
import base64
import json
import os
import struct
import zlib

from IPython.core.interactiveshell import InteractiveShell

HERE = os.path.dirname(os.path.abspath(__file__))
PRELUDE = ("from IPython.display import display, update_display, DisplayHandle, "
           "HTML, Markdown, Latex, SVG, JSON, Image\n")

CLASSES = '''
class Plain:
    def __repr__(self):
        return "Plain()"

class Rich:
    def __repr__(self):
        return "Rich()"
    def _repr_html_(self):
        return "<b>rich</b>"
    def _repr_markdown_(self):
        return None
    def _repr_latex_(self):
        return ("$r$", {"note": "latex"})
    def _repr_json_(self):
        return {"r": [1, 2.5, None, True]}
    def _repr_svg_(self):
        return '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
    def _repr_png_(self):
        return "iVBORw0KGgo="

class Bundled:
    def __repr__(self):
        return "Bundled()"
    def _repr_html_(self):
        return "<p>method</p>"
    def _repr_markdown_(self):
        return "*md*"
    def _repr_mimebundle_(self, include=None, exclude=None):
        return ({"text/html": "<p>bundle</p>", "application/vnd.apus.test+json": {"x": 1}},
                {"text/html": {"isolated": True}})

class BundledPlain:
    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": "from the bundle", "text/markdown": "**b**"}
'''

FORMAT = {
    "html": 'HTML("<b>bold</b>")',
    "html_metadata": 'HTML("<p>x</p>", metadata={"isolated": True})',
    "markdown": 'Markdown("# Title\\n\\n*x*")',
    "latex": 'Latex("$x^2$")',
    "svg": 'SVG(\'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>\')',
    "json": 'JSON({"a": [1, 2], "b": None}, expanded=True)',
    "json_text": 'JSON(\'{"k": 1.5, "l": [true, null]}\')',
    "image_png": 'Image(filename=FIX + "/dot.png")',
    "image_png_width": 'Image(filename=FIX + "/dot.png", width=50)',
    "image_png_retina": 'Image(filename=FIX + "/dot.png", retina=True)',
    "image_png_alt": 'Image(FIX + "/dot.png", alt="a <dot>", height=3)',
    "image_jpeg": 'Image(filename=FIX + "/dot.jpg")',
    "image_url": 'Image(url="https://example.org/cat.png", width=100, unconfined=True)',
    "plain_class": "Plain()",
    "rich_class": "Rich()",
    "mimebundle_class": "Bundled()",
    "mimebundle_plain": "BundledPlain()",
    "builtin_values": '[1, "two", {"three": 3.0}]',
}

PUBLISH = {
    "display_values": 'display(1, "two", Rich())',
    "display_id_and_update": 'display(HTML("<b>1</b>"), display_id="d1")\nupdate_display(HTML("<b>2</b>"), display_id="d1")',
    "handle": 'h = DisplayHandle("d2")\nh.display(Markdown("a"))\nh.update(Markdown("b"))\ndisplay(repr(h))',
    "returned_handle": 'h = display(Latex("$y$"), display_id="d3")\nh.update(Latex("$z$"))',
    "raw": 'display({"text/plain": "raw", "text/html": "<p>raw</p>"}, raw=True)',
    "metadata": 'display(HTML("x"), metadata={"text/html": {"isolated": True}, "extra": 1})',
    "include": 'display(Rich(), include=["text/html", "text/plain"])',
    "exclude": 'display(Rich(), exclude=["image/png", "image/svg+xml", "application/json"])',
    "empty_with_id": 'display(display_id="d4")\nupdate_display(HTML("filled"), display_id="d4")',
}


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_images():
    # A 6x4 RGB PNG (retina halves it to 3x2) and a few bytes with a JPEG signature.
    width, height = 6, 4
    rows = b"".join(b"\x00" + bytes(sum(([(x * 40) % 256, (y * 60) % 256, 128] for x in range(width)), []))
                    for y in range(height))
    png = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))
    with open(os.path.join(HERE, "dot.png"), "wb") as f:
        f.write(png)
    with open(os.path.join(HERE, "dot.jpg"), "wb") as f:
        f.write(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")


def clean(value):
    """Bytes as base64 text, as a kernel sends them."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def main():
    write_images()
    shell = InteractiveShell.instance()
    events = []

    def publish(data, metadata=None, source=None, *, transient=None, update=False, **_):
        events.append({"data": clean(data), "metadata": clean(metadata or {}),
                       "display_id": (transient or {}).get("display_id"), "update": bool(update)})

    shell.display_pub.publish = publish
    out = {"prelude": PRELUDE, "classes": CLASSES, "format": [], "publish": []}
    fixtures = "FIX = " + json.dumps(HERE) + "\n"
    for name, expr in FORMAT.items():
        ns = {}
        exec(fixtures + PRELUDE + CLASSES, ns)
        data, metadata = shell.display_formatter.format(eval(expr, ns))
        out["format"].append({"name": name, "expr": expr, "data": clean(data), "metadata": clean(metadata)})
    for name, code in PUBLISH.items():
        ns = {}
        exec(fixtures + PRELUDE + CLASSES, ns)
        events.clear()
        exec(code, ns)
        out["publish"].append({"name": name, "code": code, "events": list(events)})
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
