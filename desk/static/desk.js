// Progressive enhancement only: every page works without this file.
(function () {
  // Move focus to the error summary so keyboard and screen-reader users hear the problem first.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) { summary.focus(); }

  // Show the "other municipality" field only when "Another municipality" is chosen.
  var select = document.getElementById("municipality");
  var other = document.getElementById("municipality-other-group");
  if (select && other) {
    var sync = function () { other.hidden = select.value !== "other"; };
    select.addEventListener("change", sync);
    sync();
  }

  // Ask for the number of affected employees only with change security (lay-offs).
  var affected = document.querySelector("[data-shown-for-need]");
  if (affected) {
    var needs = document.querySelectorAll("input[name=need]");
    var syncAffected = function () {
      var chosen = document.querySelector("input[name=need]:checked");
      var input = affected.querySelector("input");
      // Never hide a field holding a value or an error: nothing typed may disappear.
      var keep = input && (input.value !== "" || input.getAttribute("aria-invalid") === "true");
      affected.hidden = !keep && !(chosen && chosen.value === affected.getAttribute("data-shown-for-need"));
    };
    for (var i = 0; i < needs.length; i++) { needs[i].addEventListener("change", syncAffected); }
    syncAffected();
  }
})();
