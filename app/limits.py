"""The playground's own limits (the library's, on kernels and images, are in ``imgkernel.limits``)."""

PREVIEW_LONG_SIDE = 1024  # the app filters at this long side for the screen, full size only for download
UPLOAD_LIMIT_MB = 50  # a photo (each photo uploader's own limit: the browser refuses bigger files)
MODEL_UPLOAD_LIMIT_MB = 100  # an ONNX model (imgkernel.limits.MAX_MODEL_BYTES); must equal server.maxUploadSize
MAX_STRIDE = 8  # largest stride offered by the app and accepted from share links
MAX_DILATION = 8  # largest dilation offered by the app and accepted from share links
MAX_SHARE_QUERY_CHARS = 8_000  # longest share-link query; web servers refuse request lines over ~8-16 kB
