// Polls a job's status and updates its progress bar; reloads the page when the job ends.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") { return; }
  var url = box.dataset.statusUrl;
  var tries = 0;
  function tick() {
    tries += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) {
        document.getElementById("job-status").textContent = s.status_label;
        document.getElementById("job-stage").textContent = s.stage ? ": " + s.stage : "";
        document.getElementById("job-progress").value = s.percent;
        document.getElementById("job-count").textContent = s.total ? s.done + " / " + s.total : "";
        if (s.finished) { window.location.reload(); } else if (tries < 3600) { setTimeout(tick, 1000); }
      })
      .catch(function () { if (tries < 3600) { setTimeout(tick, 3000); } });
  }
  setTimeout(tick, 500);
})();
