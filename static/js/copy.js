// Copy buttons: <button data-copy="id-of-a-field">; the status next to it says what happened.
(function () {
  "use strict";
  function report(button, ok) {
    var status = button.parentNode.querySelector("[role=status]");
    if (status) { status.textContent = status.getAttribute(ok ? "data-copied" : "data-failed"); }
  }
  function fallback(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    var text = field.value;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(
        function () { report(button, true); },
        function () { report(button, fallback(text)); }
      );
    } else {
      report(button, fallback(text));
    }
  });
})();
