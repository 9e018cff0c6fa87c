"""JPEG as cameras write them, for the receipt tests: an Exif block with a GPS position
spliced in, and the dimensions read back. Hand-made, so no image library is needed."""

from __future__ import annotations

import struct

#: Where the photo was taken, as a camera writes it: Benin City, 6°20'N 5°37'E.
PLACE = "Benin City"


def _rational(numerator: int, denominator: int = 1) -> bytes:
    return struct.pack("<II", numerator, denominator)


def exif_with_gps() -> bytes:
    """An APP1 Exif segment: IFD0 with a description and a pointer to a GPS IFD."""
    description = PLACE.encode() + b"\0"
    # Little-endian TIFF: header, IFD0 (2 entries), GPS IFD (4 entries), then values.
    ifd0_at = 8
    ifd0_size = 2 + 2 * 12 + 4
    gps_at = ifd0_at + ifd0_size
    gps_size = 2 + 4 * 12 + 4
    values_at = gps_at + gps_size
    latitude = _rational(6) + _rational(20) + _rational(0)
    longitude = _rational(5) + _rational(37) + _rational(0)
    description_at = values_at
    latitude_at = description_at + len(description)
    longitude_at = latitude_at + len(latitude)

    def entry(tag: int, kind: int, count: int, value: bytes) -> bytes:
        return struct.pack("<HHI", tag, kind, count) + value.ljust(4, b"\0")

    ifd0 = (
        struct.pack("<H", 2)
        + entry(0x010E, 2, len(description), struct.pack("<I", description_at))
        + entry(0x8825, 4, 1, struct.pack("<I", gps_at))
        + struct.pack("<I", 0)
    )
    gps = (
        struct.pack("<H", 4)
        + entry(0x0001, 2, 2, b"N\0")
        + entry(0x0002, 5, 3, struct.pack("<I", latitude_at))
        + entry(0x0003, 2, 2, b"E\0")
        + entry(0x0004, 5, 3, struct.pack("<I", longitude_at))
        + struct.pack("<I", 0)
    )
    tiff = b"II*\0" + struct.pack("<I", ifd0_at) + ifd0 + gps + description + latitude + longitude
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def with_gps(jpeg: bytes) -> bytes:
    """The same photo with the camera's Exif block (and its GPS position) after SOI."""
    assert jpeg[:2] == b"\xff\xd8"
    return jpeg[:2] + exif_with_gps() + jpeg[2:]


def dimensions(jpeg: bytes) -> tuple[int, int]:
    """Width and height from the first start-of-frame marker."""
    at = 2
    while at < len(jpeg):
        marker, length = jpeg[at + 1], struct.unpack(">H", jpeg[at + 2 : at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", jpeg[at + 5 : at + 9])
            return width, height
        at += 2 + length
    raise ValueError("no frame in this JPEG")
