"""Driving the playground's live camera in Chromium: a fake camera that plays a generated test clip, and helpers
to start the stream and read the video it sends back.

Chromium's fake capture device plays a ``.y4m`` file (``--use-file-for-fake-video-capture``; only y4m works), in a
loop, at the clip's frame rate; ``--use-fake-ui-for-media-stream`` answers the camera prompt. The video
streamlit-webrtc shows is inside its component's iframe: frames are read from it with a canvas
(``drawImage`` + ``toDataURL``) and counted with ``requestVideoFrameCallback``.

Used by ``tests/browser/test_live.py`` and ``bench/live.py``.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
from PIL import Image

from .browser import CHROMIUM_ARGS
from .st_page import picker

WIDTH, HEIGHT, FPS = 640, 480, 15
MARKER = 48  # the clip's moving square lives in this corner (top left, before mirroring): left out of comparisons
COMPONENT_URL = "streamlit_webrtc.component.webrtc_streamer"


def fake_camera_args(clip: Path) -> list[str]:
    """Chromium's launch arguments with a fake camera playing ``clip``."""
    return [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={clip}",
        "--autoplay-policy=no-user-gesture-required",
        # every tab draws its video as if it were in front (visitors on their own devices): Chromium otherwise
        # throttles a background tab's rendering, and its frames stop being shown and counted
        "--disable-renderer-backgrounding",
        "--disable-background-timer-throttling",
        "--disable-backgrounding-occluded-windows",
    ]


