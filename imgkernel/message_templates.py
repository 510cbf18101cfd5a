"""The English templates of every library message, by code (``imgkernel.messages`` says how they are used).

Codes are stable: the app's catalogues and other programs may rely on them. Change a template's words freely
(then run ``make locale`` and translate it again); never reuse a code for a different meaning. Codes start with
their topic: kernels, numbers, files, photos, the engine and share links first; then the learning tools
(``acf_``, ``fit_``, ``sweep_``, ``layer_``, ``puzzle_``, ``walk_``).

Fragments that other messages take as arguments (what a value is called, a reason, a border rule, a count of
pixels) are messages of their own, so a translation translates the whole; catalogue data (a parameter's
``label``, a kernel's ``title``) travels with the ``kernel`` and ``param`` names an app translates it by.
This module imports nothing from the library but ``.messages``, so other modules may build messages at import
time (``imgkernel.borders.MODE_RULES``, ``imgkernel.formats.images.ACCEPTED``).
"""

from __future__ import annotations

from .messages import N_, Np_, Plural

TEMPLATES: dict[str, str | Plural] = {
    # -- what a value is called at the start of a sentence (imgkernel.numeric.subject) -------------------------
    "subject_cell": N_("The cell"),
    "subject_divisor": N_("The divisor"),
    "subject_offset": N_("The offset"),
    "subject_value": N_("The value"),
    "subject_cval": N_("The cval"),
    "subject_named": N_("The {name}"),  # name: a programmer's identifier
    "subject_named_weight": N_("The {name} weight"),  # name: a factory's argument (imgkernel.seed)
    "subject_at": N_("{subject} {where}"),  # "The cell" + "in row 2, column 3"
    "where_row_col": N_("in row {row}, column {col}"),
    # -- one typed number (imgkernel.formats.kernel_io.parse_number, imgkernel.numeric.finite) -------------------------
    "number_empty": N_("{subject} is empty; type a number."),
    "number_bool": N_("{subject} holds {value}, which is not a number."),  # value: true / false
    "number_text_too_long": N_("{subject} holds too long a text to be a number."),
    "number_not_numeric": N_("{subject} holds {text!r}, which is not a number."),
    "number_wrong_type": N_("{subject} does not hold a number."),
    "number_nan": N_("{subject} is not a number (NaN)."),
    "number_too_large": N_("{subject} is too large: it must be between -{limit:g} and {limit:g}."),
    "number_not_number_got": N_("{subject} must be a number (got {value!r})."),
    "number_not_finite_got": N_("{subject} must be a finite number (got {value!r})."),
    # -- kernels as grids (imgkernel.formats.kernel_io, imgkernel.engine, imgkernel.kernel_props, imgkernel.share) -----
    "kernel_not_rows": N_("The kernel must be a list of rows of numbers."),
    "kernel_empty": N_("The kernel is empty; it needs at least one row and one column."),
    "kernel_too_big": N_("The kernel is too big: at most {side} x {side} cells."),
    "kernel_ragged": N_("Every row of the kernel must have the same number of cells."),
    "kernel_not_grid": N_("The kernel must be a grid of numbers."),
    "kernel_not_2d": Np_(
        "The kernel must be 2-D (rows x columns); got {ndim} dimension.",
        "The kernel must be 2-D (rows x columns); got {ndim} dimensions.",
        "ndim",
    ),
    "kernel_not_finite": N_("The kernel contains a value that is not a finite number (NaN or infinity)."),
    "kernel_not_finite_grid": N_("A kernel must be a non-empty 2-D grid of finite numbers."),
    # -- kernel files (imgkernel.formats.kernel_io.kernel_from_json) ---------------------------------------------------
    "json_too_large": N_("The kernel file is too large (over {kb} kB)."),
    "json_not_utf8": N_("The kernel file is not text (UTF-8 JSON expected)."),
    "json_not_text": N_("The kernel file must be JSON text."),
    "json_too_deep": N_("The kernel file is nested too deeply to be a kernel."),
    "json_constant": N_("The kernel file is not valid JSON ({token} is not a number)."),  # token: NaN, Infinity
    # error: Python's JSON parser's own words ("Expecting value"); line, column and char: where it stopped
    "json_invalid": N_("The kernel file is not valid JSON ({error}: line {line} column {column} (char {char}))."),
    "json_invalid_other": N_("The kernel file is not valid JSON ({detail})."),  # detail: Python's words
    "json_wrong_shape": N_("A kernel file must look like {example}."),  # example: a JSON document
    "json_unknown_fields": Np_(  # fields: the file's own keys; allowed: the format's keys
        "Unknown field(s) in the kernel file: {fields}. Allowed: {allowed}.",
        "Unknown field(s) in the kernel file: {fields}. Allowed: {allowed}.",
        "n",
    ),
    "json_matrix_not_rows": N_('"matrix" must be a list of rows, each a list of numbers, e.g. [[0, -1, 0], ...].'),
    "json_matrix_not_2d": N_('"matrix" must be 2-D: rows of plain numbers.'),
    "json_matrix_not_number": N_('"matrix" must hold numbers: row {row}, column {col} holds {shown}.'),
    "json_name_not_text": N_('"name" must be text.'),
    "json_scaling_not_number": N_('"{key}" must be a number (got {shown}).'),  # key: divisor or offset
    "json_divisor_zero": N_('"divisor" cannot be 0; use 1 to leave the values as they are.'),
    # -- pasted matrices (imgkernel.formats.kernel_io.parse_matrix_text) -----------------------------------------------
    "paste_not_text": N_("The pasted matrix must be text."),
    "paste_too_long": N_("The pasted text is too long (over {limit:,} characters) to be a kernel."),
    "paste_empty": N_("The pasted text is empty; paste a matrix such as {example}."),
    "paste_abbreviated": N_(
        "The pasted matrix was shortened with '...' when it was printed; print it in full "
        "(in NumPy: {call}) and paste it again."
    ),
    "paste_array_unclosed": N_("The pasted array(...) has no closing ')'; paste the whole of it."),
    "paste_brackets_misplaced": N_(
        "The brackets are unbalanced or misplaced: a bracketed matrix starts with '[' and ends with ']'."
    ),
    "paste_too_deep": N_("The pasted matrix is nested too deeply: a kernel is 2-D, e.g. {example}."),
    "paste_unopened_bracket": N_("The brackets are unbalanced: a ']' closes nothing."),
    "paste_unclosed_bracket": N_("The brackets are unbalanced: a ']' is missing at the end."),
    "paste_text_after": N_("There is text after the matrix's closing ']': {rest!r}."),
    "paste_between_rows": N_(
        "Between the rows of a [[...], [...]] matrix there may only be one comma, but there is {shown!r}; "
        "put every row in its own brackets."
    ),
    "paste_ragged": Np_(  # reason: kernel_ragged
        "{reason} Row 1 has {first} cell and row {row} has {count}.",
        "{reason} Row 1 has {first} cells and row {row} has {count}.",
        "first",
    ),
    # -- catalogue kernels and their parameters (imgkernel.catalogue); label and title: catalogue data -----------
    "param_not_number": N_("{label} must be a number (got {value!r})."),
    "param_out_of_range": N_("{label} must be between {low:g} and {high:g} (got {value!r})."),
    "param_not_whole": N_("{label} must be a whole number (got {value!r})."),
    "catalogue_unknown_param": N_("{title} has no parameter {names}."),
    "catalogue_duplicate": N_("The catalogue already has a kernel called {name!r}."),
    "catalogue_unknown_kernel": N_("No kernel called {name!r}; known kernels: {known}."),
    # -- the engine's arguments (imgkernel.engine, imgkernel.fullres) ---------------------------------------------
    "engine_valid_too_small": N_(  # span, size: pixel_count_plain
        "In 'valid' mode the kernel (spanning {span} with dilation {dilation}) must fit inside the image "
        "({size}); use a padded border mode or a smaller kernel."
    ),
    "pixel_count_plain": Np_("{n} pixel", "{n} pixels"),
    "engine_bad_stride": N_("stride must be a whole number of at least 1 (got {value!r})."),
    "engine_bad_dilation": N_("dilation must be a whole number of at least 1 (got {value!r})."),
    "engine_unknown_mode": N_("Unknown border mode {mode!r}; choose one of {modes}."),
    "engine_unknown_method": N_("Unknown method {method!r}; choose one of {methods}."),
    "engine_separable_not_rank1": N_(
        "method='separable' needs a rank-1 kernel (an outer product of a column and a row)."
    ),
    "image_not_2d": Np_(
        "The image must be 2-D (H, W) or 3-D (H, W, C); got {ndim} dimension.",
        "The image must be 2-D (H, W) or 3-D (H, W, C); got {ndim} dimensions.",
        "ndim",
    ),
    "image_empty": N_("The image is empty."),
    "image_not_real": N_("The image must hold real numbers, not {dtype}."),
    "image_not_finite": N_("The image contains a value that is not a finite number (NaN or infinity)."),
    # -- divisor and out-of-range mapping (imgkernel.mapping) -----------------------------------------------------
    "divisor_zero": N_("The divisor cannot be 0; use 1 to leave the values as they are."),
    "divisor_too_small": N_("The divisor must be at least {least:g} in size (got {value!r})."),
    "mapping_unknown_out_of_range": N_("Unknown out-of-range mapping {value!r}; choose one of {choices}."),
    # -- photos (imgkernel.formats.images) -----------------------------------------------------------------------------
    "image_accepted_formats": N_("PNG, JPEG, WebP, AVIF, BMP, GIF or TIFF"),
    "pixel_count": Np_("{n:,} pixel", "{n:,} pixels"),
    "megapixel_count": Np_("{n} megapixel", "{n} megapixels"),  # a whole number of megapixels
    "megapixel_count_decimal": N_("{mp:.1f} megapixels"),  # 12.3 megapixels
    "image_refused": N_("{problem} Please choose a {formats} image of at most {limit}."),
    "image_cannot_open": N_("Cannot open the file {path!r}: {reason}."),  # reason: the system's words
    "image_text_mode": N_("The file was opened as text; images must be read in binary mode."),
    "image_cannot_read": N_("Cannot read the file: {reason}."),  # reason: the system's words
    "image_file_empty": N_("The file is empty (0 bytes)."),
    "image_too_many_pixels": N_("The image is {width:,} x {height:,} pixels ({size}), over the limit of {limit}."),
    "image_no_pixels": N_("The image has no pixels ({width} x {height})."),
    "image_tiff_compression": N_("This TIFF uses an unusual compression ({compression}) we do not decode."),
    "image_jpeg_scans": N_(
        "This JPEG has over {limit} scans, far more than any camera or editor writes; it would take very long "
        "to decode."
    ),
    "image_bomb": N_("The image claims to be enormous (a possible decompression bomb); it was not decoded."),
    "image_out_of_memory": N_("The image is too large to decode in the memory available."),
    "image_not_an_image": N_("This file is {what}, not an image."),  # what: file_...
    "image_truncated": N_("The image file is incomplete: it ends too early (was the download or upload cut off?)."),
    "image_format_damaged": N_("The {format} file is damaged and cannot be decoded."),  # format: PNG, JPEG, ...
    "image_damaged": N_("The image file is damaged and cannot be decoded."),
    "file_pdf": N_("a PDF document"),
    "file_postscript": N_("a PostScript/EPS file"),
    "file_eps": N_("an EPS file"),
    "file_zip": N_("a ZIP archive (or an Office document)"),
    "file_heic": N_("a HEIC/HEIF photo (convert it to JPEG first)"),
    "file_media": N_("a video or other media file"),
    "file_svg": N_("an SVG drawing (vector graphics)"),
    "file_html": N_("a web page (HTML)"),
    "file_text": N_("a text file"),
    "file_unrecognised": N_("in a format we do not recognise"),
    # -- batches (imgkernel.batch) ------------------------------------------------------------------------------------
    "batch_no_such_input": N_("No such file or folder: {path}."),
    "batch_output_is_a_file": N_("The input is a folder, so the output must be a folder too; {path} is a file."),
    "batch_several_need_folder": N_(
        "Several inputs are written into one folder, so the output must be a folder; {path} is a file."
    ),
    "batch_no_images": N_("No images ({extensions}) in {path}."),  # extensions: .png, .jpg, ...
    "batch_cannot_list": N_("Cannot read the folder {path}: {reason}."),  # reason: the system's words
    "batch_cannot_create_folder": N_("Cannot create the folder {path}: {reason}."),
    "batch_unknown_format": N_("Unknown output format {value!r}; choose one of {choices}."),
    # suffixes: .png, .jpg, ...
    "batch_format_from_name": N_(
        "The name {name!r} does not say which format to write: end it in {suffixes}, or choose a format."
    ),
    # suffix_format and format: PNG, JPEG, WEBP, TIFF or AVIF
    "batch_format_mismatch": N_("The name {name!r} is that of a {suffix_format} file, but the format is {format}."),
    # library: libwebp or libavif
    "batch_format_unavailable": N_(
        "This installation cannot write {format}: its Pillow was built without {library}. Choose another format."
    ),
    "batch_quality_range": N_("The quality must be a whole number from 1 to 100 (got {value!r})."),
    "batch_quality_lossless": N_("{format} is lossless and takes no quality; the quality is for JPEG, WebP and AVIF."),
    "batch_jobs": N_("The number of jobs must be a whole number, at least 1 (got {value!r})."),
    "batch_needs_fsspec": N_(
        "The address {url} needs the `fsspec` package, and the one for its storage (`s3fs` for `s3://`, `gcsfs` for `gs://`)."
    ),
    "batch_exists": N_("{path} already exists; it was left as it is."),
    "batch_cannot_encode": N_("Cannot encode the result as {format}: {reason}."),  # reason: the encoder's words
    "batch_cannot_write": N_("Cannot write {path}: {reason}."),  # reason: the system's words
    "batch_process_lost": N_(
        "The process filtering this file stopped before it was done (killed, or out of memory?), each of the {n} "
        "times it was tried."
    ),
    "batch_dask_worker_lost": N_(
        "The Dask worker filtering this file died before it was done, each of the {n} times it was tried."
    ),
    "batch_unexpected": N_("Unexpected {error}: {detail}"),  # error: a Python exception's name
    # -- the original package's API (imgkernel.seed) ---------------------------------------------------------------
    "seed_bad_image_shape": N_("Expected a gray, RGB or RGBA image; got an array of shape {shape}."),
    # -- border modes (imgkernel.borders.MODE_RULES): what each reads beyond the edge of a row a b c d -----------
    "border_rule_reflect": N_("mirror image of the border including the edge pixel (d c b a | a b c d | d c b a)"),
    "border_rule_mirror": N_("mirror image of the border without repeating the edge pixel (d c b | a b c d | c b a)"),
    "border_rule_nearest": N_("the nearest edge pixel repeated (a a a | a b c d | d d d)"),
    "border_rule_wrap": N_("the opposite side of the image (a b c d | a b c d | a b c d)"),
    "border_rule_constant": N_("a constant value (cval) outside the image"),
    "border_rule_valid": N_("no padding: only positions where the whole kernel fits inside the image are computed"),
    # -- code export (imgkernel.codegen) --------------------------------------------------------------------------
    # library names, function names and OpenCV's BORDER_ constants are code: never translated
    "codegen_unknown_library": N_("Unknown library {value!r}; choose one of {choices}."),
    "codegen_pillow_too_big": N_(
        "Pillow's `ImageFilter.Kernel` is at most 5 × 5, and this kernel spans {rows} rows and {cols} columns "
        "(dilation included)."
    ),
    "codegen_pillow_linear": N_(
        "Pillow's `ImageFilter.Kernel` filters 8-bit pixels only, so it cannot filter linear light."
    ),
    "codegen_pillow_rescale": N_(
        "Pillow's `ImageFilter.Kernel` rounds and clips its results to 0..255, so nothing is left to rescale."
    ),
    "codegen_pillow_cval": N_(
        "Pillow filters 8-bit pixels, so the border value must be a whole number from 0 to 255, not {cval:g}."
    ),
    "codegen_note_imgkernel": N_(
        "The library's own call: `Settings` holds every option and run_filter applies them, as the playground does."
    ),
    "codegen_note_cli": N_("The same filter as one command: every setting is a flag, the weights are written in full."),
    # pad: `np.pad`'s name of the border; mode: scipy.ndimage's (the playground's)
    "codegen_note_numpy": N_(
        "`np.pad`'s mode=\"{pad}\" is scipy's `{mode}` border; then one shifted copy of the photo per weight is "
        "added up."
    ),
    "codegen_note_numpy_valid": N_(
        "`valid` pads nothing, so the result is smaller; one shifted copy of the photo per weight is added up."
    ),
    "codegen_note_scipy": N_(
        "`ndimage.convolve` turns the kernel 180 degrees and `ndimage.correlate` does not (this script uses "
        "{function}); give them floats, since on 8-bit pixels the sums wrap around."
    ),
    "codegen_note_opencv": N_(
        "`cv2.filter2D` correlates (it does not turn the kernel), and scipy's `{mode}` border is OpenCV's {border}."
    ),
    "codegen_note_opencv_pad": N_(
        "`cv2.filter2D` correlates (it does not turn the kernel) and cannot read a `{mode}` border itself, so the "
        "script adds it with `cv2.copyMakeBorder({border})` first."
    ),
    "codegen_note_opencv_valid": N_(
        "`cv2.filter2D` correlates (it does not turn the kernel) and always pads, so for `valid` the script crops "
        "to the positions where the whole kernel fits."
    ),
    "codegen_note_pillow": N_(
        "`ImageFilter.Kernel` flips the kernel upside down and leaves its border unfiltered, so the script gives it "
        "the rows in reverse and pads first."
    ),
    "codegen_note_jax": N_(
        "`lax.conv_general_dilated` correlates, as CNN layers do, and pads with zeros only, so the script adds the "
        "`{mode}` border with `np.pad` first."
    ),
    "codegen_note_jax_zeros": N_(
        "`lax.conv_general_dilated` correlates, as CNN layers do, and pads with zeros: the `constant` border with "
        "`cval` 0."
    ),
    "codegen_note_jax_valid": N_(
        '`lax.conv_general_dilated` correlates, as CNN layers do; `valid` is its padding="VALID", no border at all.'
    ),
    # == the learning tools =====================================================================================
    # -- Photoshop Custom filter files (imgkernel.formats.acf) ---------------------------------------------------------
    "acf_default_name": N_("Photoshop custom filter"),
    "acf_wrong_size": N_(
        "A Photoshop Custom filter file (.acf) is exactly {size} bytes; this one has {got:,}. "
        "It is cut short or not such a file."
    ),
    "acf_weight_out_of_range": N_(
        "The weight in row {row}, column {col} is {value}: Photoshop's weights go from −{limit} to {limit}, "
        "so this is not a Custom filter file."
    ),
    "acf_scale_zero": N_("The file's scale is 0; Photoshop divides by the scale, so it must be 1 to {limit}."),
    "acf_scale_out_of_range": N_("The file's scale is {scale}; Photoshop's scale goes from 1 to {limit}."),
    "acf_offset_out_of_range": N_("The file's offset is {offset}; Photoshop's offset goes from −{limit} to {limit}."),
    "acf_all_zero": N_("Every weight in the file is 0: that filter turns every photo to the offset alone."),
    "acf_too_big": N_(
        "Photoshop's Custom filter holds at most {side} × {side} weights; this kernel is {cols} × {rows}."
    ),
    "acf_bad_divisor": N_(
        "Photoshop's scale must be 1 to {limit}; this kernel divides by {divisor}. "
        "Negate the weights instead of the divisor."
    ),
    "acf_offset_not_whole": N_("Photoshop's offset is a whole number from −{limit} to {limit}; this one is {offset}."),
    "acf_no_multiplier": N_(
        "Photoshop's weights and scale are whole numbers: no multiplier up to {limit} makes these ({weights}) "
        "and the divisor {divisor} whole."
    ),
    "acf_whole_too_large": N_(
        "As whole numbers the weights reach {weight} and the scale {scale}; Photoshop allows weights up to "
        "±{max_weight} and a scale up to {max_scale}."
    ),
    # -- fitting and training a kernel (imgkernel.learn.fit) -----------------------------------------------------------
    "fit_shape_not_two": N_("The kernel shape must be two whole numbers (rows, columns), got {shape!r}."),
    "fit_side_invalid": N_(
        "Each side of the kernel must be odd (so it has a centre) and between 1 and {limit}; got {shape}."
    ),
    "fit_role_before": N_("before"),
    "fit_role_after": N_("after"),
    "fit_image_not_numbers": N_("The {image} image must hold numbers (8-bit or float), not {dtype}."),
    "fit_image_bad_shape": N_("The {image} image must be gray (H, W) or RGB (H, W, 3); its shape is {shape}."),
    "fit_image_not_finite": N_("The {image} image has missing (NaN) or infinite values."),
    "fit_gray_before_rgb_after": N_(
        "The before image is gray and the after image is RGB: both must be gray or both RGB."
    ),
    "fit_rgb_before_gray_after": N_(
        "The before image is RGB and the after image is gray: both must be gray or both RGB."
    ),
    "fit_size_mismatch": N_(
        "The two images differ in size ({w1} × {h1} and {w2} × {h2} px): the after image must be the before image "
        "filtered, same size (not cropped or resized)."
    ),
    "fit_kernel_too_big": N_("A {kw} × {kh} kernel does not fit in the {w} × {h} px photo; choose a smaller kernel."),
    "fit_max_samples": N_("max_samples must be a whole number of at least 1, got {value!r}."),
    "fit_usable_values": Np_("{m} usable pixel value", "{m} usable pixel values", "m"),
    "fit_unknowns": Np_("{p} unknown", "{p} unknowns", "p"),
    "fit_too_few_values": N_("Only {values} for {unknowns}; use a larger photo or a smaller kernel."),
    "fit_too_few_values_clipped": N_(
        "Only {values} for {unknowns} (the others are 0 or 255 in the after image: maybe clipped); "
        "use a larger photo or a smaller kernel."
    ),
    "fit_learning_rate": N_("The learning rate must be a number above 0 (and below a million), got {value!r}."),
    "fit_unknown_optimizer": N_("Unknown optimiser {value!r}; choose one of {choices}."),
    "fit_unknown_init": N_("Unknown start {value!r}; choose one of {choices}."),
    "fit_steps": N_("The number of steps must be a whole number of at least 0, got {value!r}."),
    # -- the sliding window and transposed convolution (imgkernel.learn.sweep) ----------------------------------------
    "sweep_not_gray": N_("The sliding window works on a non-empty gray (H, W) array."),
    "sweep_input_not_finite": N_("The input contains a value that is not a finite number (NaN or infinity)."),
    "sweep_bad_kernel": N_("The kernel must be a non-empty 2-D grid of finite numbers."),
    "sweep_outside_output": N_("Output position (row {row}, column {col}) is outside the {w} × {h} output."),
    "sweep_output_padding_too_big": N_(
        "The output padding ({output_padding}) must be smaller than the stride or the dilation (here {limit}): "
        "it only says which of the sizes a strided convolution maps to is meant."
    ),
    "sweep_padding_crops_all": N_("The padding ({padding}) crops away the whole output: make it smaller."),
    "sweep_outside_input": N_("Input cell (row {row}, column {col}) is outside the input."),
    # -- CNN layers (imgkernel.learn.layers; the settings' names are used by imgkernel.learn.sweep too) ----------------
    "layer_whole_at_least": N_("The {name} must be a whole number of at least {low} (got {value!r})."),
    "layer_name_input_size": N_("input size"),
    "layer_name_kernel_size": N_("kernel size"),
    "layer_name_padding": N_("padding"),
    "layer_name_output_padding": N_("output padding"),
    "layer_name_stride": N_("stride"),
    "layer_name_dilation": N_("dilation"),
    "layer_pixels": Np_("{n} pixel", "{n} pixels"),
    "layer_padding_each_side": N_("{p} of padding on each side"),
    "layer_padding_before_after": N_("{before} + {after} of padding"),
    "layer_no_fit": N_(
        "The kernel (spanning {span}) does not fit in {size} plus {pads}; use more padding or a smaller kernel "
        "or dilation."
    ),
    "layer_unknown_padding": N_("Unknown padding {value!r}; choose one of {choices}."),
    "layer_empty_bank": N_("A layer needs a stack of kernels of one size, shaped (count, rows, columns)."),
    "layer_unknown_pooling": N_("Unknown pooling {value!r}; choose one of {choices}."),
    "layer_pool_dimensions": N_("Pooling needs an array of at least two dimensions (rows x columns)."),
    "layer_second_weights_shape": N_("Second-layer weights must be (outputs, {maps}); got {shape}."),
    "layer_pad_down": N_("Cannot pad a kernel of side {side} down to {target}."),
    "layer_title_gabor": N_("Gabor {angle:g}°"),
    "layer_title_random": N_("Random #{n}"),
    # -- first layers and ONNX models (imgkernel.layers) --------------------------------------------------------------
    "layer_name_groups": N_("number of groups"),
    "conv_input_shape": N_("The input must be shaped (channels, rows, columns); got shape {shape}."),
    "conv_weights_shape": N_(
        "The filters must be shaped (filters, channels per group, rows, columns); got shape {shape}."
    ),
    "conv_groups": N_(
        "The number of groups ({groups}) must divide both the input's channels ({c}) and the number of filters ({o})."
    ),
    "conv_channels_mismatch": N_(
        "The input has {c} channels, but the filters read {expected} ({per_group} per group, {groups} groups)."
    ),
    "conv_bias_shape": N_("The bias must hold one number per filter ({o}); got shape {shape}."),
    "onnx_too_large": N_("This model file is {mb} MB; the largest model this reads is {limit} MB."),
    "onnx_not_model": N_("This file is not an ONNX model, or it is cut short."),
    "onnx_external_data": N_(
        "This model keeps its weights in a separate file (external data). Save it as one ONNX file with its weights "
        "inside, then upload that."
    ),
    "onnx_no_conv": N_("This model has no convolution (Conv) to show."),
    "onnx_conv_not_2d": N_(
        "The model's first convolution is {ndim}-D; only 2-D convolutions, the ones of images, can be shown."
    ),
    "onnx_conv_not_on_input": N_(
        "The model's first convolution does not read the image directly: a {op} step comes before it. Only scaling "
        "by constant numbers ({ops}) may come first."
    ),
    "onnx_weights_not_constant": N_(
        "The model's first convolution gets its weights while it runs, not from the file, so there are no weights "
        "to show."
    ),
    # what: one of the onnx_what_ fragments; dtype: ONNX's name of a number type (int8, uint8, string)
    "onnx_weights_type": N_("This model stores its {what} as {dtype}; only floating-point numbers can be read."),
    "onnx_values_too_large": N_("A number in this model's {what} is too large to use (over {limit:g} in size)."),
    "onnx_what_weights": N_("first convolution's weights"),
    "onnx_what_bias": N_("first convolution's bias"),
    "onnx_what_scaling": N_("input scaling"),
    "onnx_scaling_unusable": N_(
        "The {op} step before the first convolution is not one finite number per colour channel, so it cannot be "
        "read as the scaling of the input."
    ),
    # name: the ONNX attribute's own name (strides, pads, group); value: what the file holds
    "onnx_conv_bad_attribute": N_("The model's first convolution has an unusable {name} setting ({value})."),
    "onnx_unknown_auto_pad": N_(
        "The model's first convolution has an unknown auto_pad setting {value!r}; ONNX knows {choices}."
    ),
    # -- the mystery kernel (imgkernel.learn.puzzle) -------------------------------------------------------------------
    "puzzle_bad_seed": N_("A puzzle number is a whole number from 0 to {limit}."),
    "puzzle_size_mismatch": N_("Both results must have the same size."),
    "puzzle_sym_left_right": N_("symmetric left-right (a mirror down the middle column)"),
    "puzzle_sym_top_bottom": N_("symmetric top-bottom (a mirror across the middle row)"),
    "puzzle_anti_left_right": N_("left-right opposite (mirrored down the middle column, the sign flips)"),
    "puzzle_anti_top_bottom": N_("top-bottom opposite (mirrored across the middle row, the sign flips)"),
    "puzzle_sym_diagonal": N_("symmetric across the diagonal (top-left to bottom-right)"),
    "puzzle_sym_half_turn": N_("the same turned half a turn (180°)"),
    "puzzle_anti_half_turn": N_("turned half a turn (180°) it changes sign"),
    "puzzle_sym_none": N_("no mirror symmetry"),
    "puzzle_sym_and": N_("{first}; {rest}"),
    "puzzle_sum_zero": N_("sum to 0, so flat areas go black and only edges show"),
    "puzzle_sum_one": N_("sum to 1, so flat areas keep their brightness"),
    "puzzle_sum_negative": N_("sum to {total:g}: negative, so flat areas go black (clipped below 0)"),
    "puzzle_sum_positive": N_("sum to {total:g}, so flat areas get {total:g} times brighter"),
    "puzzle_hint_size": N_("The kernel is {cols} × {rows}."),
    "puzzle_hint_sum": N_("Its weights {what}."),
    "puzzle_hint_symmetry": N_("Symmetry: {found}."),
    "puzzle_hint_largest": N_("Its largest weight in size is {value:g}, in row {row}, column {col}."),
    # -- the pixel walkthrough (imgkernel.learn.walkthrough) -----------------------------------------------------------
    "walk_bad_photo": N_("The photo must be a non-empty (H, W) or (H, W, C) array."),
    "walk_outside_output": N_("Output pixel (row {row}, column {col}) is outside the output, which is {w} × {h} px."),
    "walk_columns": Np_("{n} column", "{n} columns"),
    "walk_rows": Np_("{n} row", "{n} rows"),
    "walk_note_valid": N_(
        "'valid' mode pads nothing, so output pixel (row {row}, column {col}) uses the window whose top-left input "
        "pixel is (row {row} × {stride}, column {col} × {stride}) = (row {in_row}, column {in_col}); the window "
        "covers {w} × {h} input pixels (width × height), so the output is smaller than the input by {columns} and "
        "{rows} (then divided by the stride)."
    ),
    "walk_note_centred": N_(
        "Output pixel (row {row}, column {col}) is centred on input pixel (row {in_row}, column {in_col}). "
        "Taps that fall outside the image read the '{mode}' border: {rule}."
    ),
    "walk_note_centred_stride": N_(
        "Output pixel (row {row}, column {col}) is centred on input pixel (row {in_row}, column {in_col}) "
        "(stride {stride}: every {stride}th input pixel). Taps that fall outside the image read the '{mode}' "
        "border: {rule}."
    ),
}
