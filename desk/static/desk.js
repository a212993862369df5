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
})();
