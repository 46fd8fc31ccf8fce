/* Open-data import page: the progress bar follows the job. Progressive enhancement only:
   without it, reloading the page shows the same figures. */
(function () {
  "use strict";
  var box = document.querySelector("[data-progress-url]");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  var bar = box.querySelector("[data-job-bar]");
  var percent = box.querySelector("[data-job-percent]");
  var status = box.querySelector("[data-job-status]");
  var stage = box.querySelector("[data-job-stage]");
  function poll() {
    fetch(box.getAttribute("data-progress-url"), { credentials: "same-origin",
      headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
        percent.textContent = data.percent + " %";
        status.textContent = data.status_label;
        stage.textContent = data.stage_label;
        if (data.finished) {
          window.location.reload();
          return;
        }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