def pattern(frame: int = 0, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """A still scene with structure at several scales (squares, rings, stripes, a gradient), so that an edge
    detector's picture differs clearly from the photo; a small square moves in the top-left corner from frame to
    frame, so that every video frame is new."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    checker = ((x // 64 + y // 64) % 2) * 90.0
    rings = (np.sin(np.hypot(x - width * 0.7, y - height * 0.55) / 9.0) > 0) * 80.0
    stripes = ((x + 2 * y) // 24 % 2) * 50.0
    rgb = np.stack([checker + rings * 0.6 + 40, rings + stripes * 0.5 + 30, stripes + x / width * 100 + 40], axis=-1)
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    rgb[:MARKER, :MARKER] = 0
    step = frame % 4
    rgb[8 + step * 8 : 24 + step * 8, 8:24] = 255
    return rgb


def _yuv420(rgb: np.ndarray) -> bytes:
    """JPEG's full-range BT.601 Y'CbCr, chroma averaged over 2 x 2 pixels (the C420jpeg of the y4m header)."""
    r, g, b = (rgb[..., i].astype(np.float32) for i in range(3))
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b
    cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b
    h, w = y.shape

    def sub(c: np.ndarray) -> np.ndarray:
        return c.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3))

    planes = [y, sub(cb), sub(cr)]
    return b"".join(np.clip(np.rint(p), 0, 255).astype(np.uint8).tobytes() for p in planes)


def write_y4m(path: Path, frames: list[np.ndarray], fps: int = FPS) -> Path:
    """A YUV4MPEG2 clip of ``frames`` ((H, W, 3) uint8 RGB, even sizes) for Chromium's fake camera."""
    h, w = frames[0].shape[:2]
    with open(path, "wb") as f:
        f.write(f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            f.write(b"FRAME\n")
            f.write(_yuv420(rgb))
    return path


def make_clip(path: Path) -> Path:
    """The test pattern's four frames (its marker's four places), looped by Chromium at 15 frames/s."""
    return write_y4m(path, [pattern(i) for i in range(4)])


# ---- a clip that numbers its frames, for the end-to-end latency (bench/live.py) ----

CODE_BITS = 6  # frames numbered 0..63: a 4.3 s loop at 15 fps, longer than any latency measured
CODE_X, CODE_Y, CODE_W, CODE_H = 400, 400, 40, 48  # bit j is the block at x = CODE_X + j * CODE_W (white = 1)


def numbered(k: int) -> np.ndarray:
    """The test pattern with ``k`` written in white and black blocks at its bottom right: mirrored by the page, they
    land in the original (unfiltered) half of the video that comes back."""
    rgb = pattern(k).copy()
    for j in range(CODE_BITS):
        x = CODE_X + j * CODE_W
        rgb[CODE_Y : CODE_Y + CODE_H, x : x + CODE_W] = 255 if (k >> j) & 1 else 0
    return rgb


def make_numbered_clip(path: Path) -> Path:
    return write_y4m(path, [numbered(k) for k in range(1 << CODE_BITS)])


# An init script (every frame of the page): keep the camera's own stream as ``window.__camera`` when streamlit-webrtc
# asks for it, so the bench can read the frames going out as well as those coming back.
KEEP_CAMERA_JS = """
(() => {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) return;
  const ask = md.getUserMedia.bind(md);
  md.getUserMedia = async (c) => { const s = await ask(c); window.__camera = s; return s; };
})();
"""

# In the component's frame: for every frame shown, the number each video carries (``window.__codes``: [which, epoch
# ms, number] with which 0 = the camera's own stream, 1 = the video back from the server, mirrored).
READ_CODES_JS = """([bits, x0, y0, w, h]) => {
  window.__codes = [];
  const back = document.querySelector('video');
  const mine = document.createElement('video');
  mine.muted = true; mine.playsInline = true; mine.srcObject = window.__camera; mine.play();
  const c = document.createElement('canvas');
  c.width = 640; c.height = 480;
  const g = c.getContext('2d', {willReadFrequently: true});
  const read = (v, which) => {
    const tick = () => {
      if (v.videoWidth > 0) {
        g.drawImage(v, 0, 0, 640, 480);
        let k = 0;
        for (let j = 0; j < bits; j++) {
          const x = which === 0 ? x0 + j * w + w / 2 : 640 - (x0 + j * w + w / 2);
          const d = g.getImageData(Math.round(x), Math.round(y0 + h / 2), 1, 1).data;
          if (d[0] + d[1] + d[2] > 3 * 128) k |= 1 << j;
        }
        window.__codes.push([which, performance.timeOrigin + performance.now(), k]);
      }
      v.requestVideoFrameCallback(tick);
    };
    v.requestVideoFrameCallback(tick);
  };
  read(mine, 0);
  read(back, 1);
}"""


def latencies(codes: list[list[float]], period: int = 1 << CODE_BITS) -> list[float]:
    """Milliseconds from each number's first showing in the camera's own video to its first showing in the video
    back from the server (numbers seen once per loop of the clip; a number never matched is skipped)."""
    out: list[float] = []
    first_seen: dict[int, float] = {}
    back_seen: set[tuple[int, int]] = set()
    loop_of: dict[int, int] = {}
    for which, t, k in codes:
        k = int(k) % period
        if which == 0:
            if k not in first_seen or t - first_seen[k] > 2000:  # a new loop of the clip
                first_seen[k] = t
                loop_of[k] = loop_of.get(k, -1) + 1
        elif k in first_seen and (k, loop_of[k]) not in back_seen and t >= first_seen[k]:
            back_seen.add((k, loop_of[k]))
            out.append(t - first_seen[k])
    return out


def component_frame(page, timeout: float = 30_000):
    """The streamlit-webrtc component's frame (an iframe of the page), once it is there."""
    page.locator(f'iframe[src*="{COMPONENT_URL}"]').first.wait_for(timeout=timeout)
    for _ in range(100):
        for frame in page.frames:
            if COMPONENT_URL in frame.url:
                return frame
        page.wait_for_timeout(100)
    raise AssertionError("the live camera's component frame did not load")


def start_stream(page, timeout: float = 30_000):
    """Press the component's Start and wait until its video shows frames; returns the component's frame."""
    frame = component_frame(page, timeout)
    frame.get_by_role("button", name="Start").click()
    frame.wait_for_function(
        "() => { const v = document.querySelector('video'); return v && v.videoWidth > 0 && v.currentTime > 0; }",
        timeout=timeout,
        polling=50,
    )
    return frame


def stop_stream(frame) -> None:
    frame.get_by_role("button", name="Stop").click()


def grab(frame) -> np.ndarray:
    """The video frame on screen now, (H, W, 3) uint8 RGB at the video's own size."""
    url = frame.evaluate(
        """() => {
          const v = document.querySelector('video');
          const c = document.createElement('canvas');
          c.width = v.videoWidth; c.height = v.videoHeight;
          c.getContext('2d').drawImage(v, 0, 0);
          return c.toDataURL('image/png');
        }"""
    )
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))


def start_counting(frame) -> None:
    """Count the frames the video presents from now on (``read_count``), without blocking."""
    frame.evaluate(
        """() => {
          const v = document.querySelector('video');
          window.__count = 0; window.__since = performance.now();
          const tick = () => { window.__count += 1; v.requestVideoFrameCallback(tick); };
          v.requestVideoFrameCallback(tick);
        }"""
    )


