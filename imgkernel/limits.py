"""Every size limit in one place, so the loader, the CLI, the app and the tests agree (and docs can cite)."""

MAX_PIXELS = 50_000_000  # largest image the loader decodes (width x height); 12 MP phone photos fit
MAX_JPEG_SCANS = 100  # JPEGs with more scans are refused (CPU bomb, libjpeg-turbo LJT-01-003); photos have 1 to ~10
MAX_KERNEL_SIDE = 63  # largest kernel side accepted from users (grid, JSON, URL, CLI)
MAX_KERNEL_ABS = 1e6  # largest kernel weight magnitude accepted from users
MAX_KERNEL_JSON_BYTES = 256_000  # a 63x63 kernel written out in full fits many times over
PREVIEW_LONG_SIDE = 1024  # the app filters at this long side for the screen, full size only for download
UPLOAD_LIMIT_MB = 50  # must equal server.maxUploadSize in .streamlit/config.toml
MAX_STRIDE = 8  # largest stride offered by the app and accepted from share links
MAX_DILATION = 8  # largest dilation offered by the app and accepted from share links
MAX_SHARE_QUERY_CHARS = 8_000  # longest share-link query; web servers refuse request lines over ~8-16 kB
