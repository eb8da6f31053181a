"""Checking and re-encoding an uploaded screenshot before anything of it is kept.

An upload is untrusted bytes. In order:

1. Only PNG, JPEG and WebP are opened (Pillow's `formats=` allow-list): a GIF, a PDF, an SVG
   or anything else is refused without another decoder looking at it.
2. The pixel count is read from the header, before a pixel is decoded, and refused above
   MAX_PIXELS: a 50,000 x 50,000 PNG costs a header's read, not 7 GB.
3. The image is decoded (a truncated or corrupt file is refused here), turned upright by its
   EXIF orientation, downscaled to fit MAX_SIZE and, when asked, blurred.
4. Its pixels are copied into a new image with no metadata at all and encoded as WebP:
   whatever came in (EXIF with GPS, ICC profiles, XMP, text chunks, a second frame), what is
   stored is one WebP image and nothing else. WebP always, whatever the upload's format, so
   every stored screenshot has one content type and is small.

Thumbnails are made from the stored WebP by a task (monitoring/tasks.py) with `thumbnail`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageFilter, ImageOps

FORMATS = ("PNG", "JPEG", "WEBP")
MAX_PIXELS = 40_000_000  # 40 megapixels: three 4K screens side by side fit
MAX_SIZE = (1920, 4320)  # at most 1920 px wide (and 4320 tall, for a very tall capture)
THUMBNAIL_WIDTH = 320
CONTENT_TYPE = "image/webp"
QUALITY = 82
THUMBNAIL_QUALITY = 70


class ImageRefused(ValueError):
    """The upload is not an image we keep; the message says why, for the person sending it."""


@dataclass(frozen=True)
class Encoded:
    data: bytes
    content_type: str
    width: int
    height: int
    blurred: bool  # whether this code blurred it


def _open(fp: IO[bytes]) -> Image.Image:
    """Open an image from its header only, refusing other formats and too many pixels."""
    try:
        image = Image.open(fp, formats=FORMATS)
    except Image.DecompressionBombError:
        # Pillow's own guard (twice its MAX_IMAGE_PIXELS) fires in open(), also header-only.
        raise ImageRefused(_too_many_pixels()) from None
    except Image.UnidentifiedImageError:
        raise ImageRefused("The file is not a PNG, JPEG or WebP image.") from None
    except Exception:  # any failure of a decoder on untrusted bytes
        raise ImageRefused("The image could not be read.") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageRefused("The image is empty.")
    if width * height > MAX_PIXELS:
        raise ImageRefused(_too_many_pixels())
    return image


def _too_many_pixels() -> str:
    return f"The image has too many pixels: at most {MAX_PIXELS // 1_000_000} megapixels."


def _decoded(image: Image.Image, box: tuple[int, int]) -> Image.Image:
    """Decode, upright, scaled to fit `box`, as RGB. Corrupt or truncated data is refused."""
    try:
        image.draft("RGB", box)  # JPEG only: decode at a reduced scale where it can
        image.load()
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGB")
        image.thumbnail(box, Image.Resampling.LANCZOS)
    except Exception:  # truncated data, bad chunks, decoder errors
        raise ImageRefused("The image is damaged or incomplete.") from None
    return image


def _bare(image: Image.Image) -> Image.Image:
    """The same pixels in a new image: no info, no EXIF, no ICC profile, no XMP, one frame."""
    return Image.frombytes("RGB", image.size, image.tobytes())


def _webp(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=quality, method=4)
    return out.getvalue()


def blur_radius(width: int) -> float:
    """Strong enough that text is unreadable at any size: about 1/190 of the width."""
    return max(3.0, width / 190)


def prepare(fp: IO[bytes], *, blur: bool) -> Encoded:
    """Check, decode, downscale, optionally blur and re-encode an upload; ImageRefused if bad."""
    image = _bare(_decoded(_open(fp), MAX_SIZE))
    if blur:
        image = image.filter(ImageFilter.GaussianBlur(blur_radius(image.width)))
    return Encoded(_webp(image, QUALITY), CONTENT_TYPE, image.width, image.height, blur)


def thumbnail(fp: IO[bytes]) -> bytes:
    """A THUMBNAIL_WIDTH-wide WebP of a stored screenshot (at most 4 times as tall)."""
    box = (THUMBNAIL_WIDTH, THUMBNAIL_WIDTH * 4)
    return _webp(_bare(_decoded(_open(fp), box)), THUMBNAIL_QUALITY)
