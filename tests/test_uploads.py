"""Every corpus file through the app's own upload path, without AppTest: ``app.cache.photo_from_upload`` (what the
uploader's callback calls) and ``app.cache.full_resolution_png`` (the download), with an outline filter checked
against scipy on the decoded pixels. tests/test_hostile_ui.py sends a few of these files through the real upload
widget to prove the wiring (the message, the last good photo, the next action); tests/test_images.py checks the
loader itself on the whole corpus.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

import imgkernel
from app import cache
from tests.apptest import oracle
from tests.corpus import corpus

OUTLINE = imgkernel.get("outline").matrix()
FILES = {name: f for name, f in corpus().items() if f.max_pixels is None}  # the app loads with the default limit
OK = [name for name, f in FILES.items() if f.ok]
REFUSED = [name for name, f in FILES.items() if not f.ok]


@pytest.mark.parametrize("name", OK)
def test_a_readable_upload_becomes_the_photo_and_downloads_with_its_alpha(name):
    f = FILES[name]
    _, shape, has_alpha = f.expect
    photo = cache.photo_from_upload(f.filename, f.data)
    assert photo.name == f.filename and photo.sample is None
    assert photo.pixels.shape == shape and (photo.alpha is not None) == has_alpha
    for (r, c), value in f.probes:
        assert np.abs(photo.pixels[r, c].astype(int) - np.asarray(value)).max() <= f.tol
    png = cache.full_resolution_png(photo, OUTLINE, imgkernel.Settings())
    download = np.asarray(Image.open(io.BytesIO(png)))
    channels = (1 if len(shape) == 2 else 3) + (1 if has_alpha else 0)
    assert download.shape[:2] == shape[:2] and (download.shape[2] if download.ndim == 3 else 1) == channels
    if has_alpha:
        np.testing.assert_array_equal(download[..., -1], photo.alpha)  # the alpha is kept aside, never filtered
    filtered = download[..., :-1] if has_alpha else download
    filtered = filtered[..., 0] if filtered.ndim == 3 and filtered.shape[2] == 1 else filtered
    expected = np.clip(oracle(photo.pixels, OUTLINE) + 0.5, 0, 255).astype(np.uint8)
    assert np.abs(filtered.astype(int) - expected).max() <= 1  # float32 rounding at .5


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # Pillow's, before our limit refuses
@pytest.mark.parametrize("name", REFUSED)
def test_an_unreadable_upload_is_refused_with_a_plain_message(name):
    f = FILES[name]
    with pytest.raises(imgkernel.ImageLoadError) as info:
        cache.photo_from_upload(f.filename, f.data)
    assert f.expect[1] in str(info.value)
    assert "Traceback" not in str(info.value) and 'File "' not in str(info.value)
