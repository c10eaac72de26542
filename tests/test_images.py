"""Photos leave with their pixels only: no GPS, no names, upright, in sizes for phones."""
import io
import struct
from urllib.parse import urljoin

from PIL import Image, ExifTags

from reunify.cli import main
from reunify.commands.build import build_site

from conftest import STORY, TODAY, content, page, scratch_config

NAME = b"Maria Lopez"
PICTURED = STORY.replace("consent:", "image:\n  src: images/home.jpg\n  alt: A kitchen table\n"
                         "consent:").replace("scope: [web]", "scope: [web]\n  image: true")


def _iptc(text: bytes) -> bytes:
    """A Photoshop APP13 segment with an IPTC by-line (2:80), as cameras and editors write."""
    record = b"\x1c\x02\x50" + struct.pack(">H", len(text)) + text
    block = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(record)) + record
    payload = b"Photoshop 3.0\x00" + block
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def phone_photo(width=3000, height=2000, orientation=6) -> bytes:
    """A JPEG as a phone writes it: GPS position, the owner's name in EXIF, XMP and IPTC, a
    comment, and an Orientation that says to turn it a quarter."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    image.paste((20, 60, 160), (0, 0, width // 4, height // 4))  # a corner to find after turning
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = NAME.decode()
    exif[ExifTags.Base.XPAuthor] = NAME.decode().encode("utf-16le") + b"\0\0"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (33.0, 31.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (86.0, 48.0, 3.2)
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>Maria Lopez</dc:creator></x:xmpmeta>'
    image.save(out, "JPEG", exif=exif, xmp=xmp, comment=b"taken by " + NAME, quality=90)
    data = out.getvalue()
    return data[:2] + _iptc(NAME) + data[2:]


def test_the_phone_photo_used_here_carries_what_a_real_one_does():
    data = phone_photo()
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert exif[ExifTags.Base.Artist] == "Maria Lopez"
        assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
        assert "xmp" in image.info and b"Photoshop 3.0" in data
    assert data.count(NAME) >= 4


def _published(site):
    folder = site / "stories" / "pictured"
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.name != "index.html"}


def test_a_story_photo_is_published_without_metadata_upright_and_in_sizes(project, tmp_path):
    (project.root / "stories" / "images").mkdir()
    (project.root / "stories" / "images" / "home.jpg").write_bytes(phone_photo())
    project.story("pictured.md", PICTURED)
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    files = _published(site)
    assert sorted(files) == sorted(f"home-{w}.{kind}" for w in (480, 800, 1200, 1600)
                                   for kind in ("jpg", "webp"))
    for name, data in files.items():
        assert NAME not in data and b"Maria" not in data, name
        with Image.open(io.BytesIO(data)) as image:
            assert not image.getexif(), name  # no EXIF at all: no GPS, no Orientation to undo
            assert not {"xmp", "exif", "comment", "icc_profile", "photoshop"} & set(image.info)
            width = int(name.split("-")[1].split(".")[0])
            # turned upright: the 3000×2000 landscape is a 2000×3000 portrait
            assert image.size == (width, width * 3 // 2), name
            # the corner painted top-left is top-right once turned a quarter clockwise
            assert image.convert("RGB").getpixel((width - 5, 5))[2] > 120, name
    picture = content(page(site, "stories/pictured")).select_one(".rf-story__image picture")
    source, img = picture.select_one("source"), picture.select_one("img")
    assert source["type"] == "image/webp"
    assert [c.split()[1] for c in source["srcset"].split(", ")] == ["480w", "800w", "1200w",
                                                                     "1600w"]
    at = "https://hub.example/stories/pictured/"
    assert [urljoin(at, c.split()[0]) for c in img["srcset"].split(", ")] == [
        f"https://hub.example/stories/pictured/home-{w}.jpg" for w in (480, 800, 1200, 1600)]
    assert (img["width"], img["height"], img["alt"]) == ("1600", "2400", "A kitchen table")
    assert urljoin(at, img["src"]) == "https://hub.example/stories/pictured/home-480.jpg"


def test_a_small_picture_is_not_enlarged_and_transparency_is_kept(project, tmp_path):
    (project.root / "stories" / "images").mkdir()
    image = Image.new("RGBA", (600, 400), (0, 0, 0, 0))
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("Author", NAME.decode())
    info.add_itxt("XML:com.adobe.xmp", "<dc:creator>Maria Lopez</dc:creator>")
    info.add_text("Comment", "Maria at home", zip=True)
    image.save(project.root / "stories" / "images" / "home.png", pnginfo=info)
    project.story("pictured.md", PICTURED.replace("home.jpg", "home.png"))
    site = tmp_path / "out"
    build_site(project.root, site, scratch_config(project), TODAY)
    files = _published(site)
    assert sorted(files) == ["home-480.png", "home-480.webp", "home-600.png", "home-600.webp"]
    for name, data in files.items():
        assert b"Maria" not in data, name
        with Image.open(io.BytesIO(data)) as published:
            assert published.mode == "RGBA" and published.getpixel((1, 1))[3] == 0
            assert not set(published.info) & {"Author", "XML:com.adobe.xmp", "Comment"}


def test_images_of_hand_written_pages_leave_without_metadata(project, tmp_path):
    config = scratch_config(project)
    (project.root / "pages" / "about.md").write_text("# About\n\n![A park](park.jpg)\n\n"
                                                      "![A logo](logo.svg)\n")
    (project.root / "pages" / "park.jpg").write_bytes(phone_photo(800, 600, orientation=1))
    (project.root / "pages" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'inkscape:export-filename="/home/maria.lopez/logo.png" viewBox="0 0 4 4">'
        '<!-- drawn by Maria Lopez --><metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        '22-rdf-syntax-ns#"><dc:creator xmlns:dc="http://purl.org/dc/elements/1.1/">Maria Lopez'
        '</dc:creator></rdf:RDF></metadata><title>Our logo</title><rect width="4" height="4"/>'
        '</svg>')
    site = tmp_path / "out"
    build_site(project.root, site, config, TODAY)
    photo = (site / "park.jpg").read_bytes()
    assert b"Maria" not in photo
    with Image.open(io.BytesIO(photo)) as image:
        assert image.size == (800, 600) and not image.getexif()
    drawing = (site / "logo.svg").read_text()
    assert "Maria" not in drawing and "maria" not in drawing
    assert "<title>Our logo</title>" in drawing and "<rect" in drawing


def test_a_file_that_is_not_a_readable_image_is_reported_by_check(project, capsys):
    (project.root / "stories" / "images").mkdir()
    (project.root / "stories" / "images" / "home.jpg").write_bytes(b"not a photo at all")
    project.story("pictured.md", PICTURED)
    assert main(["check", "--root", str(project.root), "--today", "2026-11-22"]) == 1
    assert "stories/pictured.md:10:8: record pictured, field image.src: the file is not an " \
           "image that can be read" in capsys.readouterr().out
