// Progressive enhancement of the request and reply forms: the pages work without this file.
(function () {
  // Several workplaces: show the rows in use and one empty row; "Add another workplace"
  // shows the next. Never hide a row holding a value or an error.
  var box = document.querySelector("[data-workplaces]");
  if (box) {
    var rows = box.querySelectorAll("[data-workplace-row]");
    var add = box.querySelector("[data-add-workplace]");
    var used = function (row) {
      var fields = row.querySelectorAll("input, select");
      for (var i = 0; i < fields.length; i++) {
        if (fields[i].value !== "" || fields[i].getAttribute("aria-invalid") === "true") { return true; }
      }
      return false;
    };
    var shownEmpty = false;
    for (var i = 0; i < rows.length; i++) {
      if (used(rows[i])) { continue; }
      if (!shownEmpty) { shownEmpty = true; continue; }
      rows[i].hidden = true;
    }
    var syncButton = function () {
      add.hidden = box.querySelector("[data-workplace-row][hidden]") === null;
    };
    add.addEventListener("click", function () {
      var next = box.querySelector("[data-workplace-row][hidden]");
      if (next) {
        next.hidden = false;
        next.querySelector("select").focus();
      }
      syncButton();
    });
    syncButton();
  }

  // A double click sends once (the server makes one case of a resubmission in any case).
  // Coming back to the page (the Back button after a refusal) makes the form sendable again.
  var forms = document.querySelectorAll("form[data-submit-once]");
  window.addEventListener("pageshow", function () {
    for (var p = 0; p < forms.length; p++) {
      forms[p].removeAttribute("data-sent");
      var sent = forms[p].querySelectorAll("button[aria-disabled]");
      for (var q = 0; q < sent.length; q++) { sent[q].removeAttribute("aria-disabled"); }
    }
  });
  for (var f = 0; f < forms.length; f++) {
    forms[f].addEventListener("submit", function (event) {
      var form = event.currentTarget;
      if (form.getAttribute("data-sent") === "1") { event.preventDefault(); return; }
      form.setAttribute("data-sent", "1");
      var buttons = form.querySelectorAll("button[type=submit]");
      for (var b = 0; b < buttons.length; b++) { buttons[b].setAttribute("aria-disabled", "true"); }
    });
  }
})();
