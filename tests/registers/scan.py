"""Turn a rendered PDF into what a scanner would make of a printout: images only, no text."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image


def scan_page(
    image: np.ndarray, tilt_degrees: float, noise: float, rng: np.random.Generator
) -> np.ndarray:
    """One grey page: tilted about its centre, speckled, slightly blurred."""
    grey = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image.ndim == 3 else image
    h, w = grey.shape
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), tilt_degrees, 1.0)
    tilted = cv2.warpAffine(
        grey, turn, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    blurred = cv2.GaussianBlur(tilted, (3, 3), 0.6)
    speckled = blurred.astype(np.float32) + rng.normal(0, 255 * noise, blurred.shape)
    # salt-and-pepper flecks, as from dust on the glass
    flecks = rng.random(blurred.shape)
    speckled[flecks < noise / 20] = 0
    speckled[flecks > 1 - noise / 20] = 255
    return np.clip(speckled, 0, 255).astype(np.uint8)


def scan_pdf(
    pdf_path: str | Path,
    out_path: str | Path,
    dpi: int = 200,
    tilt_degrees: float = 0.7,
    noise: float = 0.02,
    seed: int = 0,
) -> Path:
    """Rasterise each page at dpi, scan it (scan_page) and write an image-only PDF."""
    rng = np.random.default_rng(seed)
    pages = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        for page in pdf:
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            scanned = scan_page(bitmap.to_numpy().squeeze(), tilt_degrees, noise, rng)
            pages.append(Image.fromarray(scanned, mode="L"))
    finally:
        pdf.close()
    out_path = Path(out_path)
    pages[0].save(out_path, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    return out_path
