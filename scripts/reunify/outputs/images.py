"""Photos as they are published: decoded and encoded again, so that nothing but the pixels leaves.

A phone photo carries the GPS position where it was taken and often a person's name (EXIF Artist
and XPAuthor, XMP, IPTC, PNG text chunks, comments). None of it is copied: only the pixels are
kept, turned upright as the camera's Orientation said, converted to sRGB, and written as new
files: JPEG (PNG for pictures with transparency) and WebP, in widths up to 1,600 pixels for
`srcset`, so that a 12 MB phone photo never reaches a phone.

Encoding is the slow part of a build with many photos; each result is kept in a cache folder
named after the source's bytes and these settings, so an unchanged photo is encoded once.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

WIDTHS = (480, 800, 1200, 1600)
JPEG_QUALITY = 82
WEBP_QUALITY = 78
MAX_PIXELS = 60_000_000  # a 60-megapixel photo; larger is refused (and a decompression bomb)
VERSION = 2  # change when the encoding changes, so that cached results are made again
RASTER = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif"}
PAGE_IMAGES = RASTER | {".svg"}

Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class Variant:
    path: str  # where it is published, relative to the site root
    width: int
    height: int
    mime: str


@dataclass(frozen=True)
class Picture:
    """Every published file of one photo; `fallback` in JPEG or PNG, `modern` in WebP."""

    fallback: tuple[Variant, ...]
    modern: tuple[Variant, ...]

    @property
    def largest(self) -> Variant:
        return self.fallback[-1]

    @property
    def smallest(self) -> Variant:
        return self.fallback[0]


def problem(source: Path) -> str | None:
    """Why this file cannot be published as a photo, in an editor's words, or None."""
    try:
        return _problem(str(source), source.stat().st_mtime_ns, source.stat().st_size)
    except OSError as exc:
        return f"the image file cannot be read ({exc.strerror})"


@lru_cache(maxsize=4096)
def _problem(path: str, mtime: int, size: int) -> str | None:
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return (f"the image is {width}×{height} pixels; the limit is "
                        f"{MAX_PIXELS // 1_000_000} megapixels")
            image.verify()
    except Image.DecompressionBombError:
        return f"the image is over {MAX_PIXELS // 1_000_000} megapixels"
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return f"the file is not an image that can be read ({type(exc).__name__})"
    return None