def read_count(frame) -> float:
    """Frames per second presented since ``start_counting``."""
    return frame.evaluate("() => window.__count / ((performance.now() - window.__since) / 1000)")


def count_frames(frame, seconds: float) -> dict:
    """Frames the video presented during ``seconds`` (``requestVideoFrameCallback``), with its size."""
    return frame.evaluate(
        """(ms) => new Promise((done) => {
          const v = document.querySelector('video');
          let n = 0;
          const t0 = performance.now();
          const tick = () => {
            n += 1;
            if (performance.now() - t0 < ms) v.requestVideoFrameCallback(tick);
            else done({frames: n, seconds: (performance.now() - t0) / 1000, width: v.videoWidth,
                       height: v.videoHeight});
          };
          v.requestVideoFrameCallback(tick);
          setTimeout(() => done({frames: n, seconds: (performance.now() - t0) / 1000, width: v.videoWidth,
                                 height: v.videoHeight}), ms + 2000);
        })""",
        seconds * 1000,
    )


# An in-frame watcher: for each presented frame, the mean brightness of a box of the video (``window.__means``:
# [epoch ms, mean] pairs), read cheaply from a small canvas. The kernel-switch delay is measured with it.
WATCH_JS = """([x0, y0, x1, y1]) => {
  const v = document.querySelector('video');
  window.__watching = (window.__watching || 0) + 1;
  const me = window.__watching;
  const c = document.createElement('canvas');
  const w = 64, h = 48;
  c.width = w; c.height = h;
  const g = c.getContext('2d', {willReadFrequently: true});
  window.__means = [];
  const tick = () => {
    const sw = v.videoWidth, sh = v.videoHeight;
    if (sw > 0) {
      g.drawImage(v, x0 * sw, y0 * sh, (x1 - x0) * sw, (y1 - y0) * sh, 0, 0, w, h);
      const d = g.getImageData(0, 0, w, h).data;
      let s = 0;
      for (let i = 0; i < d.length; i += 4) s += d[i] + d[i + 1] + d[i + 2];
      window.__means.push([performance.timeOrigin + performance.now(), s / (3 * w * h)]);
    }
    if (window.__watching === me) v.requestVideoFrameCallback(tick);
  };
  v.requestVideoFrameCallback(tick);
}"""


SWITCH_BOX = (0.55, 0.15, 0.95, 0.95)  # of the video: inside the filtered half, away from the line and the marker


def kernel_switch_delay(page, frame, name: str, expected: np.ndarray, timeout: float = 10.0) -> float | None:
    """Choose the catalogue kernel ``name`` in the playground's Kernel box while the live video plays, and return the
    milliseconds from the choice until the first video frame whose filtered part has the brightness of
    ``expected`` (the frame the server should send, (H, W, 3)), or None if none came within ``timeout`` s.

    The video's frames are watched inside the component's frame (``WATCH_JS``), timed on the same clock as the
    click (``performance.timeOrigin + performance.now()`` in both documents). A frame counts once its brightness
    is past the midpoint between the frames before the choice and ``expected``: the old kernel's and the new
    kernel's pictures must differ in brightness (an edge detector after a sharpen, say).
    """
    import imgkernel
    from app.wording import preset_label

    x0, y0, x1, y1 = SWITCH_BOX
    h, w = expected.shape[:2]
    target = float(expected[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)].mean())
    frame.evaluate(WATCH_JS, list(SWITCH_BOX))
    page.wait_for_timeout(500)
    box = picker(page, "Kernel")
    box.wait_for()
    clicked = page.evaluate("() => performance.timeOrigin + performance.now()")
    box.select_option(label=preset_label(imgkernel.get(name)))
    deadline = clicked + timeout * 1000
    while True:
        means = frame.evaluate("() => window.__means")
        before = [m for t, m in means if t < clicked]
        if before:
            mid = (float(np.median(before[-15:])) + target) / 2
            for t, m in means:
                if t > clicked and (m - mid) * (before[-1] - mid) < 0:
                    return t - clicked
        if means and means[-1][0] > deadline:
            return None
        page.wait_for_timeout(100)


def luminance(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two pictures' luminance (robust to the codec's level and contrast shifts)."""
    x, y = luminance(a).ravel(), luminance(b).ravel()
    x, y = x - x.mean(), y - y.mean()
    return float((x @ y) / np.sqrt((x @ x) * (y @ y) + 1e-12))
