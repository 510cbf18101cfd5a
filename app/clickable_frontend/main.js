// A picture that reports where it was clicked (app/clickable.py). Streamlit's component protocol, version 1, by
// hand: "componentReady" once, then "render" messages with the arguments; we answer with the frame's height and,
// on a click, the component's value.
(function () {
  const picture = document.getElementById("picture");

  function send(type, data) {
    window.parent.postMessage(Object.assign({ isStreamlitMessage: true, type: type }, data), "*");
  }

  function fitFrame() {
    send("streamlit:setFrameHeight", { height: Math.ceil(picture.getBoundingClientRect().height) });
  }

  picture.addEventListener("load", fitFrame);
  window.addEventListener("resize", fitFrame);
  picture.addEventListener("click", function (event) {
    send("streamlit:setComponentValue", {
      value: {
        x: event.offsetX,
        y: event.offsetY,
        width: picture.width,
        height: picture.height,
        unix_time: Date.now(),
      },
      dataType: "json",
    });
  });

  window.addEventListener("message", function (event) {
    if (!event.data || event.data.type !== "streamlit:render") return;
    const args = event.data.args || {};
    picture.alt = args.alt || "";
    picture.width = args.width;
    picture.style.width = args.width + "px";
    if (picture.getAttribute("src") !== args.src) picture.src = args.src;
    else fitFrame();
  });

  send("streamlit:componentReady", { apiVersion: 1 });
})();
