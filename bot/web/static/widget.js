// Embeds the coach in an LMS page (Moodle…):
//   <script src="https://coach.example/static/widget.js" data-token="SIGNED" data-scenario="air-plasturgie" async></script>
// The signed token travels in the iframe's URL fragment (never sent to servers' logs).
(function () {
  "use strict";
  var me = document.currentScript;
  if (!me) return;
  var base = new URL(me.src, window.location.href).origin;
  var frame = document.createElement("iframe");
  var scenario = me.dataset.scenario ? "?scenario=" + encodeURIComponent(me.dataset.scenario) : "";
  frame.src = base + "/widget" + scenario + "#token=" + encodeURIComponent(me.dataset.token || "");
  frame.title = "Coach de négociation";
  frame.style.width = "100%";
  frame.style.maxWidth = me.dataset.width || "720px";
  frame.style.height = me.dataset.height || "640px";
  frame.style.border = "1px solid #dfe3ea";
  frame.style.borderRadius = "10px";
  frame.setAttribute("allow", "clipboard-write");
  me.parentNode.insertBefore(frame, me.nextSibling);
})();
