"""QR codes of chargers' claim URLs (CP-1), drawn as SVG without any image library."""

import io
import re

import qrcode
import qrcode.image.svg


def qr_svg(content: str, *, inline: bool = False) -> str:
    """A scalable SVG of ``content`` (black on white, quiet zone included).

    ``inline`` gives markup to embed in a page: no XML declaration, and a size set by CSS
    instead of millimetres.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(content)
    code.make(fit=True)
    image = code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    if inline:
        svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
        svg = re.sub(r'width="[^"]*mm" height="[^"]*mm"', 'class="wcc-qr" role="img"', svg, count=1)
    return svg
