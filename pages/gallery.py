"""Gallery: the current photo through every catalogue kernel at its defaults, as thumbnails."""

from __future__ import annotations

import numpy as np
import streamlit as st

import imgkernel
from app import cache, learn, session, wording
from app.i18n import _, kernel_text
from imgkernel.mapping import OUT_OF_RANGE, OutOfRange
from imgkernel.pipeline import Settings

THUMB_SIDE = 200  # long side of a gallery thumbnail, in pixels
SOBEL_SIDE = 360  # the four Sobels are shown larger
COLUMNS = 4
ALL = "All kernels"


@st.cache_data(max_entries=4 * len(imgkernel.CATALOGUE) + 16, show_spinner=False)
def _thumb(digest: str, _small: np.ndarray, name: str, out_of_range: OutOfRange) -> np.ndarray:
    """One kernel at its defaults and suggested divisor/offset, on the already shrunk photo (keyed by digest)."""
    spec = imgkernel.get(name)
    settings = Settings(divisor=spec.divisor, offset=spec.offset, out_of_range=out_of_range)
    return imgkernel.run_filter(_small, spec.matrix(), settings).mapped.image


def _compute(specs: list[imgkernel.KernelSpec], side: int, out_of_range: OutOfRange) -> dict[str, np.ndarray]:
    """Every thumbnail, with a progress bar (each one is cached, so revisits are instant)."""
    photo = session.current().photo
    small = cache.preview(photo, side).pixels
    key = f"{photo.digest}:{side}"
    bar = st.progress(0.0, text=_("Filtering…"))
    images = {}
    for i, spec in enumerate(specs):
        images[spec.name] = _thumb(key, small, spec.name, out_of_range)
        bar.progress(
            (i + 1) / len(specs), text=_("Filtering… {kernel}", kernel=wording.kernel_title(spec.name, spec.title))
        )
    bar.empty()
    return images


def _render(
    specs: list[imgkernel.KernelSpec], images: dict[str, np.ndarray], columns: int, buttons: bool, photo_name: str
) -> None:
    """A grid of thumbnails with titles (and "<photo> through <kernel>" as text alternatives), and a button under
    each to open it in the playground."""
    shown = [images[spec.name] for spec in specs]
    for start in range(0, len(specs), columns):
        for col, spec, image in zip(
            st.columns(columns), specs[start : start + columns], shown[start : start + columns], strict=False
        ):
            with col:
                title = wording.kernel_title(spec.name, spec.title)
                st.image(
                    image,
                    caption=title,
                    output_format="PNG",
                    width="stretch",
                    alt=wording.alt_thumbnail(photo_name, title),
                )
                if buttons and st.button(
                    _("Open in playground"),
                    key=f"gallery_open_{spec.name}",
                    help=kernel_text(spec.name, "summary", spec.summary),
                    width="stretch",
                ):
                    learn.open_preset(spec)


st.title(_("Gallery"))
learn.show_notice()
photo = session.current().photo
st.caption(
    _(
        "**{photo}** through every kernel of the catalogue at its default settings and suggested "
        "divisor/offset. Pick one to open it in the Playground.",
        photo=wording.photo_name(photo.name),
    )
)
groups = imgkernel.categories()
c1, c2 = st.columns(2)


def category_name(category: str) -> str:
    """A category as shown ("All kernels" for the choice of every one)."""
    if category == ALL:
        return _("All kernels")
    return kernel_text(groups[category][0].name, "category", category) if groups.get(category) else category


category = c1.selectbox(
    _("Category"), [ALL, *groups], format_func=category_name, key="gallery_category", persist_state="session"
)
out_of_range = c2.segmented_control(
    _("Values outside 0..255"),
    OUT_OF_RANGE,
    format_func=wording.view_name,
    default="clip",
    key="gallery_range",
    required=True,
    help=_(
        "clip: negatives become black (as setosa.io shows); abs: edge strength whatever its sign; "
        "rescale: the actual min..max stretched to 0..255."
    ),
)
sections = groups if category == ALL else {category: groups[category]}
images = _compute([spec for group in sections.values() for spec in group], THUMB_SIDE, out_of_range)
for name, group in sections.items():
    st.subheader(f"{category_name(name)} ({len(group)})")
    _render(group, images, COLUMNS, buttons=True, photo_name=photo.name)

sobels = [
    imgkernel.CATALOGUE[n]
    for n in ("sobel_top", "sobel_bottom", "sobel_left", "sobel_right")
    if n in imgkernel.CATALOGUE
]
if sobels:
    st.subheader(_("The four Sobels side by side"))
    st.caption(
        _(
            "Each finds the edges of one direction: top lights up where it is brighter above than below, "
            "bottom the opposite, and so on. With 'clip', each shows only its own side of every edge (the "
            "other side is negative and turns black); 'abs' shows both, so top and bottom then look alike."
        )
    )
    _render(sobels, _compute(sobels, SOBEL_SIDE, out_of_range), len(sobels), buttons=False, photo_name=photo.name)
