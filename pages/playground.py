"""The playground: pick a photo and a kernel (preset, sliders or your own grid) and see the filter side by side.

State lives in ``st.session_state`` under ``pg_*`` keys; the chosen photo and kernel are published through
``ui.set_photo`` / ``ui.set_kernel`` for the Learn pages. Order matters in this script: the grid is read
*before* the preset selectbox is drawn (it is placed above the grid with containers), so an edited cell can
switch the preset to "custom" in the same run without a second rerun.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st

import imgkernel
import ui
from imgkernel import kernel_io, share
from imgkernel.images import EXTENSIONS
from imgkernel.limits import (
    MAX_DILATION,
    MAX_KERNEL_ABS,
    MAX_KERNEL_SIDE,
    MAX_SHARE_QUERY_CHARS,
    MAX_STRIDE,
    PREVIEW_LONG_SIDE,
    UPLOAD_LIMIT_MB,
)
from imgkernel.pipeline import Settings, scale_for

log = logging.getLogger("imgkernel.playground")  # page scripts run as __main__

CUSTOM = share.CUSTOM
PRESET, CUSTOM_MATRIX, MATRIX, GRID_KEY = "pg_preset", "pg_custom", "pg_matrix", "pg_grid_key"
DIVISOR_OK, NOTICES, JSON_ERROR, DOWNLOAD = "pg_div_ok", "pg_notices", "pg_json_error", "pg_download"
VIEW_KEPT = "pg_view_kept"  # the display choice, kept across page switches (widget state is not)
UPLOAD_MEMO = "pg_upload_memo"  # (file_id, Photo or error message) of the file in the uploader or camera
REPLACED = "pg_replaced"  # the photo in use when the uploader was emptied (kept if the next file is refused)
PREVIEW_SIZES = (256, 512, 768, PREVIEW_LONG_SIDE, 1536, 2048, 3072, 4096)
VIEW_HELP = {
    "clip": "Values below 0 show black, above 255 white (and are counted as clipped).",
    "abs": "Negative responses count as positive: edge strength whatever its direction.",
    "rescale": "The darkest value becomes black and the brightest white: nothing is clipped.",
    "signed": "Blue below 0, white at 0, red above: see where the kernel responds negatively.",
}
MODE_HELP = ("What the kernel sees beyond the photo's edge. reflect: dcba|abcd; mirror: dcb|abcd; nearest: aaa|abcd; "
             "wrap: the opposite edge; constant: a fixed value; valid: no padding, the result shrinks.")
# Settings field -> widget key, for everything in the options panel and the scale box.
SETTING_KEYS = {"mode": "pg_mode", "cval": "pg_cval", "stride": "pg_stride", "dilation": "pg_dil",
                "true_convolution": "pg_conv", "divisor": "pg_div", "offset": "pg_off", "normalise": "pg_norm",
                "mean": "pg_mean", "gray": "pg_gray"}

ss = st.session_state


def slider_key(kernel: str, param: str) -> str:
    return f"pg_p_{kernel}_{param}"


# ---- state set-up: share link on first load, defaults, callbacks ----

def restore_state() -> None:
    """Fill the widgets' state when it is missing.

    On a session's first visit it comes from the share link in the URL (bad values ignored with a notice).
    Later, Streamlit drops a page's widget state while another page is shown: it then comes from the
    published kernel and photo (``ui.current_kernel()``, which a Learn page may also have set).
    """
    if not ss.get("pg_restored"):
        ss["pg_restored"] = True
        state, notices = share.decode(st.query_params.to_dict(), ui.SAMPLES)
        if notices:
            ss[NOTICES] = ["Some settings in the link were ignored: " + " ".join(notices)]
    elif PRESET not in ss:
        k, photo = ui.current_kernel(), ui.current_photo()
        custom = k.name not in imgkernel.CATALOGUE
        kept = ss.get(VIEW_KEPT, "clip")
        view = kept if kept == "signed" and k.settings.out_of_range == "clip" else k.settings.out_of_range
        published = share.ShareState(CUSTOM if custom else k.name, {} if custom else k.params,
                                     k.matrix if custom else None, k.settings, view, photo.sample)
        # through the share-link checks, so values a Learn page set out of the widgets' ranges cannot break them
        state, notices = share.decode(share.encode(published), ui.SAMPLES, max_chars=None)
        if notices:
            ss[NOTICES] = ["Some settings could not be restored: " + " ".join(notices)]
        if photo.sample is None:
            ss["pg_source"] = "Upload"  # the uploaded photo stays (current_photo) until another is chosen
    else:
        return
    apply_state(state)


def apply_state(state: share.ShareState) -> None:
    ss[PRESET] = state.kernel
    if state.kernel == CUSTOM:
        ss[CUSTOM_MATRIX] = state.matrix
    else:
        for p in imgkernel.get(state.kernel).params:
            value = state.params.get(p.name, p.default)
            ss[slider_key(state.kernel, p.name)] = int(value) if p.integer else float(value)
    for name, key in SETTING_KEYS.items():
        ss[key] = getattr(state.settings, name)
    ss[DIVISOR_OK] = state.settings.divisor
    ss["pg_view"] = state.view
    if state.sample:
        ss["pg_source"], ss["pg_sample"] = "Sample", state.sample


def on_preset() -> None:
    """A preset was chosen: the grid resets to it and its suggested divisor/offset apply."""
    if ss[PRESET] == CUSTOM:
        ss[CUSTOM_MATRIX] = ss.get(MATRIX, np.eye(1))
        return
    spec = imgkernel.get(ss[PRESET])
    ss["pg_div"] = ss[DIVISOR_OK] = float(spec.divisor)
    ss["pg_off"] = float(spec.offset)
    ss.pop(CUSTOM_MATRIX, None)


def on_resize() -> None:
    ss[CUSTOM_MATRIX] = ui.resize_kernel(ss[MATRIX], int(ss["pg_rows"]), int(ss["pg_cols"]))
    ss[PRESET] = CUSTOM


def on_kernel_json() -> None:
    """A kernel file was dropped: use it as a custom kernel, or say why not (the current one stays)."""
    ss.pop(JSON_ERROR, None)
    f = ss.get("pg_json")
    if f is None:
        return
    try:
        doc = kernel_io.kernel_from_json(f.getvalue())
    except imgkernel.KernelError as exc:
        ss[JSON_ERROR] = f"{f.name}: {exc} The current kernel stays in use."
        return
    ss[CUSTOM_MATRIX], ss[PRESET] = doc.matrix, CUSTOM
    ss["pg_div"] = ss[DIVISOR_OK] = doc.divisor
    ss["pg_off"] = doc.offset
    ss["pg_norm"] = ss["pg_mean"] = False


# ---- the photo ----

def set_source(source: str) -> None:
    """The photo widget touched last decides the photo; removing a file hands back to the previous source."""
    if source == "Camera" and ss.get("pg_camera") is None:
        source = "Upload"
    if source == "Upload" and ss.get("pg_upload") is None:
        source = "Sample"
        # The browser replaces a file in two runs, "removed" then "new file": remember the photo in use, so
        # that if the new file is refused this photo stays rather than the sample shown in between.
        ss[REPLACED] = ui.current_photo()
    elif source != "Upload":
        ss.pop(REPLACED, None)
    ss["pg_source"] = source


def choose_photo() -> ui.Photo:
    """Sidebar: sample, upload or camera. A bad file shows an error and the last good photo stays."""
    sb = st.sidebar
    sb.header("Photo")
    name = sb.selectbox("Sample photo", list(ui.SAMPLES), key="pg_sample", on_change=set_source, args=("Sample",))
    files = {"Upload": sb.file_uploader(f"…or drop your own (up to {UPLOAD_LIMIT_MB} MB)", type=list(EXTENSIONS),
                                        key="pg_upload", on_change=set_source, args=("Upload",))}
    if sb.toggle("Use the camera", key="pg_camera_on", help="The browser asks for the camera only when this is on."):
        files["Camera"] = sb.camera_input("Take a photo", key="pg_camera", on_change=set_source, args=("Camera",))
    source = ss["pg_source"]
    if source == "Sample":
        return ui.sample_photo(name)
    f = files.get(source)
    if f is None:  # the camera was switched off, or a page switch reset the uploader: keep the photo
        return ui.current_photo()
    memo = ss.get(UPLOAD_MEMO)
    if not memo or memo[0] != f.file_id:  # decode (and hash 36 MB of pixels) once per file, not per rerun
        memo = ss[UPLOAD_MEMO] = (f.file_id, load_upload(f))
    if isinstance(memo[1], str):
        sb.error(memo[1])
        return ss.get(REPLACED) or ui.current_photo()
    ss.pop(REPLACED, None)
    return memo[1]


def load_upload(f) -> ui.Photo | str:
    """The uploaded file as a Photo, or the error message to show (the last good photo then stays)."""
    if f.size > UPLOAD_LIMIT_MB * 1024 * 1024:
        return f"{f.name} is over the {UPLOAD_LIMIT_MB} MB upload limit. The last good photo stays."
    try:
        return ui.photo_from_upload(f.name, f.getvalue())
    except imgkernel.ImageLoadError as exc:
        return f"{f.name}: {exc} The last good photo stays."


# ---- the kernel ----

def kernel_panel() -> tuple[str, str, dict, np.ndarray, Settings]:
    """Preset, sliders, grid, size and scale. Returns name, title, params, matrix and the scale settings."""
    head, size_box, grid_box, scale_box = st.container(), st.container(), st.container(), st.container()
    preset = ss.setdefault(PRESET, ui.DEFAULT_KERNEL)
    params: dict = {}
    if preset == CUSTOM:
        base = np.asarray(ss.setdefault(CUSTOM_MATRIX, ss.get(MATRIX, np.eye(1))), dtype=np.float64)
    else:
        spec = imgkernel.get(preset)
        params = {p.name: ss.setdefault(slider_key(preset, p.name), int(p.default) if p.integer else float(p.default))
                  for p in spec.params}
        try:
            base = spec.matrix(params)
        except imgkernel.KernelError as exc:  # a parameter combination the kernel cannot be built from
            head.error(f"{exc} The previous kernel stays in use.")
            base = np.asarray(ss.get(MATRIX, spec.matrix()), dtype=np.float64)

    with grid_box:
        matrix = edit_grid(base, preset)
    if matrix is not base:  # a valid edit: the kernel is now the user's own
        ss[CUSTOM_MATRIX], ss[PRESET] = matrix, CUSTOM
        # The grid's key follows its weights, so the grid on screen (old key) would swallow the next edit:
        # rerun now so the screen shows the grid under its new key before the user types again.
        st.rerun()

    with head:
        groups = imgkernel.categories()
        labels = {s.name: f"{cat} · {s.title}" for cat, specs in groups.items() for s in specs}
        labels[CUSTOM] = "Custom · your own grid"
        st.selectbox("Kernel", list(labels), key=PRESET, format_func=labels.__getitem__, on_change=on_preset,
                     help="Presets grouped by what they do. Editing the grid turns the kernel into Custom.")
        if preset == CUSTOM:
            title = "Custom"
            st.caption("Your own weights: edit any cell, resize the grid, or load a kernel file.")
        else:
            spec = imgkernel.get(preset)
            title = spec.title
            st.caption(spec.summary)
            with st.expander(f"How {spec.title} works"):
                st.write(spec.explanation)
            for p in spec.params:
                step = (int(p.step) or 1) if p.integer else float(p.step)
                lo, hi = (int(p.min), int(p.max)) if p.integer else (float(p.min), float(p.max))
                st.slider(p.label, lo, hi, step=step, key=slider_key(preset, p.name), help=p.help or None)

    with size_box:
        ss["pg_rows"], ss["pg_cols"] = matrix.shape
        rows, cols = st.columns(2)
        rows.number_input("Rows", 1, MAX_KERNEL_SIDE, step=1, key="pg_rows", on_change=on_resize,
                          help="Resizing keeps the weights around the centre cell and fills new cells with 0.")
        cols.number_input("Columns", 1, MAX_KERNEL_SIDE, step=1, key="pg_cols", on_change=on_resize)

    with scale_box:
        scale = scale_controls(matrix)
    return preset, title, params, matrix, scale


def edit_grid(base: np.ndarray, preset: str) -> np.ndarray:
    """The editable weights. Returns ``base`` itself when unchanged or invalid, else the new valid matrix."""
    digest = ui.digest_of(base)[:12]
    key = f"pg_grid_{preset}_{digest}"  # a new key per kernel: choosing a preset resets the grid
    ss[GRID_KEY] = key
    # Column names are 0-based strings (the keys of the editor's edit state); the labels people see are
    # 1-based, like the rows and like the cell names in error messages ("row 3, column 1").
    frame = pd.DataFrame(base, columns=[str(j) for j in range(base.shape[1])], index=range(1, base.shape[0] + 1))
    edited = st.data_editor(frame, key=key, hide_index=False, num_rows="fixed", column_config={
        c: st.column_config.NumberColumn(str(j + 1), format="%g") for j, c in enumerate(frame.columns)})
    cells = edited.to_numpy(dtype=object)
    try:
        if np.array_equal(np.asarray(cells, dtype=np.float64), base):
            return base
    except (TypeError, ValueError):
        pass  # text in a cell: validate_matrix names it below
    try:
        return kernel_io.validate_matrix(cells.tolist())
    except imgkernel.KernelError as exc:
        st.error(f"{exc} The previous kernel stays in use.")
        return base


def scale_controls(matrix: np.ndarray) -> Settings:
    """Normalise, mean, divisor and offset; a divisor of 0 is refused and the last valid one kept."""
    total = float(matrix.sum())
    if abs(total - 1) < 1e-9:
        meaning = "brightness is kept"
    elif abs(total) < 1e-9:
        meaning = "an edge finder: flat areas turn black (mid-grey with offset 127.5 or Normalise)"
    elif total > 1:
        meaning = "above 1, so the photo gets brighter"
    elif total < 0:
        meaning = "below 0, so the photo comes out inverted"
    else:
        meaning = "between 0 and 1, so the photo gets darker"
    st.markdown(f"**Sum of weights: {total:g}** — {meaning}.")
    a, b = st.columns(2)
    normalise = a.toggle("Normalise", key="pg_norm",
                         help="GIMP's auto-normalise: divide by the sum (or mid-grey offset when it is 0).")
    mean = b.toggle("Mean", key="pg_mean", help="Divide by the number of cells.")
    a, b = st.columns(2)
    bounds = {"min_value": -MAX_KERNEL_ABS, "max_value": MAX_KERNEL_ABS, "step": 1.0, "format": "%g"}
    divisor = a.number_input("Divisor", key="pg_div", disabled=normalise or mean, **bounds,
                             help="Each response is divided by this.")
    offset = b.number_input("Offset", key="pg_off", disabled=normalise, **bounds,
                            help="Added after dividing, in grey levels 0..255 (127.5 = mid-grey).")
    try:
        imgkernel.resolve_scale(matrix, divisor=divisor)  # the library's rule: not 0, not absurdly small
        ss[DIVISOR_OK] = divisor
    except imgkernel.KernelError as exc:
        st.error(f"{exc} The last valid divisor ({ss[DIVISOR_OK]:g}) stays in use.")
        divisor = ss[DIVISOR_OK]
    if normalise:
        auto = imgkernel.auto_normalise(matrix)
        st.caption(f"Normalise uses divisor {auto.divisor:g} and offset {auto.offset:g}.")
    return Settings(divisor=float(divisor), offset=float(offset), normalise=normalise, mean=mean)


def options(scale: Settings) -> tuple[Settings, str]:
    """Sidebar: border, stride, dilation, flip, channels and how out-of-range values are shown."""
    sb = st.sidebar
    sb.header("Options")
    mode = sb.selectbox("Border mode", imgkernel.MODES, key="pg_mode", help=MODE_HELP)
    cval = sb.number_input("Constant value", key="pg_cval", min_value=-MAX_KERNEL_ABS, max_value=MAX_KERNEL_ABS,
                           step=1.0, format="%g",
                           help="The grey level used beyond the edge.") if mode == "constant" else 0.0
    stride = sb.slider("Stride", 1, MAX_STRIDE, key="pg_stride", help="Keep every n-th output pixel (CNN stride).")
    dilation = sb.slider("Dilation", 1, MAX_DILATION, key="pg_dil",
                         help="Spread the taps apart (n-1 skipped pixels between them), as in dilated CNN layers.")
    conv = sb.toggle("True convolution (flip the kernel)", key="pg_conv",
                     help="Off: correlation, as GIMP, OpenCV and CNNs compute. On: the kernel is rotated 180°.")
    gray = sb.toggle("Grayscale (filter the luminance)", key="pg_gray",
                     help="Off: each RGB channel is filtered on its own.")
    view = sb.radio("Out-of-range values", share.VIEWS, key="pg_view", horizontal=True,
                    help=" ".join(f"{k}: {v}" for k, v in VIEW_HELP.items()))
    oor = "clip" if view == "signed" else view
    return scale.with_(mode=mode, cval=float(cval), stride=int(stride), dilation=int(dilation),
                       true_convolution=conv, gray=gray, out_of_range=oor), view


def init_defaults() -> None:
    defaults = Settings()
    for name, key in SETTING_KEYS.items():
        ss.setdefault(key, getattr(defaults, name))
    ss.setdefault(DIVISOR_OK, defaults.divisor)
    ss.setdefault("pg_view", "clip")
    ss.setdefault("pg_source", "Sample")
    ss.setdefault("pg_sample", ui.DEFAULT_SAMPLE)
    ss.setdefault("pg_preview", PREVIEW_LONG_SIDE)


# ---- results ----

def show_results(photo: ui.Photo, name: str, title: str, params: dict, matrix: np.ndarray,
                 settings: Settings, view: str) -> None:
    long_side = int(st.sidebar.select_slider("Preview size (long side, px)", PREVIEW_SIZES, key="pg_preview",
                                             help="The screen shows the photo at this size; downloads are full size."))
    small = ui.preview(photo, long_side)
    try:
        v = ui.views(small, matrix, settings, view)
    except imgkernel.KernelError as exc:
        st.error(f"{exc}")
        return
    ui.set_photo(photo)
    ui.set_kernel(ui.KernelChoice(name, title, params, matrix, settings))
    ss[MATRIX], ss[VIEW_KEPT] = matrix, view

    h, w = small.pixels.shape[:2]
    full_h, full_w = photo.pixels.shape[:2]
    size_note = (f"Shown at {w} x {h} px (preview; the photo is {full_w} x {full_h} px)"
                 if small is not photo else f"Shown at full size, {w} x {h} px")
    st.caption(f"{photo.name} · {size_note}.")
    left, right = st.columns(2)
    left.image(v.original_jpeg, caption=f"Original{' (luminance)' if settings.gray else ''} · {w} x {h} px",
               width="stretch")
    clipped = f"{v.clipped_pixels:,} pixels clipped ({v.clipped_fraction:.1%})" if view == "clip" else f"view {view}"
    right.image(v.filtered_png, width="stretch", caption=title, output_format="PNG")  # edges: no JPEG ringing
    st.caption(f"Result: {title} · {v.shape[1]} x {v.shape[0]} px · values {v.low:.1f} to {v.high:.1f} · {clipped}")

    diff_tab, hist_tab, export_tab = st.tabs(["Difference", "Histogram", "Export and share"])
    with diff_tab:
        if v.difference_jpeg is None:
            st.info(f"The result is {v.shape[1]} x {v.shape[0]} px but the original {w} x {h} px "
                    f"(stride {settings.stride}, border mode {settings.mode}): there is no pixel-by-pixel difference.")
        else:
            left, right = st.columns(2)
            left.image(v.difference_jpeg, width="stretch", caption="|filtered − original|")
            right.caption(f"Mean difference {v.mean_difference:.2f} grey levels per channel. Bright where the "
                          "kernel changed the photo most, black where it left it alone.")
    with hist_tab:
        st.vega_lite_chart(histogram_spec(v.hist_counts, v.hist_edges), width="stretch")
        st.caption("Filter responses after divisor and offset (all channels). Between the grey lines, 0 and 255, "
                   "is what the screen can show; the rest is mapped by the out-of-range choice.")
    with export_tab:
        export(photo, title, matrix, settings, view, small is not photo)


def histogram_spec(counts: np.ndarray, edges: np.ndarray) -> dict:
    """A Vega-Lite histogram with the displayable range 0..255 marked (a plain spec: Altair's validation
    costs ~25 ms a rerun)."""
    bars = [{"from": float(a), "to": float(b), "values": int(c)}
            for a, b, c in zip(edges[:-1], edges[1:], counts, strict=True)]
    return {
        "height": 260,
        "layer": [
            {"data": {"values": bars}, "mark": "rect", "encoding": {
                "x": {"field": "from", "type": "quantitative", "title": "response"},
                "x2": {"field": "to"},
                "y": {"field": "values", "type": "quantitative", "title": "values"},
                "y2": {"datum": 0},
                "tooltip": [{"field": "from", "type": "quantitative", "format": ".1f"},
                            {"field": "to", "type": "quantitative", "format": ".1f"},
                            {"field": "values", "type": "quantitative"}]}},
            {"data": {"values": [{"at": 0}, {"at": 255}]}, "mark": {"type": "rule", "color": "grey",
                                                                     "strokeDash": [4, 3]},
             "encoding": {"x": {"field": "at", "type": "quantitative"}}},
        ],
    }


def export(photo: ui.Photo, title: str, matrix: np.ndarray, settings: Settings, view: str, is_preview: bool) -> None:
    signature = (photo.digest, matrix.shape, matrix.tobytes(), settings, view)
    size = f"{photo.pixels.shape[1]} x {photo.pixels.shape[0]} px"
    if st.button(f"Prepare full-resolution PNG ({size})", key="pg_prepare",
                 help="The screen shows a preview" if is_preview else None):
        with st.spinner(f"Filtering {size}…"):
            ss[DOWNLOAD] = (signature, ui.full_resolution_png(photo, matrix, settings, view))
    prepared = ss.get(DOWNLOAD)
    if prepared and prepared[0] == signature:
        st.download_button(f"Download PNG ({size}, {len(prepared[1]) / 1e6:.1f} MB)", prepared[1],
                           file_name=f"{ui.file_stem(photo.name.rsplit('.', 1)[0])}-{ui.file_stem(title)}.png",
                           mime="image/png", key="pg_download_png", on_click="ignore")
    st.divider()
    a, b = st.columns(2)
    scale = scale_for(matrix, settings)  # what is applied now
    doc = kernel_io.kernel_to_json(matrix, name=title, divisor=scale.divisor, offset=scale.offset)
    a.download_button("Download kernel JSON", doc, file_name=f"{ui.file_stem(title)}.json", mime="application/json",
                      key="pg_json_download", on_click="ignore")
    b.file_uploader("Load a kernel JSON file", type=["json"], key="pg_json", on_change=on_kernel_json)
    with a.expander("Show the kernel JSON"):
        st.code(doc, language="json")
    if ss.get(JSON_ERROR):
        st.error(ss[JSON_ERROR])
    st.divider()
    st.markdown("**Share link** (kernel, options and sample photo; uploads stay on your device)")
    url, too_long = share_url(matrix, settings, view, photo)
    st.code(url, language=None)
    if too_long:
        st.caption("This grid is too big for a link, which keeps only the options and the photo: "
                   "share the kernel JSON file for the weights.")


def share_url(matrix: np.ndarray, settings: Settings, view: str, photo: ui.Photo) -> tuple[str, bool]:
    """Keep the address bar in step with the playground; return the link to copy and whether the kernel
    had to be left out of it (a big custom grid does not fit in a URL)."""
    k = ui.current_kernel()
    state = share.ShareState(k.name, k.params, matrix if k.name == CUSTOM else None, settings, view, photo.sample)
    query = share.encode(state)
    too_long = len(urlencode(query)) > MAX_SHARE_QUERY_CHARS
    if too_long:
        query = {key: value for key, value in query.items() if key not in ("k", "m")}
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
    return f"{st.context.url or ''}?{urlencode(query)}", too_long


def main() -> None:
    restore_state()
    init_defaults()
    for notice in ss.pop(NOTICES, []):
        st.warning(notice)
    photo = choose_photo()
    st.title("Image kernel playground")
    st.caption("Pick a photo and a kernel, move the sliders or type your own weights, and compare side by side. "
               "Each output pixel is the sum of its neighbours times the weights in the grid.")
    controls, results = st.columns([2, 3], gap="large")
    with controls:
        st.subheader("Kernel")
        name, title, params, matrix, scale = kernel_panel()
    settings, view = options(scale)
    with results:
        show_results(photo, name, title, params, matrix, settings, view)


try:
    main()
except Exception:  # the last line of defence: a friendly message, the details in the server log
    log.exception("playground failed")
    st.error("Something went wrong while drawing this page. Your photo and kernel are kept; "
             "try another setting or reload the page.")
