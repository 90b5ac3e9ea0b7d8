"""The Pictures tab (CP-7): one or two pictures per charger, uploaded by those who manage it,
seen by everyone who sees the charger, served only after the access check."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chargers.charger_details import PICTURE_MAX_BYTES
from chargers.models import ChargerPicture
from tests.portal_charger_detail.conftest import client_for, image_bytes, url

pytestmark = pytest.mark.django_db


def upload(client, slot, content, name="photo.jpg", content_type="image/jpeg", cp_id="CP-HOME"):
    return client.post(url("charger_pictures", cp_id), {
        "slot": str(slot), "image": SimpleUploadedFile(name, content, content_type=content_type)})


def served(client, slot, cp_id="CP-HOME"):
    response = client.get(url("charger_picture", cp_id, slot))
    return response, (b"".join(response.streaming_content) if response.status_code == 200 else b"")


@pytest.mark.parametrize("fmt, content_type", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_upload_and_see_the_picture(world, charger, fmt, content_type):
    client = client_for(world["owner"])
    response = upload(client, 1, image_bytes(fmt), name="anything.gif")
    assert response.status_code == 302 and response["Location"] == url("charger_pictures")
    picture = ChargerPicture.objects.get(charge_point=charger, slot=1)
    assert picture.uploaded_by == world["owner"]
    assert picture.image.name.startswith(f"chargers/{charger.pk}/pictures/")
    assert picture.image.name.endswith("." + {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[fmt])
    html = client.get(url("charger_pictures")).content.decode()
    assert f'src="{url("charger_picture", "CP-HOME", 1)}?v=' in html
    for persona in ("owner", "guest", "staff"):
        response, body = served(client_for(world[persona]), 1)
        assert response["Content-Type"] == content_type and Image.open(io.BytesIO(body)).format == fmt
        assert response["Cache-Control"] == "private, max-age=3600"
    # Those who only see the charger have no upload or delete.
    guest_html = client_for(world["guest"]).get(url("charger_pictures")).content.decode()
    assert "data-testid=\"picture-img-1\"" in guest_html
    assert 'data-testid="picture-form-1"' not in guest_html and 'data-testid="picture-delete-1"' not in guest_html


def test_metadata_is_dropped_and_the_picture_turned_upright(world, charger):
    image = Image.new("RGB", (80, 40), (200, 10, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned, show it rotated by 90°
    exif[0x010F] = "SecretCam"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    upload(client_for(world["owner"]), 1, out.getvalue())
    _response, body = served(client_for(world["owner"]), 1)
    stored = Image.open(io.BytesIO(body))
    assert stored.size == (40, 80) and b"SecretCam" not in body and not stored.getexif()


def test_two_places_and_replacing_removes_the_old_file(world, charger, django_capture_on_commit_callbacks):
    client = client_for(world["owner"])
    upload(client, 1, image_bytes("PNG"), content_type="image/png")
    upload(client, 2, image_bytes("JPEG"))
    first = ChargerPicture.objects.get(charge_point=charger, slot=1)
    old_path = first.image.path
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, 1, image_bytes("JPEG", color=(1, 2, 3)))
    assert ChargerPicture.objects.filter(charge_point=charger).count() == 2
    first.refresh_from_db()
    assert first.image.name.endswith(".jpg") and not os.path.exists(old_path) and os.path.exists(first.image.path)


def test_delete(world, charger, django_capture_on_commit_callbacks):
    client = client_for(world["owner"])
    upload(client, 2, image_bytes("PNG"), content_type="image/png")
    path = ChargerPicture.objects.get().image.path
    html = client.get(url("charger_pictures")).content.decode()
    assert 'id="picture-delete-2"' in html and 'data-testid="picture-delete-confirm-2"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("charger_picture_delete", "CP-HOME", 2), follow=True)
    assert "The picture is deleted." in response.content.decode()
    assert not ChargerPicture.objects.exists() and not os.path.exists(path)
    assert served(client, 2)[0].status_code == 404
    # Deleting an empty place does nothing.
    assert client.post(url("charger_picture_delete", "CP-HOME", 2)).status_code == 302


def _big_jpeg():
    """A valid JPEG just over the limit (noise does not compress)."""
    side = 1800
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=100)
    data = out.getvalue()
    assert len(data) > PICTURE_MAX_BYTES
    return data


def _gif():
    out = io.BytesIO()
    Image.new("RGB", (64, 64)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.parametrize("make, message", [
    (lambda: b"just some text, not a picture", "not a picture that can be read"),
    (lambda: b"", "The submitted file is empty."),
    (_gif, "Upload a JPEG, PNG or WebP picture."),
    (lambda: image_bytes("PNG", size=(10, 200)), "too small"),
    (lambda: image_bytes("PNG", size=(10_001, 40)), "too many pixels"),
    (lambda: image_bytes("PNG")[:60], "not a picture that can be read"),
    (_big_jpeg, "larger than 5 MB"),
])
def test_bad_files_are_form_errors_and_nothing_is_stored(world, charger, make, message):
    before = set(_files())
    response = upload(client_for(world["owner"]), 1, make())
    assert response.status_code == 200
    errors = " ".join(e for errs in response.context["picture_form"].errors.values() for e in errs)
    assert message in errors
    assert 'data-testid="field-error"' in response.content.decode()
    assert not ChargerPicture.objects.exists()
    assert set(_files()) == before


@pytest.mark.parametrize("slot", ["0", "3", "x"])
def test_only_two_places(world, charger, slot):
    response = upload(client_for(world["owner"]), slot, image_bytes("JPEG"))
    assert response.status_code == 200 and "slot" in response.context["picture_form"].errors
    assert not ChargerPicture.objects.exists()


def test_missing_picture_is_404(world, charger):
    assert served(client_for(world["owner"]), 1)[0].status_code == 404
    assert client_for(world["owner"]).get(url("charger_picture", "CP-HOME", 7)).status_code == 404


def _files():
    from django.conf import settings

    root = settings.PRIVATE_ROOT
    for folder, _dirs, names in os.walk(root):
        for name in names:
            yield os.path.join(folder, name)
