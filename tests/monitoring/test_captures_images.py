"""Uploaded images: only PNG, JPEG and WebP, pixels counted before decoding, re-encoded bare."""

from __future__ import annotations

import io
import time
import tracemalloc

import pytest
from PIL import Image, PngImagePlugin

from monitoring import images
from tests.monitoring.capture_kit import image_bytes, png_header


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_the_three_formats_are_re_encoded_as_webp(fmt):
    encoded = images.prepare(io.BytesIO(image_bytes(fmt=fmt)), blur=False)
    assert encoded.content_type == "image/webp"
    assert (encoded.width, encoded.height) == (400, 200)
    assert _open(encoded.data).format == "WEBP"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n",
        image_bytes(fmt="GIF"),
        image_bytes(fmt="BMP"),
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"just text, not an image",
        b"",
    ],
    ids=["pdf", "gif", "bmp", "svg", "text", "empty"],
)
def test_other_formats_are_refused(data):
    with pytest.raises(images.ImageRefused, match="not a PNG, JPEG or WebP"):
        images.prepare(io.BytesIO(data), blur=False)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP"])
def test_truncated_data_is_refused(fmt):
    data = image_bytes((800, 600), fmt=fmt, edge=True)
    with pytest.raises(images.ImageRefused):
        images.prepare(io.BytesIO(data[: len(data) // 2]), blur=False)


@pytest.mark.parametrize("side", [50_000, 7_000])
def test_too_many_pixels_are_refused_from_the_header_fast_and_small(side):
    # 50,000 x 50,000 would take 7.5 GB decoded; 7,000 x 7,000 (49 MP) is over our own 40 MP
    # limit but under Pillow's bomb guard, so our check is what refuses it.
    data = png_header(side, side)
    tracemalloc.start()
    began = time.perf_counter()
    with pytest.raises(images.ImageRefused, match="too many pixels"):
        images.prepare(io.BytesIO(data), blur=False)
    elapsed = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 0.5
    assert peak < 2 * 1024 * 1024


def test_metadata_does_not_survive():
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x010E] = "Kitchen table"  # ImageDescription
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.0)
    source = image_bytes(fmt="JPEG", exif=exif, icc_profile=b"not really a profile")
    assert _open(source).getexif().get_ifd(0x8825)  # the upload does carry GPS
    encoded = images.prepare(io.BytesIO(source), blur=False)
    out = _open(encoded.data)
    assert not out.getexif()
    assert not {"exif", "icc_profile", "xmp"} & set(out.info)
    for secret in (b"SecretCam", b"Kitchen table", b"not really a profile"):
        assert secret not in encoded.data

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "my home address")
    png = images.prepare(io.BytesIO(image_bytes(fmt="PNG", pnginfo=text)), blur=False)
    assert b"my home address" not in png.data


def test_large_images_are_scaled_to_1920_wide():
    encoded = images.prepare(io.BytesIO(image_bytes((3840, 1080))), blur=False)
    assert (encoded.width, encoded.height) == (1920, 540)
    assert _open(encoded.data).size == (1920, 540)


def _edge_contrast(data: bytes) -> int:
    """How different the pixels just either side of the black/white edge are."""
    image = _open(data).convert("L")
    middle = image.width // 2
    row = image.height // 2
    return image.getpixel((middle + 1, row)) - image.getpixel((middle - 2, row))


def test_blur_softens_the_edge():
    data = image_bytes((400, 200))
    sharp = images.prepare(io.BytesIO(data), blur=False)
    blurred = images.prepare(io.BytesIO(data), blur=True)
    assert blurred.blurred and not sharp.blurred
    assert _edge_contrast(sharp.data) > 200
    assert _edge_contrast(blurred.data) < 150


def test_thumbnail_is_320_wide_webp():
    stored = images.prepare(io.BytesIO(image_bytes((1600, 900))), blur=False)
    thumb = _open(images.thumbnail(io.BytesIO(stored.data)))
    assert thumb.format == "WEBP"
    assert thumb.size == (320, 180)
