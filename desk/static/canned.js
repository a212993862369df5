// Canned responses on the case page: insert the chosen answer at the cursor of the reply box
// without reloading. Without JavaScript the picker's GET form reloads the page instead.
(function () {
  "use strict";
  function insertAtCursor(area, text) {
    var start = area.selectionStart, end = area.selectionEnd;
    if (typeof start !== "number") { start = end = area.value.length; }
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    var caret = start + text.length;
    area.focus();
    area.setSelectionRange(caret, caret);
  }
  document.querySelectorAll("form.canned-picker").forEach(function (form) {
    var area = document.getElementById(form.dataset.target);
    var status = form.querySelector(".canned-status");
    var select = form.querySelector("select");
    if (!area || !select) { return; }
    // Remember where the cursor was: choosing in the list takes the focus from the box.
    var caret = null;
    area.addEventListener("blur", function () {
      caret = [area.selectionStart, area.selectionEnd];
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var url = form.dataset.cannedUrl.replace(/\/0$/, "/" + encodeURIComponent(select.value));
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          if (caret) { area.setSelectionRange(caret[0], caret[1]); }
          insertAtCursor(area, data.text);
          if (status) { status.textContent = data.notice; }
        })
        .catch(function () { form.submit(); });  // the page-reload way still works
    });
  });
})();
