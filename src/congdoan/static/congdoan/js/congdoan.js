// Small behaviours of the pages; htmx does the requests. Everything here degrades to plain HTML.
(function () {
  "use strict";

  // The menu button on narrow screens.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest(".nav-toggle");
    if (!toggle) return;
    var nav = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });

  // Forms marked data-autosubmit reload as soon as a value changes (the "as of" date).
  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-autosubmit]");
    if (form && event.target.name) form.requestSubmit();
  });

  // Unit pickers: a suggestion clicked becomes a chip holding a hidden input with the unit's code.
  function chip(picker, code, label) {
    var item = document.createElement("li");
    item.className = "chip";
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.dataset.name;
    input.value = code;
    var text = document.createElement("span");
    text.textContent = label + " ";
    var small = document.createElement("small");
    small.textContent = code;
    text.appendChild(small);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.setAttribute("data-unpick", "");
    remove.setAttribute("aria-label", picker.dataset.removeLabel);
    remove.textContent = "×";
    item.append(input, text, remove);
    return item;
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-pick]");
    if (option) {
      var picker = option.closest(".picker");
      var picked = picker.querySelector(".picked");
      var code = option.dataset.code;
      var already = Array.prototype.some.call(picked.querySelectorAll("input[type=hidden]"), function (input) {
        return input.value === code;
      });
      if (!picker.hasAttribute("data-multiple")) picked.replaceChildren();
      if (!already || !picker.hasAttribute("data-multiple")) {
        picked.appendChild(chip(picker, code, option.dataset.label));
      }
      var search = picker.querySelector("input[type=search]");
      search.value = "";
      picker.querySelector(".options-box").replaceChildren();
      search.focus();
      return;
    }
    var unpick = event.target.closest("[data-unpick]");
    if (unpick) unpick.closest(".chip").remove();
  });

  // Enter in a picker's search box picks the first suggestion instead of sending the form.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.matches(".picker input[type=search]")) return;
    event.preventDefault();
    var first = event.target.closest(".picker").querySelector("[data-pick]");
    if (first) first.click();
  });

  // Keep aria-expanded of tree items in step with their <details>.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.tagName !== "DETAILS" || !details.parentElement.matches("[role=treeitem]")) return;
    details.parentElement.setAttribute("aria-expanded", String(details.open));
  }, true);
})();
