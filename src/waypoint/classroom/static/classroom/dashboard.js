// The dashboard without page reloads where it matters: suggested groups load into the page,
// a grid cell opens its evidence in place. Without JavaScript the links go to full pages.
(function () {
  "use strict";
  function fetchInto(url, target) {
    return fetch(url, { headers: { "X-Requested-With": "fetch" }, credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status); }
        return r.text();
      })
      .then(function (html) { target.innerHTML = html; target.hidden = false; });
  }
  var suggested = document.getElementById("suggested");
  if (suggested) {
    fetchInto(suggested.dataset.url, suggested).catch(function () {});
    suggested.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.method.toLowerCase() !== "get") { return; }  // saving is a normal POST
      event.preventDefault();
      var query = new URLSearchParams(new FormData(form)).toString();
      fetchInto(form.action + "?" + query, suggested).catch(function () { form.submit(); });
    });
  }
  var evidence = document.getElementById("evidence");
  var grid = document.getElementById("grid");
  if (grid && evidence) {
    grid.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-cell]");
      if (!link) { return; }
      event.preventDefault();
      fetchInto(link.href, evidence).then(function () {
        evidence.setAttribute("tabindex", "-1");
        evidence.focus();
      }).catch(function () { window.location = link.href; });
    });
  }
})();
