from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Speak the signed-in user's preferred language unless they picked one in this browser.

    LocaleMiddleware has already looked at the language cookie and Accept-Language; a saved
    profile language is a stronger hint than the browser's header, a cookie set by the
    language switch is stronger still.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