def _upright_srgb(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    profile = image.info.get("icc_profile")
    alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if alpha else "RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            image = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                              outputMode=image.mode)
        except (ImageCms.PyCMSError, OSError):
            pass  # an unreadable profile: the pixels as they are
    return image


def _encode(image: Image.Image, kind: str) -> bytes:
    image.info = {}  # Pillow writes a comment, profile or EXIF it finds here
    out = io.BytesIO()
    if kind == "jpg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    elif kind == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


_MIME = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def widths_for(width: int) -> list[int]:
    return sorted({w for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})


def publish(source: Path, folder: str, cache: Path) -> tuple[Picture, dict[str, Path]]:
    """The published files of the photo at `source`, under `folder` (e.g. 'stories/home/'),
    named after its stem and width: the picture, and {address: the file in the cache}."""
    data = source.read_bytes()
    key = hashlib.sha256(data + f"{VERSION}:{WIDTHS}:{JPEG_QUALITY}:{WEBP_QUALITY}".encode())
    made = cache / key.hexdigest()
    try:
        entries = json.loads((made / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entries = _store(made, _make(data))
    stem = PurePosixPath(source.name).stem
    fallback, modern, files = [], [], {}
    for kind, width, height, name in entries:
        variant = Variant(f"{folder}{stem}-{width}.{kind}", width, height, _MIME[kind])
        (modern if kind == "webp" else fallback).append(variant)
        files[variant.path] = made / name
    return Picture(tuple(fallback), tuple(modern)), files


def _make(data: bytes) -> list[tuple[str, int, int, bytes]]:
    with Image.open(io.BytesIO(data)) as opened:
        opened.seek(0)  # the first frame of an animation
        image = _upright_srgb(opened)
    kind = "png" if image.mode == "RGBA" else "jpg"
    made = []
    for width in widths_for(image.width):
        height = max(1, round(image.height * width / image.width))
        sized = image if width == image.width else image.resize((width, height),
                                                                Image.Resampling.LANCZOS)
        made.append((kind, width, height, _encode(sized, kind)))
        made.append(("webp", width, height, _encode(sized, "webp")))
    return made


def _store(final: Path, made) -> list:
    """Written to a temporary folder, then renamed: a build stopped half-way leaves nothing
    that a later build would take for a finished result."""
    temporary = final.with_name(f".{final.name}.{os.getpid()}")
    temporary.mkdir(parents=True, exist_ok=True)
    entries = []
    for index, (kind, width, height, content) in enumerate(made):
        name = f"{index}.{kind}"
        (temporary / name).write_bytes(content)
        entries.append((kind, width, height, name))
    (temporary / "index.json").write_text(json.dumps(entries), encoding="utf-8")
    try:
        temporary.rename(final)
    except OSError:  # another build made it meanwhile
        shutil.rmtree(temporary, ignore_errors=True)
    return entries


def cache_folder(root: Path, name: str = "images", shared: str | None = None) -> Path:
    """`.cache/<name>/` beside the content (or `shared`, when given), else a temporary folder
    if that cannot be written."""
    candidates = ((Path(shared),) if shared else ()) + (
        root / ".cache" / name, Path(tempfile.gettempdir()) / f"reunify-{name}-{os.getuid()}")
    for folder in candidates:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if os.access(folder, os.W_OK):
                return folder
        except OSError:
            continue
    raise OSError(f"no folder can be written for the build's {name} cache")


def stripped(data: bytes, suffix: str) -> bytes:
    """An image of a hand-written page, encoded again in its own format without metadata
    (and no wider than the widest published width)."""
    with Image.open(io.BytesIO(data)) as opened:
        opened.seek(0)
        image = _upright_srgb(opened)
    if image.width > WIDTHS[-1]:
        image = image.resize((WIDTHS[-1], max(1, round(image.height * WIDTHS[-1] / image.width))),
                             Image.Resampling.LANCZOS)
    kind = {".jpg": "jpg", ".jpeg": "jpg", ".png": "png"}.get(suffix)
    if kind == "jpg" and image.mode == "RGBA":
        image = image.convert("RGB")
    if kind is not None:
        return _encode(image, kind)
    image.info = {}
    out = io.BytesIO()
    image.save(out, {".gif": "GIF", ".avif": "AVIF"}.get(suffix, "WEBP"))
    return out.getvalue()


_SVG = "http://www.w3.org/2000/svg"
_EDITOR_NAMESPACES = ("http://www.inkscape.org/namespaces/inkscape",
                      "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
                      "http://ns.adobe.com/", "http://www.bohemiancoding.com/sketch/ns")


def stripped_svg(data: bytes) -> bytes:
    """A drawing without its <metadata> (RDF: author, licence) and the drawing program's own
    elements and attributes (Inkscape records the path of the file it exported to)."""
    import xml.etree.ElementTree as ElementTree

    ElementTree.register_namespace("", _SVG)
    ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ElementTree.fromstring(data)  # comments and processing instructions are dropped

    def editor(name: str) -> bool:
        return name.startswith("{") and name[1:].startswith(_EDITOR_NAMESPACES)

    for parent in root.iter():
        for child in list(parent):
            if child.tag == f"{{{_SVG}}}metadata" or editor(str(child.tag)):
                parent.remove(child)
        for name in [name for name in parent.attrib if editor(name)]:
            del parent.attrib[name]
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


@lru_cache(maxsize=256)
def _page_image(path: str, mtime: int) -> bytes:
    data = Path(path).read_bytes()
    suffix = Path(path).suffix.lower()
    return stripped_svg(data) if suffix == ".svg" else stripped(data, suffix)


def page_image(path: Path) -> bytes:
    """An image from the hand-written pages or theme, as it is published."""
    return _page_image(str(path), path.stat().st_mtime_ns)
