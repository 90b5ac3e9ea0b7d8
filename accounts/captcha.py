"""ACC-2: the captcha of the web sign-in form (django-simple-captcha: images drawn locally with
Pillow and the package's bundled font, so it works offline). The answer lives in the
``captcha.CaptchaStore`` table and can be tried once; the mobile app's API login has none."""

import secrets

from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField, CaptchaTextInput
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

# Letters and digits that cannot be mistaken for each other (no 0/O/Q, 1/I/L, 5/S, 8/B).
READABLE = "ACDEFGHJKMNPRTUVWXY234679"


def readable_challenge():
    """CAPTCHA_CHALLENGE_FUNCT: (text drawn on the image, expected answer); the answer is
    compared case-insensitively."""
    text = "".join(secrets.choice(READABLE) for _ in range(captcha_settings.CAPTCHA_LENGTH))
    return text, text.lower()


class CaptchaWidget(CaptchaTextInput):
    """The image with a refresh button, the hidden key and the answer input, in Bootstrap
    markup. The refresh button is wired up by the page (``data-captcha-refresh``). With an
    error, the wrapper is ``is-invalid`` too, so crispy's feedback (its sibling) shows."""

    def render(self, name, value, attrs=None, renderer=None):
        self.fetch_captcha_store(name, value, attrs, self.generator)
        attrs = self.build_attrs(self.attrs, attrs)
        answer_id = attrs.get("id") and f"{attrs['id']}_1"
        invalid = attrs.get("aria-invalid") == "true" or "is-invalid" in attrs.get("class", "")
        image = reverse("captcha-image", kwargs={"key": self._key})
        image_2x = reverse("captcha-image-2x", kwargs={"key": self._key})
        return format_html(
            '<div class="wcc-captcha{invalid}" data-captcha data-refresh-url="{refresh}">'
            '<div class="d-flex align-items-center gap-2 mb-2">'
            '<img src="{image}" srcset="{image_2x} 2x" alt="{alt}" class="border rounded bg-white" '
            'height="50" data-captcha-image>'
            '<button type="button" class="btn btn-outline-secondary" data-captcha-refresh '
            'title="{new}" aria-label="{new}"><i class="bi bi-arrow-clockwise" aria-hidden="true"></i>'
            "</button></div>"
            '<input type="hidden" name="{name}_0" value="{key}" autocomplete="off" data-captcha-key>'
            '<input type="text" name="{name}_1" id="{answer_id}" class="form-control{invalid}" '
            'required autocomplete="off" autocapitalize="off" autocorrect="off" spellcheck="false" '
            'inputmode="text" maxlength="{length}" aria-label="{label}"{described}>'
            "</div>",
            refresh=reverse("captcha-refresh"), image=image, image_2x=image_2x,
            alt=_("Security code (image)"), label=_("Security code"), new=_("Show a new image"),
            name=name, key=self._key,
            answer_id=answer_id or f"id_{name}_1", invalid=" is-invalid" if invalid else "",
            length=max(captcha_settings.CAPTCHA_LENGTH * 2, 10),
            described=format_html(' aria-describedby="{}"', attrs["aria-describedby"])
            if attrs.get("aria-describedby") else "",
        )


def captcha_field() -> CaptchaField:
    return CaptchaField(
        label=_("Security code"),
        help_text=_("Type the characters shown in the image. Hard to read? Show a new image."),
        widget=CaptchaWidget(),
        error_messages={"invalid": _("The security code is not correct. Try the new image.")},
    )
