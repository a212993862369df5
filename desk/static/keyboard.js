// Keyboard shortcuts for staff pages (Gmail/Zendesk style single keys).
// Progressive enhancement only: without this file every page still works by Tab and Enter;
// the shortcuts only save keystrokes. No shortcut fires while the person is typing.
(function () {
  "use strict";
  var LIST_KEY = "desk.caseList";
  var CASE_PATH = /^\/staff\/cases\/[^/]+$/;

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // The case links of a list page (queue, search, employer view), in reading order.
  function caseLinks() {
    var main = document.getElementById("main");
    if (!main) { return []; }
    var links = main.querySelectorAll("a[href]");
    var found = [];
    var seen = {};
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      if (CASE_PATH.test(link.pathname) && !seen[link.pathname] && !link.closest("[data-no-case-nav]")) {
        seen[link.pathname] = true;
        found.push(link);
      }
    }
    return found;
  }

  var onCasePage = CASE_PATH.test(window.location.pathname);
  var links = onCasePage ? [] : caseLinks();

  // Remember the list so that j/k on a case page moves to its neighbours.
  if (links.length) {
    try {
      window.sessionStorage.setItem(LIST_KEY, JSON.stringify(links.map(function (l) { return l.pathname; })));
    } catch (e) { /* storage may be off: list navigation still works on the list page */ }
  }

  function storedList() {
    try { return JSON.parse(window.sessionStorage.getItem(LIST_KEY) || "[]"); } catch (e) { return []; }
  }

  function moveInList(step) {
    if (onCasePage) {
      var list = storedList();
      var here = list.indexOf(window.location.pathname);
      var next = here === -1 ? -1 : here + step;
      if (next >= 0 && next < list.length) { window.location.assign(list[next]); }
      return;
    }
    if (!links.length) { return; }
    var index = links.indexOf(document.activeElement);
    var target = index === -1 ? (step > 0 ? 0 : links.length - 1) : index + step;
    if (target >= 0 && target < links.length) {
      links[target].focus();
      var row = links[target].closest("tr, li, article");
      if (row && row.scrollIntoView) { row.scrollIntoView({ block: "nearest" }); }
    }
  }

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (!field) { return false; }
    if (field.scrollIntoView) { field.scrollIntoView({ block: "center" }); }
    field.focus();
    return true;
  }

  function submitForm(selector) {
    var form = document.querySelector(selector);
    if (!form) { return false; }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    return true;
  }

  var help = document.getElementById("keyboard-help");
  var opener = null;

  function openHelp() {
    if (!help || help.open) { return; }
    opener = document.activeElement;
    if (help.showModal) { help.showModal(); } else { help.setAttribute("open", ""); }
  }

  if (help) {
    help.hidden = false;
    help.addEventListener("close", function () { if (opener && opener.focus) { opener.focus(); } });
    var closeButton = help.querySelector("[data-close]");
    if (closeButton) { closeButton.addEventListener("click", function () { help.close(); }); }
  }
  var helpLinks = document.querySelectorAll("[data-keyboard-help]");
  for (var h = 0; h < helpLinks.length; h++) {
    helpLinks[h].hidden = false;
    helpLinks[h].addEventListener("click", function (event) { event.preventDefault(); openHelp(); });
  }

  var ACTIONS = {
    "j": function () { moveInList(1); return true; },
    "k": function () { moveInList(-1); return true; },
    "r": function () { return focusField("#reply_body"); },
    "n": function () { return focusField("#note_body"); },
    "c": function () { return submitForm("form[data-shortcut=claim]"); },
    "/": function () { return focusField("#nav-search"); },
    "u": function () {
      var back = document.querySelector("[data-shortcut=queue]");
      if (back) { window.location.assign(back.href); return true; }
      return false;
    },
    "?": function () { openHelp(); return true; }
  };

  document.addEventListener("keydown", function (event) {
    // Ctrl+Enter (Cmd+Enter) in a text box sends its form: reply, note or question.
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target &&
        event.target.tagName && event.target.tagName.toLowerCase() === "textarea" && event.target.form) {
      event.preventDefault();
      var form = event.target.form;
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
      return;
    }
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target) || (help && help.open)) { return; }
    var action = ACTIONS[event.key];
    if (action && action()) { event.preventDefault(); }
  });
})();
